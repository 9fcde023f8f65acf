//! Layout and include inheritance per engine: Jekyll `layout:` and `{% include %}`, Hugo
//! layout lookup, `baseof.html` and `partial`, Jinja `{% extends %}`/`{% include %}`,
//! Handlebars partials, Eleventy layouts and aliases.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Generator, SiteIndex};
use crate::qa::page::{Document, IncludeKind};

/// The files a page is built from: the page itself first, then every layout and include it
/// reaches, in the order they were found.
#[derive(Debug, Clone, Default)]
pub struct Chain {
    pub files: Vec<Arc<str>>,
    /// References that could not be followed: names built by a template, or missing files.
    pub unresolved: Vec<String>,
}

impl Chain {
    /// True when every reference was followed, so a rule may conclude that something is
    /// absent from the page.
    pub fn is_complete(&self) -> bool {
        self.unresolved.is_empty()
    }
}

const TEMPLATE_EXTS: &[&str] = &[
    "",
    ".html",
    ".hbs",
    ".html.hbs",
    ".handlebars",
    ".liquid",
    ".njk",
    ".md",
    ".htm",
    ".j2",
    ".jinja",
    ".jinja2",
    ".tera",
    ".twig",
    ".mustache",
];

impl SiteIndex {
    /// The chain of `page` through the parsed templates.
    pub fn chain(&self, page: &Document, templates: &HashMap<Arc<str>, Arc<Document>>) -> Chain {
        let mut chain = Chain {
            files: vec![page.path.clone()],
            unresolved: Vec::new(),
        };
        self.implicit_layout(page, templates, &mut chain);
        let inline = inline_partials(page);
        let mut i = 0;
        while i < chain.files.len() {
            let path = chain.files[i].clone();
            i += 1;
            let doc = if Arc::ptr_eq(&path, &page.path) || path == page.path {
                Some(page)
            } else {
                templates.get(&path).map(|d| d.as_ref())
            };
            let Some(doc) = doc else { continue };
            for inc in &doc.includes {
                if inc.kind == IncludeKind::Layout
                    && matches!(inc.name.as_ref(), "null" | "none" | "false")
                {
                    continue;
                }
                if inc.name.is_empty() {
                    // Handlebars layouts: a page defines `{{#*inline "page"}}` and names its
                    // parent dynamically; the parent is the template that renders that partial.
                    if let Some(parent) = self.inline_partial_host(&inline, templates) {
                        if !chain.files.contains(&parent) {
                            chain.files.push(parent);
                        }
                        continue;
                    }
                    chain
                        .unresolved
                        .push(format!("{} (dynamic)", doc.slice(inc.span).trim()));
                    continue;
                }
                if inline.contains(&inc.name) {
                    continue;
                }
                match self.find_template(&doc.path, inc.kind, &inc.name) {
                    Some(p) => {
                        let p: Arc<str> = templates
                            .get_key_value(p.as_str())
                            .map_or_else(|| Arc::from(p.as_str()), |(k, _)| k.clone());
                        if !chain.files.contains(&p) {
                            chain.files.push(p);
                        }
                    }
                    None if inc.kind == IncludeKind::Shortcode => {}
                    None => chain.unresolved.push(inc.name.clone()),
                }
            }
            if self.generator == Some(Generator::Hugo)
                && uses_define(doc)
                && let Some(b) = self.hugo_baseof(&doc.path)
            {
                let b: Arc<str> = Arc::from(b.as_str());
                if !chain.files.contains(&b) {
                    chain.files.push(b);
                }
            }
        }
        chain
    }

    /// The file a reference names, looked up where its engine looks.
    pub fn find_template(&self, from: &str, kind: IncludeKind, name: &str) -> Option<String> {
        let name = name.trim_start_matches("./");
        let from_dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let mut dirs: Vec<String> = Vec::new();
        match kind {
            IncludeKind::Layout => {
                if let Some(alias) = self.layout_aliases.get(name) {
                    for d in &self.layout_dirs {
                        if let Some(found) = self.try_exts(d, alias) {
                            return Some(found);
                        }
                    }
                }
                dirs.extend(self.layout_dirs.iter().cloned());
                dirs.extend(self.include_dirs.iter().cloned());
            }
            IncludeKind::Shortcode => dirs.extend(self.shortcode_dirs.iter().cloned()),
            IncludeKind::Extends | IncludeKind::Include => {
                dirs.extend(self.include_dirs.iter().cloned());
                dirs.extend(self.layout_dirs.iter().cloned());
            }
        }
        // Engines without configured folders look beside the file, in template roots, and in
        // every folder of the tree named like a template folder.
        dirs.push(from_dir.to_string());
        dirs.extend(template_roots(from));
        dirs.extend(self.template_dirs.iter().cloned());
        dirs.push(String::new());
        dirs.into_iter().find_map(|d| self.try_exts(&d, name))
    }

    /// The layout a generator applies without the page naming it: Hugo's template lookup,
    /// Jekyll's `defaults`, Eleventy's directory data. When the page names none and one
    /// may be applied by something Sitewide cannot read, the chain is incomplete.
    fn implicit_layout(
        &self,
        page: &Document,
        templates: &HashMap<Arc<str>, Arc<Document>>,
        chain: &mut Chain,
    ) {
        let names_layout = page
            .includes
            .iter()
            .any(|i| matches!(i.kind, IncludeKind::Layout | IncludeKind::Extends));
        let is_document = page.elements_named("html").next().is_some();
        match self.generator {
            Some(Generator::Hugo)
                if self
                    .content_dir
                    .as_deref()
                    .is_some_and(|c| page.path.starts_with(&format!("{c}/"))) =>
            {
                match self.hugo_page_layout(page, templates) {
                    Some(first) => chain.files.push(first),
                    None => chain
                        .unresolved
                        .push("no Hugo template found for this content page".into()),
                }
            }
            Some(Generator::Jekyll) if !names_layout => {
                let default = self.layout_defaults.iter().find(|d| {
                    page.path.starts_with(d.path.as_str())
                        && d.kind
                            .as_deref()
                            .is_none_or(|k| (k == "posts") == page.path.contains("_posts/"))
                });
                if let Some(d) = default {
                    match self.find_template(&page.path, IncludeKind::Layout, &d.layout) {
                        Some(p) => chain.files.push(Arc::from(p.as_str())),
                        None => chain.unresolved.push(d.layout.clone()),
                    }
                }
            }
            Some(Generator::Eleventy) if !names_layout && !is_document => {
                let from_data = self
                    .layout_defaults
                    .iter()
                    .filter(|d| page.path.starts_with(d.path.as_str()))
                    .max_by_key(|d| d.path.len());
                match from_data {
                    Some(d) => match self.find_template(&page.path, IncludeKind::Layout, &d.layout)
                    {
                        Some(p) => chain.files.push(Arc::from(p.as_str())),
                        None => chain.unresolved.push(d.layout.clone()),
                    },
                    None => chain
                        .unresolved
                        .push("layout from Eleventy data or config (not readable)".into()),
                }
            }
            _ => {}
        }
    }

    /// The one template that renders one of `names` as a partial (`{{> page}}`).
    fn inline_partial_host(
        &self,
        names: &[String],
        templates: &HashMap<Arc<str>, Arc<Document>>,
    ) -> Option<Arc<str>> {
        if names.is_empty() {
            return None;
        }
        let mut hosts = templates.iter().filter(|(_, d)| {
            d.includes
                .iter()
                .any(|i| i.kind == IncludeKind::Include && names.contains(&i.name))
        });
        let (first, _) = hosts.next()?;
        hosts.next().is_none().then(|| first.clone())
    }

    fn try_exts(&self, dir: &str, name: &str) -> Option<String> {
        let base = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        TEMPLATE_EXTS
            .iter()
            .map(|e| format!("{base}{e}"))
            .find(|p| self.paths.contains(p))
    }

    /// Hugo picks a content page's template by type, section and layout front matter.
    fn hugo_page_layout(
        &self,
        page: &Document,
        _templates: &HashMap<Arc<str>, Arc<Document>>,
    ) -> Option<Arc<str>> {
        if self.generator != Some(Generator::Hugo) {
            return None;
        }
        let content = self.content_dir.as_deref()?;
        let rel = page.path.strip_prefix(content)?.trim_start_matches('/');
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let is_list = name.starts_with("_index.");
        let is_home = is_list && !rel.contains('/');
        let fm = page.front_matter.as_ref();
        let section = rel
            .split('/')
            .next()
            .filter(|_| rel.contains('/'))
            .unwrap_or("");
        let kind_dir = fm.and_then(|f| f.text("type")).unwrap_or(section);
        let layout = fm.and_then(|f| f.text("layout"));
        let mut names: Vec<&str> = Vec::new();
        if let Some(l) = layout {
            names.push(l);
        }
        if is_home {
            names.extend(["home", "index", "list"]);
        } else if is_list {
            names.extend(["list", "section"]);
        } else {
            names.push("single");
        }
        let roots: Vec<&str> = self
            .layout_dirs
            .iter()
            .filter(|d| !d.ends_with("/_default"))
            .map(String::as_str)
            .collect();
        for root in &roots {
            for n in &names {
                for dir in [
                    format!("{root}/{kind_dir}"),
                    format!("{root}/_default"),
                    root.to_string(),
                ] {
                    let p = format!("{dir}/{n}.html");
                    if self.paths.contains(&p) {
                        return Some(Arc::from(p.as_str()));
                    }
                }
            }
        }
        None
    }

    fn hugo_baseof(&self, template: &str) -> Option<String> {
        let dir = template.rsplit_once('/').map_or("", |(d, _)| d);
        let here = format!("{dir}/baseof.html");
        if self.paths.contains(&here) {
            return Some(here);
        }
        self.layout_dirs
            .iter()
            .map(|d| format!("{d}/baseof.html"))
            .chain(
                self.layout_dirs
                    .iter()
                    .map(|d| format!("{d}/_default/baseof.html")),
            )
            .find(|p| self.paths.contains(p))
    }
}

/// Names of Handlebars inline partials a file defines: `{{#*inline "page"}}`.
fn inline_partials(doc: &Document) -> Vec<String> {
    doc.regions
        .all()
        .iter()
        .filter_map(|r| {
            let t = doc.slice(r.span).trim_start_matches(['{', '~', ' ']);
            let rest = t.strip_prefix("#*inline")?.trim_start();
            let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let body = &rest[1..];
            body.find(q).map(|e| body[..e].to_string())
        })
        .collect()
}

/// Hugo templates that `define` a block are rendered inside a `baseof.html`.
fn uses_define(doc: &Document) -> bool {
    doc.regions.all().iter().any(|r| {
        let t = doc.slice(r.span).trim_start_matches(['{', '-', ' ']);
        t.starts_with("define")
    })
}

/// The ancestor folders of `from` that are template roots (`templates/`, `_includes/`).
fn template_roots(from: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut acc = String::new();
    for seg in from
        .split('/')
        .collect::<Vec<_>>()
        .split_last()
        .map_or(&[][..], |(_, d)| d)
    {
        if !acc.is_empty() {
            acc.push('/');
        }
        acc.push_str(seg);
        if matches!(
            *seg,
            "templates" | "_includes" | "includes" | "layouts" | "_layouts" | "views"
        ) {
            out.push(acc.clone());
        }
    }
    out.reverse();
    out
}
