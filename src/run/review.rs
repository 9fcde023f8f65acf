//! Review: a person approves or rejects a run's changes, one file or all at once, with an
//! optional comment; each decision is an event naming the reviewer. Blocked changes are
//! not approvable, and the person who started a run approves it only when the spec has
//! `allow_self_approval = true`. When every change is decided and none is approved, the
//! run is `completed`: there is nothing to apply.

use super::RunError;
use crate::store::{Change, ChangeState, RunState, Store};

/// What a reviewer decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve(String),
    Reject(String),
    ApproveAll,
}

/// What a reviewer decides about one change, by its id (the web UI and API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
    /// The file runs again with the comment added to the instruction.
    RequestChanges,
}

/// Records `decision` on run `run_id` by `reviewer`; returns the changes it moved.
pub async fn review(
    store: &Store,
    run_id: &str,
    decision: &Decision,
    reviewer: &str,
    comment: &str,
) -> Result<Vec<Change>, RunError> {
    let approving = !matches!(decision, Decision::Reject(_));
    may_review(store, run_id, approving, reviewer).await?;
    let changes = store.changes_of_run(run_id).await?;
    let (targets, to): (Vec<&Change>, ChangeState) = match decision {
        Decision::ApproveAll => (
            changes.iter().filter(|c| c.state.is_open()).collect(),
            ChangeState::Approved,
        ),
        Decision::Approve(file) => (vec![find(&changes, file)?], ChangeState::Approved),
        Decision::Reject(file) => (vec![find(&changes, file)?], ChangeState::Rejected),
    };
    let mut moved = Vec::new();
    for c in targets {
        if c.state == to {
            continue;
        }
        moved.push(
            store
                .decide_change(run_id, &c.path, to, reviewer, comment)
                .await?,
        );
    }
    complete_when_nothing_approved(store, run_id, reviewer).await?;
    Ok(moved)
}

/// Records `verdict` on change `change_id` of run `run_id`, made on the diff whose hash
/// is `diff_hash`: refused (`StoreError::DiffChanged`) when the diff changed since.
pub async fn decide(
    store: &Store,
    run_id: &str,
    change_id: i64,
    verdict: Verdict,
    diff_hash: &str,
    reviewer: &str,
    comment: &str,
) -> Result<Change, RunError> {
    let change = store.change_by_id(change_id).await?;
    if change.run_id != run_id {
        return Err(crate::store::StoreError::NotFound {
            what: "change",
            key: format!("{run_id}:{change_id}"),
        }
        .into());
    }
    may_review(store, run_id, verdict == Verdict::Approve, reviewer).await?;
    if verdict == Verdict::RequestChanges {
        refuse_for_recipes(store, run_id).await?;
    }
    let to = match verdict {
        Verdict::Approve => ChangeState::Approved,
        Verdict::Reject => ChangeState::Rejected,
        Verdict::RequestChanges => ChangeState::ChangesRequested,
    };
    let moved = if change.state == to && change.diff_hash == diff_hash {
        change
    } else {
        store
            .decide_change_on(run_id, &change.path, to, reviewer, comment, Some(diff_hash))
            .await?
    };
    if verdict == Verdict::RequestChanges {
        // The file goes back to the model with the comment (`RunTask::Redo`).
        let task = super::worker::RunTask::Redo {
            run: run_id.to_string(),
            change: moved.id,
            comment: comment.to_string(),
        };
        store.queue_tasks(&[task.to_bytes()]).await?;
    }
    complete_when_nothing_approved(store, run_id, reviewer).await?;
    Ok(moved)
}

/// A recipe makes the same edit again: asking it for changes is refused.
async fn refuse_for_recipes(store: &Store, run_id: &str) -> Result<(), RunError> {
    let run = store.run_by_id(run_id).await?;
    let text = store
        .spec_by_id(run.spec_id)
        .await?
        .map(|s| s.text)
        .unwrap_or_default();
    let engine = crate::spec::parse(std::path::Path::new("spec.toml"), &text).map(|s| s.engine);
    if engine.is_ok_and(|e| e == crate::spec::Engine::Recipe) {
        return Err(RunError::Refused(
            "error: this run's job uses recipes, which would make the same edit again\n  = hint: reject the change, or edit the job and start a new run"
                .to_string(),
        ));
    }
    Ok(())
}

/// Refuses a review of a run that is not awaiting review, and an approval by the person
/// who started the run unless its spec allows self-approval.
async fn may_review(
    store: &Store,
    run_id: &str,
    approving: bool,
    reviewer: &str,
) -> Result<(), RunError> {
    let run = store.run_by_id(run_id).await?;
    super::audit::refuse_audits(&run, "review")?;
    if run.state != RunState::AwaitingReview {
        return Err(RunError::Refused(format!(
            "error: run {run_id} is {}, not awaiting_review; nothing can be reviewed",
            run.state
        )));
    }
    if approving && reviewer == run.created_by {
        let spec = store.spec_by_id(run.spec_id).await?;
        let text = spec.map(|s| s.text).unwrap_or_default();
        let allowed = crate::spec::parse(std::path::Path::new("spec.toml"), &text)
            .map(|s| s.approval.allow_self_approval)
            .unwrap_or(false);
        if !allowed {
            return Err(RunError::Forbidden(format!(
                "error: {reviewer} started run {run_id} and cannot approve it: the spec has [approval] allow_self_approval = false\n  = hint: ask someone else to review, or pass --as with their name"
            )));
        }
    }
    Ok(())
}

/// When every change is decided and none is approved, the run is `completed`.
async fn complete_when_nothing_approved(
    store: &Store,
    run_id: &str,
    reviewer: &str,
) -> Result<(), RunError> {
    let now = store.changes_of_run(run_id).await?;
    let undecided = now.iter().any(|c| {
        matches!(
            c.state,
            ChangeState::Proposed | ChangeState::ChangesRequested
        )
    });
    let approved = now.iter().any(|c| c.state == ChangeState::Approved);
    if !undecided && !approved {
        store
            .set_run_state(
                run_id,
                RunState::AwaitingReview,
                RunState::Completed,
                reviewer,
            )
            .await?;
    }
    Ok(())
}

fn find<'a>(changes: &'a [Change], file: &str) -> Result<&'a Change, RunError> {
    let file = file.trim_start_matches("./");
    changes.iter().find(|c| c.path == file).ok_or_else(|| {
        let listed: Vec<&str> = changes.iter().map(|c| c.path.as_str()).take(10).collect();
        RunError::Refused(format!(
            "error: the run has no change to {file:?}\n  = hint: its changes are: {}",
            if listed.is_empty() {
                "(none)".to_string()
            } else {
                listed.join(", ")
            }
        ))
    })
}
