//! The history of a job's audits in one workspace: the previous completed audit run (what
//! a new run is compared with) and the recent ones (the trend of findings per run).

use super::on_db;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::types::Json;

use super::{Store, StoreError};

/// One completed audit run of a job: when it was started and its QA record (the counts).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AuditPoint {
    pub run_id: String,
    pub created_at: DateTime<Utc>,
    pub qa: Json<serde_json::Value>,
}

const HISTORY: &str = "SELECT r.id AS run_id, r.created_at, r.qa FROM runs r \
     JOIN specs s ON s.id = r.spec_id \
     WHERE s.name = $1 AND r.workspace_id = $2 AND r.kind = 'audit' AND r.state = 'completed'";

impl Store {
    /// The latest completed audit run of job `spec` in workspace `workspace_id` that was
    /// started before `before`.
    pub async fn previous_audit(
        &self,
        spec: &str,
        workspace_id: i64,
        before: DateTime<Utc>,
    ) -> Result<Option<AuditPoint>, StoreError> {
        let sql = format!(
            "{HISTORY} AND r.created_at < $3 ORDER BY r.created_at DESC, r.id DESC LIMIT 1"
        );
        let point = on_db!(&self.db, c => sqlx::query_as::<_, AuditPoint>(sqlx::AssertSqlSafe(sql))
            .bind(spec)
            .bind(workspace_id)
            .bind(before)
            .fetch_optional(c)
            .await)?;
        Ok(point)
    }

    /// The last `limit` completed audit runs of job `spec` in workspace `workspace_id`
    /// started at or before `until`, oldest first.
    pub async fn audit_history(
        &self,
        spec: &str,
        workspace_id: i64,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<AuditPoint>, StoreError> {
        let sql = format!(
            "{HISTORY} AND r.created_at <= $3 ORDER BY r.created_at DESC, r.id DESC LIMIT $4"
        );
        let mut points = on_db!(&self.db, c => sqlx::query_as::<_, AuditPoint>(sqlx::AssertSqlSafe(sql))
            .bind(spec)
            .bind(workspace_id)
            .bind(until)
            .bind(limit)
            .fetch_all(c)
            .await)?;
        points.reverse();
        Ok(points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Kind;
    use crate::store::{NewRun, RunState};

    async fn completed_audit(store: &Store, id: &str, spec: &str, ws: i64, n: u64) {
        let spec = store.add_spec(spec, "name = \"x\"", "h").await.unwrap();
        let new = NewRun {
            id: id.into(),
            workspace_id: ws,
            spec_id: spec.id,
            kind: Kind::Audit,
            base_commit: "abc".into(),
            ..NewRun::default()
        };
        store.insert_run(&new, "scheduler").await.unwrap();
        store
            .set_run_state(id, RunState::Queued, RunState::Running, "w")
            .await
            .unwrap();
        let qa = serde_json::json!({"audit": {"total_findings": n}});
        store.settle_audit(id, "{}", &qa, "w").await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    #[tokio::test]
    async fn the_previous_audit_is_the_latest_completed_one_of_the_same_job_and_workspace() {
        let (store, _dir) = crate::store::test_store().await;
        let site = store
            .add_workspace("site", "/srv/site", "main")
            .await
            .unwrap();
        let other = store
            .add_workspace("other", "/srv/other", "main")
            .await
            .unwrap();
        completed_audit(&store, "a1", "weekly", site.id, 3).await;
        completed_audit(&store, "b1", "weekly", other.id, 9).await;
        completed_audit(&store, "c1", "daily", site.id, 9).await;
        completed_audit(&store, "a2", "weekly", site.id, 2).await;
        let a2 = store.run_by_id("a2").await.unwrap();
        let previous = store
            .previous_audit("weekly", site.id, a2.created_at)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(previous.run_id, "a1");
        assert_eq!(previous.qa.0["audit"]["total_findings"], 3);
        let history = store
            .audit_history("weekly", site.id, a2.created_at, 20)
            .await
            .unwrap();
        let ids: Vec<&str> = history.iter().map(|p| p.run_id.as_str()).collect();
        assert_eq!(ids, ["a1", "a2"]);
        let last = store
            .audit_history("weekly", site.id, a2.created_at, 1)
            .await
            .unwrap();
        assert_eq!(last[0].run_id, "a2");
    }
}
