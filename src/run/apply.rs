//! Apply: the approved changes of a run become one commit on `sitewide/<run-id>`, whose
//! parent is the current head of the branch the run was based on, with the trailers
//! `Sitewide-Run:`, `Sitewide-Spec:` and one `Approved-by:` per reviewer. A change whose
//! file moved on that branch so that its edit no longer applies is `stale`; the rest
//! still apply.
//!
//! A remote workspace's clone is fetched first, so the commit goes on the branch's head
//! on the remote; the branch is then pushed and its pull request opened
//! (`publish.rs`).
//!
//! The run goes `applying` first; the branch is written once (never moved), and the
//! outcome is recorded after. A process killed between the two leaves the run
//! `applying` with the branch whole: applying again reads the outcome from the branch.

use std::collections::BTreeSet;

use super::RunError;
use super::publish::{Settled, open_pull_request, publish};
use super::remote::RemoteSettings;
use super::worker::pause_point;
use crate::store::{ChangeState, Run, RunState, Store};
use crate::workspace::{Blob, ChangeSet, Commit};

/// Applies run `run_id`'s approved changes as `actor`; returns the run, `applied`.
///
/// It holds the run's workspace lock throughout: two applies in one workspace (in this
/// process or any other sharing the database) take turns, so no two write or push its
/// branches at once.
pub async fn apply(
    store: &Store,
    data_dir: &std::path::Path,
    run_id: &str,
    actor: &str,
) -> Result<Run, RunError> {
    let run = store.run_by_id(run_id).await?;
    super::audit::refuse_audits(&run, "apply")?;
    let lock = store.lock_workspace(run.workspace_id).await?;
    let applied = apply_locked(store, data_dir, run_id, actor).await;
    lock.release().await;
    applied
}

/// [`apply`] once the workspace is locked: the run is read again, since another apply
/// may have moved it while this one waited.
async fn apply_locked(
    store: &Store,
    data_dir: &std::path::Path,
    run_id: &str,
    actor: &str,
) -> Result<Run, RunError> {
    let run = store.run_by_id(run_id).await?;
    let changes = store.changes_of_run(run_id).await?;
    let approved: Vec<_> = changes
        .iter()
        .filter(|c| c.state == ChangeState::Approved)
        .collect();
    match run.state {
        RunState::AwaitingReview if approved.is_empty() => {
            return Err(RunError::Refused(format!(
                "error: run {run_id} has no approved change to apply\n  = hint: `sitewide review {run_id} --approve FILE` or `--approve-all` first"
            )));
        }
        RunState::AwaitingReview => {
            store
                .set_run_state(run_id, RunState::AwaitingReview, RunState::Applying, actor)
                .await?;
        }
        RunState::Applying => {}
        RunState::Applied => return retry_pull_request(store, &run).await,
        other => {
            return Err(RunError::Refused(format!(
                "error: run {run_id} is {other}; only a run awaiting review can be applied"
            )));
        }
    }
    let registered = store.workspace_by_id(run.workspace_id).await?;
    let settings = RemoteSettings::of(&registered)?;
    // A remote workspace is fetched first: the commit goes on the branch's head now.
    let ws = super::remote::open(&registered, data_dir, super::remote::Fetch::Always).await?;
    let published = ws.clone();
    let branch = format!("sitewide/{run_id}");
    let spec_name = store
        .spec_by_id(run.spec_id)
        .await?
        .map_or_else(String::new, |s| s.name);
    let approvers = approvers(store, run_id).await?;
    if let Some(c) = approved.iter().find(|c| c.new_content.is_none()) {
        return Err(RunError::Refused(format!(
            "error: run {run_id}: the change to {} has no stored content; it cannot be applied",
            c.path
        )));
    }
    let set = ChangeSet {
        base: Commit(run.base_commit.clone()),
        target_branch: run.target_branch.clone(),
        branch: branch.clone(),
        changes: approved
            .iter()
            .map(|c| {
                (
                    c.path.clone(),
                    Blob(c.base_hash.clone()),
                    c.new_content.clone().unwrap_or_default().into_bytes(),
                )
            })
            .collect(),
        message: message(&spec_name, run_id),
        trailers: std::iter::once(("Sitewide-Run".to_string(), run_id.to_string()))
            .chain(std::iter::once((
                "Sitewide-Spec".to_string(),
                spec_name.clone(),
            )))
            .chain(
                approvers
                    .into_iter()
                    .map(|a| ("Approved-by".to_string(), a)),
            )
            .collect(),
    };
    let wanted: Vec<String> = approved.iter().map(|c| c.path.clone()).collect();
    let (commit, applied, stale) = tokio::task::spawn_blocking(move || {
        let trailer = format!(
            "Sitewide-Run: {run_id_owned}",
            run_id_owned = set.trailers[0].1
        );
        if let Some((commit, message, paths)) = ws.branch_commit(&set.branch)?
            && message.lines().any(|l| l == trailer)
        {
            // Applied before the process stopped: the branch says what went in.
            let stale = wanted
                .iter()
                .filter(|p| !paths.contains(p))
                .cloned()
                .collect();
            let applied = wanted.into_iter().filter(|p| paths.contains(p)).collect();
            return Ok::<_, RunError>((Some(commit), applied, stale));
        }
        let outcome = ws.commit_changes(&set)?;
        Ok((outcome.commit, outcome.applied, outcome.stale))
    })
    .await
    .map_err(|e| RunError::Refused(format!("error: apply panicked: {e}")))??;
    pause_point(data_dir, "after-branch");
    if let (Some(settings), Some(_)) = (&settings, &commit) {
        let settled = Settled {
            applied: &applied,
            stale: &stale,
        };
        publish(
            store,
            settings,
            published,
            run_id,
            &run.target_branch,
            settled,
        )
        .await?;
    }
    let commit = commit.map(|c| c.0);
    Ok(store
        .record_apply(run_id, &applied, &stale, commit.as_deref(), actor)
        .await?)
}

/// Applying an applied run again opens the pull request that failed to open after its
/// branch was pushed; anything else is refused.
async fn retry_pull_request(store: &Store, run: &Run) -> Result<Run, RunError> {
    let registered = store.workspace_by_id(run.workspace_id).await?;
    let settings = RemoteSettings::of(&registered)?;
    let push = store.push_of(&run.id).await?;
    let retry = push.is_some_and(|p| p.pull_request_url.is_none() && p.error.is_some());
    let Some(settings) = settings.filter(|s| s.forge.is_some() && retry) else {
        return Err(RunError::Refused(format!(
            "error: run {} is applied; only a run awaiting review can be applied",
            run.id
        )));
    };
    let changes = store.changes_of_run(&run.id).await?;
    let paths = |state: ChangeState| -> Vec<String> {
        changes
            .iter()
            .filter(|c| c.state == state)
            .map(|c| c.path.clone())
            .collect()
    };
    let (applied, stale) = (paths(ChangeState::Applied), paths(ChangeState::Stale));
    let settled = Settled {
        applied: &applied,
        stale: &stale,
    };
    open_pull_request(store, &settings, &run.id, &run.target_branch, settled).await?;
    Ok(store.run_by_id(&run.id).await?)
}

/// Everyone who approved a change of the run that is still approved, by name.
async fn approvers(store: &Store, run_id: &str) -> Result<BTreeSet<String>, RunError> {
    let changes = store.changes_of_run(run_id).await?;
    let events = store.events_of_run(run_id).await?;
    let mut names = BTreeSet::new();
    for c in changes.iter().filter(|c| c.state == ChangeState::Approved) {
        if let Some(e) = events
            .iter()
            .rev()
            .find(|e| e.change_id == Some(c.id) && e.to_state == "approved")
        {
            names.insert(e.actor.clone());
        }
    }
    Ok(names)
}

fn message(spec: &str, run_id: &str) -> String {
    format!("Sitewide: {spec}\n\nThe reviewed changes of run {run_id} of job {spec}.")
}
