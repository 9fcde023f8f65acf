//! The dashboard (`/`): the workspaces, the recent runs with their state, their changes
//! counted by state and their cost, and the runs awaiting the caller's review.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::{context, html, render};
use crate::store::{ChangeState, Run, RunState, Store, StoreError};
use crate::web::app::AppState;
use crate::web::auth::{Caller, Role};
use crate::web::error::ApiError;

/// How many runs the dashboard lists.
const RECENT: usize = 20;

/// One run as the dashboard lists it.
#[derive(Debug, Serialize)]
struct RunRow {
    id: String,
    state: RunState,
    spec: String,
    workspace: String,
    created_by: String,
    created_at: String,
    /// `(state, count)`, in the states' order.
    counts: Vec<(ChangeState, usize)>,
    /// Changes a reviewer has still to decide.
    open: usize,
    /// An audit run's findings by severity, once it completed.
    audit: Option<serde_json::Value>,
    cost_usd: f64,
}

/// `GET /`.
pub async fn dashboard(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let store = &state.store;
    let workspaces = store.workspaces().await?;
    let mut recent = Vec::new();
    let mut mine = Vec::new();
    for run in store.runs().await?.into_iter().take(RECENT) {
        let row = run_row(store, &run, &workspaces).await?;
        if run.state == RunState::AwaitingReview && may_approve(store, &caller, &run).await? {
            mine.push(row.id.clone());
        }
        recent.push(row);
    }
    let awaiting: Vec<&RunRow> = recent.iter().filter(|r| mine.contains(&r.id)).collect();
    let names: Vec<_> = workspaces
        .iter()
        .map(|w| (w.name.as_str(), w.default_branch.as_str()))
        .collect();
    let mut c = context(&caller);
    c.insert("workspaces", &names);
    c.insert("runs", &recent);
    c.insert("awaiting", &awaiting);
    Ok(html(render(&state, "dashboard.html", &c)?))
}

async fn run_row(
    store: &Store,
    run: &Run,
    workspaces: &[crate::store::Workspace],
) -> Result<RunRow, StoreError> {
    let mut counts: BTreeMap<ChangeState, usize> = BTreeMap::new();
    for c in store.change_statuses(&run.id).await? {
        *counts.entry(c.state).or_default() += 1;
    }
    let open = counts
        .iter()
        .filter(|(s, _)| s.is_open())
        .map(|(_, n)| n)
        .sum();
    let spec = store.spec_by_id(run.spec_id).await?.map(|s| s.name);
    Ok(RunRow {
        id: run.id.clone(),
        state: run.state,
        spec: spec.unwrap_or_default(),
        workspace: workspaces
            .iter()
            .find(|w| w.id == run.workspace_id)
            .map_or_else(String::new, |w| w.name.clone()),
        created_by: run.created_by.clone(),
        created_at: run.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        counts: counts.into_iter().collect(),
        open,
        audit: run.qa.get("audit").map(|a| a["findings"].clone()),
        cost_usd: store.spent(&run.id).await?.cost_usd,
    })
}

/// Whether `caller` may approve changes of `run`: an approver, and not its starter unless
/// its spec allows self-approval.
pub(super) async fn may_approve(
    store: &Store,
    caller: &Caller,
    run: &Run,
) -> Result<bool, StoreError> {
    if caller.role < Role::Approver {
        return Ok(false);
    }
    if caller.name != run.created_by {
        return Ok(true);
    }
    let text = store
        .spec_by_id(run.spec_id)
        .await?
        .map(|s| s.text)
        .unwrap_or_default();
    Ok(crate::spec::parse(std::path::Path::new("spec.toml"), &text)
        .is_ok_and(|s| s.approval.allow_self_approval))
}
