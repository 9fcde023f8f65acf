//! The forecast of a model run, before any call: tokens in (the prompt each file would
//! get), tokens out (a quarter of each file plus the edit markers), cost from the
//! provider's price table, and wall time from the provider's promised speed, the run's
//! concurrency and the provider's rate limits. `sitewide run --dry-run` prints it; a run
//! stores it, and says before it starts when the forecast passes a budget.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::RunError;
use super::model::{self, ModelCx};
use super::plan::{PlanRequest, Prepared, prepare};
use crate::edit::model::client::{Message, Role as ClientRole};
use crate::edit::model::prompt::{self, PromptInput, Role};
use crate::store::Store;
use crate::workspace::Blob;

/// Assumed when the provider promises no speed.
const ASSUMED_TOKENS_PER_S: f64 = 100.0;
/// Assumed time to first token when the provider promises none.
const ASSUMED_TTFT_MS: f64 = 1000.0;

/// What a run is expected to take.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    pub files: usize,
    pub provider: String,
    pub model: String,
    /// One call per file (retries and QA-feedback attempts come on top).
    pub calls: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub wall_time_s: f64,
    /// The budgets the forecast passes, one line each.
    pub over_budget: Vec<String>,
    pub assumptions: Vec<String>,
}

/// The forecast of the run `request` asks for (nothing is stored, no model is called).
pub async fn forecast(
    store: &Store,
    data_dir: &Path,
    request: &PlanRequest,
) -> Result<Forecast, RunError> {
    let p = prepare(store, data_dir, request).await?;
    match &p.model {
        Some(m) => of(&p, m),
        None => Ok(Forecast {
            files: p.planned.len(),
            provider: String::new(),
            model: String::new(),
            calls: 0,
            input_tokens: 0,
            output_tokens: 0,
            cost_usd: 0.0,
            wall_time_s: 0.0,
            over_budget: Vec::new(),
            assumptions: vec!["a recipe run makes no model call".into()],
        }),
    }
}

/// The forecast for planned files `p` and the run's model.
pub(super) fn of(p: &Prepared, m: &ModelCx) -> Result<Forecast, RunError> {
    let blobs: Vec<Blob> = p.planned.iter().map(|(_, b)| Blob(b.clone())).collect();
    let contents = p.ws.read_blobs(&blobs)?;
    let (mut input, mut output, mut cost, mut seconds) = (0u64, 0u64, 0.0f64, 0.0f64);
    let speed = m.provider.min_tokens_per_s.unwrap_or(ASSUMED_TOKENS_PER_S);
    let ttft = m.provider.max_ttft_ms.map_or(ASSUMED_TTFT_MS, |t| t as f64);
    let mut assumptions = Vec::new();
    for ((path, _), bytes) in p.planned.iter().zip(contents) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let messages: Vec<Message> = prompt::messages(&PromptInput {
            path: path.clone(),
            text: text.clone(),
            instruction: p.spec.instruction.clone().unwrap_or_default(),
            rules: model::prompt_rules(&p.spec),
            findings: Vec::new(),
            previous_error: None,
            whole_file: false,
        })
        .into_iter()
        .map(|(role, content)| {
            let role = match role {
                Role::System => ClientRole::System,
                Role::User => ClientRole::User,
            };
            Message::new(role, content)
        })
        .collect();
        let e = model::estimate(m, &messages, &text, false);
        input += e.input_tokens;
        output += e.output_tokens;
        cost += e.cost_usd;
        seconds += ttft / 1000.0 + e.output_tokens as f64 / speed;
    }
    let calls = p.planned.len();
    let mut wall = seconds / f64::from(m.limits.concurrency.max(1));
    if let Some(rpm) = m.provider.requests_per_minute {
        wall = wall.max(calls as f64 / f64::from(rpm.max(1)) * 60.0);
    }
    if let Some(tpm) = m.provider.tokens_per_minute {
        wall = wall.max((input + output) as f64 / tpm.max(1) as f64 * 60.0);
    }
    if m.provider.min_tokens_per_s.is_none() {
        assumptions.push(format!(
            "the provider promises no speed: {ASSUMED_TOKENS_PER_S} tokens/s assumed"
        ));
    }
    if m.provider.max_ttft_ms.is_none() {
        assumptions.push(format!(
            "the provider promises no time to first token: {ASSUMED_TTFT_MS} ms assumed"
        ));
    }
    if m.provider.price(&m.model).is_none() {
        assumptions.push(format!(
            "no price for {} in the provider's table: cost counted as 0",
            m.model
        ));
    }
    assumptions.push("one attempt per file; QA-feedback retries cost more".into());
    let b = &p.spec.budget;
    let mut over = Vec::new();
    if let Some(max) = b.max_input_tokens.filter(|max| input > *max) {
        over.push(format!("input tokens {input} > max_input_tokens = {max}"));
    }
    if let Some(max) = b.max_output_tokens.filter(|max| output > *max) {
        over.push(format!(
            "output tokens {output} > max_output_tokens = {max}"
        ));
    }
    if let Some(max) = b.max_cost_usd.filter(|max| cost > *max) {
        over.push(format!("cost ${cost:.4} > max_cost_usd = {max:.2}"));
    }
    if let Some(max) = b.max_minutes.filter(|max| wall > *max as f64 * 60.0) {
        over.push(format!("wall time {wall:.0} s > max_minutes = {max}"));
    }
    Ok(Forecast {
        files: calls,
        provider: m.provider_name.clone(),
        model: m.model.clone(),
        calls,
        input_tokens: input,
        output_tokens: output,
        cost_usd: cost,
        wall_time_s: wall,
        over_budget: over,
        assumptions,
    })
}

impl Forecast {
    /// A few lines for a terminal.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        if self.calls == 0 {
            let _ = writeln!(
                out,
                "forecast: {} target files, no model call (recipes only)",
                self.files
            );
            return out;
        }
        let _ = writeln!(
            out,
            "forecast: {} files, {} calls to {} at {}: {} input + {} output tokens, ${:.4}, about {:.0} s",
            self.files,
            self.calls,
            self.model,
            self.provider,
            self.input_tokens,
            self.output_tokens,
            self.cost_usd,
            self.wall_time_s
        );
        for o in &self.over_budget {
            let _ = writeln!(out, "  over budget: {o}");
        }
        for a in &self.assumptions {
            let _ = writeln!(out, "  assumed: {a}");
        }
        out
    }
}
