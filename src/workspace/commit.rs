//! Committing an approved change set on `sitewide/<run>` without touching the work tree,
//! the index, HEAD or any other branch: the tree is built in a temporary index
//! (`GIT_INDEX_FILE` in a temporary folder) from the target branch's current head, the
//! commit is made with `commit-tree`, and the branch is created with `update-ref` and an
//! old value of zero, so an existing branch is never moved.
//!
//! A change whose file still has its base blob at the head applies as is; a file changed
//! on the branch since the base gets a 3-way merge (`git merge-file`): clean → applied
//! with the merged bytes, conflict → stale and left out.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::changeset::{format_message, identity, validate};
use super::git::{Git, io_error};
use super::tree::{is_regular, parse_entries};
use super::{Blob, ChangeSet, Commit, Outcome, Workspace, WorkspaceError};

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
        let applied = applied.into_iter().map(|a| a.path.to_string()).collect();
        Ok(Outcome {
            commit: Some(commit),
            applied,
            stale,
        })
    }

    /// The commit `refs/heads/<branch>` points at, its message and the paths it changes
    /// against its first parent; `None` when the branch does not exist.
    pub fn branch_commit(
        &self,
        branch: &str,
    ) -> Result<Option<(Commit, String, Vec<String>)>, WorkspaceError> {
        let full = format!("refs/heads/{branch}");
        let Ok(id) = self
            .git()
            .args(["rev-parse", "--verify", "--quiet", &full])
            .line()
        else {
            return Ok(None);
        };
        let message = self.git().args(["log", "-1", "--format=%B", &id]).run()?;
        let paths = self
            .git()
            .args([
                "diff-tree",
                "--no-commit-id",
                "--name-only",
                "-r",
                "-z",
                &id,
            ])
            .run()?;
        let paths = paths
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        Ok(Some((
            Commit(id),
            String::from_utf8_lossy(&message).into_owned(),
            paths,
        )))
    }

    /// Writes the tree of `commit` into the empty or missing folder `dir`, as a checkout
    /// would (through a temporary index; the workspace's own index and work tree are not
    /// touched). QA runs on such a copy, and QA scripts run in it. A relative `dir` is
    /// taken from this process's folder, not git's (which runs in the repository).
    pub fn export(&self, commit: &Commit, dir: &Path) -> Result<(), WorkspaceError> {
        let dir = &std::path::absolute(dir).map_err(|e| io_error(&dir.display().to_string(), e))?;
        std::fs::create_dir_all(dir).map_err(|e| io_error(&dir.display().to_string(), e))?;
        let scratch = Scratch::new()?;
        self.in_index(&scratch)
            .args(["read-tree", &commit.0])
            .run()?;
        let mut prefix = dir.display().to_string();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        self.in_index(&scratch)
            .args(["checkout-index", "-a", "-f"])
            .arg(format!("--prefix={prefix}"))
            .run()?;
        Ok(())
    }

    /// The blob ids `contents` would have in this repository (nothing is written).
    pub fn blob_ids(&self, contents: &[&[u8]]) -> Result<Vec<Blob>, WorkspaceError> {
        if contents.is_empty() {
            return Ok(Vec::new());
        }
        let scratch = Scratch::new()?;
        let mut paths = Vec::new();
        for (i, bytes) in contents.iter().enumerate() {
            let file = scratch.dir.path().join(i.to_string());
            write(&file, bytes)?;
            paths.extend_from_slice(file.to_string_lossy().as_bytes());
            paths.push(b'\n');
        }
        let out = self
            .git()
            .args(["hash-object", "--no-filters", "--stdin-paths"])
            .stdin(paths)
            .run()?;
        let ids: Vec<Blob> = String::from_utf8_lossy(&out)
            .lines()
            .map(|l| Blob(l.to_string()))
            .collect();
        if ids.len() != contents.len() {
            return Err(WorkspaceError::Git {
                command: "git hash-object --no-filters --stdin-paths".into(),
                stderr: format!("hashed {} of {} files", ids.len(), contents.len()),
            });
        }
        Ok(ids)
    }

    fn in_index(&self, scratch: &Scratch) -> Git {
        self.git()
            .env("GIT_INDEX_FILE", scratch.dir.path().join("index"))
    }

    /// Splits the changes into those that apply (with their final bytes and mode) and
    /// the stale paths, both in the change set's order.
    fn settle<'a>(
        &self,
        set: &'a ChangeSet,
        scratch: &Scratch,
    ) -> Result<(Vec<Applied<'a>>, Vec<String>), WorkspaceError> {
        let listing = self
            .in_index(scratch)
            .args(["ls-files", "-s", "-z"])
            .run()?;
        let at_head: HashMap<String, (String, String)> = parse_entries(&listing)
            .into_iter()
            .map(|e| (e.path, (e.mode, e.id)))
            .collect();
        let mut settled: Vec<Option<Applied<'a>>> = Vec::with_capacity(set.changes.len());
        let mut to_merge = Vec::new();
        for (i, (path, base_blob, bytes)) in set.changes.iter().enumerate() {
            let applied = |mode: &str| Applied {
                path,
                mode: mode.to_string(),
                bytes: Cow::Borrowed(bytes),
            };
            settled.push(match at_head.get(path) {
                Some((mode, id)) if is_regular(mode) && *id == base_blob.0 => Some(applied(mode)),
                Some((mode, id)) if is_regular(mode) => {
                    to_merge.push((i, base_blob.clone(), Blob(id.clone())));
                    Some(applied(mode))
                }
                _ => None,
            });
        }
        self.merge_all(scratch, &to_merge, &mut settled)?;
        let mut stale = Vec::new();
        let mut applied = Vec::new();
        for (slot, (path, _, _)) in settled.into_iter().zip(&set.changes) {
            match slot {
                Some(change) => applied.push(change),
                None => stale.push(path.clone()),
            }
        }
        Ok((applied, stale))
    }

    /// Merges each `(index, base, head)` into `settled[index]`'s bytes, or empties the slot
    /// when the merge conflicts. All base and head blobs are read by one `cat-file`.
    fn merge_all(
        &self,
        scratch: &Scratch,
        to_merge: &[(usize, Blob, Blob)],
        settled: &mut [Option<Applied<'_>>],
    ) -> Result<(), WorkspaceError> {
        let wanted: Vec<Blob> = to_merge
            .iter()
            .flat_map(|m| [m.1.clone(), m.2.clone()])
            .collect();
        let mut contents = self.read_blobs(&wanted)?.into_iter();
        for (i, _, _) in to_merge {
            let (base, ours) = (
                contents.next().unwrap_or_default(),
                contents.next().unwrap_or_default(),
            );
            let Some(slot) = settled.get_mut(*i) else {
                continue;
            };
            let merged = match slot {
                Some(change) => self.merge(scratch, &ours, &base, &change.bytes)?,
                None => None,
            };
            match (merged, slot.as_mut()) {
                (Some(bytes), Some(change)) => change.bytes = Cow::Owned(bytes),
                _ => *slot = None,
            }
        }
        Ok(())
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

/// One change that goes into the commit.
struct Applied<'a> {
    path: &'a str,
    mode: String,
    bytes: Cow<'a, [u8]>,
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

#[cfg(test)]
#[path = "commit_tests.rs"]
mod tests;
