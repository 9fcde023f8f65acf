//! The per-workspace apply lock: applying a run holds it, so two processes never write
//! or push the same workspace's branches at once; the second waits. On PostgreSQL it is
//! a session advisory lock on a connection of its own, on SQLite an exclusive lock on a
//! file beside the database. Both end with the process that holds them: a killed
//! worker never leaves a workspace locked.

use std::fs::File;
use std::path::PathBuf;

use sqlx::pool::PoolConnection;
use sqlx::{Connection, PgConnection, Postgres};

use super::{Db, Store, StoreError};

/// Advisory lock keys of workspaces start here ("swlk" in ASCII, shifted past any id).
const KEY_BASE: i64 = 0x7377_6c6b << 32;

/// A held workspace lock; dropping it (or [`WorkspaceLock::release`]) lets the next
/// waiter in.
#[derive(Debug)]
pub enum WorkspaceLock {
    /// The connection that holds the advisory lock, outside the pool: closing it frees
    /// the lock even when the holder never gets to unlock.
    Postgres(PgConnection),
    /// The locked file; the lock goes with the handle.
    File(File),
}

impl WorkspaceLock {
    /// Lets the next waiter in now.
    pub async fn release(self) {
        match self {
            WorkspaceLock::Postgres(conn) => {
                let _ = conn.close().await;
            }
            WorkspaceLock::File(file) => drop(file),
        }
    }
}

impl Store {
    /// Takes workspace `workspace_id`'s apply lock, waiting while another process holds it.
    pub async fn lock_workspace(&self, workspace_id: i64) -> Result<WorkspaceLock, StoreError> {
        match &self.db {
            Db::Postgres(pool) => {
                let conn: PoolConnection<Postgres> = pool.acquire().await?;
                let mut conn = conn.detach();
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(KEY_BASE + workspace_id)
                    .execute(&mut conn)
                    .await?;
                Ok(WorkspaceLock::Postgres(conn))
            }
            Db::Sqlite(_) => {
                let path = self.lock_file(workspace_id)?;
                let file = tokio::task::spawn_blocking(move || {
                    let file = File::options()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&path)?;
                    file.lock()?;
                    Ok::<_, std::io::Error>(file)
                })
                .await
                .map_err(|e| StoreError::Queue(format!("the lock task stopped: {e}")))?
                .map_err(|source| StoreError::DataDir {
                    path: self.locks_dir(),
                    source,
                })?;
                Ok(WorkspaceLock::File(file))
            }
        }
    }

    fn locks_dir(&self) -> PathBuf {
        self.dir.join("locks")
    }

    fn lock_file(&self, workspace_id: i64) -> Result<PathBuf, StoreError> {
        let dir = self.locks_dir();
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::DataDir {
            path: dir.clone(),
            source,
        })?;
        Ok(dir.join(format!("workspace-{workspace_id}.lock")))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::store::test_store;

    #[tokio::test]
    async fn a_second_lock_of_a_workspace_waits_until_the_first_is_released() {
        let (store, _dir) = test_store().await;
        let first = store.lock_workspace(1).await.unwrap();
        let other = store.lock_workspace(2).await.unwrap();
        let waiting = {
            let store = store.clone();
            tokio::spawn(async move { store.lock_workspace(1).await.unwrap() })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !waiting.is_finished(),
            "the second lock of workspace 1 waits"
        );
        first.release().await;
        let second = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("the waiter gets the lock once it is released")
            .unwrap();
        second.release().await;
        other.release().await;
    }
}
