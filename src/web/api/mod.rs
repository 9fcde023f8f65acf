//! The JSON API under `/api/v1`: runs, changes and their review, audit reports, jobs,
//! workspaces. Ids and paths from the client are checked here before anything reads
//! them: a run id is letters, digits, `-` and `_`; a change id is a number; a file path
//! is relative with no `..`, so nothing outside a workspace can be named.

pub mod catalog;
pub mod report;
pub mod review;
pub mod runs;

use actix_web::HttpResponse;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(super::openapi::document())
}

/// A run id as the client sent it, refused (400) unless it can only name a run.
pub fn run_id(raw: &str) -> Result<&str, ApiError> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(raw)
    } else {
        Err(ApiError::bad_request(
            "bad_id",
            format!("{raw:?} is not a run id"),
        ))
    }
}

/// A change id: a positive number.
pub fn change_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::bad_request("bad_id", format!("{raw:?} is not a change id")))
}

/// A file path inside a workspace or folder: relative, `/`-separated, no `.`/`..`
/// segments, no backslash or control characters.
pub fn relative_path(raw: &str) -> Result<&str, ApiError> {
    let bad = raw.is_empty()
        || raw.len() > 512
        || raw.starts_with('/')
        || raw.contains('\\')
        || raw.chars().any(char::is_control)
        || raw
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..");
    if bad {
        return Err(ApiError::bad_request(
            "bad_path",
            format!("{raw:?} is not a relative path inside the workspace"),
        ));
    }
    Ok(raw)
}

/// The JSON body, or 400 with serde's message.
pub fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request("bad_json", format!("the request body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_paths_that_could_leave_their_folder_are_refused() {
        assert!(run_id("20261127-094512-3fa9").is_ok());
        for bad in ["", "..", "../x", "a/b", "a%2Fb", "a b", "a\0"] {
            assert_eq!(run_id(bad).unwrap_err().code, "bad_id", "{bad:?}");
        }
        assert_eq!(change_id("12").unwrap(), 12);
        for bad in ["0", "-1", "1.5", "../1", "x"] {
            assert!(change_id(bad).is_err(), "{bad:?}");
        }
        assert!(relative_path("jobs/x.toml").is_ok());
        for bad in [
            "/etc/passwd",
            "../x",
            "jobs/../../x",
            "a//b",
            "./x",
            "a\\b",
            "a\nb",
            "",
        ] {
            assert_eq!(relative_path(bad).unwrap_err().code, "bad_path", "{bad:?}");
        }
    }
}
