//! A11Y-003 vague-link-text: a link whose whole text is "click here", "read more" and the
//! like, with no `aria-label`, `aria-labelledby` or `title`; and an icon-only link whose
//! images and SVGs give it no name. Links whose text a template prints are never judged.

use super::{Scopes, Value, descendants, has_aria_name, has_template_attrs, value};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::{Document, Format, markdown};
use crate::qa::rules::{FileCx, Rule};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "A11Y-003",
    name: "vague-link-text",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "Link text that says nothing on its own (\"click here\", \"read more\") or an icon link with no name",
    why: "Screen reader users list a page's links out of context; ten \"Read more\" links are indistinguishable, and an icon link without a name is read as its URL. Search engines also use link text to understand the target.",
    bad: r#"<p>Our pricing changed. <a href="/pricing">Click here</a>.</p>"#,
    good: r#"<p>Our pricing changed: <a href="/pricing">see the new pricing</a>.</p>"#,
    source: "WCAG 2.2 SC 2.4.4 Link Purpose (In Context); axe-core link-name",
};

/// Link texts that name no destination, compared lowercase with surrounding punctuation
/// and arrows removed.
const VAGUE: &[&str] = &[
    "click here",
    "here",
    "read more",
    "more",
    "learn more",
    "this link",
    "link",
    "click",
    "click this link",
    "read more here",
    "learn more here",
    "more info",
    "more information",
];

pub struct VagueLinkText;

impl Rule for VagueLinkText {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let scopes = Scopes::of(doc);
        for (el, element) in doc.elements.iter().enumerate() {
            if element.name != "a"
                || value(doc, el, "href") == Value::Absent
                || scopes.is_code(element.tag.start)
            {
                continue;
            }
            if let Some(problem) = html_link_problem(doc, el) {
                out.push(problem.finding(doc, element.tag));
            }
        }
        if doc.format == Format::Markdown {
            check_markdown(doc, out);
        }
    }
}

enum Problem {
    Vague(String),
    NoName,
}

impl Problem {
    fn finding(self, doc: &Document, span: Span) -> Finding {
        match self {
            Problem::Vague(text) => Finding::at(&META, doc, span, format!("link text \"{text}\" does not say where the link goes"))
                .hint("name the destination in the link text (\"see the pricing plans\"), or add an aria-label that does"),
            Problem::NoName => Finding::at(&META, doc, span, "link has no accessible name: it holds no text, and no image with alt text")
                .hint("give the image alt text that names the destination, or add an aria-label to the link"),
        }
    }
}

fn html_link_problem(doc: &Document, el: usize) -> Option<Problem> {
    if has_template_attrs(doc, el)
        || has_aria_name(doc, el)
        || super::is_hidden_from_assistive_tech(doc, el)
    {
        return None;
    }
    if value(doc, el, "role").has_text() && !value(doc, el, "role").is_literal("link") {
        return None;
    }
    let text = doc.text_of(el)?;
    if doc.text_is_dynamic(el) {
        return None;
    }
    if !text.is_empty() {
        return vague(&text).then_some(Problem::Vague(text));
    }
    let mut has_icon = false;
    for d in descendants(doc, el) {
        let name = doc.elements[d].name.as_ref();
        if has_template_attrs(doc, d) || has_aria_name(doc, d) || name == "title" {
            return None;
        }
        match name {
            "img" if value(doc, d, "alt").has_text() => return None,
            "img" | "svg" => has_icon = true,
            "input" | "object" | "embed" | "iframe" | "canvas" | "video" | "audio" | "math"
            | "button" => return None,
            _ => {}
        }
    }
    has_icon.then_some(Problem::NoName)
}

/// Markdown links: `[Read more](/x)`, and `[![](/icon.svg)](/x)` whose image has no alt.
fn check_markdown(doc: &Document, out: &mut Vec<Finding>) {
    let body = Span::new(
        doc.front_matter.as_ref().map_or(0, |f| f.span.end),
        doc.text.len(),
    );
    let scan = markdown::scan(&doc.text, body, &doc.regions);
    for link in &scan.links {
        if link.is_image {
            check_image_link(doc, link.span, out);
            continue;
        }
        let raw = doc.slice(link.span);
        let Some(text_span) = bracketed(raw).map(|s| s.offset(link.span.start)) else {
            continue;
        };
        if doc.is_dynamic(text_span) || has_title_or_attributes(doc, link.span, text_span) {
            continue;
        }
        let text = doc.slice(text_span).trim();
        let problem = if let Some(image) = text.strip_prefix('!') {
            let only_image = text.ends_with(')') && text.matches("![").count() == 1;
            let alt = bracketed(image).map_or("x", |s| &image[s.start..s.end]);
            (only_image && alt.trim().is_empty()).then_some(Problem::NoName)
        } else if text.contains("![") || text.contains(['<', '[']) {
            None
        } else {
            let plain: String = text
                .chars()
                .filter(|c| !matches!(c, '*' | '_' | '`' | '~' | '\\'))
                .collect();
            let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
            vague(&plain).then_some(Problem::Vague(plain))
        };
        if let Some(p) = problem {
            out.push(p.finding(doc, link.span));
        }
    }
}

/// `[![](/icon.svg)](/x)`: the scan reports the image but not the link around it, so the
/// link is found from the bytes around the image.
fn check_image_link(doc: &Document, image: Span, out: &mut Vec<Finding>) {
    let raw = doc.slice(image);
    let alt = raw
        .strip_prefix('!')
        .and_then(|r| bracketed(r).map(|s| &r[s.start..s.end]));
    let wrapped = image.start > 0
        && doc.text.as_bytes()[image.start - 1] == b'['
        && doc
            .text
            .get(image.end..)
            .is_some_and(|r| r.starts_with("]("));
    if !wrapped || alt.is_none_or(|a| !a.trim().is_empty()) {
        return;
    }
    let Some(close) = doc.text[image.end..].find(')') else {
        return;
    };
    let link = Span::new(image.start - 1, image.end + close + 1);
    if has_title_or_attributes(doc, link, image) {
        return;
    }
    out.push(Problem::NoName.finding(doc, link));
}

/// The text between the leading `[` and its matching `]`, relative to `raw`.
fn bracketed(raw: &str) -> Option<Span> {
    let bytes = raw.as_bytes();
    if bytes.first() != Some(&b'[') {
        return None;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(Span::new(1, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// True when the link has a title (`[x](/u "Title")`) or kramdown attributes after it
/// (`[x](/u){: aria-label="…"}`), either of which may name it.
fn has_title_or_attributes(doc: &Document, link: Span, text: Span) -> bool {
    let dest = doc.text.get(text.end + 1..link.end).unwrap_or("");
    let after = doc.text.get(link.end..).unwrap_or("");
    dest.contains(['"', '\'']) || after.starts_with('{')
}

fn vague(text: &str) -> bool {
    // Every vague phrase is short: a long text is specific enough, whatever it says.
    if text.len() > 64 {
        return false;
    }
    // And starts with one of a few letters: most link texts are out at the first one.
    let first = text
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .next();
    let starts_like_one = first.is_some_and(|f| {
        VAGUE
            .iter()
            .any(|v| v.chars().next().is_some_and(|c| c.eq_ignore_ascii_case(&f)))
    });
    if !starts_like_one {
        return false;
    }
    // Entities the page model leaves undecoded (`&rarr;`, `&raquo;`) are decoration too.
    let mut lower = String::new();
    for (i, part) in text.to_lowercase().split('&').enumerate() {
        let rest = match part.split_once(';') {
            Some((name, rest))
                if i > 0
                    && name.len() <= 8
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '#') =>
            {
                rest
            }
            _ if i > 0 => {
                lower.push('&');
                part
            }
            _ => part,
        };
        lower.push(' ');
        lower.push_str(rest);
    }
    let core = lower.trim_matches(|c: char| !c.is_alphanumeric());
    let core = core.split_whitespace().collect::<Vec<_>>().join(" ");
    VAGUE.contains(&core.as_str())
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn vague_link_text_is_flagged_in_every_engine_at_the_link() {
        let liquid = "---\nlayout: null\n---\n<p>See <a href=\"{{ '/p' | relative_url }}\">Click here</a>.\n<a href=/x class=more>Read more &rarr;</a> <a href=/y>Learn more »</a></p>\n";
        let md = "---\ntitle: x\n---\nPricing changed, [read **more**](/pricing).\nDocs are [here][docs].\n\n[docs]: /docs\n";
        let f = check_files(
            &[("_config.yml", ""), ("index.html", liquid), ("post.md", md)],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-003"),
            [
                ("index.html".into(), 4, 8),
                ("index.html".into(), 5, 1),
                ("index.html".into(), 5, 44),
                ("post.md".into(), 4, 18),
                ("post.md".into(), 5, 10),
            ]
        );

        let jinja = "{% extends \"base.html\" %}\n{% block body %}<a href=\"{{ url_for('x') }}\">here</a>{% endblock %}\n";
        let base = "<html lang=\"en\"><body>{% block body %}{% endblock %}</body></html>\n";
        let f = check_files(
            &[
                ("templates/page.html", jinja),
                ("templates/base.html", base),
            ],
            "",
        );
        assert_eq!(at(&f, "A11Y-003"), [("templates/page.html".into(), 2, 17)]);

        let hugo = "{{ define \"main\" }}\n<a href=\"{{ .Permalink }}\">More</a>\n{{ end }}\n";
        let f = check_files(
            &[
                ("hugo.toml", ""),
                ("content/a.md", "x"),
                ("layouts/_default/single.html", hugo),
            ],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-003"),
            [("layouts/_default/single.html".into(), 2, 1)]
        );

        let hbs = "{{#each posts}}<a href=\"{{url}}\">Read more</a>{{/each}}\n";
        let f = check_files(&[("templates/x.hbs", hbs)], "");
        assert_eq!(at(&f, "A11Y-003"), [("templates/x.hbs".into(), 1, 16)]);
    }

    #[test]
    fn descriptive_named_and_template_text_pass() {
        let page = concat!(
            "<a href=/p>See the pricing plans</a><a href=/p aria-label=\"Read more about pricing\">Read more</a>",
            "<a href=/p title=\"Pricing\">here</a><a href=/p>Read more<span class=sr-only> about pricing</span></a>",
            "<a href=/p>{{ link_text }}</a><a href=/p>{% if a %}here{% else %}Pricing{% endif %}</a>",
            "<a name=here>here</a><a href=/p role=button>More</a><a {{ attrs }}>here</a>",
            "{% highlight html %}<a href=/p>here</a>{% endhighlight %}\n"
        );
        let md = "---\ntitle: x\n---\n[the pricing plans](/p) [here](/p \"Pricing\") [more](/p){: aria-label=\"Pricing\"} [{{ t }}](/p) `[here](/p)` ![here](/i.png)\n";
        let f = check_files(
            &[("_config.yml", ""), ("index.html", page), ("a.md", md)],
            "",
        );
        assert!(at(&f, "A11Y-003").is_empty(), "{f:#?}");
    }

    #[test]
    fn icon_links_without_a_name_are_flagged_and_named_icons_pass() {
        let page = concat!(
            "<a href=/a><img src=i.svg alt=\"\"></a>\n",
            "<a href=/b><svg><use href=#i></use></svg></a>\n",
            "<a href=/c><img src=i.svg alt=\"Home\"></a><a href=/d><svg><title>Home</title></svg></a>",
            "<a href=/e aria-label=Home><svg></svg></a><a href=/f><svg aria-label=Home></svg></a><a href=/g></a>\n"
        );
        let md = "---\ntitle: x\n---\n[![](/badge.svg)](/ci) [![Build status](/badge.svg)](/ci)\n";
        let f = check_files(
            &[("_config.yml", ""), ("index.html", page), ("a.md", md)],
            "",
        );
        assert_eq!(
            at(&f, "A11Y-003"),
            [
                ("a.md".into(), 4, 1),
                ("index.html".into(), 1, 1),
                ("index.html".into(), 2, 1)
            ]
        );
    }
}
