//! `domain.migrate`: moves URLs from one host to another. Every URL the page model knows
//! (`href`, `src`, `srcset`, `action`, canonical and alternate links, `og:url` and the other
//! URL metas, Markdown links and reference definitions) whose host is `from` or `www.from`
//! gets `to` (`www.to` for `www.from`), keeping scheme, port, path, query and fragment. Only
//! the host's bytes change; e-mail addresses and text that merely mentions the domain are no
//! URLs and stay, and a host that template syntax prints is never touched.
//!
//! `exclude` entries are globs, or regexes when written `re:…`; a URL is left as it is when
//! an entry matches the URL as written or the file's path.

use globset::{Glob, GlobMatcher};
use regex::Regex;

use super::{ParamError, Recipe, RecipeMeta};
use super::{keys, markup};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::source::Span;
use crate::qa::url::UrlRef;

static META: RecipeMeta = RecipeMeta {
    name: "domain.migrate",
    summary: "Move links, canonicals and og:url from one host to another, keeping path and query",
    keys: &[
        (
            "from",
            "host, required",
            "the old host; `www.` + it moves too (to `www.` + `to`)",
        ),
        ("to", "host, required", "the new host"),
        (
            "exclude",
            "list of globs or `re:` regexes, default []",
            "URLs (as written) or file paths to leave alone",
        ),
    ],
    example: "[[steps]]\nrecipe = \"domain.migrate\"\nfrom = \"old.example\"\nto = \"new.example\"\nexclude = [\"legal/**\", \"re:/press/20(1|2)\"]\n",
};

const KEYS: &[&str] = &["from", "to", "exclude"];

pub struct DomainMigrate;

/// The step's keys, read and checked.
struct Step {
    /// `from` without a leading `www.`, lowercase.
    from: String,
    to: String,
    exclude: Vec<Exclusion>,
}

enum Exclusion {
    Glob(GlobMatcher),
    Regex(Regex),
}

impl Exclusion {
    fn matches(&self, s: &str) -> bool {
        match self {
            Exclusion::Glob(g) => g.is_match(s),
            Exclusion::Regex(r) => r.is_match(s),
        }
    }
}

impl Recipe for DomainMigrate {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        read(params).map(|_| ())
    }

    fn apply(&self, doc: &Document, _settings: &Settings, params: &toml::Table) -> Vec<Fix> {
        let Ok(step) = read(params) else {
            return Vec::new();
        };
        if step.exclude.iter().any(|e| e.matches(&doc.path)) {
            return Vec::new();
        }
        let mut fixes: Vec<Fix> = doc
            .links
            .iter()
            .filter_map(|l| migrate(doc, l.url, &step))
            .collect();
        fixes.sort_by_key(|f| f.start);
        fixes.dedup();
        markup::guarded(doc, fixes)
    }
}

fn read(params: &toml::Table) -> Result<Step, ParamError> {
    keys::only(params, KEYS)?;
    let host = |key: &str| -> Result<String, ParamError> {
        let v = keys::string(params, key)?.ok_or_else(|| {
            keys::error(
                key,
                format!("`domain.migrate` needs `{key}`"),
                Some("e.g. from = \"old.example\", to = \"new.example\"".into()),
            )
        })?;
        let h = v.trim().to_ascii_lowercase();
        let ok = h.contains('.')
            && !h.starts_with(['.', '-'])
            && !h.ends_with(['.', '-'])
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !ok {
            return Err(keys::error(
                key,
                format!("`{v}` is not a host name"),
                Some("write the host alone, without scheme or path: \"old.example\"".into()),
            ));
        }
        Ok(h)
    };
    let from = host("from")?;
    let from = from.strip_prefix("www.").unwrap_or(&from).to_string();
    let to = host("to")?;
    if to.strip_prefix("www.").unwrap_or(&to) == from {
        return Err(keys::error(
            "to",
            format!("`to` names the same site as `from` ({from})"),
            Some("give the new host".into()),
        ));
    }
    let mut exclude = Vec::new();
    for e in keys::strings(params, "exclude")? {
        exclude.push(exclusion(e)?);
    }
    Ok(Step { from, to, exclude })
}

fn exclusion(entry: &str) -> Result<Exclusion, ParamError> {
    match entry.strip_prefix("re:") {
        Some(re) => Regex::new(re).map(Exclusion::Regex).map_err(|e| {
            keys::error(
                "exclude",
                format!("bad regex `{re}`: {e}"),
                Some("`re:` entries are Rust regexes".into()),
            )
        }),
        None => Glob::new(entry)
            .map(|g| Exclusion::Glob(g.compile_matcher()))
            .map_err(|e| {
                keys::error(
                    "exclude",
                    format!("bad glob `{entry}`: {e}"),
                    Some("write a glob such as \"legal/**\", or a regex as \"re:…\"".into()),
                )
            }),
    }
}

/// The edit that moves one URL's host, if it is on `from`.
fn migrate(doc: &Document, span: Span, step: &Step) -> Option<Fix> {
    let url = UrlRef::parse(doc, span);
    if url.origin_dynamic || !matches!(url.scheme.as_deref(), None | Some("http" | "https")) {
        return None;
    }
    let host = url.host.as_deref()?;
    let www = match host.strip_prefix("www.") {
        Some(rest) if rest == step.from => true,
        _ if host == step.from => false,
        _ => return None,
    };
    let raw = doc.slice(url.span);
    if step.exclude.iter().any(|e| e.matches(raw)) {
        return None;
    }
    let at = host_span(raw)?.offset(url.span.start);
    let new = if www && !step.to.starts_with("www.") {
        format!("www.{}", step.to)
    } else {
        step.to.clone()
    };
    Some(Fix {
        start: at.start,
        end: at.end,
        replacement: new,
    })
}

/// Where the host sits in an absolute or protocol-relative URL (relative to its start).
fn host_span(raw: &str) -> Option<Span> {
    let start = raw.find("//")? + 2;
    let rest = &raw[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_len = authority[host_start..]
        .find(':')
        .unwrap_or(authority.len() - host_start);
    let s = start + host_start;
    Some(Span::new(s, s + host_len))
}

#[cfg(test)]
mod tests {
    use super::DomainMigrate;
    use crate::edit::recipes::testkit::{Case, check, refused};
    use crate::qa::page::Engine;

    const STEP: &str =
        "from = \"old.example\"\nto = \"new.example\"\nexclude = [\"legal/**\", \"re:/press/\"]";

    #[test]
    fn urls_move_host_and_keep_the_rest_in_every_engine() {
        let cases = [
            Case {
                path: "a.html",
                engine: Engine::Liquid,
                before: "---\ntitle: A\nimage: https://old.example/i.png\n---\n<meta property=\"og:url\" content=\"https://www.old.example/a/\">\n<a href=\"https://OLD.example:8080/p?x=1#top\">p</a> <a href=\"mailto:sales@old.example\">mail</a> old.example\n<a href=\"https://old.example/press/1\">press</a>\n",
                after: "---\ntitle: A\nimage: https://old.example/i.png\n---\n<meta property=\"og:url\" content=\"https://www.new.example/a/\">\n<a href=\"https://new.example:8080/p?x=1#top\">p</a> <a href=\"mailto:sales@old.example\">mail</a> old.example\n<a href=\"https://old.example/press/1\">press</a>\n",
                beside: &[("_config.yml", "title: x\n")],
            },
            Case {
                path: "templates/c.njk",
                engine: Engine::Jinja,
                before: "{% block body %}<a href=\"{{ base }}/p\">x</a><a href=\"https://old.example/{{ slug }}?u={{ u }}\">y</a><a href=\"https://old.example.org/\">z</a>{% endblock %}\n",
                after: "{% block body %}<a href=\"{{ base }}/p\">x</a><a href=\"https://new.example/{{ slug }}?u={{ u }}\">y</a><a href=\"https://old.example.org/\">z</a>{% endblock %}\n",
                beside: &[],
            },
            Case {
                path: "layouts/partials/head.html",
                engine: Engine::Hugo,
                before: "<link rel=\"alternate\" hreflang=\"de\" href=\"https://old.example/de/\">\n<script src=\"//old.example/app.js\"></script>\n",
                after: "<link rel=\"alternate\" hreflang=\"de\" href=\"https://new.example/de/\">\n<script src=\"//new.example/app.js\"></script>\n",
                beside: &[("hugo.toml", "")],
            },
            Case {
                path: "e.hbs",
                engine: Engine::Handlebars,
                before: "<form action=\"https://old.example/signup\"><img src=\"https://old.example/a.png\" srcset=\"https://old.example/a.png 1x, https://old.example/b.png 2x\" alt=\"\"></form>\n",
                after: "<form action=\"https://new.example/signup\"><img src=\"https://new.example/a.png\" srcset=\"https://new.example/a.png 1x, https://new.example/b.png 2x\" alt=\"\"></form>\n",
                beside: &[],
            },
            Case {
                path: "f.md",
                engine: Engine::Liquid,
                before: "---\ntitle: x\n---\nSee [docs](https://old.example/docs?a=1) or write to ops@old.example; old.example is gone.\n\n`https://old.example/code`\n\n[ref]: https://www.old.example/ref\n",
                after: "---\ntitle: x\n---\nSee [docs](https://new.example/docs?a=1) or write to ops@old.example; old.example is gone.\n\n`https://old.example/code`\n\n[ref]: https://www.new.example/ref\n",
                beside: &[],
            },
            Case {
                path: "g.html",
                engine: Engine::Html,
                before: "<link rel=\"canonical\" href=\"http://www.old.example/g.html\">\n<p>Visit https://old.example/ today.</p>\n",
                after: "<link rel=\"canonical\" href=\"http://www.new.example/g.html\">\n<p>Visit https://old.example/ today.</p>\n",
                beside: &[],
            },
            Case {
                path: "legal/terms.html",
                engine: Engine::Html,
                before: "<a href=\"https://old.example/terms\">t</a>\n",
                after: "<a href=\"https://old.example/terms\">t</a>\n",
                beside: &[],
            },
        ];
        check(&DomainMigrate, STEP, "", &cases);
    }

    #[test]
    fn bad_hosts_and_exclusions_are_refused() {
        let e = refused(&DomainMigrate, "from = \"old.example\"");
        assert_eq!(e.message, "`domain.migrate` needs `to`");
        let e = refused(
            &DomainMigrate,
            "from = \"https://old.example/\"\nto = \"n.example\"",
        );
        assert_eq!(e.key.as_deref(), Some("from"));
        assert!(e.message.contains("not a host name"), "{e:?}");
        let e = refused(
            &DomainMigrate,
            "from = \"old.example\"\nto = \"www.old.example\"",
        );
        assert_eq!(e.key.as_deref(), Some("to"));
        let e = refused(
            &DomainMigrate,
            "from = \"a.example\"\nto = \"b.example\"\nexclude = [\"re:(\"]",
        );
        assert!(e.message.starts_with("bad regex"), "{e:?}");
        let e = refused(&DomainMigrate, "form = \"a.example\"");
        assert_eq!(e.hint.as_deref(), Some("did you mean `from`?"));
        let e = refused(&DomainMigrate, "from = 3\nto = \"b.example\"");
        assert_eq!(e.message, "`from` must be a string, not an integer");
    }
}
