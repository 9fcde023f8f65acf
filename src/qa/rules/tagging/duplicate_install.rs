//! TAG-002 duplicate-install: the same container or measurement id installed twice on one
//! page (two GTM snippets, two gtag.js loaders, two `gtag('config')` calls for one id),
//! judged on the resolved page: a layout and an include that both carry the snippet.
//! GTM plus a hard-coded gtag for the same measurement id cannot be seen from the
//! repository (the container's tags live in GTM), so only ids written twice count.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::tagging::coverage::PageTags;

use super::{at_tag, where_};

static META: RuleMeta = RuleMeta {
    id: "TAG-002",
    name: "duplicate-install",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "The same GTM container or measurement id is installed twice on a page",
    why: "A tag installed twice sends every hit twice: page views, sessions and conversions double and bounce rate collapses, and nobody can tell from the reports.",
    bad: r#"<head><script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>gtag('config', 'G-ABC123');</script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>gtag('config', 'G-ABC123');</script></head>"#,
    good: r#"<head><script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>gtag('config', 'G-ABC123');</script></head>"#,
    source: "ObservePoint duplicate tags report; Google Analytics Help, duplicate tagging (DOMAIN.md §2.2)",
};

pub struct DuplicateInstall;

impl Rule for DuplicateInstall {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let t = PageTags::of(cx.view, cx.settings.site_values);
        for (first, again) in t.duplicates() {
            out.push(
                at_tag(
                    &META,
                    cx.view,
                    again,
                    format!(
                        "{} {} is installed again (first at {})",
                        again.tag.kind.as_str(),
                        again.tag.id.display(),
                        where_(first)
                    ),
                )
                .hint("keep one install: every hit is counted twice"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn onetrusts_published_install_of_two_scripts_with_one_id_is_not_a_duplicate() {
        let page = r#"<html><head>
<script src="https://cdn.cookielaw.org/consent/0190a3b1-2c4d-7e5f-8a9b-0c1d2e3f4a5b/OtAutoBlock.js"></script>
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="0190a3b1-2c4d-7e5f-8a9b-0c1d2e3f4a5b"></script>
<script>function OptanonWrapper() {}</script>
</head><body><h1>Plans</h1></body></html>
"#;
        let f = crate::qa::testing::check_files(&[("index.html", page)], "");
        assert!(
            !f.iter().any(|x| x.rule.id == "TAG-002"),
            "{:?}",
            crate::qa::testing::at(&f, "TAG-002")
        );
    }

    #[test]
    fn a_layout_and_an_include_installing_the_same_ga4_id_are_flagged_once() {
        let snippet = "<script async src=\"https://www.googletagmanager.com/gtag/js?id={{ site.ga }}\"></script>\n<script>gtag('config', '{{ site.ga }}');</script>\n";
        let layout = format!(
            "<html><head>\n{snippet}{{% include analytics.html %}}</head><body>{{{{ content }}}}</body></html>"
        );
        let f = check_files(
            &[
                ("_config.yml", "ga: G-ABC123\n"),
                ("_includes/analytics.html", snippet),
                ("_layouts/default.html", &layout),
                ("a.md", "---\nlayout: default\n---\na\n"),
                ("b.md", "---\nlayout: default\n---\nb\n"),
            ],
            "",
        );
        assert_eq!(
            at(&f, "TAG-002"),
            [
                ("_includes/analytics.html".into(), 1, 20),
                ("_includes/analytics.html".into(), 2, 24),
            ]
        );
    }
}
