//! A checked tree: which generator built it, which files are pages, layouts and includes,
//! which are skipped and why. Pages are found from the repository itself: the generator's
//! config, `.gitignore` (on disk), and the build output folders that are never sources.

mod detect;
mod resolve;
mod urls;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

pub use detect::Generator;
pub use resolve::Chain;
pub use urls::{
    FragmentRef, IdSet, LinkFact, Loc, PageFacts, Resolution, TextFact, file_target, intern,
    is_element_fragment, key_hash, url_key, url_target,
};

use super::page::{Engine, Format};
use super::tree::Tree;

/// Files larger than this are not templates anyone edits by hand; they are skipped with a
/// notice instead of being scanned.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Rendered to a URL of its own.
    Page,
    /// A layout, include or partial: checked once, and merged into the pages that use it.
    Template,
}

#[derive(Debug, Clone)]
pub struct SiteFile {
    pub path: Arc<str>,
    pub role: Role,
    pub format: Format,
    pub engine: Engine,
}

/// A file that was not checked, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

#[derive(Debug)]
pub struct Site {
    pub generator: Generator,
    /// Pages and templates, in path order.
    pub files: Vec<SiteFile>,
    /// First-party JavaScript files, in path order (events are read from them).
    pub scripts: Vec<Arc<str>>,
    /// Files of a page-like type the page model does not know, counted by extension.
    pub unchecked: BTreeMap<String, usize>,
    pub skipped: Vec<Skipped>,
    pub index: SiteIndex,
}

/// What link resolution needs to know about the whole tree.
#[derive(Debug, Default)]
pub struct SiteIndex {
    pub generator: Option<Generator>,
    /// Every file in the tree (assets included), relative, `/`-separated.
    pub paths: HashSet<String>,
    /// Folders that hold files (for `/dir/` links to folders with an index).
    pub dirs: HashSet<String>,
    /// Folders whose files are served at the site root (`static/`, theme `static/`).
    pub static_dirs: Vec<String>,
    /// The folder content pages live in (`content/` for Hugo and Lektor), if any.
    pub content_dir: Option<String>,
    /// Folders layouts and includes are looked up in, most specific first.
    pub layout_dirs: Vec<String>,
    pub include_dirs: Vec<String>,
    pub shortcode_dirs: Vec<String>,
    /// Every folder of the tree named like a template folder (`templates/layouts`,
    /// `_includes`), shallowest first: the fallback when a generator's config is absent.
    pub template_dirs: Vec<String>,
    /// Layouts applied by path without the page naming one (Jekyll `defaults`, Eleventy
    /// directory data files).
    pub layout_defaults: Vec<LayoutDefault>,
    /// Hugo `permalinks`: section → pattern.
    pub hugo_permalinks: HashMap<String, String>,
    /// Layout aliases (Eleventy `addLayoutAlias`).
    pub layout_aliases: HashMap<String, String>,
    /// The permalink style for Jekyll posts (`_config.yml` `permalink`).
    pub post_permalink: Option<String>,
    /// Page URL → page path, filled once pages are read.
    pub urls: HashMap<String, Arc<str>>,
    /// The site's public origin from the generator config (`url`, `baseURL`).
    pub site_url: Option<String>,
}

/// A layout a generator applies to every page under `path` (of `kind`, e.g. `posts`).
#[derive(Debug, Clone)]
pub struct LayoutDefault {
    pub path: String,
    pub kind: Option<String>,
    pub layout: String,
}

/// Why a tree cannot be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{}: no such file or directory", path.display())]
    Missing { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot walk {}: {message}", path.display())]
    Walk { path: PathBuf, message: String },
}

impl Site {
    /// Walks `tree` and sorts its files into pages, templates and the rest.
    pub fn discover(tree: &dyn Tree, extra_excludes: &[String]) -> Result<Site, SiteError> {
        let detected = detect::detect(tree);
        let walked = detect::walk(tree, &detected, extra_excludes)?;
        Ok(detect::classify(tree, detected, walked))
    }

    pub fn file(&self, path: &str) -> Option<&SiteFile> {
        self.files
            .binary_search_by(|f| f.path.as_ref().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }
}
