//! The repository's files the connector rules read, walked and parsed once per check
//! (the first connector rule to ask fills [`SiteCx::connector_files`] for the others):
//! YAML and JSON configs (Airbyte connections, Meltano, dbt `sources.yml`/`schema.yml`),
//! Terraform, dbt models (`.sql`), LookML (`.lkml`), Apps Script and API scripts
//! (`.py`, `.js`, `.ts`, `.gs`, ...), and, for CON-002 only, every other text file that is
//! not a page or template (those are scanned as the engine reads them).

use std::collections::HashSet;
use std::sync::Arc;

use super::node::{self, Node};
use crate::qa::finding::{Finding, RuleMeta};
use crate::qa::rules::SiteCx;
use crate::qa::source::{LineIndex, Span};
use crate::qa::tree::{Item, Tree};

/// Files larger than this are data dumps or bundles, not configs: left out.
const MAX_BYTES: u64 = 1 << 20;
/// Folders of installed dependencies and build output: not the repository's own code.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "dbt_packages",
    "target",
    "_site",
    "venv",
    "site-packages",
    "bower_components",
];

/// What a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.yml`, `.yaml`, `.json`: parsed into a [`Node`] tree.
    Config,
    /// Terraform, TOML, `.env`-style and other configuration text, read as text.
    ConfigText,
    /// SQL (dbt models, analyses).
    Sql,
    /// LookML (`.lkml`).
    LookMl,
    /// Code that may call an ad platform's API.
    Script,
    /// Any other text file (read only for credentials).
    Other,
}

/// One file, read and (for configs) parsed.
pub struct File {
    pub path: Arc<str>,
    pub text: String,
    pub lines: LineIndex,
    pub kind: Kind,
    /// The parsed document of a `Config`; `None` when it does not parse.
    pub tree: Option<Node>,
}

impl File {
    pub fn new(path: &str, text: String) -> File {
        let kind = kind_of(path);
        let tree = (kind == Kind::Config).then(|| node::parse(&text)).flatten();
        File {
            path: Arc::from(path),
            lines: LineIndex::new(&text),
            text,
            kind,
            tree,
        }
    }

    /// A finding of `meta` at `span` of this file.
    pub fn finding(&self, meta: &'static RuleMeta, span: Span, message: String) -> Finding {
        let start = self.lines.line_col(&self.text, span.start);
        let end = self.lines.line_col(&self.text, span.end);
        Finding::located(meta, self.path.clone(), span, start, end, message)
    }

    /// Whether the path or text names `word` (lowercase), for telling a Google Ads file
    /// from a Meta one.
    pub fn mentions(&self, words: &[&str]) -> bool {
        let path = self.path.to_ascii_lowercase();
        let text = self.text.to_ascii_lowercase();
        words.iter().any(|w| path.contains(w) || text.contains(w))
    }

    /// The file's stem words (`connectors/prod/google-ads.yaml` → connectors, prod, google,
    /// ads, yaml), lowercase.
    pub fn path_words(&self) -> Vec<String> {
        self.path
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    }
}

fn kind_of(path: &str) -> Kind {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "yml" | "yaml" | "json" => Kind::Config,
        "tf" | "tfvars" | "toml" | "ini" | "cfg" | "env" | "properties" | "hcl" => Kind::ConfigText,
        "sql" => Kind::Sql,
        "lkml" | "lookml" => Kind::LookMl,
        "py" | "js" | "mjs" | "cjs" | "ts" | "gs" | "rb" | "php" | "go" | "java" | "kt" | "cs"
        | "r" | "sh" => Kind::Script,
        _ if name == ".env" || name.starts_with(".env.") => Kind::ConfigText,
        _ => Kind::Other,
    }
}

/// The connector files of one check.
#[derive(Default)]
pub struct Files {
    pub files: Vec<File>,
}

impl Files {
    /// The files of `cx`'s tree, read on the first call.
    pub fn of<'a>(cx: &'a SiteCx) -> &'a Files {
        cx.connector_files.get_or_init(|| Files::read(cx))
    }

    fn read(cx: &SiteCx) -> Files {
        let mut seen: HashSet<&str> = cx.pages.iter().map(|p| p.path.as_ref()).collect();
        seen.extend(cx.templates.keys().map(|k| k.as_ref()));
        let mut globs = globset::GlobSetBuilder::new();
        for g in &cx.settings.config.exclude {
            if let Ok(glob) = globset::Glob::new(g.get_ref()) {
                globs.add(glob);
            }
        }
        let globs = globs.build().unwrap_or_else(|_| globset::GlobSet::empty());
        let entries = cx.tree.walk(&HashSet::new()).unwrap_or_default();
        let files = entries
            .into_iter()
            .filter(|e| matches!(e.item, Item::File { size } if size <= MAX_BYTES))
            .filter(|e| !seen.contains(e.path.as_str()) && !globs.is_match(&e.path))
            .filter(|e| !e.path.split('/').any(|seg| SKIP_DIRS.contains(&seg)))
            .filter_map(|e| read_text(cx.tree, &e.path).map(|t| File::new(&e.path, t)))
            .collect();
        Files { files }
    }

    /// The files of the given kinds.
    pub fn of_kind<'a>(&'a self, kinds: &'a [Kind]) -> impl Iterator<Item = &'a File> + 'a {
        self.files.iter().filter(move |f| kinds.contains(&f.kind))
    }
}

/// The file's text when it is UTF-8 and not binary.
fn read_text(tree: &dyn Tree, path: &str) -> Option<String> {
    let text = tree.read_string(path)?;
    (!text.contains('\0')).then_some(text)
}

/// The `Files` of a list of (path, text): tests of single rules.
#[cfg(test)]
pub fn from(list: &[(&str, &str)]) -> Files {
    Files {
        files: list
            .iter()
            .map(|(p, t)| File::new(p, t.to_string()))
            .collect(),
    }
}
