//! Forges: opening a pull request on GitHub (REST, `POST /repos/{owner}/{repo}/pulls`)
//! or a merge request on GitLab (`POST /projects/{id}/merge_requests`) for a pushed
//! branch. The API's base URL is configurable (GitHub Enterprise, self-hosted GitLab).
//! The token is sent in a header and never appears in an error.

use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// GitHub's public API.
pub const GITHUB_API: &str = "https://api.github.com";
/// GitLab.com's API.
pub const GITLAB_API: &str = "https://gitlab.com/api/v4";
/// The GitHub REST API version Sitewide is written against.
pub const GITHUB_API_VERSION: &str = "2022-11-28";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForgeKind {
    Github,
    Gitlab,
}

impl std::str::FromStr for ForgeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<ForgeKind, String> {
        match s {
            "github" => Ok(ForgeKind::Github),
            "gitlab" => Ok(ForgeKind::Gitlab),
            other => Err(format!(
                "unknown forge {other:?}\n  = hint: github (also GitHub Enterprise) or gitlab (also self-hosted)"
            )),
        }
    }
}

/// Where pull requests for a remote workspace are opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forge {
    pub kind: ForgeKind,
    /// The API's base URL without a trailing slash.
    pub api_url: String,
    /// `owner/repo` (GitHub) or the project's full path `group/sub/project` (GitLab).
    pub repo: String,
}

impl Forge {
    /// A forge with the default API URL of its kind when `api_url` is not given.
    pub fn new(kind: ForgeKind, api_url: Option<&str>, repo: &str) -> Forge {
        let api = api_url.unwrap_or(match kind {
            ForgeKind::Github => GITHUB_API,
            ForgeKind::Gitlab => GITLAB_API,
        });
        Forge {
            kind,
            api_url: api.trim_end_matches('/').to_string(),
            repo: repo.trim_matches('/').to_string(),
        }
    }
}

/// The pull request to open: from `head` into `base`.
#[derive(Debug, Clone)]
pub struct PullRequest {
    pub title: String,
    /// Markdown.
    pub body: String,
    pub head: String,
    pub base: String,
}

/// Why a pull request could not be opened; the message never holds the token.
#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    #[error("{url}: the forge answered {status}: {message}\n  = hint: {hint}")]
    Refused {
        url: String,
        status: u16,
        message: String,
        hint: String,
    },
    #[error(
        "{url}: the forge could not be reached: {reason}\n  = hint: check --api-url and the network"
    )]
    Unreachable { url: String, reason: String },
}

/// Opens the pull (merge) request and returns its web page's URL.
pub async fn open(
    client: &reqwest::Client,
    forge: &Forge,
    token: &str,
    pr: &PullRequest,
) -> Result<String, ForgeError> {
    let (url, body) = request(forge, pr);
    let mut req = client
        .post(&url)
        .timeout(Duration::from_secs(60))
        .header("Content-Type", "application/json")
        .header(
            "User-Agent",
            concat!("sitewide/", env!("CARGO_PKG_VERSION")),
        );
    req = match forge.kind {
        ForgeKind::Github => req
            .header("Authorization", format!("Bearer {token}"))
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", GITHUB_API_VERSION),
        ForgeKind::Gitlab => req.header("PRIVATE-TOKEN", token),
    };
    let unreachable = |e: reqwest::Error| ForgeError::Unreachable {
        url: url.clone(),
        reason: clean(&e.without_url().to_string(), token),
    };
    let resp = req
        .body(body.to_string())
        .send()
        .await
        .map_err(unreachable)?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(unreachable)?;
    let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let link = match forge.kind {
        ForgeKind::Github => &answer["html_url"],
        ForgeKind::Gitlab => &answer["web_url"],
    };
    match (status, link.as_str()) {
        (200..=299, Some(link)) => Ok(link.to_string()),
        _ => Err(ForgeError::Refused {
            url: url.clone(),
            status,
            message: clean(&message(&answer, &bytes), token),
            hint: hint(status).into(),
        }),
    }
}

/// The API URL and JSON body of the request for `forge`.
pub fn request(forge: &Forge, pr: &PullRequest) -> (String, Value) {
    match forge.kind {
        ForgeKind::Github => (
            format!("{}/repos/{}/pulls", forge.api_url, forge.repo),
            json!({"title": pr.title, "head": pr.head, "base": pr.base, "body": pr.body}),
        ),
        ForgeKind::Gitlab => (
            format!(
                "{}/projects/{}/merge_requests",
                forge.api_url,
                utf8_percent_encode(&forge.repo, NON_ALPHANUMERIC)
            ),
            json!({
                "title": pr.title,
                "source_branch": pr.head,
                "target_branch": pr.base,
                "description": pr.body,
            }),
        ),
    }
}

/// The forge's own explanation: GitHub's `message` and `errors`, GitLab's `message` or
/// `error`, else the start of the body.
fn message(answer: &Value, bytes: &[u8]) -> String {
    let mut parts = Vec::new();
    for key in ["message", "error"] {
        match &answer[key] {
            Value::Null => {}
            Value::String(s) => parts.push(s.clone()),
            other => parts.push(other.to_string()),
        }
    }
    if let Some(errors) = answer["errors"].as_array() {
        parts.extend(errors.iter().map(|e| match e["message"].as_str() {
            Some(m) => m.to_string(),
            None => e.to_string(),
        }));
    }
    if parts.is_empty() {
        let text = String::from_utf8_lossy(bytes);
        return text.chars().take(300).collect();
    }
    parts.join("; ")
}

fn hint(status: u16) -> &'static str {
    match status {
        401 => "the token is not valid: check the variable given with --token-env",
        403 => "the token may not open pull requests on this repository",
        404 => {
            "no such repository at this API URL, or the token cannot see it: check --repo and --api-url"
        }
        409 | 422 => {
            "a pull request for this branch may exist already, or the base branch is unknown"
        }
        _ => "apply the run again to retry opening the pull request",
    }
}

fn clean(text: &str, token: &str) -> String {
    if token.is_empty() {
        return text.to_string();
    }
    text.replace(token, "***")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr() -> PullRequest {
        PullRequest {
            title: "t".into(),
            body: "b".into(),
            head: "sitewide/r1".into(),
            base: "main".into(),
        }
    }

    #[test]
    fn github_and_gitlab_requests_name_the_repository_as_each_api_wants() {
        let gh = Forge::new(ForgeKind::Github, None, "acme/site");
        let (url, body) = request(&gh, &pr());
        assert_eq!(url, "https://api.github.com/repos/acme/site/pulls");
        assert_eq!(body["head"], "sitewide/r1");
        assert_eq!(body["base"], "main");
        let gl = Forge::new(
            ForgeKind::Gitlab,
            Some("https://git.acme.example/api/v4/"),
            "web/sub/site",
        );
        let (url, body) = request(&gl, &pr());
        assert_eq!(
            url,
            "https://git.acme.example/api/v4/projects/web%2Fsub%2Fsite/merge_requests"
        );
        assert_eq!(body["source_branch"], "sitewide/r1");
        assert_eq!(body["target_branch"], "main");
        assert_eq!(body["description"], "b");
    }

    #[test]
    fn a_forge_message_keeps_its_errors_and_loses_the_token() {
        let answer = json!({"message": "Validation Failed for tok-1", "errors": [{"message": "A pull request already exists"}]});
        let text = clean(&message(&answer, b""), "tok-1");
        assert_eq!(
            text,
            "Validation Failed for ***; A pull request already exists"
        );
        assert!("gitlab".parse::<ForgeKind>().is_ok());
        assert!("gitea".parse::<ForgeKind>().is_err());
    }
}
