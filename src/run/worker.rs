//! The worker: an apalis worker on the store's SQLite file that takes the run queue's
//! tasks (edit batches, then one `finish` per run), and `wait_for`, which follows one run
//! until its work is done.
//!
//! A worker killed mid-task leaves its task locked; the next worker's heartbeat puts it
//! back in the queue once the dead worker missed [`MISSED_HEARTBEATS`] heartbeats, and
//! since every task's writes are one transaction (and a recorded batch is not recorded
//! again), running it again loses and duplicates nothing.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use apalis_core::backend::ext::BackendExt;
use apalis_core::error::BoxDynError;
use apalis_core::task::data::Data;
use apalis_core::worker::builder::WorkerBuilder;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::model::ModelCx;
use super::{RunError, audit, edit, finish};
use crate::config::SiteConfig;
use crate::edit::model::provider::ServiceConfig;
use crate::qa::engine::{PageResults, Report, Selection};
use crate::qa::site::Site;
use crate::spec::{Engine, JobSpec};
use crate::store::{Db, Limits, QUEUE, Run, RunState, Store, StoreError};
use crate::workspace::{Commit, GitTree, Workspace};

/// How often a worker says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// How many heartbeats a worker may miss before its tasks go to another worker.
const MISSED_HEARTBEATS: usize = 3;
/// How often an idle worker looks for new tasks.
const POLL: Duration = Duration::from_millis(25);
/// Recipe edit batches a worker works at once. Each batch already spreads its files over
/// every core; a second one overlaps its `git cat-file` read with the first's edits. The
/// worker takes many tasks from the queue at a time, so without this bound every batch of
/// a run would hold its files in memory at once, and memory would grow with the run.
const EDIT_BATCHES_AT_ONCE: usize = 2;
/// Tasks a worker takes at once. It takes the next only when one is done (the queue is
/// polled only when the worker is ready), so workers on one queue share a run's tasks
/// instead of the first one locking them all.
const TASKS_AT_ONCE: usize = 2;

/// One task of the run queue; its JSON is what apalis stores.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "task", rename_all = "snake_case")]
pub(crate) enum RunTask {
    /// Edit these `(path, base blob)` files of the run.
    Edit {
        run: String,
        batch: i64,
        files: Vec<(String, String)>,
    },
    /// QA the run's edits on the whole tree and settle it.
    Finish { run: String },
    /// Audit the tree at the run's base commit and store the report (`kind = "audit"`).
    Audit { run: String },
    /// Edit one change's file again, with the reviewer's comment (changes requested).
    Redo {
        run: String,
        change: i64,
        comment: String,
    },
}

impl RunTask {
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    fn run(&self) -> &str {
        match self {
            RunTask::Edit { run, .. }
            | RunTask::Finish { run }
            | RunTask::Audit { run }
            | RunTask::Redo { run, .. } => run,
        }
    }
}

/// What every task of a run needs, loaded once per worker and run.
pub(super) struct RunContext {
    pub run: Run,
    pub spec: JobSpec,
    pub ws: Workspace,
    /// The tree of the base commit, read from git (nothing is exported).
    pub tree: GitTree,
    pub site: Site,
    pub config: SiteConfig,
    pub hosts: Vec<String>,
    pub site_url: Option<String>,
    pub year: i32,
    /// The model and its limits, for `engine = "model"`.
    pub model: Option<ModelCx>,
    /// The QA check of the base tree, started by this process's first edit batch so that
    /// it runs beside the edits; the QA task takes it (or checks itself when no batch of
    /// this process started it, after a restart say).
    before: std::sync::Mutex<Option<BeforeCheck>>,
    before_started: std::sync::atomic::AtomicBool,
}

/// The before-check running in the background.
type BeforeCheck = tokio::task::JoinHandle<Result<(Report, PageResults), RunError>>;

impl RunContext {
    /// Starts the QA check of the base tree in the background, once.
    pub(super) fn start_before_check(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        if self.before_started.swap(true, Ordering::SeqCst) {
            return;
        }
        let cx = self.clone();
        let handle = tokio::task::spawn_blocking(move || cx.check_before());
        if let Ok(mut slot) = self.before.lock() {
            *slot = Some(handle);
        }
    }

    /// The QA check of the base tree, keeping every page's results for the after-check.
    pub(super) fn check_before(&self) -> Result<(Report, PageResults), RunError> {
        let selection = Selection::new(&self.config, &self.spec.qa.rules)
            .map_err(|e| RunError::Spec(format!("[qa] rules: {e}")))?;
        crate::qa::engine::check_keeping(&self.tree, &self.config, &selection, self.year).map_err(
            |e| {
                RunError::Refused(format!(
                    "error: QA of the tree before the edits failed: {e}"
                ))
            },
        )
    }

    /// The before-check a batch started, when there is one; `None` otherwise.
    pub(super) async fn take_before_check(
        &self,
    ) -> Option<Result<(Report, PageResults), RunError>> {
        let handle = self.before.lock().ok()?.take()?;
        match handle.await {
            Ok(result) => Some(result),
            Err(e) => Some(Err(RunError::Refused(format!(
                "error: the QA check before the edits stopped: {e}"
            )))),
        }
    }
}

/// A worker's shared state: the store, the data directory, and the loaded runs.
pub struct Worker {
    pub(super) store: Store,
    pub(super) data_dir: PathBuf,
    /// The service config file (`--config`), else `config.toml` in the data directory.
    config: Option<PathBuf>,
    name: String,
    contexts: Mutex<HashMap<String, Arc<RunContext>>>,
    /// Permits for recipe edit batches: see [`EDIT_BATCHES_AT_ONCE`].
    pub(super) edit_slots: tokio::sync::Semaphore,
    /// The most model calls of one run this process keeps in flight (`sitewide worker
    /// --calls N`); `None`: the run's `concurrency`, which holds across all processes.
    calls: Option<usize>,
}

impl Worker {
    /// A worker on `store` whose scratch space is `data_dir`. Its name is unique to this
    /// process, so a restarted worker never takes the name of a dead one.
    pub fn new(store: Store, data_dir: &Path, config: Option<&Path>) -> Arc<Worker> {
        Worker::with_calls(store, data_dir, config, None)
    }

    /// As [`Worker::new`], keeping at most `calls` model calls of a run in flight in this
    /// process (the run's `concurrency` still caps them across every process).
    pub fn with_calls(
        store: Store,
        data_dir: &Path,
        config: Option<&Path>,
        calls: Option<usize>,
    ) -> Arc<Worker> {
        let name = format!(
            "sitewide-{}-{:08x}",
            std::process::id(),
            ulid::Ulid::generate().random() as u32
        );
        Arc::new(Worker {
            store,
            data_dir: data_dir.to_path_buf(),
            config: config.map(Path::to_path_buf),
            name,
            contexts: Mutex::new(HashMap::new()),
            edit_slots: tokio::sync::Semaphore::new(EDIT_BATCHES_AT_ONCE),
            calls,
        })
    }

    /// Works the queue until `stop` resolves, then finishes the task in hand. When the
    /// queue's backend fails (the database busy past its timeout, say), the worker logs it
    /// and starts again under a new name; its locked tasks return to the queue after the
    /// missed heartbeats.
    pub async fn run_until<F>(self: Arc<Self>, stop: F) -> Result<(), RunError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            stop.await;
            let _ = tx.send(true);
        });
        for round in 0u64.. {
            let mut watch = rx.clone();
            let stopped = async move {
                let _ = watch.wait_for(|stop| *stop).await;
            };
            let result = self.clone().work(round, stopped).await;
            if *rx.borrow() {
                return Ok(());
            }
            if let Err(e) = result {
                tracing::warn!(error = %e, "the worker stopped; starting again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Ok(())
    }

    /// One apalis worker over the run queue, until `stop` resolves or the backend fails.
    async fn work<F>(self: Arc<Self>, round: u64, stop: F) -> Result<(), RunError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let name = format!("{}-{round}", self.name);
        let mut stop = Some(stop);
        let until = move |ctx: apalis_core::worker::context::WorkerContext| {
            let stop = stop.take();
            async move {
                if let Some(stop) = stop {
                    stop.await;
                }
                ctx.stop()
            }
        };
        // The same worker on either queue: their types differ, their builders do not.
        macro_rules! work_on {
            ($config:ty, $storage:ident, $pool:expr, $me:expr) => {{
                let config = <$config>::default()
                    .queue(QUEUE)
                    .heartbeat_interval(HEARTBEAT)
                    .missed_heartbeats(MISSED_HEARTBEATS)
                    .batch_size(1);
                let storage = $storage::<RunTask>::new(&$pool)
                    .with_config(config)
                    .poll_with_interval(POLL);
                WorkerBuilder::new(name.as_str())
                    .backend(storage)
                    .layer(tower::limit::ConcurrencyLimitLayer::new(TASKS_AT_ONCE))
                    .data($me)
                    .build(handle)
                    .run_with_ctx(until)
                    .await
            }};
        }
        let ran = match self.store.db().clone() {
            Db::Sqlite(pool) => work_on!(apalis_sqlite::Config, SqliteStorage, pool, self),
            Db::Postgres(pool) => work_on!(apalis_postgres::Config, PostgresStorage, pool, self),
        };
        ran.map_err(|e| RunError::Refused(format!("error: the worker stopped: {e}")))
    }

    /// The context of `run`, loaded (its base tree listed and discovered) on first use.
    pub(super) async fn context(&self, run: &Run) -> Result<Arc<RunContext>, RunError> {
        let mut contexts = self.contexts.lock().await;
        if let Some(cx) = contexts.get(&run.id) {
            return Ok(cx.clone());
        }
        let cx = Arc::new(self.load(run).await?);
        contexts.insert(run.id.clone(), cx.clone());
        Ok(cx)
    }

    /// Forgets a run's context (the run is settling or stopped).
    pub(super) async fn forget(&self, run_id: &str) {
        self.contexts.lock().await.remove(run_id);
    }

    /// The spec `run` was started with, as stored.
    pub(super) async fn spec_of(&self, run: &Run) -> Result<JobSpec, RunError> {
        let stored = self
            .store
            .spec_by_id(run.spec_id)
            .await?
            .ok_or_else(|| RunError::Refused(format!("run {}: its spec is missing", run.id)))?;
        let spec_path = PathBuf::from(format!("{}.toml", stored.name));
        crate::spec::parse(&spec_path, &stored.text)
            .map_err(|e| RunError::Spec(format!("the run's spec no longer validates: {e}")))
    }

    async fn load(&self, run: &Run) -> Result<RunContext, RunError> {
        let spec = self.spec_of(run).await?;
        let registered = self.store.workspace_by_id(run.workspace_id).await?;
        // A remote workspace's clone here has the base commit unless the run was planned
        // on another machine: then it is fetched (or cloned) first.
        let fetch = super::remote::Fetch::IfMissing(run.base_commit.clone());
        let ws = super::remote::open(&registered, &self.data_dir, fetch).await?;
        let base = Commit(run.base_commit.clone());
        let ws2 = ws.clone();
        let (tree, config, site) = tokio::task::spawn_blocking(move || discover(&ws2, &base))
            .await
            .map_err(|e| RunError::Refused(format!("error: {e}")))??;
        let (hosts, site_url) = crate::qa::engine::site_identity(&config, &site);
        let year = crate::cli::current_year().map_err(RunError::Refused)?;
        let model = match spec.engine {
            Engine::Model => {
                let mut model = model_cx(&spec, self.config.as_deref(), &self.data_dir)?;
                if let Some(calls) = self.calls {
                    let here = calls.clamp(1, model.limits.concurrency.max(1) as usize);
                    model.permits = Arc::new(tokio::sync::Semaphore::new(here));
                }
                Some(model)
            }
            Engine::Recipe => None,
        };
        Ok(RunContext {
            run: run.clone(),
            spec,
            ws,
            tree,
            site,
            config,
            hosts,
            site_url,
            year,
            model,
            before: std::sync::Mutex::new(None),
            before_started: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

/// The model of a spec with `engine = "model"`: its provider from the service config,
/// and the limits its calls must fit.
pub(super) fn model_cx(
    spec: &JobSpec,
    config: Option<&Path>,
    data_dir: &Path,
) -> Result<ModelCx, RunError> {
    let wanted = spec.model.clone().ok_or_else(|| {
        RunError::Spec("error: engine = \"model\" needs a [model] table".to_string())
    })?;
    let service = ServiceConfig::load(config, data_dir)
        .map_err(|e| RunError::Spec(crate::cli::render_config_error(e)))?;
    let provider = service
        .provider(&wanted.provider)
        .map_err(|e| RunError::Spec(format!("error: [model] provider: {e}")))?
        .clone();
    let budget = &spec.budget;
    let limits = Limits {
        max_input_tokens: budget.max_input_tokens,
        max_output_tokens: budget.max_output_tokens,
        max_cost_usd: budget.max_cost_usd,
        concurrency: budget.concurrency,
        requests_per_minute: provider.requests_per_minute,
        tokens_per_minute: provider.tokens_per_minute,
    };
    Ok(ModelCx {
        permits: Arc::new(tokio::sync::Semaphore::new(
            budget.concurrency.max(1) as usize
        )),
        provider,
        provider_name: wanted.provider,
        model: wanted.name,
        temperature: wanted.temperature,
        on_mismatch: wanted.on_mismatch,
        limits,
    })
}

/// The tree of `base`, its `sitewide.toml` and its site, all read from git.
fn discover(ws: &Workspace, base: &Commit) -> Result<(GitTree, SiteConfig, Site), RunError> {
    let (tree, config) = tree_and_config(ws, base)?;
    let excludes: Vec<String> = config.exclude.iter().map(|g| g.get_ref().clone()).collect();
    let site =
        Site::discover(&tree, &excludes).map_err(|e| RunError::Refused(format!("error: {e}")))?;
    Ok((tree, config, site))
}

/// The tree of `base` and its `sitewide.toml`, read from git (nothing is exported).
pub(super) fn tree_and_config(
    ws: &Workspace,
    base: &Commit,
) -> Result<(GitTree, SiteConfig), RunError> {
    let tree = ws.tree_at(base)?;
    let config = SiteConfig::load(&tree).map_err(|e| {
        RunError::Spec(format!(
            "sitewide.toml at the base commit is not valid:\n{}",
            crate::cli::render_config_error(e)
        ))
    })?;
    Ok((tree, config))
}

/// How often a task is tried in this process when the database is busy.
const TRIES: u32 = 5;

/// Runs one task. When the database stays busy through [`TRIES`] tries with backoff, or
/// any other error happens, the run fails with the message, so no run hangs.
async fn handle(task: RunTask, worker: Data<Arc<Worker>>) -> Result<(), BoxDynError> {
    let worker = worker.0.clone();
    let mut delay = Duration::from_millis(250);
    let mut tries = 0;
    loop {
        tries += 1;
        let error = match work_on(&worker, &task).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let busy = matches!(error, RunError::Store(StoreError::Sql(_)));
        if busy && tries < TRIES {
            tracing::debug!(run = task.run(), error = %error, "the database is busy; trying again");
            tokio::time::sleep(delay).await;
            delay *= 2;
            continue;
        }
        tracing::warn!(run = task.run(), error = %error, "the run failed");
        worker.forget(task.run()).await;
        worker
            .store
            .fail_run(task.run(), &error.to_string(), &worker.name)
            .await?;
        return Ok(());
    }
}

/// One try of a task: the run moves to `running` on its first task; a task of a run that
/// is no longer running, or of a batch already recorded, does nothing.
async fn work_on(worker: &Worker, task: &RunTask) -> Result<(), RunError> {
    let store = &worker.store;
    let run = match store.run_by_id(task.run()).await {
        Ok(run) => run,
        Err(StoreError::NotFound { .. }) => {
            tracing::warn!(run = task.run(), "a task for a run that does not exist");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let run = if run.state == RunState::Queued {
        match store
            .set_run_state(&run.id, RunState::Queued, RunState::Running, &worker.name)
            .await
        {
            Ok(run) => run,
            Err(StoreError::StateMismatch { .. }) => store.run_by_id(&run.id).await?,
            Err(e) => return Err(e.into()),
        }
    } else {
        run
    };
    if let RunTask::Redo {
        change, comment, ..
    } = task
    {
        if run.state != RunState::AwaitingReview {
            return Ok(());
        }
        return super::redo::redo(worker, &run, *change, comment).await;
    }
    if run.state != RunState::Running {
        worker.forget(&run.id).await;
        return Ok(());
    }
    match task {
        RunTask::Edit { batch, files, .. } => {
            if store.batch_done(&run.id, *batch).await? {
                return Ok(());
            }
            edit::batch(worker, &run, *batch, files.clone()).await
        }
        RunTask::Finish { .. } => finish::finish(worker, &run).await,
        RunTask::Audit { .. } => audit::audit(worker, &run).await,
        RunTask::Redo { .. } => Ok(()),
    }
}

/// Test hook for the crash tests: when `SITEWIDE_PAUSE_AT` names `point`, the process
/// writes `<data dir>/paused-<point>` and waits there to be killed.
pub(super) fn pause_point(data_dir: &Path, point: &str) {
    if std::env::var("SITEWIDE_PAUSE_AT").is_ok_and(|p| p == point) {
        let _ = std::fs::write(data_dir.join(format!("paused-{point}")), b"");
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    }
}

/// Follows `run_id` until its work is done (it leaves `queued` and `running`), drawing a
/// progress line on a terminal's stderr; returns the run as it ended.
pub async fn wait_for(store: &Store, run_id: &str, progress: bool) -> Result<Run, RunError> {
    let progress = progress && std::io::stderr().is_terminal();
    let mut last = String::new();
    loop {
        let run = store.run_by_id(run_id).await?;
        if !matches!(run.state, RunState::Queued | RunState::Running) {
            if progress && !last.is_empty() {
                let _ = write!(std::io::stderr(), "\r{:width$}\r", "", width = last.len());
            }
            return Ok(run);
        }
        if progress {
            let done = store.batches_done(run_id).await?;
            let line = progress_line(&run, done);
            if line != last {
                let _ = write!(std::io::stderr(), "\r{line}");
                last = line;
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

fn progress_line(run: &Run, done: i64) -> String {
    const WIDTH: i64 = 30;
    let total = run.batches.max(1);
    let filled = (done * WIDTH / total).min(WIDTH) as usize;
    let stage = if done >= run.batches { "QA" } else { "editing" };
    format!(
        "[{}{}] {done}/{} batches of {} files, {stage}",
        "#".repeat(filled),
        "-".repeat(WIDTH as usize - filled),
        run.batches,
        run.files
    )
}
