//! Cancel: a person stops a run that is `queued` or `running`. The workers' tasks read the
//! run's state before they start, so a cancelled run's remaining tasks do nothing, and a
//! batch in hand when the run was cancelled is recorded but never settled.

use super::RunError;
use crate::store::{Run, RunState, Store, StoreError};

/// Cancels run `run_id` as `actor`; returns the run, `cancelled`. Refused when the run's
/// work is over already.
pub async fn cancel(store: &Store, run_id: &str, actor: &str) -> Result<Run, RunError> {
    // A worker may take the run from `queued` to `running` (or settle it) between the
    // read and the move: read it again and try once more.
    for _ in 0..3 {
        let run = store.run_by_id(run_id).await?;
        if !run.state.can_go_to(RunState::Cancelled) {
            return Err(RunError::Refused(format!(
                "error: run {run_id} is {}; only a queued or running run can be cancelled",
                run.state
            )));
        }
        match store
            .set_run_state(run_id, run.state, RunState::Cancelled, actor)
            .await
        {
            Err(StoreError::StateMismatch { .. }) => continue,
            other => return Ok(other?),
        }
    }
    Err(RunError::Refused(format!(
        "error: run {run_id} kept changing state; try to cancel it again"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewRun;

    async fn store_with_run() -> (Store, tempfile::TempDir) {
        let (store, dir) = crate::store::test_store().await;
        let ws = store
            .add_workspace("site", "/srv/site", "main")
            .await
            .unwrap();
        let spec = store.add_spec("s", "name = \"s\"", "h").await.unwrap();
        let new = NewRun {
            id: "r1".into(),
            workspace_id: ws.id,
            spec_id: spec.id,
            ..NewRun::default()
        };
        store.insert_run(&new, "ana").await.unwrap();
        (store, dir)
    }

    #[tokio::test]
    async fn a_queued_run_is_cancelled_and_a_finished_one_is_refused() {
        let (store, _dir) = store_with_run().await;
        let run = cancel(&store, "r1", "ana").await.unwrap();
        assert_eq!(run.state, RunState::Cancelled);
        let last = store.events_of_run("r1").await.unwrap().pop().unwrap();
        assert_eq!(
            (last.to_state.as_str(), last.actor.as_str()),
            ("cancelled", "ana")
        );
        let err = cancel(&store, "r1", "ana").await.unwrap_err();
        assert!(
            err.to_string().contains("only a queued or running"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_running_run_is_cancelled() {
        let (store, _dir) = store_with_run().await;
        store
            .set_run_state("r1", RunState::Queued, RunState::Running, "w")
            .await
            .unwrap();
        assert_eq!(
            cancel(&store, "r1", "ana").await.unwrap().state,
            RunState::Cancelled
        );
    }
}
