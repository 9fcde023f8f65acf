//! `utm.normalize`: rewrites literal UTM values into the taxonomy's one canonical form —
//! its case (UTM-003), its word separator and allowed characters (UTM-004), and its alias
//! map for mediums (UTM-009) and sources (UTM-010). These are the QA engine's own fixes,
//! which all write the same form, so one pass settles a value. Template-built values,
//! ad-platform placeholders and UTMs that are to be stripped are left alone.

use super::{ParamError, Recipe, RecipeMeta};
use super::{common, keys};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::url::decode_component;

static META: RecipeMeta = RecipeMeta {
    name: "utm.normalize",
    summary: "Rewrite UTM values in the taxonomy's case, separator and alias map (UTM-003/004/009/010)",
    keys: &[(
        "keys",
        "list of UTM keys, default all five",
        "which parameters to normalise: utm_source, utm_medium, utm_campaign, utm_term, utm_content",
    )],
    example: "[[steps]]\nrecipe = \"utm.normalize\"\nkeys = [\"utm_source\", \"utm_medium\"]\n",
};

const KEYS: &[&str] = &["keys"];
const UTM_KEYS: &[&str] = &[
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
];
const RULES: &[&str] = &["UTM-003", "UTM-004", "UTM-009", "UTM-010"];

pub struct Normalize;

impl Recipe for Normalize {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        keys::only(params, KEYS)?;
        for k in keys::strings(params, "keys")? {
            if !UTM_KEYS.contains(&k) {
                let near = UTM_KEYS.iter().min_by_key(|u| strsim::levenshtein(k, u));
                return Err(keys::error(
                    "keys",
                    format!("`{k}` is not a UTM key"),
                    near.map(|n| format!("did you mean `{n}`?")),
                ));
            }
        }
        Ok(())
    }

    fn apply(&self, doc: &Document, settings: &Settings, params: &toml::Table) -> Vec<Fix> {
        let keys = keys::strings(params, "keys")
            .ok()
            .filter(|_| params.contains_key("keys"));
        let fixes = common::fixes_of(doc, &common::findings(doc, settings, RULES));
        match keys {
            None => fixes,
            Some(keys) => fixes
                .into_iter()
                .filter(|f| keys.iter().any(|k| *k == key_before(doc, f.start)))
                .collect(),
        }
    }
}

/// The decoded, lowercase key of the parameter whose value starts at `value_start`.
fn key_before(doc: &Document, value_start: usize) -> String {
    let head = doc.text.get(..value_start).unwrap_or("");
    let Some(head) = head.strip_suffix('=') else {
        return String::new();
    };
    let from = head.rfind(['?', '&', ';']).map_or(0, |i| i + 1);
    decode_component(&head[from..]).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::Normalize;
    use crate::edit::recipes::testkit::{Case, check, refused};
    use crate::qa::page::Engine;

    const CONFIG: &str = "site_url = \"https://www.example.com\"\n[utm]\ncase = \"lower\"\nseparator = \"-\"\n[utm.medium_aliases]\n\"e-mail\" = \"email\"\n[utm.source_aliases]\nfb = \"facebook\"\n";

    #[test]
    fn values_take_the_taxonomys_case_separator_and_aliases_in_every_engine() {
        let cases = [
            Case {
                path: "a.html",
                engine: Engine::Liquid,
                before: "---\ntitle: A\n---\n<a href=\"https://p.example/?utm_source=FB&amp;utm_medium=E-Mail&amp;utm_campaign=2026_Spring_Sale\">a</a>\n",
                after: "---\ntitle: A\n---\n<a href=\"https://p.example/?utm_source=facebook&amp;utm_medium=email&amp;utm_campaign=2026-spring-sale\">a</a>\n",
                beside: &[("_config.yml", "title: x\n")],
            },
            Case {
                path: "templates/c.njk",
                engine: Engine::Jinja,
                before: "{% block body %}<a href=\"https://p.example/?utm_source={{ s }}&utm_medium=Email&utm_campaign=2026-x\">x</a>{% endblock %}\n",
                after: "{% block body %}<a href=\"https://p.example/?utm_source={{ s }}&utm_medium=email&utm_campaign=2026-x\">x</a>{% endblock %}\n",
                beside: &[],
            },
            Case {
                path: "layouts/_default/list.html",
                engine: Engine::Hugo,
                before: "<a href=\"https://p.example/?utm_source=Bing&utm_medium=cpc&utm_campaign={{ .Params.c }}&utm_content=Hero_Banner\">x</a>\n",
                after: "<a href=\"https://p.example/?utm_source=bing&utm_medium=cpc&utm_campaign={{ .Params.c }}&utm_content=hero-banner\">x</a>\n",
                beside: &[("hugo.toml", "")],
            },
            Case {
                path: "e.hbs",
                engine: Engine::Handlebars,
                before: "<a href=\"https://p.example/?utm_source=fb&utm_medium=social&utm_campaign={{camp}}\">x</a>\n",
                after: "<a href=\"https://p.example/?utm_source=facebook&utm_medium=social&utm_campaign={{camp}}\">x</a>\n",
                beside: &[],
            },
            Case {
                path: "f.md",
                engine: Engine::Liquid,
                before: "---\ntitle: x\n---\n[x](https://p.example/?utm_source=Google&utm_medium=CPC&utm_campaign=2026-x)\n",
                after: "---\ntitle: x\n---\n[x](https://p.example/?utm_source=google&utm_medium=cpc&utm_campaign=2026-x)\n",
                beside: &[],
            },
            Case {
                path: "g.html",
                engine: Engine::Html,
                before: "<a href=\"https://p.example/?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=2026 Spring\">x</a>\n",
                after: "<a href=\"https://p.example/?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=2026-spring\">x</a>\n",
                beside: &[],
            },
        ];
        check(&Normalize, "", CONFIG, &cases);
    }

    #[test]
    fn keys_limit_which_values_change() {
        let cases = [Case {
            path: "a.html",
            engine: Engine::Html,
            before: "<a href=\"https://p.example/?utm_source=FB&amp;utm_medium=E-Mail&amp;utm_campaign=2026-x\">a</a>\n",
            after: "<a href=\"https://p.example/?utm_source=facebook&amp;utm_medium=E-Mail&amp;utm_campaign=2026-x\">a</a>\n",
            beside: &[],
        }];
        check(&Normalize, "keys = [\"utm_source\"]", CONFIG, &cases);
    }

    #[test]
    fn bad_keys_are_refused() {
        let e = refused(&Normalize, "key = []");
        assert_eq!(e.hint.as_deref(), Some("did you mean `keys`?"));
        let e = refused(&Normalize, "keys = [\"utm_sorce\"]");
        assert_eq!(e.message, "`utm_sorce` is not a UTM key");
        assert_eq!(e.hint.as_deref(), Some("did you mean `utm_source`?"));
        let e = refused(&Normalize, "keys = 3");
        assert_eq!(e.key.as_deref(), Some("keys"));
    }
}
