//! Opening the SQLite file in the data directory, durable (WAL, `synchronous = NORMAL`,
//! foreign keys on, a busy timeout), or the PostgreSQL server `DATABASE_URL` names, and
//! applying Sitewide's embedded migrations for that database (and the queue's own).
//!
//! The migrations are recorded in `sitewide_migrations`, not sqlx's default
//! `_sqlx_migrations`, because apalis-sqlite's `setup()` runs its own migrations into
//! that table. apalis also turns `synchronous` off on the connection it configures;
//! [`open`] sets it back on every connection of this pool.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlSafeStr, SqlitePool};

use super::StoreError;

/// The SQLite file's name inside the data directory.
pub const DB_FILE: &str = "sitewide.db";

/// The table that records which of Sitewide's migrations were applied.
pub const MIGRATIONS_TABLE: &str = "sitewide_migrations";

/// How long a writer waits for another writer's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Sitewide's SQLite migrations, in order; `migrations/postgres/` holds the same numbers.
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "runs",
        include_str!("../../migrations/sqlite/0002_runs.sql"),
    ),
    (
        3,
        "model_calls",
        include_str!("../../migrations/sqlite/0003_model_calls.sql"),
    ),
    (
        4,
        "web",
        include_str!("../../migrations/sqlite/0004_web.sql"),
    ),
    (
        5,
        "webhooks",
        include_str!("../../migrations/sqlite/0005_webhooks.sql"),
    ),
    (
        6,
        "audits",
        include_str!("../../migrations/sqlite/0006_audits.sql"),
    ),
    (
        7,
        "schedule",
        include_str!("../../migrations/sqlite/0007_schedule.sql"),
    ),
    (
        8,
        "remotes",
        include_str!("../../migrations/sqlite/0008_remotes.sql"),
    ),
    (
        9,
        "link_checks",
        include_str!("../../migrations/sqlite/0009_link_checks.sql"),
    ),
];

/// The same migrations for PostgreSQL, number for number.
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "runs",
        include_str!("../../migrations/postgres/0002_runs.sql"),
    ),
    (
        3,
        "model_calls",
        include_str!("../../migrations/postgres/0003_model_calls.sql"),
    ),
    (
        4,
        "web",
        include_str!("../../migrations/postgres/0004_web.sql"),
    ),
    (
        5,
        "webhooks",
        include_str!("../../migrations/postgres/0005_webhooks.sql"),
    ),
    (
        6,
        "audits",
        include_str!("../../migrations/postgres/0006_audits.sql"),
    ),
    (
        7,
        "schedule",
        include_str!("../../migrations/postgres/0007_schedule.sql"),
    ),
    (
        8,
        "remotes",
        include_str!("../../migrations/postgres/0008_remotes.sql"),
    ),
    (
        9,
        "link_checks",
        include_str!("../../migrations/postgres/0009_link_checks.sql"),
    ),
];

/// The database file for a data directory.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DB_FILE)
}

/// Opens (creating when missing) the data directory's SQLite file and migrates it.
pub async fn open(data_dir: &Path) -> Result<SqlitePool, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let path = db_path(data_dir);
    let options = SqliteConnectOptions::from_str("sqlite:")
        .map_err(|source| StoreError::open(&path, source))?
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    // apalis's `setup()` creates its tables (recorded in `_sqlx_migrations`) and turns
    // `synchronous` off on the connection it runs on: give it a connection of its own
    // and close it, so every connection Sitewide uses keeps `synchronous = NORMAL`.
    let setup = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .map_err(|source| StoreError::open(&path, source))?;
    apalis_sqlite::SqliteStorage::setup(&setup)
        .await
        .map_err(|e| StoreError::Queue(e.to_string()))?;
    setup.close().await;
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::open(&path, source))?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Connects to the PostgreSQL server `url` names and migrates it: the queue's tables
/// (in their own schema) and Sitewide's. Many processes may start at once: both
/// migrators hold a lock on the database while they run.
pub async fn connect_postgres(url: &str) -> Result<PgPool, StoreError> {
    let shown = PathBuf::from(redact_url(url));
    let options =
        PgConnectOptions::from_str(url).map_err(|source| StoreError::open(&shown, source))?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(BUSY_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::open(&shown, source))?;
    apalis_postgres::PostgresStorage::setup(&pool)
        .await
        .map_err(|e| StoreError::Queue(e.to_string()))?;
    migrator(POSTGRES_MIGRATIONS)
        .run(&pool)
        .await
        .map_err(StoreError::Migrate)?;
    Ok(pool)
}

/// `url` with its user, password and any `password=` parameter hidden, for messages and
/// logs.
pub fn redact_url(url: &str) -> String {
    static PARAM: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)([?&]password=)[^&#\s]*").ok());
    let url = crate::workspace::redact(url);
    match &*PARAM {
        Some(re) => re.replace_all(&url, "${1}***").into_owned(),
        None => url,
    }
}

/// Applies the migrations not yet applied; running it again changes nothing.
pub async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    migrator(SQLITE_MIGRATIONS)
        .run(pool)
        .await
        .map_err(StoreError::Migrate)
}

fn migrator(list: &[(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = list
        .iter()
        .map(|&(version, name, sql)| {
            Migration::new(
                version,
                name.into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql_files(dir: &str) -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_database_url_is_shown_without_its_password() {
        assert_eq!(
            redact_url("postgres://sw:s3cret@db:5432/sitewide?sslmode=require&password=x"),
            "postgres://***@db:5432/sitewide?sslmode=require&password=***"
        );
    }

    #[test]
    fn the_sqlite_and_postgres_migration_folders_hold_the_same_file_names() {
        let sqlite = sql_files("migrations/sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, sql_files("migrations/postgres"));
    }

    #[test]
    fn every_migration_file_is_embedded_with_its_number_and_name() {
        for (list, dir) in [
            (SQLITE_MIGRATIONS, "migrations/sqlite"),
            (POSTGRES_MIGRATIONS, "migrations/postgres"),
        ] {
            let embedded: Vec<String> = list
                .iter()
                .map(|(v, name, _)| format!("{v:04}_{name}.sql"))
                .collect();
            assert_eq!(embedded, sql_files(dir));
        }
    }

    #[tokio::test]
    async fn migrations_apply_twice_into_their_own_table() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(dir.path()).await.unwrap();
        migrate(&pool).await.unwrap();
        drop(pool);
        let pool = open(dir.path()).await.unwrap();
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sitewide_migrations")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(applied, SQLITE_MIGRATIONS.len() as i64);
        let sqlx_table: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = '_sqlx_migrations'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(sqlx_table, 1, "apalis records its own migrations there");
        let jobs: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'Jobs'")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(jobs, 1, "the queue's table lives in the same file");
    }

    #[tokio::test]
    async fn the_database_is_in_wal_mode_with_synchronous_normal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(dir.path()).await.unwrap();
        assert!(db_path(dir.path()).is_file());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        // 1 is NORMAL (0 OFF, 2 FULL, 3 EXTRA), on every connection of the pool, even
        // after apalis's setup turned it off on its own connection.
        let mut held = Vec::new();
        for _ in 0..8 {
            let mut conn = pool.acquire().await.unwrap();
            let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(sync, 1);
            held.push(conn);
        }
        drop(held);
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(fk, 1);
    }
}
