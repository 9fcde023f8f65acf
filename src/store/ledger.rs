//! The ledger of model calls: before a call, a lease reserves its estimated spend if the
//! run's budgets, its concurrency and the provider's rate limits allow it; after the call
//! the lease becomes a receipt with the real figures. Both happen in one transaction each,
//! and every process sharing the database sees the same leases, so N workers together stay
//! inside the limits. A lease of a process that died expires.

use super::{Tx, on_db, on_tx};
use std::time::Duration;

use serde_json::Value;
use sqlx::types::Json;

use super::{Store, StoreError};

/// What a call is expected to spend.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimate {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
}

/// The limits a call must fit: the run's budget and concurrency, the provider's rates.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub max_input_tokens: Option<u64>,
    pub max_output_tokens: Option<u64>,
    pub max_cost_usd: Option<f64>,
    /// Calls of this run in flight at once, across all workers.
    pub concurrency: u32,
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u64>,
}

/// The answer to a reservation.
#[derive(Debug, Clone, PartialEq)]
pub enum Reservation {
    /// Go: the lease to end with the call's receipt.
    Granted(String),
    /// Not now: the run's concurrency or the provider's rate is at its limit.
    Wait(String),
    /// Never: a budget would be exceeded; the reason says which.
    Exhausted(String),
}

/// A finished call, for its receipt.
#[derive(Debug, Clone)]
pub struct NewReceipt {
    pub run_id: String,
    pub path: String,
    pub attempt: u32,
    pub provider: String,
    pub model_requested: String,
    pub model_answered: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub outcome: String,
    /// The whole receipt as JSON (request, response, timings), secrets already redacted.
    pub body: Value,
}

/// What a run has spent: receipts, plus leases in flight when `with_leases`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spent {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub calls: u64,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    /// Reserves a call of `run_id` to `provider` expected to spend `estimate`, for at most
    /// `lease_for`; see [`Reservation`].
    pub async fn reserve_call(
        &self,
        run_id: &str,
        provider: &str,
        estimate: Estimate,
        limits: &Limits,
        lease_for: Duration,
    ) -> Result<Reservation, StoreError> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        // The transaction holds the write lock from its start, so two processes never
        // both see room for the last call.
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM call_leases WHERE expires_ms < $1")
            .bind(now)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        let (in_r, out_r, cost_r): (i64, i64, f64) = on_tx!(&mut tx, c => sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT), \
             COALESCE(SUM(cost_usd), 0.0) FROM receipts WHERE run_id = $1",
        )
        .bind(run_id)
        .fetch_one(&mut *c)
        .await)?;
        let (in_l, out_l, cost_l, flying): (i64, i64, f64, i64) = on_tx!(&mut tx, c => sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT), \
             COALESCE(SUM(cost_usd), 0.0), COUNT(*) FROM call_leases WHERE run_id = $1",
        )
        .bind(run_id)
        .fetch_one(&mut *c)
        .await)?;
        let exhausted: bool = on_tx!(&mut tx, c => sqlx::query_scalar("SELECT budget_exhausted FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_one(&mut *c)
            .await)?;
        if exhausted {
            tx.commit().await?;
            return Ok(Reservation::Exhausted(
                "budget: the run's budget is exhausted; no new call is started".into(),
            ));
        }
        let input = (in_r + in_l) as u64 + estimate.input_tokens;
        let output = (out_r + out_l) as u64 + estimate.output_tokens;
        let cost = cost_r + cost_l + estimate.cost_usd;
        let over = |what: &str, limit: String, would: String| {
            Reservation::Exhausted(format!(
                "budget: {what} = {limit} would be exceeded (spent and in flight with this call: {would})"
            ))
        };
        let refusal = if let Some(max) = limits.max_input_tokens.filter(|m| input > *m) {
            Some(over("max_input_tokens", max.to_string(), input.to_string()))
        } else if let Some(max) = limits.max_output_tokens.filter(|m| output > *m) {
            Some(over(
                "max_output_tokens",
                max.to_string(),
                output.to_string(),
            ))
        } else {
            limits
                .max_cost_usd
                .filter(|m| cost > *m)
                .map(|max| over("max_cost_usd", format!("{max:.2}"), format!("{cost:.4}")))
        };
        if let Some(refusal) = refusal {
            // The run stops starting work: every later reservation is refused too.
            on_tx!(&mut tx, c => sqlx::query("UPDATE runs SET budget_exhausted = TRUE WHERE id = $1")
                .bind(run_id)
                .execute(&mut *c)
                .await.map(|r| r.rows_affected()))?;
            tx.commit().await?;
            return Ok(refusal);
        }
        if flying >= i64::from(limits.concurrency.max(1)) {
            return Ok(Reservation::Wait(format!(
                "{flying} calls of this run in flight (concurrency = {})",
                limits.concurrency
            )));
        }
        if let Some(wait) = self
            .rate_limited(&mut tx, provider, estimate, limits, now)
            .await?
        {
            return Ok(Reservation::Wait(wait));
        }
        let id = ulid::Ulid::generate().to_string();
        on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO call_leases (id, run_id, provider, input_tokens, output_tokens, \
             cost_usd, started_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(run_id)
        .bind(provider)
        .bind(estimate.input_tokens as i64)
        .bind(estimate.output_tokens as i64)
        .bind(estimate.cost_usd)
        .bind(now)
        .bind(now + lease_for.as_millis() as i64)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        Ok(Reservation::Granted(id))
    }

    /// Why `provider` has no room in the last minute, if it has none: requests (receipts
    /// and leases) and tokens against its per-minute limits.
    async fn rate_limited(
        &self,
        tx: &mut Tx,
        provider: &str,
        estimate: Estimate,
        limits: &Limits,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        if limits.requests_per_minute.is_none() && limits.tokens_per_minute.is_none() {
            return Ok(None);
        }
        let since = now - 60_000;
        let (calls, tokens): (i64, i64) = on_tx!(&mut *tx, c => sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(input_tokens + output_tokens), 0) AS BIGINT) FROM ( \
             SELECT input_tokens, output_tokens FROM receipts \
             WHERE provider = $1 AND created_ms >= $2 \
             UNION ALL SELECT input_tokens, output_tokens FROM call_leases WHERE provider = $1) AS recent",
        )
        .bind(provider)
        .bind(since)
        .fetch_one(&mut *c)
        .await)?;
        if let Some(rpm) = limits.requests_per_minute
            && calls >= i64::from(rpm)
        {
            return Ok(Some(format!(
                "{provider}: {calls} requests in the last minute (requests_per_minute = {rpm})"
            )));
        }
        if let Some(tpm) = limits.tokens_per_minute {
            let would = tokens as u64 + estimate.input_tokens + estimate.output_tokens;
            // A call bigger than the whole minute's allowance goes alone.
            if would > tpm && tokens > 0 {
                return Ok(Some(format!(
                    "{provider}: {tokens} tokens in the last minute (tokens_per_minute = {tpm})"
                )));
            }
        }
        Ok(None)
    }

    /// Ends a call: its lease goes and its receipts (one per HTTP attempt) are stored, at
    /// once. Returns the receipts' ids.
    pub async fn end_call(
        &self,
        lease: &str,
        receipts: &[NewReceipt],
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.write_tx().await?;
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM call_leases WHERE id = $1")
            .bind(lease)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        let mut ids = Vec::with_capacity(receipts.len());
        for receipt in receipts {
            let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
                "INSERT INTO receipts (run_id, path, attempt, provider, model_requested, \
                 model_answered, input_tokens, output_tokens, cost_usd, outcome, body, \
                 created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 RETURNING id",
            )
            .bind(&receipt.run_id)
            .bind(&receipt.path)
            .bind(i64::from(receipt.attempt))
            .bind(&receipt.provider)
            .bind(&receipt.model_requested)
            .bind(&receipt.model_answered)
            .bind(receipt.input_tokens as i64)
            .bind(receipt.output_tokens as i64)
            .bind(receipt.cost_usd)
            .bind(&receipt.outcome)
            .bind(Json(&receipt.body))
            .bind(now_ms())
            .fetch_one(&mut *c)
            .await)?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Gives a lease back without a receipt (the call was never made).
    pub async fn release_call(&self, lease: &str) -> Result<(), StoreError> {
        on_db!(&self.db, c => sqlx::query("DELETE FROM call_leases WHERE id = $1")
            .bind(lease)
            .execute(c)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every receipt of a run, oldest first, each its JSON body with `id`, `file` and
    /// `attempt` added.
    pub async fn receipts(&self, run_id: &str) -> Result<Vec<Value>, StoreError> {
        let rows: Vec<(i64, String, i64, Json<Value>)> = on_db!(&self.db, c => sqlx::query_as(
            "SELECT id, path, attempt, body FROM receipts WHERE run_id = $1 ORDER BY id",
        )
        .bind(run_id)
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, path, attempt, Json(mut body))| {
                if let Some(o) = body.as_object_mut() {
                    // The receipt's own `attempt` counts HTTP tries of one call; `attempt`
                    // here is the change's attempt, as in its `attempts`.
                    if let Some(tries) = o.remove("attempt") {
                        o.insert("http_attempt".into(), tries);
                    }
                    o.insert("id".into(), id.into());
                    o.insert("file".into(), path.into());
                    o.insert("attempt".into(), attempt.into());
                }
                body
            })
            .collect())
    }

    /// What a run's calls spent, by their receipts.
    pub async fn spent(&self, run_id: &str) -> Result<Spent, StoreError> {
        let (input, output, cost, calls): (i64, i64, f64, i64) = on_db!(&self.db, c => sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT), \
             COALESCE(SUM(cost_usd), 0.0), COUNT(*) FROM receipts WHERE run_id = $1",
        )
        .bind(run_id)
        .fetch_one(c)
        .await)?;
        Ok(Spent {
            input_tokens: input as u64,
            output_tokens: output as u64,
            cost_usd: cost,
            calls: calls as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::runs::tests::store_with_run;

    fn receipt(tokens: u64, cost: f64) -> NewReceipt {
        NewReceipt {
            run_id: "r1".into(),
            path: "a.html".into(),
            attempt: 1,
            provider: "p".into(),
            model_requested: "m".into(),
            model_answered: Some("m".into()),
            input_tokens: tokens,
            output_tokens: tokens / 10,
            cost_usd: cost,
            outcome: "ok".into(),
            body: serde_json::json!({"outcome": "ok"}),
        }
    }

    fn est(tokens: u64, cost: f64) -> Estimate {
        Estimate {
            input_tokens: tokens,
            output_tokens: tokens / 10,
            cost_usd: cost,
        }
    }

    const LEASE: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn concurrency_holds_until_a_call_ends() {
        let (store, _dir) = store_with_run().await;
        let limits = Limits {
            concurrency: 2,
            ..Limits::default()
        };
        let mut leases = Vec::new();
        for _ in 0..2 {
            match store
                .reserve_call("r1", "p", est(10, 0.0), &limits, LEASE)
                .await
                .unwrap()
            {
                Reservation::Granted(id) => leases.push(id),
                other => panic!("{other:?}"),
            }
        }
        let third = store
            .reserve_call("r1", "p", est(10, 0.0), &limits, LEASE)
            .await
            .unwrap();
        assert!(matches!(third, Reservation::Wait(_)), "{third:?}");
        store
            .end_call(&leases[0], &[receipt(10, 0.0)])
            .await
            .unwrap();
        let again = store
            .reserve_call("r1", "p", est(10, 0.0), &limits, LEASE)
            .await
            .unwrap();
        assert!(matches!(again, Reservation::Granted(_)), "{again:?}");
        assert_eq!(store.receipts("r1").await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_call_that_would_pass_the_cost_budget_is_refused_before_it_is_made() {
        let (store, _dir) = store_with_run().await;
        let limits = Limits {
            concurrency: 8,
            max_cost_usd: Some(1.0),
            ..Limits::default()
        };
        let Reservation::Granted(a) = store
            .reserve_call("r1", "p", est(10, 0.6), &limits, LEASE)
            .await
            .unwrap()
        else {
            panic!("first call fits");
        };
        // In flight counts: 0.6 reserved + 0.6 would pass 1.0.
        let refused = store
            .reserve_call("r1", "p", est(10, 0.6), &limits, LEASE)
            .await
            .unwrap();
        assert!(
            matches!(&refused, Reservation::Exhausted(why) if why.contains("max_cost_usd")),
            "{refused:?}"
        );
        store.end_call(&a, &[receipt(10, 0.3)]).await.unwrap();
        let spent = store.spent("r1").await.unwrap();
        assert_eq!((spent.calls, spent.cost_usd), (1, 0.3));
        // The run stopped starting work: even a call that would fit now is refused, and
        // the run says its budget is exhausted.
        let after = store
            .reserve_call("r1", "p", est(1, 0.01), &limits, LEASE)
            .await
            .unwrap();
        assert!(matches!(after, Reservation::Exhausted(_)), "{after:?}");
        assert!(store.run_by_id("r1").await.unwrap().budget_exhausted);
    }

    #[tokio::test]
    async fn the_provider_rate_limit_counts_the_last_minute_and_leases_expire() {
        let (store, _dir) = store_with_run().await;
        let limits = Limits {
            concurrency: 10,
            requests_per_minute: Some(2),
            ..Limits::default()
        };
        let short = Duration::from_millis(1);
        for _ in 0..2 {
            let r = store
                .reserve_call("r1", "p", est(1, 0.0), &limits, short)
                .await
                .unwrap();
            assert!(matches!(r, Reservation::Granted(_)), "{r:?}");
        }
        // The two leases expired (their process "died"): room again.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let r = store
            .reserve_call("r1", "p", est(1, 0.0), &limits, LEASE)
            .await
            .unwrap();
        assert!(matches!(r, Reservation::Granted(_)), "{r:?}");
        let Reservation::Granted(lease) = store
            .reserve_call("r1", "p", est(1, 0.0), &limits, LEASE)
            .await
            .unwrap()
        else {
            panic!("second of the minute");
        };
        store.end_call(&lease, &[receipt(1, 0.0)]).await.unwrap();
        let r = store
            .reserve_call("r1", "other", est(1, 0.0), &limits, LEASE)
            .await
            .unwrap();
        assert!(
            matches!(r, Reservation::Granted(_)),
            "another provider: {r:?}"
        );
        let r = store
            .reserve_call("r1", "p", est(1, 0.0), &limits, LEASE)
            .await
            .unwrap();
        assert!(matches!(r, Reservation::Wait(why) if why.contains("requests_per_minute")));
    }
}
