//! Remote workspaces: a repository reached by URL (HTTPS with a token, SSH with a key, or
//! `file://`), kept as a bare clone in the data directory that runs read as they read a
//! local repository. The clone is fetched before planning and before applying, and an
//! applied run's branch is pushed back.
//!
//! A credential never goes into a URL, an argument, the clone's config or a message:
//! a token reaches git as an `http.extraHeader` set through `GIT_CONFIG_COUNT` /
//! `GIT_CONFIG_KEY_n` / `GIT_CONFIG_VALUE_n` (the environment of that one git process),
//! an SSH key through `GIT_SSH_COMMAND`; git's tracing variables are removed so no
//! header is echoed, and any error text is scrubbed of the token before it is shown.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::git::Git;
use super::{Workspace, WorkspaceError};

/// Git variables that would print request headers (the token) to stderr.
const TRACE_VARS: &[&str] = &[
    "GIT_TRACE",
    "GIT_TRACE_CURL",
    "GIT_TRACE_PACKET",
    "GIT_CURL_VERBOSE",
    "GIT_TRACE2",
    "GIT_TRACE2_EVENT",
    "GIT_TRACE2_PERF",
    "GIT_TRACE2_CONFIG_PARAMS",
    "GIT_TRACE2_ENV_VARS",
    "GIT_TRACE_SETUP",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
];

/// The user name sent with a token (GitHub and GitLab accept any with a token).
const TOKEN_USER: &str = "x-access-token";

/// Where a remote workspace is and how it is reached; stored with the workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remote {
    /// `https://host/owner/repo.git`, `ssh://git@host/owner/repo.git`,
    /// `git@host:owner/repo.git` or `file:///srv/git/repo.git`; never with a credential.
    pub url: String,
    /// The environment variable that holds the HTTPS token (and the forge's API token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    /// The SSH private key for an SSH URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<PathBuf>,
}

/// The credential one git command gets.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    /// An HTTPS token (the value, read from the environment just before use).
    Token(String),
    SshKey(PathBuf),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Token(_) => f.write_str("Token(***)"),
            Auth::SshKey(k) => write!(f, "SshKey({})", k.display()),
        }
    }
}

/// Whether `text` names a remote repository rather than a folder.
pub fn is_remote_url(text: &str) -> bool {
    text.contains("://") || scp_like(text).is_some()
}

/// `user@host:path` (git's scp-like SSH syntax): the part before the path.
fn scp_like(text: &str) -> Option<&str> {
    let (head, _) = text.split_once(':')?;
    (head.contains('@') && !head.contains('/')).then_some(head)
}

impl Remote {
    /// Checks the URL and the way to authenticate together: no credential in the URL, a
    /// token only over HTTPS (or HTTP to this machine), a key only over SSH.
    pub fn check(&self) -> Result<(), WorkspaceError> {
        let refuse = |reason: &str, hint: &str| {
            Err(WorkspaceError::Remote {
                url: super::redact(&self.url),
                reason: reason.into(),
                hint: hint.into(),
            })
        };
        let scheme = self.url.split_once("://").map(|(s, _)| s);
        let ssh =
            matches!(scheme, Some("ssh")) || scheme.is_none() && scp_like(&self.url).is_some();
        let userinfo = self.userinfo();
        match scheme {
            Some("https" | "http") if userinfo.is_some() => {
                return refuse(
                    "the URL carries a user or a token, which would be stored",
                    "give the URL without `user@` and the token's variable with --token-env",
                );
            }
            Some("http") if self.token_env.is_some() && !self.loopback() => {
                return refuse(
                    "a token would cross the network unencrypted over http://",
                    "use the https:// URL",
                );
            }
            Some("https" | "http" | "ssh" | "file") => {}
            None if ssh => {}
            _ => {
                return refuse(
                    "not a git URL Sitewide can reach",
                    "give https://host/owner/repo.git, ssh://git@host/owner/repo.git, git@host:owner/repo.git or a local path",
                );
            }
        }
        if ssh && userinfo.is_some_and(|u| u.contains(':')) {
            return refuse("the URL carries a password", "give the key with --ssh-key");
        }
        if self.ssh_key.is_some() && !ssh {
            return refuse(
                "--ssh-key needs an SSH URL",
                "give ssh://… or git@host:path, or --token-env for HTTPS",
            );
        }
        Ok(())
    }

    /// The `user[:secret]` part of the URL, if any.
    fn userinfo(&self) -> Option<&str> {
        if let Some(head) = scp_like(&self.url) {
            return head.rsplit_once('@').map(|(u, _)| u);
        }
        let (_, rest) = self.url.split_once("://")?;
        let authority = rest.split('/').next()?;
        authority.rsplit_once('@').map(|(u, _)| u)
    }

    fn loopback(&self) -> bool {
        let host = crate::config::host_of(&self.url).unwrap_or_default();
        matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]" | "::1")
    }

    /// The repository path on the host, without `.git`: `owner/repo`, `group/sub/repo`.
    pub fn repo_path(&self) -> Option<String> {
        let path = match scp_like(&self.url) {
            Some(head) => &self.url[head.len() + 1..],
            None => {
                let (_, rest) = self.url.split_once("://")?;
                &rest[rest.find('/')?..]
            }
        };
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        (!path.is_empty()).then(|| path.to_string())
    }

    /// The credential for git, read from the environment now; a named variable that is
    /// not set is an error that names it (never its value).
    pub fn auth(&self) -> Result<Auth, WorkspaceError> {
        if let Some(key) = &self.ssh_key {
            return Ok(Auth::SshKey(key.clone()));
        }
        match &self.token_env {
            None => Ok(Auth::None),
            Some(var) => {
                crate::config::secret(var)
                    .map(Auth::Token)
                    .ok_or_else(|| WorkspaceError::Remote {
                        url: super::redact(&self.url),
                        reason: format!("the token's environment variable {var} is not set"),
                        hint: format!(
                            "export {var}=… in the environment of the CLI and the server"
                        ),
                    })
            }
        }
    }

    /// Makes the bare clone at `dir` (missing) and opens it.
    pub fn clone_into(&self, auth: &Auth, dir: &Path) -> Result<Workspace, WorkspaceError> {
        let parent = dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(|e| super::git::io_error(&parent.display().to_string(), e))?;
        let clone = with_auth(Git::new(None).current_dir(parent), auth)
            .args(["clone", "--bare", "--quiet", "--", &self.url])
            .arg(dir);
        clone.run().map_err(|e| self.failed(e, auth))?;
        Workspace::open(dir)
    }

    /// Fetches every branch and tag of the remote into the clone's own branches and tags
    /// (`sitewide/*` branches made here and not pushed are kept).
    pub fn fetch(&self, ws: &Workspace, auth: &Auth) -> Result<(), WorkspaceError> {
        let fetch = with_auth(ws.git(), auth).args([
            "fetch",
            "--quiet",
            "--update-head-ok",
            "--no-write-fetch-head",
            "--",
            &self.url,
            "+refs/heads/*:refs/heads/*",
            "+refs/tags/*:refs/tags/*",
        ]);
        fetch.run().map_err(|e| self.failed(e, auth))?;
        Ok(())
    }

    /// Pushes `refs/heads/<branch>` to the remote's branch of the same name; never forced.
    pub fn push(&self, ws: &Workspace, auth: &Auth, branch: &str) -> Result<(), WorkspaceError> {
        let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
        let push = with_auth(ws.git(), auth).args(["push", "--quiet", "--", &self.url, &refspec]);
        push.run().map_err(|e| self.failed(e, auth))?;
        Ok(())
    }
}

impl Remote {
    /// A failed clone, fetch or push: scrubbed of the token, and said plainly when the
    /// remote refused the credential.
    fn failed(&self, err: WorkspaceError, auth: &Auth) -> WorkspaceError {
        let err = scrub(err, auth);
        let WorkspaceError::Git { stderr, .. } = &err else {
            return err;
        };
        let refused = [
            "could not read Username",
            "Authentication failed",
            "returned error: 401",
            "returned error: 403",
        ]
        .iter()
        .any(|s| stderr.contains(s));
        let (reason, hint) = match (auth, &self.token_env) {
            (Auth::Token(_), Some(var)) if refused => (
                format!("the remote refused the token in {var} ({stderr})"),
                format!("check that {var} holds a token that may read and push this repository"),
            ),
            (Auth::None, _) if refused => (
                format!("the remote asks for a credential ({stderr})"),
                "register the workspace with --token-env VAR (HTTPS) or --ssh-key PATH (SSH)"
                    .into(),
            ),
            _ => return err,
        };
        WorkspaceError::Remote {
            url: super::redact(&self.url),
            reason,
            hint,
        }
    }
}

/// `git` with the credential in its environment only.
fn with_auth(git: Git, auth: &Auth) -> Git {
    let git = TRACE_VARS.iter().fold(git, |g, v| g.env_remove(v));
    match auth {
        Auth::None => git,
        Auth::Token(token) => {
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("{TOKEN_USER}:{token}"));
            git.env("GIT_CONFIG_COUNT", "2")
                .env("GIT_CONFIG_KEY_0", "http.extraHeader")
                .env(
                    "GIT_CONFIG_VALUE_0",
                    format!("Authorization: Basic {basic}"),
                )
                // No credential helper of the user's may answer instead (or store ours).
                .env("GIT_CONFIG_KEY_1", "credential.helper")
                .env("GIT_CONFIG_VALUE_1", "")
        }
        Auth::SshKey(key) => git.env(
            "GIT_SSH_COMMAND",
            format!(
                "ssh -i {} -o IdentitiesOnly=yes -o BatchMode=yes",
                shell_quote(&key.display().to_string())
            ),
        ),
    }
}

/// `'text'` for `sh`, which runs `GIT_SSH_COMMAND`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The error with the token (and its Basic form) replaced by `***` wherever it appears.
pub fn scrub(err: WorkspaceError, auth: &Auth) -> WorkspaceError {
    let Auth::Token(token) = auth else {
        return err;
    };
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{TOKEN_USER}:{token}"));
    let clean = |s: String| s.replace(token.as_str(), "***").replace(&basic, "***");
    match err {
        WorkspaceError::Git { command, stderr } => WorkspaceError::Git {
            command: clean(command),
            stderr: clean(stderr),
        },
        WorkspaceError::Io { path, source } => WorkspaceError::Io {
            path: clean(path),
            source,
        },
        other => other,
    }
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
