//! The store: workspaces, specs (the text as run), runs, changes, audit reports and the
//! append-only event log, in one SQLite file in the data directory (Postgres later, same schema).
//! SQL lives only here, behind functions named for intent; writes that belong together
//! are one transaction, and inserts are idempotent on their natural key.

mod audits;
mod changes;
mod history;
mod ledger;
mod pool;
mod records;
mod runs;
mod slots;
mod states;
mod users;
mod webhooks;
mod work;

use std::path::{Path, PathBuf};

use sqlx::SqlitePool;

pub use changes::{Change, ChangeStatus, ChangeSummary, NewChange};
pub use history::AuditPoint;
pub use ledger::{Estimate, Limits, NewReceipt, Reservation, Spent};
pub use pool::{DB_FILE, MIGRATIONS_TABLE, db_path};
pub use records::{StoredSpec, Workspace};
pub use runs::{Event, NewRun, Run};
pub use states::{ChangeState, RunState, UnknownState};
pub use users::{ApiToken, Idempotency, Session, User};
pub use work::{Draft, QUEUE, Skip};

/// Sitewide's database: a pool over the data directory's SQLite file.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating and migrating when needed) the store in `data_dir`.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            pool: pool::open(data_dir).await?,
        })
    }

    /// The pool, for the queue that shares this database file.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that takes SQLite's write lock at its start (`BEGIN
    /// IMMEDIATE`): a transaction that reads and then writes never fails half way on a lock
    /// upgrade, and another writer waits (up to the busy timeout) instead.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot create the data directory {}: {source}\n  hint: pass a writable --data-dir or set SITEWIDE_DATA_DIR",
        path.display()
    )]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot open the database {}: {source}\n  hint: check the file's permissions, or that it is a Sitewide SQLite file",
        path.display()
    )]
    Open { path: PathBuf, source: sqlx::Error },
    #[error(
        "cannot migrate the database: {0}\n  hint: a newer Sitewide may have written it; never edit an applied migration"
    )]
    Migrate(sqlx::migrate::MigrateError),
    #[error("cannot set up the task queue: {0}")]
    Queue(String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("no {what} {key:?}\n  hint: `sitewide runs` lists the runs there are")]
    NotFound { what: &'static str, key: String },
    #[error(
        "a workspace named {name:?} exists already\n  hint: pick another name or use the existing one"
    )]
    WorkspaceExists { name: String },
    #[error("a user named {name:?} exists already\n  hint: pick another name")]
    UserExists { name: String },
    #[error(
        "{path}: the diff changed since it was shown (it was {expected}, it is {found})\n  hint: read the change again and decide on what it is now"
    )]
    DiffChanged {
        path: String,
        expected: String,
        found: String,
    },
    #[error("run {run}: a run cannot go from {from} to {to}")]
    IllegalTransition {
        run: String,
        from: RunState,
        to: RunState,
    },
    #[error(
        "run {run} is {found}, not {expected}\n  hint: another worker moved it first; read it again"
    )]
    StateMismatch {
        run: String,
        expected: RunState,
        found: RunState,
    },
    #[error(
        "{path}: a change cannot go from {from} to {to}\n  hint: only proposed changes can be approved; blocked ones must be fixed and run again"
    )]
    IllegalChange {
        path: String,
        from: ChangeState,
        to: ChangeState,
    },
    #[error("the database holds {0}\n  hint: it was written by a newer Sitewide")]
    Corrupt(#[from] UnknownState),
}

impl StoreError {
    fn open(path: &Path, source: sqlx::Error) -> StoreError {
        StoreError::Open {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A temporary store for tests: the directory lives as long as the returned guard.
#[cfg(test)]
pub(crate) async fn test_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open store");
    (store, dir)
}
