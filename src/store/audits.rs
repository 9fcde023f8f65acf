//! Audit reports: the JSON report of an audit run, stored in the transaction that moves
//! the run from `running` to `completed`, so a run is completed exactly when its report
//! is there, and an audit task that runs twice stores one report.

use super::{on_db, on_tx};
use chrono::Utc;
use serde_json::Value;
use sqlx::types::Json;

use super::runs::move_run;
use super::{Run, RunState, Store, StoreError};

impl Store {
    /// Stores `report` (the audit JSON) for run `run_id`, its counts in the run's QA
    /// record, and moves it `running` → `completed`, at once. Refused with
    /// `StateMismatch`, writing nothing, when the run is not `running` (another try of the
    /// task completed it first).
    pub async fn settle_audit(
        &self,
        run_id: &str,
        report: &str,
        qa: &Value,
        actor: &str,
    ) -> Result<Run, StoreError> {
        let mut tx = self.write_tx().await?;
        on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO audits (run_id, report, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (run_id) DO NOTHING",
        )
        .bind(run_id)
        .bind(report)
        .bind(Utc::now())
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query("UPDATE runs SET qa = $1 WHERE id = $2")
            .bind(Json(qa))
            .bind(run_id)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        move_run(
            &mut tx,
            run_id,
            RunState::Running,
            RunState::Completed,
            actor,
            "",
        )
        .await?;
        tx.commit().await?;
        self.run_by_id(run_id).await
    }

    /// The stored audit JSON of run `run_id`, if it has one.
    pub async fn audit_report(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        let text = on_db!(&self.db, c => sqlx::query_scalar("SELECT report FROM audits WHERE run_id = $1")
            .bind(run_id)
            .fetch_optional(c)
            .await)?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::runs::tests::store_with_run;

    #[tokio::test]
    async fn an_audit_settles_once_and_a_second_try_stores_nothing() {
        let (store, _dir) = store_with_run().await;
        store
            .set_run_state("r1", RunState::Queued, RunState::Running, "w")
            .await
            .unwrap();
        assert_eq!(store.audit_report("r1").await.unwrap(), None);
        let qa = serde_json::json!({"audit": {"pages": 2}});
        let run = store
            .settle_audit("r1", "{\"a\": 1}", &qa, "w")
            .await
            .unwrap();
        assert_eq!(run.state, RunState::Completed);
        assert_eq!(run.qa, qa);
        let again = store.settle_audit("r1", "{\"a\": 2}", &qa, "w").await;
        assert!(
            matches!(again, Err(StoreError::StateMismatch { .. })),
            "{again:?}"
        );
        assert_eq!(
            store.audit_report("r1").await.unwrap().as_deref(),
            Some("{\"a\": 1}")
        );
        let n: i64 = on_db!(store.db(), c => sqlx::query_scalar("SELECT COUNT(*) FROM audits")
            .fetch_one(c)
            .await)
        .unwrap();
        assert_eq!(n, 1);
        let completed = store
            .events_of_run("r1")
            .await
            .unwrap()
            .iter()
            .filter(|e| e.to_state == "completed")
            .count();
        assert_eq!(completed, 1);
    }
}
