//! UTM-007 utm-in-fragment: UTM parameters after `#` (`/p#utm_source=x`, `/p#top?utm_source=x`).
//!
//! The fix moves them into the query (`/p?utm_source=x#top`); on a link to this site or a
//! canonical URL, where UTMs must not be at all, it removes them. Hash-router fragments
//! (`#/route?…`, `#!…`) are read by the page's own script: reported, never rewritten.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::{FileCx, Rule, Settings};
use crate::qa::source::Span;
use crate::qa::url::{decode_component, is_utm_like};

static META: RuleMeta = RuleMeta {
    id: "UTM-007",
    name: "utm-in-fragment",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "UTM parameters placed after `#`, in the fragment",
    why: "The fragment never reaches the server and GA4 does not read campaign parameters from it, so the visit loses its attribution.",
    bad: r#"<a href="https://partner.example/offer#utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring">Offer</a>"#,
    good: r#"<a href="https://partner.example/offer?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring">Offer</a>"#,
    source: "Analytics Detectives, UTM pollution; DOMAIN.md §1.4",
};

pub struct UtmInFragment;

/// The parameters written in a fragment.
struct FragmentQuery<'a> {
    /// The fragment text before `?` (empty when the fragment is all parameters).
    anchor: &'a str,
    /// Offset of `?` in the fragment, when there is one.
    question: Option<usize>,
    /// The parameters, as written.
    params: &'a str,
    first_utm: Span,
    only_utms: bool,
}

impl Rule for UtmInFragment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            let url = &f.url;
            let Some(frag) = url.fragment.filter(|_| !url.fragment_dynamic) else {
                continue;
            };
            let Some(fq) = parse(doc, frag) else { continue };
            let msg = "UTM parameters after `#` are never sent to the server";
            let finding = Finding::at(&META, doc, fq.first_utm, msg);
            if fq.anchor.starts_with(['/', '!']) {
                out.push(finding.hint("this fragment looks like a hash route the page's script reads; tag the page URL's query instead"));
                continue;
            }
            let cleanup = super::cleanup(doc, f, cx.settings);
            let fix = if cleanup.strip.is_some() {
                // UTMs do not belong on this URL at all: drop them from the fragment.
                // A URL that is only the fragment keeps its `#`: an empty href reloads.
                let span = match fq.question {
                    Some(q) => Span::new(frag.start + q, frag.end),
                    None if frag.start - 1 > url.span.start => Span::new(frag.start - 1, frag.end),
                    None => Span::new(frag.start, frag.end),
                };
                fq.only_utms.then(|| (span, String::new()))
            } else {
                let tail = Span::new(url.path.end, url.span.end);
                let movable = !doc.is_dynamic(tail) && cleanup.fix.is_none() && !url.query_dynamic;
                movable
                    .then(|| (tail, moved(doc, url, &fq)))
                    .filter(|(_, text)| moves_clean(doc, url, text, cx.settings))
            };
            match fix {
                Some((span, text)) if cleanup.strip.is_some() => out.push(
                    finding
                        .hint("remove them: UTMs do not belong on this URL")
                        .fix(span, text),
                ),
                Some((span, text)) => out.push(
                    finding
                        .hint(format!("move them into the query: `{text}`"))
                        .fix(span, text),
                ),
                None => out.push(finding.hint("move them into the query, before `#`")),
            }
        }
    }
}

/// Whether the URL with its parameters moved into the query (`tail` after the path) has no
/// UTM finding: a fix must not reveal findings the parameters escaped in the fragment (a
/// campaign value with spaces, say), so such a move is left to a person with the hint.
fn moves_clean(
    doc: &Document,
    url: &crate::qa::url::UrlRef,
    tail: &str,
    settings: &Settings,
) -> bool {
    let head = &doc.text[url.span.start..url.path.end];
    let href = format!("{head}{tail}").replace('"', "&quot;");
    let probe = Document::parse(
        &doc.path,
        format!("<a href=\"{href}\">x</a>\n"),
        crate::qa::page::Engine::Html,
        crate::qa::page::Format::Html,
    );
    crate::qa::engine::check_document(&probe, settings, &["UTM-*".to_string()])
        .map(|found| found.is_empty())
        .unwrap_or(false)
}

/// The fragment's parameters, when at least one is a UTM.
fn parse(doc: &Document, frag: Span) -> Option<FragmentQuery<'_>> {
    let text = doc.slice(frag);
    // `#top?utm_…` and `#sec&utm_…` both keep an anchor in front of the parameters: the
    // part before `?`, or a first `&`-piece that is not `key=value`.
    let question = text.find('?').or_else(|| {
        let first = text.split('&').next().unwrap_or("");
        (!first.contains('=') && first.len() < text.len()).then_some(first.len())
    });
    let start = question.map_or(0, |q| q + 1);
    let params = &text[start..];
    let mut first_utm = None;
    let mut only_utms = true;
    let mut offset = start;
    for piece in params.split('&') {
        let at = offset;
        offset += piece.len() + 1;
        let (skip, piece) = match piece.strip_prefix("amp;") {
            Some(rest) => (4, rest),
            None => (0, piece),
        };
        if piece.is_empty() {
            continue;
        }
        let key = piece.split_once('=').map(|(k, _)| decode_component(k));
        match key.filter(|k| is_utm_like(k)) {
            Some(_) if first_utm.is_none() => {
                let s = frag.start + at + skip;
                first_utm = Some(Span::new(s, s + piece.len()));
            }
            Some(_) => {}
            None => only_utms = false,
        }
    }
    Some(FragmentQuery {
        anchor: &text[..question.unwrap_or(0)],
        question,
        params,
        first_utm: first_utm?,
        only_utms,
    })
}

/// The URL's tail from the end of its path: the query, the fragment's parameters appended,
/// then what is left of the fragment.
fn moved(doc: &Document, url: &crate::qa::url::UrlRef, fq: &FragmentQuery) -> String {
    let sep = if doc.slice(url.span).contains("&amp;") {
        "&amp;"
    } else {
        "&"
    };
    let mut out = String::from("?");
    if let Some(q) = url.query.filter(|q| !q.is_empty()) {
        out.push_str(doc.slice(q));
        out.push_str(sep);
    }
    let pieces: Vec<&str> = fq
        .params
        .split('&')
        .map(|p| p.strip_prefix("amp;").unwrap_or(p))
        .filter(|p| !p.is_empty())
        .collect();
    out.push_str(&pieces.join(sep));
    if !fq.anchor.is_empty() {
        out.push('#');
        out.push_str(fq.anchor);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixed_in;
    use crate::qa::testing::{at, check_files};

    #[test]
    fn an_anchor_before_the_parameters_is_kept_when_they_move() {
        let page = "<a href=\"https://p.example/p?x=1#sec&utm_source=news&amp;utm_medium=email&amp;utm_campaign=spring\">x</a>\n";
        let f = check_files(&[("index.html", page)], "");
        let out = fixed_in(page, &f, "index.html", "UTM-007");
        assert!(
            out.contains(
                "href=\"https://p.example/p?x=1&amp;utm_source=news&amp;utm_medium=email&amp;utm_campaign=spring#sec\""
            ),
            "{out}"
        );
    }

    #[test]
    fn a_move_that_would_reveal_findings_is_left_to_a_person() {
        // Once in the query, `Spring Sale` would be a UTM-003/004 finding and the missing
        // utm_medium a UTM-001: the fix must not add findings, so only the hint is given.
        let page =
            "<a href=\"https://p.example/p#utm_source=news&utm_campaign=Spring%20Sale\">x</a>\n";
        let f = check_files(&[("index.html", page)], "");
        let utm7: Vec<_> = f.iter().filter(|f| f.rule.id == "UTM-007").collect();
        assert_eq!(utm7.len(), 1);
        assert!(utm7[0].fix.is_none(), "{:?}", utm7[0].fix);
        assert!(
            utm7[0]
                .hint
                .as_deref()
                .unwrap_or("")
                .contains("move them into the query")
        );
    }

    #[test]
    fn utms_after_the_hash_are_flagged_and_moved_in_every_engine() {
        let html = "<p>\n<a href=\"https://p.example/a?x=1#top?utm_source=news&amp;utm_medium=email&amp;utm_campaign=spring\">x</a>\n";
        let liquid = "---\nlayout: none\n---\n<a href=\"{{ site.partner }}/p#utm_source=s&utm_medium=m\">x</a>\n";
        let jinja = "{% block body %}<a href=\"https://p.example/p?utm_source={{ s }}#utm_medium=m\">x</a>{% endblock %}\n";
        let hugo = "<a href=\"https://p.example/p?x={{ .Params.x }}#utm_campaign=c\">x</a>\n";
        let hbs =
            "<a href=\"https://p.example/#/signup?utm_source=s&utm_medium=m\">{{label}}</a>\n";
        let md = "---\ntitle: x\n---\n[x](https://p.example/p#utm_source=news&utm_medium=email&utm_campaign=spring)\n";
        let files = [
            ("a.html", html),
            ("b.html", liquid),
            ("c.njk", jinja),
            ("d.html", hugo),
            ("e.hbs", hbs),
            ("f.md", md),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "UTM-007"),
            [
                ("a.html".into(), 2, 38),
                ("b.html".into(), 4, 31),
                ("c.njk".into(), 1, 65),
                ("d.html".into(), 1, 48),
                ("e.hbs".into(), 1, 37),
                ("f.md".into(), 4, 25),
            ]
        );
        let out = fixed_in(html, &f, "a.html", "UTM-007");
        assert!(
            out.contains("\"https://p.example/a?x=1&amp;utm_source=news&amp;utm_medium=email&amp;utm_campaign=spring#top\""),
            "{out}"
        );
        let out = fixed_in(md, &f, "f.md", "UTM-007");
        assert!(
            out.contains(
                "(https://p.example/p?utm_source=news&utm_medium=email&utm_campaign=spring)"
            ),
            "{out}"
        );
        let again = check_files(&[("f.md", &out)], "");
        assert!(at(&again, "UTM-007").is_empty(), "{again:?}");
        let unfixed: Vec<&str> = f
            .iter()
            .filter(|x| x.rule.id == "UTM-007" && x.fix.is_none())
            .map(|x| x.file.as_ref())
            .collect();
        // b.html would lose nothing but gain a UTM-001 (no utm_campaign) once moved.
        assert_eq!(unfixed, ["b.html", "c.njk", "d.html", "e.hbs"]);
    }

    #[test]
    fn internal_links_lose_fragment_utms_and_plain_fragments_pass() {
        let page = "<a href=\"/p#top?utm_source=s\">a</a>\n<a href=\"#utm_source=s\">b</a>\n<a href=\"/p#section-2\">c</a>\n<a href=\"/p#x=1\">d</a>\n";
        let f = check_files(&[("index.html", page)], "");
        assert_eq!(
            at(&f, "UTM-007"),
            [("index.html".into(), 1, 17), ("index.html".into(), 2, 11)]
        );
        let out = fixed_in(page, &f, "index.html", "UTM-007");
        assert!(
            out.starts_with("<a href=\"/p#top\">a</a>\n<a href=\"#\">b</a>"),
            "{out}"
        );
    }
}
