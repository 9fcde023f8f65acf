//! The store: workspaces, specs (the text as run), runs, changes, audit reports and the
//! append-only event log: in one SQLite file in the data directory, or in PostgreSQL when
//! `DATABASE_URL` names one (the same schema, its own migrations, the same SQL text).
//! SQL lives only here, behind functions named for intent; writes that belong together
//! are one transaction, and inserts are idempotent on their natural key.

mod audits;
mod changes;
mod history;
mod ledger;
mod link_checks;
mod locks;
mod pool;
mod pushes;
mod records;
mod runs;
mod slots;
mod states;
mod users;
mod webhooks;
mod work;

use std::path::{Path, PathBuf};

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub use changes::{Change, ChangeStatus, ChangeSummary, NewChange};
pub use history::AuditPoint;
pub use ledger::{Estimate, Limits, NewReceipt, Reservation, Spent};
pub use link_checks::LinkCheck;
pub use locks::WorkspaceLock;
pub use pool::{DB_FILE, MIGRATIONS_TABLE, db_path, redact_url};
pub use pushes::Push;
pub use records::{StoredSpec, Workspace};
pub use runs::{Event, NewRun, Run};
pub use states::{ChangeState, RunState, UnknownState};
pub use users::{ApiToken, Idempotency, Session, User};
pub use work::{Draft, QUEUE, Skip};

/// Sitewide's database: a pool over the data directory's SQLite file or a PostgreSQL
/// server.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// The data directory (the SQLite file and the apply locks beside it).
    dir: PathBuf,
}

/// The pool of whichever database the store is on.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A write transaction on either database.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Runs `$body` once per database with `$c` bound to the store's pool (an executor):
/// the same SQL text serves both, and the body is checked against both drivers' types.
macro_rules! on_db {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($c) => $body,
            $crate::store::Db::Postgres($c) => $body,
        }
    };
}

/// As [`on_db`], inside a write transaction: `$c` is the transaction's connection
/// (`&mut *$c` is the executor).
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use {on_db, on_tx};

impl Store {
    /// Opens (creating and migrating when needed) the SQLite store in `data_dir`.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            db: Db::Sqlite(pool::open(data_dir).await?),
            dir: data_dir.to_path_buf(),
        })
    }

    /// Opens the store `database_url` names (`postgres://…`), migrating it when needed;
    /// without one, the SQLite store in `data_dir`.
    pub async fn connect(database_url: Option<&str>, data_dir: &Path) -> Result<Store, StoreError> {
        match database_url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Store::open(data_dir).await,
            Some(url) => {
                // The data directory still holds the clone cache, the runs' working
                // folders and the apply locks' fallback.
                std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
                    path: data_dir.to_path_buf(),
                    source,
                })?;
                Ok(Store {
                    db: Db::Postgres(pool::connect_postgres(url).await?),
                    dir: data_dir.to_path_buf(),
                })
            }
        }
    }

    /// The database, for the queue that shares it.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Closes the pool: waits for the connections in use and closes them all.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Whether the store is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// A write transaction that holds the database's one write lock from its start:
    /// SQLite's `BEGIN IMMEDIATE`, and on PostgreSQL a transaction-level advisory lock
    /// every write transaction takes. A transaction that reads and then writes (a batch
    /// that counts the batches done, a state move that checks the state) sees every
    /// other writer's work, on one machine or many; another writer waits instead.
    async fn write_tx(&self) -> Result<Tx, StoreError> {
        Ok(match &self.db {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }
}

/// The advisory lock key every PostgreSQL write transaction takes ("sitewide" in ASCII).
const WRITE_LOCK: i64 = 0x7369_7465_7769_6465;

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
        "cannot open the database {}: {source}\n  hint: for a SQLite file, check its permissions and that Sitewide wrote it; for DATABASE_URL, that the server answers and the user and password are right",
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

/// A temporary store for tests: the directory lives as long as the returned guard. With
/// `SITEWIDE_TEST_STORE_POSTGRES` set to a server's URL, the store is a new database on
/// that server instead, so the store's tests run on PostgreSQL too.
#[cfg(test)]
pub(crate) async fn test_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = match std::env::var("SITEWIDE_TEST_STORE_POSTGRES") {
        Ok(server) if !server.is_empty() => Some(
            new_database(&server)
                .await
                .expect("a database on SITEWIDE_TEST_STORE_POSTGRES"),
        ),
        _ => None,
    };
    let store = Store::connect(url.as_deref(), dir.path())
        .await
        .expect("open store");
    (store, dir)
}

/// Creates an empty database with a new name (`sw_…`) on the PostgreSQL server `server`
/// (a URL naming any database there); returns its URL. The tests and benchmarks on
/// PostgreSQL make one each, so none sees another's tables.
pub async fn new_database(server: &str) -> Result<String, sqlx::Error> {
    use sqlx::ConnectOptions;
    let options: sqlx::postgres::PgConnectOptions = server.parse()?;
    let mut conn = options.connect().await?;
    let name = format!("sw_{}", ulid::Ulid::generate().to_string().to_lowercase());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    Ok(options.database(&name).to_url_lossy().to_string())
}
