//! `GET /api/v1/runs/{id}/report`: an audit run's stored report as its JSON contract, or
//! `?format=sarif` (SARIF 2.1.0 of its findings) or `?format=csv` (one row per finding),
//! each named for download by `Content-Disposition`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::run_id;
use crate::qa::report::audit_stored::{self, StoredAudit};
use crate::run;
use crate::web::app::AppState;
use crate::web::error::ApiError;

/// The query of the report route.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub format: Option<String>,
}

/// The formats the report is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Json,
    Sarif,
    Csv,
}

impl Export {
    pub fn parse(raw: Option<&str>) -> Result<Export, ApiError> {
        match raw.map(str::trim) {
            None | Some("" | "json") => Ok(Export::Json),
            Some("sarif") => Ok(Export::Sarif),
            Some("csv") => Ok(Export::Csv),
            Some(other) => Err(ApiError::bad_request(
                "bad_format",
                format!("{other:?} is not a report format; ask for json, sarif or csv"),
            )),
        }
    }
}

/// `GET /api/v1/runs/{id}/report`.
pub async fn report(
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = run_id(&id)?;
    let format = Export::parse(query.format.as_deref())?;
    let (_, text) = run::audit_report(&state.store, id).await?;
    let (kind, ext, disposition, body) = match format {
        Export::Json => ("application/json", "json", "inline", text.into_bytes()),
        other => {
            let body = web::block(move || export(&text, other))
                .await
                .map_err(|e| ApiError::internal(&e))??;
            match other {
                Export::Sarif => ("application/sarif+json", "sarif", "attachment", body),
                _ => ("text/csv; charset=utf-8", "csv", "attachment", body),
            }
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"sitewide-audit-{id}.{ext}\""),
        ))
        .body(body))
}

/// The stored report `text` as SARIF or CSV.
fn export(text: &str, format: Export) -> Result<Vec<u8>, ApiError> {
    let audit = StoredAudit::parse(text).map_err(|e| ApiError::internal(&e))?;
    match format {
        Export::Csv => {
            let mut out = Vec::new();
            audit_stored::csv(&audit, &mut out).map_err(|e| ApiError::internal(&e))?;
            Ok(out)
        }
        _ => Ok(crate::qa::report::sarif_of(&audit.findings()).into_bytes()),
    }
}
