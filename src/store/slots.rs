//! Schedule slots: a scheduler claims a job's cron slot by inserting its row, and only
//! the process whose insert went in starts the slot's run. The row then records the run
//! it started, or why planning failed.

use super::on_db;
use chrono::{DateTime, Utc};

use super::{Store, StoreError};

impl Store {
    /// Claims `spec`'s `slot` for `by`; true when this call made the claim, false when
    /// another process (or an earlier call) holds it.
    pub async fn claim_slot(
        &self,
        spec: &str,
        slot: DateTime<Utc>,
        by: &str,
    ) -> Result<bool, StoreError> {
        let done = on_db!(&self.db, c => sqlx::query(
            "INSERT INTO schedule_slots (spec, slot, claimed_by, claimed_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (spec, slot) DO NOTHING",
        )
        .bind(spec)
        .bind(slot)
        .bind(by)
        .bind(Utc::now())
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The latest slot of `spec` that was claimed, if any.
    pub async fn last_claimed_slot(&self, spec: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let slot = on_db!(&self.db, c => sqlx::query_scalar(
            "SELECT slot FROM schedule_slots WHERE spec = $1 ORDER BY slot DESC LIMIT 1",
        )
        .bind(spec)
        .fetch_optional(c)
        .await)?;
        Ok(slot)
    }

    /// Records what a claimed slot started: its run, or why none was started.
    pub async fn record_slot(
        &self,
        spec: &str,
        slot: DateTime<Utc>,
        run_id: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query(
            "UPDATE schedule_slots SET run_id = $1, error = $2 WHERE spec = $3 AND slot = $4",
        )
        .bind(run_id)
        .bind(error)
        .bind(spec)
        .bind(slot)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The run a slot started (`None` when it is unclaimed or started none).
    pub async fn slot_run(
        &self,
        spec: &str,
        slot: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let run: Option<Option<String>> = on_db!(&self.db, c => sqlx::query_scalar("SELECT run_id FROM schedule_slots WHERE spec = $1 AND slot = $2")
                .bind(spec)
                .bind(slot)
                .fetch_optional(c)
                .await)?;
        Ok(run.flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[tokio::test]
    async fn a_slot_is_claimed_once_and_the_latest_claim_is_found() {
        let (store, _dir) = crate::store::test_store().await;
        let monday = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap();
        let tuesday = Utc.with_ymd_and_hms(2026, 3, 3, 6, 0, 0).unwrap();
        assert_eq!(store.last_claimed_slot("weekly").await.unwrap(), None);
        assert!(store.claim_slot("weekly", monday, "a").await.unwrap());
        assert!(!store.claim_slot("weekly", monday, "b").await.unwrap());
        assert!(store.claim_slot("other", monday, "b").await.unwrap());
        assert!(store.claim_slot("weekly", tuesday, "b").await.unwrap());
        assert_eq!(
            store.last_claimed_slot("weekly").await.unwrap(),
            Some(tuesday)
        );
        store
            .record_slot("weekly", tuesday, Some("run-1"), None)
            .await
            .unwrap();
        assert_eq!(
            store.slot_run("weekly", tuesday).await.unwrap().as_deref(),
            Some("run-1")
        );
        assert_eq!(store.slot_run("weekly", monday).await.unwrap(), None);
    }
}
