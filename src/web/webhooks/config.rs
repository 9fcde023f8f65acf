//! Where webhooks are configured: `[[webhooks]]` tables and the `[web]` table of the
//! service config (`config.toml` in the data directory, or `--config`), the same file as
//! the model providers. Secrets are never in the file: each webhook names the environment
//! variable that holds its secret, read when a notice is sent.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::config::ConfigError;
use crate::edit::model::provider::FILE_NAME;

/// The variable holding the secret that signs webhooks given per run (`POST /api/v1/runs`
/// field `webhook`), unless `[web] webhook_secret_env` names another.
pub const RUN_SECRET_ENV: &str = "SITEWIDE_WEBHOOK_SECRET";

/// A run state that is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    AwaitingReview,
    Applied,
    Completed,
    Failed,
    Cancelled,
}

impl Notice {
    pub const ALL: [Notice; 5] = [
        Notice::AwaitingReview,
        Notice::Applied,
        Notice::Completed,
        Notice::Failed,
        Notice::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Notice::AwaitingReview => "awaiting_review",
            Notice::Applied => "applied",
            Notice::Completed => "completed",
            Notice::Failed => "failed",
            Notice::Cancelled => "cancelled",
        }
    }

    /// The notice for a run state in the event log, if that state is announced.
    pub fn of_state(state: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.as_str() == state)
    }
}

/// One configured webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub url: String,
    /// The environment variable holding the signing secret.
    pub secret_env: String,
    /// What it is told about; default: every [`Notice`].
    pub events: Vec<Notice>,
}

/// The webhooks of the service config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    pub hooks: Vec<Hook>,
    /// The address people reach the UI at, for the links in a notice
    /// (`[web] public_url`); default: the address the server listens on.
    pub public_url: Option<String>,
    /// The variable holding the secret that signs per-run webhooks.
    pub run_secret_env: String,
}

impl WebhookConfig {
    /// Reads `path`, or `data_dir/config.toml` when no path is given; a missing file in
    /// the data directory means no webhooks.
    pub fn load(path: Option<&Path>, data_dir: &Path) -> Result<WebhookConfig, ConfigError> {
        let file = path.map_or_else(|| data_dir.join(FILE_NAME), Path::to_path_buf);
        match std::fs::read_to_string(&file) {
            Ok(text) => WebhookConfig::parse(&file, &text),
            Err(e) if path.is_none() && e.kind() == std::io::ErrorKind::NotFound => {
                WebhookConfig::parse(&file, "")
            }
            Err(source) => Err(ConfigError::Read { path: file, source }),
        }
    }

    /// Parses the webhook parts of a service config's text.
    pub fn parse(path: &Path, text: &str) -> Result<WebhookConfig, ConfigError> {
        let err = |offset: usize, message: String, hint: &str| {
            ConfigError::at(path, text, offset, message, Some(hint.to_string()))
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            err(offset, e.message().trim().to_string(), HINT)
        })?;
        let mut hooks = Vec::new();
        for h in raw.webhooks {
            check_url(h.url.get_ref()).map_err(|m| err(h.url.span().start, m, HINT))?;
            check_env_name(h.secret_env.get_ref()).map_err(|m| {
                err(h.secret_env.span().start, m, "secrets never go in files: put the secret in an environment variable and write its name here, e.g. secret_env = \"N8N_WEBHOOK_SECRET\"")
            })?;
            hooks.push(Hook {
                url: h.url.into_inner(),
                secret_env: h.secret_env.into_inner(),
                events: h.events.unwrap_or_else(|| Notice::ALL.to_vec()),
            });
        }
        let web = raw.web.unwrap_or_default();
        if let Some(url) = &web.public_url {
            check_url(url.get_ref()).map_err(|m| err(url.span().start, m, HINT))?;
        }
        let run_secret_env = match web.webhook_secret_env {
            Some(env) => {
                check_env_name(env.get_ref())
                    .map_err(|m| err(env.span().start, m, "write the variable's name"))?;
                env.into_inner()
            }
            None => RUN_SECRET_ENV.to_string(),
        };
        Ok(WebhookConfig {
            hooks,
            public_url: web
                .public_url
                .map(|u| u.into_inner().trim_end_matches('/').to_string()),
            run_secret_env,
        })
    }
}

const HINT: &str = "docs/web-api.md#webhooks shows the [[webhooks]] and [web] keys";

/// The file's top level: providers are read by `crate::edit::model::provider`.
#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    webhooks: Vec<RawHook>,
    web: Option<RawWeb>,
    #[serde(default, rename = "providers")]
    _providers: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHook {
    url: Spanned<String>,
    secret_env: Spanned<String>,
    events: Option<Vec<Notice>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWeb {
    public_url: Option<Spanned<String>>,
    webhook_secret_env: Option<Spanned<String>>,
}

/// An absolute http(s) URL.
pub fn check_url(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(format!("{url:?} is not an http(s) URL")),
    }
}

/// An environment variable's name, and never a secret pasted in its place.
fn check_env_name(name: &str) -> Result<(), String> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err("secret_env is not the name of an environment variable".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<WebhookConfig, ConfigError> {
        WebhookConfig::parse(Path::new("config.toml"), text)
    }

    #[test]
    fn webhooks_beside_providers_parse_with_every_event_by_default() {
        let cfg = parse(
            r#"
[providers.fast]
base_url = "https://api.cerebras.ai/v1"

[web]
public_url = "https://sitewide.example.com/"

[[webhooks]]
url = "https://n8n.example.com/webhook/sitewide"
secret_env = "N8N_SECRET"

[[webhooks]]
url = "https://hook.eu1.make.com/abc"
secret_env = "MAKE_SECRET"
events = ["awaiting_review"]
"#,
        )
        .unwrap();
        assert_eq!(cfg.hooks.len(), 2);
        assert_eq!(cfg.hooks[0].events, Notice::ALL.to_vec());
        assert_eq!(cfg.hooks[1].events, vec![Notice::AwaitingReview]);
        assert_eq!(
            cfg.public_url.as_deref(),
            Some("https://sitewide.example.com")
        );
        assert_eq!(cfg.run_secret_env, RUN_SECRET_ENV);
    }

    #[test]
    fn a_secret_pasted_in_place_of_its_variable_name_is_refused_at_its_line() {
        let e =
            parse("[[webhooks]]\nurl = \"https://x.example/h\"\nsecret_env = \"s3cr3t-value!\"\n")
                .unwrap_err();
        assert!(e.to_string().contains("config.toml:3:"), "{e}");
        assert!(e.hint().unwrap_or("").contains("never go in files"));
        let e = parse("[[webhooks]]\nurl = \"x\"\nsecret = \"abc\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }

    #[test]
    fn an_unknown_event_or_a_non_http_url_is_refused() {
        let e = parse("[[webhooks]]\nurl = \"ftp://x/\"\nsecret_env = \"S\"\n").unwrap_err();
        assert!(e.to_string().contains("not an http(s) URL"), "{e}");
        let bad = "[[webhooks]]\nurl = \"http://x/\"\nsecret_env = \"S\"\nevents = [\"done\"]\n";
        assert!(parse(bad).is_err());
    }

    #[test]
    fn only_announced_states_have_a_notice() {
        assert_eq!(Notice::of_state("applied"), Some(Notice::Applied));
        assert_eq!(Notice::of_state("running"), None);
    }
}
