//! TAG-013 environment-leak: staging or development measurement ids in what production
//! renders, or production ids in a block limited to other builds. A site names its ids in
//! `sitewide.toml` (`[tagging] production_ids`, `staging_ids`); a template block limited to
//! an environment (`{% if jekyll.environment == "production" %}`, Hugo
//! `{{ if hugo.IsProduction }}`) renders only there. Without the lists, a GTM environment
//! snippet (`gtm_auth`/`gtm_preview=env-N`) outside a non-production block is flagged:
//! it serves that environment's container version to every visitor.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::{FileCx, Rule};
use crate::qa::source::Span;
use crate::qa::tagging::env::{Env, env_at};
use crate::qa::tagging::tags::{TagKind, tags};
use crate::qa::tagging::values::SiteValues;

static META: RuleMeta = RuleMeta {
    id: "TAG-013",
    name: "environment-leak",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "A staging or development tag id (or GTM environment) in production pages, or a production id limited to other builds",
    why: "A staging container or property on the live site sends real visitors' data to a test property (and test data to production in the reverse case): production reports lose the traffic and nobody notices until a quarter is compared.",
    bad: r#"<head><script>(function(w,d,s,l,i){j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl+'&gtm_auth=Xy9Zq&gtm_preview=env-5&gtm_cookies_win=x';})(window,document,'script','dataLayer','GTM-ABC1234');</script></head>"#,
    good: r#"<head><script>(function(w,d,s,l,i){j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;})(window,document,'script','dataLayer','GTM-ABC1234');</script></head>"#,
    source: "ObservePoint rule \"no dev/QA report suite\"; Google Tag Manager, Environments (DOMAIN.md §2.2)",
};

pub struct EnvironmentLeak;

impl Rule for EnvironmentLeak {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let cfg = &cx.settings.config.tagging;
        let values = cx.settings.site_values;
        for t in tags(doc, values).iter() {
            let Some(id) = t.id.value() else { continue };
            let env = env_at(doc, t.span.start);
            if cfg.staging_ids.iter().any(|s| s == id) && env != Some(Env::NotProduction) {
                out.push(
                    Finding::at(&META, doc, t.span, format!("staging id {id} renders in production"))
                        .hint("limit it to non-production builds ({% if jekyll.environment != \"production\" %}) or use the production id"),
                );
            }
            if cfg.production_ids.iter().any(|s| s == id) && env == Some(Env::NotProduction) {
                out.push(Finding::at(
                    &META,
                    doc,
                    t.span,
                    format!("production id {id} renders only in non-production builds"),
                ));
            }
        }
        gtm_environments(doc, values, out);
    }
}

/// `gtm_preview=env-N` in a GTM loader (inline or `src`) that production renders.
fn gtm_environments(doc: &Document, values: &SiteValues, out: &mut Vec<Finding>) {
    let gtm_elements: Vec<usize> = tags(doc, values)
        .iter()
        .filter(|t| t.kind == TagKind::Gtm)
        .map(|t| t.element)
        .collect();
    for el in gtm_elements {
        let e = &doc.elements[el];
        let span = e.content.map_or(e.tag, |c| Span::new(e.tag.start, c.end));
        let text = doc.slice(span);
        let Some(at) = text.find("gtm_preview=env-") else {
            continue;
        };
        let start = span.start + at;
        if env_at(doc, start) == Some(Env::NotProduction) {
            continue;
        }
        let end = text[at..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '=' || c == '-'))
            .map_or(span.end, |e| start + e);
        let found = Span::new(start, end);
        out.push(
            Finding::at(&META, doc, found, format!("the GTM snippet loads environment `{}` for every visitor", doc.slice(found).trim_start_matches("gtm_preview=")))
                .hint("use the Live environment's snippet in production, or limit this one to non-production builds"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn declared_staging_ids_outside_a_non_production_block_are_flagged() {
        let head = r#"{% if jekyll.environment == "production" %}
<script async src="https://www.googletagmanager.com/gtag/js?id=G-PROD1"></script>
{% else %}
<script async src="https://www.googletagmanager.com/gtag/js?id=G-STAGE1"></script>
{% endif %}
<script async src="https://www.googletagmanager.com/gtag/js?id=G-STAGE1"></script>
"#;
        let f = check_files(
            &[("_config.yml", "title: x\n"), ("_includes/head.html", head)],
            "[tagging]\nproduction_ids = [\"G-PROD1\"]\nstaging_ids = [\"G-STAGE1\"]\n",
        );
        assert_eq!(at(&f, "TAG-013"), [("_includes/head.html".into(), 6, 20)]);
    }
}
