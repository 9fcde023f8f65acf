//! A commit's tree as the QA engine reads it ([`Tree`]), without a checkout: the listing
//! comes from one `git ls-tree -r -l -z`, and file contents from a small pool of
//! `git cat-file --batch` processes, one per thread reading at a time, each blob asked for
//! when it is needed and dropped after, so memory does not grow with the tree. An overlay
//! of edited files replaces (or adds) their contents: the run's drafts, for the check
//! after the edits.
//!
//! Only committed files exist here, so `.gitignore` plays no part; the walk leaves out
//! what the disk walk does (hidden names and the excluded folders), and symbolic links are
//! resolved by their text, as the disk walk resolves them by following them.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout};
use std::sync::{Arc, Mutex};

use super::git::Git;
use super::{Commit, Workspace, WorkspaceError};
use crate::qa::site::SiteError;
use crate::qa::tree::{Entry, Item, Kind, Tree};

/// How many symbolic links are followed in a row before a path counts as missing.
const MAX_HOPS: u8 = 8;

/// The files of one commit, with edited files laid over them.
pub struct GitTree {
    /// The workspace's folder, for messages.
    root: PathBuf,
    git_dir: PathBuf,
    /// Every entry of the tree, sorted by path.
    listed: Arc<Vec<Listed>>,
    /// Edited files: path → new text.
    overlay: Arc<HashMap<String, String>>,
    /// Idle `cat-file --batch` processes, shared with the trees made by `with_overlay`.
    readers: Arc<Mutex<Vec<CatFile>>>,
}

#[derive(Debug, Clone)]
struct Listed {
    path: String,
    mode: Mode,
    /// The blob id; empty for a file only the overlay has.
    id: String,
    size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    File,
    Link,
    Submodule,
}

impl Workspace {
    /// The tree of `commit`, ready to be read by the QA engine.
    pub fn tree_at(&self, commit: &Commit) -> Result<GitTree, WorkspaceError> {
        let out = self
            .git()
            .args([
                "ls-tree",
                "-r",
                "-l",
                "-z",
                "--full-tree",
                "--end-of-options",
            ])
            .arg(&commit.0)
            .run()?;
        let mut listed = parse_long(&out);
        listed.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(GitTree {
            root: self.root.clone(),
            git_dir: self.git_dir.clone(),
            listed: Arc::new(listed),
            overlay: Arc::new(HashMap::new()),
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }
}

/// `<mode> SP <type> SP <id> SP+ <size> TAB <path> NUL` records (`ls-tree -l -z`); a path
/// that is not UTF-8 is left out, as `files()` leaves it out.
fn parse_long(out: &[u8]) -> Vec<Listed> {
    let mut listed = Vec::new();
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let Some(tab) = record.iter().position(|&b| b == b'\t') else {
            continue;
        };
        let Ok(path) = std::str::from_utf8(&record[tab + 1..]) else {
            tracing::warn!(path = %String::from_utf8_lossy(&record[tab + 1..]), "skipping a path that is not UTF-8");
            continue;
        };
        let meta = String::from_utf8_lossy(&record[..tab]);
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [mode, _, id, size] = fields.as_slice() else {
            continue;
        };
        let mode = match *mode {
            "100644" | "100755" => Mode::File,
            "120000" => Mode::Link,
            "160000" => Mode::Submodule,
            _ => continue,
        };
        listed.push(Listed {
            path: path.to_string(),
            mode,
            id: id.to_string(),
            size: size.parse().unwrap_or(0),
        });
    }
    listed
}

impl GitTree {
    /// This tree with `edited` files (path → text) in place of (or beside) its own.
    pub fn with_overlay(&self, edited: HashMap<String, String>) -> GitTree {
        let mut listed = self.listed.as_ref().clone();
        let mut added = Vec::new();
        for (path, text) in &edited {
            let size = text.len() as u64;
            match listed.binary_search_by(|e| e.path.as_str().cmp(path)) {
                Ok(i) => {
                    listed[i].mode = Mode::File;
                    listed[i].size = size;
                }
                Err(_) => added.push(Listed {
                    path: path.clone(),
                    mode: Mode::File,
                    id: String::new(),
                    size,
                }),
            }
        }
        if !added.is_empty() {
            listed.extend(added);
            listed.sort_by(|a, b| a.path.cmp(&b.path));
        }
        GitTree {
            root: self.root.clone(),
            git_dir: self.git_dir.clone(),
            listed: Arc::new(listed),
            overlay: Arc::new(edited),
            readers: self.readers.clone(),
        }
    }

    fn find(&self, rel: &str) -> Option<&Listed> {
        self.listed
            .binary_search_by(|e| e.path.as_str().cmp(rel))
            .ok()
            .map(|i| &self.listed[i])
    }

    /// The entries below the folder `rel` (every entry for the root).
    fn below(&self, rel: &str) -> &[Listed] {
        if rel.is_empty() {
            return &self.listed;
        }
        let prefix = format!("{rel}/");
        let start = self
            .listed
            .partition_point(|e| e.path.as_str() < prefix.as_str());
        let len = self.listed[start..].partition_point(|e| e.path.starts_with(&prefix));
        &self.listed[start..start + len]
    }

    fn kind_at(&self, rel: &str, hops: u8) -> Option<Kind> {
        if rel.is_empty() {
            return Some(Kind::Dir);
        }
        match self.find(rel).map(|e| (e.mode, e)) {
            Some((Mode::File, _)) => Some(Kind::File),
            Some((Mode::Submodule, _)) => Some(Kind::Dir),
            Some((Mode::Link, link)) if hops < MAX_HOPS => {
                self.kind_at(&self.link_target(link)?, hops + 1)
            }
            Some((Mode::Link, _)) => None,
            None => (!self.below(rel).is_empty()).then_some(Kind::Dir),
        }
    }

    fn read_at(&self, rel: &str, hops: u8) -> io::Result<Vec<u8>> {
        if let Some(text) = self.overlay.get(rel) {
            return Ok(text.clone().into_bytes());
        }
        let missing = || io::Error::new(io::ErrorKind::NotFound, format!("{rel}: not a file"));
        match self.find(rel) {
            Some(e) if e.mode == Mode::File => self.cat(&e.id),
            Some(link) if link.mode == Mode::Link && hops < MAX_HOPS => {
                let target = self.link_target(link).ok_or_else(missing)?;
                self.read_at(&target, hops + 1)
            }
            _ => Err(missing()),
        }
    }

    /// The path a symbolic link points at, by its text; `None` when it leaves the tree.
    fn link_target(&self, link: &Listed) -> Option<String> {
        let text = String::from_utf8(self.cat(&link.id).ok()?).ok()?;
        if text.starts_with('/') {
            return None;
        }
        let mut parts: Vec<&str> = link.path.split('/').collect();
        parts.pop();
        for seg in text.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        Some(parts.join("/"))
    }

    /// One blob's bytes, through an idle reader (or a new one).
    fn cat(&self, id: &str) -> io::Result<Vec<u8>> {
        let idle = self.readers.lock().ok().and_then(|mut r| r.pop());
        let mut reader = match idle {
            Some(r) => r,
            None => CatFile::start(&self.git_dir)?,
        };
        // A reader that failed is dropped (and killed): its pipe may be out of step.
        let bytes = reader.read(id)?;
        if let Ok(mut readers) = self.readers.lock() {
            readers.push(reader);
        }
        Ok(bytes)
    }
}

/// Whether the walk leaves `path` out: a hidden name on the way, or an excluded folder
/// (or file) it is in.
fn left_out(path: &str, excludes: &HashSet<String>) -> bool {
    let mut end = 0;
    for seg in path.split('/') {
        end += seg.len();
        if seg.starts_with('.') || excludes.contains(&path[..end]) {
            return true;
        }
        end += 1;
    }
    false
}

impl Tree for GitTree {
    fn root(&self) -> &Path {
        &self.root
    }

    fn kind(&self, rel: &str) -> Option<Kind> {
        self.kind_at(rel, 0)
    }

    fn read(&self, rel: &str) -> io::Result<Vec<u8>> {
        self.read_at(rel, 0)
    }

    fn list(&self, rel: &str) -> Vec<String> {
        let skip = if rel.is_empty() { 0 } else { rel.len() + 1 };
        let mut names: Vec<String> = Vec::new();
        for e in self.below(rel) {
            let name = e.path[skip..].split('/').next().unwrap_or("");
            if names.last().is_none_or(|last| last != name) {
                names.push(name.to_string());
            }
        }
        names
    }

    fn walk(&self, excludes: &HashSet<String>) -> Result<Vec<Entry>, SiteError> {
        let mut out = Vec::new();
        for e in self.listed.iter() {
            if left_out(&e.path, excludes) {
                continue;
            }
            let item = match e.mode {
                Mode::File => Item::File { size: e.size },
                Mode::Link => Item::Link {
                    leaves: self
                        .link_target(e)
                        .and_then(|t| self.kind_at(&t, 1))
                        .is_none(),
                },
                Mode::Submodule => continue,
            };
            out.push(Entry {
                path: e.path.clone(),
                item,
            });
        }
        Ok(out)
    }
}

/// One `git cat-file --batch` process.
struct CatFile {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl CatFile {
    fn start(git_dir: &Path) -> io::Result<CatFile> {
        let mut child = Git::new(Some(git_dir))
            .args(["cat-file", "--batch"])
            .spawn_talking()
            .map_err(io::Error::other)?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("git cat-file --batch: no pipes"));
        };
        Ok(CatFile {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    /// `<id> blob <size> LF <bytes> LF`, or `<id> missing LF`.
    fn read(&mut self, id: &str) -> io::Result<Vec<u8>> {
        if id.is_empty() || id.contains(char::is_whitespace) {
            return Err(io::Error::other(format!("not a blob id: {id:?}")));
        }
        writeln!(self.stdin, "{id}")?;
        self.stdin.flush()?;
        let mut header = String::new();
        self.stdout.read_line(&mut header)?;
        let size = match header.split_whitespace().collect::<Vec<_>>().as_slice() {
            [_, "blob", size] => size.parse::<usize>().ok(),
            _ => None,
        };
        let Some(size) = size else {
            return Err(io::Error::other(format!(
                "git cat-file: blob {id}: {}",
                header.trim()
            )));
        };
        let mut bytes = vec![0; size + 1];
        self.stdout.read_exact(&mut bytes)?;
        bytes.pop(); // the newline after each object
        Ok(bytes)
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
#[path = "git_tree_tests.rs"]
mod tests;
