//! The tagging audit (`sitewide audit`): the check with the TAG, LEG and CON rules, plus
//! every page's tag coverage, the measurement and container ids found and where, and the
//! events the code sends. Coverage is gathered during the check's one pass over the pages.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value as Json, json};

use super::engine::{self, CheckError, Report, Selection};
use super::rules::Settings;
use super::tagging::Event;
use super::tagging::coverage::{PageCoverage, Status};
use super::tagging::events::{self, ScriptFile};
use super::tagging::tags::TagKind;
use super::tree::Tree;
use super::view::PageView;
use crate::config::SiteConfig;

/// The rule families the audit runs when `--rules` is not given.
pub const FAMILIES: [&str; 3] = ["TAG-*", "LEG-*", "CON-*"];

#[derive(Debug)]
pub struct AuditReport {
    pub check: Report,
    /// One row per page (layouts are not pages), in path order.
    pub coverage: Vec<PageCoverage>,
    pub ids: Vec<IdFound>,
    /// Every layout and include pages are built from, with the statuses of those pages.
    pub layouts: Vec<LayoutCoverage>,
    /// Every event the code sends: pages, layouts and includes, then first-party script
    /// files, in path and source order.
    pub events: Vec<Event>,
}

/// A layout or include, and how the pages built from it fare: a layout whose pages are all
/// `not_tagged` is where the tag is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutCoverage {
    pub file: Arc<str>,
    pub pages: usize,
    /// Pages per status, in [`Status::ALL`] order, statuses with no page left out.
    pub statuses: Vec<(Status, usize)>,
}

/// One id and every place it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdFound {
    pub kind: TagKind,
    pub id: String,
    /// `(file, line)`, sorted, each once.
    pub places: Vec<(Arc<str>, usize)>,
    /// How many pages load it.
    pub pages: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error("{0}")]
    Rules(String),
}

/// The default rule patterns: the families that have rules.
pub fn default_patterns() -> Vec<String> {
    FAMILIES
        .iter()
        .filter(|f| {
            super::rules::all()
                .iter()
                .any(|r| engine::id_matches(f, r.meta().id))
        })
        .map(|f| f.to_string())
        .collect()
}

/// Audits `tree` with the rules `patterns` select (the tagging families when empty).
pub fn audit(
    tree: &dyn Tree,
    config: &SiteConfig,
    patterns: &[String],
    year: i32,
) -> Result<AuditReport, AuditError> {
    audit_selected(tree, config, &selection(config, patterns, false)?, year)
}

/// The audit's rules: those `patterns` select (the tagging families when empty), and
/// LNK-004 too when `network` turns external link checking on.
pub fn selection(
    config: &SiteConfig,
    patterns: &[String],
    network: bool,
) -> Result<Selection, AuditError> {
    let patterns = if patterns.is_empty() {
        default_patterns()
    } else {
        patterns.to_vec()
    };
    let selection = if network {
        Selection::with_network(config, &patterns)
    } else {
        Selection::new(config, &patterns)
    };
    selection.map_err(AuditError::Rules)
}

/// Audits `tree` with `selection` ([`selection`]). With a network rule selected, the
/// report's external links wait for `crate::links::check_report`.
pub fn audit_selected(
    tree: &dyn Tree,
    config: &SiteConfig,
    selection: &Selection,
    year: i32,
) -> Result<AuditReport, AuditError> {
    let gathered = Gathered::default();
    let check = engine::check_visiting(tree, config, selection, year, &gathered)?;
    let Gathered {
        rows,
        page_events,
        script_events,
    } = gathered;
    let mut events: Vec<Event> = page_events
        .into_inner()
        .unwrap_or_default()
        .into_values()
        .flatten()
        .collect();
    events.extend(script_events.into_inner().unwrap_or_default());
    let mut coverage = rows.into_inner().unwrap_or_default();
    coverage.sort_by(|a, b| a.file.cmp(&b.file));
    let ids = ids_found(&coverage);
    let layouts = layouts(&coverage);
    Ok(AuditReport {
        check,
        coverage,
        ids,
        layouts,
        events,
    })
}

/// The layouts and includes of every page, with the pages' statuses, in path order.
fn layouts(coverage: &[PageCoverage]) -> Vec<LayoutCoverage> {
    let mut by: BTreeMap<Arc<str>, BTreeMap<usize, usize>> = BTreeMap::new();
    for row in coverage {
        let at = Status::ALL
            .iter()
            .position(|s| *s == row.status)
            .unwrap_or(0);
        for file in &row.built_from {
            *by.entry(file.clone()).or_default().entry(at).or_default() += 1;
        }
    }
    by.into_iter()
        .map(|(file, counts)| LayoutCoverage {
            file,
            pages: counts.values().sum(),
            statuses: counts
                .into_iter()
                .map(|(i, n)| (Status::ALL[i], n))
                .collect(),
        })
        .collect()
}

/// What the audit gathers during the check's pass: coverage rows, and the events of every
/// file a page is built from (each file once) and of the script files.
#[derive(Default)]
struct Gathered {
    rows: Mutex<Vec<PageCoverage>>,
    page_events: Mutex<BTreeMap<Arc<str>, Vec<Event>>>,
    script_events: Mutex<Vec<Event>>,
}

impl engine::Visit for Gathered {
    fn page(&self, view: &PageView, settings: &Settings) {
        let row = PageCoverage::of(view, settings.site_values);
        if let Ok(mut rows) = self.rows.lock() {
            rows.push(row);
        }
        for doc in &view.docs {
            let seen = self
                .page_events
                .lock()
                .is_ok_and(|m| m.contains_key(&doc.path));
            if seen {
                continue;
            }
            let found = events::in_document(doc, settings.plan).to_vec();
            if let Ok(mut m) = self.page_events.lock() {
                m.entry(doc.path.clone()).or_insert(found);
            }
        }
    }

    fn scripts(&self, files: &[ScriptFile]) {
        if let Ok(mut out) = self.script_events.lock() {
            out.extend(files.iter().flat_map(|f| f.events.iter().cloned()));
        }
    }
}

/// The ids of every page's tags, with the places they are written and how many pages load
/// them. Dynamic ids are left out: they name nothing.
fn ids_found(coverage: &[PageCoverage]) -> Vec<IdFound> {
    type Places = Vec<(Arc<str>, usize)>;
    let mut by: BTreeMap<(TagKind, String), (Places, usize)> = BTreeMap::new();
    for row in coverage {
        let mut on_page = Vec::new();
        for t in &row.tags {
            if matches!(t.id, super::tagging::tags::TagId::Dynamic) {
                continue;
            }
            let key = (t.kind, t.id.display());
            let e = by.entry(key.clone()).or_default();
            e.0.push((t.file.clone(), t.line));
            if !on_page.contains(&key) {
                on_page.push(key);
                e.1 += 1;
            }
        }
    }
    by.into_iter()
        .map(|((kind, id), (mut places, pages))| {
            places.sort();
            places.dedup();
            IdFound {
                kind,
                id,
                places,
                pages,
            }
        })
        .collect()
}

impl AuditReport {
    /// Keeps only the findings, coverage rows, events and id places in files `keep`
    /// accepts (a job's targets). The pages were resolved before: a layout or include
    /// outside `keep` still counted for the pages built from it. An id with no place left
    /// is dropped; its page count is kept (it counts the pages that load it).
    pub fn retain_files(&mut self, keep: impl Fn(&str) -> bool) {
        self.check.findings.retain(|f| keep(&f.file));
        self.check.external.retain(|r| keep(&r.at.file));
        self.coverage.retain(|c| keep(&c.file));
        self.events.retain(|e| keep(&e.file));
        for id in &mut self.ids {
            id.places.retain(|(file, _)| keep(file));
        }
        self.ids.retain(|id| !id.places.is_empty());
        // The layouts of the pages kept, counted over those pages only.
        self.layouts = layouts(&self.coverage);
    }

    /// Pages per status, every status listed.
    pub fn counts(&self) -> Vec<(Status, usize)> {
        Status::ALL
            .iter()
            .map(|s| (*s, self.coverage.iter().filter(|c| c.status == *s).count()))
            .collect()
    }

    /// The JSON contract as a value (tests and the web UI's small reports).
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self.doc()).unwrap_or(Json::Null)
    }

    /// The JSON contract, serialised straight into `out`: an audit of 100,000 pages is never
    /// held as a JSON tree.
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.doc())?;
        out.write_all(b"\n")
    }

    fn doc(&self) -> Doc<'_> {
        Doc {
            check: CheckDoc {
                findings: &self.check.findings,
                summary: super::report::summary(&self.check),
            },
            coverage: &self.coverage,
            ids: &self.ids,
            layouts: &self.layouts,
            events: &self.events,
        }
    }
}

/// An event: `name`, `properties` (each `name`, `type`, and `value` when literal), `file`,
/// `line`.
/// The JSON document: `check` (as `check --format json` prints it) plus `coverage`,
/// `ids` and `events`. Field names are a contract: only ever added.
#[derive(serde::Serialize)]
struct Doc<'a> {
    check: CheckDoc<'a>,
    #[serde(serialize_with = "coverage_rows")]
    coverage: &'a [PageCoverage],
    #[serde(serialize_with = "id_rows")]
    ids: &'a [IdFound],
    #[serde(serialize_with = "layout_rows")]
    layouts: &'a [LayoutCoverage],
    #[serde(serialize_with = "event_rows")]
    events: &'a [Event],
}

#[derive(serde::Serialize)]
struct CheckDoc<'a> {
    findings: &'a [super::finding::Finding],
    summary: Json,
}

fn coverage_rows<S: serde::Serializer>(rows: &&[PageCoverage], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(rows.iter().map(|c| {
        let tags: Vec<Json> = c
            .tags
            .iter()
            .map(|t| json!({"kind": t.kind, "id": t.id.display(), "file": t.file.as_ref(), "line": t.line}))
            .collect();
        let built_from: Vec<&str> = c.built_from.iter().map(AsRef::as_ref).collect();
        json!({"file": c.file.as_ref(), "status": c.status, "tags": tags, "built_from": built_from})
    }))
}

fn id_rows<S: serde::Serializer>(ids: &&[IdFound], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ids.iter().map(|i| {
        let places: Vec<Json> = i
            .places
            .iter()
            .map(|(f, l)| json!({"file": f.as_ref(), "line": l}))
            .collect();
        json!({"kind": i.kind, "id": i.id, "pages": i.pages, "places": places})
    }))
}

fn layout_rows<S: serde::Serializer>(rows: &&[LayoutCoverage], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(rows.iter().map(|l| {
        let statuses: serde_json::Map<String, Json> = l
            .statuses
            .iter()
            .map(|(st, n)| (st.as_str().to_string(), json!(n)))
            .collect();
        json!({"file": l.file.as_ref(), "pages": l.pages, "statuses": statuses})
    }))
}

fn event_rows<S: serde::Serializer>(events: &&[Event], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(events.iter().map(event_json))
}

fn event_json(e: &Event) -> Json {
    let props: Vec<Json> = e
        .properties
        .iter()
        .map(|(name, v)| {
            let mut p = json!({"name": name, "type": v.type_name()});
            if let Some(lit) = literal(v) {
                p["value"] = lit;
            }
            p
        })
        .collect();
    json!({"name": e.name, "emitter": e.emitter.as_str(), "literal_name": e.literal_name, "properties": props, "file": e.file.as_ref(), "line": e.line})
}

fn literal(v: &super::tagging::Value) -> Option<Json> {
    use super::tagging::Value as V;
    Some(match v {
        V::String(s) => json!(s),
        V::Number(n) => json!(n),
        V::Bool(b) => json!(b),
        V::Null => Json::Null,
        V::Array(a) => Json::Array(a.iter().map(|x| literal(x).unwrap_or(Json::Null)).collect()),
        V::Object(o) => Json::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), literal(x).unwrap_or(Json::Null)))
                .collect(),
        ),
        V::Dynamic => return None,
    })
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
