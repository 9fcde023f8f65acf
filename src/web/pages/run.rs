//! The run page (`/runs/{id}`): what the run is, its live progress (`web/run.js` follows
//! the SSE endpoint), its changes with their new findings, skipped files, receipts, QA
//! scripts and history; and its forms: cancel (editor), approve every change with no new
//! finding and apply (approver). After apply it names the branch and commit, and links a
//! pull request when the workspace's `origin` is on GitHub or GitLab.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::{Value, json};

use super::findings::new_count;
use super::{CsrfForm, answer, context, html, render, see_other};
use crate::run::{self, RunReport, Verdict};
use crate::store::{ChangeState, ChangeSummary, Run, RunState};
use crate::web::api::run_id;
use crate::web::app::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::workspace::Workspace;

/// One change as the run page lists it.
#[derive(Debug, Serialize)]
struct ChangeRow {
    id: i64,
    file: String,
    state: ChangeState,
    findings_after: usize,
    new_findings: usize,
    /// Why the last attempt was blocked or failed.
    reasons: Vec<String>,
}

fn rows(changes: &[ChangeSummary]) -> Vec<ChangeRow> {
    changes
        .iter()
        .map(|c| ChangeRow {
            id: c.id,
            file: c.path.clone(),
            state: c.state,
            findings_after: c.findings_after.as_array().map_or(0, Vec::len),
            new_findings: new_count(&c.findings_before, &c.findings_after),
            reasons: c
                .attempts
                .as_array()
                .and_then(|a| a.last())
                .and_then(|a| a["reasons"].as_array())
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// `GET /runs/{id}`. The changes are read without their diffs and new texts, which the
/// page does not show (a run of 2,000 changes would read megabytes).
pub async fn run(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = run_id(&id)?;
    let store = &state.store;
    let summaries = store.change_summaries(id).await?;
    let states: Vec<ChangeState> = summaries.iter().map(|c| c.state).collect();
    let report = run::overview(store, id, &states).await?;
    let stored = store.run_by_id(id).await?;
    let changes = rows(&summaries);
    let clean = changes
        .iter()
        .filter(|c| c.state == ChangeState::Proposed && c.new_findings == 0)
        .count();
    let mut c = context(&caller);
    c.insert("run", &header(&report, &stored));
    c.insert("progress", &progress(&state, &report, &stored).await?);
    c.insert("changes", &changes);
    c.insert("clean", &clean);
    c.insert(
        "approved",
        &report.totals.changes.get(&ChangeState::Approved),
    );
    c.insert("skipped", &report.skipped);
    c.insert("totals", &report.totals);
    // A run not settled yet has no QA record.
    let list = |key: &str| report.qa[key].as_array().cloned().unwrap_or_default();
    c.insert("scripts", &list("scripts"));
    c.insert("notes", &list("notes"));
    c.insert("history", &history(&state, &report.id, &changes).await?);
    c.insert("pull_request", &pull_request(&state, &report).await);
    c.insert("compare", &super::trend::context(&report));
    c.insert(
        "may_approve",
        &super::dashboard::may_approve(store, &caller, &stored).await?,
    );
    c.insert(
        "is_live",
        &matches!(stored.state, RunState::Queued | RunState::Running),
    );
    Ok(html(render(&state, "run.html", &c)?))
}

/// What the page's header says about the run.
fn header(report: &RunReport, stored: &Run) -> Value {
    json!({
        "id": report.id,
        "state": report.state,
        "spec": report.spec,
        "workspace": report.workspace,
        "base": report.base,
        "base_short": &report.base[..report.base.len().min(10)],
        "target_branch": report.target_branch,
        "created_by": report.created_by,
        "created_at": stored.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        "finished_at": stored.finished_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
        "budget_exhausted": report.budget_exhausted,
        "branch": report.branch,
        "commit": report.commit,
        "commit_short": report.commit.as_deref().map(|c| &c[..c.len().min(10)]),
        "pushed_to": report.pushed_to,
        "pull_request_url": report.pull_request_url,
        "pull_request_error": report.pull_request_error,
        "uses_model": report.forecast.get("model").is_some() || report.totals.calls > 0,
        "kind": report.kind,
        "audit": report.audit,
    })
}

/// Planned, edited, blocked, skipped; tokens, cost and the cost budget left. `run.js`
/// keeps these up to date.
async fn progress(state: &AppState, report: &RunReport, stored: &Run) -> Result<Value, ApiError> {
    let count = |s: ChangeState| report.totals.changes.get(&s).copied().unwrap_or(0);
    let spec = state.store.spec_by_id(stored.spec_id).await?;
    let max_cost = spec
        .and_then(|s| crate::spec::parse(std::path::Path::new("spec.toml"), &s.text).ok())
        .and_then(|s| s.budget.max_cost_usd);
    let cost = report.totals.cost_usd;
    Ok(json!({
        "planned": report.totals.files,
        "batches": stored.batches,
        "batches_done": state.store.batches_done(&report.id).await?,
        "edited": report.totals.changes.values().sum::<usize>(),
        "blocked": count(ChangeState::Blocked) + count(ChangeState::Failed),
        "skipped": report.totals.skipped,
        "tokens": report.totals.tokens.input + report.totals.tokens.output,
        "cost_usd": format!("{cost:.4}"),
        "max_cost_usd": max_cost,
        "budget_left_usd": max_cost.map(|m| format!("{:.4}", (m - cost).max(0.0))),
    }))
}

/// The run's state changes and review decisions, newest first: who, when, on which file,
/// and the diff hash decided on.
async fn history(
    state: &AppState,
    run_id: &str,
    changes: &[ChangeRow],
) -> Result<Vec<Value>, ApiError> {
    let events = state.store.latest_events(run_id, 200).await?;
    let files: HashMap<i64, &str> = changes.iter().map(|c| (c.id, c.file.as_str())).collect();
    let file = |id: i64| files.get(&id).copied();
    Ok(events
        .iter()
        .map(|e| {
            json!({
                "at": e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                "actor": e.actor,
                "file": e.change_id.and_then(file),
                "from": e.from_state,
                "to": e.to_state,
                "detail": e.detail,
                "diff_hash": e.diff_hash.as_deref().map(|h| &h[..h.len().min(12)]),
            })
        })
        .collect())
}

/// The pull-request (compare) link for an applied run, when `origin` is on GitHub or
/// GitLab.
async fn pull_request(state: &AppState, report: &RunReport) -> Option<String> {
    let branch = report.branch.clone()?;
    let path = state
        .store
        .workspace_by_name(&report.workspace)
        .await
        .ok()??
        .path;
    let remote = web::block(move || Workspace::open(path).ok()?.remote_url("origin"))
        .await
        .ok()??;
    compare_url(&remote, &report.target_branch, &branch)
}

/// The web page comparing `branch` with `base` for a GitHub or GitLab remote URL (HTTPS
/// or SSH); credentials in the URL are dropped.
pub fn compare_url(remote: &str, base: &str, branch: &str) -> Option<String> {
    let rest = if let Some(r) = remote.strip_prefix("git@") {
        r.replacen(':', "/", 1)
    } else {
        let r = ["https://", "http://", "ssh://"]
            .iter()
            .find_map(|p| remote.strip_prefix(p))?;
        let (authority, path) = r.split_once('/')?;
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = host.split(':').next().unwrap_or(host);
        format!("{host}/{path}")
    };
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let (host, repo) = rest.split_once('/')?;
    if repo.is_empty() || repo.contains("..") {
        return None;
    }
    if host == "github.com" {
        return Some(format!(
            "https://github.com/{repo}/compare/{base}...{branch}?expand=1"
        ));
    }
    if host == "gitlab.com" || host.starts_with("gitlab.") {
        return Some(format!("https://{host}/{repo}/-/compare/{base}...{branch}"));
    }
    None
}

/// `POST /runs/{id}/cancel` (a form).
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let outcome = async {
        caller.check_csrf(Some(&form.csrf_token))?;
        let id = run_id(&id)?;
        run::cancel(&state.store, id, &caller.name).await?;
        Ok(see_other(&format!("/runs/{id}")))
    };
    answer(&state, &caller, outcome.await)
}

/// `POST /runs/{id}/apply` (a form).
pub async fn apply(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let outcome = async {
        caller.check_csrf(Some(&form.csrf_token))?;
        let id = run_id(&id)?;
        run::apply(&state.store, &state.data_dir, id, &caller.name).await?;
        Ok(see_other(&format!("/runs/{id}#applied")))
    };
    answer(&state, &caller, outcome.await)
}

/// `POST /runs/{id}/approve-clean` (a form): approves every proposed change that brings
/// no new finding, each on the diff it has now.
pub async fn approve_clean(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let outcome = async {
        caller.check_csrf(Some(&form.csrf_token))?;
        let id = run_id(&id)?;
        let report = run::report(&state.store, id).await?;
        let clean = report.changes.iter().filter(|c| {
            c.state == ChangeState::Proposed
                && new_count(&c.findings_before, &c.findings_after) == 0
        });
        for c in clean {
            let comment = "approved with every change that brings no new finding";
            run::decide(
                &state.store,
                id,
                c.id,
                Verdict::Approve,
                &c.diff_hash,
                &caller.name,
                comment,
            )
            .await?;
        }
        Ok(see_other(&format!("/runs/{id}")))
    };
    answer(&state, &caller, outcome.await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_github_or_gitlab_origin_gives_a_compare_link_without_credentials() {
        let branch = "sitewide/20261127-094512-3fa9";
        assert_eq!(
            compare_url("git@github.com:acme/site.git", "main", branch).as_deref(),
            Some(
                "https://github.com/acme/site/compare/main...sitewide/20261127-094512-3fa9?expand=1"
            )
        );
        assert_eq!(
            compare_url("https://bot:s3cret@github.com/acme/site", "main", branch).as_deref(),
            Some(
                "https://github.com/acme/site/compare/main...sitewide/20261127-094512-3fa9?expand=1"
            )
        );
        assert_eq!(
            compare_url("ssh://git@gitlab.com:22/acme/web/site.git", "dev", "b").as_deref(),
            Some("https://gitlab.com/acme/web/site/-/compare/dev...b")
        );
        assert_eq!(compare_url("/srv/git/site.git", "main", branch), None);
        assert_eq!(
            compare_url("https://example.com/acme/site", "main", branch),
            None
        );
    }
}
