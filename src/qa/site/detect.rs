//! Which generator built a tree, where its layouts, includes and content live, and which of
//! its files are pages. Reads generator configs only for folder names; never runs them.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::{MAX_FILE_BYTES, Role, Site, SiteError, SiteFile, SiteIndex, Skipped};
use crate::qa::page::{Engine, Format};
use crate::qa::tree::{Item, Kind, Tree};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Generator {
    Jekyll,
    Hugo,
    Eleventy,
    Lektor,
    /// Handlebars templates rendered by an application (routes live in code).
    Handlebars,
    /// Jinja-family templates rendered by an application (Flask, Django, Pelican).
    Jinja,
    /// Hand-written HTML.
    Plain,
}

impl Generator {
    pub fn engine(self) -> Engine {
        match self {
            Generator::Jekyll | Generator::Eleventy => Engine::Liquid,
            Generator::Hugo => Engine::Hugo,
            Generator::Lektor | Generator::Jinja => Engine::Jinja,
            Generator::Handlebars => Engine::Handlebars,
            Generator::Plain => Engine::Html,
        }
    }

    /// Generators whose page URLs follow from the tree, so a link can be proved broken.
    pub fn maps_urls(self) -> bool {
        matches!(
            self,
            Generator::Jekyll
                | Generator::Hugo
                | Generator::Eleventy
                | Generator::Lektor
                | Generator::Plain
        )
    }
}

pub(super) struct Detected {
    generator: Generator,
    index: SiteIndex,
    /// Folders (relative) never walked: build output and the generator's excludes.
    excludes: Vec<String>,
    template_dirs: Vec<String>,
}

const PARSED: &[&str] = &[
    "html",
    "htm",
    "xhtml",
    "md",
    "markdown",
    "mdown",
    "mkd",
    "liquid",
    "njk",
    "nunjucks",
    "j2",
    "jinja",
    "jinja2",
    "tera",
    "twig",
    "hbs",
    "handlebars",
    "mustache",
    "tmpl",
    "gohtml",
];
/// Page-like types the page model does not read: reported once as unchecked.
const UNKNOWN_PAGES: &[&str] = &[
    "lr", "rst", "adoc", "asciidoc", "org", "textile", "erb", "php", "astro", "vue", "svelte",
    "mdx", "pug", "jade", "haml", "slim", "ejs", "cshtml", "jsp", "aspx", "ftl",
];
const TEMPLATE_DIR_NAMES: &[&str] = &[
    "_layouts",
    "_includes",
    "layouts",
    "includes",
    "_partials",
    "partials",
    "templates",
    "components",
    "shortcodes",
    "_shortcodes",
];

fn exists(root: &dyn Tree, rel: &str) -> bool {
    root.kind(rel).is_some()
}

fn read(root: &dyn Tree, rel: &str) -> String {
    root.read_string(rel).unwrap_or_default()
}

pub(super) fn detect(root: &dyn Tree) -> Detected {
    let mut index = SiteIndex::default();
    let mut excludes = vec![
        "node_modules".to_string(),
        ".git".to_string(),
        "_site".to_string(),
        ".jekyll-cache".to_string(),
        ".sass-cache".to_string(),
        "resources/_gen".to_string(),
    ];
    let mut template_dirs = Vec::new();
    let package = read(root, "package.json");
    let hugo_config = [
        "hugo.toml",
        "hugo.yaml",
        "hugo.yml",
        "hugo.json",
        "config/_default/hugo.toml",
    ]
    .iter()
    .chain(
        [
            "config.toml",
            "config.yaml",
            "config.yml",
            "config/_default/config.toml",
        ]
        .iter(),
    )
    .find(|f| exists(root, f))
    .map(|f| read(root, f));
    let eleventy_config = [
        ".eleventy.js",
        "eleventy.config.js",
        "eleventy.config.cjs",
        "eleventy.config.mjs",
    ]
    .iter()
    .find(|f| exists(root, f))
    .map(|f| read(root, f));
    let is_hugo = exists(root, "hugo.toml")
        || exists(root, "hugo.yaml")
        || exists(root, "hugo.json")
        || exists(root, "config/_default")
        || (hugo_config.is_some()
            && exists(root, "content")
            && (exists(root, "layouts") || exists(root, "themes")));
    let generator = if exists(root, "_config.yml")
        || exists(root, "_config.yaml")
        || exists(root, "_layouts")
    {
        Generator::Jekyll
    } else if is_hugo {
        Generator::Hugo
    } else if eleventy_config.is_some() || package.contains("@11ty/eleventy") {
        Generator::Eleventy
    } else if root
        .list("")
        .iter()
        .any(|name| extension_of(name) == Some("lektorproject"))
    {
        Generator::Lektor
    } else if has_ext_below(root, "templates", &["hbs", "handlebars"]) {
        Generator::Handlebars
    } else if exists(root, "templates")
        && has_ext_below(root, "templates", &["html", "j2", "jinja", "njk", "twig"])
    {
        Generator::Jinja
    } else {
        Generator::Plain
    };
    index.generator = Some(generator);
    match generator {
        Generator::Jekyll => {
            let cfg = read(root, "_config.yml") + &read(root, "_config.yaml");
            // `source`, `layouts_dir` and `includes_dir` move the folders (Jekyll docs,
            // "Configuration options").
            let source = yaml_key(&cfg, "source")
                .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_string())
                .filter(|s| !s.is_empty() && s != ".");
            let in_source = |d: String| source.as_ref().map_or(d.clone(), |s| format!("{s}/{d}"));
            let layouts =
                in_source(yaml_key(&cfg, "layouts_dir").unwrap_or_else(|| "_layouts".into()));
            let includes =
                in_source(yaml_key(&cfg, "includes_dir").unwrap_or_else(|| "_includes".into()));
            index.layout_dirs.push(layouts.clone());
            index.include_dirs.push(includes.clone());
            template_dirs.extend([layouts, includes]);
            index.site_url = yaml_key(&cfg, "url");
            index.post_permalink = yaml_key(&cfg, "permalink");
            excludes.extend(yaml_list(&cfg, "exclude"));
            if let Some(dest) = yaml_key(&cfg, "destination") {
                excludes.push(dest.trim_start_matches("./").to_string());
            }
            index.layout_defaults = jekyll_defaults(&cfg);
        }
        Generator::Hugo => {
            let cfg = hugo_config.unwrap_or_default();
            excludes.push("public".into());
            let theme = yaml_key(&cfg, "theme").or_else(|| toml_key(&cfg, "theme"));
            index.hugo_permalinks = hugo_permalinks(&cfg);
            index.site_url = yaml_key(&cfg, "baseURL").or_else(|| toml_key(&cfg, "baseURL"));
            let mut layout_roots = vec!["layouts".to_string()];
            if let Some(t) = theme {
                let themes_dir = yaml_key(&cfg, "themesDir").unwrap_or_else(|| "themes".into());
                let themes_dir = themes_dir
                    .trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string();
                layout_roots.push(format!("{themes_dir}/{t}/layouts"));
                index.static_dirs.push(format!("{themes_dir}/{t}/static"));
            }
            for r in &layout_roots {
                index.layout_dirs.push(r.clone());
                index.layout_dirs.push(format!("{r}/_default"));
                index.include_dirs.push(format!("{r}/partials"));
                index.include_dirs.push(format!("{r}/_partials"));
                index.include_dirs.push(r.clone());
                index.shortcode_dirs.push(format!("{r}/shortcodes"));
                index.shortcode_dirs.push(format!("{r}/_shortcodes"));
            }
            template_dirs.extend(layout_roots);
            template_dirs.push("themes".into());
            index.static_dirs.insert(0, "static".into());
            index.static_dirs.push("assets".into());
            let content = yaml_key(&cfg, "contentDir")
                .or_else(|| toml_key(&cfg, "contentDir"))
                .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_string())
                .filter(|d| !d.is_empty());
            index.content_dir = Some(content.unwrap_or_else(|| "content".into()));
        }
        Generator::Eleventy => {
            let cfg = eleventy_config.unwrap_or_default();
            let input = js_dir(&cfg, "input").unwrap_or_else(|| ".".into());
            let prefix = if input == "." || input.is_empty() {
                String::new()
            } else {
                format!("{input}/")
            };
            let includes = js_dir(&cfg, "includes").map(|d| format!("{prefix}{d}"));
            let layouts = js_dir(&cfg, "layouts").map(|d| format!("{prefix}{d}"));
            excludes.push(js_dir(&cfg, "output").unwrap_or_else(|| "_site".into()));
            if !prefix.is_empty() {
                index.content_dir = Some(input.clone());
            }
            for d in layouts.iter().chain(includes.iter()) {
                index.layout_dirs.push(d.clone());
                index.include_dirs.push(d.clone());
                template_dirs.push(d.clone());
            }
            for a in alias_calls(&cfg) {
                index.layout_aliases.insert(a.0, a.1);
            }
            excludes.extend(
                read(root, ".eleventyignore")
                    .lines()
                    .map(|l| {
                        l.trim()
                            .trim_start_matches("./")
                            .trim_end_matches('/')
                            .to_string()
                    })
                    .filter(|l| !l.is_empty() && !l.starts_with('#')),
            );
        }
        Generator::Lektor => {
            index.content_dir = Some("content".into());
            index.static_dirs.push("assets".into());
        }
        Generator::Handlebars | Generator::Jinja => {
            index.static_dirs.push("static".into());
        }
        Generator::Plain => {}
    }
    Detected {
        generator,
        index,
        excludes,
        template_dirs,
    }
}

fn has_ext_below(root: &dyn Tree, dir: &str, exts: &[&str]) -> bool {
    walkdir_any(root, dir, exts, 3)
}

fn walkdir_any(root: &dyn Tree, dir: &str, exts: &[&str], depth: usize) -> bool {
    root.list(dir).iter().any(|name| {
        let p = format!("{dir}/{name}");
        if root.kind(&p) == Some(Kind::Dir) {
            depth > 0 && walkdir_any(root, &p, exts, depth - 1)
        } else {
            extension_of(name).is_some_and(|x| exts.contains(&x))
        }
    })
}

/// A file name's extension as `Path::extension` sees it (`.lektorproject` has none).
fn extension_of(name: &str) -> Option<&str> {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => Some(ext),
        _ => None,
    }
}

/// `defaults:` of a Jekyll `_config.yml`: layouts applied by path and type.
fn jekyll_defaults(cfg: &str) -> Vec<super::LayoutDefault> {
    use yaml_rust2::{Yaml, YamlLoader};
    let Ok(docs) = YamlLoader::load_from_str(cfg) else {
        return Vec::new();
    };
    let Some(Yaml::Array(list)) = docs.first().map(|d| &d["defaults"]) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|d| {
            let layout = d["values"]["layout"].as_str()?.to_string();
            let path = d["scope"]["path"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches("./")
                .to_string();
            let kind = d["scope"]["type"].as_str().map(str::to_string);
            Some(super::LayoutDefault { path, kind, layout })
        })
        .collect()
}

/// Hugo's `permalinks` block (YAML `permalinks:` or TOML `[permalinks]`): section → pattern.
fn hugo_permalinks(cfg: &str) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let mut inside = false;
    for line in cfg.lines() {
        let trimmed = line.trim();
        if trimmed == "permalinks:" || trimmed == "[permalinks]" || trimmed == "[permalinks.page]" {
            inside = true;
            continue;
        }
        if !inside || trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let is_toml_table = trimmed.starts_with('[');
        let is_yaml_top = !line.starts_with([' ', '\t']) && !cfg.contains("[permalinks]");
        if is_toml_table || is_yaml_top {
            inside = false;
            continue;
        }
        let Some((k, v)) = trimmed.split_once(['=', ':']) else {
            continue;
        };
        let v = v.trim().trim_matches(['"', '\'']);
        if v.is_empty() {
            continue;
        }
        out.insert(
            k.trim().trim_matches(['"', '\'']).to_string(),
            v.to_string(),
        );
    }
    out
}

/// A top-level `key: value` in a YAML file, unquoted.
fn yaml_key(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(key)?.trim_start().strip_prefix(':')?;
        let v = rest.split(" #").next()?.trim().trim_matches(['"', '\'']);
        (!v.is_empty()).then(|| v.to_string())
    })
}

fn toml_key(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l
            .trim_start()
            .strip_prefix(key)?
            .trim_start()
            .strip_prefix('=')?;
        let v = rest.trim().trim_matches(['"', '\'']);
        (!v.is_empty()).then(|| v.to_string())
    })
}

/// A top-level YAML list, in block (`- a`) or flow (`[a, b]`) form.
fn yaml_list(text: &str, key: &str) -> Vec<String> {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(&format!("{key}:")));
    let Some(first) = lines.next() else {
        return Vec::new();
    };
    let clean = |s: &str| {
        s.trim()
            .trim_matches(['"', '\''])
            .trim_end_matches('/')
            .to_string()
    };
    let rest = first[key.len() + 1..].trim();
    if let Some(flow) = rest.strip_prefix('[') {
        return flow
            .trim_end_matches(']')
            .split(',')
            .map(clean)
            .filter(|s| !s.is_empty())
            .collect();
    }
    lines
        .take_while(|l| l.starts_with([' ', '-', '\t']) || l.trim().is_empty())
        .filter_map(|l| l.trim().strip_prefix('-').map(clean))
        .collect()
}

/// `dir: { input: "src", includes: "_includes" }` in an Eleventy config.
fn js_dir(cfg: &str, key: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(r#"\b{key}\s*:\s*["'`]([^"'`]*)["'`]"#)).ok()?;
    re.captures(cfg).map(|c| {
        c[1].trim_start_matches("./")
            .trim_end_matches('/')
            .to_string()
    })
}

fn alias_calls(cfg: &str) -> Vec<(String, String)> {
    let Ok(re) =
        regex::Regex::new(r#"addLayoutAlias\(\s*["'`]([^"'`]+)["'`]\s*,\s*["'`]([^"'`]+)["'`]"#)
    else {
        return Vec::new();
    };
    re.captures_iter(cfg)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

pub(super) struct Walked {
    files: Vec<(String, u64)>,
    skipped: Vec<Skipped>,
}

/// Every file of the tree but hidden, excluded and `[exclude]`d ones. Symbolic links are
/// not followed; one that leaves the tree is reported.
pub(super) fn walk(root: &dyn Tree, d: &Detected, extra: &[String]) -> Result<Walked, SiteError> {
    let mut globs = globset::GlobSetBuilder::new();
    for g in extra {
        let glob = globset::Glob::new(g).map_err(|e| SiteError::Walk {
            path: root.root().to_path_buf(),
            message: e.to_string(),
        })?;
        globs.add(glob);
    }
    let globs = globs.build().map_err(|e| SiteError::Walk {
        path: root.root().to_path_buf(),
        message: e.to_string(),
    })?;
    let excludes: HashSet<String> = d.excludes.iter().cloned().collect();
    let mut out = Walked {
        files: Vec::new(),
        skipped: Vec::new(),
    };
    for entry in root.walk(&excludes)? {
        if globs.is_match(&entry.path) {
            continue;
        }
        match entry.item {
            Item::File { size } => out.files.push((entry.path, size)),
            Item::Link { leaves: true } => out.skipped.push(Skipped {
                file: entry.path,
                reason: "symbolic link that leaves the checked tree: not followed".into(),
            }),
            Item::Link { leaves: false } => {}
        }
    }
    Ok(out)
}

fn extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .map_or(String::new(), |(_, e)| e.to_ascii_lowercase())
}

fn in_dir(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

fn is_doc_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    stem.len() > 1
        && stem
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c == '-')
}

pub(super) fn classify(root: &dyn Tree, d: Detected, walked: Walked) -> Site {
    let Detected {
        generator,
        mut index,
        template_dirs,
        ..
    } = d;
    let mut files = Vec::new();
    let mut unchecked: BTreeMap<String, usize> = BTreeMap::new();
    let mut skipped = walked.skipped;
    let mut scripts = Vec::new();
    for (rel, size) in walked.files {
        if let Some((dir, _)) = rel.rsplit_once('/') {
            let mut d = dir;
            loop {
                if !index.dirs.insert(d.to_string()) {
                    break;
                }
                match d.rsplit_once('/') {
                    Some((parent, _)) => d = parent,
                    None => break,
                }
            }
        }
        index.paths.insert(rel.clone());
        let ext = extension(&rel);
        if is_first_party_script(&rel, &ext, size) {
            scripts.push(Arc::from(rel.as_str()));
            continue;
        }
        if UNKNOWN_PAGES.contains(&ext.as_str()) {
            *unchecked.entry(format!(".{ext}")).or_default() += 1;
            continue;
        }
        if !PARSED.contains(&ext.as_str()) {
            continue;
        }
        let format = if matches!(ext.as_str(), "md" | "markdown" | "mdown" | "mkd") {
            Format::Markdown
        } else {
            Format::Html
        };
        let engine = match ext.as_str() {
            "hbs" | "handlebars" | "mustache" => Engine::Handlebars,
            "njk" | "nunjucks" | "j2" | "jinja" | "jinja2" | "tera" | "twig" => Engine::Jinja,
            "liquid" => Engine::Liquid,
            "gohtml" | "tmpl" => Engine::Hugo,
            _ => generator.engine(),
        };
        // A hand-written site has no templates: a `templates/` folder there holds pages.
        let is_template = template_dirs.iter().any(|t| in_dir(&rel, t))
            || (generator != Generator::Plain
                && rel.split('/').any(|seg| TEMPLATE_DIR_NAMES.contains(&seg))
                && !in_content(&rel, &index));
        let role = if is_template {
            Role::Template
        } else if !is_page(generator, &rel, format, &index) {
            continue;
        } else {
            Role::Page
        };
        if size > MAX_FILE_BYTES {
            skipped.push(Skipped {
                file: rel,
                reason: format!(
                    "{:.1} MB is over the {} MB limit for a source file: not checked",
                    size as f64 / 1_048_576.0,
                    MAX_FILE_BYTES / 1_048_576
                ),
            });
            continue;
        }
        files.push(SiteFile {
            path: Arc::from(rel.as_str()),
            role,
            format,
            engine,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if generator == Generator::Eleventy {
        index.layout_defaults = eleventy_directory_layouts(root, &index);
    }
    let mut found: Vec<String> = index
        .dirs
        .iter()
        .filter(|d| TEMPLATE_DIR_NAMES.contains(&d.rsplit('/').next().unwrap_or(d)))
        .cloned()
        .collect();
    found.sort_by_key(|d| (d.matches('/').count(), d.clone()));
    index.template_dirs = found;
    if index
        .site_url
        .as_deref()
        .is_some_and(|u| !u.starts_with("http"))
    {
        index.site_url = None;
    }
    scripts.sort();
    Site {
        generator,
        files,
        scripts,
        unchecked,
        skipped,
        index,
    }
}

/// Largest script file read for events: beyond it, a file is a bundle, not code anyone
/// writes by hand.
const MAX_SCRIPT_BYTES: u64 = 256 * 1024;

/// A JavaScript file the site's own people write: not minified, not a bundle, not a
/// vendored copy of a library.
fn is_first_party_script(rel: &str, ext: &str, size: u64) -> bool {
    const VENDOR_DIRS: &[&str] = &[
        "vendor",
        "vendors",
        "third_party",
        "third-party",
        "lib",
        "libs",
        "bower_components",
        "dist",
    ];
    matches!(ext, "js" | "mjs" | "cjs")
        && size <= MAX_SCRIPT_BYTES
        && !rel.ends_with(".min.js")
        && !rel.ends_with(".bundle.js")
        && !rel.split('/').any(|part| VENDOR_DIRS.contains(&part))
}

/// Eleventy directory data files (`posts/posts.json`, `posts/posts.11tydata.json`) that set
/// a layout for every page below them.
fn eleventy_directory_layouts(root: &dyn Tree, index: &SiteIndex) -> Vec<super::LayoutDefault> {
    let mut out = Vec::new();
    for p in &index.paths {
        let Some((dir, file)) = p.rsplit_once('/') else {
            continue;
        };
        let dir_name = dir.rsplit('/').next().unwrap_or(dir);
        let stem = file
            .strip_suffix(".11tydata.json")
            .or_else(|| file.strip_suffix(".json"));
        if stem != Some(dir_name) {
            continue;
        }
        let Some(text) = root.read_string(p) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if let Some(layout) = v.get("layout").and_then(|l| l.as_str()) {
            out.push(super::LayoutDefault {
                path: format!("{dir}/"),
                kind: None,
                layout: layout.to_string(),
            });
        }
    }
    out
}

fn in_content(rel: &str, index: &SiteIndex) -> bool {
    index.content_dir.as_deref().is_some_and(|c| in_dir(rel, c))
}

/// Whether a parseable file outside the template folders renders to a page.
fn is_page(generator: Generator, rel: &str, format: Format, index: &SiteIndex) -> bool {
    if is_doc_file(rel) {
        return false;
    }
    match generator {
        Generator::Hugo => {
            in_content(rel, index)
                || (format == Format::Html && index.static_dirs.iter().any(|s| in_dir(rel, s)))
        }
        Generator::Jekyll => {
            // Folders starting with `_` are not rendered, except posts and collections.
            let first = rel.split('/').next().unwrap_or("");
            !(first.starts_with('_') && rel.contains('/'))
                || first == "_posts"
                || is_collection(first)
        }
        Generator::Handlebars | Generator::Jinja | Generator::Lektor => false,
        Generator::Eleventy | Generator::Plain => true,
    }
}

fn is_collection(first: &str) -> bool {
    !matches!(
        first,
        "_layouts" | "_includes" | "_data" | "_sass" | "_site" | "_drafts" | "_plugins"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_yaml_keys_and_lists() {
        let y = "url: \"https://a.example\" # site\nexclude:\n  - vendor/\n  - Gemfile\nother: 1\n";
        assert_eq!(yaml_key(y, "url").as_deref(), Some("https://a.example"));
        assert_eq!(yaml_list(y, "exclude"), ["vendor", "Gemfile"]);
        assert_eq!(yaml_list("exclude: [a, 'b/']\n", "exclude"), ["a", "b"]);
    }

    #[test]
    fn reads_eleventy_dirs_and_aliases() {
        let js = r#"return { dir: { input: "src", includes: "_includes", output: "dist" } }; eleventyConfig.addLayoutAlias('post', 'layouts/post.njk');"#;
        assert_eq!(js_dir(js, "input").as_deref(), Some("src"));
        assert_eq!(
            alias_calls(js),
            [("post".to_string(), "layouts/post.njk".to_string())]
        );
    }

    #[test]
    fn reads_jekyll_defaults_and_hugo_permalinks() {
        let cfg = "defaults:\n  - scope:\n      path: \"blog\"\n      type: posts\n    values:\n      layout: post\n";
        let d = jekyll_defaults(cfg);
        assert_eq!(
            (
                d[0].path.as_str(),
                d[0].kind.as_deref(),
                d[0].layout.as_str()
            ),
            ("blog", Some("posts"), "post")
        );
        let y = "title: x\npermalinks:\n  news: \":year/:month/:slug/\"\nrelated:\n  x: 1\n";
        assert_eq!(
            hugo_permalinks(y).get("news").map(String::as_str),
            Some(":year/:month/:slug/")
        );
        assert!(!hugo_permalinks(y).contains_key("x"));
        let t = "[permalinks]\n  posts = '/:year/:slug/'\n[params]\n  a = 'b'\n";
        assert_eq!(hugo_permalinks(t).len(), 1);
    }

    #[test]
    fn upper_case_docs_are_not_pages() {
        assert!(
            is_doc_file("README.md")
                && is_doc_file("docs/CHANGELOG.md")
                && !is_doc_file("about.md")
        );
    }
}
