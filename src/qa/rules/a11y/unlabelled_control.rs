//! A11Y-004 unlabelled-control: a form control (`<input>`, `<select>`, `<textarea>`) with no
//! label, and an `<html>` element with no `lang`. Labels are looked for across the whole
//! page view (a `<label for>` may sit in another include), so controls are judged only on
//! complete views; a missing `<title>` is SEO-001's, not this rule's.

use std::collections::HashSet;

use super::{
    Scopes, Value, has_aria_name, has_template_attrs, is_hidden_from_assistive_tech, value,
};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::page::template::RegionKind;
use crate::qa::rules::{FileCx, PageCx, Rule};
use crate::qa::view::PageView;

static META: RuleMeta = RuleMeta {
    id: "A11Y-004",
    name: "unlabelled-control",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "Form control without a label, or <html> without a lang attribute",
    why: "A screen reader announces an unlabelled field as just \"edit text\", so the visitor cannot tell what to type and the form (signup, demo request) is abandoned; without `lang` the page is read with the wrong voice and pronunciation.",
    bad: "<html>\n<body>\n<form action=\"/signup\"><input type=\"email\" name=\"email\"><button>Sign up</button></form>\n</body>\n</html>\n",
    good: "<html lang=\"en\">\n<body>\n<form action=\"/signup\"><label for=\"email\">Work email</label><input type=\"email\" id=\"email\" name=\"email\"><button>Sign up</button></form>\n</body>\n</html>\n",
    source: "WCAG 2.2 SC 1.3.1, 3.3.2 Labels or Instructions, 3.1.1 Language of Page; axe-core label, select-name, html-has-lang",
};

/// `<input type>`s that need no label: they are buttons or are not shown.
const UNLABELLED_TYPES: &[&str] = &["hidden", "submit", "button", "reset", "image"];

pub struct UnlabelledControl;

impl Rule for UnlabelledControl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let scopes = Scopes::of(doc);
        for el in doc.elements_named("html") {
            if scopes.is_code(doc.elements[el].tag.start) || has_template_attrs(doc, el) {
                continue;
            }
            if value(doc, el, "lang").has_text() || value(doc, el, "xml:lang").has_text() {
                continue;
            }
            out.push(
                Finding::at(
                    &META,
                    doc,
                    doc.elements[el].tag,
                    "`<html>` has no `lang` attribute",
                )
                .hint("add the language of the page, e.g. `<html lang=\"en\">`"),
            );
        }
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        if !view.is_complete() {
            return;
        }
        let labels = Labels::of(view);
        for doc in &view.docs {
            let scopes = Scopes::of(doc);
            for (el, element) in doc.elements.iter().enumerate() {
                let Some(what) = control(doc, el) else {
                    continue;
                };
                let at = element.tag.start;
                if scopes.is_code(at) || scopes.is_definition(at) || is_labelled(doc, el, &labels) {
                    continue;
                }
                out.push(
                    Finding::at(&META, doc, element.tag, format!("{what} has no label"))
                        .hint("add a `<label for=\"…\">` naming the field (or wrap the field in its `<label>`); `aria-label` works when no visible label fits"),
                );
            }
        }
    }
}

/// What the page view's `<label>`s tell.
struct Labels {
    /// Literal `for` values.
    targets: HashSet<String>,
    /// A `for` built by a template: it may name any id.
    dynamic_for: bool,
    /// Files with a `<label>` wrapping template output or an include, which may print a
    /// control from another file inside it.
    wrapping: HashSet<std::sync::Arc<str>>,
}

impl Labels {
    fn of(view: &PageView) -> Labels {
        let mut labels = Labels {
            targets: HashSet::new(),
            dynamic_for: false,
            wrapping: HashSet::new(),
        };
        for (doc, el) in view.elements_named("label") {
            match value(doc, el, "for") {
                Value::Literal(id) => {
                    labels.targets.insert(id);
                }
                Value::Dynamic => labels.dynamic_for = true,
                Value::Empty | Value::Absent => {}
            }
            let wraps = doc.elements[el].content.is_some_and(|c| {
                doc.regions
                    .within(c)
                    .iter()
                    .any(|r| r.kind != RegionKind::Comment)
            });
            if wraps {
                labels.wrapping.insert(doc.path.clone());
            }
        }
        labels
    }
}

/// How a control is named in the message, when it needs a label.
fn control(doc: &Document, el: usize) -> Option<String> {
    match doc.elements[el].name.as_ref() {
        "input" => match value(doc, el, "type") {
            Value::Absent | Value::Empty => Some("`<input>`".into()),
            Value::Literal(t) if !UNLABELLED_TYPES.contains(&t.to_ascii_lowercase().as_str()) => {
                Some(format!("`<input type=\"{t}\">`"))
            }
            _ => None,
        },
        "select" => Some("`<select>`".into()),
        "textarea" => Some("`<textarea>`".into()),
        _ => None,
    }
}

fn is_labelled(doc: &Document, el: usize, labels: &Labels) -> bool {
    if has_template_attrs(doc, el)
        || has_aria_name(doc, el)
        || value(doc, el, "placeholder").has_text()
        || is_hidden_from_assistive_tech(doc, el)
        || value(doc, el, "hidden") != Value::Absent
        || doc.has_ancestor(el, "label")
        || labels.wrapping.iter().any(|p| *p != doc.path)
    {
        return true;
    }
    match value(doc, el, "id") {
        Value::Literal(id) => labels.dynamic_for || labels.targets.contains(&id),
        Value::Dynamic => true,
        Value::Empty | Value::Absent => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn unlabelled_controls_are_flagged_in_every_engine_at_their_tag() {
        let layout = "<html lang=\"en\"><body>{{ content }}</body></html>\n";
        let liquid = "---\nlayout: default\n---\n<form>\n  <input type=\"email\" name=\"{{ page.name }}\">\n  <select name=s></select><textarea id=t></textarea>\n</form>\n";
        let md = "---\nlayout: default\n---\nSearch:\n\n<input type=search id=q>\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("_layouts/default.html", layout),
                ("index.html", liquid),
                ("s.md", md),
            ],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-004"),
            [
                ("index.html".into(), 5, 3),
                ("index.html".into(), 6, 3),
                ("index.html".into(), 6, 27),
                ("s.md".into(), 6, 1)
            ]
        );

        let jinja = "{% extends \"base.html\" %}\n{% block body %}<input name=q>{% endblock %}\n";
        let base = "<html lang=\"en\"><body>{% block body %}{% endblock %}</body></html>\n";
        let f = check_files(
            &[
                ("templates/page.html", jinja),
                ("templates/base.html", base),
            ],
            "",
        );
        assert_eq!(at(&f, "A11Y-004"), [("templates/page.html".into(), 2, 17)]);

        let hugo = "{{ define \"main\" }}\n<form><input type=\"text\" name=\"{{ .Name }}\"></form>\n{{ end }}\n";
        let baseof = "<html lang=\"{{ .Site.LanguageCode }}\"><body>{{ block \"main\" . }}{{ end }}</body></html>\n";
        let f = check_files(
            &[
                ("hugo.toml", ""),
                ("content/a.md", "x"),
                ("layouts/_default/single.html", hugo),
                ("layouts/_default/baseof.html", baseof),
            ],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-004"),
            [("layouts/_default/single.html".into(), 2, 7)]
        );

        let page = "{{#> layout}}<input type=checkbox name=ok>{{/layout}}\n";
        let layout = "<html lang=\"en\"><body>{{> @partial-block}}</body></html>\n";
        let f = check_files(
            &[
                ("templates/page.hbs", page),
                ("templates/layout.hbs", layout),
            ],
            "",
        );
        assert!(
            at(&f, "A11Y-004").is_empty(),
            "an incomplete view (@partial-block) is not judged: {f:#?}"
        );
    }

    #[test]
    fn labelled_named_hidden_and_unknown_controls_pass() {
        let page = concat!(
            "<html lang=\"en\"><body><label for=e>Email</label><input id=e type=email>",
            "<label>Name <input name=n></label><input aria-label=Search><input placeholder=\"Search\">",
            "<input type=hidden name=x><input type=submit><input type=\"{{ t }}\"><input id=\"{{ id }}\">",
            "<input {{ attrs }}><select title=Country></select><input id=far>",
            "{% include footer.html %}{% macro f(n) %}<input name=\"{{ n }}\">{% endmacro %}</body></html>\n"
        );
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("index.html", page),
                ("_includes/footer.html", "<label for=far>Far</label>"),
            ],
            "",
        );
        assert!(at(&f, "A11Y-004").is_empty(), "{f:#?}");

        let wrapped =
            "<html lang=\"en\"><body><label>Email {% include field.html %}</label></body></html>\n";
        let f = check_files(
            &[
                ("_config.yml", ""),
                ("index.html", wrapped),
                ("_includes/field.html", "<input type=email>"),
            ],
            "",
        );
        assert!(at(&f, "A11Y-004").is_empty(), "{f:#?}");
    }

    #[test]
    fn html_without_lang_is_flagged_and_template_lang_passes() {
        let f = check_files(
            &[
                ("_config.yml", ""),
                (
                    "_layouts/a.html",
                    "<!doctype html>\n<html class=no-js>\n</html>\n",
                ),
                ("_layouts/b.html", "<html lang=\"{{ site.lang }}\"></html>"),
                ("_layouts/c.html", "<html {{ lang_attr }}></html>"),
                ("_layouts/d.html", "<html lang=\"\"></html>"),
            ],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-004"),
            [
                ("_layouts/a.html".into(), 2, 1),
                ("_layouts/d.html".into(), 1, 1)
            ]
        );
    }
}
