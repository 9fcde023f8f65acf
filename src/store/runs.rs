//! Runs and the append-only event log. A run's state moves only along
//! [`RunState::can_go_to`], only from the state the caller saw, and every move writes
//! its event in the same transaction.

use super::{Tx, on_db, on_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{RunState, Store, StoreError};
use crate::spec::Kind;

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: String,
    pub workspace_id: i64,
    pub spec_id: i64,
    pub kind: Kind,
    pub state: RunState,
    pub base_commit: String,
    pub budget_exhausted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who started it (`--as`, else git's `user.name`).
    pub created_by: String,
    /// The branch the base commit was taken from; apply commits on top of its head.
    pub target_branch: String,
    /// How many edit batches were queued, and over how many target files.
    pub batches: i64,
    pub files: i64,
    /// The run-level QA record: scripts' output and exit codes, findings in files the run
    /// did not change.
    pub qa: serde_json::Value,
    /// The commit apply made on `sitewide/<id>`.
    pub commit_id: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    pub forecast: serde_json::Value,
}

/// What a new run needs; it starts `queued`.
#[derive(Debug, Clone, Default)]
pub struct NewRun {
    pub id: String,
    pub workspace_id: i64,
    pub spec_id: i64,
    pub kind: Kind,
    pub base_commit: String,
    pub created_by: String,
    pub target_branch: String,
    pub batches: i64,
    pub files: i64,
    /// The model engine's forecast (tokens, cost, time); `{}` for recipes.
    pub forecast: serde_json::Value,
    /// The run's own webhook (`POST /api/v1/runs` with `webhook`), stored with the run so
    /// no event of the run can come before it.
    pub webhook: Option<String>,
}

/// One state change of a run or of one of its changes (`change_id` set).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Event {
    pub id: i64,
    pub run_id: String,
    pub change_id: Option<i64>,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub detail: String,
    /// The diff hash a review decision was made on.
    pub diff_hash: Option<String>,
}

#[derive(FromRow)]
struct RunRow {
    id: String,
    workspace_id: i64,
    spec_id: i64,
    kind: String,
    state: String,
    base_commit: String,
    budget_exhausted: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: String,
    target_branch: String,
    batches: i64,
    files: i64,
    qa: sqlx::types::Json<serde_json::Value>,
    commit_id: Option<String>,
    finished_at: Option<DateTime<Utc>>,
    forecast: sqlx::types::Json<serde_json::Value>,
}

const RUN_COLUMNS: &str = "id, workspace_id, spec_id, kind, state, base_commit, \
                           budget_exhausted, created_at, updated_at, created_by, \
                           target_branch, batches, files, qa, commit_id, finished_at, forecast";

fn kind_text(kind: Kind) -> &'static str {
    match kind {
        Kind::Edit => "edit",
        Kind::Audit => "audit",
    }
}

impl TryFrom<RunRow> for Run {
    type Error = StoreError;
    fn try_from(row: RunRow) -> Result<Run, StoreError> {
        let kind = match row.kind.as_str() {
            "edit" => Kind::Edit,
            "audit" => Kind::Audit,
            other => {
                return Err(StoreError::Corrupt(super::UnknownState {
                    what: "run kind",
                    text: other.to_string(),
                }));
            }
        };
        Ok(Run {
            kind,
            state: row.state.parse()?,
            id: row.id,
            workspace_id: row.workspace_id,
            spec_id: row.spec_id,
            base_commit: row.base_commit,
            budget_exhausted: row.budget_exhausted,
            created_at: row.created_at,
            updated_at: row.updated_at,
            created_by: row.created_by,
            target_branch: row.target_branch,
            batches: row.batches,
            files: row.files,
            qa: row.qa.0,
            commit_id: row.commit_id,
            finished_at: row.finished_at,
            forecast: row.forecast.0,
        })
    }
}

/// Inserts a `queued` run and its first event inside the caller's transaction.
pub(super) async fn insert_run(tx: &mut Tx, run: &NewRun, actor: &str) -> Result<(), StoreError> {
    on_tx!(&mut *tx, c => sqlx::query(
        "INSERT INTO runs (id, workspace_id, spec_id, kind, state, base_commit, \
         budget_exhausted, created_at, updated_at, created_by, target_branch, batches, files, \
         forecast) VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&run.id)
    .bind(run.workspace_id)
    .bind(run.spec_id)
    .bind(kind_text(run.kind))
    .bind(RunState::Queued.as_str())
    .bind(&run.base_commit)
    .bind(Utc::now())
    .bind(&run.created_by)
    .bind(&run.target_branch)
    .bind(run.batches)
    .bind(run.files)
    .bind(sqlx::types::Json(&run.forecast))
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    if let Some(url) = &run.webhook {
        on_tx!(&mut *tx, c => sqlx::query("INSERT INTO run_webhooks (run_id, url, created_at) VALUES ($1, $2, $3)")
            .bind(&run.id)
            .bind(url)
            .bind(Utc::now())
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
    }
    let queued = RunState::Queued.as_str();
    append_event(tx, &run.id, None, None, queued, actor, "").await
}

/// Appends one event inside the caller's transaction.
pub(super) async fn append_event(
    tx: &mut Tx,
    run_id: &str,
    change_id: Option<i64>,
    from: Option<&str>,
    to: &str,
    actor: &str,
    detail: &str,
) -> Result<(), StoreError> {
    on_tx!(&mut *tx, c => sqlx::query(
        "INSERT INTO events (run_id, change_id, from_state, to_state, actor, at, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(run_id)
    .bind(change_id)
    .bind(from)
    .bind(to)
    .bind(actor)
    .bind(Utc::now())
    .bind(detail)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves a run from `from` to `to` inside the caller's transaction, with its event;
/// `StateMismatch` when the run is not `from`.
pub(super) async fn move_run(
    tx: &mut Tx,
    id: &str,
    from: RunState,
    to: RunState,
    actor: &str,
    detail: &str,
) -> Result<(), StoreError> {
    if !from.can_go_to(to) {
        let run = id.to_string();
        return Err(StoreError::IllegalTransition { run, from, to });
    }
    let now = Utc::now();
    let finished = matches!(
        to,
        RunState::AwaitingReview
            | RunState::Applied
            | RunState::Completed
            | RunState::Failed
            | RunState::Cancelled
    );
    let moved = on_tx!(&mut *tx, c => sqlx::query(
        "UPDATE runs SET state = $1, updated_at = $2, \
         finished_at = CASE WHEN $5 AND finished_at IS NULL THEN $2 ELSE finished_at END \
         WHERE id = $3 AND state = $4",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(from.as_str())
    .bind(finished)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    if moved == 0 {
        let found: Option<String> = on_tx!(&mut *tx, c => sqlx::query_scalar("SELECT state FROM runs WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?;
        let Some(found) = found else {
            return Err(StoreError::NotFound {
                what: "run",
                key: id.to_string(),
            });
        };
        return Err(StoreError::StateMismatch {
            run: id.to_string(),
            expected: from,
            found: found.parse()?,
        });
    }
    append_event(
        tx,
        id,
        None,
        Some(from.as_str()),
        to.as_str(),
        actor,
        detail,
    )
    .await
}

impl Store {
    /// Stores a new `queued` run and its first event; the same id twice is refused.
    pub async fn insert_run(&self, run: &NewRun, actor: &str) -> Result<Run, StoreError> {
        let mut tx = self.write_tx().await?;
        insert_run(&mut tx, run, actor).await?;
        tx.commit().await?;
        self.run_by_id(&run.id).await
    }

    /// Every run, newest first.
    pub async fn runs(&self) -> Result<Vec<Run>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY created_at DESC, id DESC");
        let rows = on_db!(&self.db, c => sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await)?;
        rows.into_iter().map(Run::try_from).collect()
    }

    /// The runs in one of `states`, oldest first.
    pub async fn runs_in(&self, states: &[RunState]) -> Result<Vec<Run>, StoreError> {
        let mut runs = self.runs().await?;
        runs.retain(|r| states.contains(&r.state));
        runs.reverse();
        Ok(runs)
    }

    /// The run with this id.
    pub async fn run_by_id(&self, id: &str) -> Result<Run, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
        let row = on_db!(&self.db, c => sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await)?
        .ok_or_else(|| StoreError::NotFound {
            what: "run",
            key: id.to_string(),
        })?;
        Run::try_from(row)
    }

    /// Moves run `id` from `from` to `to` and logs it, in one transaction. Refused,
    /// changing nothing, when the move is not legal or the run is no longer `from`.
    pub async fn set_run_state(
        &self,
        id: &str,
        from: RunState,
        to: RunState,
        actor: &str,
    ) -> Result<Run, StoreError> {
        if !from.can_go_to(to) {
            let run = id.to_string();
            return Err(StoreError::IllegalTransition { run, from, to });
        }
        let mut tx = self.write_tx().await?;
        move_run(&mut tx, id, from, to, actor, "").await?;
        tx.commit().await?;
        self.run_by_id(id).await
    }

    /// Marks that the run hit its budget; what it finished stays reviewable.
    pub async fn set_budget_exhausted(&self, id: &str) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query("UPDATE runs SET budget_exhausted = TRUE, updated_at = $1 WHERE id = $2")
            .bind(Utc::now())
            .bind(id)
            .execute(c)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The events of a run after event `after` (0: all), oldest first: what a live view
    /// has not seen yet.
    pub async fn events_after(&self, id: &str, after: i64) -> Result<Vec<Event>, StoreError> {
        let events = on_db!(&self.db, c => sqlx::query_as::<_, Event>(
            "SELECT id, run_id, change_id, from_state, to_state, actor, at, detail, diff_hash \
             FROM events WHERE run_id = $1 AND id > $2 ORDER BY id",
        )
        .bind(id)
        .bind(after)
        .fetch_all(c)
        .await)?;
        Ok(events)
    }

    /// The last `limit` events of a run, newest first: a page's history without reading
    /// the log of a run with thousands of changes whole.
    pub async fn latest_events(&self, id: &str, limit: i64) -> Result<Vec<Event>, StoreError> {
        let events = on_db!(&self.db, c => sqlx::query_as::<_, Event>(
            "SELECT id, run_id, change_id, from_state, to_state, actor, at, detail, diff_hash \
             FROM events WHERE run_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(id)
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(events)
    }

    /// Every event of a run, oldest first.
    pub async fn events_of_run(&self, id: &str) -> Result<Vec<Event>, StoreError> {
        let events = on_db!(&self.db, c => sqlx::query_as::<_, Event>(
            "SELECT id, run_id, change_id, from_state, to_state, actor, at, detail, diff_hash \
             FROM events WHERE run_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(c)
        .await)?;
        Ok(events)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::test_store;

    /// A workspace, a spec and a queued run `r1` in a fresh store.
    pub(crate) async fn store_with_run() -> (Store, tempfile::TempDir) {
        let (store, dir) = test_store().await;
        let ws = store
            .add_workspace("site", "/srv/site", "main")
            .await
            .unwrap();
        let spec = store.add_spec("s", "name = \"s\"", "h").await.unwrap();
        let new = NewRun {
            id: "r1".into(),
            workspace_id: ws.id,
            spec_id: spec.id,
            kind: Kind::Edit,
            base_commit: "abc".into(),
            ..NewRun::default()
        };
        store.insert_run(&new, "ana").await.unwrap();
        (store, dir)
    }

    #[tokio::test]
    async fn a_new_run_reads_back_queued_with_its_first_event() {
        let (store, _dir) = store_with_run().await;
        let run = store.run_by_id("r1").await.unwrap();
        assert_eq!(run.state, RunState::Queued);
        assert_eq!((run.kind, run.base_commit.as_str()), (Kind::Edit, "abc"));
        assert!(!run.budget_exhausted);
        let events = store.events_of_run("r1").await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].from_state.as_deref(), events[0].to_state.as_str()),
            (None, "queued")
        );
        assert_eq!(events[0].actor, "ana");
    }

    #[tokio::test]
    async fn a_legal_move_updates_the_run_and_appends_an_event() {
        let (store, _dir) = store_with_run().await;
        let run = store
            .set_run_state("r1", RunState::Queued, RunState::Running, "worker-1")
            .await
            .unwrap();
        assert_eq!(run.state, RunState::Running);
        let events = store.events_of_run("r1").await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(
            (last.from_state.as_deref(), last.to_state.as_str()),
            (Some("queued"), "running")
        );
        assert_eq!(last.actor, "worker-1");
        let latest = store.latest_events("r1", 1).await.unwrap();
        assert_eq!(latest, vec![last.clone()]);
        store.set_budget_exhausted("r1").await.unwrap();
        assert!(store.run_by_id("r1").await.unwrap().budget_exhausted);
    }

    #[tokio::test]
    async fn an_illegal_or_stale_move_is_refused_and_changes_nothing() {
        let (store, _dir) = store_with_run().await;
        let before = (
            store.run_by_id("r1").await.unwrap(),
            store.events_of_run("r1").await.unwrap(),
        );
        let err = store
            .set_run_state("r1", RunState::Queued, RunState::Applied, "x")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::IllegalTransition { .. }), "{err}");
        let err = store
            .set_run_state("r1", RunState::Running, RunState::Completed, "x")
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::StateMismatch {
                    found: RunState::Queued,
                    ..
                }
            ),
            "{err}"
        );
        let after = (
            store.run_by_id("r1").await.unwrap(),
            store.events_of_run("r1").await.unwrap(),
        );
        assert_eq!(before, after);
    }

    #[tokio::test]
    async fn a_missing_run_is_not_found() {
        let (store, _dir) = test_store().await;
        let err = store.run_by_id("nope").await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    }
}
