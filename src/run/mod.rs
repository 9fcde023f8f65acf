//! Runs: a job spec carried out at one commit of a workspace. [`plan`] resolves the
//! targets at the base commit and queues the run's tasks (apalis, in the store's SQLite
//! file); a [`worker`] edits the files in batches (in memory, never in the workspace),
//! then runs the QA engine on the tree before and after and the spec's QA scripts, and
//! settles the run: every change with its diff and findings, `proposed` or `blocked`.
//! [`review`] records decisions and [`apply`] commits the approved changes on
//! `sitewide/<run-id>`. A run of a `kind = "audit"` job is one task instead: the tagging
//! audit of the tree at the base commit, its report stored as the run completes; it
//! edits nothing.
//!
//! Every step is one transaction in the store, and every task can run twice: a worker
//! killed at any point leaves the old state or the new, and the next worker goes on.

mod apply;
mod audit;
mod cancel;
mod compare;
mod edit;
mod finish;
mod forecast;
mod model;
mod plan;
mod publish;
mod redo;
mod remote;
mod report;
mod review;
pub mod schedule;
mod scripts;
mod worker;

use std::path::{Path, PathBuf};

pub use apply::apply;
pub use audit::audit_report;
pub use cancel::cancel;
pub use compare::{compare, finding_key, trend};
pub use forecast::{Forecast, forecast};
pub use plan::{DEMO, PlanRequest, ensure_demo, plan};
pub use remote::{
    Fetch, RemoteSettings, clone_dir, open_blocking as open_workspace, register as register_remote,
};
pub use report::{RunReport, list, overview, report};
pub use review::{Decision, Verdict, decide, review};
pub use schedule::{Clock, ScheduledJob, Scheduler, SystemClock};
pub use worker::{Worker, wait_for};

use crate::store::StoreError;
use crate::workspace::WorkspaceError;

/// Why a run could not be planned, worked, reviewed or applied.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("{0}")]
    Spec(String),
    #[error("{0}")]
    Refused(String),
    /// The person may not do this (approving their own run, say).
    #[error("{0}")]
    Forbidden(String),
    /// A review or apply of an audit run, which has no changes.
    #[error("{0}")]
    IsAudit(String),
    /// The audit report of a run that is not an audit.
    #[error("{0}")]
    NotAnAudit(String),
    /// The audit report of an audit run that has not completed (or failed).
    #[error("{0}")]
    AuditNotFinished(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

impl RunError {
    fn io(what: impl Into<String>, source: std::io::Error) -> RunError {
        RunError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Runs a store write again (with backoff, up to 5 times) while the database is busy, so
/// a busy moment never makes a task redo work that cost money (model calls).
async fn retry_busy<T, F, Fut>(mut write: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut delay = std::time::Duration::from_millis(100);
    for _ in 0..4 {
        match write().await {
            Err(StoreError::Sql(e)) => {
                tracing::debug!(error = %e, "the database is busy; writing again");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
    write().await
}

/// The folder a run's working copy of the tree lives in while it is worked.
fn run_dir(data_dir: &Path, run_id: &str) -> PathBuf {
    data_dir.join("runs").join(run_id)
}

/// A new run id: the UTC time it was planned and 4 random hex digits, so ids sort by age
/// and read well in a branch name (`sitewide/20261127-094512-3fa9`).
fn new_run_id() -> String {
    let now = chrono::Utc::now();
    let random = ulid::Ulid::generate().random() as u16;
    format!("{}-{random:04x}", now.format("%Y%m%d-%H%M%S"))
}

/// The name runs and reviews are recorded under when `--as` is not given: git's
/// `user.name`, else the login name.
pub fn default_actor() -> String {
    let git = std::process::Command::new("git")
        .args(["config", "user.name"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|n| !n.is_empty());
    git.or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}
