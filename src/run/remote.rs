//! Remote workspaces in a run's life: registering one (its bare clone in
//! `<data>/clones/<name>.git`), opening the repository a run reads (a local one as it
//! is; a remote one's clone, cloned again when missing and fetched before planning and
//! applying), and the settings stored with it (never a credential).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::RunError;
use crate::forge::Forge;
use crate::store::{Store, StoreError, Workspace as Registered};
use crate::workspace::{Remote, Workspace, redact};

/// What is stored with a remote workspace: its URL, where its credential is found, and
/// the forge its pull requests are opened on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteSettings {
    #[serde(flatten)]
    pub remote: Remote,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forge: Option<Forge>,
}

impl RemoteSettings {
    /// The settings of `registered`; `None` for a local workspace.
    pub fn of(registered: &Registered) -> Result<Option<RemoteSettings>, RunError> {
        let Some(text) = &registered.remote else {
            return Ok(None);
        };
        serde_json::from_str(text).map(Some).map_err(|e| {
            RunError::Refused(format!(
                "error: workspace {:?}: its stored remote settings do not read: {e}\n  = hint: register it again under another name",
                registered.name
            ))
        })
    }
}

/// Where the clone of remote workspace `name` lives.
pub fn clone_dir(data_dir: &Path, name: &str) -> PathBuf {
    data_dir.join("clones").join(format!("{name}.git"))
}

/// Registers remote workspace `name`: checks the URL and credential, clones it, reads its
/// default branch, and stores it. Nothing is stored when any step fails.
pub async fn register(
    store: &Store,
    data_dir: &Path,
    name: &str,
    settings: RemoteSettings,
) -> Result<Registered, RunError> {
    settings.remote.check()?;
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(RunError::Refused(format!(
            "error: {name:?} cannot name a workspace\n  = hint: a name without slashes that does not start with a dot"
        )));
    }
    if store.workspace_by_name(name).await?.is_some() {
        return Err(StoreError::WorkspaceExists { name: name.into() }.into());
    }
    let dir = clone_dir(data_dir, name);
    let remote = settings.remote.clone();
    let target = dir.clone();
    let branch = blocking(move || {
        if target.exists() {
            // Left by a registration that failed half way: nothing refers to it.
            std::fs::remove_dir_all(&target)
                .map_err(|e| RunError::io(format!("cannot remove {}", target.display()), e))?;
        }
        let ws = remote.clone_into(&remote.auth()?, &target)?;
        Ok(ws.default_branch()?)
    })
    .await?;
    let json =
        serde_json::to_string(&settings).map_err(|e| RunError::Refused(format!("error: {e}")))?;
    let added = store
        .add_remote_workspace(name, &dir.to_string_lossy(), &branch, Some(&json))
        .await;
    if added.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(added?)
}

/// When a remote workspace's clone is fetched before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// Always (planning, applying: the newest state of the remote).
    Always,
    /// Only when the clone lacks this commit (a worker on another machine reading a run
    /// planned elsewhere).
    IfMissing(String),
}

/// The repository of `registered`, fetched as `fetch` says when it is remote. A remote
/// workspace's clone lives in this machine's data directory (`clone_dir`), not at the
/// path the registering machine stored: every worker keeps its own, cloned on first use.
pub async fn open(
    registered: &Registered,
    data_dir: &Path,
    fetch: Fetch,
) -> Result<Workspace, RunError> {
    let registered = registered.clone();
    let data_dir = data_dir.to_path_buf();
    blocking(move || open_blocking(&registered, &data_dir, &fetch)).await
}

/// [`open`] for a caller already off the async runtime.
pub fn open_blocking(
    registered: &Registered,
    data_dir: &Path,
    fetch: &Fetch,
) -> Result<Workspace, RunError> {
    let Some(settings) = RemoteSettings::of(registered)? else {
        return Ok(Workspace::open(&registered.path)?);
    };
    let path = clone_dir(data_dir, &registered.name);
    let remote = &settings.remote;
    let context = |e: crate::workspace::WorkspaceError| {
        RunError::Refused(format!(
            "error: workspace {:?} ({}) could not be fetched: {e}",
            registered.name,
            redact(&remote.url)
        ))
    };
    if !path.exists() {
        return remote.clone_into(&remote.auth()?, &path).map_err(context);
    }
    let ws = Workspace::open(&path)?;
    let stale = match fetch {
        Fetch::Always => true,
        Fetch::IfMissing(commit) => ws.resolve(&format!("{commit}^{{commit}}")).is_err(),
    };
    if stale {
        remote.fetch(&ws, &remote.auth()?).map_err(context)?;
    }
    Ok(ws)
}

/// Runs blocking git work off the async runtime.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, RunError> + Send + 'static,
) -> Result<T, RunError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| RunError::Refused(format!("error: a git task panicked: {e}")))?
}
