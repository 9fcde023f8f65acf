//! SOC-002 bad-twitter-card: X (Twitter) card tags that X rejects or cuts: an unknown
//! `twitter:card` type, a title over 70 or a description over 200 characters, an SVG image,
//! or no `twitter:card` at all. X falls back to `og:title`, `og:description` and `og:image`
//! when the `twitter:` ones are absent, so those are judged in their place.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::seo::{absent_at, rendered};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::view::PageView;

static META: RuleMeta = RuleMeta {
    id: "SOC-002",
    name: "bad-twitter-card",
    severity: Severity::Warning,
    fix: FixKind::Deterministic,
    summary: "twitter:card missing or unknown, card title over 70 or description over 200 characters, SVG card image",
    why: "X shows a card only for the card types it knows and images it can render (no SVG); longer titles and descriptions are cut.",
    bad: r#"<html><head><meta name="twitter:card" content="large"></head><body></body></html>"#,
    good: r#"<html><head><meta name="twitter:card" content="summary_large_image"></head><body></body></html>"#,
    source: "X Developer Platform, \"Cards markup reference\"; DOMAIN.md §3",
};

const CARD_TYPES: &[&str] = &["summary", "summary_large_image", "app", "player"];

pub struct BadTwitterCard;

impl Rule for BadTwitterCard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let cards = view.metas("twitter:card");
        if cards.is_empty() {
            if let Some((d, span)) = absent_at(view) {
                let f = Finding::at(
                    &META,
                    d,
                    span,
                    "the page has no twitter:card: X shows its links without a card",
                );
                out.push(
                    f.hint("add <meta name=\"twitter:card\" content=\"summary_large_image\">"),
                );
            }
            return;
        }
        for (d, i) in &cards {
            check_card_type(d, *i, out);
        }
        check_length(view, "title", 70, out);
        check_length(view, "description", 200, out);
        check_image(view, out);
    }
}

fn check_card_type(d: &Document, i: usize, out: &mut Vec<Finding>) {
    let Some(content) = d
        .attr(i, "content")
        .and_then(|a| a.value)
        .filter(|v| !d.is_dynamic(*v))
    else {
        return;
    };
    let value = d.slice(content).trim();
    if CARD_TYPES.contains(&value) {
        return;
    }
    let f = Finding::at(
        &META,
        d,
        content,
        format!("twitter:card \"{value}\" is not a card type X knows"),
    );
    let candidate = value.to_ascii_lowercase().replace(['-', ' '], "_");
    out.push(if CARD_TYPES.contains(&candidate.as_str()) {
        f.hint(format!("write \"{candidate}\""))
            .fix(content, candidate)
    } else {
        f.hint("use summary or summary_large_image (or app, player)")
    });
}

/// The first meta of `twitter:<key>`, or of `og:<key>` when there is none, with its name.
fn card_meta<'a>(view: &PageView<'a>, key: &str) -> Option<(String, &'a Document, usize)> {
    ["twitter", "og"].iter().find_map(|p| {
        let name = format!("{p}:{key}");
        view.metas(&name).first().map(|&(d, i)| (name, d, i))
    })
}

fn check_length(view: &PageView, key: &str, max: usize, out: &mut Vec<Finding>) {
    let Some((name, d, i)) = card_meta(view, key) else {
        return;
    };
    let Some(r) = rendered(view, d, i, Some("content"), key) else {
        return;
    };
    let n = r.text.chars().count();
    if n <= max {
        return;
    }
    let source = if r.from_front_matter {
        format!(" (front matter `{key}`)")
    } else {
        String::new()
    };
    let msg = format!("{name} is {n} characters{source}: X cuts the card {key} after {max}");
    out.push(
        Finding::at(&META, r.doc, r.span, msg)
            .hint(format!("keep the card {key} to {max} characters")),
    );
}

fn check_image(view: &PageView, out: &mut Vec<Finding>) {
    let Some((name, d, i)) = card_meta(view, "image") else {
        return;
    };
    let Some(content) = d.attr(i, "content").and_then(|a| a.value) else {
        return;
    };
    let url = crate::qa::url::UrlRef::parse(d, content);
    if url.path_dynamic || !d.slice(url.path).to_ascii_lowercase().ends_with(".svg") {
        return;
    }
    let f = Finding::at(
        &META,
        d,
        content,
        format!("{name} is an SVG: X does not show SVG card images"),
    );
    out.push(f.hint("use a JPG, PNG, WEBP or GIF under 5 MB"));
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files, fixed};

    #[test]
    fn jekyll_card_type_is_fixed_and_front_matter_lengths_are_judged() {
        let layout = "<html>\n<head>\n<meta name=\"twitter:card\" content=\"Summary-Large-Image\">\n<meta name=\"twitter:title\" content=\"{{ page.title }}\">\n<meta property=\"og:image\" content=\"/img/card.svg\">\n</head>\n<body>{{ content }}</body>\n</html>\n";
        let long =
            "A title that goes on and on about every single plan and feature we have to offer";
        let page = format!("---\nlayout: default\ntitle: {long}\n---\nA\n");
        let files = [
            ("_config.yml", ""),
            ("_layouts/default.html", layout),
            ("a.md", page.as_str()),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "SOC-002"),
            [
                ("_layouts/default.html".into(), 3, 36),
                ("_layouts/default.html".into(), 5, 36),
                ("a.md".into(), 3, 8)
            ],
            "{f:#?}"
        );
        let out = fixed(layout, &f, "SOC-002");
        assert!(out.contains("content=\"summary_large_image\""), "{out}");
        let again = check_files(&[files[0], ("_layouts/default.html", &out), files[2]], "");
        assert_eq!(
            at(&again, "SOC-002"),
            [
                ("_layouts/default.html".into(), 5, 36),
                ("a.md".into(), 3, 8)
            ],
            "{again:#?}"
        );
    }

    #[test]
    fn hugo_missing_card_is_reported_at_the_head() {
        let baseof = "<html>\n<head>\n<title>{{ .Title }}</title>\n</head>\n<body>{{ block \"main\" . }}{{ end }}</body>\n</html>\n";
        let files = [
            ("hugo.toml", ""),
            ("content/x.md", "---\ntitle: X\n---\nBody\n"),
            (
                "layouts/_default/single.html",
                "{{ define \"main\" }}{{ .Content }}{{ end }}",
            ),
            ("layouts/_default/baseof.html", baseof),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "SOC-002"),
            [("layouts/_default/baseof.html".into(), 2, 1)],
            "{f:#?}"
        );
        let internal = baseof.replace(
            "<title>",
            "{{ template \"_internal/twitter_cards.html\" . }}<title>",
        );
        let f = check_files(
            &[
                files[0],
                files[1],
                files[2],
                ("layouts/_default/baseof.html", &internal),
            ],
            "",
        );
        assert!(at(&f, "SOC-002").is_empty(), "{f:#?}");
    }

    #[test]
    fn jinja_and_handlebars_template_values_pass() {
        let tags = "<meta name=\"twitter:card\" content=\"{{ card }}\"><meta name=\"twitter:title\" content=\"{{ title }}\"><meta name=\"twitter:image\" content=\"{{ image }}\">";
        let base = format!("<html>\n<head>\n{tags}\n</head>\n<body></body>\n</html>\n");
        let f = check_files(
            &[
                ("templates/base.html", &base),
                ("templates/page.html", "{% extends \"base.html\" %}"),
            ],
            "",
        );
        assert!(at(&f, "SOC-002").is_empty(), "{f:#?}");
        let layout = format!(
            "<html>\n<head>\n{tags}\n</head>\n<body>{{{{> @partial-block}}}}</body>\n</html>\n"
        );
        let f = check_files(
            &[
                ("templates/components/layout.hbs", &layout),
                (
                    "templates/index.hbs",
                    "{{#> components/layout}}x{{/components/layout}}",
                ),
            ],
            "",
        );
        assert!(at(&f, "SOC-002").is_empty(), "{f:#?}");
    }

    #[test]
    fn handlebars_missing_card_is_reported_at_the_layout_head() {
        let layout =
            "<html>\n<head>\n<title>{{title}}</title>\n</head>\n<body>{{{body}}}</body>\n</html>\n";
        let page = "{{#> components/layout}}<h1>Home</h1>{{/components/layout}}";
        let f = check_files(
            &[
                ("templates/components/layout.hbs", layout),
                ("templates/index.hbs", page),
            ],
            "",
        );
        assert_eq!(
            at(&f, "SOC-002"),
            [("templates/components/layout.hbs".into(), 2, 1)],
            "{f:#?}"
        );
    }
}
