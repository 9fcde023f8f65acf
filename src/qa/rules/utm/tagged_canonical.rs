//! UTM-013 utm-on-canonical-url: UTM parameters on `rel=canonical`, `og:url`, an hreflang
//! alternate, or a sitemap `<loc>`. The fix strips them, literal bytes only.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-013",
    name: "utm-on-canonical-url",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "UTM parameters on a canonical, og:url, hreflang or sitemap URL",
    why: "Search engines and social cards use these URLs as the page's identity: a tagged one splits ranking signals and credits every share to one campaign.",
    bad: r#"<link rel="canonical" href="https://www.example.com/pricing?utm_source=newsletter&amp;utm_medium=email">"#,
    good: r#"<link rel="canonical" href="https://www.example.com/pricing">"#,
    source: "Google Search Central, consolidate duplicate URLs; utm-builder FAQ; DOMAIN.md §1.4",
};

pub struct UtmOnCanonicalUrl;

impl Rule for UtmOnCanonicalUrl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            let super::Role::Canonical(what) = f.role else {
                continue;
            };
            let utms = super::utm_indices(&f.url);
            let Some(&first) = utms.first() else { continue };
            let cleanup = super::cleanup(doc, f, cx.settings);
            let msg = format!("{what} URL carries UTM parameters");
            let finding = Finding::at(&META, doc, f.url.params[first].span, msg);
            match cleanup.fix.clone().filter(|_| cleanup.strips_utms) {
                Some((span, text)) => out.push(finding.hint("name the clean URL; campaign links may point at it, never the reverse").fix(span, text)),
                None => out.push(finding.hint("name the clean URL (not fixed automatically: part of the query is template output)")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixed_in;
    use crate::qa::testing::{at, check_files};

    #[test]
    fn tagged_canonical_og_hreflang_and_sitemap_urls_are_flagged_in_every_engine() {
        let html = "<head>\n<link rel=\"canonical\" href=\"https://www.example.com/p?utm_source=a&amp;id=2\">\n</head>\n";
        let liquid = "---\nlayout: none\n---\n<meta property=\"og:url\" content=\"{{ site.url }}{{ page.url }}?utm_medium=social\">\n";
        let jinja = "<link rel=\"alternate\" hreflang=\"de\" href=\"https://www.example.com/de/?utm_campaign={{ c }}\">\n";
        let hugo = "<link rel=\"canonical\" href=\"{{ .Permalink }}?utm_source=feed\">\n";
        let hbs =
            "<meta name=\"og:url\" content=\"https://www.example.com/?utm_source=x&ref={{r}}\">\n";
        let sitemap =
            "<urlset>\n  <url><loc>https://www.example.com/a?utm_source=s</loc></url>\n</urlset>\n";
        let files = [
            ("a.html", html),
            ("b.html", liquid),
            ("c.njk", jinja),
            ("d.html", hugo),
            ("e.hbs", hbs),
            ("sitemap.xml.njk", sitemap),
        ];
        let f = check_files(&files, "");
        assert_eq!(
            at(&f, "UTM-013"),
            [
                ("a.html".into(), 2, 55),
                ("b.html".into(), 4, 63),
                ("c.njk".into(), 1, 71),
                ("d.html".into(), 1, 46),
                ("e.hbs".into(), 1, 55),
                ("sitemap.xml.njk".into(), 2, 39),
            ]
        );
        let out = fixed_in(html, &f, "a.html", "UTM-013");
        assert!(
            out.contains("href=\"https://www.example.com/p?id=2\""),
            "{out}"
        );
        let again = check_files(&[("a.html", &out)], "");
        assert!(at(&again, "UTM-013").is_empty(), "{again:?}");
        let out = fixed_in(hugo, &f, "d.html", "UTM-013");
        assert!(out.contains("href=\"{{ .Permalink }}\""), "{out}");
        let out = fixed_in(sitemap, &f, "sitemap.xml.njk", "UTM-013");
        assert!(
            out.contains("<loc>https://www.example.com/a</loc>"),
            "{out}"
        );
        assert!(
            f.iter()
                .find(|x| x.file.as_ref() == "c.njk" && x.rule.id == "UTM-013")
                .is_some_and(|x| x.fix.is_none())
        );
    }

    #[test]
    fn clean_canonicals_and_other_link_tags_pass() {
        let page = concat!(
            "<link rel=\"canonical\" href=\"https://www.example.com/p?page=2\">\n",
            "<link rel=\"stylesheet\" href=\"/s.css?utm_source=x\">\n",
            "<meta property=\"og:image\" content=\"/i.png?utm_source=x\">\n",
            "<loc>https://www.example.com/a?utm_source=s</loc>\n",
        );
        let f = check_files(&[("index.html", page)], "");
        assert!(at(&f, "UTM-013").is_empty(), "{f:?}");
    }
}
