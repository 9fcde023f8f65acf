//! A change set: the approved edits of one run with the branch, message and trailers to
//! commit them under; its checks, its message format and the commit identity.

use std::collections::HashSet;

use super::git::Git;
use super::{Blob, Commit, WorkspaceError};

const DEFAULT_NAME: &str = "Sitewide";
const DEFAULT_EMAIL: &str = "sitewide@localhost";

/// Approved edits of one run, to commit on their own branch.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// The commit the run read its files at.
    pub base: Commit,
    /// The branch the run was based on; the new commit's parent is its current head.
    pub target_branch: String,
    /// The branch to create: `sitewide/<run-id>`.
    pub branch: String,
    /// `(path, blob at base, new bytes)` per changed file.
    pub changes: Vec<(String, Blob, Vec<u8>)>,
    pub message: String,
    /// Git trailers (`Sitewide-Run`, `Approved-by`, …), written after a blank line.
    pub trailers: Vec<(String, String)>,
}

/// What `commit_changes` did: the commit (none when no change applied), which paths went
/// in, and which were stale (their file changed on the branch in a way that conflicts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub commit: Option<Commit>,
    pub applied: Vec<String>,
    pub stale: Vec<String>,
}

/// Author and committer: `GIT_AUTHOR_*` / `GIT_COMMITTER_*` when set, else Sitewide's own;
/// the date is fixed only when `SITEWIDE_NOW` is set (tests and reproducible demos).
pub(super) fn identity(mut git: Git) -> Result<Git, WorkspaceError> {
    for (var, default) in [
        ("GIT_AUTHOR_NAME", DEFAULT_NAME),
        ("GIT_AUTHOR_EMAIL", DEFAULT_EMAIL),
        ("GIT_COMMITTER_NAME", DEFAULT_NAME),
        ("GIT_COMMITTER_EMAIL", DEFAULT_EMAIL),
    ] {
        if std::env::var_os(var).is_none() {
            git = git.env(var, default);
        }
    }
    if let Ok(now) = std::env::var("SITEWIDE_NOW") {
        let date = git_date(&now).ok_or_else(|| {
            WorkspaceError::InvalidChangeSet(format!(
                "SITEWIDE_NOW={now:?} is not a date (write 2026-11-27 or 2026-11-27T09:00:00Z)"
            ))
        })?;
        git = git
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
    }
    Ok(git)
}

/// The branch must be `sitewide/…` and a valid ref name; paths unique and relative;
/// trailer keys single tokens and values single lines.
pub(super) fn validate(set: &ChangeSet) -> Result<(), WorkspaceError> {
    let invalid = |m: String| Err(WorkspaceError::InvalidChangeSet(m));
    if !set.branch.starts_with("sitewide/") {
        return invalid(format!(
            "branch {:?} must start with `sitewide/`",
            set.branch
        ));
    }
    let check = Git::new(None).args(["check-ref-format", &format!("refs/heads/{}", set.branch)]);
    if check.output()?.status.code() != Some(0) {
        return invalid(format!(
            "branch {:?} is not a valid git branch name",
            set.branch
        ));
    }
    let mut seen = HashSet::new();
    for (path, _, _) in &set.changes {
        let bad = path.is_empty()
            || path.starts_with('/')
            || path.contains('\0')
            || path
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..");
        if bad || !seen.insert(path) {
            return invalid(format!(
                "path {path:?} is empty, not relative, or listed twice"
            ));
        }
    }
    for (key, value) in &set.trailers {
        if key.is_empty()
            || key.contains(|c: char| c == ':' || c.is_whitespace())
            || value.contains('\n')
        {
            return invalid(format!(
                "trailer {key:?}: {value:?} must be `Key: one line`"
            ));
        }
    }
    Ok(())
}

/// The message, then (after a blank line) one `Key: value` line per trailer.
pub(super) fn format_message(message: &str, trailers: &[(String, String)]) -> String {
    let mut out = message.trim_end().to_string();
    if !trailers.is_empty() {
        out.push_str("\n\n");
        for (key, value) in trailers {
            out.push_str(&format!("{key}: {value}\n"));
        }
        return out;
    }
    out.push('\n');
    out
}

/// `SITEWIDE_NOW` (RFC 3339 or `YYYY-MM-DD`) in git's internal date format.
fn git_date(value: &str) -> Option<String> {
    let seconds = chrono::DateTime::parse_from_rfc3339(value)
        .map(|d| d.timestamp())
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map(|d| {
                d.and_hms_opt(0, 0, 0)
                    .map_or(0, |t| t.and_utc().timestamp())
            })
        })
        .ok()?;
    Some(format!("{seconds} +0000"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_and_date_formats() {
        let trailers = vec![("A".to_string(), "b".to_string())];
        assert_eq!(
            format_message("Subject\n\n", &trailers),
            "Subject\n\nA: b\n"
        );
        assert_eq!(format_message("Subject", &[]), "Subject\n");
        assert_eq!(
            git_date("2026-11-27T09:00:00Z").as_deref(),
            Some("1795770000 +0000")
        );
        assert_eq!(git_date("2026-11-27").as_deref(), Some("1795737600 +0000"));
        assert_eq!(git_date("soon"), None);
    }
}
