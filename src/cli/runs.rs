//! The run commands: `run`, `runs`, `runs show`, `review`, `apply` and `worker`. Each opens
//! the store in the data directory, calls one entry point of `crate::run`, and prints a
//! summary for people or the run's JSON for tools.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::run::{self, Decision, PlanRequest, RunReport, Worker};
use crate::store::{RunState, Store};

/// `sitewide run SPEC --workspace W`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The job spec (`jobs/x.toml`).
    pub spec: PathBuf,
    /// A registered workspace's name, or a git repository's path (registered on first use
    /// under its folder name).
    #[arg(long)]
    pub workspace: String,
    /// The commit to work at (a branch, tag or commit id); default: the head of the
    /// workspace's default branch.
    #[arg(long)]
    pub base: Option<String>,
    /// Print the run as one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Who starts the run (default: git's user.name).
    #[arg(long = "as")]
    pub actor: Option<String>,
    /// The service config with the model providers (default: config.toml in the data
    /// directory; never read from a workspace).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Plan only: print the files and, for a model job, the forecast of tokens, cost and
    /// time; store nothing and call no model.
    #[arg(long)]
    pub dry_run: bool,
    /// Queue the run, print its id and return: the workers (`sitewide worker`, or
    /// `sitewide serve`'s own) do the work.
    #[arg(long, conflicts_with = "dry_run")]
    pub no_wait: bool,
    /// Where Sitewide keeps its data (default: SITEWIDE_DATA_DIR, else the platform's data
    /// directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum RunsCommand {
    /// Print one run: its changes with diffs and findings, skipped files and totals.
    Show {
        id: String,
        /// Print the run as one JSON object (the shape of `sitewide run --json`).
        #[arg(long)]
        json: bool,
        /// Print the receipt of every model call instead of the diffs.
        #[arg(long)]
        receipts: bool,
    },
}

/// `sitewide review ID --approve FILE | --reject FILE | --approve-all`.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["approve", "reject", "approve_all"])))]
pub struct ReviewArgs {
    pub id: String,
    /// Approve the change to FILE (repeatable).
    #[arg(long, value_name = "FILE")]
    pub approve: Vec<String>,
    /// Reject the change to FILE (repeatable).
    #[arg(long, value_name = "FILE")]
    pub reject: Vec<String>,
    /// Approve every proposed change.
    #[arg(long)]
    pub approve_all: bool,
    /// A comment kept with the decision.
    #[arg(long, default_value = "")]
    pub comment: String,
    /// The reviewer (default: git's user.name).
    #[arg(long = "as")]
    pub actor: Option<String>,
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// Runs `work` on a multi-threaded runtime with the store of `data_dir` open.
pub(super) fn with_store<F, Fut>(data_dir: Option<&Path>, work: F) -> Result<ExitCode, String>
where
    F: FnOnce(Store, PathBuf) -> Fut,
    Fut: Future<Output = Result<ExitCode, String>>,
{
    let data = crate::config::data_dir(data_dir);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("error: cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let store = Store::connect(crate::config::database_url().as_deref(), &data)
            .await
            .map_err(|e| format!("error: {e}"))?;
        work(store, data).await
    })
}

pub(super) fn fail(e: impl std::fmt::Display) -> String {
    let text = e.to_string();
    if text.starts_with("error") {
        text
    } else {
        format!("error: {text}")
    }
}

pub(super) fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn print_report(report: &RunReport, json: bool) -> Result<(), String> {
    if json {
        let text = serde_json::to_string_pretty(report).map_err(fail)?;
        print(&format!("{text}\n"));
    } else {
        print(&report.summary());
    }
    Ok(())
}

/// Plans the run, works it in this process to the end, prints it. Exit 0 when the run's
/// work finished (awaiting review or completed), 1 when it failed.
pub fn run(args: &RunArgs) -> Result<ExitCode, String> {
    with_store(args.data_dir.as_deref(), |store, data| async move {
        let actor = args.actor.clone().unwrap_or_else(run::default_actor);
        let request = PlanRequest {
            spec: args.spec.clone(),
            workspace: args.workspace.clone(),
            base: args.base.clone(),
            actor,
            config: args.config.clone(),
            webhook: None,
        };
        if args.dry_run {
            let forecast = run::forecast(&store, &data, &request).await.map_err(fail)?;
            if args.json {
                let text = serde_json::to_string_pretty(&forecast).map_err(fail)?;
                print(&format!("{text}\n"));
            } else {
                print(&forecast.summary());
            }
            return Ok(ExitCode::SUCCESS);
        }
        if args.workspace == run::DEMO {
            run::ensure_demo(&store, &data, false).await.map_err(fail)?;
        }
        let planned = run::plan(&store, &data, &request).await.map_err(fail)?;
        if let Some(over) = planned.forecast["over_budget"].as_array()
            && !over.is_empty()
        {
            let lines: Vec<&str> = over.iter().filter_map(|o| o.as_str()).collect();
            let _ = writeln!(
                std::io::stderr(),
                "warning: the forecast passes the budget ({}); the run stops where the budget ends",
                lines.join("; ")
            );
        }
        if args.no_wait {
            if args.json {
                let queued = json!({"id": planned.id, "state": "queued"});
                print(&format!("{queued}\n"));
            } else {
                print(&format!("{}\n", planned.id));
            }
            return Ok(ExitCode::SUCCESS);
        }
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let worker = Worker::new(store.clone(), &data, args.config.as_deref());
        let working = tokio::spawn(worker.run_until(async {
            let _ = rx.await;
        }));
        let ended = run::wait_for(&store, &planned.id, !args.json).await;
        let _ = tx.send(());
        let _ = working.await;
        let ended = ended.map_err(fail)?;
        let report = run::report(&store, &ended.id).await.map_err(fail)?;
        print_report(&report, args.json)?;
        if ended.state == RunState::Failed {
            let why = store
                .events_of_run(&ended.id)
                .await
                .ok()
                .and_then(|e| e.into_iter().rev().find(|e| e.to_state == "failed"))
                .map(|e| e.detail)
                .unwrap_or_default();
            let _ = writeln!(std::io::stderr(), "error: run {} failed: {why}", ended.id);
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `sitewide runs` and `sitewide runs show ID`.
pub fn runs(action: Option<&RunsCommand>, data_dir: Option<&Path>) -> Result<ExitCode, String> {
    with_store(data_dir, |store, _| async move {
        match action {
            None => print(&run::list(&store).await.map_err(fail)?),
            Some(RunsCommand::Show { id, json, receipts }) => {
                let report = run::report(&store, id).await.map_err(fail)?;
                print_report(&report, *json)?;
                if *receipts && !json {
                    print(&format!("\n{}", report.receipts_table()));
                } else if !json {
                    for c in &report.changes {
                        print(&format!("\n{}", c.diff));
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `sitewide review`.
pub fn review(args: &ReviewArgs) -> Result<ExitCode, String> {
    with_store(args.data_dir.as_deref(), |store, _| async move {
        let reviewer = args.actor.clone().unwrap_or_else(run::default_actor);
        let mut decisions: Vec<Decision> = Vec::new();
        if args.approve_all {
            decisions.push(Decision::ApproveAll);
        }
        decisions.extend(args.approve.iter().cloned().map(Decision::Approve));
        decisions.extend(args.reject.iter().cloned().map(Decision::Reject));
        let mut out = String::new();
        for d in &decisions {
            let moved = run::review(&store, &args.id, d, &reviewer, &args.comment)
                .await
                .map_err(fail)?;
            for c in moved {
                out.push_str(&format!("{} {} (by {reviewer})\n", c.state, c.path));
            }
        }
        let report = run::report(&store, &args.id).await.map_err(fail)?;
        out.push_str(&report.summary());
        print(&out);
        Ok(ExitCode::SUCCESS)
    })
}

/// `sitewide demo`: makes (or resets) the demo workspace and registers it as `demo`.
pub fn demo(data_dir: Option<&Path>) -> Result<ExitCode, String> {
    with_store(data_dir, |store, data| async move {
        let ws = run::ensure_demo(&store, &data, true).await.map_err(fail)?;
        print(&format!(
            "demo workspace ready: {} (registered as `{}`)\ntry: sitewide run jobs/strip-internal-utms.toml --workspace demo\n",
            ws.path, ws.name
        ));
        Ok(ExitCode::SUCCESS)
    })
}

/// `sitewide apply ID`.
pub fn apply(
    id: &str,
    actor: Option<&str>,
    json: bool,
    data_dir: Option<&Path>,
) -> Result<ExitCode, String> {
    with_store(data_dir, |store, data| async move {
        let actor = actor.map_or_else(run::default_actor, str::to_string);
        run::apply(&store, &data, id, &actor).await.map_err(fail)?;
        let report = run::report(&store, id).await.map_err(fail)?;
        print_report(&report, json)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `sitewide worker`: works the run queue of the store DATABASE_URL names (or the data
/// directory's SQLite file) until Ctrl-C or SIGTERM (the task in hand is finished
/// first), or with `exit_when_idle` until no run is queued or running; with `jobs`, it
/// also starts that folder's scheduled jobs (each slot once, however many run).
pub fn worker(
    exit_when_idle: bool,
    calls: Option<usize>,
    jobs: Option<&Path>,
    config: Option<&Path>,
    data_dir: Option<&Path>,
) -> Result<ExitCode, String> {
    with_store(data_dir, |store, data| async move {
        let worker: Arc<Worker> = Worker::with_calls(store.clone(), &data, config, calls);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let until = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let scheduling = jobs.map(|dir| {
            let (jobs, problems) = run::schedule::load_jobs(dir);
            for p in problems {
                tracing::warn!(problem = %p, "a job spec is not scheduled");
            }
            let scheduler =
                run::Scheduler::new(store.clone(), &data, config, jobs, chrono::Utc::now());
            let clock: Arc<dyn run::Clock> = Arc::new(run::SystemClock);
            tokio::spawn(run::schedule::run_until(
                scheduler,
                clock,
                until(stopped.clone()),
            ))
        });
        let working = tokio::spawn(worker.run_until(until(stopped.clone())));
        if exit_when_idle {
            idle(&store).await;
        } else {
            super::web::shutdown_signal().await;
        }
        let _ = stop.send(true);
        if let Some(s) = scheduling {
            let _ = s.await;
        }
        working.await.map_err(fail)?.map_err(fail)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Resolves once no run is queued or running.
async fn idle(store: &Store) {
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        match store.runs_in(&[RunState::Queued, RunState::Running]).await {
            Ok(busy) if busy.is_empty() => break,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the runs");
                break;
            }
        }
    }
}
