//! TAG-003 universal-analytics: Universal Analytics leftovers: `UA-` ids (in `ga('create')`,
//! `_gaq.push(['_setAccount'])` or `gtag('config')`), and the analytics.js, ga.js and
//! dc.js loaders. Standard UA properties stopped processing data on 1 July 2023.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};
use crate::qa::tagging::tags::{TagKind, tags};

static META: RuleMeta = RuleMeta {
    id: "TAG-003",
    name: "universal-analytics",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "Universal Analytics (UA- ids, analytics.js, ga.js) is still installed",
    why: "Universal Analytics stopped processing data on 1 July 2023: the snippet sends hits nobody receives, costs page weight, and hides that the page may have no GA4 tag at all.",
    bad: r#"<script>
(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;a=s.createElement(o);a.src=g;})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');
ga('create', 'UA-12345-1', 'auto');
ga('send', 'pageview');
</script>"#,
    good: r#"<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>gtag('config', 'G-ABC123');</script>"#,
    source: "Google Analytics Help, Universal Analytics has been replaced by Google Analytics 4 (DOMAIN.md §2.2)",
};

pub struct UniversalAnalytics;

impl Rule for UniversalAnalytics {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let found = tags(cx.doc, cx.settings.site_values);
        for t in found.iter().filter(|t| t.kind == TagKind::Ua) {
            let what = match t.id.value() {
                Some(id) => format!("Universal Analytics property {id}"),
                None => format!("the Universal Analytics loader `{}`", cx.doc.slice(t.span)),
            };
            out.push(
                Finding::at(
                    &META,
                    cx.doc,
                    t.span,
                    format!("{what} stopped processing data on 1 July 2023"),
                )
                .hint("remove the UA snippet; measure with the GA4 tag (gtag.js or GTM) instead"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn ua_ids_in_ga_js_and_gtag_config_are_flagged() {
        let f = check_files(
            &[
                ("_config.yml", "title: x\n"),
                (
                    "_includes/analytics.html",
                    "<script>var _gaq = _gaq || [];\n_gaq.push(['_setAccount', 'UA-999-1']);</script>\n<script>gtag('config', 'G-NEW1');\ngtag('config', 'UA-999-2');</script>\n",
                ),
            ],
            "",
        );
        assert_eq!(
            at(&f, "TAG-003"),
            [
                ("_includes/analytics.html".into(), 2, 27),
                ("_includes/analytics.html".into(), 4, 16),
            ]
        );
    }

    #[test]
    fn a_ua_id_read_from_the_site_config_is_flagged_and_matched_with_the_same_id_written_out() {
        let f = check_files(
            &[
                ("_config.yml", "google_analytics: UA-4242-1\n"),
                (
                    "_layouts/default.html",
                    "<html><head>\n<script async src=\"https://www.googletagmanager.com/gtag/js?id={{ site.google_analytics }}\"></script>\n<script async src=\"https://www.googletagmanager.com/gtag/js?id=UA-4242-1\"></script>\n</head><body>{{ content }}</body></html>\n",
                ),
                ("index.md", "---\nlayout: default\n---\nHi\n"),
            ],
            "",
        );
        assert_eq!(
            at(&f, "TAG-003"),
            [
                ("_layouts/default.html".into(), 2, 20),
                ("_layouts/default.html".into(), 3, 20),
            ]
        );
        assert_eq!(at(&f, "TAG-002").len(), 1, "{:?}", at(&f, "TAG-002"));
    }
}
