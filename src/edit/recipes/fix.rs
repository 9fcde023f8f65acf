//! `fix`: applies every deterministic fix the QA engine offers for the listed rule ids on a
//! file, as `sitewide check --fix` would for those rules: the file-level rules run on the
//! document (with `[rules]`, `[[ignore]]` and inline `sitewide-ignore` honoured) and their
//! fixes are the edits. Fixes that need a page's layouts (SEO-003, SOC-*) are not file-level
//! and are left to their own recipes (`canonical.fix`).

use super::{ParamError, Recipe, RecipeMeta};
use super::{common, keys};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;

static META: RecipeMeta = RecipeMeta {
    name: "fix",
    summary: "Apply every deterministic fix the QA engine offers for the listed rules",
    keys: &[(
        "rules",
        "list of rule ids or globs, required",
        "which rules' fixes to apply, e.g. [\"UTM-*\", \"LNK-002\"]",
    )],
    example: "[[steps]]\nrecipe = \"fix\"\nrules = [\"UTM-*\", \"LNK-002\"]\n",
};

const KEYS: &[&str] = &["rules"];

pub struct FixRules;

impl Recipe for FixRules {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        keys::only(params, KEYS)?;
        let rules = keys::strings(params, "rules")?;
        if rules.is_empty() {
            return Err(ParamError {
                key: Some("rules".into()),
                message: "`fix` needs `rules`, the rule ids whose fixes it applies".into(),
                hint: Some("e.g. rules = [\"UTM-*\", \"LNK-002\"]".into()),
            });
        }
        keys::rule_patterns("rules", &rules)
    }

    fn apply(&self, doc: &Document, settings: &Settings, params: &toml::Table) -> Vec<Fix> {
        let rules = keys::strings(params, "rules").unwrap_or_default();
        if rules.is_empty() {
            return Vec::new();
        }
        common::fixes_of(doc, &common::findings(doc, settings, &rules))
    }
}

#[cfg(test)]
mod tests {
    use super::FixRules;
    use crate::edit::recipes::testkit::{Case, check, refused};
    use crate::qa::page::Engine;

    const CONFIG: &str =
        "site_url = \"https://www.example.com\"\n[utm]\ninternal_hosts = [\"example.com\"]\n";
    const STEP: &str = "rules = [\"UTM-*\", \"LNK-002\"]";

    #[test]
    fn utm_and_link_fixes_are_applied_in_every_engine() {
        let cases = [
            Case {
                path: "a.html",
                engine: Engine::Liquid,
                before: "---\ntitle: A\n---\n<a href=\"/p?utm_source=a\">p</a> <a href=\"https://a.example/?utm_source=FB&amp;utm_medium=email&amp;utm_campaign=x\" target=\"_blank\">a</a>\n<footer>© 2019</footer>\n",
                after: "---\ntitle: A\n---\n<a href=\"/p\">p</a> <a href=\"https://a.example/?utm_source=facebook&amp;utm_medium=email&amp;utm_campaign=x\" target=\"_blank\" rel=\"noopener\">a</a>\n<footer>© 2019</footer>\n",
                beside: &[("_config.yml", "title: x\n")],
            },
            Case {
                path: "templates/c.njk",
                engine: Engine::Jinja,
                before: "{% block body %}<a href=\"https://a.example/?utm_source=x&utm_medium=cpc&utm_campaign={{ c }}&utm_source=x\">x</a>{% endblock %}\n",
                after: "{% block body %}<a href=\"https://a.example/?utm_source=x&utm_medium=cpc&utm_campaign={{ c }}\">x</a>{% endblock %}\n",
                beside: &[],
            },
            Case {
                path: "layouts/_default/list.html",
                engine: Engine::Hugo,
                before: "<a href=\"https://a.example/p#top?utm_source=google&utm_medium=cpc&utm_campaign=x\">x</a> <a href=\"{{ .Permalink }}?utm_source=a\">y</a>\n",
                after: "<a href=\"https://a.example/p?utm_source=google&utm_medium=cpc&utm_campaign=x#top\">x</a> <a href=\"{{ .Permalink }}?utm_source=a\">y</a>\n",
                beside: &[("hugo.toml", "")],
            },
            Case {
                path: "e.hbs",
                engine: Engine::Handlebars,
                before: "<a href=\"https://a.example/?Utm_Source=google&utm_medium=cpc&utm_campaign={{c}}\" target=\"_blank\">x</a>\n",
                after: "<a href=\"https://a.example/?utm_source=google&utm_medium=cpc&utm_campaign={{c}}\" target=\"_blank\" rel=\"noopener\">x</a>\n",
                beside: &[],
            },
            Case {
                path: "f.md",
                engine: Engine::Liquid,
                before: "---\ntitle: x\n---\n[x](/p?utm_medium=email&x=1) [y](https://a.example/?utm_source=google&utm_medium=CPC&utm_campaign=x)\n",
                after: "---\ntitle: x\n---\n[x](/p?x=1) [y](https://a.example/?utm_source=google&utm_medium=cpc&utm_campaign=x)\n",
                beside: &[],
            },
            Case {
                path: "g.html",
                engine: Engine::Html,
                before: "<link rel=\"canonical\" href=\"https://www.example.com/p?utm_source=x&amp;page=2\">\n<a href=\"/p?email=jane%40gmail.com&amp;x=1\">b</a>\n",
                after: "<link rel=\"canonical\" href=\"https://www.example.com/p?page=2\">\n<a href=\"/p?x=1\">b</a>\n",
                beside: &[],
            },
        ];
        check(&FixRules, STEP, CONFIG, &cases);
    }

    #[test]
    fn other_rules_fixes_are_left_alone() {
        let cases = [Case {
            path: "g.html",
            engine: Engine::Html,
            before: "<a href=\"/p?utm_source=a\" >p</a><a href=\"https://a.example/\" target=\"_blank\">a</a>\n",
            after: "<a href=\"/p?utm_source=a\" >p</a><a href=\"https://a.example/\" target=\"_blank\" rel=\"noopener\">a</a>\n",
            beside: &[],
        }];
        check(&FixRules, "rules = [\"LNK-002\"]", CONFIG, &cases);
    }

    #[test]
    fn missing_or_unknown_rules_are_refused() {
        let e = refused(&FixRules, "");
        assert_eq!(e.key.as_deref(), Some("rules"));
        let e = refused(&FixRules, "rules = [\"UTM-08\"]");
        assert_eq!(e.message, "unknown rule \"UTM-08\" (did you mean UTM-008?)");
        let e = refused(&FixRules, "rule = [\"UTM-008\"]");
        assert_eq!(e.hint.as_deref(), Some("did you mean `rules`?"));
    }
}
