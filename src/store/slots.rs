//! Schedule slots: a scheduler claims a job's cron slot by inserting its row, and only
//! the process whose insert went in starts the slot's run. The row then records the run
//! it started, or why planning failed. A claim that recorded neither within
//! [`CLAIM_LEASE`] was left by a process that stopped: another scheduler takes it over.

use super::on_db;
use chrono::{DateTime, Utc};

use super::{Store, StoreError};

/// How long a claim may go without recording its run before it counts as abandoned.
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::minutes(15);

impl Store {
    /// Claims `spec`'s `slot` for `by` at `now`; true when this call made the claim (or
    /// took over an abandoned one), false when another process (or an earlier call)
    /// holds it.
    pub async fn claim_slot(
        &self,
        spec: &str,
        slot: DateTime<Utc>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on_db!(&self.db, c => sqlx::query(
            "INSERT INTO schedule_slots (spec, slot, claimed_by, claimed_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (spec, slot) DO UPDATE \
             SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at \
             WHERE schedule_slots.run_id IS NULL AND schedule_slots.error IS NULL \
             AND schedule_slots.claimed_at < $5",
        )
        .bind(spec)
        .bind(slot)
        .bind(by)
        .bind(now)
        .bind(now - CLAIM_LEASE)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Whether `spec`'s `slot` was claimed before `now` − [`CLAIM_LEASE`] and never
    /// recorded a run or an error: its claimer stopped half way.
    pub async fn slot_abandoned(
        &self,
        spec: &str,
        slot: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let found: i64 = on_db!(&self.db, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM schedule_slots WHERE spec = $1 AND slot = $2 \
             AND run_id IS NULL AND error IS NULL AND claimed_at < $3",
        )
        .bind(spec)
        .bind(slot)
        .bind(now - CLAIM_LEASE)
        .fetch_one(c)
        .await)?;
        Ok(found > 0)
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
        assert!(
            store
                .claim_slot("weekly", monday, "a", monday)
                .await
                .unwrap()
        );
        assert!(
            !store
                .claim_slot("weekly", monday, "b", monday)
                .await
                .unwrap()
        );
        assert!(
            store
                .claim_slot("other", monday, "b", monday)
                .await
                .unwrap()
        );
        assert!(
            store
                .claim_slot("weekly", tuesday, "b", tuesday)
                .await
                .unwrap()
        );
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

    #[tokio::test]
    async fn a_claim_that_never_recorded_its_run_is_taken_over_after_the_lease() {
        let (store, _dir) = crate::store::test_store().await;
        let slot = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap();
        assert!(store.claim_slot("weekly", slot, "a", slot).await.unwrap());
        let soon = slot + chrono::Duration::minutes(5);
        assert!(!store.slot_abandoned("weekly", slot, soon).await.unwrap());
        assert!(!store.claim_slot("weekly", slot, "b", soon).await.unwrap());
        let later = slot + CLAIM_LEASE + chrono::Duration::minutes(1);
        assert!(store.slot_abandoned("weekly", slot, later).await.unwrap());
        assert!(store.claim_slot("weekly", slot, "b", later).await.unwrap());
        assert!(
            !store.claim_slot("weekly", slot, "c", later).await.unwrap(),
            "once"
        );
        store
            .record_slot("weekly", slot, Some("run-1"), None)
            .await
            .unwrap();
        let much_later = later + CLAIM_LEASE * 2;
        assert!(
            !store
                .slot_abandoned("weekly", slot, much_later)
                .await
                .unwrap()
        );
        assert!(
            !store
                .claim_slot("weekly", slot, "d", much_later)
                .await
                .unwrap()
        );
    }
}
