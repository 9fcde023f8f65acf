//! The model engine inside a run: for each file, the spec's recipe steps first, then
//! attempts until one passes or the attempt budget is spent. An attempt is: reserve the
//! call in the ledger (budgets, the run's concurrency and the provider's rate limits,
//! across every process sharing the database), call the model, store the receipts, parse
//! the SEARCH/REPLACE blocks (or the whole file), apply them, run the guards, and check
//! the file with the QA engine. A parse error, a guard violation or a finding the edit
//! introduced goes back to the model on the next attempt.
//!
//! A file ends as a draft (the edit, or the last refused one with its reasons, or the
//! model's failure), as skipped (a budget was reached first), or unchanged (the model
//! answered `NO CHANGES`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::types::Json;
use tokio::sync::Semaphore;

use super::RunError;
use super::worker::{RunContext, Worker};
use crate::edit::model::blocks::{self, BlockError};
use crate::edit::model::client::{self, Message, ModelRequest, Role as ClientRole};
use crate::edit::model::guards::{self, Guards};
use crate::edit::model::prompt::{self, PromptInput, Role};
use crate::edit::model::provider::Provider;
use crate::edit::model::receipt::{Outcome, estimate_tokens};
use crate::edit::model::retry::MAX_RETRY_AFTER;
use crate::edit::model::whole;
use crate::qa::checker::FileChecker;
use crate::qa::finding::Finding;
use crate::spec::OnMismatch;
use crate::store::{Draft, Estimate, Limits, NewReceipt, Reservation, Skip};

/// How long an idle process waits before asking the ledger again for room.
const WAIT: Duration = Duration::from_millis(25);

/// A call's answer is capped at this many times its estimated output (and at least
/// [`MIN_OUTPUT_CAP`] tokens), so what calls in flight can pass a budget by is bounded.
const OUTPUT_CAP_FACTOR: u64 = 4;
const MIN_OUTPUT_CAP: u64 = 1024;

/// A run's model: its provider, the limits its calls must fit, and this process's share
/// of the run's concurrency.
pub(super) struct ModelCx {
    pub provider: Provider,
    pub provider_name: String,
    pub model: String,
    pub temperature: Option<f64>,
    pub on_mismatch: OnMismatch,
    pub limits: Limits,
    pub permits: Arc<Semaphore>,
}

/// What became of one file.
pub(super) enum FileEdit {
    Draft(Draft),
    Skip(Skip),
    Unchanged,
}

/// One attempt's record in the change's `attempts`.
fn attempt_record(
    n: u32,
    steps: &[String],
    receipts: &[i64],
    outcome: &str,
    reasons: &[String],
) -> Value {
    let mut a = json!({
        "attempt": n,
        "engine": "model",
        "receipts": receipts,
        "outcome": outcome,
    });
    if n == 1 && !steps.is_empty() {
        a["steps"] = json!(steps);
    }
    if !reasons.is_empty() {
        a["reasons"] = json!(reasons);
    }
    a
}

/// The model's edit of `path`, whose text the recipe `steps` left as `text` (the base
/// text was `base`).
#[allow(clippy::too_many_arguments)]
pub(super) async fn edit_file(
    worker: &Worker,
    cx: &RunContext,
    model: &ModelCx,
    checker: &FileChecker<'_>,
    path: &str,
    blob: &str,
    base: String,
    text: String,
    steps: Vec<String>,
    deadline: Option<chrono::DateTime<chrono::Utc>>,
    reviewer_note: Option<&str>,
) -> Result<FileEdit, RunError> {
    // Sitewide's own time for this file: all but waiting for room and for the model.
    let started = std::time::Instant::now();
    let mut waited = Duration::ZERO;
    let spec = &cx.spec;
    let base = base.as_str();
    let before = checker.check(path, base).unwrap_or_default();
    let original = cx
        .site
        .file(path)
        .map(|f| crate::qa::page::Document::parse(path, text.clone(), f.engine, f.format));
    let guards = Guards {
        protected: spec.protected.clone(),
        allow_link_hosts: spec.allow_link_hosts.clone(),
        internal_hosts: cx.hosts.clone(),
        max_changed_lines: spec.budget.max_changed_lines_per_file,
    };
    let rules = prompt_rules(spec);
    // SEARCH/REPLACE for every file with text; a blank file is answered whole (there is
    // nothing to search). Which is more reliable for small files needs a real model to
    // measure (docs/model-engine.md).
    let whole_file = text.trim().is_empty();
    let mut attempts: Vec<Value> = Vec::new();
    let mut previous_error: Option<String> = None;
    let mut findings_to_fix: Vec<String> = Vec::new();
    let mut refused: Option<(String, Vec<String>)> = None;
    for n in 1..=spec.budget.attempts {
        let input = PromptInput {
            path: path.to_string(),
            text: text.clone(),
            instruction: match reviewer_note {
                Some(note) => format!(
                    "{}\n\nA reviewer asked for changes to your previous edit of this file: {note}",
                    spec.instruction.clone().unwrap_or_default().trim_end()
                ),
                None => spec.instruction.clone().unwrap_or_default(),
            },
            rules: rules.clone(),
            findings: findings_to_fix.clone(),
            previous_error: previous_error.clone(),
            whole_file,
        };
        let messages: Vec<Message> = prompt::messages(&input)
            .into_iter()
            .map(|(role, content)| {
                let role = match role {
                    Role::System => ClientRole::System,
                    Role::User => ClientRole::User,
                };
                Message::new(role, content)
            })
            .collect();
        let estimate = estimate(model, &messages, &text, whole_file);
        // The answer is capped, so a call in flight can pass its estimate only so far.
        let cap = (estimate.output_tokens * OUTPUT_CAP_FACTOR).max(MIN_OUTPUT_CAP);
        let request = ModelRequest {
            model: model.model.clone(),
            messages,
            temperature: model.temperature,
            max_output_tokens: Some(cap),
        };
        // Every HTTP request, retries included, is reserved in the ledger on its own, so
        // retries count against the budgets and the provider's rate limits too.
        let mut receipts: Vec<i64> = Vec::new();
        let mut tries = 0u32;
        let result = loop {
            tries += 1;
            let lease = match reserve(worker, cx, model, path, estimate, deadline).await? {
                Ok(lease) => lease,
                Err(reason) if attempts.is_empty() && receipts.is_empty() => {
                    return Ok(FileEdit::Skip(Skip {
                        path: path.to_string(),
                        reason,
                    }));
                }
                // A budget ran out between tries: the change keeps every attempt made.
                Err(reason) => {
                    if !receipts.is_empty() {
                        attempts.push(attempt_record(n, &steps, &receipts, "retry", &[]));
                    }
                    return Ok(settle_refused(path, blob, base, attempts, refused, reason));
                }
            };
            waited += lease.2;
            let calling = std::time::Instant::now();
            let once = client::call_once(
                &model.provider,
                &model.provider_name,
                &request,
                tries,
                |_| {},
            )
            .await;
            waited += calling.elapsed();
            receipts.extend(
                store_receipts(worker, cx, path, n, &lease.1, &once.result.receipts).await?,
            );
            drop(lease.0);
            match once.retry {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    waited += wait;
                }
                None => break once.result,
            }
        };
        if let Some(error) = &result.error {
            let reasons = vec![format!("the model call failed: {error}")];
            attempts.push(attempt_record(n, &steps, &receipts, "failed", &reasons));
            return Ok(draft(path, blob, base, attempts));
        }
        if result.is_mismatch() && model.on_mismatch == OnMismatch::Fail {
            let answered = result
                .receipts
                .iter()
                .filter_map(|r| r.model_answered.clone())
                .find(|m| !crate::edit::model::receipt::model_matches(&model.model, m))
                .unwrap_or_default();
            let reasons = vec![format!(
                "asked for model {} but {answered} answered (on_mismatch = \"fail\")",
                model.model
            )];
            attempts.push(attempt_record(n, &steps, &receipts, "failed", &reasons));
            return Ok(draft(path, blob, base, attempts));
        }
        let unnamed = result
            .receipts
            .iter()
            .any(|r| r.outcome == Outcome::Ok && r.model_answered.is_none());
        if unnamed && model.on_mismatch == OnMismatch::Fail {
            let reasons = vec![format!(
                "the server did not say which model answered (asked for {}; on_mismatch = \"fail\")",
                model.model
            )];
            attempts.push(attempt_record(n, &steps, &receipts, "failed", &reasons));
            return Ok(draft(path, blob, base, attempts));
        }
        let answer = result.text.unwrap_or_default();
        let candidate = match read_answer(path, &text, &answer, whole_file) {
            Ok(Some(new)) => new,
            Ok(None) if attempts.is_empty() => {
                if text == base {
                    return Ok(FileEdit::Unchanged);
                }
                text.clone()
            }
            Ok(None) => {
                // The model gave up after a refusal: the change keeps its attempts.
                attempts.push(attempt_record(n, &steps, &receipts, "retry", &[]));
                let why = "the model answered NO CHANGES after its edit was refused".to_string();
                return Ok(settle_refused(path, blob, base, attempts, refused, why));
            }
            Err(e) => {
                let reason = e.to_string();
                attempts.push(attempt_record(
                    n,
                    &steps,
                    &receipts,
                    "retry",
                    std::slice::from_ref(&reason),
                ));
                previous_error = Some(reason);
                continue;
            }
        };
        if candidate == base && attempts.is_empty() {
            return Ok(FileEdit::Unchanged);
        }
        let violations: Vec<String> = original
            .as_ref()
            .map(|doc| guards::check(doc, &candidate, &guards))
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect();
        let introduced = introduced_findings(
            &before,
            checker.check(path, &candidate).as_deref(),
            spec.qa.block_on,
        );
        if violations.is_empty() && introduced.is_empty() {
            attempts.push(attempt_record(n, &steps, &receipts, "proposed", &[]));
            if let Some(last) = attempts.last_mut() {
                let own = started.elapsed().saturating_sub(waited);
                last["sitewide_ms"] = json!(own.as_secs_f64() * 1000.0);
            }
            return Ok(FileEdit::Draft(Draft {
                path: path.to_string(),
                base_blob: blob.to_string(),
                new_content: candidate,
                attempts: Json(Value::Array(attempts)),
            }));
        }
        let mut reasons = violations.clone();
        reasons.extend(introduced.iter().cloned());
        attempts.push(attempt_record(n, &steps, &receipts, "retry", &reasons));
        previous_error = (!violations.is_empty()).then(|| violations.join("\n"));
        findings_to_fix = introduced;
        refused = Some((candidate, reasons));
    }
    // Every attempt was refused: the last edit is kept, blocked, with its reasons.
    let Some((candidate, reasons)) = refused else {
        if let Some(last) = attempts.last_mut() {
            last["outcome"] = json!("failed");
        }
        return Ok(draft(path, blob, base, attempts));
    };
    if let Some(last) = attempts.last_mut() {
        last["outcome"] = json!("blocked");
        last["reasons"] = json!(reasons);
    }
    Ok(FileEdit::Draft(Draft {
        path: path.to_string(),
        base_blob: blob.to_string(),
        new_content: candidate,
        attempts: Json(Value::Array(attempts)),
    }))
}

/// The end of a file whose attempts stopped early (a budget, or the model giving up): the
/// last refused edit, blocked, with its reasons and `why`; or, with none, a failure.
fn settle_refused(
    path: &str,
    blob: &str,
    base: &str,
    mut attempts: Vec<Value>,
    refused: Option<(String, Vec<String>)>,
    why: String,
) -> FileEdit {
    match refused {
        Some((candidate, mut reasons)) => {
            reasons.push(why);
            if let Some(last) = attempts.last_mut() {
                last["outcome"] = json!("blocked");
                last["reasons"] = json!(reasons);
            }
            FileEdit::Draft(Draft {
                path: path.to_string(),
                base_blob: blob.to_string(),
                new_content: candidate,
                attempts: Json(Value::Array(attempts)),
            })
        }
        None => {
            if let Some(last) = attempts.last_mut() {
                last["outcome"] = json!("failed");
                last["reasons"] = json!([why]);
            }
            draft(path, blob, base, attempts)
        }
    }
}

/// `(id, summary)` of the rules `[qa] rules` names, for the prompt (none when it names
/// none: every rule judges, and the prompt does not list all of them).
pub(super) fn prompt_rules(spec: &crate::spec::JobSpec) -> Vec<(String, String)> {
    crate::qa::rules::all()
        .iter()
        .filter(|r| {
            spec.qa
                .rules
                .iter()
                .any(|p| crate::qa::engine::id_matches(p, r.meta().id))
        })
        .map(|r| (r.meta().id.to_string(), r.meta().summary.to_string()))
        .collect()
}

/// A draft that changes nothing: the record of a file the model could not edit.
fn draft(path: &str, blob: &str, base: &str, attempts: Vec<Value>) -> FileEdit {
    FileEdit::Draft(Draft {
        path: path.to_string(),
        base_blob: blob.to_string(),
        new_content: base.to_string(),
        attempts: Json(Value::Array(attempts)),
    })
}

/// The new text an answer asks for; `None` for `NO CHANGES`.
fn read_answer(
    path: &str,
    text: &str,
    answer: &str,
    whole_file: bool,
) -> Result<Option<String>, BlockError> {
    if blocks::says_no_changes(answer) {
        return Ok(None);
    }
    if whole_file {
        let fence = whole::fence_for(text);
        return match whole::parse_whole(answer, &fence)? {
            Some(w) => whole::apply_whole(path, text, &w).map(Some),
            None => Ok(None),
        };
    }
    let parsed = blocks::parse(answer)?;
    blocks::apply(path, text, &parsed).map(Some)
}

/// The findings at or above `block_on` that `after` has more of than `before`, as the
/// model is told them.
fn introduced_findings(
    before: &[Finding],
    after: Option<&[Finding]>,
    block_on: crate::qa::finding::Severity,
) -> Vec<String> {
    let Some(after) = after else {
        return Vec::new();
    };
    let added = crate::qa::finding::added_by_rule(before, after, block_on);
    after
        .iter()
        .filter(|g| added.contains_key(g.rule.id))
        .map(|g| {
            format!(
                "{}:{}:{}: {} {}: {}",
                g.file,
                g.line,
                g.column,
                g.severity.as_str(),
                g.rule.id,
                g.message
            )
        })
        .collect()
}

/// The spend a call is expected to have: the prompt's tokens in, and for the answer a
/// quarter of the file plus room for the markers (the whole file in whole-file mode).
pub(super) fn estimate(
    model: &ModelCx,
    messages: &[Message],
    text: &str,
    whole_file: bool,
) -> Estimate {
    let input = estimate_tokens(messages.iter().map(|m| m.content.len()).sum());
    let output = if whole_file {
        estimate_tokens(text.len()) + 32
    } else {
        estimate_tokens(text.len() / 4) + 64
    };
    let (pin, pout) = model.provider.price(&model.model).unwrap_or((0.0, 0.0));
    Estimate {
        input_tokens: input,
        output_tokens: output,
        cost_usd: (input as f64 * pin + output as f64 * pout) / 1_000_000.0,
    }
}

/// A permit of this process and a lease in the ledger, or why the call must not be made.
async fn reserve(
    worker: &Worker,
    cx: &RunContext,
    model: &ModelCx,
    path: &str,
    estimate: Estimate,
    deadline: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Result<(tokio::sync::OwnedSemaphorePermit, String, Duration), String>, RunError> {
    let started = std::time::Instant::now();
    let permit = model
        .permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| RunError::Refused(format!("error: {e}")))?;
    // Long enough for every try of the call and every wait between them.
    let tries = u64::from(model.provider.max_retries + 1);
    let lease_for = Duration::from_secs(model.provider.timeout_s * tries + 60)
        + MAX_RETRY_AFTER * model.provider.max_retries;
    let mut waited = started.elapsed();
    loop {
        if deadline.is_some_and(|d| chrono::Utc::now() >= d) {
            return Ok(Err(format!(
                "budget: max_minutes = {} reached before {path}'s call",
                cx.spec.budget.max_minutes.unwrap_or_default()
            )));
        }
        match worker
            .store
            .reserve_call(
                &cx.run.id,
                &model.provider_name,
                estimate,
                &model.limits,
                lease_for,
            )
            .await?
        {
            Reservation::Granted(lease) => return Ok(Ok((permit, lease, waited))),
            Reservation::Exhausted(why) => return Ok(Err(why)),
            Reservation::Wait(_) => {
                tokio::time::sleep(WAIT).await;
                waited += WAIT;
            }
        }
    }
}

/// Stores a call's receipts and ends its lease, at once; their ids.
async fn store_receipts(
    worker: &Worker,
    cx: &RunContext,
    path: &str,
    attempt: u32,
    lease: &str,
    receipts: &[crate::edit::model::receipt::Receipt],
) -> Result<Vec<i64>, RunError> {
    let new: Vec<NewReceipt> = receipts
        .iter()
        .map(|r| NewReceipt {
            run_id: cx.run.id.clone(),
            path: path.to_string(),
            attempt,
            provider: r.provider.clone(),
            model_requested: r.model_requested.clone(),
            model_answered: r.model_answered.clone(),
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            cost_usd: r.cost_usd,
            outcome: serde_json::to_value(r.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            body: serde_json::to_value(r).unwrap_or(Value::Null),
        })
        .collect();
    Ok(super::retry_busy(|| worker.store.end_call(lease, &new)).await?)
}
