//! `replace`: a literal or regex replacement limited to a scope (DOMAIN.md §5, requests 1,
//! 15): the visible text of the file (`"text"`), the text inside elements a selector
//! picks, or the spans of a QA rule's findings. Tags, attributes, scripts, comments and
//! template syntax never change in text scopes, and a finding's span is searched only
//! outside template syntax. A match inside an `exclude` pattern's match is left alone,
//! and so is one that already sits inside its own replacement (`Acme` → `Acme Inc.`
//! stays idempotent).

use regex::Regex;

use super::keys::{self, Pattern, error};
use super::markup::{self, fix, text_runs};
use super::select::Selector;
use super::{ParamError, Recipe, RecipeMeta};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::{self, FileCx, Settings};
use crate::qa::source::Span;

static META: RecipeMeta = RecipeMeta {
    name: "replace",
    summary: "Literal or regex replacement in visible text, a selector's text or a rule's findings",
    keys: &[
        ("find", "string, required", "the text (or regex) to replace"),
        (
            "with",
            "string, required",
            "the replacement; with `regex = true`, `$1` and `${name}` insert groups",
        ),
        (
            "regex",
            "bool, default false",
            "`find` and `exclude` are regular expressions",
        ),
        (
            "scope",
            "\"text\" | { selector = \"…\" } | { rules = [\"…\"] }, default \"text\"",
            "where matches count: visible text, text inside matching elements, or spans of these rules' findings",
        ),
        (
            "exclude",
            "array of strings, optional",
            "matches inside text matching one of these are left alone (e.g. a legal name, an e-mail)",
        ),
    ],
    example: r#"[[steps]]
recipe = "replace"
find = "Acme Analytics"
with = "Acme Insights"
scope = "text"
exclude = ["Acme Analytics, Inc."]"#,
};

const KEYS: &[&str] = &["find", "with", "regex", "scope", "exclude"];

pub struct Replace;

enum Scope {
    Text,
    Selector(Selector),
    Rules(Vec<&'static dyn rules::Rule>),
}

struct Plan<'a> {
    find: Pattern,
    with: &'a str,
    scope: Scope,
    exclude: Vec<Pattern>,
}

fn plan(params: &toml::Table) -> Result<Plan<'_>, ParamError> {
    keys::only(params, KEYS)?;
    let regex = keys::boolean(params, "regex", false)?;
    let find = Pattern::new("find", keys::required(params, "find")?, regex)?;
    let with = keys::string(params, "with")?
        .ok_or_else(|| error("with", "`with` is required (it may be \"\")", None))?;
    let exclude = keys::strings(params, "exclude")?
        .into_iter()
        .enumerate()
        .map(|(i, e)| Pattern::new(&format!("exclude[{i}]"), e, regex))
        .collect::<Result<_, _>>()?;
    let scope = scope(params.get("scope"))?;
    Ok(Plan {
        find,
        with,
        scope,
        exclude,
    })
}

fn scope(v: Option<&toml::Value>) -> Result<Scope, ParamError> {
    let hint =
        || Some("write scope = \"text\", { selector = \"…\" } or { rules = [\"CNT-001\"] }".into());
    match v {
        None => Ok(Scope::Text),
        Some(toml::Value::String(s)) if s == "text" => Ok(Scope::Text),
        Some(toml::Value::String(s)) => {
            Err(error("scope", format!("`scope` cannot be `{s}`"), hint()))
        }
        Some(toml::Value::Table(t)) => {
            keys::only_in(t, &["selector", "rules"], "scope.")?;
            if let Some(sel) = keys::string(t, "selector").map_err(|e| nested(e, "scope"))? {
                if t.contains_key("rules") {
                    return Err(error(
                        "scope",
                        "`scope` takes `selector` or `rules`, not both",
                        hint(),
                    ));
                }
                return Selector::parse(sel).map(Scope::Selector).map_err(|e| {
                    error(
                        "scope.selector",
                        format!("`scope.selector` is not a selector this recipe reads: {e}"),
                        None,
                    )
                });
            }
            let ids = keys::strings(t, "rules").map_err(|e| nested(e, "scope"))?;
            if ids.is_empty() {
                return Err(error(
                    "scope",
                    "`scope` needs a `selector` or a non-empty `rules`",
                    hint(),
                ));
            }
            ids.iter()
                .map(|id| rule(id))
                .collect::<Result<_, _>>()
                .map(Scope::Rules)
        }
        Some(other) => Err(error(
            "scope",
            format!(
                "`scope` must be \"text\" or a table, not {}",
                keys::type_name(other)
            ),
            hint(),
        )),
    }
}

fn nested(mut e: ParamError, prefix: &str) -> ParamError {
    e.key = e.key.map(|k| format!("{prefix}.{k}"));
    e
}

fn rule(id: &str) -> Result<&'static dyn rules::Rule, ParamError> {
    rules::find(id).ok_or_else(|| {
        let closest = rules::all()
            .iter()
            .map(|r| {
                (
                    strsim::levenshtein(&id.to_ascii_uppercase(), r.meta().id),
                    r.meta().id,
                )
            })
            .min()
            .map(|(_, c)| format!("did you mean `{c}`?"));
        error("scope.rules", format!("`{id}` is not a rule id"), closest)
    })
}

impl Recipe for Replace {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        plan(params).map(|_| ())
    }

    fn apply(&self, doc: &Document, settings: &Settings, params: &toml::Table) -> Vec<Fix> {
        let Ok(p) = plan(params) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for span in spans(doc, settings, &p.scope) {
            out.extend(replace_in(doc, span, &p));
        }
        markup::guarded(doc, markup::merged(out))
    }
}

/// Where matches count, as spans free of template syntax.
fn spans(doc: &Document, settings: &Settings, scope: &Scope) -> Vec<Span> {
    let body = Span::new(
        doc.front_matter.as_ref().map_or(0, |f| f.span.end),
        doc.text.len(),
    );
    match scope {
        Scope::Text => text_runs(doc, body),
        Scope::Selector(sel) => sel
            .select_outermost(doc)
            .into_iter()
            .filter_map(|el| doc.elements[el].content)
            .flat_map(|c| text_runs(doc, c))
            .collect(),
        Scope::Rules(list) => {
            let mut found = Vec::new();
            let cx = FileCx { doc, settings };
            for r in list {
                r.check_file(&cx, &mut found);
            }
            let mut out: Vec<Span> = found
                .iter()
                .filter(|f| *f.file == *doc.path)
                .flat_map(|f| outside_regions(doc, f.span))
                .collect();
            out.sort_by_key(|s| (s.start, s.end));
            out.dedup();
            out
        }
    }
}

fn outside_regions(doc: &Document, span: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut at = span.start;
    for r in doc.regions.within(span) {
        if r.span.start > at {
            out.push(Span::new(at, r.span.start));
        }
        at = at.max(r.span.end);
    }
    if at < span.end {
        out.push(Span::new(at, span.end));
    }
    out
}

/// The edits in `span`; none when a second pass would change the result again (a regex
/// whose output it matches once more).
fn replace_in(doc: &Document, span: Span, p: &Plan) -> Vec<Fix> {
    let hay = doc.slice(span);
    let local = edits(hay, p);
    if local.is_empty() {
        return Vec::new();
    }
    let (once, _) = crate::qa::fix::apply(hay, &local);
    if !edits(&once, p).is_empty() {
        return Vec::new();
    }
    local
        .into_iter()
        .map(|f| {
            fix(
                Span::new(span.start + f.start, span.start + f.end),
                f.replacement,
            )
        })
        .collect()
}

/// The replacements in `hay`, at offsets into it.
fn edits(hay: &str, p: &Plan) -> Vec<Fix> {
    let matches: Vec<(usize, usize, String)> = match &p.find {
        Pattern::Literal(_) => p
            .find
            .find_all(hay)
            .into_iter()
            .map(|(a, b)| (a, b, p.with.to_string()))
            .collect(),
        Pattern::Regex(re) => regex_matches(re, hay, p.with),
    };
    let covered = |pattern: &Pattern, a: usize, b: usize| {
        pattern.find_all(hay).iter().any(|&(s, e)| s <= a && b <= e)
    };
    matches
        .into_iter()
        .filter(|(a, b, new)| {
            let own = Pattern::Literal(new.clone());
            &hay[*a..*b] != new
                && !covered(&own, *a, *b)
                && !p.exclude.iter().any(|x| covered(x, *a, *b))
        })
        .map(|(a, b, new)| fix(Span::new(a, b), new))
        .collect()
}

fn regex_matches(re: &Regex, hay: &str, with: &str) -> Vec<(usize, usize, String)> {
    re.captures_iter(hay)
        .filter_map(|c| {
            let m = c.get(0)?;
            if m.is_empty() {
                return None;
            }
            let mut new = String::new();
            c.expand(with, &mut new);
            Some((m.start(), m.end(), new))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Replace;
    use crate::edit::recipes::Recipe;
    use crate::edit::recipes::testkit::{check_site, once};
    use crate::qa::page::Engine;

    const REBRAND: &str = "find = \"Tina Cloud\"\nwith = \"TinaCloud\"";

    #[test]
    fn text_scope_changes_copy_but_not_markup_front_matter_or_template_syntax() {
        let page = "---\nlayout: default\ntitle: Tina Cloud pricing\n---\n<p class=\"Tina Cloud\">Try Tina Cloud today.</p>\n<!-- Tina Cloud -->\n<a href=\"/tina-cloud/\" title=\"Tina Cloud\">{{ 'Tina Cloud' }} docs</a>\n<script>var n = 'Tina Cloud';</script>\n";
        let want = "---\nlayout: default\ntitle: Tina Cloud pricing\n---\n<p class=\"Tina Cloud\">Try TinaCloud today.</p>\n<!-- Tina Cloud -->\n<a href=\"/tina-cloud/\" title=\"Tina Cloud\">{{ 'Tina Cloud' }} docs</a>\n<script>var n = 'Tina Cloud';</script>\n";
        let files = [
            ("_config.yml", ""),
            (
                "_layouts/default.html",
                "<html><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>",
            ),
            ("pricing.html", page),
        ];
        check_site(
            &Replace,
            REBRAND,
            &files,
            "pricing.html",
            Engine::Liquid,
            want,
        );
    }

    #[test]
    fn markdown_keeps_code_and_link_targets() {
        let md = "---\ntitle: T\n---\nTina Cloud is here. See [Tina Cloud](https://example.com/Tina-Cloud) and `Tina Cloud`.\n\n```\nTina Cloud\n```\n";
        let want = "---\ntitle: T\n---\nTinaCloud is here. See [TinaCloud](https://example.com/Tina-Cloud) and `Tina Cloud`.\n\n```\nTina Cloud\n```\n";
        let files = [("hugo.toml", ""), ("content/a.md", md)];
        check_site(
            &Replace,
            REBRAND,
            &files,
            "content/a.md",
            Engine::Hugo,
            want,
        );
    }

    #[test]
    fn selector_scope_with_regex_groups_and_exclusions_in_jinja() {
        let step = "find = '\\$(\\d+)/mo'\nwith = '$$${1}.00/mo'\nregex = true\nscope = { selector = \".price\" }\nexclude = ['\\$2\\d/mo']";
        let page = "{% extends \"base.html\" %}\n{% block main %}<p class=\"price\">$1/mo</p><p class=\"price\">$24/mo</p><p>$1/mo</p>{% endblock %}\n";
        let want = "{% extends \"base.html\" %}\n{% block main %}<p class=\"price\">$1.00/mo</p><p class=\"price\">$24/mo</p><p>$1/mo</p>{% endblock %}\n";
        let files = [
            (
                "templates/base.html",
                "<html><head><title>T</title></head><body>{% block main %}{% endblock %}</body></html>",
            ),
            ("templates/page.html", page),
        ];
        check_site(
            &Replace,
            step,
            &files,
            "templates/page.html",
            Engine::Jinja,
            want,
        );
    }

    #[test]
    fn a_replacement_holding_the_match_is_idempotent_in_handlebars_and_html() {
        let step = "find = \"Acme\"\nwith = \"Acme Inc.\"\nexclude = [\"Acme Analytics\"]";
        let hbs =
            "{{#> layout}}<p>Acme and Acme Analytics, by {{ author }} at Acme</p>{{/layout}}\n";
        let want = "{{#> layout}}<p>Acme Inc. and Acme Analytics, by {{ author }} at Acme Inc.</p>{{/layout}}\n";
        let files = [
            (
                "templates/layout.hbs",
                "<html><head><title>T</title></head><body>{{> @partial-block}}</body></html>",
            ),
            ("templates/index.hbs", hbs),
        ];
        check_site(
            &Replace,
            step,
            &files,
            "templates/index.hbs",
            Engine::Handlebars,
            want,
        );
        let html =
            "<html><head><title>About Acme today</title></head><body><h1>Acme</h1></body></html>\n";
        let want = "<html><head><title>About Acme Inc. today</title></head><body><h1>Acme Inc.</h1></body></html>\n";
        check_site(
            &Replace,
            step,
            &[("index.html", html)],
            "index.html",
            Engine::Html,
            want,
        );
    }

    #[test]
    fn rules_scope_edits_only_inside_findings() {
        let step = "find = \"TODO\"\nwith = \"soon\"\nscope = { rules = [\"CNT-001\"] }";
        let html = "<p>Launch TODO.</p><!-- TODO: check -->\n";
        assert_eq!(
            once(&Replace, step, "index.html", html, Engine::Html),
            "<p>Launch soon.</p><!-- TODO: check -->\n"
        );
    }

    #[test]
    fn bad_keys_are_named() {
        let t = |s: &str| Replace.validate(&s.parse().unwrap()).unwrap_err();
        assert_eq!(t("find = 'a'").key.as_deref(), Some("with"));
        assert_eq!(
            t("find = '('\nwith = ''\nregex = true").key.as_deref(),
            Some("find")
        );
        assert_eq!(
            t("find = 'a'\nwith = ''\nscope = 'page'").key.as_deref(),
            Some("scope")
        );
        assert_eq!(
            t("find = 'a'\nwith = ''\nscope = { rules = ['CNT-01'] }")
                .hint
                .as_deref(),
            Some("did you mean `CNT-001`?")
        );
        assert_eq!(
            t("find = 'a'\nwith = ''\nscope = { selectr = 'p' }")
                .hint
                .as_deref(),
            Some("did you mean `scope.selector`?")
        );
        assert_eq!(
            t("find = 'a'\nwith = ''\nexclude = [1]").key.as_deref(),
            Some("exclude[0]")
        );
        assert_eq!(
            t("find = 'a'\nwith = ''\nexlude = []").hint.as_deref(),
            Some("did you mean `exclude`?")
        );
    }
}
