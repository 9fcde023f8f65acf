//! Webhook bookkeeping: the URL a run was started with (stored with the run itself, in
//! `insert_run`), and the notifier's place in the event log (the last event it handled),
//! so notices survive a restart without repeats.

use super::{Event, Store, StoreError};
use super::{on_db, on_tx};

impl Store {
    /// The webhook URL `run_id` was started with, if any.
    pub async fn run_webhook(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        let url: Option<(String,)> = on_db!(&self.db, c => sqlx::query_as("SELECT url FROM run_webhooks WHERE run_id = $1")
                .bind(run_id)
                .fetch_optional(c)
                .await)?;
        Ok(url.map(|(u,)| u))
    }

    /// The last event the notifier handled; on the very first call, the newest event of
    /// the log (what happened before webhooks existed is not announced).
    pub async fn webhook_cursor(&self) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let found: Option<(i64,)> = on_tx!(&mut tx, c => sqlx::query_as("SELECT last_event_id FROM webhook_cursor WHERE id = 1")
                .fetch_optional(&mut *c)
                .await)?;
        let last = match found {
            Some((last,)) => last,
            None => {
                let (newest,): (i64,) = on_tx!(&mut tx, c => sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM events")
                    .fetch_one(&mut *c)
                    .await)?;
                on_tx!(&mut tx, c => sqlx::query("INSERT INTO webhook_cursor (id, last_event_id) VALUES (1, $1)")
                    .bind(newest)
                    .execute(&mut *c)
                    .await.map(|r| r.rows_affected()))?;
                newest
            }
        };
        tx.commit().await?;
        Ok(last)
    }

    /// Moves the notifier's place in the log forward to `event_id` (never back).
    pub async fn set_webhook_cursor(&self, event_id: i64) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query(
            "UPDATE webhook_cursor SET last_event_id = CASE WHEN last_event_id > $1 THEN last_event_id ELSE $1 END WHERE id = 1",
        )
        .bind(event_id)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Runs' own state changes (not their changes') after event `after`, oldest first,
    /// at most `limit`, across every run.
    pub async fn run_state_events_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Event>, StoreError> {
        let events = on_db!(&self.db, c => sqlx::query_as::<_, Event>(
            "SELECT id, run_id, change_id, from_state, to_state, actor, at, detail, diff_hash \
             FROM events WHERE change_id IS NULL AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::RunState;
    use crate::store::runs::tests::store_with_run;

    #[tokio::test]
    async fn the_cursor_starts_at_the_newest_event_and_only_moves_forward() {
        let (store, _dir) = store_with_run().await;
        let start = store.webhook_cursor().await.unwrap();
        store
            .set_run_state("r1", RunState::Queued, RunState::Running, "w")
            .await
            .unwrap();
        let events = store.run_state_events_after(start, 10).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].to_state, "running");
        store.set_webhook_cursor(events[0].id).await.unwrap();
        store.set_webhook_cursor(start).await.unwrap();
        assert_eq!(store.webhook_cursor().await.unwrap(), events[0].id);
    }

    #[tokio::test]
    async fn a_run_started_with_a_webhook_has_it_from_its_first_event() {
        let (store, _dir) = store_with_run().await;
        assert_eq!(store.run_webhook("r1").await.unwrap(), None);
        let ws = store.workspace_by_name("site").await.unwrap().unwrap();
        let spec = store.add_spec("t", "name = \"t\"", "h2").await.unwrap();
        let new = crate::store::NewRun {
            id: "r2".into(),
            workspace_id: ws.id,
            spec_id: spec.id,
            base_commit: "abc".into(),
            webhook: Some("http://a/1".into()),
            ..Default::default()
        };
        store.insert_run(&new, "ana").await.unwrap();
        assert_eq!(
            store.run_webhook("r2").await.unwrap().as_deref(),
            Some("http://a/1")
        );
    }
}
