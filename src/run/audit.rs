//! An audit run's one task: the tagging audit (`crate::qa::audit`) of the tree at the
//! base commit, read from git like the finish task's tree, with the spec's `[qa] rules`
//! as its rules (the audit's families when none are given). Only the coverage rows,
//! events, ids and findings in the spec's targets are kept; every page was resolved
//! first, so a layout or include outside the targets still counts for the pages built
//! from it. The report (the audit JSON contract) and the run's counts are stored as the
//! run completes, in one transaction: a task run twice stores one report; with it, the
//! comparison with the job's previous audit in the workspace (`super::compare`). A spec
//! with `[qa] external_links = true` also has the target files' external links requested
//! (LNK-004, `crate::links`) between the check and the report. Also: reading
//! the stored report back, refusing review and apply, and an audit run's summary lines.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::report::{RunReport, plural};
use super::worker::{Worker, pause_point, tree_and_config};
use super::{RunError, run_dir};
use crate::qa::audit::AuditReport;
use crate::spec::{JobSpec, Kind};
use crate::store::{Run, RunState, Store, StoreError};
use crate::workspace::Commit;

/// Audits `run`'s base tree and completes the run with its report. A spec with
/// `[qa] external_links = true` also requests the external links of the target files
/// (LNK-004), with the store's `link_checks` as the cache.
pub(super) async fn audit(worker: &Worker, run: &Run) -> Result<(), RunError> {
    let spec = worker.spec_of(run).await?;
    let name = spec.name.clone();
    let registered = worker.store.workspace_by_id(run.workspace_id).await?;
    let base = Commit(run.base_commit.clone());
    let files = run.files;
    let for_check = spec.clone();
    let data_dir = worker.data_dir.clone();
    let (mut report, config, selection) = tokio::task::spawn_blocking(move || {
        let spec = for_check;
        let fetch = super::remote::Fetch::IfMissing(base.0.clone());
        let ws = super::remote::open_blocking(&registered, &data_dir, &fetch)?;
        let (tree, config) = tree_and_config(&ws, &base)?;
        let year = crate::cli::current_year().map_err(RunError::Refused)?;
        let selection =
            crate::qa::audit::selection(&config, &spec.qa.rules, spec.qa.external_links)
                .map_err(|e| RunError::Spec(crate::cli::render_audit_error(e)))?;
        let mut report = crate::qa::audit::audit_selected(&tree, &config, &selection, year)
            .map_err(|e| RunError::Spec(crate::cli::render_audit_error(e)))?;
        report.retain_files(|f| spec.targets.matches(f));
        Ok::<_, RunError>((report, config, selection))
    })
    .await
    .map_err(|e| RunError::Refused(format!("error: the audit task panicked: {e}")))??;
    let links = external_links(worker, &mut report, &config, &selection).await?;
    let (text, qa) = tokio::task::spawn_blocking(move || {
        let mut text = Vec::new();
        report
            .write_json(&mut text)
            .map_err(|e| RunError::io("cannot write the audit report", e))?;
        let text = String::from_utf8(text)
            .map_err(|e| RunError::Refused(format!("error: the audit report: {e}")))?;
        Ok::<_, RunError>((text, counts(&report, &spec, files, links.as_ref())))
    })
    .await
    .map_err(|e| RunError::Refused(format!("error: the audit task panicked: {e}")))??;
    let mut qa = qa;
    let previous = super::compare::with_previous(
        &worker.store,
        &name,
        run.workspace_id,
        run.created_at,
        &text,
    )
    .await?;
    if let Some(comparison) = previous {
        qa["comparison"] = comparison;
    }
    pause_point(&worker.data_dir, "before-audit-settle");
    match worker
        .store
        .settle_audit(&run.id, &text, &qa, "sitewide")
        .await
    {
        // Another try of this task completed the run first: its report stands.
        Err(StoreError::StateMismatch { .. }) => return Ok(()),
        other => drop(other?),
    }
    let dir = run_dir(&worker.data_dir, &run.id);
    if let Err(e) = std::fs::remove_dir_all(&dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot remove the run's folder");
    }
    Ok(())
}

/// The environment variable with which a service's operator lets audit runs request
/// local hosts when a workspace's `[links.external] check_local_hosts` asks for them.
const ALLOW_LOCAL: &str = "SITEWIDE_LINKS_ALLOW_LOCAL";

/// The network phase of an audit whose spec turns external links on: LNK-004's requests,
/// with the store as the cache. `None` when the spec leaves them off.
async fn external_links(
    worker: &Worker,
    report: &mut AuditReport,
    config: &crate::config::SiteConfig,
    selection: &crate::qa::engine::Selection,
) -> Result<Option<crate::links::Summary>, RunError> {
    if !selection.network() {
        return Ok(None);
    }
    let mut options = crate::links::Options::from_config(&config.links.external);
    // The workspace's own sitewide.toml may ask for local hosts; a run of the service
    // honours that only where its operator allows it (SITEWIDE_LINKS_ALLOW_LOCAL=1): a
    // repository must not make the service reach into the network it runs in.
    options.check_local_hosts &= std::env::var(ALLOW_LOCAL).is_ok_and(|v| v == "1");
    let summary = crate::links::check_report(
        &mut report.check,
        config,
        selection,
        &options,
        Some(&worker.store),
    )
    .await
    .map_err(|e| RunError::Refused(format!("error: external links: {e}")))?;
    Ok(Some(summary))
}

/// The run's QA record: `audit` holds findings by severity and by rule, pages per
/// coverage status, and how many pages, ids and events the report keeps; with external
/// links on, `external_links` holds how many URLs were requested, cached and broken.
fn counts(
    report: &AuditReport,
    spec: &JobSpec,
    files: i64,
    links: Option<&crate::links::Summary>,
) -> Value {
    let summary = crate::qa::report::summary(&report.check);
    let coverage: serde_json::Map<String, Value> = report
        .counts()
        .into_iter()
        .map(|(status, n)| (status.as_str().to_string(), json!(n)))
        .collect();
    let mut rules = if spec.qa.rules.is_empty() {
        crate::qa::audit::default_patterns()
    } else {
        spec.qa.rules.clone()
    };
    if links.is_some() && crate::qa::engine::network_rules_named(&rules).is_empty() {
        rules.push(crate::qa::rules::links::external_link::META.id.to_string());
    }
    let mut notes = Vec::new();
    if files == 0 {
        notes.push(format!(
            "no file at the base commit matches targets {:?}",
            spec.targets.patterns
        ));
    }
    let mut qa = json!({
        "audit": {
            "findings": summary["by_severity"],
            "by_rule": summary["by_rule"],
            "total_findings": report.check.findings.len(),
            "coverage": coverage,
            "pages": report.coverage.len(),
            "ids": report.ids.len(),
            "events": report.events.len(),
            "rules": rules,
            "targets": spec.targets.patterns,
        },
        "notes": notes,
    });
    if let Some(l) = links {
        qa["audit"]["external_links"] = json!({
            "urls": l.urls,
            "requested": l.requested,
            "cached": l.cached,
            "not_requested": l.skipped,
            "broken": l.broken,
        });
    }
    qa
}

/// The stored report of audit run `run_id` (the audit JSON contract) with the run.
/// Refused with [`RunError::NotAnAudit`] for a run of an edit job and
/// [`RunError::AuditNotFinished`] for an audit that has not completed.
pub async fn audit_report(store: &Store, run_id: &str) -> Result<(Run, String), RunError> {
    let run = store.run_by_id(run_id).await?;
    refuse_edit_runs(&run)?;
    let text = match run.state {
        RunState::Completed => store.audit_report(run_id).await?,
        _ => None,
    };
    let Some(text) = text else {
        let why = match run.state {
            RunState::Failed => {
                let events = store.latest_events(run_id, 20).await?;
                let reason = events
                    .iter()
                    .find(|e| e.to_state == "failed")
                    .map(|e| e.detail.clone())
                    .unwrap_or_default();
                format!("its audit failed: {reason}")
            }
            state => format!("it is {state}; its report is stored when it completes"),
        };
        return Err(RunError::AuditNotFinished(format!(
            "error: run {run_id} has no report: {why}"
        )));
    };
    Ok((run, text))
}

fn refuse_edit_runs(run: &Run) -> Result<(), RunError> {
    if run.kind != Kind::Audit {
        return Err(RunError::NotAnAudit(format!(
            "error: run {} is an edit run, not an audit: it has changes, no audit report\n  = hint: `sitewide runs show {}` shows its changes",
            run.id, run.id
        )));
    }
    Ok(())
}

/// Refuses reviewing or applying an audit run: it edits nothing.
pub(super) fn refuse_audits(run: &Run, what: &str) -> Result<(), RunError> {
    if run.kind == Kind::Audit {
        return Err(RunError::IsAudit(format!(
            "error: run {} is an audit: it reports findings and has no changes to {what}\n  = hint: read its report with `sitewide runs show {}` or GET /api/v1/runs/{}/report",
            run.id, run.id, run.id
        )));
    }
    Ok(())
}

impl RunReport {
    /// An audit run's lines: its counts, and where its report is.
    pub(super) fn audit_summary(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "  audit of {} target file{}, {:.1} s",
            self.totals.files,
            plural(self.totals.files as usize),
            self.totals.wall_time_s
        );
        if let Some(a) = &self.audit {
            let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
            let f = &a["findings"];
            let _ = writeln!(
                out,
                "  findings: {} error{}, {} warning{}, {} info",
                n(f, "error"),
                plural(n(f, "error") as usize),
                n(f, "warning"),
                plural(n(f, "warning") as usize),
                n(f, "info")
            );
            let pages: Vec<String> = a["coverage"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, v)| v.as_u64().unwrap_or(0) > 0)
                .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
                .collect();
            let _ = writeln!(
                out,
                "  pages: {}{}",
                n(a, "pages"),
                if pages.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", pages.join(", "))
                }
            );
            let _ = writeln!(
                out,
                "report: GET /api/v1/runs/{id}/report (?format=sarif, ?format=csv), or /runs/{id}/report in the web UI",
                id = self.id
            );
        }
        for note in self.qa["notes"].as_array().into_iter().flatten() {
            if let Some(n) = note.as_str() {
                let _ = writeln!(out, "  note: {n}");
            }
        }
    }

    /// The short counts a run list shows: changes, or an audit's findings.
    pub fn list_counts(run: &Run, changes: i64) -> String {
        match run.kind {
            Kind::Audit => {
                let total = run.qa["audit"]["total_findings"].as_u64();
                total.map_or_else(|| "-".to_string(), |n| format!("{n} findings"))
            }
            Kind::Edit => format!("{changes} changes"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{PlanRequest, ensure_demo, plan};
    use crate::store::on_db;

    #[tokio::test]
    async fn an_audit_task_that_runs_twice_or_at_once_stores_one_report() {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).await.unwrap();
        ensure_demo(&store, data.path(), false).await.unwrap();
        let request = PlanRequest {
            spec: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("jobs/tagging-audit.toml"),
            workspace: "demo".into(),
            base: None,
            actor: "ana".into(),
            config: None,
            webhook: None,
        };
        let planned = plan(&store, data.path(), &request).await.unwrap();
        assert_eq!((planned.kind, planned.batches), (Kind::Audit, 0));
        let run = store
            .set_run_state(&planned.id, RunState::Queued, RunState::Running, "w")
            .await
            .unwrap();
        let worker = Worker::new(store.clone(), data.path(), None);
        let (a, b) = tokio::join!(audit(&worker, &run), audit(&worker, &run));
        a.unwrap();
        b.unwrap();
        audit(&worker, &run).await.unwrap();
        let (done, text) = audit_report(&store, &run.id).await.unwrap();
        assert_eq!(done.state, RunState::Completed);
        assert!(text.contains("\"coverage\""));
        let completed = store
            .events_of_run(&run.id)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.to_state == "completed")
            .count();
        assert_eq!(completed, 1);
        let n: i64 = on_db!(store.db(), c => sqlx::query_scalar("SELECT COUNT(*) FROM audits WHERE run_id = $1")
            .bind(&run.id)
            .fetch_one(c)
            .await)
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(done.qa["audit"]["coverage"]["not_tagged"], 2);
    }
}
