//! CON-002 committed-credential: an ad-platform or Google credential committed to the
//! repository, in any text file: a Google Ads developer token, OAuth refresh token or
//! client secret, a Meta access token (`EAA…`), a service-account `private_key`, a Google
//! API key (`AIza…`). Known token shapes are found anywhere; a credential setting
//! (`refresh_token: …`) is reported when its value is a literal, not a placeholder
//! (`${ENV}`, `{{ secret }}`, `<YOUR_TOKEN>`, `xxxx`) or an environment lookup. The finding
//! shows the first four characters only: no report, hint or log carries the secret.
//!
//! Limits: keys that are public by design are left alone. A Google API key (`AIza…`) in a
//! page or in browser JavaScript is a Maps or Firebase key restricted by referrer, so it is
//! reported only in configs and server-side code; in pages and browser code only the token
//! shapes that are never public (Meta tokens, refresh tokens, client secrets, private keys)
//! are looked for, not `*_token` settings.

use std::sync::LazyLock;

use regex::Regex;

use super::files::{Files, Kind};
use super::{is_placeholder, mask};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule, SiteCx};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "CON-002",
    name: "committed-credential",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "A credential (developer token, refresh token, client secret, access token, private key, API key) committed to the repository",
    why: "Anyone who can read the repository, or any copy or fork of it, can spend the ad account's budget and read its data. Deleting the line does not help: the secret stays in git history until it is rotated.",
    bad: "==> connectors/meta.json <==\n{\"source\": \"facebook-marketing\", \"access_token\": \"EAAGm0PX4ZCpsBAKx7ZBq9ZCZAe3uKfZBQjW1ZCLyQZAZDZD\"}\n",
    good: "==> connectors/meta.json <==\n{\"source\": \"facebook-marketing\", \"access_token\": \"${META_ACCESS_TOKEN}\"}\n",
    source: "gitleaks rules (github.com/gitleaks/gitleaks); Google Ads API OAuth and developer-token docs; Meta access tokens",
};

/// Token shapes that are secrets wherever they appear (gitleaks-style).
static SHAPES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("Meta access token", r"\bEAA[A-Za-z0-9]{30,}\b"),
        ("Google OAuth refresh token", r"\b1//0[0-9A-Za-z_-]{30,}"),
        ("Google OAuth client secret", r"\bGOCSPX-[0-9A-Za-z_-]{20,}"),
        (
            "private key",
            r"-----BEGIN (?:RSA |EC |OPENSSH |ENCRYPTED )?PRIVATE KEY-----",
        ),
    ]
    .into_iter()
    .map(|(n, r)| (n, Regex::new(r).expect("valid regex")))
    .collect()
});

/// A credential setting and its value, in YAML, JSON, TOML, HCL, `.env` or code.
static SETTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)["']?\b(developer_?token|client_?secret|refresh_?token|access_?token|app_?secret|private_?key)["']?\s*(?:[:=]|=>)\s*(["']?)([^\s"',}\]#;]+)"#,
    )
    .expect("valid regex")
});

pub struct CommittedCredential;

impl Rule for CommittedCredential {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        for (span, what, secret) in scan(&cx.doc.text, Where::Browser) {
            out.push(finding_msg(
                Finding::at(&META, cx.doc, span, ""),
                what,
                &secret,
            ));
        }
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        for file in &Files::of(cx).files {
            let place = match file.kind {
                Kind::Config | Kind::ConfigText => Where::Config,
                Kind::Script if is_browser_code(&file.path) => Where::Browser,
                Kind::Script => Where::Server,
                _ => Where::Other,
            };
            for (span, what, secret) in scan(&file.text, place) {
                out.push(finding_msg(
                    file.finding(&META, span, String::new()),
                    what,
                    &secret,
                ));
            }
        }
    }
}

fn finding_msg(mut f: Finding, what: &str, secret: &str) -> Finding {
    f.message = format!("{what} committed in plain text ({})", mask(secret));
    f.hint("rotate it now (it stays in git history), then read it from the environment or a secrets manager")
}

/// Where a text is: what may appear there in the open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Where {
    /// YAML, JSON, TOML, Terraform, `.env`.
    Config,
    /// Server-side code (Python, Apps Script, ...).
    Server,
    /// Pages, templates and JavaScript served to browsers.
    Browser,
    /// Any other text file.
    Other,
}

fn is_browser_code(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [".js", ".mjs", ".cjs", ".ts"]
        .iter()
        .any(|e| p.ends_with(e))
}

/// The credentials in `text`: span, what it is, the secret. In code, a setting counts
/// only with a quoted value: an unquoted one is a variable or a call.
pub(super) fn scan(text: &str, place: Where) -> Vec<(Span, &'static str, String)> {
    let mut out: Vec<(Span, &'static str, String)> = Vec::new();
    for (what, re) in SHAPES.iter() {
        if *what == "Google API key" && matches!(place, Where::Browser | Where::Other) {
            continue;
        }
        for m in re.find_iter(text) {
            let span = Span::new(m.start(), m.end());
            out.push((span, what, m.as_str().to_string()));
        }
    }
    if place == Where::Browser {
        out.sort_by_key(|(s, _, _)| s.start);
        return out;
    }
    let code = matches!(place, Where::Server | Where::Other);
    for c in SETTING.captures_iter(text) {
        let (Some(key), Some(value)) = (c.get(1), c.get(3)) else {
            continue;
        };
        let quoted = c.get(2).is_some_and(|q| !q.as_str().is_empty());
        let span = Span::new(value.start(), value.end());
        if (code && !quoted) || out.iter().any(|(s, _, _)| s.overlaps(span)) {
            continue;
        }
        let v = value.as_str();
        if is_placeholder(v) || !looks_secret(v) {
            continue;
        }
        out.push((span, setting_name(key.as_str()), v.to_string()));
    }
    out.sort_by_key(|(s, _, _)| s.start);
    out
}

/// Long enough and mixed enough to be a generated token, not a word or a path.
fn looks_secret(v: &str) -> bool {
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    let has_upper = v.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = v.chars().any(|c| c.is_ascii_lowercase());
    v.len() >= 16
        && !v.contains('/') | v.starts_with("1//")
        && !v.contains('(')
        && !v.contains('.') | v.contains("apps.googleusercontent")
        && ((has_digit && (has_upper || has_lower)) || (has_upper && has_lower))
}

fn setting_name(key: &str) -> &'static str {
    let k = key.to_ascii_lowercase().replace('_', "");
    match k.as_str() {
        "developertoken" => "Google Ads developer token",
        "clientsecret" => "OAuth client secret",
        "refreshtoken" => "OAuth refresh token",
        "accesstoken" => "access token",
        "appsecret" => "app secret",
        "privatekey" => "private key",
        _ => "API key",
    }
}

#[cfg(test)]
#[path = "committed_credential_tests.rs"]
mod tests;
