//! External link checks (LNK-004): the last outcome of requesting each URL, the cache
//! `crate::links` reads before a check and writes after it. Freshness is the caller's
//! decision; the store keeps one row per URL, the newest.

use super::{on_db, on_tx};
use chrono::{DateTime, Utc};

use super::{Store, StoreError};

/// The outcome of requesting one URL, when it was requested.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkCheck {
    pub url: String,
    pub checked_at: DateTime<Utc>,
    /// The link works (an answer below 400 after redirects).
    pub ok: bool,
    /// The last answer's status, when there was one.
    pub status: Option<i64>,
    /// Where the redirects ended, when the link moved.
    pub final_url: Option<String>,
    /// Why there was no answer (DNS, connection, TLS, timeout).
    pub error: Option<String>,
}

/// URLs per `IN (...)` query: well under every database's limit on parameters.
const CHUNK: usize = 500;

impl Store {
    /// The stored checks of those of `urls` that were checked before.
    pub async fn link_checks(&self, urls: &[String]) -> Result<Vec<LinkCheck>, StoreError> {
        let mut out = Vec::new();
        for chunk in urls.chunks(CHUNK) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT url, checked_at, ok, status, final_url, error FROM link_checks \
                 WHERE url IN ({})",
                placeholders.join(", ")
            );
            let found = on_db!(&self.db, c => {
                let mut query = sqlx::query_as::<_, LinkCheck>(sqlx::AssertSqlSafe(sql));
                for url in chunk {
                    query = query.bind(url);
                }
                query.fetch_all(c).await
            })?;
            out.extend(found);
        }
        Ok(out)
    }

    /// Stores `checks`, each replacing the URL's earlier one, in one transaction.
    pub async fn save_link_checks(&self, checks: &[LinkCheck]) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for check in checks {
            on_tx!(&mut tx, c => sqlx::query(
                "INSERT INTO link_checks (url, checked_at, ok, status, final_url, error) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (url) DO UPDATE SET checked_at = excluded.checked_at, \
                 ok = excluded.ok, status = excluded.status, \
                 final_url = excluded.final_url, error = excluded.error",
            )
            .bind(&check.url)
            .bind(check.checked_at)
            .bind(check.ok)
            .bind(check.status)
            .bind(&check.final_url)
            .bind(&check.error)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store;

    #[tokio::test]
    async fn a_saved_check_is_read_back_and_a_newer_one_replaces_it() {
        let (store, _dir) = test_store().await;
        let at = DateTime::parse_from_rfc3339("2026-11-27T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut check = LinkCheck {
            url: "https://partner.example.org/offer".into(),
            checked_at: at,
            ok: false,
            status: Some(404),
            final_url: None,
            error: None,
        };
        store.save_link_checks(&[check.clone()]).await.unwrap();
        check.ok = true;
        check.status = Some(200);
        check.checked_at = at + chrono::Duration::hours(1);
        store.save_link_checks(&[check.clone()]).await.unwrap();
        let urls = vec![check.url.clone(), "https://other.example.org/".into()];
        assert_eq!(store.link_checks(&urls).await.unwrap(), vec![check]);
    }
}
