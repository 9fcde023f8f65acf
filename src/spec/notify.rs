//! The spec's `[[notify]]` tables (who is told when a run of this job ends or finds
//! something new) and its `workspace` key (where scheduled runs run). Secrets are never
//! in a spec: a table names the environment variable that holds its signing secret.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::validate::Sink;

/// One notification target of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    /// An absolute http(s) URL; it may carry a token, so it is never logged whole.
    pub url: String,
    pub format: NotifyFormat,
    /// When it is told; default: when the run ends.
    pub on: Vec<NotifyOn>,
    /// The environment variable holding the HMAC secret (required with `format = "json"`).
    pub secret_env: Option<String>,
}

/// The body sent: Sitewide's JSON contract, or a Slack incoming-webhook message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyFormat {
    Json,
    Slack,
}

/// When a target is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyOn {
    /// The run ended: completed, failed, cancelled, or is awaiting review.
    End,
    /// An audit run found findings that the previous run of the job had not.
    NewFindings,
}

impl NotifyOn {
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyOn::End => "end",
            NotifyOn::NewFindings => "new_findings",
        }
    }
}

/// A `[[notify]]` table as read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    pub url: Option<Spanned<String>>,
    pub format: Option<Spanned<NotifyFormat>>,
    pub on: Option<Vec<NotifyOn>>,
    pub secret_env: Option<Spanned<String>>,
}

const HINT: &str = "docs/job-spec.md#notifications shows the [[notify]] keys";

/// Checks each `[[notify]]` table.
pub(super) fn notify(raw: Vec<Spanned<RawNotify>>, sink: &mut Sink) -> Vec<Notify> {
    raw.into_iter().filter_map(|t| one(t, sink)).collect()
}

fn one(table: Spanned<RawNotify>, sink: &mut Sink) -> Option<Notify> {
    let span = table.span();
    let raw = table.into_inner();
    let format = raw
        .format
        .as_ref()
        .map_or(NotifyFormat::Json, |f| *f.get_ref());
    let Some(url) = raw.url else {
        sink.at(span, "a [[notify]] table needs a `url`", Some(HINT.into()));
        return None;
    };
    if let Err(m) = check_url(url.get_ref()) {
        sink.at(url.span(), m, Some(HINT.into()));
    }
    if let Some(env) = &raw.secret_env
        && !is_env_name(env.get_ref())
    {
        sink.at(
            env.span(),
            "secret_env is not the name of an environment variable",
            Some("secrets never go in files: put the secret in an environment variable and write its name here, e.g. secret_env = \"SITEWIDE_NOTIFY_SECRET\"".into()),
        );
    }
    if format == NotifyFormat::Json && raw.secret_env.is_none() {
        let at = raw.format.as_ref().map_or(span.clone(), Spanned::span);
        sink.at(
            at,
            "format = \"json\" needs `secret_env`: its notices are signed",
            Some("name the variable that holds the HMAC secret: secret_env = \"SITEWIDE_NOTIFY_SECRET\"".into()),
        );
    }
    let on = match raw.on {
        Some(on) if !on.is_empty() => on,
        _ => vec![NotifyOn::End],
    };
    Some(Notify {
        url: url.into_inner(),
        format,
        on,
        secret_env: raw.secret_env.map(Spanned::into_inner),
    })
}

/// An absolute http(s) URL with a host; the message never repeats the URL (a token).
fn check_url(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err("url is not an absolute http(s) URL".into()),
    }
}

fn is_env_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `workspace` key: a registered workspace's name, used by scheduled runs.
pub(super) fn workspace(raw: Option<Spanned<String>>, sink: &mut Sink) -> Option<String> {
    let ws = raw?;
    let name = ws.get_ref().trim();
    if name.is_empty() {
        let hint =
            "name a registered workspace (`sitewide workspaces list`), e.g. workspace = \"demo\"";
        sink.at(ws.span(), "the workspace is empty", Some(hint.into()));
        return None;
    }
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const AUDIT: &str = "name = \"weekly\"\nkind = \"audit\"\ntargets = [\"**/*.html\"]\n";

    fn errors(text: &str) -> Vec<(usize, usize, String)> {
        match crate::spec::parse(Path::new("weekly.toml"), text) {
            Ok(_) => Vec::new(),
            Err(crate::spec::SpecError::Invalid { errors }) => errors
                .into_iter()
                .map(|e| match e {
                    crate::config::ConfigError::Invalid {
                        line,
                        column,
                        message,
                        ..
                    } => (line, column, message),
                    other => (0, 0, other.to_string()),
                })
                .collect(),
            Err(e) => vec![(0, 0, e.to_string())],
        }
    }

    #[test]
    fn notify_tables_and_the_workspace_are_read_with_their_defaults() {
        let text = format!(
            "{AUDIT}workspace = \"demo\"\n\n[[notify]]\nurl = \"https://hooks.slack.com/services/T/B/x\"\nformat = \"slack\"\n\n[[notify]]\nurl = \"https://n8n.example.com/h\"\non = [\"end\", \"new_findings\"]\nsecret_env = \"SITEWIDE_NOTIFY_SECRET\"\n"
        );
        let spec = crate::spec::parse(Path::new("weekly.toml"), &text).expect("valid");
        assert_eq!(spec.workspace.as_deref(), Some("demo"));
        assert_eq!(spec.notify.len(), 2);
        assert_eq!(spec.notify[0].format, NotifyFormat::Slack);
        assert_eq!(spec.notify[0].on, vec![NotifyOn::End]);
        assert_eq!(spec.notify[0].secret_env, None);
        assert_eq!(spec.notify[1].format, NotifyFormat::Json);
        assert_eq!(
            spec.notify[1].on,
            vec![NotifyOn::End, NotifyOn::NewFindings]
        );
    }

    #[test]
    fn a_bad_notify_table_is_reported_at_its_key() {
        let text = format!(
            "{AUDIT}\n[[notify]]\nurl = \"hooks.example.com/x?token=abc\"\nsecret_env = \"s3cr3t value\"\n\n[[notify]]\nurl = \"https://x.example/h\"\nformat = \"json\"\n\n[[notify]]\nurl = \"https://x.example/h\"\non = [\"sometimes\"]\nformat = \"slack\"\n"
        );
        let errors = errors(&text);
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert_eq!((errors[0].0, errors[0].1), (6, 7), "{errors:?}");
        assert!(!errors[0].2.contains("token"), "{errors:?}");
        assert_eq!((errors[1].0, errors[1].1), (7, 14), "{errors:?}");
        assert!(errors[2].2.contains("secret_env"), "{errors:?}");
        assert_eq!(errors[2].0, 11, "{errors:?}");
        assert_eq!(errors[3].0, 15, "{errors:?}");
    }

    #[test]
    fn an_unknown_notify_key_is_an_error() {
        let text = format!(
            "{AUDIT}\n[[notify]]\nurl = \"https://x.example/h\"\nformat = \"slack\"\nsecret = \"abc\"\n"
        );
        let errors = errors(&text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, 8, "{errors:?}");
    }
}
