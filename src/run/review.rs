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

/// Records `decision` on run `run_id` by `reviewer`; returns the changes it moved.
pub async fn review(
    store: &Store,
    run_id: &str,
    decision: &Decision,
    reviewer: &str,
    comment: &str,
) -> Result<Vec<Change>, RunError> {
    let run = store.run_by_id(run_id).await?;
    if run.state != RunState::AwaitingReview {
        return Err(RunError::Refused(format!(
            "error: run {run_id} is {}, not awaiting_review; nothing can be reviewed",
            run.state
        )));
    }
    let approving = !matches!(decision, Decision::Reject(_));
    if approving && reviewer == run.created_by {
        let spec = store.spec_by_id(run.spec_id).await?;
        let text = spec.map(|s| s.text).unwrap_or_default();
        let allowed = crate::spec::parse(std::path::Path::new("spec.toml"), &text)
            .map(|s| s.approval.allow_self_approval)
            .unwrap_or(false);
        if !allowed {
            return Err(RunError::Refused(format!(
                "error: {reviewer} started run {run_id} and cannot approve it: the spec has [approval] allow_self_approval = false\n  = hint: ask someone else to review, or pass --as with their name"
            )));
        }
    }
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
    Ok(moved)
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
