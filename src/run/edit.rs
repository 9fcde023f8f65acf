//! An edit batch: read the files at the base commit (one `cat-file` for the batch), run
//! the spec's recipe steps on each in memory (and, with `engine = "model"`, the model
//! after them), and record the edits as drafts and the files that could not be edited as
//! skipped, with why, in one transaction.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde_json::json;
use sqlx::types::Json;

use super::RunError;
use super::model::{self, FileEdit};
use super::worker::{RunContext, RunTask, Worker, pause_point};
use crate::edit::recipes;
use crate::qa::checker::FileChecker;
use crate::qa::engine::Selection;
use crate::qa::engine::decode_source;
use crate::qa::fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::store::{Draft, Run, Skip};
use crate::workspace::Blob;

/// Edits batch `batch` of `run` and records it; the last batch queues the run's QA.
pub(super) async fn batch(
    worker: &Worker,
    run: &Run,
    batch: i64,
    files: Vec<(String, String)>,
) -> Result<(), RunError> {
    let cx = worker.context(run).await?;
    // The QA check of the base tree needs no edit: it runs beside them.
    cx.start_before_check();
    let deadline = cx
        .spec
        .budget
        .max_minutes
        .map(|m| run.created_at + chrono::Duration::minutes(m as i64));
    let started = std::time::Instant::now();
    let (drafts, skipped, exhausted) = if cx.model.is_some() {
        model_files(worker, &cx, &files, deadline).await?
    } else {
        let _slot = worker
            .edit_slots
            .acquire()
            .await
            .map_err(|e| RunError::Refused(format!("error: the worker is stopping: {e}")))?;
        tokio::task::spawn_blocking(move || edit_files(&cx, &files, deadline))
            .await
            .map_err(|e| RunError::Refused(format!("error: an edit task panicked: {e}")))??
    };
    let finish = RunTask::Finish {
        run: run.id.clone(),
    }
    .to_bytes();
    super::retry_busy(|| {
        worker
            .store
            .finish_batch(&run.id, batch, &drafts, &skipped, exhausted, &finish)
    })
    .await?;
    tracing::debug!(
        run = run.id,
        batch,
        seconds = started.elapsed().as_secs_f64(),
        "edit batch stored"
    );
    pause_point(&worker.data_dir, "batch-stored");
    Ok(())
}

pub(super) fn settings(cx: &RunContext) -> Settings<'_> {
    Settings {
        config: &cx.config,
        internal_hosts: &cx.hosts,
        site_url: cx.site_url.as_deref(),
        year: cx.year,
        today: crate::qa::engine::today(),
        plan: None,
        ga4: crate::qa::data::ga4::Ga4::shipped(),
        site_values: crate::qa::tagging::values::SiteValues::none(),
    }
}

/// The drafts and skipped files of one batch, and whether the time budget ran out.
fn edit_files(
    cx: &RunContext,
    files: &[(String, String)],
    deadline: Option<DateTime<Utc>>,
) -> Result<(Vec<Draft>, Vec<Skip>, bool), RunError> {
    let blobs: Vec<Blob> = files.iter().map(|(_, b)| Blob(b.clone())).collect();
    let contents = cx.ws.read_blobs(&blobs)?;
    let settings = settings(cx);
    let minutes = cx.spec.budget.max_minutes.unwrap_or_default();
    let outcomes: Vec<Result<Option<Draft>, Skip>> = files
        .par_iter()
        .zip(contents)
        .map(|((path, blob), bytes)| {
            if deadline.is_some_and(|d| Utc::now() >= d) {
                return Err(Skip {
                    path: path.clone(),
                    reason: format!("budget: max_minutes = {minutes} reached before this file"),
                });
            }
            let (base, text, steps) = guarded(path, || prepare(cx, &settings, path, bytes))?;
            if text == base {
                return Ok(None);
            }
            Ok(Some(Draft {
                path: path.to_string(),
                base_blob: blob.to_string(),
                new_content: text,
                attempts: Json(json!([{
                    "attempt": 1,
                    "engine": "recipe",
                    "steps": steps,
                }])),
            }))
        })
        .collect();
    Ok(sort_out(outcomes))
}

/// The model engine's batch: recipes first, then the model for each file, the files'
/// calls in flight together (the ledger keeps them within the run's limits).
async fn model_files(
    worker: &Worker,
    cx: &Arc<RunContext>,
    files: &[(String, String)],
    deadline: Option<DateTime<Utc>>,
) -> Result<(Vec<Draft>, Vec<Skip>, bool), RunError> {
    let blobs: Vec<Blob> = files.iter().map(|(_, b)| Blob(b.clone())).collect();
    let reader = cx.clone();
    let contents = tokio::task::spawn_blocking(move || reader.ws.read_blobs(&blobs))
        .await
        .map_err(|e| RunError::Refused(format!("error: {e}")))??;
    let Some(model) = cx.model.as_ref() else {
        return Ok((Vec::new(), Vec::new(), false));
    };
    let settings = settings(cx);
    let selection = Selection::new(&cx.config, &cx.spec.qa.rules)
        .map_err(|e| RunError::Spec(format!("[qa] rules: {e}")))?;
    let checker = FileChecker::new(&cx.site, &cx.tree, selection, settings);
    let mut outcomes: Vec<Result<Option<Draft>, Skip>> = Vec::new();
    let mut work = Vec::new();
    for ((path, blob), bytes) in files.iter().zip(contents) {
        match guarded(path, || prepare(cx, &settings, path, bytes)) {
            Err(skip) => outcomes.push(Err(skip)),
            Ok((base, text, steps)) => work.push(model::edit_file(
                worker, cx, model, &checker, path, blob, base, text, steps, deadline, None,
            )),
        }
    }
    for edit in futures::future::join_all(work).await {
        outcomes.push(match edit? {
            FileEdit::Draft(d) => Ok(Some(d)),
            FileEdit::Skip(s) => Err(s),
            FileEdit::Unchanged => Ok(None),
        });
    }
    Ok(sort_out(outcomes))
}

/// Drafts and skips apart, and whether a budget ran out.
fn sort_out(outcomes: Vec<Result<Option<Draft>, Skip>>) -> (Vec<Draft>, Vec<Skip>, bool) {
    let (mut drafts, mut skipped) = (Vec::new(), Vec::new());
    for outcome in outcomes {
        match outcome {
            Ok(Some(d)) => drafts.push(d),
            Ok(None) => {}
            Err(s) => skipped.push(s),
        }
    }
    let exhausted = skipped.iter().any(|s| s.reason.starts_with("budget:"));
    (drafts, skipped, exhausted)
}

/// Runs `work` for one file; a panic is that file's, skipped with why, not the run's.
fn guarded<T>(path: &str, work: impl FnOnce() -> Result<T, Skip>) -> Result<T, Skip> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Skip {
            path: path.to_string(),
            reason: format!(
                "a recipe failed on this file ({why}); nothing was changed — please report it"
            ),
        })
    })
}

/// One file read and through every recipe step: its base text, the text the steps left
/// and the steps that changed it; or why it is skipped.
pub(super) fn prepare(
    cx: &RunContext,
    settings: &Settings,
    path: &str,
    bytes: Vec<u8>,
) -> Result<(String, String, Vec<String>), Skip> {
    let skip = |reason: String| Skip {
        path: path.to_string(),
        reason,
    };
    let Some(file) = cx.site.file(path) else {
        let why = cx
            .site
            .skipped
            .iter()
            .find(|s| s.file == path)
            .map(|s| s.reason.clone())
            .unwrap_or_else(|| {
                "not a page or template of the site (recipes edit HTML, Markdown and template \
                 files the QA engine reads)"
                    .to_string()
            });
        return Err(skip(why));
    };
    let original = decode_source(bytes).map_err(skip)?;
    if cx.spec.steps.is_empty() {
        return Ok((original.clone(), original, Vec::new()));
    }
    // The page is parsed again only after a step changed it: most steps change nothing on
    // most pages, and parsing is most of an edit's time.
    let mut doc = Document::parse(path, original.clone(), file.engine, file.format);
    let mut changed_by = Vec::new();
    for step in &cx.spec.steps {
        let Some(recipe) = recipes::find(&step.recipe) else {
            return Err(skip(format!("unknown recipe {}", step.recipe)));
        };
        let fixes = recipe.apply(&doc, settings, &step.params);
        let (out, applied) = fix::apply(&doc.text, &fixes);
        if applied > 0 && out != doc.text {
            changed_by.push(step.recipe.clone());
            doc = Document::parse(path, out, file.engine, file.format);
        }
    }
    Ok((original, doc.text, changed_by))
}
