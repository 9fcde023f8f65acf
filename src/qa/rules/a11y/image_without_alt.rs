//! A11Y-001 image-without-alt: an `<img>`, `<input type=image>` or `<area href>` with no
//! `alt` attribute. An empty `alt=""` (decorative), a template-built `alt` and Markdown
//! images (which always render an `alt`) pass; a tag whose attributes a template spreads is
//! skipped, since its `alt` may come from there.

use super::{Value, has_aria_name, has_template_attrs, is_hidden_from_assistive_tech, value};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "A11Y-001",
    name: "image-without-alt",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "Image without an alt attribute (<img>, <input type=image>, <area href>)",
    why: "Screen readers read out the file name of an image without alt text, or skip it, so the information or the link it carries is lost; search engines index the alt text too.",
    bad: r#"<p><img src="/img/team.jpg"></p>"#,
    good: r#"<p><img src="/img/team.jpg" alt="The support team at the Lisbon office"> <img src="/img/divider.svg" alt=""></p>"#,
    source: "WCAG 2.2 SC 1.1.1 Non-text Content; axe-core image-alt, input-image-alt, area-alt",
};

pub struct ImageWithoutAlt;

impl Rule for ImageWithoutAlt {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let scopes = super::Scopes::of(doc);
        for (el, element) in doc.elements.iter().enumerate() {
            let Some(what) = needs_alt(doc, el) else {
                continue;
            };
            if scopes.is_code(element.tag.start) || has_template_attrs(doc, el) {
                continue;
            }
            if value(doc, el, "alt") != Value::Absent
                || has_aria_name(doc, el)
                || is_hidden_from_assistive_tech(doc, el)
            {
                continue;
            }
            out.push(
                Finding::at(&META, doc, element.tag, format!("{what} has no `alt` attribute"))
                    .hint("describe what the image shows or says in `alt`; use `alt=\"\"` if it is only decoration"),
            );
        }
    }
}

/// How the element is named in the message, when it must have an `alt`.
fn needs_alt(doc: &Document, el: usize) -> Option<&'static str> {
    match doc.elements[el].name.as_ref() {
        "img" => Some("`<img>`"),
        "input" if value(doc, el, "type").is_literal("image") => Some("`<input type=\"image\">`"),
        "area" if value(doc, el, "href") != Value::Absent => Some("`<area>` link"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn an_image_without_alt_is_flagged_in_every_engine_at_its_tag() {
        let liquid =
            "---\nlayout: null\n---\n<p>\n  <img src=\"{{ '/a.png' | relative_url }}\">\n</p>\n";
        let md = "---\ntitle: x\n---\nIntro ![chart](/c.png)\n\n<img src=\"/b.png\" class=\"x\">\n";
        let f = check_files(
            &[("_config.yml", ""), ("index.html", liquid), ("post.md", md)],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-001"),
            [("index.html".into(), 5, 3), ("post.md".into(), 6, 1)]
        );

        let jinja = "{% extends \"base.html\" %}\n{% block body %}<input type=\"image\" src=\"/go.png\">{% endblock %}\n";
        let base = "<html lang=\"en\"><body>{% block body %}{% endblock %}<map><area href=\"/x\" shape=rect></map></body></html>\n";
        let f = check_files(
            &[
                ("templates/page.html", jinja),
                ("templates/base.html", base),
            ],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-001"),
            [
                ("templates/base.html".into(), 1, 58),
                ("templates/page.html".into(), 2, 17)
            ]
        );

        let hugo = "{{ define \"main\" }}\n<img src=\"{{ .Params.image }}\">\n{{ end }}\n";
        let hbs = "<div>{{#if hero}}<img src=\"{{hero}}\">{{/if}}</div>\n";
        let f = check_files(
            &[
                ("hugo.toml", ""),
                ("content/a.md", "x"),
                ("layouts/_default/single.html", hugo),
            ],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-001"),
            [("layouts/_default/single.html".into(), 2, 1)]
        );
        let f = check_files(&[("templates/x.hbs", hbs)], "");
        assert_eq!(at(&f, "A11Y-001"), [("templates/x.hbs".into(), 1, 18)]);
    }

    #[test]
    fn decorative_named_hidden_and_template_alts_pass() {
        let page = concat!(
            "<img src=a alt=\"\"><img src=b alt><img src=c alt=\"{{ page.alt }}\">",
            "<img src=d role=presentation><img src=e aria-hidden=\"true\"><img src=f aria-label=\"Logo\">",
            "<input type=image src=g alt=\"Go\"><input type=text><area shape=rect>",
            "<img {{ attrs }}><img src=x {% if a %}alt=\"y\"{% endif %}>",
            "{% highlight html %}<img src=code>{% endhighlight %}<!-- <img src=c> -->\n"
        );
        let md = "---\ntitle: x\n---\n![](/decorative.png) and `<img src=x>`\n\n```html\n<img src=y>\n```\n";
        let f = check_files(
            &[("_config.yml", ""), ("index.html", page), ("a.md", md)],
            "",
        );
        assert!(at(&f, "A11Y-001").is_empty(), "{f:#?}");
    }
}
