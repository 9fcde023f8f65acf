//! `utm.strip_internal`: removes UTM parameters from links to this site, exactly as UTM-008's
//! fix does (the QA engine's one clean-up edit per URL: separators removed with them, a
//! query left empty loses its `?`, personal data in the same query goes too). Hosts in
//! `utm_exempt_hosts`, and those the step adds, keep their UTMs; a query that template
//! syntax builds is never touched.

use super::{ParamError, Recipe, RecipeMeta};
use super::{common, keys};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::url::UrlRef;

static META: RecipeMeta = RecipeMeta {
    name: "utm.strip_internal",
    summary: "Remove UTM parameters from links to this site (UTM-008's fix)",
    keys: &[(
        "exempt_hosts",
        "list of hosts, default []",
        "hosts whose links keep their UTMs, besides `utm_exempt_hosts` in sitewide.toml",
    )],
    example: "[[steps]]\nrecipe = \"utm.strip_internal\"\nexempt_hosts = [\"docs.example.com\"]\n",
};

const KEYS: &[&str] = &["exempt_hosts"];

pub struct StripInternal;

impl Recipe for StripInternal {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        keys::only(params, KEYS)?;
        for host in keys::strings(params, "exempt_hosts")? {
            if host.is_empty() || host.contains(['/', ':', ' ', '?', '#']) {
                return Err(keys::error(
                    "exempt_hosts",
                    format!("`{host}` is not a host name"),
                    Some("write the host alone, e.g. \"docs.example.com\"".into()),
                ));
            }
        }
        Ok(())
    }

    fn apply(&self, doc: &Document, settings: &Settings, params: &toml::Table) -> Vec<Fix> {
        let exempt = keys::strings(params, "exempt_hosts").unwrap_or_default();
        let found: Vec<_> = common::findings(doc, settings, &["UTM-008"])
            .into_iter()
            .filter(|f| {
                let host = doc
                    .links
                    .iter()
                    .find(|l| l.url.contains(f.span))
                    .and_then(|l| UrlRef::parse(doc, l.url).host);
                !host.is_some_and(|h| exempt.iter().any(|e| e.eq_ignore_ascii_case(&h)))
            })
            .collect();
        common::fixes_of(doc, &found)
    }
}

#[cfg(test)]
mod tests {
    use super::StripInternal;
    use crate::edit::recipes::testkit::{Case, check, refused};
    use crate::qa::page::Engine;

    const CONFIG: &str = "site_url = \"https://www.example.com\"\n[utm]\ninternal_hosts = [\"example.com\", \"docs.example.com\", \"shop.example.com\"]\nutm_exempt_hosts = [\"shop.example.com\"]\n";

    #[test]
    fn internal_links_lose_their_utms_in_every_engine_and_exempt_hosts_keep_them() {
        let cases = [
            Case {
                path: "a.html",
                engine: Engine::Liquid,
                before: "---\ntitle: A\n---\n<a href=\"https://www.example.com/p?utm_source=a&amp;x=1\">y</a>\n<a href=\"https://shop.example.com/?utm_source=a\">s</a>\n<a href=\"https://docs.example.com/?utm_source=a\">d</a>\n",
                after: "---\ntitle: A\n---\n<a href=\"https://www.example.com/p?x=1\">y</a>\n<a href=\"https://shop.example.com/?utm_source=a\">s</a>\n<a href=\"https://docs.example.com/?utm_source=a\">d</a>\n",
                beside: &[("_config.yml", "title: x\n")],
            },
            Case {
                path: "templates/c.njk",
                engine: Engine::Jinja,
                before: "{% block body %}<a href=\"/p?x={{ x }}&utm_source=a\">x</a>{% endblock %}\n",
                after: "{% block body %}<a href=\"/p?x={{ x }}\">x</a>{% endblock %}\n",
                beside: &[],
            },
            Case {
                path: "layouts/_default/list.html",
                engine: Engine::Hugo,
                before: "<a href=\"/?utm_campaign={{ .Params.c }}\">x</a> <a href=\"/p/?utm_medium=banner#top\">y</a>\n",
                after: "<a href=\"/?utm_campaign={{ .Params.c }}\">x</a> <a href=\"/p/#top\">y</a>\n",
                beside: &[("hugo.toml", "")],
            },
            Case {
                path: "e.hbs",
                engine: Engine::Handlebars,
                before: "<a href=\"pricing.html?utm_medium=banner&ref={{ref}}\">x</a>\n",
                after: "<a href=\"pricing.html?ref={{ref}}\">x</a>\n",
                beside: &[],
            },
            Case {
                path: "f.md",
                engine: Engine::Liquid,
                before: "---\ntitle: x\n---\n[x](/p?utm_source=a) and [y](https://partner.example/?utm_source=a)\n",
                after: "---\ntitle: x\n---\n[x](/p) and [y](https://partner.example/?utm_source=a)\n",
                beside: &[],
            },
            Case {
                path: "g.html",
                engine: Engine::Html,
                before: "<p>\n<a href=\"/p?utm_source=a&amp;x=1&amp;utm_medium=b#top\">x</a>\n",
                after: "<p>\n<a href=\"/p?x=1#top\">x</a>\n",
                beside: &[],
            },
        ];
        let step = "exempt_hosts = [\"docs.example.com\"]";
        check(&StripInternal, step, CONFIG, &cases);
    }

    #[test]
    fn bad_keys_are_refused_with_the_closest_known_one() {
        let e = refused(&StripInternal, "exempt_host = [\"a.example\"]");
        assert_eq!(e.key.as_deref(), Some("exempt_host"));
        assert_eq!(e.hint.as_deref(), Some("did you mean `exempt_hosts`?"));
        let e = refused(&StripInternal, "exempt_hosts = \"a.example\"");
        assert_eq!(
            e.message,
            "`exempt_hosts` must be an array of strings, not a string"
        );
        let e = refused(&StripInternal, "exempt_hosts = [\"https://a.example/\"]");
        assert!(e.message.contains("not a host name"), "{e:?}");
    }
}
