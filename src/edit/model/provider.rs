//! The service's own provider config: `config.toml` in the data directory or a file given
//! with `--config`, never a file of a workspace, so a repository can never redirect a key.
//! Keys are never in files: a provider names the environment variable that holds its key,
//! read at call time. Errors point at file:line:col with a hint, as `sitewide.toml`'s do.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;
use toml::Spanned;

use crate::config::ConfigError;

/// The file name looked for in the data directory.
pub const FILE_NAME: &str = "config.toml";

/// The provider that always exists: `OPENAI_BASE_URL` and `OPENAI_API_KEY`.
pub const DEFAULT_PROVIDER: &str = "default";

const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// Every provider the service may call, by name.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub providers: BTreeMap<String, Provider>,
}

/// Which OpenAI-compatible API a provider is called through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// `POST {base_url}/chat/completions`.
    #[default]
    Chat,
    /// `POST {base_url}/responses`.
    Responses,
}

/// The name Chat Completions gives the output cap: OpenAI's current one, or the older one
/// that some local servers still expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxTokensKey {
    #[default]
    MaxCompletionTokens,
    MaxTokens,
}

/// One model a provider serves and its price in US dollars per million tokens.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    pub name: String,
    pub input_usd_per_mtok: f64,
    pub output_usd_per_mtok: f64,
}

/// An OpenAI-compatible endpoint and how to call it.
#[derive(Clone)]
pub struct Provider {
    /// Up to and including the version segment: `https://api.openai.com/v1`.
    pub base_url: String,
    /// The name of the environment variable that holds the key; none sends no key.
    pub api_key_env: Option<String>,
    pub api: Api,
    /// SSE streaming (the default); false asks for one JSON answer instead.
    pub stream: bool,
    pub timeout_s: u64,
    /// Attempts after the first one.
    pub max_retries: u32,
    /// The first backoff before a retry; each retry doubles it, with full jitter.
    pub backoff_ms: u64,
    pub max_tokens_key: MaxTokensKey,
    /// Rate limits; enforced across processes by the run's scheduler, not here.
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u64>,
    /// The speed the provider promises; a call far below it is flagged as a possible reroute.
    pub min_tokens_per_s: Option<f64>,
    pub max_ttft_ms: Option<u64>,
    pub models: Vec<ModelPrice>,
    /// A key handed over directly (a secret store, a test) instead of read from the env.
    key: Option<String>,
    /// One HTTP client per provider, made on first use inside the caller's runtime.
    client: OnceLock<reqwest::Client>,
}

impl std::fmt::Debug for Provider {
    // Written by hand so that a key handed over directly never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("base_url", &self.base_url)
            .field("api_key_env", &self.api_key_env)
            .field("api", &self.api)
            .field("stream", &self.stream)
            .field("models", &self.models)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// A provider at `base_url` with every default: chat, streaming, no key, no prices.
    pub fn new(base_url: &str) -> Provider {
        Provider {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key_env: None,
            api: Api::Chat,
            stream: true,
            timeout_s: 120,
            max_retries: 4,
            backoff_ms: 500,
            max_tokens_key: MaxTokensKey::default(),
            requests_per_minute: None,
            tokens_per_minute: None,
            min_tokens_per_s: None,
            max_ttft_ms: None,
            models: Vec::new(),
            key: None,
            client: OnceLock::new(),
        }
    }

    /// The same provider with a key given directly; it wins over `api_key_env`.
    pub fn with_api_key(mut self, key: &str) -> Provider {
        self.key = Some(key.to_string());
        self
    }

    /// The key: the one given directly, else the named environment variable, read now.
    pub fn api_key(&self) -> Option<String> {
        if let Some(k) = &self.key {
            return Some(k.clone());
        }
        let name = self.api_key_env.as_deref()?;
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    /// Dollars per million input and output tokens for `model`, if the config lists it.
    pub fn price(&self, model: &str) -> Option<(f64, f64)> {
        self.models
            .iter()
            .find(|m| m.name == model)
            .map(|m| (m.input_usd_per_mtok, m.output_usd_per_mtok))
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        self.client.get_or_init(reqwest::Client::new)
    }
}

impl ServiceConfig {
    /// Reads `path`, or `data_dir/config.toml` when no path is given; a missing file in
    /// the data directory means only the default provider.
    pub fn load(path: Option<&Path>, data_dir: &Path) -> Result<ServiceConfig, ConfigError> {
        let openai = std::env::var("OPENAI_BASE_URL")
            .ok()
            .filter(|v| !v.is_empty());
        let file = path.map_or_else(|| data_dir.join(FILE_NAME), Path::to_path_buf);
        match std::fs::read_to_string(&file) {
            Ok(text) => ServiceConfig::parse(&file, &text, openai.as_deref()),
            Err(e) if path.is_none() && e.kind() == std::io::ErrorKind::NotFound => {
                ServiceConfig::parse(&file, "", openai.as_deref())
            }
            Err(source) => Err(ConfigError::Read { path: file, source }),
        }
    }

    /// Parses a config's text; `openai_base_url` is `OPENAI_BASE_URL` for the default
    /// provider when the file does not define `[providers.default]`.
    pub fn parse(
        path: &Path,
        text: &str,
        openai_base_url: Option<&str>,
    ) -> Result<ServiceConfig, ConfigError> {
        let err = |offset: usize, message: String, hint: String| {
            ConfigError::at(path, text, offset, message, Some(hint))
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            err(
                e.span().map_or(0, |s| s.start),
                plain(&message),
                hint_for(&message),
            )
        })?;
        let mut providers = BTreeMap::new();
        for (name, p) in raw.providers {
            let provider = p
                .into_provider()
                .map_err(|(span, message, hint)| err(span.start, message, hint))?;
            providers.insert(name, provider);
        }
        providers
            .entry(DEFAULT_PROVIDER.to_string())
            .or_insert_with(|| {
                let mut p = Provider::new(openai_base_url.unwrap_or(OPENAI_BASE_URL));
                p.api_key_env = Some("OPENAI_API_KEY".into());
                p
            });
        Ok(ServiceConfig { providers })
    }

    /// The provider named `name`, or what to write instead.
    pub fn provider(&self, name: &str) -> Result<&Provider, String> {
        self.providers.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.providers.keys().map(String::as_str).collect();
            match closest(name, &known) {
                Some(c) => format!("unknown provider {name:?}; did you mean {c:?}?"),
                None => format!(
                    "unknown provider {name:?}; the service config names: {}",
                    known.join(", ")
                ),
            }
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    providers: BTreeMap<String, RawProvider>,
    /// `[[webhooks]]` and `[web]`, read by `crate::web::webhooks::config`.
    #[serde(default, rename = "webhooks")]
    _webhooks: serde::de::IgnoredAny,
    #[serde(default, rename = "web")]
    _web: serde::de::IgnoredAny,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    base_url: Spanned<String>,
    api_key_env: Option<Spanned<String>>,
    #[serde(default)]
    api: Api,
    #[serde(default = "yes")]
    stream: bool,
    timeout_s: Option<Spanned<u64>>,
    max_retries: Option<u32>,
    backoff_ms: Option<u64>,
    #[serde(default)]
    max_tokens_key: MaxTokensKey,
    requests_per_minute: Option<u32>,
    tokens_per_minute: Option<u64>,
    min_tokens_per_s: Option<f64>,
    max_ttft_ms: Option<u64>,
    #[serde(default)]
    models: Vec<ModelPrice>,
}

fn yes() -> bool {
    true
}

type Invalid = (std::ops::Range<usize>, String, String);

impl RawProvider {
    fn into_provider(self) -> Result<Provider, Invalid> {
        let url = self.base_url.get_ref();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err((
                self.base_url.span(),
                format!("base_url {url:?} is not an http(s) URL"),
                "write the API's root up to its version, e.g. \"https://api.openai.com/v1\"".into(),
            ));
        }
        if let Some(env) = &self.api_key_env {
            check_env_name(env)?;
        }
        if let Some(t) = &self.timeout_s
            && *t.get_ref() == 0
        {
            return Err((t.span(), "timeout_s is 0".into(), "write 1 or more".into()));
        }
        let mut p = Provider::new(url);
        p.api_key_env = self.api_key_env.map(Spanned::into_inner);
        p.api = self.api;
        p.stream = self.stream;
        p.timeout_s = self.timeout_s.map_or(p.timeout_s, Spanned::into_inner);
        p.max_retries = self.max_retries.unwrap_or(p.max_retries);
        p.backoff_ms = self.backoff_ms.unwrap_or(p.backoff_ms);
        p.max_tokens_key = self.max_tokens_key;
        p.requests_per_minute = self.requests_per_minute;
        p.tokens_per_minute = self.tokens_per_minute;
        p.min_tokens_per_s = self.min_tokens_per_s;
        p.max_ttft_ms = self.max_ttft_ms;
        p.models = self.models;
        Ok(p)
    }
}

/// An environment variable's name, and never a key pasted in its place.
fn check_env_name(env: &Spanned<String>) -> Result<(), Invalid> {
    let name = env.get_ref();
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return Ok(());
    }
    Err((
        env.span(),
        "api_key_env is not the name of an environment variable".into(),
        "keys never go in files: put the key in an environment variable and write its name here, e.g. api_key_env = \"CEREBRAS_API_KEY\"".into(),
    ))
}

/// serde's message in the config's words.
fn plain(message: &str) -> String {
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let name = rest.split_once('`').map_or(rest, |(n, _)| n);
            return format!("unknown {what} `{name}`");
        }
    }
    message.to_string()
}

/// What to do about a TOML or schema error, from serde's message.
fn hint_for(message: &str) -> String {
    const DOCS: &str = "docs/providers.md shows every key and a config for each provider";
    for prefix in ["unknown field `", "unknown variant `"] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (word, expected) = rest.split_once('`').unwrap_or((rest, ""));
            if matches!(word, "api_key" | "key" | "token" | "secret") {
                return "keys never go in files: write api_key_env = \"NAME\" and set the environment variable NAME".into();
            }
            let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            return match closest(word, &known) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("use one of: {}", known.join(", ")),
            };
        }
    }
    let expected = message.rsplit_once("expected ").map_or("", |(_, e)| e);
    match expected {
        e if e.contains("sequence") => {
            "models are a list of tables, each written [[providers.NAME.models]]".into()
        }
        e if e.starts_with('u') || e.starts_with('i') => "write a whole number, e.g. 4".into(),
        e if e.starts_with('f') => "write a number, e.g. 0.25".into(),
        e if e.contains("string") => "write a quoted string".into(),
        e if e.contains("bool") => "write true or false".into(),
        e if e.contains("map") || e.contains("struct") => {
            "write a table, e.g. [providers.fast]".into()
        }
        _ => format!("this is not valid TOML here; {DOCS}"),
    }
}

fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 1 || (*d <= 4 && *d * 3 <= k.len()))
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: &str = r#"
[providers.fast]
base_url = "https://api.cerebras.ai/v1"
api_key_env = "CEREBRAS_API_KEY"
api = "chat"
stream = true
timeout_s = 120
max_retries = 4
requests_per_minute = 30
tokens_per_minute = 60000
min_tokens_per_s = 500
max_ttft_ms = 2000
[[providers.fast.models]]
name = "gpt-oss-120b"
input_usd_per_mtok = 0.25
output_usd_per_mtok = 0.69
"#;

    fn parse(text: &str) -> Result<ServiceConfig, ConfigError> {
        ServiceConfig::parse(Path::new("config.toml"), text, None)
    }

    fn error(text: &str) -> (String, String) {
        let e = parse(text).unwrap_err();
        (e.to_string(), e.hint().unwrap_or_default().to_string())
    }

    #[test]
    fn the_documented_shape_parses_with_prices_and_promises() {
        let cfg = parse(FAST).unwrap();
        let fast = cfg.provider("fast").unwrap();
        assert_eq!(fast.price("gpt-oss-120b"), Some((0.25, 0.69)));
        assert_eq!(fast.price("gpt-oss-20b"), None);
        assert_eq!(fast.min_tokens_per_s, Some(500.0));
        assert_eq!(fast.api_key_env.as_deref(), Some("CEREBRAS_API_KEY"));
    }

    #[test]
    fn the_default_provider_is_openai_unless_the_file_defines_it() {
        let cfg = parse("").unwrap();
        let d = cfg.provider("default").unwrap();
        assert_eq!(d.base_url, "https://api.openai.com/v1");
        assert_eq!(d.api_key_env.as_deref(), Some("OPENAI_API_KEY"));
        let cfg = ServiceConfig::parse(Path::new("c"), "", Some("http://127.0.0.1:9/v1/")).unwrap();
        assert_eq!(cfg.providers["default"].base_url, "http://127.0.0.1:9/v1");
        let own = "[providers.default]\nbase_url = \"http://localhost:11434/v1\"\n";
        let cfg = ServiceConfig::parse(Path::new("c"), own, Some("http://x/v1")).unwrap();
        assert_eq!(
            cfg.providers["default"].base_url,
            "http://localhost:11434/v1"
        );
        assert_eq!(cfg.providers["default"].api_key_env, None);
    }

    #[test]
    fn an_unknown_key_names_line_column_and_the_closest_key() {
        let (msg, hint) = error("[providers.fast]\nbase_url = \"https://x/v1\"\ntimout_s = 3\n");
        assert!(
            msg.starts_with("config.toml:3:1: unknown key `timout_s`"),
            "{msg}"
        );
        assert_eq!(hint, "did you mean `timeout_s`?");
    }

    #[test]
    fn a_key_written_in_the_file_is_refused_with_a_hint() {
        let (_, hint) =
            error("[providers.fast]\nbase_url = \"https://x/v1\"\napi_key = \"sk-1\"\n");
        assert!(hint.contains("api_key_env"), "{hint}");
        let (msg, hint) =
            error("[providers.fast]\nbase_url = \"https://x/v1\"\napi_key_env = \"sk-abc-123\"\n");
        assert!(msg.starts_with("config.toml:3:15:"), "{msg}");
        assert!(hint.contains("keys never go in files"), "{hint}");
    }

    #[test]
    fn wrong_types_and_values_point_at_the_value() {
        let (msg, hint) =
            error("[providers.f]\nbase_url = \"https://x/v1\"\nmax_retries = \"4\"\n");
        assert!(msg.starts_with("config.toml:3:15:"), "{msg}");
        assert!(hint.contains("whole number"), "{hint}");
        let (msg, hint) = error("[providers.f]\nbase_url = \"https://x/v1\"\napi = \"chats\"\n");
        assert!(msg.contains("unknown value `chats`"), "{msg}");
        assert_eq!(hint, "did you mean `chat`?");
        let (msg, _) = error("[providers.f]\nbase_url = \"api.x.com\"\n");
        assert!(msg.starts_with("config.toml:2:12: base_url"), "{msg}");
    }

    #[test]
    fn a_missing_file_in_the_data_directory_means_the_default_only() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = ServiceConfig::load(None, dir.path()).unwrap();
        assert_eq!(cfg.providers.len(), 1);
        let missing = dir.path().join("nope.toml");
        assert!(matches!(
            ServiceConfig::load(Some(&missing), dir.path()),
            Err(ConfigError::Read { .. })
        ));
        std::fs::write(dir.path().join(FILE_NAME), FAST).unwrap();
        let cfg = ServiceConfig::load(None, dir.path()).unwrap();
        assert!(cfg.providers.contains_key("fast"));
    }

    #[test]
    fn an_unknown_provider_is_answered_with_the_closest_name() {
        let cfg = parse(FAST).unwrap();
        assert!(
            cfg.provider("fats")
                .unwrap_err()
                .contains("did you mean \"fast\"?")
        );
    }

    #[test]
    fn a_key_given_directly_wins_and_never_shows_in_debug() {
        let p = Provider::new("http://x/v1").with_api_key("sk-secret");
        assert_eq!(p.api_key().as_deref(), Some("sk-secret"));
        assert!(!format!("{p:?}").contains("sk-secret"));
    }
}
