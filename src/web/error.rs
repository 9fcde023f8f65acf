//! The one place where errors become HTTP answers: a JSON body `{"code", "message"}` with
//! a stable `code`. Store and internal failures are a 500 with a request id, logged once
//! with their cause; their text never reaches the client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::run::RunError;
use crate::store::StoreError;
use crate::workspace::WorkspaceError;

/// An error answer of the web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    /// Stable, for tools: `not_found`, `forbidden`, `diff_changed`, ...
    pub code: &'static str,
    /// For people.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "log in, or send Authorization: Bearer <token>",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// A failure the client cannot fix: logged here with its cause, answered with an id.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        let id = super::auth::random_hex(6);
        tracing::error!(request_id = %id, error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("internal error (request id {id}); the server log has the cause"),
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(self)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        use StatusCode as S;
        match &e {
            StoreError::NotFound { what, key } => {
                ApiError::new(S::NOT_FOUND, "not_found", format!("no {what} {key:?}"))
            }
            StoreError::DiffChanged { .. } => {
                ApiError::new(S::CONFLICT, "diff_changed", e.to_string())
            }
            StoreError::StateMismatch { .. }
            | StoreError::IllegalTransition { .. }
            | StoreError::IllegalChange { .. } => {
                ApiError::new(S::CONFLICT, "state_conflict", e.to_string())
            }
            StoreError::WorkspaceExists { .. } | StoreError::UserExists { .. } => {
                ApiError::new(S::CONFLICT, "exists", e.to_string())
            }
            _ => ApiError::internal(&e),
        }
    }
}

impl From<RunError> for ApiError {
    fn from(e: RunError) -> ApiError {
        use StatusCode as S;
        match e {
            RunError::Store(e) => e.into(),
            RunError::Spec(m) => ApiError::new(S::UNPROCESSABLE_ENTITY, "invalid_spec", m),
            RunError::Forbidden(m) => ApiError::forbidden(m),
            RunError::Refused(m) => ApiError::new(S::CONFLICT, "refused", m),
            RunError::IsAudit(m) => ApiError::new(S::CONFLICT, "audit_run", m),
            RunError::NotAnAudit(m) => ApiError::new(S::CONFLICT, "not_an_audit", m),
            RunError::AuditNotFinished(m) => ApiError::new(S::CONFLICT, "audit_not_finished", m),
            RunError::Workspace(e @ WorkspaceError::UnknownRevision { .. }) => {
                ApiError::new(S::UNPROCESSABLE_ENTITY, "unknown_revision", e.to_string())
            }
            RunError::Workspace(e @ WorkspaceError::BranchExists { .. }) => {
                ApiError::new(S::CONFLICT, "branch_exists", e.to_string())
            }
            other => ApiError::internal(&other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_failure_is_a_500_that_does_not_show_its_cause() {
        let e = StoreError::Queue("secret path /srv/db".into());
        let api = ApiError::from(e);
        assert_eq!((api.status.as_u16(), api.code), (500, "internal"));
        assert!(!api.message.contains("/srv/db"), "{}", api.message);
        assert!(api.message.contains("request id"));
    }

    #[test]
    fn refusals_conflicts_and_missing_things_have_their_own_codes() {
        let cases: Vec<(RunError, u16, &str)> = vec![
            (RunError::Spec("bad".into()), 422, "invalid_spec"),
            (RunError::Forbidden("own run".into()), 403, "forbidden"),
            (RunError::Refused("not now".into()), 409, "refused"),
            (
                StoreError::NotFound {
                    what: "run",
                    key: "x".into(),
                }
                .into(),
                404,
                "not_found",
            ),
            (
                StoreError::DiffChanged {
                    path: "a".into(),
                    expected: "1".into(),
                    found: "2".into(),
                }
                .into(),
                409,
                "diff_changed",
            ),
        ];
        for (e, status, code) in cases {
            let api = ApiError::from(e);
            assert_eq!((api.status.as_u16(), api.code), (status, code));
        }
    }
}
