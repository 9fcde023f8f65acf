//! Property tests: arbitrary bytes and mutated real pages through the page model, every
//! rule and the sitewide.toml reader: no panic, every span inside the input.

use proptest::prelude::*;
use sitewide::config::SiteConfig;
use sitewide::qa::page::{Document, Engine, Format};
use sitewide::qa::tree::Disk;

const ENGINES: [Engine; 5] = [
    Engine::Html,
    Engine::Liquid,
    Engine::Jinja,
    Engine::Hugo,
    Engine::Handlebars,
];

fn assert_spans_inside(doc: &Document) {
    let n = doc.text.len();
    for el in &doc.elements {
        assert!(el.tag.end <= n && el.tag.start <= el.tag.end);
        if let Some(c) = el.content {
            assert!(c.start <= c.end && c.end <= n);
        }
    }
    for a in &doc.attrs {
        assert!(a.name_span.end <= n);
        if let Some(v) = a.value {
            assert!(v.start <= v.end && v.end <= n);
        }
    }
    for l in &doc.links {
        assert!(l.url.start <= l.url.end && l.url.end <= n);
        assert!(doc.text.is_char_boundary(l.url.start) && doc.text.is_char_boundary(l.url.end));
    }
}

/// A real page to mutate: digitalgov's Hugo `baseof.html` when the corpora are there, the
/// demo site's landing page otherwise.
fn real_page() -> &'static str {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PAGE.get_or_init(|| {
        let corpus = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpora/digitalgov/themes/digital.gov/layouts/_default/baseof.html"
        );
        std::fs::read_to_string(corpus).unwrap_or_else(|_| {
            include_str!("../../examples/demo-site/landing/spring-sale.html").to_string()
        })
    })
}

fn markup() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("<a href=\"".to_string()),
        Just("\">".to_string()),
        Just("</a>".to_string()),
        Just("{{ x }}".to_string()),
        Just("{% if a %}".to_string()),
        Just("{{< ref \"a\" >}}".to_string()),
        Just("---\ntitle: x\n---\n".to_string()),
        Just("?utm_source=A&amp;utm_medium=".to_string()),
        Just("#frag".to_string()),
        Just("<img src=x".to_string()),
        Just("[t](/p?utm_surce=x)".to_string()),
        Just("<!--".to_string()),
        Just("é€😀".to_string()),
        "[ -~]{0,8}",
    ];
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_the_page_model(text in "\\PC{0,400}", e in 0usize..5, md: bool) {
        let format = if md { Format::Markdown } else { Format::Html };
        let doc = Document::parse("a.html", text, ENGINES[e], format);
        assert_spans_inside(&doc);
    }

    #[test]
    fn template_heavy_markup_never_panics_any_rule(text in markup(), md: bool) {
        let dir = tempfile::tempdir().unwrap();
        let name = if md { "index.md" } else { "index.html" };
        std::fs::write(dir.path().join(name), &text).unwrap();
        let config = SiteConfig::default();
        let sel = sitewide::qa::engine::Selection::new(&config, &[]).unwrap();
        let report = sitewide::qa::engine::check(&Disk::new(dir.path()), &config, &sel, 2026).unwrap();
        for f in &report.findings {
            assert!(f.span.end <= text.len(), "{f:?}");
            if let Some(fix) = &f.fix {
                assert!(fix.end <= text.len() && text.is_char_boundary(fix.start) && text.is_char_boundary(fix.end));
            }
        }
    }

    #[test]
    fn arbitrary_bytes_on_disk_never_panic_the_check(bytes in prop::collection::vec(any::<u8>(), 0..600), md: bool) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(if md { "a.md" } else { "a.html" }), &bytes).unwrap();
        let config = SiteConfig::default();
        let sel = sitewide::qa::engine::Selection::new(&config, &[]).unwrap();
        let report = sitewide::qa::engine::check(&Disk::new(dir.path()), &config, &sel, 2026).unwrap();
        for f in &report.findings {
            assert!(f.span.end <= bytes.len(), "{f:?}");
        }
    }

    #[test]
    fn arbitrary_sitewide_toml_never_panics(text in "\\PC{0,300}") {
        let _ = SiteConfig::parse(std::path::Path::new("sitewide.toml"), &text);
    }

    #[test]
    fn mutated_real_pages_never_panic(cut in 0usize..4000, insert in "[<>\"'{}%#?&= a-z]{0,6}") {
        let base = real_page();
        let mut at = cut.min(base.len());
        while !base.is_char_boundary(at) { at -= 1; }
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        for e in ENGINES {
            let doc = Document::parse("p.html", text.clone(), e, Format::Html);
            assert_spans_inside(&doc);
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), &text).unwrap();
        let config = SiteConfig::default();
        let sel = sitewide::qa::engine::Selection::new(&config, &[]).unwrap();
        let report = sitewide::qa::engine::check(&Disk::new(dir.path()), &config, &sel, 2026).unwrap();
        for f in &report.findings {
            assert!(f.span.end <= text.len(), "{f:?}");
        }
    }
}
