//! The files of a checked tree: what the QA engine and the site config read, and the only
//! way they read it. [`Disk`] is a folder (what `sitewide check PATH` reads: `.gitignore`
//! honoured, hidden files and links not followed); the workspace room reads a commit of a
//! git repository the same way, so a run checks its base commit without a checkout.
//!
//! Paths are relative to the tree's root and `/`-separated; `""` is the root itself.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use super::site::SiteError;

/// What a path of a tree is (symbolic links followed where the tree can).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
}

/// One entry of a walk: a file with its size, or a symbolic link (never followed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub item: Item,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    File {
        size: u64,
    },
    /// A symbolic link, and whether its target is outside the tree (or missing).
    Link {
        leaves: bool,
    },
}

/// The files of a tree. Reads happen from many threads at once.
pub trait Tree: Send + Sync {
    /// Where the tree is, for messages: its folder, or its repository's.
    fn root(&self) -> &Path;

    /// Whether `rel` is a file or a folder of the tree; `None` when it is neither.
    fn kind(&self, rel: &str) -> Option<Kind>;

    /// The bytes of the file `rel`.
    fn read(&self, rel: &str) -> io::Result<Vec<u8>>;

    /// The names of the entries directly in the folder `rel`, in no set order.
    fn list(&self, rel: &str) -> Vec<String>;

    /// Every file and symbolic link a check looks at: hidden names (`.git`, `.htaccess`)
    /// are left out, and so is every path in `excludes`, with everything below it.
    fn walk(&self, excludes: &HashSet<String>) -> Result<Vec<Entry>, SiteError>;

    /// The text of the file `rel`; `None` when it cannot be read or is not UTF-8.
    fn read_string(&self, rel: &str) -> Option<String> {
        String::from_utf8(self.read(rel).ok()?).ok()
    }
}

/// A folder on disk, walked with `.gitignore` (and `.git/info/exclude`) honoured.
#[derive(Debug, Clone)]
pub struct Disk {
    root: PathBuf,
}

impl Disk {
    pub fn new(root: &Path) -> Disk {
        Disk {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    /// The root must be a folder that exists.
    fn open_root(&self) -> Result<PathBuf, SiteError> {
        let root = &self.root;
        let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => SiteError::Missing { path: root.clone() },
            _ => SiteError::Io {
                path: root.clone(),
                source: e,
            },
        })?;
        if !meta.is_dir() {
            return Err(SiteError::Io {
                path: root.clone(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a directory"),
            });
        }
        root.canonicalize().map_err(|e| SiteError::Io {
            path: root.clone(),
            source: e,
        })
    }
}

impl Tree for Disk {
    fn root(&self) -> &Path {
        &self.root
    }

    fn kind(&self, rel: &str) -> Option<Kind> {
        let meta = std::fs::metadata(self.path(rel)).ok()?;
        Some(if meta.is_dir() { Kind::Dir } else { Kind::File })
    }

    fn read(&self, rel: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(rel))
    }

    fn list(&self, rel: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.path(rel)) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }

    fn walk(&self, excludes: &HashSet<String>) -> Result<Vec<Entry>, SiteError> {
        let canonical_root = self.open_root()?;
        let root = self.root.clone();
        let relative = move |p: &Path| {
            p.strip_prefix(&root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        };
        let (of, excludes) = (relative.clone(), excludes.clone());
        let walker = ignore::WalkBuilder::new(&self.root)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .require_git(false)
            .parents(false)
            .follow_links(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(move |e| !excludes.contains(&of(e.path())))
            .build();
        let mut out = Vec::new();
        for entry in walker {
            let Ok(entry) = entry else { continue };
            let rel = relative(entry.path());
            let Some(ft) = entry.file_type() else {
                continue;
            };
            if rel.is_empty() {
                continue;
            }
            let item = if ft.is_symlink() {
                let inside = entry
                    .path()
                    .canonicalize()
                    .is_ok_and(|t| t.starts_with(&canonical_root));
                Item::Link { leaves: !inside }
            } else if ft.is_file() {
                let size = entry.metadata().map_or(0, |m| m.len());
                Item::File { size }
            } else {
                continue;
            };
            out.push(Entry { path: rel, item });
        }
        Ok(out)
    }
}
