//! CNT-001 placeholder-content: placeholder copy (`lorem ipsum`, `TODO`, `TBD`, `FIXME`) in
//! the text visitors read, and a stale copyright year in a footer. Markup, comments,
//! template syntax, scripts, styles and code are not copy; only a literal year is rewritten.

use std::sync::LazyLock;

use regex::Regex;

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::{Document, visible};
use crate::qa::rules::{FileCx, Rule};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "CNT-001",
    name: "placeholder-content",
    severity: Severity::Warning,
    fix: FixKind::Deterministic,
    summary: "Placeholder copy (lorem ipsum, TODO, TBD, FIXME) or a stale copyright year",
    why: "Placeholder copy and last year's copyright tell visitors the page is unfinished or unmaintained, and search engines show it in snippets.",
    bad: "<p>Lorem ipsum dolor sit amet.</p>\n<footer>&copy; 2019 Example Inc.</footer>",
    good: "<p>Plans for every team.</p>\n<footer>&copy; 2026 Example Inc.</footer>",
    source: "common practice; DOMAIN.md §3",
};

static LOREM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)lorem\s+ipsum(?-u:\b)").expect("valid regex"));
static MARKER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(?:TODO|TBD|FIXME)(?-u:\b)").expect("valid regex"));
static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:©|&copy;|&#169;|&#x0*a9;|\(c\)|(?-u:\b)copyright(?-u:\b))(?:\s|&nbsp;|&#160;|©|&copy;|&#169;|,)*((?:19|20)\d{2})(?-u:\b)")
        .expect("valid regex")
});
/// What may follow a year in a range: a dash and the end of the range.
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:-|–|—|&ndash;|&mdash;|&#8211;|&#x2013;)\s*(?:((?:19|20)\d{2})\b)?")
        .expect("valid regex")
});

// Word boundaries are ASCII (`(?-u:\b)`): the words are ASCII, and Unicode boundaries
// would keep the regex engine off its fast path over every page's copy.

/// Elements whose text is code or not shown as copy.
const NOT_COPY: &[&str] = &[
    "script", "style", "code", "pre", "kbd", "samp", "textarea", "template", "svg", "math",
];
/// Template blocks whose body is printed verbatim or as code.
const VERBATIM_BLOCKS: &[&str] = &["raw", "verbatim", "highlight", "code", "codeblock"];
/// Attributes whose text visitors or search engines read.
const READ_ATTRS: &[&str] = &["alt", "title", "aria-label", "placeholder"];
/// Words after which the placeholder is named, not used (`lorem ipsum text`, `TODO list`).
const LOREM_NOUNS: &[&str] = &["text", "copy", "generator", "placeholder"];
const MARKER_NOUNS: &[&str] = &["list", "comment", "item", "app"];
/// Masks bytes that are not copy; ASCII, so the masked text stays valid UTF-8.
const MASK: u8 = 0x01;

pub struct PlaceholderContent;

impl Rule for PlaceholderContent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let Some(copy) = visible_copy(doc) else {
            return;
        };
        for m in LOREM
            .find_iter(&copy)
            .filter(|m| !is_mentioned(&copy, m.start(), m.end(), LOREM_NOUNS))
        {
            out.push(
                Finding::at(
                    &META,
                    doc,
                    Span::new(m.start(), m.end()),
                    "placeholder copy `lorem ipsum`",
                )
                .hint("replace it with the real copy"),
            );
        }
        for m in MARKER
            .find_iter(&copy)
            .filter(|m| !is_mentioned(&copy, m.start(), m.end(), MARKER_NOUNS))
        {
            let msg = format!("placeholder `{}` in visible copy", m.as_str());
            out.push(
                Finding::at(&META, doc, Span::new(m.start(), m.end()), msg)
                    .hint("finish the copy, or move the note into a comment"),
            );
        }
        lorem_in_attributes(doc, out);
        stale_copyright(doc, &copy, cx.settings.year, out);
    }
}

/// True when the words are talked about rather than used: quoted or emphasised
/// (`“TODO” list`, `*lorem ipsum*`), or named as a thing (`lorem ipsum text`).
fn is_mentioned(copy: &str, start: usize, end: usize, nouns: &[&str]) -> bool {
    let before = copy[..start].chars().next_back();
    let after = copy[end..].chars().next();
    let quoted = before.zip(after).is_some_and(|(b, a)| {
        matches!(
            (b, a),
            ('"', '"')
                | ('\'', '\'')
                | ('“', '”')
                | ('‘', '’')
                | ('«', '»')
                | ('*', '*')
                | ('_', '_')
        )
    });
    let rest = copy[end..].trim_start().to_ascii_lowercase();
    quoted || nouns.iter().any(|w| rest.starts_with(w))
}

/// The document text with everything that is not copy masked, byte for byte.
fn visible_copy(doc: &Document) -> Option<String> {
    let mut bytes = doc.text.as_bytes().to_vec();
    let mut mask = |s: Span| {
        for b in &mut bytes[s.start.min(s.end)..s.end.min(doc.text.len())] {
            *b = MASK;
        }
    };
    visible::mask_markup(doc, &mut mask);
    for el in &doc.elements {
        if NOT_COPY.contains(&el.name.as_ref()) {
            mask(el.content.unwrap_or(Span::new(el.tag.end, doc.text.len())));
        }
    }
    for span in verbatim_blocks(doc) {
        mask(span);
    }
    String::from_utf8(bytes).ok()
}

/// Bodies of `{% raw %}…{% endraw %}`, `{% highlight %}…{% endhighlight %}`,
/// `{{< highlight >}}…{{< /highlight >}}` and their kin.
fn verbatim_blocks(doc: &Document) -> Vec<Span> {
    let regions = doc.regions.all();
    let mut out = Vec::new();
    let word = |s: Span| -> String {
        doc.slice(s)
            .trim_start_matches(['{', '%', '<', '-', '~', ' '])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '_')
            .collect()
    };
    for (i, r) in regions.iter().enumerate() {
        let w = word(r.span);
        if !VERBATIM_BLOCKS.contains(&w.as_str()) {
            continue;
        }
        let closers = [format!("end{w}"), format!("/{w}")];
        let end = regions[i + 1..]
            .iter()
            .find(|c| closers.contains(&word(c.span)));
        out.push(Span::new(
            r.span.end,
            end.map_or(doc.text.len(), |c| c.span.start),
        ));
    }
    out
}

fn lorem_in_attributes(doc: &Document, out: &mut Vec<Finding>) {
    for (i, el) in doc.elements.iter().enumerate() {
        let is_meta = el.name == "meta";
        for a in doc.attrs_of(i) {
            let read = READ_ATTRS.contains(&a.name.as_ref()) || (is_meta && a.name == "content");
            let Some(v) = a.value.filter(|v| read && !doc.is_dynamic(*v)) else {
                continue;
            };
            if let Some(m) = LOREM.find(doc.slice(v)) {
                let span = Span::new(v.start + m.start(), v.start + m.end());
                out.push(
                    Finding::at(
                        &META,
                        doc,
                        span,
                        format!("placeholder copy `lorem ipsum` in `{}`", a.name),
                    )
                    .hint("replace it with the real text"),
                );
            }
        }
    }
}

/// A literal copyright year (or the end of a range) older than `year`, in a footer.
fn stale_copyright(doc: &Document, copy: &str, year: i32, out: &mut Vec<Finding>) {
    // Find matches with the fast engine, then read the year's group inside each match only.
    for m in COPYRIGHT.find_iter(copy) {
        let Some(year_group) = COPYRIGHT.captures(m.as_str()).and_then(|c| c.get(1)) else {
            continue;
        };
        let first = Span::new(m.start() + year_group.start(), m.start() + year_group.end());
        let after = &copy[first.end..];
        let end = match RANGE.captures(after) {
            // `2019–{{ now }}`, `2019–present`: the range ends somewhere a template or a word decides.
            Some(r) => match r.get(1) {
                Some(e) => Span::new(first.end + e.start(), first.end + e.end()),
                None => continue,
            },
            None if after.as_bytes().first() == Some(&MASK) => continue,
            None => first,
        };
        let Ok(found) = doc.slice(end).parse::<i32>() else {
            continue;
        };
        if found >= year || !in_footer(doc, end.start) {
            continue;
        }
        let msg = format!("copyright year {found} is not the current year ({year})");
        out.push(
            Finding::at(&META, doc, end, msg)
                .hint("update it, or print the build year from the template")
                .fix(end, year.to_string()),
        );
    }
}

/// True inside a `<footer>`, an element whose class or id names a footer or copyright
/// notice, or a footer include: where the notice is the site's own, not a quoted work's.
fn in_footer(doc: &Document, offset: usize) -> bool {
    let name = doc
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&doc.path)
        .to_ascii_lowercase();
    if name.contains("footer") || name.contains("copyright") {
        return true;
    }
    (0..doc.elements.len()).any(|i| {
        let el = &doc.elements[i];
        let inside = el
            .content
            .is_some_and(|c| c.start <= offset && offset < c.end);
        inside
            && (el.name == "footer"
                || ["class", "id"].iter().any(|a| {
                    doc.attr_value(i, a).is_some_and(|v| {
                        let v = v.to_ascii_lowercase();
                        v.contains("footer") || v.contains("copyright")
                    })
                }))
    })
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{YEAR, at, check_files, fixed};

    #[test]
    fn placeholder_copy_is_found_in_text_but_not_in_comments_code_or_attributes() {
        let page = "<p>Lorem Ipsum dolor</p>\n<!-- TODO: real copy -->\n<p>Launch date: TBD</p> <p>Avoid “lorem ipsum” and lorem ipsum text, keep a “TODO” list</p>\n<script>// FIXME later</script><pre>TODO</pre>\n<a href=\"/todo\" data-x=\"TODO\">Todo list</a>\n<img src=\"a.png\" alt=\"lorem ipsum\">\n";
        let f = check_files(&[("index.html", page)], "");
        assert_eq!(
            at(&f, "CNT-001"),
            [
                ("index.html".into(), 1, 4),
                ("index.html".into(), 3, 17),
                ("index.html".into(), 6, 23)
            ],
            "{f:#?}"
        );
    }

    #[test]
    fn template_comments_and_code_are_not_copy_in_each_engine() {
        let liquid = "---\ntitle: TODO\n---\n{% comment %}TODO{% endcomment %}{% highlight js %}// TODO{% endhighlight %}<p>TODO</p>\n";
        let jinja = "{# TODO #}{% raw %}TODO{% endraw %}<p>Copy</p>{% block b %}{% endblock %}";
        let hugo = "{{/* TODO */}}{{< highlight go >}}// TODO{{< /highlight >}}<p>FIXME</p>";
        let handlebars = "{{!-- TODO --}}<p>{{todo}}</p>";
        let md = "---\ntitle: x\n---\n`TODO` and\n\n```\nFIXME\n```\n\n[TODO](/todo) lorem ipsum\n";
        let files = [
            ("_config.yml", "t: 1\n"),
            ("a.html", liquid),
            ("b.njk", jinja),
            ("c.html", hugo),
            ("d.hbs", handlebars),
            ("e.md", md),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "CNT-001"),
            [
                ("a.html".into(), 4, 80),
                ("c.html".into(), 1, 63),
                ("e.md".into(), 10, 2),
                ("e.md".into(), 10, 15),
            ],
            "{f:#?}"
        );
    }

    #[test]
    fn stale_footer_copyright_years_are_fixed_to_the_current_year_idempotently() {
        let page = format!(
            "<p>Photo &copy; 2015 NASA</p>\n<footer>&copy;&nbsp;2023 Example</footer>\n<div class=\"site-footer\">Copyright 2019-2024 Example. &copy; 2020&ndash;{{{{ 'now' | date: '%Y' }}}}</div>\n<footer>© 2018–present, © {YEAR}</footer>\n"
        );
        let f = check_files(&[("_config.yml", "t: 1\n"), ("index.html", &page)], "");
        assert_eq!(
            at(&f, "CNT-001"),
            [("index.html".into(), 2, 21), ("index.html".into(), 3, 41)],
            "{f:#?}"
        );
        let out = fixed(&page, &f, "CNT-001");
        assert!(
            out.contains(&format!("&copy;&nbsp;{YEAR} Example"))
                && out.contains(&format!("2019-{YEAR} Example")),
            "{out}"
        );
        let again = check_files(&[("_config.yml", "t: 1\n"), ("index.html", &out)], "");
        assert!(at(&again, "CNT-001").is_empty(), "{again:#?}");
    }

    #[test]
    fn footer_includes_are_judged_by_their_name() {
        let files = [
            ("hugo.toml", "baseURL = 'https://www.example.com/'\n"),
            (
                "layouts/partials/footer.html",
                "<p>© 2024 {{ .Site.Title }}</p>",
            ),
            (
                "layouts/partials/credits.html",
                "<p>© 2021 photographer</p>",
            ),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "CNT-001"),
            [("layouts/partials/footer.html".into(), 1, 6)],
            "{f:#?}"
        );
    }
}
