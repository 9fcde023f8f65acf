//! Committing an approved change set on `sitewide/<run>` without touching the work tree,
//! the index, HEAD or any other branch: the tree is built in a temporary index
//! (`GIT_INDEX_FILE` in a temporary folder) from the target branch's current head, the
//! commit is made with `commit-tree`, and the branch is created with `update-ref` and an
//! old value of zero, so an existing branch is never moved.
//!
//! A change whose file still has its base blob at the head applies as is; a file changed
//! on the branch since the base gets a 3-way merge (`git merge-file`): clean → applied
//! with the merged bytes, conflict → stale and left out.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::git::{Git, io_error};
use super::tree::{is_regular, parse_entries};
use super::{Blob, Commit, Workspace, WorkspaceError};

const DEFAULT_NAME: &str = "Sitewide";
const DEFAULT_EMAIL: &str = "sitewide@localhost";

/// Approved edits of one run, to commit on their own branch.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// The commit the run read its files at.
    pub base: Commit,
    /// The branch the run was based on; the new commit's parent is its current head.
    pub target_branch: String,
    /// The branch to create: `sitewide/<run-id>`.
    pub branch: String,
    /// `(path, blob at base, new bytes)` per changed file.
    pub changes: Vec<(String, Blob, Vec<u8>)>,
    pub message: String,
    /// Git trailers (`Sitewide-Run`, `Approved-by`, …), written after a blank line.
    pub trailers: Vec<(String, String)>,
}

/// What `commit_changes` did: the commit (none when no change applied), which paths went
/// in, and which were stale (their file changed on the branch in a way that conflicts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub commit: Option<Commit>,
    pub applied: Vec<String>,
    pub stale: Vec<String>,
}

/// A temporary index and scratch folder, removed on drop.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// Commits `set` on `set.branch` (see the module doc). Fails with `BranchExists` when
    /// the branch exists and points at another commit than the one this would make.
    pub fn commit_changes(&self, set: &ChangeSet) -> Result<Outcome, WorkspaceError> {
        validate(set)?;
        self.resolve(&set.base.0)?;
        let head = self.resolve(&format!("refs/heads/{}", set.target_branch))?;
        let scratch = Scratch::new()?;
        self.in_index(&scratch).args(["read-tree", &head.0]).run()?;
        let (applied, stale) = self.settle(set, &scratch)?;
        if applied.is_empty() {
            return Ok(Outcome {
                commit: None,
                applied: Vec::new(),
                stale,
            });
        }
        self.stage(&scratch, &applied)?;
        let tree = self.in_index(&scratch).arg("write-tree").line()?;
        let commit =
            self.commit_tree(&tree, &head, &format_message(&set.message, &set.trailers))?;
        self.create_branch(&set.branch, &commit)?;
        let applied = applied.into_iter().map(|a| a.path).collect();
        Ok(Outcome {
            commit: Some(commit),
            applied,
            stale,
        })
    }

    fn in_index(&self, scratch: &Scratch) -> Git {
        self.git()
            .env("GIT_INDEX_FILE", scratch.dir.path().join("index"))
    }

    /// Splits the changes into those that apply (with their final bytes and mode) and
    /// the stale paths.
    fn settle(
        &self,
        set: &ChangeSet,
        scratch: &Scratch,
    ) -> Result<(Vec<Applied>, Vec<String>), WorkspaceError> {
        let listing = self
            .in_index(scratch)
            .args(["ls-files", "-s", "-z"])
            .run()?;
        let at_head: HashMap<String, (String, String)> = parse_entries(&listing)
            .into_iter()
            .map(|e| (e.path, (e.mode, e.id)))
            .collect();
        let (mut applied, mut stale, mut to_merge) = (Vec::new(), Vec::new(), Vec::new());
        for (path, base_blob, bytes) in &set.changes {
            match at_head.get(path) {
                Some((mode, id)) if is_regular(mode) && *id == base_blob.0 => {
                    applied.push(Applied {
                        path: path.clone(),
                        mode: mode.clone(),
                        bytes: bytes.clone(),
                    });
                }
                Some((mode, id)) if is_regular(mode) => {
                    to_merge.push((path, mode, base_blob, Blob(id.clone()), bytes))
                }
                _ => stale.push(path.clone()),
            }
        }
        let wanted: Vec<Blob> = to_merge
            .iter()
            .flat_map(|m| [m.2.clone(), m.3.clone()])
            .collect();
        let mut contents = self.read_blobs(&wanted)?.into_iter();
        for (path, mode, _, _, bytes) in to_merge {
            let (base, ours) = (
                contents.next().unwrap_or_default(),
                contents.next().unwrap_or_default(),
            );
            match self.merge(scratch, &ours, &base, bytes)? {
                Some(merged) => applied.push(Applied {
                    path: path.clone(),
                    mode: mode.clone(),
                    bytes: merged,
                }),
                None => stale.push(path.clone()),
            }
        }
        // Report in the change set's order, whichever way each change went.
        let order: HashMap<&str, usize> = set
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.0.as_str(), i))
            .collect();
        let rank = |path: &str| order.get(path).copied().unwrap_or(usize::MAX);
        applied.sort_by_key(|a| rank(&a.path));
        stale.sort_by_key(|p| rank(p));
        Ok((applied, stale))
    }

    /// `git merge-file -p ours base theirs`: the merged bytes, or `None` on a conflict (or
    /// a binary file, which git does not merge).
    fn merge(
        &self,
        scratch: &Scratch,
        ours: &[u8],
        base: &[u8],
        theirs: &[u8],
    ) -> Result<Option<Vec<u8>>, WorkspaceError> {
        let dir = scratch.dir.path();
        let names = ["ours", "base", "theirs"];
        for (name, bytes) in names.iter().zip([ours, base, theirs]) {
            write(&dir.join(name), bytes)?;
        }
        let git = self
            .git()
            .current_dir(dir)
            .args(["merge-file", "-p", "-q"])
            .args(names);
        let shown = git.shown();
        let output = git.output()?;
        match output.status.code() {
            Some(0) => Ok(Some(output.stdout)),
            Some(1..=127) => Ok(None),
            _ if String::from_utf8_lossy(&output.stderr).contains("binary") => Ok(None),
            _ => Err(super::git::failure(shown, &output)),
        }
    }

    /// Writes the new blobs (one `hash-object` for all) and puts them in the index.
    fn stage(&self, scratch: &Scratch, applied: &[Applied]) -> Result<(), WorkspaceError> {
        let dir = scratch.dir.path().join("new");
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir.display().to_string(), e))?;
        let mut paths = Vec::new();
        for (i, change) in applied.iter().enumerate() {
            let file = dir.join(i.to_string());
            write(&file, &change.bytes)?;
            paths.extend_from_slice(file.to_string_lossy().as_bytes());
            paths.push(b'\n');
        }
        let hashed = self
            .git()
            .args(["hash-object", "-w", "--no-filters", "--stdin-paths"])
            .stdin(paths)
            .run()?;
        let ids: Vec<&str> = std::str::from_utf8(&hashed)
            .unwrap_or_default()
            .lines()
            .collect();
        if ids.len() != applied.len() {
            return Err(WorkspaceError::Git {
                command: "git hash-object -w --no-filters --stdin-paths".into(),
                stderr: format!("wrote {} objects for {} files", ids.len(), applied.len()),
            });
        }
        let mut info = Vec::new();
        for (change, id) in applied.iter().zip(ids) {
            info.extend_from_slice(format!("{} {id}\t{}\0", change.mode, change.path).as_bytes());
        }
        self.in_index(scratch)
            .args(["update-index", "-z", "--index-info"])
            .stdin(info)
            .run()?;
        Ok(())
    }

    fn commit_tree(
        &self,
        tree: &str,
        parent: &Commit,
        message: &str,
    ) -> Result<Commit, WorkspaceError> {
        let git = self
            .git()
            .args(["commit-tree", tree, "-p", &parent.0, "-F", "-"]);
        Ok(Commit(
            identity(git)?.stdin(message.as_bytes().to_vec()).line()?,
        ))
    }

    /// Creates `refs/heads/<branch>` at `commit`; an existing branch at the same commit is
    /// fine (the apply ran before), at any other commit it is `BranchExists`.
    fn create_branch(&self, branch: &str, commit: &Commit) -> Result<(), WorkspaceError> {
        let full = format!("refs/heads/{branch}");
        if let Ok(existing) = self
            .git()
            .args(["rev-parse", "--verify", "--quiet", &full])
            .line()
        {
            if existing == commit.0 {
                return Ok(());
            }
            return Err(WorkspaceError::BranchExists {
                branch: branch.into(),
                path: self.shown_root(),
                existing,
            });
        }
        let zero = "0".repeat(commit.0.len());
        let update = [
            "update-ref",
            "-m",
            "sitewide: apply",
            &full,
            &commit.0,
            &zero,
        ];
        self.git().args(update).run()?;
        Ok(())
    }
}

/// Author and committer: `GIT_AUTHOR_*` / `GIT_COMMITTER_*` when set, else Sitewide's own;
/// the date is fixed only when `SITEWIDE_NOW` is set (tests and reproducible demos).
pub(super) fn identity(mut git: Git) -> Result<Git, WorkspaceError> {
    for (var, default) in [
        ("GIT_AUTHOR_NAME", DEFAULT_NAME),
        ("GIT_AUTHOR_EMAIL", DEFAULT_EMAIL),
        ("GIT_COMMITTER_NAME", DEFAULT_NAME),
        ("GIT_COMMITTER_EMAIL", DEFAULT_EMAIL),
    ] {
        if std::env::var_os(var).is_none() {
            git = git.env(var, default);
        }
    }
    if let Ok(now) = std::env::var("SITEWIDE_NOW") {
        let date = git_date(&now).ok_or_else(|| {
            WorkspaceError::InvalidChangeSet(format!(
                "SITEWIDE_NOW={now:?} is not a date (write 2026-11-27 or 2026-11-27T09:00:00Z)"
            ))
        })?;
        git = git
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
    }
    Ok(git)
}

/// One change that goes into the commit.
struct Applied {
    path: String,
    mode: String,
    bytes: Vec<u8>,
}

impl Scratch {
    fn new() -> Result<Scratch, WorkspaceError> {
        let dir = tempfile::Builder::new()
            .prefix("sitewide-index-")
            .tempdir()
            .map_err(|e| io_error("a temporary folder", e))?;
        Ok(Scratch { dir })
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), WorkspaceError> {
    std::fs::write(path, bytes).map_err(|e| io_error(&path.display().to_string(), e))
}

/// The branch must be `sitewide/…` and a valid ref name; paths unique and relative;
/// trailer keys single tokens and values single lines.
fn validate(set: &ChangeSet) -> Result<(), WorkspaceError> {
    let invalid = |m: String| Err(WorkspaceError::InvalidChangeSet(m));
    if !set.branch.starts_with("sitewide/") {
        return invalid(format!(
            "branch {:?} must start with `sitewide/`",
            set.branch
        ));
    }
    let check = Git::new(None).args(["check-ref-format", &format!("refs/heads/{}", set.branch)]);
    if check.output()?.status.code() != Some(0) {
        return invalid(format!(
            "branch {:?} is not a valid git branch name",
            set.branch
        ));
    }
    let mut seen = HashSet::new();
    for (path, _, _) in &set.changes {
        let bad = path.is_empty()
            || path.starts_with('/')
            || path.contains('\0')
            || path
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..");
        if bad || !seen.insert(path) {
            return invalid(format!(
                "path {path:?} is empty, not relative, or listed twice"
            ));
        }
    }
    for (key, value) in &set.trailers {
        if key.is_empty()
            || key.contains(|c: char| c == ':' || c.is_whitespace())
            || value.contains('\n')
        {
            return invalid(format!(
                "trailer {key:?}: {value:?} must be `Key: one line`"
            ));
        }
    }
    Ok(())
}

/// The message, then (after a blank line) one `Key: value` line per trailer.
fn format_message(message: &str, trailers: &[(String, String)]) -> String {
    let mut out = message.trim_end().to_string();
    if !trailers.is_empty() {
        out.push_str("\n\n");
        for (key, value) in trailers {
            out.push_str(&format!("{key}: {value}\n"));
        }
        return out;
    }
    out.push('\n');
    out
}

/// `SITEWIDE_NOW` (RFC 3339 or `YYYY-MM-DD`) in git's internal date format.
fn git_date(value: &str) -> Option<String> {
    let seconds = chrono::DateTime::parse_from_rfc3339(value)
        .map(|d| d.timestamp())
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map(|d| {
                d.and_hms_opt(0, 0, 0)
                    .map_or(0, |t| t.and_utc().timestamp())
            })
        })
        .ok()?;
    Some(format!("{seconds} +0000"))
}

#[cfg(test)]
#[path = "commit_tests.rs"]
mod tests;
