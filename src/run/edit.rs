//! An edit batch: read the files at the base commit (one `cat-file` for the batch), run
//! the spec's recipe steps on each in memory, and record the edits as drafts and the
//! files that could not be edited as skipped, with why, in one transaction.

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde_json::json;
use sqlx::types::Json;

use super::RunError;
use super::worker::{RunContext, RunTask, Worker, pause_point};
use crate::edit::recipes;
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
    let deadline = cx
        .spec
        .budget
        .max_minutes
        .map(|m| run.created_at + chrono::Duration::minutes(m as i64));
    let (drafts, skipped, exhausted) =
        tokio::task::spawn_blocking(move || edit_files(&cx, &files, deadline))
            .await
            .map_err(|e| RunError::Refused(format!("error: an edit task panicked: {e}")))??;
    let finish = RunTask::Finish {
        run: run.id.clone(),
    }
    .to_bytes();
    worker
        .store
        .finish_batch(&run.id, batch, &drafts, &skipped, exhausted, &finish)
        .await?;
    pause_point(&worker.data_dir, "batch-stored");
    Ok(())
}

/// The drafts and skipped files of one batch, and whether the time budget ran out.
fn edit_files(
    cx: &RunContext,
    files: &[(String, String)],
    deadline: Option<DateTime<Utc>>,
) -> Result<(Vec<Draft>, Vec<Skip>, bool), RunError> {
    let blobs: Vec<Blob> = files.iter().map(|(_, b)| Blob(b.clone())).collect();
    let contents = cx.ws.read_blobs(&blobs)?;
    let settings = Settings {
        config: &cx.config,
        internal_hosts: &cx.hosts,
        site_url: cx.site_url.as_deref(),
        year: cx.year,
    };
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
            // One file's failure is that file's, not the run's.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                edit_one(cx, &settings, path, blob, bytes)
            }))
            .unwrap_or_else(|panic| {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(Skip {
                    path: path.clone(),
                    reason: format!(
                        "a recipe failed on this file ({why}); nothing was changed — please report it"
                    ),
                })
            })
        })
        .collect();
    let (mut drafts, mut skipped) = (Vec::new(), Vec::new());
    for outcome in outcomes {
        match outcome {
            Ok(Some(d)) => drafts.push(d),
            Ok(None) => {}
            Err(s) => skipped.push(s),
        }
    }
    let exhausted = skipped.iter().any(|s| s.reason.starts_with("budget:"));
    Ok((drafts, skipped, exhausted))
}

/// One file through every step: `None` when nothing changes.
fn edit_one(
    cx: &RunContext,
    settings: &Settings,
    path: &str,
    blob: &str,
    bytes: Vec<u8>,
) -> Result<Option<Draft>, Skip> {
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
    let mut text = original.clone();
    let mut changed_by = Vec::new();
    for step in &cx.spec.steps {
        let Some(recipe) = recipes::find(&step.recipe) else {
            return Err(skip(format!("unknown recipe {}", step.recipe)));
        };
        let doc = Document::parse(path, text, file.engine, file.format);
        let fixes = recipe.apply(&doc, settings, &step.params);
        let (out, applied) = fix::apply(&doc.text, &fixes);
        if applied > 0 && out != doc.text {
            changed_by.push(step.recipe.clone());
        }
        text = out;
    }
    if text == original {
        return Ok(None);
    }
    Ok(Some(Draft {
        path: path.to_string(),
        base_blob: blob.to_string(),
        new_content: text,
        attempts: Json(json!([{
            "attempt": 1,
            "engine": "recipe",
            "steps": changed_by,
        }])),
    }))
}
