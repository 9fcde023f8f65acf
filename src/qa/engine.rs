//! Runs the rules over a tree: templates first (they are few and every page needs them),
//! then pages in parallel, each read once and dropped, then the cross-file rules over the
//! facts kept. Applies severities, ignores and inline `sitewide-ignore` comments.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use super::finding::{Finding, Severity};
use super::page::Document;
use super::rules::links::external_link::{self, ExternalRef, Outcome};
use super::rules::{FileCx, PageCx, Rule, Settings, SiteCx};
use super::site::{Generator, PageFacts, Role, Site, SiteError, SiteFile, Skipped, url_key};
use super::suppress::Suppressions;
use super::tree::Tree;
use super::view::{self, PageView, Templates};
use crate::config::{ConfigError, SiteConfig};

/// The outcome of checking a tree.
#[derive(Debug)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub generator: Generator,
    pub pages: usize,
    pub templates: usize,
    pub unchecked: BTreeMap<String, usize>,
    pub skipped: Vec<Skipped>,
    /// Every external link of the checked files, in file order: kept only when a network
    /// rule (LNK-004) is selected, for `crate::links` to request ([`add_external`]).
    pub external: Vec<ExternalRef>,
}

impl Report {
    pub fn files_checked(&self) -> usize {
        self.pages + self.templates
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Site(#[from] SiteError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Plan(#[from] crate::qa::plan::PlanError),
    #[error(transparent)]
    Ga4(#[from] crate::qa::data::ga4::Ga4Error),
}

/// Which rules run and at what severity, after `--rules` and the config's `[rules]`.
pub struct Selection {
    /// Each selected rule and the severity `[rules]` sets for it; `None` keeps what the
    /// rule reports (its default, or less for an advisory finding such as a title length).
    rules: Vec<(&'static dyn Rule, Option<Severity>)>,
}

impl Selection {
    /// `patterns` are ids or globs (`UTM-*`); empty selects every rule but those that
    /// contact other servers (LNK-004), which only [`Selection::with_network`] selects.
    pub fn new(config: &SiteConfig, patterns: &[String]) -> Result<Selection, String> {
        Self::build(config, patterns, false)
    }

    /// [`Selection::new`] with external link checking on: the network rules run too, even
    /// when `patterns` name other rules only (turning the network on asks for them).
    pub fn with_network(config: &SiteConfig, patterns: &[String]) -> Result<Selection, String> {
        let mut patterns = patterns.to_vec();
        if !patterns.is_empty() {
            patterns.extend(network_ids().map(String::from));
        }
        Self::build(config, &patterns, true)
    }

    fn build(config: &SiteConfig, patterns: &[String], network: bool) -> Result<Selection, String> {
        for p in patterns {
            let matching = || {
                super::rules::all()
                    .into_iter()
                    .filter(|r| id_matches(p, r.meta().id))
            };
            if !network && matching().next().is_some() && matching().all(|r| r.network()) {
                return Err(format!(
                    "{p} checks external links over the network, which is off unless you turn it on\n  = hint: add --external-links (or `external_links = true` under [qa] in an audit job spec)"
                ));
            }
            if !super::rules::all()
                .iter()
                .any(|r| id_matches(p, r.meta().id))
            {
                let ids: Vec<&str> = super::rules::all().iter().map(|r| r.meta().id).collect();
                let near = ids
                    .iter()
                    .min_by_key(|i| strsim::levenshtein(&p.to_uppercase(), i));
                return Err(format!(
                    "unknown rule {p:?}{}",
                    near.map_or(String::new(), |n| format!(" (did you mean {n}?)"))
                ));
            }
        }
        let mut rules = Vec::new();
        for rule in super::rules::all() {
            let id = rule.meta().id;
            if rule.network() && !network {
                continue;
            }
            if !patterns.is_empty() && !patterns.iter().any(|p| id_matches(p, id)) {
                continue;
            }
            // The most specific pattern wins: an exact id over a glob.
            let mut best: Option<(bool, &str)> = None;
            for (k, v) in &config.rules {
                if id_matches(k.get_ref(), id) {
                    let exact = k.get_ref().eq_ignore_ascii_case(id);
                    if best.is_none_or(|(e, _)| !e || exact) {
                        best = Some((exact, v.get_ref()));
                    }
                }
            }
            match best {
                Some((_, "off")) => {}
                Some((_, v)) => rules.push((rule, Severity::parse(v))),
                None => rules.push((rule, None)),
            }
        }
        Ok(Selection { rules })
    }

    /// True when a selected rule contacts other servers: its findings come from
    /// [`add_external`] after the check.
    pub fn network(&self) -> bool {
        self.rules.iter().any(|(r, _)| r.network())
    }

    pub fn rules(&self) -> impl Iterator<Item = &'static dyn Rule> + '_ {
        self.rules.iter().map(|(r, _)| *r)
    }

    /// `None` when the rule is not selected; otherwise the configured severity, if any.
    pub(super) fn severity_of(&self, id: &str) -> Option<Option<Severity>> {
        self.rules
            .iter()
            .find(|(r, _)| r.meta().id == id)
            .map(|(_, s)| *s)
    }
}

/// The network rules (LNK-004) that `patterns` name, by id or glob: `check` and `audit`
/// say these did not run when the network is off.
pub fn network_rules_named(patterns: &[String]) -> Vec<&'static str> {
    network_ids()
        .filter(|id| patterns.iter().any(|p| id_matches(p, id)))
        .collect()
}

/// The ids of the rules that contact other servers.
fn network_ids() -> impl Iterator<Item = &'static str> {
    super::rules::all()
        .into_iter()
        .filter(|r| r.network())
        .map(|r| r.meta().id)
}

/// `UTM-*` matches `UTM-008`; ids compare case-insensitively.
pub fn id_matches(pattern: &str, id: &str) -> bool {
    let p = pattern.trim().to_ascii_uppercase();
    match p.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => p == id,
    }
}

/// What checking one file yields: its findings, the facts kept for the cross-file rules,
/// and its inline suppressions.
/// A page's findings, facts and suppressions. The facts are shared: a check that reuses
/// a page's results (`check_again`) hands the same facts to the site rules, never a copy.
type Checked = (Vec<Finding>, Arc<PageFacts>, Suppressions);

/// The per-page results of a check, to check the same tree again after some of its pages
/// changed: [`check_again`].
#[derive(Default)]
pub struct PageResults {
    pages: HashMap<Arc<str>, Checked>,
}

/// Rule ids named in `sitewide.toml` (`[rules]`, `[[ignore]] rules`) must exist.
pub fn validate_rule_ids(config: &SiteConfig) -> Result<(), ConfigError> {
    let ids: Vec<&str> = super::rules::all().iter().map(|r| r.meta().id).collect();
    let named = config
        .rules
        .keys()
        .chain(config.ignore.iter().flat_map(|i| i.rules.iter()));
    for key in named {
        let k = key.get_ref();
        if ids.iter().any(|id| id_matches(k, id)) {
            continue;
        }
        let near = ids
            .iter()
            .min_by_key(|i| strsim::levenshtein(&k.to_ascii_uppercase(), i));
        let hint = near.map_or("`sitewide rules` lists every rule id".to_string(), |n| {
            format!("did you mean {n}? (`sitewide rules` lists every id)")
        });
        return Err(config.error_at(key.span(), format!("unknown rule {k:?}"), Some(hint)));
    }
    Ok(())
}

/// The findings the file-level rules (`check_file`) selected by `patterns` report on one
/// document, after `[rules]` severities, `[[ignore]]` entries and the file's inline
/// `sitewide-ignore` comments: what `sitewide check` reports from those rules for this file.
/// The recipes apply the fixes it offers; page- and site-level rules need the whole tree.
pub fn check_document(
    doc: &Document,
    settings: &Settings,
    patterns: &[String],
) -> Result<Vec<Finding>, String> {
    let selection = Selection::new(settings.config, patterns)?;
    let mut out = Vec::new();
    let cx = FileCx { doc, settings };
    for r in selection.rules() {
        r.check_file(&cx, &mut out);
    }
    let suppressions = HashMap::from([(doc.path.clone(), Suppressions::read(doc))]);
    finish(out, settings.config, &selection, &suppressions).map_err(|e| e.to_string())
}

/// The site's internal hosts and its URL: `sitewide.toml`'s, else the generator
/// config's (`url` in `_config.yml`, `baseURL` in Hugo's config, ...).
pub fn site_identity(config: &SiteConfig, site: &Site) -> (Vec<String>, Option<String>) {
    let mut hosts = config.internal_hosts();
    if config.site_url.is_none()
        && let Some(h) = site
            .index
            .site_url
            .as_deref()
            .and_then(crate::config::host_of)
    {
        hosts.push(h);
    }
    let site_url = config
        .site_url
        .clone()
        .or_else(|| site.index.site_url.clone());
    (hosts, site_url)
}

/// `SITEWIDE_NOW` (RFC 3339 or `YYYY-MM-DD`) as a date: `None` when unset, an error
/// when it is not a date. The CLI's year (CNT-001) and the engine's day come from it.
pub fn sitewide_now() -> Result<Option<chrono::NaiveDate>, String> {
    match std::env::var("SITEWIDE_NOW") {
        Ok(v) => chrono::DateTime::parse_from_rfc3339(&v)
            .map(|d| d.date_naive())
            .or_else(|_| chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d"))
            .map(Some)
            .map_err(|_| {
                format!(
                    "error: SITEWIDE_NOW={v:?} is not a date (write 2026-11-27 or 2026-11-27T09:00:00Z)"
                )
            }),
        Err(_) => Ok(None),
    }
}

/// Today: `SITEWIDE_NOW` when it is set and a date, else the clock (UTC).
pub fn today() -> chrono::NaiveDate {
    sitewide_now()
        .ok()
        .flatten()
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

/// Checks `tree`.
#[tracing::instrument(skip_all, fields(root = %tree.root().display()))]
pub fn check(
    tree: &dyn Tree,
    config: &SiteConfig,
    selection: &Selection,
    year: i32,
) -> Result<Report, CheckError> {
    check_with(tree, config, selection, (year, today()), None, None, None)
}

/// [`check`] on a given day (tests, and callers that fix the date).
pub fn check_on(
    tree: &dyn Tree,
    config: &SiteConfig,
    selection: &Selection,
    year: i32,
    today: chrono::NaiveDate,
) -> Result<Report, CheckError> {
    check_with(tree, config, selection, (year, today), None, None, None)
}

/// Something to run during the check's one pass (the tagging audit's coverage and events):
/// it sees each page once, with its layouts and includes, then the script files.
pub trait Visit: Sync {
    /// Every page's resolved view, from many threads at once.
    fn page(&self, view: &PageView, settings: &Settings);
    /// The site's first-party script files, once, after every page.
    fn scripts(&self, files: &[crate::qa::tagging::events::ScriptFile]);
}

/// [`check`], also handing every page's resolved view to `visit`.
pub fn check_visiting(
    tree: &dyn Tree,
    config: &SiteConfig,
    selection: &Selection,
    year: i32,
    visit: &dyn Visit,
) -> Result<Report, CheckError> {
    check_with(
        tree,
        config,
        selection,
        (year, today()),
        None,
        None,
        Some(visit),
    )
}

/// [`check`], also keeping every page's results for [`check_again`].
pub fn check_keeping(
    tree: &dyn Tree,
    config: &SiteConfig,
    selection: &Selection,
    year: i32,
) -> Result<(Report, PageResults), CheckError> {
    let mut kept = PageResults::default();
    let report = check_with(
        tree,
        config,
        selection,
        (year, today()),
        None,
        Some(&mut kept),
        None,
    )?;
    Ok((report, kept))
}

/// Checks `tree` again when it differs from the tree `before` was kept from only in the
/// contents of the pages `changed`: the other pages' results are reused, the changed pages
/// are checked, and the cross-file rules run over all of them. The result is the same as
/// [`check`]'s; when a changed path is not a page of the site (a template, a config or data
/// file, a new file), everything is checked again.
pub fn check_again(
    tree: &dyn Tree,
    config: &SiteConfig,
    selection: &Selection,
    year: i32,
    before: &PageResults,
    changed: &std::collections::HashSet<String>,
) -> Result<Report, CheckError> {
    let reusable = changed
        .iter()
        .all(|p| before.pages.contains_key(p.as_str()));
    let reuse = reusable.then_some((before, changed));
    check_with(tree, config, selection, (year, today()), reuse, None, None)
}

fn check_with(
    tree: &dyn Tree,
    config: &SiteConfig,
    selection: &Selection,
    (year, today): (i32, chrono::NaiveDate),
    reuse: Option<(&PageResults, &std::collections::HashSet<String>)>,
    keep: Option<&mut PageResults>,
    visit: Option<&dyn Visit>,
) -> Result<Report, CheckError> {
    validate_rule_ids(config)?;
    let excludes: Vec<String> = config.exclude.iter().map(|g| g.get_ref().clone()).collect();
    let mut site = Site::discover(tree, &excludes)?;
    let (hosts, site_url) = site_identity(config, &site);
    let plan = crate::qa::plan::load(tree, config)?;
    let ga4 = crate::qa::data::ga4::ga4(tree)?;
    let site_values = crate::qa::tagging::values::SiteValues::load(tree);
    let settings = Settings {
        config,
        internal_hosts: &hosts,
        site_url: site_url.as_deref(),
        year,
        today,
        plan: plan.as_ref().map(|(_, plan)| plan),
        ga4: &ga4,
        site_values: &site_values,
    };
    tracing::debug!(
        generator = ?site.generator,
        files = site.files.len(),
        unchecked = site.unchecked.values().sum::<usize>(),
        "discovered the tree"
    );
    let mut skipped = std::mem::take(&mut site.skipped);
    let rules: Vec<&'static dyn Rule> = selection.rules().collect();

    // Templates: read and checked once, kept for the pages.
    let read: Vec<_> = site
        .files
        .par_iter()
        .filter(|f| f.role == Role::Template)
        .map(|f| (f, read_document(tree, f)))
        .collect();
    let mut templates: Templates = HashMap::new();
    for (f, r) in read {
        match r {
            Ok(doc) => {
                templates.insert(f.path.clone(), Arc::new(doc));
            }
            Err(s) => skipped.push(s),
        }
    }
    // Application templates (Jinja, Handlebars) are pages when nothing else includes them.
    let leaves = leaf_templates(&site, &templates);
    let template_results: Vec<(Vec<Finding>, PageFacts, Suppressions)> = templates
        .par_iter()
        .map(|(_, doc)| {
            let mut out = Vec::new();
            let cx = FileCx {
                doc,
                settings: &settings,
            };
            for r in &rules {
                r.check_file(&cx, &mut out);
            }
            let suppressions = Suppressions::read(doc);
            let mut facts = view::template_facts(doc, &site.index, &settings);
            if selection.network() {
                facts.external = external_link::collect(doc, &settings, &suppressions);
            }
            (out, facts, suppressions)
        })
        .collect();

    let pages: Vec<&SiteFile> = site.files.iter().filter(|f| f.role == Role::Page).collect();
    let page_results: Vec<Result<Checked, Skipped>> = pages
        .par_iter()
        .map(|f| {
            if let Some((before, changed)) = reuse
                && !changed.contains(f.path.as_ref())
                && let Some(kept) = before.pages.get(&f.path)
            {
                return Ok(kept.clone());
            }
            let doc = read_document(tree, f)?;
            Ok(check_page(
                &doc, true, &site, &templates, &rules, &settings, visit,
            ))
        })
        .chain(leaves.par_iter().map(|p| {
            let doc = &templates[p];
            let (findings, facts, supp) =
                check_page(doc, false, &site, &templates, &rules, &settings, visit);
            Ok((findings, facts, supp))
        }))
        .collect();

    let mut findings = Vec::new();
    let mut suppressions: HashMap<Arc<str>, Suppressions> = HashMap::new();
    let mut template_facts = HashMap::new();
    for (f, facts, s) in template_results {
        findings.extend(f);
        suppressions.insert(facts.path.clone(), s);
        template_facts.insert(facts.path.clone(), facts);
    }
    let mut page_facts = Vec::new();
    let mut keep = keep;
    for r in page_results {
        match r {
            Ok((f, facts, s)) => {
                if let Some(kept) = keep.as_deref_mut() {
                    kept.pages
                        .insert(facts.path.clone(), (f.clone(), facts.clone(), s.clone()));
                }
                findings.extend(f);
                suppressions.entry(facts.path.clone()).or_insert(s);
                page_facts.push(facts);
            }
            Err(s) => skipped.push(s),
        }
    }
    page_facts.sort_by(|a, b| a.path.cmp(&b.path));
    for facts in &page_facts {
        for u in &facts.urls {
            site.index
                .urls
                .entry(url_key(u))
                .or_insert_with(|| facts.path.clone());
        }
    }
    let script_files = std::sync::OnceLock::new();
    let connector_files = std::sync::OnceLock::new();
    let cx = SiteCx {
        pages: &page_facts,
        templates: &template_facts,
        index: &site.index,
        settings: &settings,
        tree,
        script_paths: &site.scripts,
        script_files: &script_files,
        connector_files: &connector_files,
    };
    for r in &rules {
        r.check_site(&cx, &mut findings);
    }
    if let Some(v) = visit {
        v.scripts(cx.scripts());
    }
    let findings = finish(findings, config, selection, &suppressions)?;
    tracing::debug!(
        pages = page_facts.len(),
        templates = templates.len(),
        findings = findings.len(),
        skipped = skipped.len(),
        "checked the tree"
    );
    skipped.sort_by(|a, b| a.file.cmp(&b.file));
    let mut external: Vec<ExternalRef> = page_facts
        .iter()
        .map(|f| f.as_ref())
        .chain(template_facts.values())
        .flat_map(|f| f.external.iter().cloned())
        .collect();
    external.sort_by(|a, b| (&a.at.file, a.at.span.start).cmp(&(&b.at.file, b.at.span.start)));
    Ok(Report {
        external,
        findings,
        generator: site.generator,
        pages: page_facts.len(),
        templates: templates.len(),
        unchecked: site.unchecked,
        skipped,
    })
}

pub(super) fn check_page(
    doc: &Document,
    file_rules: bool,
    site: &Site,
    templates: &Templates,
    rules: &[&'static dyn Rule],
    settings: &Settings,
    visit: Option<&dyn Visit>,
) -> Checked {
    let mut out = Vec::new();
    if file_rules {
        let cx = FileCx { doc, settings };
        for r in rules {
            r.check_file(&cx, &mut out);
        }
    }
    let chain = site.index.chain(doc, templates);
    let mut docs = vec![doc];
    docs.extend(
        chain
            .files
            .iter()
            .skip(1)
            .filter_map(|p| templates.get(p).map(|d| d.as_ref())),
    );
    let view = PageView {
        page: doc,
        docs,
        chain: &chain,
    };
    let cx = PageCx {
        view: &view,
        settings,
    };
    for r in rules {
        r.check_page(&cx, &mut out);
    }
    if let Some(v) = visit {
        v.page(&view, settings);
    }
    let mut facts = view::page_facts(&view, &site.index, settings);
    let suppressions = Suppressions::read(doc);
    if file_rules && rules.iter().any(|r| r.network()) {
        facts.external = external_link::collect(doc, settings, &suppressions);
    }
    (out, Arc::new(facts), suppressions)
}

/// Templates of application engines that no other template references.
fn leaf_templates(site: &Site, templates: &Templates) -> Vec<Arc<str>> {
    if !matches!(
        site.generator,
        Generator::Handlebars | Generator::Jinja | Generator::Lektor
    ) {
        return Vec::new();
    }
    let mut referenced = std::collections::HashSet::new();
    for doc in templates.values() {
        for inc in &doc.includes {
            if let Some(p) = site.index.find_template(&doc.path, inc.kind, &inc.name) {
                referenced.insert(p);
            }
        }
    }
    let mut leaves: Vec<Arc<str>> = templates
        .iter()
        .filter(|(p, d)| {
            !referenced.contains(p.as_ref())
                && (d.includes.iter().any(|i| {
                    matches!(
                        i.kind,
                        super::page::IncludeKind::Extends | super::page::IncludeKind::Layout
                    )
                }) || d.elements_named("html").next().is_some()
                    // A parent named by an expression (`{{> (lookup this "parent")}}`):
                    // the application renders this template into a layout.
                    || d.includes.iter().any(|i| i.name.is_empty()))
        })
        .map(|(p, _)| p.clone())
        .collect();
    leaves.sort();
    leaves
}

/// Reads a file as UTF-8 text; binary and non-UTF-8 files are skipped with the reason.
pub fn read_document(tree: &dyn Tree, f: &SiteFile) -> Result<Document, Skipped> {
    let skip = |reason: String| Skipped {
        file: f.path.to_string(),
        reason,
    };
    let bytes = tree
        .read(&f.path)
        .map_err(|e| skip(format!("cannot read: {e}")))?;
    let text = decode_source(bytes).map_err(skip)?;
    Ok(Document::parse(&f.path, text, f.engine, f.format))
}

/// The text of a source file, or why it is not one.
pub fn decode_source(bytes: Vec<u8>) -> Result<String, String> {
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err("binary file (contains NUL bytes): not checked".into());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let col = bytes[..at].iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        format!("not valid UTF-8 (invalid byte at {line}:{col}, byte {at}): not checked; re-save it as UTF-8")
    })
}

/// Severity overrides, config ignores, inline suppressions, duplicates, order.
pub(super) fn finish(
    findings: Vec<Finding>,
    config: &SiteConfig,
    selection: &Selection,
    suppressions: &HashMap<Arc<str>, Suppressions>,
) -> Result<Vec<Finding>, ConfigError> {
    let ignores = super::suppress::ConfigIgnores::new(config)?;
    let mut out: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut f| {
            if let Some(configured) = selection.severity_of(f.rule.id)? {
                f.severity = configured;
            }
            if ignores.matches(f.rule.id, &f.file) {
                return None;
            }
            if suppressions
                .get(&f.file)
                .is_some_and(|s| s.silences(f.rule.id, f.line))
            {
                return None;
            }
            Some(f)
        })
        .collect();
    sort_findings(&mut out);
    Ok(out)
}

/// Adds the network rules' findings to a finished check: LNK-004 at every occurrence of
/// every external link `outcomes` (from `crate::links`) holds broken, after `[rules]`
/// severities and `[[ignore]]` entries (inline comments were read when the links were
/// collected), in report order with the other findings.
pub fn add_external(
    report: &mut Report,
    outcomes: &std::collections::HashMap<String, Outcome>,
    config: &SiteConfig,
    selection: &Selection,
) -> Result<(), ConfigError> {
    let found = external_link::findings(&report.external, outcomes);
    let found = finish(found, config, selection, &HashMap::new())?;
    report.findings.extend(found);
    sort_findings(&mut report.findings);
    Ok(())
}

/// Report order: file, position, rule, message; exact repeats once.
fn sort_findings(out: &mut Vec<Finding>) {
    out.sort_by(|a, b| {
        (a.file.as_ref(), a.line, a.column, a.rule.id, &a.message).cmp(&(
            b.file.as_ref(),
            b.line,
            b.column,
            b.rule.id,
            &b.message,
        ))
    });
    out.dedup_by(|a, b| {
        a.file == b.file && a.span == b.span && a.rule.id == b.rule.id && a.message == b.message
    });
}

/// The layout and include chain of one file of `tree`: which files build the page, and
/// which references could not be followed.
pub fn page_chain(tree: &dyn Tree, file: &str) -> Result<super::site::Chain, CheckError> {
    let root = tree.root();
    let site = Site::discover(tree, &[])?;
    let templates: Templates = site
        .files
        .par_iter()
        .filter(|f| f.role == Role::Template)
        .filter_map(|f| {
            read_document(tree, f)
                .ok()
                .map(|d| (f.path.clone(), Arc::new(d)))
        })
        .collect();
    let f = site.file(file).ok_or_else(|| {
        CheckError::Site(SiteError::Missing {
            path: root.join(file),
        })
    })?;
    let doc = match templates.get(&f.path) {
        Some(d) => Arc::clone(d),
        None => Arc::new(read_document(tree, f).map_err(|s| {
            CheckError::Site(SiteError::Walk {
                path: root.join(file),
                message: s.reason,
            })
        })?),
    };
    Ok(site.index.chain(&doc, &templates))
}
