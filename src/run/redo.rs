//! Changes requested: a reviewer's comment sends one file of a model run back to the
//! model, with the comment added to the instruction. The new attempts follow the change's
//! earlier ones, and the new edit replaces the proposal in place (`proposed`, or `blocked`
//! with its reasons, or `failed`), judged by the same guards and the file's QA check
//! (file- and page-level rules; the whole-tree check ran when the run was settled). A
//! recipe makes the same edit again, so a recipe run refuses the request at review.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use similar::TextDiff;

use super::RunError;
use super::edit::{prepare, settings};
use super::model::{self, FileEdit};
use super::worker::Worker;
use crate::qa::checker::FileChecker;
use crate::qa::engine::Selection;
use crate::store::{ChangeState, NewChange, Run};
use crate::workspace::Blob;

/// Edits change `change_id` of `run` again with the reviewer's `comment`.
pub(super) async fn redo(
    worker: &Worker,
    run: &Run,
    change_id: i64,
    comment: &str,
) -> Result<(), RunError> {
    let change = worker.store.change_by_id(change_id).await?;
    if change.run_id != run.id || change.state != ChangeState::ChangesRequested {
        return Ok(());
    }
    let cx = worker.context(run).await?;
    let Some(model) = cx.model.as_ref() else {
        return Ok(());
    };
    let bytes = cx
        .ws
        .read_blobs(&[Blob(change.base_hash.clone())])?
        .pop()
        .unwrap_or_default();
    let settings = settings(&cx);
    let (base, text, steps) = match prepare(&cx, &settings, &change.path, bytes) {
        Ok(prepared) => prepared,
        Err(skip) => return Err(RunError::Refused(format!("error: {}", skip.reason))),
    };
    let selection = Selection::new(&cx.config, &cx.spec.qa.rules)
        .map_err(|e| RunError::Spec(format!("[qa] rules: {e}")))?;
    let checker = FileChecker::new(&cx.site, &cx.tree, selection, settings);
    let edit = model::edit_file(
        worker,
        &cx,
        model,
        &checker,
        &change.path,
        &change.base_hash,
        base.clone(),
        text,
        steps,
        None,
        Some(comment),
    )
    .await?;
    let (new_content, mut attempts, state) = match edit {
        FileEdit::Draft(d) => {
            let last = d.attempts.0.as_array().and_then(|a| a.last()).cloned();
            let state = match last.as_ref().and_then(|a| a["outcome"].as_str()) {
                Some("failed") => ChangeState::Failed,
                Some("blocked") => ChangeState::Blocked,
                _ => ChangeState::Proposed,
            };
            (d.new_content, d.attempts.0, state)
        }
        FileEdit::Unchanged => (
            base.clone(),
            json!([{"engine": "model", "outcome": "failed",
                    "reasons": ["the model answered NO CHANGES to the reviewer's request"]}]),
            ChangeState::Failed,
        ),
        FileEdit::Skip(skip) => (
            base.clone(),
            json!([{"engine": "model", "outcome": "failed", "reasons": [skip.reason]}]),
            ChangeState::Failed,
        ),
    };
    // The change keeps every attempt: the earlier ones, then these, numbered on.
    let mut all: Vec<Value> = change.attempts.as_array().cloned().unwrap_or_default();
    let offset = all.len();
    for (i, a) in attempts.as_array_mut().into_iter().flatten().enumerate() {
        a["attempt"] = json!(offset + i + 1);
        a["reviewer_comment"] = json!(comment);
    }
    all.extend(attempts.as_array().cloned().unwrap_or_default());
    let unified = TextDiff::from_lines(base.as_str(), new_content.as_str())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", change.path), &format!("b/{}", change.path))
        .to_string();
    let findings_after = checker
        .check(&change.path, &new_content)
        .unwrap_or_default();
    let new_hash = cx
        .ws
        .blob_ids(&[new_content.as_bytes()])?
        .pop()
        .map(|b| b.0);
    let updated = NewChange {
        run_id: run.id.clone(),
        path: change.path.clone(),
        state,
        base_hash: change.base_hash.clone(),
        new_hash,
        diff_hash: format!("{:x}", Sha256::digest(unified.as_bytes())),
        diff: unified,
        findings_before: change.findings_before.clone(),
        findings_after: json!(findings_after),
        attempts: Value::Array(all),
        new_content: Some(new_content),
    };
    super::retry_busy(|| worker.store.upsert_change(&updated, "sitewide")).await?;
    Ok(())
}
