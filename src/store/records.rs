//! Workspaces (the repositories runs work on) and specs (the spec text exactly as run).

use super::on_db;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreError};

/// A registered git workspace.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Workspace {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub default_branch: String,
    pub created_at: DateTime<Utc>,
    /// A remote workspace's settings as JSON (URL, where its credential is found, its
    /// forge); `path` is then its clone in the data directory. `None` for a local one.
    pub remote: Option<String>,
}

/// A job spec's text as a run used it, with its hash.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredSpec {
    pub id: i64,
    pub name: String,
    pub text: String,
    pub hash: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Registers a local workspace; its name must be new.
    pub async fn add_workspace(
        &self,
        name: &str,
        path: &str,
        default_branch: &str,
    ) -> Result<Workspace, StoreError> {
        self.add_remote_workspace(name, path, default_branch, None)
            .await
    }

    /// Registers a workspace, with a remote one's settings (JSON, never a credential);
    /// its name must be new.
    pub async fn add_remote_workspace(
        &self,
        name: &str,
        path: &str,
        default_branch: &str,
        remote: Option<&str>,
    ) -> Result<Workspace, StoreError> {
        let inserted = on_db!(&self.db, c => sqlx::query_as::<_, Workspace>(
            "INSERT INTO workspaces (name, path, default_branch, created_at, remote) \
             VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, name, path, default_branch, created_at, remote",
        )
        .bind(name)
        .bind(path)
        .bind(default_branch)
        .bind(Utc::now())
        .bind(remote)
        .fetch_one(c)
        .await);
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::WorkspaceExists {
                    name: name.to_string(),
                })
            }
            other => Ok(other?),
        }
    }

    /// Every registered workspace, by name.
    pub async fn workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        let all = on_db!(&self.db, c => sqlx::query_as::<_, Workspace>(
            "SELECT id, name, path, default_branch, created_at, remote FROM workspaces ORDER BY name",
        )
        .fetch_all(c)
        .await)?;
        Ok(all)
    }

    /// The workspace with this name, if there is one.
    pub async fn workspace_by_name(&self, name: &str) -> Result<Option<Workspace>, StoreError> {
        let found = on_db!(&self.db, c => sqlx::query_as::<_, Workspace>(
            "SELECT id, name, path, default_branch, created_at, remote FROM workspaces WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(c)
        .await)?;
        Ok(found)
    }

    /// The workspace with this id.
    pub async fn workspace_by_id(&self, id: i64) -> Result<Workspace, StoreError> {
        on_db!(&self.db, c => sqlx::query_as::<_, Workspace>(
            "SELECT id, name, path, default_branch, created_at, remote FROM workspaces WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await)?
        .ok_or_else(|| StoreError::NotFound {
            what: "workspace",
            key: id.to_string(),
        })
    }

    /// Records a spec's text as a run will use it.
    pub async fn add_spec(
        &self,
        name: &str,
        text: &str,
        hash: &str,
    ) -> Result<StoredSpec, StoreError> {
        let spec = on_db!(&self.db, c => sqlx::query_as::<_, StoredSpec>(
            "INSERT INTO specs (name, text, hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, name, text, hash, created_at",
        )
        .bind(name)
        .bind(text)
        .bind(hash)
        .bind(Utc::now())
        .fetch_one(c)
        .await)?;
        Ok(spec)
    }

    /// The spec with this id, if there is one.
    pub async fn spec_by_id(&self, id: i64) -> Result<Option<StoredSpec>, StoreError> {
        let found = on_db!(&self.db, c => sqlx::query_as::<_, StoredSpec>(
            "SELECT id, name, text, hash, created_at FROM specs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await)?;
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{StoreError, test_store};

    #[tokio::test]
    async fn a_workspace_reads_back_by_name_as_it_was_added() {
        let (store, _dir) = test_store().await;
        let added = store
            .add_workspace("site", "/srv/site", "main")
            .await
            .unwrap();
        let read = store.workspace_by_name("site").await.unwrap().unwrap();
        assert_eq!(read, added);
        assert_eq!(read.path, "/srv/site");
        assert!(store.workspace_by_name("other").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_second_workspace_with_the_same_name_is_refused() {
        let (store, _dir) = test_store().await;
        store.add_workspace("site", "/a", "main").await.unwrap();
        let err = store.add_workspace("site", "/b", "main").await.unwrap_err();
        assert!(matches!(err, StoreError::WorkspaceExists { .. }), "{err}");
    }

    #[tokio::test]
    async fn a_spec_text_reads_back_byte_for_byte() {
        let (store, _dir) = test_store().await;
        let text = "name = \"x\"\n# ünïcode\n";
        let spec = store.add_spec("x", text, "abc123").await.unwrap();
        let read = store.spec_by_id(spec.id).await.unwrap().unwrap();
        assert_eq!(read.text, text);
        assert_eq!(read, spec);
    }
}
