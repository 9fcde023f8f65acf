//! One run as `sitewide run --json` and `sitewide runs show --json` print it (the field
//! names are a contract for users' tools), and as a short summary for people.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::RunError;
use crate::spec::Kind;
use crate::store::{ChangeState, Run, RunState, Skip, Store};

/// A run, whole.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub id: String,
    /// `edit`, or `audit` for a run of a `kind = "audit"` job.
    pub kind: Kind,
    pub state: RunState,
    /// The base commit's full id.
    pub base: String,
    pub budget_exhausted: bool,
    pub changes: Vec<ChangeReport>,
    pub skipped: Vec<Skip>,
    /// Every model call of the run (recipes make none).
    pub receipts: Vec<Value>,
    pub totals: Totals,
    pub spec: String,
    pub workspace: String,
    /// The branch the base was taken from; apply commits on its head.
    pub target_branch: String,
    /// `sitewide/<id>` once applied with at least one change.
    pub branch: Option<String>,
    pub commit: Option<String>,
    /// A remote workspace's URL the branch was pushed to once applied; `null` otherwise.
    pub pushed_to: Option<String>,
    /// The pull (merge) request opened for the pushed branch.
    pub pull_request_url: Option<String>,
    /// Why the pull request could not be opened (the push stands; applying again retries).
    pub pull_request_error: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// Run-level QA: script results, findings in files the run did not change, notes.
    pub qa: Value,
    /// The model engine's forecast made at planning (`{}` for recipes), to set beside
    /// `totals`.
    pub forecast: Value,
    /// An audit run's counts once it completed (findings by severity and by rule, pages
    /// per coverage status); `null` for edit runs. The report: `GET /api/v1/runs/{id}/report`.
    pub audit: Option<Value>,
    /// An audit run's findings compared with the job's previous completed audit in the
    /// workspace (`previous_run`, `new`, `fixed`, `open`, `new_findings`,
    /// `fixed_findings`); `null` for edit runs and a job's first audit.
    pub comparison: Option<Value>,
    /// An audit run's trend: findings by severity of the job's last 20 completed audits
    /// in the workspace up to this run, oldest first; empty for edit runs.
    pub trend: Vec<Value>,
}

/// One file's change.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeReport {
    pub id: i64,
    pub file: String,
    pub state: ChangeState,
    pub diff: String,
    pub diff_hash: String,
    pub findings_before: Value,
    pub findings_after: Value,
    pub attempts: Value,
    pub base_hash: String,
    pub new_hash: Option<String>,
}

/// What the run came to.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Target files planned (after the file budget).
    pub files: i64,
    /// Changes by state.
    pub changes: BTreeMap<ChangeState, usize>,
    pub skipped: usize,
    pub tokens: Tokens,
    pub cost_usd: f64,
    /// From planning to the end of the run's work, in seconds.
    pub wall_time_s: f64,
    /// Model calls (HTTP requests), and how many answered as another model or far slower
    /// than the provider promises (a possible reroute).
    pub calls: usize,
    pub mismatches: usize,
    pub possible_reroutes: usize,
    /// Call durations in milliseconds, median and 95th percentile.
    pub latency_p50_ms: Option<u64>,
    pub latency_p95_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
}

impl Ord for ChangeState {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for ChangeState {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Reads run `run_id` whole from the store.
pub async fn report(store: &Store, run_id: &str) -> Result<RunReport, RunError> {
    let changes = store.changes_of_run(run_id).await?;
    let states: Vec<ChangeState> = changes.iter().map(|c| c.state).collect();
    let mut report = overview(store, run_id, &states).await?;
    report.changes = changes
        .into_iter()
        .map(|c| ChangeReport {
            id: c.id,
            file: c.path,
            state: c.state,
            diff: c.diff,
            diff_hash: c.diff_hash,
            findings_before: c.findings_before,
            findings_after: c.findings_after,
            attempts: c.attempts,
            base_hash: c.base_hash,
            new_hash: c.new_hash,
        })
        .collect();
    Ok(report)
}

/// Run `run_id` with its totals but `changes` left empty, for a caller that reads the
/// changes it shows itself (the run page lists thousands without their diffs); `states`
/// are the states of the run's changes, which the totals count.
pub async fn overview(
    store: &Store,
    run_id: &str,
    states: &[ChangeState],
) -> Result<RunReport, RunError> {
    let run = store.run_by_id(run_id).await?;
    let skipped = store.skipped(run_id).await?;
    let spec = store
        .spec_by_id(run.spec_id)
        .await?
        .map_or_else(String::new, |s| s.name);
    let workspace = store.workspace_by_id(run.workspace_id).await?.name;
    let trend = match run.kind {
        Kind::Audit => {
            super::compare::trend(store, &spec, run.workspace_id, run.created_at).await?
        }
        Kind::Edit => Vec::new(),
    };
    let receipts = store.receipts(run_id).await?;
    let spent = store.spent(run_id).await?;
    let push = store.push_of(run_id).await?;
    let mut by_state = BTreeMap::new();
    for s in states {
        *by_state.entry(*s).or_insert(0) += 1;
    }
    let totals = Totals {
        files: run.files,
        changes: by_state,
        skipped: skipped.len(),
        tokens: Tokens {
            input: spent.input_tokens,
            output: spent.output_tokens,
        },
        cost_usd: spent.cost_usd,
        wall_time_s: wall_time(&run),
        calls: receipts.len(),
        mismatches: count(&receipts, "mismatch"),
        possible_reroutes: count(&receipts, "possible_reroute"),
        latency_p50_ms: percentile(&receipts, 50),
        latency_p95_ms: percentile(&receipts, 95),
    };
    Ok(RunReport {
        id: run.id.clone(),
        kind: run.kind,
        state: run.state,
        base: run.base_commit.clone(),
        budget_exhausted: run.budget_exhausted,
        changes: Vec::new(),
        skipped,
        receipts,
        totals,
        spec,
        workspace,
        target_branch: run.target_branch.clone(),
        branch: run
            .commit_id
            .as_ref()
            .map(|_| format!("sitewide/{}", run.id)),
        commit: run.commit_id.clone(),
        pushed_to: push.as_ref().map(|p| p.remote.clone()),
        pull_request_url: push.as_ref().and_then(|p| p.pull_request_url.clone()),
        pull_request_error: push.and_then(|p| p.error),
        created_by: run.created_by.clone(),
        created_at: run.created_at.to_rfc3339(),
        finished_at: run.finished_at.map(|t| t.to_rfc3339()),
        qa: run.qa.clone(),
        forecast: run.forecast.clone(),
        audit: run.qa.get("audit").cloned(),
        comparison: run.qa.get("comparison").cloned(),
        trend,
    })
}

/// Receipts whose boolean `field` is true.
fn count(receipts: &[Value], field: &str) -> usize {
    receipts
        .iter()
        .filter(|r| r[field].as_bool() == Some(true))
        .count()
}

/// The `p`th percentile (nearest rank) of the `duration_ms` of calls that were answered
/// (quick refusals such as 429s would flatter it).
fn percentile(receipts: &[Value], p: usize) -> Option<u64> {
    let mut ms: Vec<u64> = receipts
        .iter()
        .filter(|r| matches!(r["outcome"].as_str(), Some("ok" | "mismatch")))
        .filter_map(|r| r["duration_ms"].as_u64())
        .collect();
    if ms.is_empty() {
        return None;
    }
    ms.sort_unstable();
    let rank = (p * ms.len()).div_ceil(100).clamp(1, ms.len());
    Some(ms[rank - 1])
}

fn wall_time(run: &Run) -> f64 {
    let end = run.finished_at.unwrap_or(run.updated_at);
    (end - run.created_at).num_milliseconds().max(0) as f64 / 1000.0
}

impl RunReport {
    /// A few lines for a terminal: the state, the counts, what blocked, what to do next.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let short = &self.base[..self.base.len().min(12)];
        let _ = writeln!(
            out,
            "run {}: {} (job {}, workspace {}, base {short} of {})",
            self.id, self.state, self.spec, self.workspace, self.target_branch
        );
        let counts: Vec<String> = self
            .totals
            .changes
            .iter()
            .map(|(state, n)| format!("{n} {state}"))
            .collect();
        if self.kind == Kind::Audit {
            self.audit_summary(&mut out);
            return out;
        }
        let _ = writeln!(
            out,
            "  {} target file{}, {} change{}{}, {} skipped, {:.1} s",
            self.totals.files,
            plural(self.totals.files as usize),
            self.changes.len(),
            plural(self.changes.len()),
            if counts.is_empty() {
                String::new()
            } else {
                format!(" ({})", counts.join(", "))
            },
            self.skipped.len(),
            self.totals.wall_time_s
        );
        if self.totals.calls > 0 {
            let _ = writeln!(
                out,
                "  model: {} calls, {} input + {} output tokens, ${:.4}; latency p50 {} ms, p95 {} ms; {} mismatches, {} possible reroutes",
                self.totals.calls,
                self.totals.tokens.input,
                self.totals.tokens.output,
                self.totals.cost_usd,
                self.totals.latency_p50_ms.unwrap_or(0),
                self.totals.latency_p95_ms.unwrap_or(0),
                self.totals.mismatches,
                self.totals.possible_reroutes
            );
            if let Some(f) = self.forecast.as_object().filter(|f| !f.is_empty()) {
                let _ = writeln!(
                    out,
                    "  forecast was: {} input + {} output tokens, ${:.4}, {:.0} s (actual {:.1} s)",
                    f.get("input_tokens").and_then(Value::as_u64).unwrap_or(0),
                    f.get("output_tokens").and_then(Value::as_u64).unwrap_or(0),
                    f.get("cost_usd").and_then(Value::as_f64).unwrap_or(0.0),
                    f.get("wall_time_s").and_then(Value::as_f64).unwrap_or(0.0),
                    self.totals.wall_time_s
                );
            }
        }
        if self.budget_exhausted {
            let _ = writeln!(out, "  budget exhausted: the skipped files were not edited");
        }
        for c in &self.changes {
            let reasons = c
                .attempts
                .as_array()
                .and_then(|a| a.last())
                .and_then(|a| a.get("reasons"))
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<18} {}{}",
                c.state.as_str(),
                c.file,
                if reasons.is_empty() {
                    String::new()
                } else {
                    format!(": {reasons}")
                }
            );
        }
        for s in self.skipped.iter().take(20) {
            let _ = writeln!(out, "  {:<18} {}: {}", "skipped", s.path, s.reason);
        }
        if self.skipped.len() > 20 {
            let _ = writeln!(
                out,
                "  ... and {} more skipped (`sitewide runs show {} --json` lists all)",
                self.skipped.len() - 20,
                self.id
            );
        }
        for note in self.qa["notes"].as_array().into_iter().flatten() {
            if let Some(n) = note.as_str() {
                let _ = writeln!(out, "  note: {n}");
            }
        }
        for s in self.qa["scripts"].as_array().into_iter().flatten() {
            let passed = s["passed"].as_bool().unwrap_or(false);
            let _ = writeln!(
                out,
                "  QA script {}: {}",
                s["name"].as_str().unwrap_or("?"),
                if passed { "passed" } else { "FAILED" }
            );
        }
        match self.state {
            RunState::AwaitingReview => {
                let _ = writeln!(
                    out,
                    "next: sitewide review {id} --approve-all (or --approve FILE / --reject FILE), then sitewide apply {id}",
                    id = self.id
                );
            }
            RunState::Applied => {
                if let (Some(b), Some(c)) = (&self.branch, &self.commit) {
                    let _ = writeln!(out, "branch {b} at {c}");
                }
                if let Some(remote) = &self.pushed_to {
                    let _ = writeln!(out, "pushed to {remote}");
                }
                if let Some(url) = &self.pull_request_url {
                    let _ = writeln!(out, "pull request: {url}");
                }
                if let Some(e) = &self.pull_request_error {
                    let _ = writeln!(
                        out,
                        "the pull request could not be opened: {e}\nnext: sitewide apply {} retries it",
                        self.id
                    );
                }
            }
            _ => {}
        }
        out
    }
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The runs, newest first, as a table.
pub async fn list(store: &Store) -> Result<String, RunError> {
    let mut out = String::new();
    let workspaces = store.workspaces().await?;
    let counts = store.change_counts().await?;
    for run in store.runs().await? {
        let ws = workspaces
            .iter()
            .find(|w| w.id == run.workspace_id)
            .map_or("?", |w| w.name.as_str());
        let spec = store
            .spec_by_id(run.spec_id)
            .await?
            .map_or_else(String::new, |s| s.name);
        let n = counts.get(&run.id).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:<22} {:<16} {:<28} {:<14} {:>13}  {}",
            run.id,
            run.state.as_str(),
            spec,
            ws,
            RunReport::list_counts(&run, n),
            run.created_at.format("%Y-%m-%d %H:%M")
        );
    }
    Ok(out)
}

impl RunReport {
    /// One line per model call: the receipts as `sitewide runs show ID --receipts` prints
    /// them.
    pub fn receipts_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>5}  {:<28} {:>3}  {:<16} {:<16} {:>7} {:>7} {:>9} {:>7} {:>8}  outcome",
            "id", "file", "try", "asked", "answered", "in", "out", "cost $", "ttft ms", "total ms"
        );
        for r in &self.receipts {
            let flag = if r["possible_reroute"].as_bool() == Some(true) {
                " (possible reroute)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:>5}  {:<28} {:>3}  {:<16} {:<16} {:>7} {:>7} {:>9.5} {:>7} {:>8}  {}{flag}",
                r["id"],
                r["file"].as_str().unwrap_or(""),
                r["attempt"],
                r["model_requested"].as_str().unwrap_or(""),
                r["model_answered"].as_str().unwrap_or("-"),
                r["input_tokens"],
                r["output_tokens"],
                r["cost_usd"].as_f64().unwrap_or(0.0),
                r["ttft_ms"]
                    .as_u64()
                    .map_or("-".to_string(), |t| t.to_string()),
                r["duration_ms"],
                r["outcome"].as_str().unwrap_or("")
            );
        }
        out
    }
}
