//! Workspaces: the git repositories Sitewide edits. Open one, resolve a revision, read the
//! files of a commit, and commit an approved change set on a branch `sitewide/<run>`.
//!
//! Everything runs the `git` command line (`std::process::Command`), not libgit2 or gix:
//! git is always installed, its plumbing (`ls-tree`, `cat-file --batch`, `read-tree`,
//! `commit-tree`, `update-ref`) is stable, and it honours the repository's own config
//! (object format, alternates, safe.directory) without a second implementation.
//!
//! Sitewide never touches a workspace's working tree, index, HEAD or any branch but
//! `sitewide/<run>`: reads go through the object database, commits are built in a
//! temporary index (`GIT_INDEX_FILE` in a temporary folder), and the only ref written is
//! the run's branch, with `update-ref`'s old-value check.

mod changeset;
mod commit;
mod demo;
mod git;
mod git_tree;
mod remote;
mod tree;

#[cfg(test)]
mod testing;

use std::fmt;
use std::path::{Path, PathBuf};

pub use changeset::{ChangeSet, Outcome};
pub use demo::create_demo;
pub use git::redact;
pub use git_tree::GitTree;
pub use remote::{Auth, Remote, is_remote_url};
pub use tree::TreeFile;

use git::Git;

/// What went wrong with a workspace; every message names the path or revision.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{path} is not a git repository: {reason}\n  = hint: {hint}")]
    NotARepository {
        path: String,
        reason: String,
        hint: String,
    },
    #[error(
        "{rev} is not a commit in {path}\n  = hint: check the name with `git -C {path} log --oneline -1 {rev}`"
    )]
    UnknownRevision { rev: String, path: String },
    #[error(
        "branch {branch} already exists in {path} at {existing}\n  = hint: a run's branch is written once; delete it (`git branch -D {branch}`) to apply again"
    )]
    BranchExists {
        branch: String,
        path: String,
        existing: String,
    },
    #[error("{url}: {reason}\n  = hint: {hint}")]
    Remote {
        url: String,
        reason: String,
        hint: String,
    },
    #[error("invalid change set: {0}")]
    InvalidChangeSet(String),
    #[error("`{command}` failed: {stderr}")]
    Git { command: String, stderr: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// A full commit id (40 hex digits, or 64 in a SHA-256 repository).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Commit(pub String);

/// A full blob id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Blob(pub String);

impl fmt::Display for Commit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An opened repository: a work tree's top level or a bare repository.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder the user named (the work tree's top level, or the bare repository).
    root: PathBuf,
    /// The repository's git directory (absolute); every command runs with `GIT_DIR` = this.
    git_dir: PathBuf,
}

impl Workspace {
    /// Opens the repository at `path`: a work tree's top level or a bare repository. A
    /// folder inside a repository is refused, so Sitewide never commits into an enclosing
    /// repository (its own checkout, say) by accident.
    pub fn open(path: impl AsRef<Path>) -> Result<Workspace, WorkspaceError> {
        let path = path.as_ref();
        let shown = redact(&path.display().to_string());
        let not_repo = |reason: String, hint: &str| WorkspaceError::NotARepository {
            path: shown.clone(),
            reason,
            hint: hint.to_string(),
        };
        let root = std::fs::canonicalize(path).map_err(|e| {
            not_repo(
                e.to_string(),
                "give the folder of a git work tree or a bare repository",
            )
        })?;
        let ask = |args: &[&str]| Git::new(None).current_dir(&root).args(args).line();
        let git_dir = ask(&["rev-parse", "--absolute-git-dir"]).map_err(|_| {
            not_repo(
                "git finds no repository there".into(),
                "run `git init` there, or give a clone's folder",
            )
        })?;
        let git_dir = PathBuf::from(git_dir);
        let top = if ask(&["rev-parse", "--is-bare-repository"])? == "true" {
            std::fs::canonicalize(&git_dir).ok()
        } else {
            ask(&["rev-parse", "--show-toplevel"])
                .ok()
                .and_then(|t| std::fs::canonicalize(t).ok())
        };
        match top {
            Some(top) if top == root => Ok(Workspace { root, git_dir }),
            Some(top) => Err(not_repo(
                format!("it is inside the repository at {}", top.display()),
                "give the repository's top-level folder",
            )),
            None => Err(not_repo(
                "it is a git directory, not a work tree".into(),
                "give the work tree's folder",
            )),
        }
    }

    /// The folder this workspace was opened at.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn git(&self) -> Git {
        Git::new(Some(&self.git_dir))
    }

    fn shown_root(&self) -> String {
        redact(&self.root.display().to_string())
    }

    /// The URL of the remote `name` (`origin`), when the repository has one.
    pub fn remote_url(&self, name: &str) -> Option<String> {
        self.git()
            .args(["config", "--get"])
            .arg(format!("remote.{name}.url"))
            .line()
            .ok()
            .filter(|u| !u.is_empty())
    }

    /// The full id of the commit `rev` names (a branch, tag, short id, `HEAD~2`, …).
    pub fn resolve(&self, rev: &str) -> Result<Commit, WorkspaceError> {
        let unknown = || WorkspaceError::UnknownRevision {
            rev: redact(rev),
            path: self.shown_root(),
        };
        if rev.is_empty() || rev.starts_with('-') {
            return Err(unknown());
        }
        let out = self
            .git()
            .args(["rev-parse", "--verify", "--quiet", "--end-of-options"]);
        match out.arg(format!("{rev}^{{commit}}")).line() {
            Ok(id) if !id.is_empty() => Ok(Commit(id)),
            Ok(_) | Err(WorkspaceError::Git { .. }) => Err(unknown()),
            Err(e) => Err(e),
        }
    }

    /// The branch runs are based on by default: the one HEAD names; when HEAD is detached,
    /// `origin/HEAD`'s branch, else `main` or `master` when they exist.
    pub fn default_branch(&self) -> Result<String, WorkspaceError> {
        let head = self
            .git()
            .args(["symbolic-ref", "--quiet", "--short", "HEAD"])
            .line();
        if let Ok(branch) = head {
            return Ok(branch);
        }
        let origin = self
            .git()
            .args([
                "symbolic-ref",
                "--quiet",
                "--short",
                "refs/remotes/origin/HEAD",
            ])
            .line()
            .ok()
            .and_then(|b| b.strip_prefix("origin/").map(str::to_string));
        let candidates = origin
            .into_iter()
            .chain(["main".to_string(), "master".to_string()]);
        for branch in candidates {
            if self.resolve(&format!("refs/heads/{branch}")).is_ok() {
                return Ok(branch);
            }
        }
        Err(WorkspaceError::UnknownRevision {
            rev: "HEAD (a branch)".into(),
            path: self.shown_root(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Repo;
    use super::*;

    #[test]
    fn open_accepts_a_work_tree_and_a_bare_repository() {
        let repo = Repo::new();
        repo.commit_file("a.txt", b"a\n", "first");
        assert!(Workspace::open(repo.path()).is_ok());
        let bare = tempfile::tempdir().expect("tempdir");
        repo.git(&[
            "clone",
            "--bare",
            "-q",
            ".",
            &bare.path().display().to_string(),
        ]);
        let ws = Workspace::open(bare.path()).expect("bare opens");
        assert_eq!(ws.default_branch().expect("default"), "main");
    }

    #[test]
    fn open_refuses_a_plain_folder_and_a_subfolder_of_a_repository() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Workspace::open(dir.path()).expect_err("plain folder");
        assert!(
            matches!(err, WorkspaceError::NotARepository { .. }),
            "{err}"
        );
        assert!(err.to_string().contains(&dir.path().display().to_string()));
        let repo = Repo::new();
        repo.commit_file("sub/a.txt", b"a\n", "first");
        let err = Workspace::open(repo.path().join("sub")).expect_err("subfolder");
        assert!(err.to_string().contains("inside the repository"), "{err}");
    }

    #[test]
    fn open_redacts_credentials_in_a_url_given_as_path() {
        let err = Workspace::open("https://user:s3cret@example.com/site.git").expect_err("url");
        let message = err.to_string();
        assert!(
            !message.contains("s3cret") && !message.contains("user:"),
            "{message}"
        );
        assert!(
            message.contains("https://***@example.com/site.git"),
            "{message}"
        );
    }

    #[test]
    fn resolve_gives_full_ids_and_names_an_unknown_revision() {
        let repo = Repo::new();
        let id = repo.commit_file("a.txt", b"a\n", "first");
        let ws = Workspace::open(repo.path()).expect("open");
        assert_eq!(ws.resolve("main").expect("main").0, id);
        assert_eq!(ws.resolve(&id[..7]).expect("short").0, id);
        for bad in ["nope", "--all", "", "main:a.txt"] {
            let err = ws.resolve(bad).expect_err(bad);
            assert!(
                matches!(err, WorkspaceError::UnknownRevision { .. }),
                "{bad}: {err}"
            );
        }
        assert!(
            ws.resolve("nope")
                .expect_err("nope")
                .to_string()
                .contains("nope is not a commit")
        );
    }

    #[test]
    fn default_branch_is_heads_branch() {
        let repo = Repo::new();
        repo.commit_file("a.txt", b"a\n", "first");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        let ws = Workspace::open(repo.path()).expect("open");
        assert_eq!(ws.default_branch().expect("branch"), "feature");
        repo.git(&["checkout", "-q", "--detach"]);
        assert_eq!(ws.default_branch().expect("detached"), "main");
    }

    #[test]
    fn remote_url_names_origin_when_there_is_one() {
        let repo = Repo::new();
        repo.commit_file("a.txt", b"a\n", "first");
        let ws = Workspace::open(repo.path()).expect("open");
        assert_eq!(ws.remote_url("origin"), None);
        repo.git(&["remote", "add", "origin", "git@github.com:acme/site.git"]);
        assert_eq!(
            ws.remote_url("origin").as_deref(),
            Some("git@github.com:acme/site.git")
        );
    }
}
