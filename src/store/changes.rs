//! Changes: one file's edit in a run, written once, whole, in one transaction with its
//! event. Writing the same (run, path) again replaces the proposal (a new attempt) and
//! never adds a row; writing identical content again changes nothing at all.

use super::{Tx, on_db, on_tx};
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;

use super::runs::append_event;
use super::{ChangeState, Store, StoreError};

/// A change as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: i64,
    pub run_id: String,
    pub path: String,
    pub state: ChangeState,
    pub base_hash: String,
    pub new_hash: Option<String>,
    pub diff: String,
    pub diff_hash: String,
    pub findings_before: Value,
    pub findings_after: Value,
    pub attempts: Value,
    /// The edited file's text; apply commits it.
    pub new_content: Option<String>,
}

/// A change to write for `run_id` and `path`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChange {
    pub run_id: String,
    pub path: String,
    pub state: ChangeState,
    pub base_hash: String,
    pub new_hash: Option<String>,
    pub diff: String,
    pub diff_hash: String,
    pub findings_before: Value,
    pub findings_after: Value,
    pub attempts: Value,
    pub new_content: Option<String>,
}

/// A change's id, file, state and diff hash: what a live view watches, without the
/// diff and findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeStatus {
    pub id: i64,
    pub path: String,
    pub state: ChangeState,
    pub diff_hash: String,
}

/// A change without its diff and new text: what a list of a run's changes shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSummary {
    pub id: i64,
    pub path: String,
    pub state: ChangeState,
    pub findings_before: Value,
    pub findings_after: Value,
    pub attempts: Value,
}

#[derive(FromRow)]
struct ChangeRow {
    id: i64,
    run_id: String,
    path: String,
    state: String,
    base_hash: String,
    new_hash: Option<String>,
    diff: String,
    diff_hash: String,
    findings_before: Json<Value>,
    findings_after: Json<Value>,
    attempts: Json<Value>,
    new_content: Option<String>,
}

impl TryFrom<ChangeRow> for Change {
    type Error = StoreError;
    fn try_from(row: ChangeRow) -> Result<Change, StoreError> {
        Ok(Change {
            state: row.state.parse()?,
            id: row.id,
            run_id: row.run_id,
            path: row.path,
            base_hash: row.base_hash,
            new_hash: row.new_hash,
            diff: row.diff,
            diff_hash: row.diff_hash,
            findings_before: row.findings_before.0,
            findings_after: row.findings_after.0,
            attempts: row.attempts.0,
            new_content: row.new_content,
        })
    }
}

/// Writes a change inside the caller's transaction, idempotent on (run, path); returns
/// its id. An event is appended when the row is new or its state or diff changed.
pub(super) async fn upsert_change(
    tx: &mut Tx,
    change: &NewChange,
    actor: &str,
) -> Result<i64, StoreError> {
    let before: Option<(i64, String, String)> = on_tx!(&mut *tx, c => sqlx::query_as("SELECT id, state, diff_hash FROM changes WHERE run_id = $1 AND path = $2")
            .bind(&change.run_id)
            .bind(&change.path)
            .fetch_optional(&mut *c)
            .await)?;
    let state = change.state.as_str();
    if let Some((id, old_state, old_hash)) = &before
        && old_state == state
        && *old_hash == change.diff_hash
    {
        return Ok(*id);
    }
    let id: i64 = on_tx!(&mut *tx, c => sqlx::query_scalar(
        "INSERT INTO changes (run_id, path, state, base_hash, new_hash, diff, diff_hash, \
         findings_before, findings_after, attempts, new_content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (run_id, path) DO UPDATE SET state = excluded.state, \
         base_hash = excluded.base_hash, new_hash = excluded.new_hash, \
         diff = excluded.diff, diff_hash = excluded.diff_hash, \
         findings_before = excluded.findings_before, \
         findings_after = excluded.findings_after, attempts = excluded.attempts, \
         new_content = excluded.new_content \
         RETURNING id",
    )
    .bind(&change.run_id)
    .bind(&change.path)
    .bind(state)
    .bind(&change.base_hash)
    .bind(&change.new_hash)
    .bind(&change.diff)
    .bind(&change.diff_hash)
    .bind(Json(&change.findings_before))
    .bind(Json(&change.findings_after))
    .bind(Json(&change.attempts))
    .bind(&change.new_content)
    .fetch_one(&mut *c)
    .await)?;
    let from = before.as_ref().map(|(_, s, _)| s.as_str());
    append_event(
        tx,
        &change.run_id,
        Some(id),
        from,
        state,
        actor,
        &change.path,
    )
    .await?;
    Ok(id)
}

impl Store {
    /// Writes a change, idempotent on (run, path); returns the change's id. An event is
    /// appended when the row is new or its state or diff changed.
    pub async fn upsert_change(&self, change: &NewChange, actor: &str) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let id = upsert_change(&mut tx, change, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every change of a run, ordered by path.
    pub async fn changes_of_run(&self, run_id: &str) -> Result<Vec<Change>, StoreError> {
        let rows = on_db!(&self.db, c => sqlx::query_as::<_, ChangeRow>(
            "SELECT id, run_id, path, state, base_hash, new_hash, diff, diff_hash, \
             findings_before, findings_after, attempts, new_content \
             FROM changes WHERE run_id = $1 ORDER BY path",
        )
        .bind(run_id)
        .fetch_all(c)
        .await)?;
        rows.into_iter().map(Change::try_from).collect()
    }

    /// Every change of a run without its diff and new text, ordered by path: a run of
    /// thousands of changes lists them without reading megabytes it does not show.
    pub async fn change_summaries(&self, run_id: &str) -> Result<Vec<ChangeSummary>, StoreError> {
        type Row = (i64, String, String, Json<Value>, Json<Value>, Json<Value>);
        let rows: Vec<Row> = on_db!(&self.db, c => sqlx::query_as(
            "SELECT id, path, state, findings_before, findings_after, attempts \
             FROM changes WHERE run_id = $1 ORDER BY path",
        )
        .bind(run_id)
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|(id, path, state, before, after, attempts)| {
                Ok(ChangeSummary {
                    id,
                    path,
                    state: state.parse()?,
                    findings_before: before.0,
                    findings_after: after.0,
                    attempts: attempts.0,
                })
            })
            .collect()
    }

    /// The id, file, state and diff hash of every change of a run, ordered by path.
    pub async fn change_statuses(&self, run_id: &str) -> Result<Vec<ChangeStatus>, StoreError> {
        let rows: Vec<(i64, String, String, String)> = on_db!(&self.db, c => sqlx::query_as(
            "SELECT id, path, state, diff_hash FROM changes WHERE run_id = $1 ORDER BY path",
        )
        .bind(run_id)
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|(id, path, state, diff_hash)| {
                Ok(ChangeStatus {
                    id,
                    path,
                    state: state.parse()?,
                    diff_hash,
                })
            })
            .collect()
    }

    /// One change, by id.
    pub async fn change_by_id(&self, id: i64) -> Result<Change, StoreError> {
        let row = on_db!(&self.db, c => sqlx::query_as::<_, ChangeRow>(
            "SELECT id, run_id, path, state, base_hash, new_hash, diff, diff_hash, \
             findings_before, findings_after, attempts, new_content \
             FROM changes WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await)?;
        row.ok_or_else(|| StoreError::NotFound {
            what: "change",
            key: id.to_string(),
        })?
        .try_into()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::runs::tests::store_with_run;

    fn proposal(path: &str) -> NewChange {
        NewChange {
            run_id: "r1".into(),
            path: path.into(),
            state: ChangeState::Proposed,
            base_hash: "b1".into(),
            new_hash: Some("n1".into()),
            diff: "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n".into(),
            diff_hash: "d1".into(),
            findings_before: json!([{"rule": "UTM-008", "line": 3}]),
            findings_after: json!([]),
            attempts: json!([{"outcome": "applied"}]),
            new_content: Some("y\n".into()),
        }
    }

    #[tokio::test]
    async fn a_change_reads_back_whole() {
        let (store, _dir) = store_with_run().await;
        let new = proposal("index.html");
        let id = store.upsert_change(&new, "recipe").await.unwrap();
        let changes = store.changes_of_run("r1").await.unwrap();
        assert_eq!(changes.len(), 1);
        let got = &changes[0];
        assert_eq!(got.id, id);
        assert_eq!(
            (got.path.as_str(), got.state),
            ("index.html", ChangeState::Proposed)
        );
        assert_eq!(
            (got.diff.as_str(), got.new_hash.as_deref()),
            (new.diff.as_str(), Some("n1"))
        );
        assert_eq!(got.findings_before, new.findings_before);
        assert_eq!(
            (&got.findings_after, &got.attempts),
            (&new.findings_after, &new.attempts)
        );
        let summary = &store.change_summaries("r1").await.unwrap()[0];
        assert_eq!(
            (summary.id, summary.path.as_str(), summary.state),
            (id, "index.html", ChangeState::Proposed)
        );
        assert_eq!(
            (&summary.findings_before, &summary.attempts),
            (&new.findings_before, &new.attempts)
        );
    }

    #[tokio::test]
    async fn writing_the_same_change_twice_keeps_one_row_and_one_event() {
        let (store, _dir) = store_with_run().await;
        let first = store.upsert_change(&proposal("a.html"), "w").await.unwrap();
        let second = store.upsert_change(&proposal("a.html"), "w").await.unwrap();
        assert_eq!(first, second);
        assert_eq!(store.changes_of_run("r1").await.unwrap().len(), 1);
        let events = store.events_of_run("r1").await.unwrap();
        assert_eq!(
            events.iter().filter(|e| e.change_id == Some(first)).count(),
            1
        );
    }

    #[tokio::test]
    async fn a_new_attempt_replaces_the_proposal_in_place() {
        let (store, _dir) = store_with_run().await;
        let id = store.upsert_change(&proposal("a.html"), "w").await.unwrap();
        let mut blocked = proposal("a.html");
        blocked.state = ChangeState::Blocked;
        blocked.diff_hash = "d2".into();
        assert_eq!(store.upsert_change(&blocked, "w").await.unwrap(), id);
        let changes = store.changes_of_run("r1").await.unwrap();
        assert_eq!((changes.len(), changes[0].state), (1, ChangeState::Blocked));
        let last = store.events_of_run("r1").await.unwrap().pop().unwrap();
        assert_eq!(
            (last.from_state.as_deref(), last.to_state.as_str()),
            (Some("proposed"), "blocked")
        );
    }

    #[tokio::test]
    async fn a_change_for_a_run_that_does_not_exist_is_refused() {
        let (store, _dir) = store_with_run().await;
        let mut orphan = proposal("a.html");
        orphan.run_id = "nope".into();
        assert!(store.upsert_change(&orphan, "w").await.is_err());
        assert!(store.changes_of_run("nope").await.unwrap().is_empty());
    }
}
