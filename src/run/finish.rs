//! The run's QA and settlement, after its last edit batch: the QA engine checks the base
//! commit's tree as git holds it (before), then the same tree with the drafts laid over it
//! (after); the QA scripts, if the spec has any, run in a checkout of the changed tree
//! made for them; and every change is stored with its diff and its findings before and
//! after, `blocked` when it introduces a finding at or above `[qa] block_on` (counted per
//! rule in its file), when a QA script fails, or when it changes more lines than
//! `budget.max_changed_lines_per_file`.
//!
//! Nothing is written but the scripts' checkout, in a new folder of the run's own that a
//! worker killed here leaves for the run's cleanup; the store is written in one
//! transaction.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use similar::TextDiff;

use super::scripts::{ScriptResult, run_in_checkout};
use super::worker::{RunContext, Worker, pause_point};
use super::{RunError, run_dir};
use crate::qa::engine::{self, Selection};
use crate::qa::finding::{Finding, Severity, added_by_rule};
use crate::store::{ChangeState, Draft, NewChange, Run, RunState, Skip, StoreError};

/// Checks, settles and cleans up `run`.
pub(super) async fn finish(worker: &Worker, run: &Run) -> Result<(), RunError> {
    let cx = worker.context(run).await?;
    worker.forget(&run.id).await;
    let drafts = worker.store.drafts(&run.id).await?;
    let checkout = run_dir(&worker.data_dir, &run.id).join(format!(
        "checkout-{:08x}",
        ulid::Ulid::generate().random() as u32
    ));
    let before = cx.take_before_check().await;
    let settled = tokio::task::spawn_blocking(move || qa(&cx, drafts, checkout, before))
        .await
        .map_err(|e| RunError::Refused(format!("error: the QA task panicked: {e}")))??;
    let reviewable = settled
        .changes
        .iter()
        .any(|c| matches!(c.state, ChangeState::Proposed | ChangeState::Approved));
    let to = if reviewable {
        RunState::AwaitingReview
    } else {
        RunState::Completed
    };
    pause_point(&worker.data_dir, "before-settle");
    let settled = worker
        .store
        .settle_run(
            &run.id,
            &settled.changes,
            &settled.skipped,
            &settled.qa,
            to,
            "sitewide",
        )
        .await;
    match settled {
        // Another try of this task settled the run first: its result stands.
        Err(StoreError::StateMismatch { .. }) => return Ok(()),
        other => {
            other?;
        }
    }
    let dir = run_dir(&worker.data_dir, &run.id);
    if let Err(e) = std::fs::remove_dir_all(&dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot remove the run's folder");
    }
    Ok(())
}

struct Settled {
    changes: Vec<NewChange>,
    skipped: Vec<Skip>,
    qa: Value,
}

/// `checkout` is where the QA scripts' checkout goes (a folder that does not exist yet).
fn qa(
    cx: &RunContext,
    drafts: Vec<Draft>,
    checkout: PathBuf,
    before: Option<Result<(engine::Report, engine::PageResults), RunError>>,
) -> Result<Settled, RunError> {
    let spec = &cx.spec;
    let selection = Selection::new(&cx.config, &spec.qa.rules)
        .map_err(|e| RunError::Spec(format!("[qa] rules: {e}")))?;
    let failed = |stage: &str, e: engine::CheckError| {
        RunError::Refused(format!(
            "error: QA of the tree {stage} the edits failed: {e}"
        ))
    };
    let (before, kept) = match before {
        Some(checked) => checked?,
        None => cx.check_before()?,
    };
    let edited: HashMap<String, String> = drafts
        .iter()
        .map(|d| (d.path.clone(), d.new_content.clone()))
        .collect();
    // Only the edited pages are checked again; the cross-file rules run over all of them.
    let changed: std::collections::HashSet<String> = edited.keys().cloned().collect();
    let after = engine::check_again(
        &cx.tree.with_overlay(edited),
        &cx.config,
        &selection,
        cx.year,
        &kept,
        &changed,
    )
    .map_err(|e| failed("after", e))?;
    drop(kept);
    let scripts: Vec<ScriptResult> = if drafts.is_empty() || spec.qa.scripts.is_empty() {
        Vec::new()
    } else {
        let base = crate::workspace::Commit(cx.run.base_commit.clone());
        let edited: Vec<(&str, &str)> = drafts
            .iter()
            .map(|d| (d.path.as_str(), d.new_content.as_str()))
            .collect();
        run_in_checkout(
            &cx.ws,
            &base,
            &edited,
            &spec.qa.scripts,
            &checkout,
            &cx.run.id,
        )?
    };
    let failed_scripts: Vec<String> = scripts
        .iter()
        .filter(|s| !s.passed)
        .map(|s| match (s.timed_out, s.exit_code) {
            (true, _) => format!(
                "QA script {:?} timed out after {} s",
                s.name, s.seconds as u64
            ),
            (false, Some(code)) => format!("QA script {:?} failed with exit code {code}", s.name),
            (false, None) => format!("QA script {:?} was killed", s.name),
        })
        .collect();
    let before_by_file = by_file(&before.findings);
    let after_by_file = by_file(&after.findings);
    let block_on = spec.qa.block_on;
    let contents: Vec<&[u8]> = drafts.iter().map(|d| d.new_content.as_bytes()).collect();
    let new_ids = cx.ws.blob_ids(&contents)?;
    let base_texts = read_base(cx, &drafts)?;
    let mut changes = Vec::new();
    for ((d, new_id), old) in drafts.iter().zip(new_ids).zip(base_texts) {
        let none = Vec::new();
        let f_before = before_by_file.get(d.path.as_str()).unwrap_or(&none);
        let f_after = after_by_file.get(d.path.as_str()).unwrap_or(&none);
        // The model engine may have settled the file already: failed (no edit), or
        // blocked by its guards or QA after its last attempt.
        let last = d.attempts.0.as_array().and_then(|a| a.last());
        let engine_outcome = last.and_then(|a| a["outcome"].as_str()).unwrap_or("");
        let mut reasons: Vec<String> = match engine_outcome {
            "failed" | "blocked" => last
                .and_then(|a| a["reasons"].as_array())
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        reasons.extend(introduced(f_before, f_after, block_on));
        let diff = TextDiff::from_lines(old.as_str(), d.new_content.as_str());
        let changed = crate::edit::model::guards::changed_lines_of(&diff);
        if let Some(max) = spec.budget.max_changed_lines_per_file
            && changed > max
        {
            reasons.push(format!(
                "changes {changed} lines, over budget.max_changed_lines_per_file = {max}"
            ));
        }
        reasons.extend(failed_scripts.iter().cloned());
        let state = match (reasons.is_empty(), spec.approval.required) {
            _ if engine_outcome == "failed" => ChangeState::Failed,
            (false, _) => ChangeState::Blocked,
            (true, true) => ChangeState::Proposed,
            (true, false) => ChangeState::Approved,
        };
        let unified = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{}", d.path), &format!("b/{}", d.path))
            .to_string();
        let mut attempts = d.attempts.0.clone();
        if let Some(last) = attempts.as_array_mut().and_then(|a| a.last_mut())
            && let Some(o) = last.as_object_mut()
        {
            o.insert("outcome".into(), json!(state));
            o.insert("changed_lines".into(), json!(changed));
            if !reasons.is_empty() {
                o.insert("reasons".into(), json!(reasons));
            }
        }
        changes.push(NewChange {
            run_id: cx.run.id.clone(),
            path: d.path.clone(),
            state,
            base_hash: d.base_blob.clone(),
            new_hash: Some(new_id.0),
            diff_hash: format!("{:x}", Sha256::digest(unified.as_bytes())),
            diff: unified,
            findings_before: json!(f_before),
            findings_after: json!(f_after),
            attempts,
            new_content: Some(d.new_content.clone()),
        });
    }
    let changed: std::collections::HashSet<&str> = drafts.iter().map(|d| d.path.as_str()).collect();
    let mut side: Vec<&Finding> = Vec::new();
    for (file, found) in &after_by_file {
        if changed.contains(file) {
            continue;
        }
        let none = Vec::new();
        let was = before_by_file.get(file).unwrap_or(&none);
        if !introduced(was, found, block_on).is_empty() {
            side.extend(found.iter().filter(|f| f.severity >= block_on));
        }
    }
    let mut notes = Vec::new();
    if cx.run.files == 0 {
        notes.push(format!(
            "no file at the base commit matches targets {:?}",
            spec.targets.patterns
        ));
    }
    let qa = json!({
        "block_on": block_on,
        "rules": spec.qa.rules,
        "findings_before": before.findings.len(),
        "findings_after": after.findings.len(),
        "scripts": scripts,
        "side_findings": side,
        "notes": notes,
    });
    let skipped = after
        .skipped
        .iter()
        .filter(|s| changed.contains(s.file.as_str()))
        .map(|s| Skip {
            path: s.file.clone(),
            reason: s.reason.clone(),
        })
        .collect();
    Ok(Settled {
        changes,
        skipped,
        qa,
    })
}

/// The texts of the drafts' files at the base commit.
fn read_base(cx: &RunContext, drafts: &[Draft]) -> Result<Vec<String>, RunError> {
    let blobs: Vec<_> = drafts
        .iter()
        .map(|d| crate::workspace::Blob(d.base_blob.clone()))
        .collect();
    Ok(cx
        .ws
        .read_blobs(&blobs)?
        .into_iter()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect())
}

fn by_file(findings: &[Finding]) -> HashMap<&str, Vec<&Finding>> {
    let mut out: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in findings {
        out.entry(f.file.as_ref()).or_default().push(f);
    }
    out
}

/// Why the findings `after` block: one reason per rule with more findings at or above
/// `block_on` than `before` had. Counting per rule, not per message or line, keeps a
/// finding that only moved (or whose message quotes the edited value) from counting as
/// new.
fn introduced(before: &[&Finding], after: &[&Finding], block_on: Severity) -> Vec<String> {
    added_by_rule(before.iter().copied(), after.iter().copied(), block_on)
        .into_iter()
        .map(|(rule, added)| {
            let first = after
                .iter()
                .find(|f| f.rule.id == rule && f.severity >= block_on)
                .map(|f| format!(" (line {}: {})", f.line, f.message))
                .unwrap_or_default();
            let plural = if added == 1 { "" } else { "s" };
            format!(
                "introduces {added} {rule} finding{plural} at or above {}{first}",
                block_on.as_str()
            )
        })
        .collect()
}
