//! People and their credentials: users (an argon2 hash, never a password), browser
//! sessions and API tokens (SHA-256 of the token, never the token), and the idempotency
//! keys of started runs. Hashing and role checks happen in `web`; this file only stores.

use super::{on_db, on_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreError};

/// A local user.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct User {
    pub id: i64,
    pub name: String,
    /// The PHC string of the password's argon2 hash.
    pub password_hash: String,
    /// `viewer`, `editor`, `approver` or `admin`.
    pub role: String,
    pub created_at: DateTime<Utc>,
}

/// A live browser session: its user and the CSRF token its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

/// An API token as listed: whose it is and when it was made; never the token or its hash.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user: String,
    pub created_at: DateTime<Utc>,
}

/// What an `Idempotency-Key` holds when a run is started with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotency {
    /// The key is new and now reserved for this request.
    Reserved,
    /// The key started this run before.
    Started(String),
    /// Another request with the key is planning its run right now.
    InFlight,
}

const USER_COLUMNS: &str = "u.id, u.name, u.password_hash, u.role, u.created_at";

impl Store {
    /// Adds a user; its name must be new.
    pub async fn add_user(
        &self,
        name: &str,
        password_hash: &str,
        role: &str,
    ) -> Result<User, StoreError> {
        let inserted = on_db!(&self.db, c => sqlx::query_as::<_, User>(
            "INSERT INTO users (name, password_hash, role, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, name, password_hash, role, created_at",
        )
        .bind(name)
        .bind(password_hash)
        .bind(role)
        .bind(Utc::now())
        .fetch_one(c)
        .await);
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::UserExists {
                    name: name.to_string(),
                })
            }
            other => Ok(other?),
        }
    }

    /// The user with this name, if there is one.
    pub async fn user_by_name(&self, name: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.name = $1");
        Ok(
            on_db!(&self.db, c => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .fetch_optional(c)
            .await)?,
        )
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name");
        Ok(
            on_db!(&self.db, c => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await)?,
        )
    }

    /// Stores a session under the hash of its token.
    pub async fn add_session(
        &self,
        user_id: i64,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(Utc::now())
        .bind(expires_at)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The session whose token hashes to `token_hash`, unless it expired.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            csrf_token: String,
        }
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2"
        );
        let row = on_db!(&self.db, c => sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(Utc::now())
            .fetch_optional(c)
            .await)?;
        Ok(row.map(|r| Session {
            user: r.user,
            csrf_token: r.csrf_token,
        }))
    }

    /// Ends a session (logout).
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(c)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Stores an API token of `user_id` under its hash.
    pub async fn add_api_token(&self, user_id: i64, token_hash: &str) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query("INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(token_hash)
            .bind(Utc::now())
            .execute(c)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every API token, newest first, without its hash.
    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        Ok(on_db!(&self.db, c => sqlx::query_as::<_, ApiToken>(
            "SELECT t.id, u.name AS user, t.created_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
        )
        .fetch_all(c)
        .await)?)
    }

    /// The user of the API token that hashes to `token_hash`.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1"
        );
        Ok(
            on_db!(&self.db, c => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(c)
            .await)?,
        )
    }

    /// Reserves `key` of `user` for a new run, or says which run it started.
    pub async fn reserve_idempotency_key(
        &self,
        user: &str,
        key: &str,
    ) -> Result<Idempotency, StoreError> {
        let mut tx = self.write_tx().await?;
        let found: Option<(Option<String>,)> = on_tx!(&mut tx, c => sqlx::query_as("SELECT run_id FROM idempotency_keys WHERE user_name = $1 AND key = $2")
                .bind(user)
                .bind(key)
                .fetch_optional(&mut *c)
                .await)?;
        let outcome = match found {
            Some((Some(run),)) => Idempotency::Started(run),
            Some((None,)) => Idempotency::InFlight,
            None => {
                on_tx!(&mut tx, c => sqlx::query(
                    "INSERT INTO idempotency_keys (user_name, key, created_at) VALUES ($1, $2, $3)",
                )
                .bind(user)
                .bind(key)
                .bind(Utc::now())
                .execute(&mut *c)
                .await.map(|r| r.rows_affected()))?;
                Idempotency::Reserved
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records the run a reserved key started.
    pub async fn fill_idempotency_key(
        &self,
        user: &str,
        key: &str,
        run_id: &str,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query("UPDATE idempotency_keys SET run_id = $1 WHERE user_name = $2 AND key = $3")
            .bind(run_id)
            .bind(user)
            .bind(key)
            .execute(c)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Frees a reserved key whose run could not be started, so a retry may start it.
    pub async fn release_idempotency_key(&self, user: &str, key: &str) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query(
            "DELETE FROM idempotency_keys WHERE user_name = $1 AND key = $2 AND run_id IS NULL",
        )
        .bind(user)
        .bind(key)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::runs::tests::store_with_run;
    use crate::store::test_store;

    #[tokio::test]
    async fn a_user_reads_back_by_name_and_a_second_with_that_name_is_refused() {
        let (store, _dir) = test_store().await;
        let ana = store
            .add_user("ana", "$argon2id$x", "editor")
            .await
            .unwrap();
        assert_eq!(store.user_by_name("ana").await.unwrap(), Some(ana.clone()));
        assert_eq!(store.users().await.unwrap(), vec![ana]);
        let err = store.add_user("ana", "h", "admin").await.unwrap_err();
        assert!(matches!(err, StoreError::UserExists { .. }), "{err}");
    }

    #[tokio::test]
    async fn api_tokens_are_listed_with_their_user_and_never_their_hash() {
        let (store, _dir) = test_store().await;
        let ana = store.add_user("ana", "h", "editor").await.unwrap();
        store.add_api_token(ana.id, "hash-1").await.unwrap();
        store.add_api_token(ana.id, "hash-2").await.unwrap();
        let listed = store.api_tokens().await.unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|t| t.user == "ana"));
        assert!(listed[0].id > listed[1].id, "newest first");
    }

    #[tokio::test]
    async fn a_session_is_found_by_its_hash_until_it_expires_or_ends() {
        let (store, _dir) = test_store().await;
        let ana = store.add_user("ana", "h", "viewer").await.unwrap();
        let later = Utc::now() + chrono::Duration::hours(1);
        store
            .add_session(ana.id, "live", "csrf1", later)
            .await
            .unwrap();
        let past = Utc::now() - chrono::Duration::hours(1);
        store
            .add_session(ana.id, "old", "csrf2", past)
            .await
            .unwrap();
        let live = store.session("live").await.unwrap().unwrap();
        assert_eq!(
            (live.user.name.as_str(), live.csrf_token.as_str()),
            ("ana", "csrf1")
        );
        assert_eq!(store.session("old").await.unwrap(), None);
        store.delete_session("live").await.unwrap();
        assert_eq!(store.session("live").await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_api_token_names_its_user() {
        let (store, _dir) = test_store().await;
        let bo = store.add_user("bo", "h", "approver").await.unwrap();
        store.add_api_token(bo.id, "t1").await.unwrap();
        assert_eq!(
            store.token_user("t1").await.unwrap().map(|u| u.name),
            Some("bo".into())
        );
        assert_eq!(store.token_user("t2").await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_idempotency_key_is_reserved_once_then_names_its_run() {
        let (store, _dir) = store_with_run().await;
        let first = store.reserve_idempotency_key("ana", "k").await.unwrap();
        assert_eq!(first, Idempotency::Reserved);
        let again = store.reserve_idempotency_key("ana", "k").await.unwrap();
        assert_eq!(again, Idempotency::InFlight);
        let other_user = store.reserve_idempotency_key("bo", "k").await.unwrap();
        assert_eq!(other_user, Idempotency::Reserved);
        store.release_idempotency_key("bo", "k").await.unwrap();
        assert_eq!(
            store.reserve_idempotency_key("bo", "k").await.unwrap(),
            Idempotency::Reserved
        );
        store.fill_idempotency_key("ana", "k", "r1").await.unwrap();
        store.release_idempotency_key("ana", "k").await.unwrap();
        assert_eq!(
            store.reserve_idempotency_key("ana", "k").await.unwrap(),
            Idempotency::Started("r1".into())
        );
    }
}
