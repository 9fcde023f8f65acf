//! Pushes: an applied run's branch pushed to its remote workspace, and the pull (merge)
//! request opened for it or why none could be, one row per run.

use super::on_db;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreError};

/// A run's branch on its workspace's remote.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Push {
    pub run_id: String,
    /// The remote's URL (never with a credential).
    pub remote: String,
    pub branch: String,
    pub pull_request_url: Option<String>,
    /// Why the pull request could not be opened (the push stands).
    pub error: Option<String>,
    pub pushed_at: DateTime<Utc>,
}

impl Store {
    /// Records that run `run_id`'s `branch` is on `remote`; a second record of the same
    /// run keeps the first one's pull request.
    pub async fn record_push(
        &self,
        run_id: &str,
        remote: &str,
        branch: &str,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query(
            "INSERT INTO pushes (run_id, remote, branch, pushed_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (run_id) DO NOTHING",
        )
        .bind(run_id)
        .bind(remote)
        .bind(branch)
        .bind(Utc::now())
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records the pull request opened for run `run_id`'s push (`url`), or why it could
    /// not be opened (`error`).
    pub async fn record_pull_request(
        &self,
        run_id: &str,
        url: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query("UPDATE pushes SET pull_request_url = $1, error = $2 WHERE run_id = $3")
            .bind(url)
            .bind(error)
            .bind(run_id)
            .execute(c)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Run `run_id`'s push, if its branch was pushed.
    pub async fn push_of(&self, run_id: &str) -> Result<Option<Push>, StoreError> {
        let found = on_db!(&self.db, c => sqlx::query_as::<_, Push>(
            "SELECT run_id, remote, branch, pull_request_url, error, pushed_at \
             FROM pushes WHERE run_id = $1",
        )
        .bind(run_id)
        .fetch_optional(c)
        .await)?;
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{NewRun, test_store};

    #[tokio::test]
    async fn a_push_keeps_its_pull_request_when_recorded_again() {
        let (store, _dir) = test_store().await;
        let ws = store
            .add_workspace("site", "/srv/site", "main")
            .await
            .unwrap();
        let new = NewRun {
            id: "r1".into(),
            workspace_id: ws.id,
            target_branch: "main".into(),
            forecast: serde_json::json!({}),
            ..NewRun::default()
        };
        store
            .queue_run(("x", "t", "h"), &new, &[], false, &[], "ana")
            .await
            .unwrap();
        assert!(store.push_of("r1").await.unwrap().is_none());
        store
            .record_push("r1", "https://git.example/a/b.git", "sitewide/r1")
            .await
            .unwrap();
        store
            .record_pull_request("r1", Some("https://git.example/a/b/pull/1"), None)
            .await
            .unwrap();
        store
            .record_push("r1", "https://git.example/a/b.git", "sitewide/r1")
            .await
            .unwrap();
        let push = store.push_of("r1").await.unwrap().unwrap();
        assert_eq!(push.branch, "sitewide/r1");
        assert_eq!(
            push.pull_request_url.as_deref(),
            Some("https://git.example/a/b/pull/1")
        );
        assert_eq!(push.error, None);
    }
}
