//! Publishing an applied run of a remote workspace: its branch `sitewide/<run>` is pushed
//! to the remote, then, when the workspace has a forge, a pull (merge) request is opened
//! with the run's summary, the findings it fixes and its cost in the body.
//!
//! A push that fails fails the apply: the run stays `applying` with its commit in the
//! clone, and applying again pushes it. A pull request that fails to open after a good
//! push does not undo anything: the push stands, the run is applied, and the forge's
//! error is recorded and shown; applying the run again retries the pull request.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::RunError;
use super::remote::{RemoteSettings, blocking};
use crate::forge::{self, PullRequest};
use crate::store::{Change, Store};
use crate::workspace::{Workspace, redact};

/// Pushes run `run_id`'s branch and opens its pull request (see the module doc).
pub async fn publish(
    store: &Store,
    settings: &RemoteSettings,
    ws: Workspace,
    run_id: &str,
    target_branch: &str,
    settled: Settled<'_>,
) -> Result<(), RunError> {
    let branch = format!("sitewide/{run_id}");
    let remote = settings.remote.clone();
    let pushed = branch.clone();
    blocking(move || {
        remote.push(&ws, &remote.auth()?, &pushed).map_err(|e| {
            RunError::Refused(format!(
                "error: the branch {pushed} could not be pushed to {}: {e}\n  = hint: the commit is kept in the clone; apply the run again to push it",
                redact(&remote.url)
            ))
        })
    })
    .await?;
    store
        .record_push(run_id, &redact(&settings.remote.url), &branch)
        .await?;
    open_pull_request(store, settings, run_id, target_branch, settled).await
}

/// Which approved changes went into the branch and which were stale.
#[derive(Debug, Clone, Copy)]
pub struct Settled<'a> {
    pub applied: &'a [String],
    pub stale: &'a [String],
}

/// Opens the pull request of a pushed run when the workspace has a forge and none is
/// open yet, and records its link or the forge's error.
pub async fn open_pull_request(
    store: &Store,
    settings: &RemoteSettings,
    run_id: &str,
    target_branch: &str,
    settled: Settled<'_>,
) -> Result<(), RunError> {
    let Some(forge) = &settings.forge else {
        return Ok(());
    };
    let push = store.push_of(run_id).await?;
    if push.as_ref().is_none_or(|p| p.pull_request_url.is_some()) {
        return Ok(());
    }
    let token = settings
        .remote
        .token_env
        .as_deref()
        .and_then(crate::config::secret);
    let Some(token) = token else {
        let error = format!(
            "no API token: {} is not set\n  = hint: give --token-env VAR when registering the workspace, and export VAR",
            settings
                .remote
                .token_env
                .as_deref()
                .unwrap_or("--token-env")
        );
        store
            .record_pull_request(run_id, None, Some(&error))
            .await?;
        return Ok(());
    };
    let pr = PullRequest {
        title: title(store, run_id).await?,
        body: body(store, run_id, target_branch, settled).await?,
        head: format!("sitewide/{run_id}"),
        base: target_branch.to_string(),
    };
    // No redirects: the token header (GitLab's PRIVATE-TOKEN is not one reqwest drops)
    // must never follow a redirect to another host.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|e| RunError::Refused(format!("error: cannot make the forge's client: {e}")))?;
    match forge::open(&client, forge, &token, &pr).await {
        Ok(url) => store.record_pull_request(run_id, Some(&url), None).await?,
        Err(e) => {
            tracing::warn!(run = run_id, error = %e, "the pull request could not be opened");
            store
                .record_pull_request(run_id, None, Some(&e.to_string()))
                .await?;
        }
    }
    Ok(())
}

async fn title(store: &Store, run_id: &str) -> Result<String, RunError> {
    let run = store.run_by_id(run_id).await?;
    let spec = store
        .spec_by_id(run.spec_id)
        .await?
        .map_or_else(String::new, |s| s.name);
    Ok(format!("Sitewide: {spec}"))
}

/// The pull request's Markdown: summary, findings fixed per rule and file, cost.
async fn body(
    store: &Store,
    run_id: &str,
    target_branch: &str,
    settled: Settled<'_>,
) -> Result<String, RunError> {
    let changes = store.changes_of_run(run_id).await?;
    let spent = store.spent(run_id).await?;
    let approved: Vec<&Change> = changes
        .iter()
        .filter(|c| settled.applied.contains(&c.path))
        .collect();
    let mut out = format!(
        "The reviewed changes of Sitewide run `{run_id}`, on top of `{}`.\n\n## Summary\n\n- {} file{} changed\n",
        code(target_branch),
        approved.len(),
        if approved.len() == 1 { "" } else { "s" }
    );
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = String::new();
    for c in &approved {
        let fixed = fixed(c);
        let n: usize = fixed.values().sum();
        for (rule, k) in fixed {
            *by_rule.entry(rule).or_default() += k;
        }
        let _ = writeln!(rows, "| `{}` | {n} |", code(&c.path));
    }
    if !settled.stale.is_empty() {
        let _ = writeln!(
            out,
            "- {} approved change{} left out as stale: the file changed on `{}` since the run and the edit no longer applies",
            settled.stale.len(),
            if settled.stale.len() == 1 {
                " was"
            } else {
                "s were"
            },
            code(target_branch)
        );
    }
    let total: usize = by_rule.values().sum();
    let _ = writeln!(
        out,
        "- {total} finding{} fixed",
        if total == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        out,
        "- cost: ${:.4} ({} model call{})\n",
        spent.cost_usd,
        spent.calls,
        if spent.calls == 1 { "" } else { "s" }
    );
    if !by_rule.is_empty() {
        out.push_str("## Findings fixed\n\n| Rule | Fixed |\n|---|---|\n");
        for (rule, n) in &by_rule {
            let _ = writeln!(out, "| {} | {n} |", code(rule));
        }
        out.push('\n');
    }
    out.push_str("## Files\n\n| File | Findings fixed |\n|---|---|\n");
    out.push_str(&rows);
    out.push_str("\nEvery change was approved in Sitewide before this branch was pushed.\n");
    Ok(out)
}

/// Findings of the file before the change that are gone after it, by rule.
fn fixed(change: &Change) -> BTreeMap<String, usize> {
    let count = |v: &serde_json::Value| {
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for f in v.as_array().into_iter().flatten() {
            if let Some(rule) = f["rule"].as_str() {
                *by.entry(rule.to_string()).or_default() += 1;
            }
        }
        by
    };
    let after = count(&change.findings_after);
    count(&change.findings_before)
        .into_iter()
        .filter_map(|(rule, n)| {
            let left = after.get(&rule).copied().unwrap_or(0);
            (n > left).then(|| (rule, n - left))
        })
        .collect()
}

/// Text safe inside a Markdown code span or table cell.
fn code(text: &str) -> String {
    text.replace('`', "'")
        .replace('|', "\\|")
        .replace('\n', " ")
}
