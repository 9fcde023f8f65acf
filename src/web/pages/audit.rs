//! The audit report page (`/runs/{id}/report`): an audit run's stored report with its
//! findings grouped by rule, by page or by layout (`?group=`), filtered by severity, rule
//! id or family and a part of the file's path (a plain GET form), the counts per
//! severity and per coverage status, the coverage table, the ids found and where, the
//! events with their properties, and links to the JSON, SARIF and CSV exports. Long lists
//! are cut at a limit the page says; the exports have everything.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{context, html, render};
use crate::qa::finding::Severity;
use crate::qa::report::audit_stored::{self, FileKind, Filter, Group, GroupBy, StoredAudit};
use crate::run;
use crate::web::api::run_id;
use crate::web::app::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;

/// How many findings, coverage rows and events the page shows at most.
const SHOWN: usize = 1000;

/// The page's query: the grouping and the filters, all optional.
#[derive(Debug, Default, Deserialize)]
pub struct ReportPageQuery {
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub file: Option<String>,
}

impl ReportPageQuery {
    fn group(&self) -> GroupBy {
        match self.group.as_deref() {
            Some("page") => GroupBy::Page,
            Some("layout") => GroupBy::Layout,
            _ => GroupBy::Rule,
        }
    }

    fn filter(&self) -> Filter {
        let text = |v: &Option<String>| {
            v.as_deref()
                .unwrap_or("")
                .trim()
                .chars()
                .take(200)
                .collect()
        };
        Filter {
            severity: self.severity.as_deref().and_then(Severity::parse),
            rule: text(&self.rule),
            file: text(&self.file),
        }
    }
}

/// `GET /runs/{id}/report`.
pub async fn audit_report(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<ReportPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = run_id(&id)?;
    let (_, text) = run::audit_report(&state.store, id).await?;
    let report = run::overview(&state.store, id, &[]).await?;
    let query = query.into_inner();
    let page = web::block(move || page_data(&text, &query))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    let mut c = context(&caller);
    c.insert(
        "run",
        &json!({
            "id": report.id,
            "spec": report.spec,
            "workspace": report.workspace,
            "target_branch": report.target_branch,
            "base": report.base,
            "base_short": &report.base[..report.base.len().min(10)],
            "created_by": report.created_by,
            "finished_at": report.finished_at.as_deref().and_then(|t| {
                chrono::DateTime::parse_from_rfc3339(t)
                    .ok()
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            }),
            "rules": report.qa["audit"]["rules"],
            "targets": report.qa["audit"]["targets"],
        }),
    );
    c.insert("compare", &super::trend::context(&report));
    for (key, value) in page.as_object().into_iter().flatten() {
        c.insert(key.as_str(), value);
    }
    Ok(html(render(&state, "audit.html", &c)?))
}

/// Everything the template shows, read from the stored report.
fn page_data(text: &str, query: &ReportPageQuery) -> Result<Value, ApiError> {
    let audit = StoredAudit::parse(text).map_err(|e| ApiError::internal(&e))?;
    let by = query.group();
    let filter = query.filter();
    let groups = audit_stored::group(&audit, by, &filter);
    let matched: usize = groups.iter().map(|g| g.findings.len()).sum();
    let mut severities = json!({"error": 0, "warning": 0, "info": 0});
    for f in &audit.check.findings {
        severities[f.severity.as_str()] =
            json!(severities[f.severity.as_str()].as_u64().unwrap_or(0) + 1);
    }
    Ok(json!({
        "group": by,
        "filter": {
            "severity": filter.severity.map(Severity::as_str).unwrap_or(""),
            "rule": filter.rule,
            "file": filter.file,
            "query": filter_query(&filter),
        },
        "groups": shown_groups(&groups),
        "matched": matched,
        "total": audit.check.findings.len(),
        "cut": matched > SHOWN,
        "limit": SHOWN,
        "severities": severities,
        "statuses": audit.status_counts(),
        "coverage": coverage_rows(&audit),
        "pages": audit.coverage.len(),
        "ids": audit.ids,
        "events": event_rows(&audit),
        "event_count": audit.events.len(),
    }))
}

/// The filters as a query string, for the links that switch the grouping.
fn filter_query(filter: &Filter) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let enc = |v: &str| utf8_percent_encode(v, NON_ALPHANUMERIC).to_string();
    format!(
        "severity={}&rule={}&file={}",
        filter.severity.map(Severity::as_str).unwrap_or(""),
        enc(&filter.rule),
        enc(&filter.file)
    )
}

/// The groups as the template lists them, cut to [`SHOWN`] findings in all.
fn shown_groups(groups: &[Group<'_>]) -> Vec<Value> {
    let mut left = SHOWN;
    let mut out = Vec::new();
    for g in groups {
        if left == 0 {
            break;
        }
        let findings: Vec<_> = g.findings.iter().take(left).collect();
        left -= findings.len();
        let label = match (&g.role, g.key.as_str()) {
            (None, "") => "Pages and other files (not in a layout or include)".to_string(),
            _ => g.key.clone(),
        };
        out.push(json!({
            "key": g.key,
            "label": label,
            "kind": g.role.as_ref().map(|r| r.kind),
            "is_template": g.role.as_ref().is_some_and(|r| r.kind == FileKind::Template),
            "status": g.role.as_ref().and_then(|r| r.status.clone()),
            "pages": g.role.as_ref().map_or(0, |r| r.pages),
            "inherited": g.inherited,
            "count": g.findings.len(),
            "findings": findings,
        }));
    }
    out
}

fn coverage_rows(audit: &StoredAudit) -> Vec<Value> {
    audit
        .coverage
        .iter()
        .take(SHOWN)
        .map(|c| {
            let tags: Vec<String> = c
                .tags
                .iter()
                .map(|t| format!("{} {} ({}:{})", t.kind, t.id, t.file, t.line))
                .collect();
            json!({"file": c.file, "status": c.status, "tags": tags, "layouts": c.built_from.len()})
        })
        .collect()
}

fn event_rows(audit: &StoredAudit) -> Vec<Value> {
    audit
        .events
        .iter()
        .take(SHOWN)
        .map(|e| {
            let props: Vec<String> = e["properties"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let name = p["name"].as_str().unwrap_or("?");
                    let kind = p["type"].as_str().unwrap_or("?");
                    match p.get("value") {
                        Some(v) => format!("{name}: {kind} = {v}"),
                        None => format!("{name}: {kind}"),
                    }
                })
                .collect();
            json!({
                "name": e["name"],
                "emitter": e["emitter"],
                "file": e["file"],
                "line": e["line"],
                "properties": props,
            })
        })
        .collect()
}
