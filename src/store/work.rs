//! The work of a run as the queue sees it: queueing a run with its tasks, recording an
//! edit batch (its drafts and skipped files) and queueing the run's QA when the last batch
//! is in, settling the run (every change and the run's new state at once), and the
//! review and apply moves of changes. Each is one transaction, so a worker killed at any
//! point leaves the old state or the new one, and running a task twice changes nothing.

use super::{Tx, on_db, on_tx};
use apalis_core::task::builder::TaskBuilder;
use chrono::Utc;
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;

use super::changes::upsert_change;
use super::runs::{append_event, insert_run, move_run};
use super::{Change, ChangeState, NewChange, NewRun, Run, RunState, Store, StoreError};

/// The apalis queue Sitewide's run tasks go to.
pub const QUEUE: &str = "sitewide-runs";

/// How often a task is tried before the queue gives up on it.
const MAX_ATTEMPTS: usize = 5;

/// An edit waiting for its run's QA.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Draft {
    pub path: String,
    pub base_blob: String,
    pub new_content: String,
    pub attempts: Json<Value>,
}

/// A target file the run did not edit, and why.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct Skip {
    #[serde(rename = "file")]
    pub path: String,
    pub reason: String,
}

/// Pushes tasks (their JSON arguments) to the run queue inside the caller's transaction,
/// so a run and its tasks are stored together or not at all.
async fn push(tx: &mut Tx, tasks: &[Vec<u8>]) -> Result<(), StoreError> {
    match tx {
        Tx::Sqlite(tx) => {
            let built: Vec<_> = tasks
                .iter()
                .map(|args| {
                    TaskBuilder::new(args.clone())
                        .max_attempts(MAX_ATTEMPTS)
                        .build()
                })
                .collect();
            apalis_sqlite::queries::push_tasks(&mut **tx, QUEUE, &built)
                .await
                .map_err(|e| StoreError::Queue(e.to_string()))
        }
        Tx::Postgres(tx) => {
            // The rows apalis-postgres's own sink writes (its `push_tasks` is private), in
            // one statement: the run's tasks are visible together, as the commit makes them.
            let ids: Vec<String> = tasks
                .iter()
                .map(|_| ulid::Ulid::generate().to_string())
                .collect();
            sqlx::query(
                "INSERT INTO apalis.jobs (id, job_type, job, status, attempts, max_attempts, \
                 run_at, priority, metadata) \
                 SELECT id, $2, job, 'Pending', 0, $4, clock_timestamp(), 0, ''::hstore \
                 FROM UNNEST($1::text[], $3::bytea[]) AS t (id, job)",
            )
            .bind(&ids)
            .bind(QUEUE)
            .bind(tasks)
            .bind(MAX_ATTEMPTS as i32)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
    }
}

async fn insert_skips(tx: &mut Tx, run_id: &str, skipped: &[Skip]) -> Result<(), StoreError> {
    for s in skipped {
        on_tx!(&mut *tx, c => sqlx::query(
            "INSERT INTO skipped (run_id, path, reason) VALUES ($1, $2, $3) \
             ON CONFLICT (run_id, path) DO NOTHING",
        )
        .bind(run_id)
        .bind(&s.path)
        .bind(&s.reason)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

impl Store {
    /// Stores the spec `(name, text, hash)` as run, a `queued` run of it (its `spec_id` is
    /// set here), the files its plan skipped and its first tasks, at once.
    pub async fn queue_run(
        &self,
        spec: (&str, &str, &str),
        run: &NewRun,
        skipped: &[Skip],
        budget_exhausted: bool,
        tasks: &[Vec<u8>],
        actor: &str,
    ) -> Result<Run, StoreError> {
        let mut tx = self.write_tx().await?;
        let spec_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "INSERT INTO specs (name, text, hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(spec.0)
        .bind(spec.1)
        .bind(spec.2)
        .bind(Utc::now())
        .fetch_one(&mut *c)
        .await)?;
        let run = &NewRun {
            spec_id,
            ..run.clone()
        };
        insert_run(&mut tx, run, actor).await?;
        insert_skips(&mut tx, &run.id, skipped).await?;
        if budget_exhausted {
            on_tx!(&mut tx, c => sqlx::query("UPDATE runs SET budget_exhausted = TRUE WHERE id = $1")
                .bind(&run.id)
                .execute(&mut *c)
                .await.map(|r| r.rows_affected()))?;
        }
        push(&mut tx, tasks).await?;
        tx.commit().await?;
        self.run_by_id(&run.id).await
    }

    /// Records edit batch `batch` of a run: its drafts and skipped files, and that it is
    /// done. The call that records the run's last batch also pushes `finish` and returns
    /// true; recording a batch again changes nothing and returns false.
    pub async fn finish_batch(
        &self,
        run_id: &str,
        batch: i64,
        drafts: &[Draft],
        skipped: &[Skip],
        budget_exhausted: bool,
        finish: &[u8],
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let new = on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO batches_done (run_id, batch) VALUES ($1, $2) \
             ON CONFLICT (run_id, batch) DO NOTHING",
        )
        .bind(run_id)
        .bind(batch)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
        if new == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for d in drafts {
            on_tx!(&mut tx, c => sqlx::query(
                "INSERT INTO drafts (run_id, path, base_blob, new_content, attempts) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, path) DO NOTHING",
            )
            .bind(run_id)
            .bind(&d.path)
            .bind(&d.base_blob)
            .bind(&d.new_content)
            .bind(&d.attempts)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        }
        insert_skips(&mut tx, run_id, skipped).await?;
        if budget_exhausted {
            on_tx!(&mut tx, c => sqlx::query("UPDATE runs SET budget_exhausted = TRUE WHERE id = $1")
                .bind(run_id)
                .execute(&mut *c)
                .await.map(|r| r.rows_affected()))?;
        }
        let (done, total): (i64, i64) = on_tx!(&mut tx, c => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM batches_done WHERE run_id = $1), \
             (SELECT batches FROM runs WHERE id = $1)",
        )
        .bind(run_id)
        .fetch_one(&mut *c)
        .await)?;
        let last = done >= total;
        if last {
            push(&mut tx, &[finish.to_vec()]).await?;
        }
        tx.commit().await?;
        Ok(last)
    }

    /// Whether edit batch `batch` of a run is recorded already.
    pub async fn batch_done(&self, run_id: &str, batch: i64) -> Result<bool, StoreError> {
        let n: i64 = on_db!(&self.db, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM batches_done WHERE run_id = $1 AND batch = $2",
        )
        .bind(run_id)
        .bind(batch)
        .fetch_one(c)
        .await)?;
        Ok(n > 0)
    }

    /// The number of changes of each run, by run id.
    pub async fn change_counts(
        &self,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let rows: Vec<(String, i64)> = on_db!(&self.db, c => sqlx::query_as("SELECT run_id, COUNT(*) FROM changes GROUP BY run_id")
                .fetch_all(c)
                .await)?;
        Ok(rows.into_iter().collect())
    }

    /// Pushes tasks to the run queue (their JSON arguments).
    pub async fn queue_tasks(&self, tasks: &[Vec<u8>]) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        push(&mut tx, tasks).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many edit batches of a run are done.
    pub async fn batches_done(&self, run_id: &str) -> Result<i64, StoreError> {
        let n = on_db!(&self.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM batches_done WHERE run_id = $1")
            .bind(run_id)
            .fetch_one(c)
            .await)?;
        Ok(n)
    }

    /// Ends a run that cannot go on: `queued` or `running` → `failed`, with the reason in
    /// the event. A run already finished is left as it is.
    pub async fn fail_run(
        &self,
        run_id: &str,
        reason: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let state: String = on_tx!(&mut tx, c => sqlx::query_scalar("SELECT state FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_one(&mut *c)
            .await)?;
        let state: RunState = state.parse()?;
        if state == RunState::Queued {
            move_run(
                &mut tx,
                run_id,
                RunState::Queued,
                RunState::Running,
                actor,
                "",
            )
            .await?;
        }
        if matches!(state, RunState::Queued | RunState::Running) {
            move_run(
                &mut tx,
                run_id,
                RunState::Running,
                RunState::Failed,
                actor,
                reason,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The drafts of a run, by path.
    pub async fn drafts(&self, run_id: &str) -> Result<Vec<Draft>, StoreError> {
        let rows = on_db!(&self.db, c => sqlx::query_as::<_, Draft>(
            "SELECT path, base_blob, new_content, attempts FROM drafts \
             WHERE run_id = $1 ORDER BY path",
        )
        .bind(run_id)
        .fetch_all(c)
        .await)?;
        Ok(rows)
    }

    /// The files a run skipped, by path.
    pub async fn skipped(&self, run_id: &str) -> Result<Vec<Skip>, StoreError> {
        let rows = on_db!(&self.db, c => sqlx::query_as::<_, Skip>(
            "SELECT path, reason FROM skipped WHERE run_id = $1 ORDER BY path",
        )
        .bind(run_id)
        .fetch_all(c)
        .await)?;
        Ok(rows)
    }

    /// Ends a run's work at once: writes every change, the run's QA record and moves it
    /// from `running` to `to`. Refused, writing nothing, when the run is not `running`.
    pub async fn settle_run(
        &self,
        run_id: &str,
        changes: &[NewChange],
        skipped: &[Skip],
        qa: &Value,
        to: RunState,
        actor: &str,
    ) -> Result<Run, StoreError> {
        let mut tx = self.write_tx().await?;
        for c in changes {
            upsert_change(&mut tx, c, actor).await?;
        }
        insert_skips(&mut tx, run_id, skipped).await?;
        on_tx!(&mut tx, c => sqlx::query("UPDATE runs SET qa = $1 WHERE id = $2")
            .bind(Json(qa))
            .bind(run_id)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM drafts WHERE run_id = $1")
            .bind(run_id)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        move_run(&mut tx, run_id, RunState::Running, to, actor, "").await?;
        tx.commit().await?;
        self.run_by_id(run_id).await
    }

    /// Moves one change of a run from `from` to `to` (a review decision), with its event
    /// and the reviewer's comment; refused when it is not `from` or the move is illegal.
    pub async fn decide_change(
        &self,
        run_id: &str,
        path: &str,
        to: ChangeState,
        actor: &str,
        comment: &str,
    ) -> Result<Change, StoreError> {
        self.decide_change_on(run_id, path, to, actor, comment, None)
            .await
    }

    /// [`Store::decide_change`], refused with `DiffChanged` when `diff_hash` is given and
    /// is not the change's diff hash now. The event records the diff hash decided on.
    pub async fn decide_change_on(
        &self,
        run_id: &str,
        path: &str,
        to: ChangeState,
        actor: &str,
        comment: &str,
        diff_hash: Option<&str>,
    ) -> Result<Change, StoreError> {
        let mut tx = self.write_tx().await?;
        let found: Option<(i64, String, String)> = on_tx!(&mut tx, c => sqlx::query_as(
            "SELECT id, state, diff_hash FROM changes WHERE run_id = $1 AND path = $2",
        )
        .bind(run_id)
        .bind(path)
        .fetch_optional(&mut *c)
        .await)?;
        let Some((id, state, current)) = found else {
            return Err(StoreError::NotFound {
                what: "change",
                key: format!("{run_id}:{path}"),
            });
        };
        let run_state: String = on_tx!(&mut tx, c => sqlx::query_scalar("SELECT state FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_one(&mut *c)
            .await)?;
        let run_state: RunState = run_state.parse()?;
        if run_state != RunState::AwaitingReview {
            return Err(StoreError::StateMismatch {
                run: run_id.to_string(),
                expected: RunState::AwaitingReview,
                found: run_state,
            });
        }
        if let Some(expected) = diff_hash.filter(|h| *h != current) {
            return Err(StoreError::DiffChanged {
                path: path.to_string(),
                expected: expected.to_string(),
                found: current,
            });
        }
        let from: ChangeState = state.parse()?;
        if !from.can_go_to(to) {
            return Err(StoreError::IllegalChange {
                path: path.to_string(),
                from,
                to,
            });
        }
        on_tx!(&mut tx, c => sqlx::query("UPDATE changes SET state = $1 WHERE id = $2 AND state = $3")
            .bind(to.as_str())
            .bind(id)
            .bind(from.as_str())
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        append_event(
            &mut tx,
            run_id,
            Some(id),
            Some(from.as_str()),
            to.as_str(),
            actor,
            comment,
        )
        .await?;
        // The write lock is held since BEGIN IMMEDIATE: the newest event is the one above.
        on_tx!(&mut tx, c => sqlx::query(
            "UPDATE events SET diff_hash = $1 \
             WHERE id = (SELECT MAX(id) FROM events WHERE run_id = $2)",
        )
        .bind(&current)
        .bind(run_id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query("UPDATE runs SET updated_at = $1 WHERE id = $2")
            .bind(Utc::now())
            .bind(run_id)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        self.change_by_id(id).await
    }

    /// Records what apply did, at once: applied and stale changes, the commit, and the
    /// run `applying` → `applied`.
    pub async fn record_apply(
        &self,
        run_id: &str,
        applied: &[String],
        stale: &[String],
        commit: Option<&str>,
        actor: &str,
    ) -> Result<Run, StoreError> {
        let mut tx = self.write_tx().await?;
        for (paths, to) in [(applied, ChangeState::Applied), (stale, ChangeState::Stale)] {
            for path in paths {
                let id: Option<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
                    "UPDATE changes SET state = $1 \
                     WHERE run_id = $2 AND path = $3 AND state = 'approved' RETURNING id",
                )
                .bind(to.as_str())
                .bind(run_id)
                .bind(path)
                .fetch_optional(&mut *c)
                .await)?;
                if let Some(id) = id {
                    let (from, to) = (ChangeState::Approved.as_str(), to.as_str());
                    append_event(&mut tx, run_id, Some(id), Some(from), to, actor, "").await?;
                }
            }
        }
        on_tx!(&mut tx, c => sqlx::query("UPDATE runs SET commit_id = $1 WHERE id = $2")
            .bind(commit)
            .bind(run_id)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        let detail = commit.unwrap_or("");
        move_run(
            &mut tx,
            run_id,
            RunState::Applying,
            RunState::Applied,
            actor,
            detail,
        )
        .await?;
        tx.commit().await?;
        self.run_by_id(run_id).await
    }
}
