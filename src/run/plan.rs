//! Planning a run: validate the spec, find the workspace, resolve the base commit, list
//! the target files at that commit (the work tree and branches are never read), apply the
//! file budget, and queue the edit batches (an audit: its one audit task), all in one
//! transaction with the new run.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::model::ModelCx;
use super::worker::{RunTask, model_cx};
use super::{RunError, new_run_id};
use crate::spec::{Engine, JobSpec, Kind, SpecError};
use crate::store::{NewRun, Run, Skip, Store, Workspace as Registered};
use crate::workspace::{Commit, Workspace, redact};

/// How many target files one edit task takes.
pub(super) const BATCH_FILES: usize = 200;

/// What `sitewide run` asks for.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// The job spec file.
    pub spec: PathBuf,
    /// A registered workspace's name, or a repository's path (registered on first use
    /// under its folder name).
    pub workspace: String,
    /// The commit to work at; default: the head of the workspace's default branch.
    pub base: Option<String>,
    /// Who starts the run.
    pub actor: String,
    /// The service config with the model providers (`--config`).
    pub config: Option<PathBuf>,
    /// A webhook URL told when the run ends (checked by the caller).
    pub webhook: Option<String>,
}

/// What planning found, before anything is stored.
pub(super) struct Prepared {
    pub text: String,
    pub spec: JobSpec,
    pub registered: Registered,
    /// The name a workspace given by path will be registered under.
    pub new_name: Option<String>,
    pub ws: Workspace,
    pub base: Commit,
    pub target_branch: String,
    /// `(path, blob)` of the target files within `max_files`.
    pub planned: Vec<(String, String)>,
    /// Target files past `max_files`.
    pub over: Vec<Skip>,
    pub model: Option<ModelCx>,
}

/// Validates the spec, finds the workspace and base commit, lists the targets there.
pub(super) async fn prepare(
    store: &Store,
    data_dir: &Path,
    request: &PlanRequest,
) -> Result<Prepared, RunError> {
    let text = std::fs::read_to_string(&request.spec)
        .map_err(|e| RunError::io(format!("cannot read {}", request.spec.display()), e))?;
    let spec = crate::spec::parse(&request.spec, &text).map_err(spec_error)?;
    let audit = spec.kind == Kind::Audit;
    // An audit edits nothing: its engine, model and file budget do not apply.
    let model = match spec.engine {
        Engine::Model if !audit => Some(model_cx(&spec, request.config.as_deref(), data_dir)?),
        _ => None,
    };
    if let Some(m) = &model
        && m.provider.api_key().is_none()
        && let Some(env) = &m.provider.api_key_env
    {
        return Err(RunError::Refused(format!(
            "error: provider {:?} reads its API key from {env}, which is not set\n  = hint: export {env}=… (keys never go in files)",
            m.provider_name
        )));
    }
    let (registered, new_name) = find_workspace(store, &request.workspace).await?;
    // A remote workspace is fetched first: the run reads the remote's current branches.
    let ws = super::remote::open(&registered, data_dir, super::remote::Fetch::Always).await?;
    let (base, target_branch) = match &request.base {
        Some(rev) => {
            let base = ws.resolve(rev)?;
            let branch = if ws.resolve(&format!("refs/heads/{rev}")).is_ok() {
                rev.clone()
            } else {
                registered.default_branch.clone()
            };
            (base, branch)
        }
        None => {
            let branch = registered.default_branch.clone();
            (ws.resolve(&format!("refs/heads/{branch}"))?, branch)
        }
    };
    let targets: Vec<_> = ws
        .files(&base)?
        .into_iter()
        .filter(|f| spec.targets.matches(&f.path))
        .collect();
    let limit = match spec.budget.max_files {
        Some(n) if !audit => n as usize,
        _ => usize::MAX,
    };
    let over: Vec<Skip> = targets
        .iter()
        .skip(limit)
        .map(|f| Skip {
            path: f.path.clone(),
            reason: format!(
                "budget: max_files = {} reached ({} target files)",
                limit,
                targets.len()
            ),
        })
        .collect();
    let planned: Vec<(String, String)> = targets
        .into_iter()
        .take(limit)
        .map(|f| (f.path, f.blob.0))
        .collect();
    let mut over = over;
    let non_files = if audit {
        Vec::new()
    } else {
        ws.non_files(&base)?
    };
    for (path, what) in non_files {
        if spec.targets.matches(&path) {
            over.push(Skip {
                path,
                reason: format!("{what}, not a file: Sitewide edits only regular files"),
            });
        }
    }
    Ok(Prepared {
        text,
        spec,
        registered,
        new_name,
        ws,
        base,
        target_branch,
        planned,
        over,
        model,
    })
}

/// Plans and queues a run; returns it `queued`. Nothing is stored when any step fails.
pub async fn plan(store: &Store, data_dir: &Path, request: &PlanRequest) -> Result<Run, RunError> {
    let p = prepare(store, data_dir, request).await?;
    let forecast = match &p.model {
        Some(model) => Some(super::forecast::of(&p, model)?),
        None => None,
    };
    let id = new_run_id();
    let per_task = match &p.model {
        Some(m) => m.limits.concurrency.max(1) as usize,
        None => BATCH_FILES,
    };
    let (tasks, batches) = first_tasks(&p, &id, per_task);
    let tasks: Vec<Vec<u8>> = tasks.iter().map(RunTask::to_bytes).collect();
    let hash = format!("{:x}", Sha256::digest(p.text.as_bytes()));
    // A workspace given by path is registered only once the run is sure to start.
    let registered = match &p.new_name {
        Some(name) => {
            store
                .add_workspace(name, &p.registered.path, &p.registered.default_branch)
                .await?
        }
        None => p.registered.clone(),
    };
    let new = NewRun {
        id,
        workspace_id: registered.id,
        spec_id: 0,
        kind: p.spec.kind,
        base_commit: p.base.0.clone(),
        created_by: request.actor.clone(),
        target_branch: p.target_branch.clone(),
        batches,
        files: p.planned.len() as i64,
        forecast: forecast
            .as_ref()
            .and_then(|f| serde_json::to_value(f).ok())
            .unwrap_or_else(|| serde_json::json!({})),
        webhook: request.webhook.clone(),
    };
    let run = store
        .queue_run(
            (&p.spec.name, &p.text, &hash),
            &new,
            &p.over,
            p.over.iter().any(|s| s.reason.starts_with("budget:")),
            &tasks,
            &request.actor,
        )
        .await?;
    Ok(run)
}

/// The run's first tasks and how many edit batches they are: an audit's one task; else
/// the edit batches of `per_task` files, or the finish task when no file is planned.
fn first_tasks(p: &Prepared, id: &str, per_task: usize) -> (Vec<RunTask>, i64) {
    let run = id.to_string();
    if p.spec.kind == Kind::Audit {
        return (vec![RunTask::Audit { run }], 0);
    }
    let tasks: Vec<RunTask> = p
        .planned
        .chunks(per_task)
        .enumerate()
        .map(|(i, chunk)| RunTask::Edit {
            run: run.clone(),
            batch: i as i64,
            files: chunk.to_vec(),
        })
        .collect();
    match tasks.len() {
        0 => (vec![RunTask::Finish { run }], 0),
        n => (tasks, n as i64),
    }
}

/// The spec's errors as `sitewide spec check` prints them.
fn spec_error(e: SpecError) -> RunError {
    match e {
        SpecError::Invalid { errors } => {
            let n = errors.len();
            let mut out: Vec<String> = errors
                .into_iter()
                .map(crate::cli::render_config_error)
                .collect();
            out.push(format!(
                "error: the job spec is not valid ({n} error{}); no run was started",
                if n == 1 { "" } else { "s" }
            ));
            RunError::Spec(out.join("\n"))
        }
        read => RunError::Spec(format!("error: {read}")),
    }
}

/// The demo workspace, registered as `demo`: made from `examples/demo-site` in the data
/// directory when it is not there yet (`sitewide demo` remakes it).
pub async fn ensure_demo(
    store: &Store,
    data_dir: &Path,
    remake: bool,
) -> Result<Registered, RunError> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
    let registered = store.workspace_by_name(DEMO).await?;
    let path = data_dir.join("workspaces").join(DEMO);
    if remake || registered.is_none() || !path.join(".git").exists() {
        crate::workspace::create_demo(data_dir, &source)?;
    }
    if let Some(ws) = registered {
        return Ok(ws);
    }
    let root = path.canonicalize().unwrap_or(path);
    Ok(store
        .add_workspace(DEMO, &root.to_string_lossy(), "main")
        .await?)
}

/// The demo workspace's registered name.
pub const DEMO: &str = "demo";

/// The registered workspace `name_or_path` names; for a path not registered yet, the
/// workspace as it will be registered (under its folder name: `site`, then `site-2`, …
/// when the name is taken by another path) and that name.
async fn find_workspace(
    store: &Store,
    name_or_path: &str,
) -> Result<(Registered, Option<String>), RunError> {
    if let Some(ws) = store.workspace_by_name(name_or_path).await? {
        return Ok((ws, None));
    }
    let looks_like_path = name_or_path.contains('/') || Path::new(name_or_path).exists();
    if !looks_like_path {
        return Err(RunError::Refused(format!(
            "error: no workspace named {:?}\n  = hint: `sitewide workspaces list` shows them; give a repository's path to register one",
            redact(name_or_path)
        )));
    }
    if crate::workspace::is_remote_url(name_or_path) {
        return Err(RunError::Refused(format!(
            "error: {} is a remote URL, not a registered workspace\n  = hint: register it first: `sitewide workspaces add NAME URL --token-env VAR` (docs/workspaces.md)",
            redact(name_or_path)
        )));
    }
    let ws = Workspace::open(name_or_path)?;
    let root = ws.root().to_string_lossy().into_owned();
    let known = store.workspaces().await?;
    if let Some(found) = known.iter().find(|w| w.path == root) {
        return Ok((found.clone(), None));
    }
    let folder = ws.root().file_name().map_or("workspace".to_string(), |n| {
        n.to_string_lossy().into_owned()
    });
    let mut name = folder.clone();
    let mut n = 1;
    while known.iter().any(|w| w.name == name) {
        n += 1;
        name = format!("{folder}-{n}");
    }
    let branch = ws.default_branch()?;
    let unregistered = Registered {
        id: 0,
        name: name.clone(),
        path: root,
        default_branch: branch,
        created_at: chrono::Utc::now(),
        remote: None,
    };
    Ok((unregistered, Some(name)))
}
