//! TAG-001 tag-missing: a page that loads no Google tag, and a GTM install missing a part:
//! the head snippet belongs in `<head>`, and the `<noscript>` iframe straight after `<body>`.
//! Which pages must carry the tag is the site's to say: with `[tagging] production_ids`,
//! every page must load one of those ids. Without it only the GTM install itself is judged
//! (a site without analytics is not an error; the audit's coverage still lists such pages
//! as `not_tagged`).

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::tagging::coverage::PageTags;
use crate::qa::tagging::tags::{Placement, TagKind};

use super::{at_doc, at_tag, is_html_page};

static META: RuleMeta = RuleMeta {
    id: "TAG-001",
    name: "tag-missing",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "A page without the analytics tag, or a GTM install missing its head snippet or its noscript iframe after <body>",
    why: "A page without the tag is invisible in analytics: its visits, conversions and campaign traffic are lost, and reports undercount without saying so. GTM's noscript iframe measures visitors without JavaScript.",
    bad: r#"<html><head><script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-ABC1234');</script></head>
<body><h1>Plans</h1></body></html>"#,
    good: r#"<html><head><script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-ABC1234');</script></head>
<body><noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-ABC1234" height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>
<h1>Plans</h1></body></html>"#,
    source: "Google Tag Manager, Install Google Tag Manager for web pages; Google tag coverage (DOMAIN.md §2.2)",
};

pub struct TagMissing;

impl Rule for TagMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        if !is_html_page(view) {
            return;
        }
        let t = PageTags::of(view, cx.settings.site_values);
        let declared = &cx.settings.config.tagging.production_ids;
        // Unresolved config ids may well be the declared ones.
        let must = !declared.is_empty()
            && !t.tags.iter().any(|p| {
                p.tag
                    .id
                    .value()
                    .is_some_and(|v| declared.iter().any(|d| d == v))
                    || matches!(p.tag.id, crate::qa::tagging::tags::TagId::Config { .. })
            });
        if must {
            let (doc, span) = view.head_owner();
            let d = view
                .docs
                .iter()
                .position(|x| std::ptr::eq(*x, doc))
                .unwrap_or(0);
            let what = format!("the site's tag ({})", declared.join(", "));
            out.push(
                at_doc(
                    &META,
                    view,
                    d,
                    span,
                    format!("pages built on this file do not load {what}"),
                )
                .hint("add the tag to the layout every page uses (or its head include)"),
            );
        }
        gtm_parts(cx, &t, out);
    }
}

/// The GTM head snippet in `<head>` and its noscript iframe as the first thing in `<body>`.
fn gtm_parts(cx: &PageCx, t: &PageTags, out: &mut Vec<Finding>) {
    let view = cx.view;
    let Some(loader) = t
        .tags
        .iter()
        .find(|p| p.tag.kind == TagKind::Gtm && p.tag.placement == Placement::Loader)
    else {
        return;
    };
    if t.head.is_some() && !t.in_head(&loader.key) {
        out.push(
            at_tag(
                &META,
                view,
                loader,
                format!(
                    "the GTM snippet for {} is outside <head>",
                    loader.tag.id.display()
                ),
            )
            .hint("move it as high in <head> as possible, as Google's install instructions say"),
        );
    }
    let noscript = t
        .tags
        .iter()
        .find(|p| p.tag.kind == TagKind::Gtm && p.tag.placement == Placement::Noscript);
    match noscript {
        // A layout or include that could not be followed may hold it.
        None if !view.is_complete() => {}
        None => out.push(
            at_tag(&META, view, loader, format!("GTM container {} has no <noscript> iframe after <body>", loader.tag.id.display()))
                .hint("paste GTM's second snippet (<noscript><iframe src=\"https://www.googletagmanager.com/ns.html?id=…\">) right after the opening <body> tag"),
        ),
        Some(n) if t.body.is_some() => {
            let holder = view.docs[n.doc].elements[n.tag.element].parent;
            let first = t.first_in_body;
            if first.is_some() && first != holder.map(|h| (n.doc, h)) {
                out.push(
                    at_tag(&META, view, n, "GTM's <noscript> iframe is not straight after <body>")
                        .hint("move it to be the first element after the opening <body> tag"),
                );
            }
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    const HEAD: &str = "<script>(function(w,d,s,l,i){j.src='https://www.googletagmanager.com/gtm.js?id='+i;})(window,document,'script','dataLayer','GTM-AB12CD');</script>";
    const BODY: &str = r#"<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-AB12CD"></iframe></noscript>"#;

    #[test]
    fn a_layout_without_the_declared_tag_and_a_late_noscript_are_flagged() {
        let tagged = "<html><head>{% include gtm-head.html %}</head><body>{% include gtm-body.html %}<main>{{ content }}</main></body></html>";
        let late = format!(
            "<html><head>{HEAD}</head><body><header>x</header>{BODY}{{{{ content }}}}</body></html>"
        );
        let f = check_files(
            &[
                ("_config.yml", "title: x\n"),
                ("_includes/gtm-head.html", HEAD),
                ("_includes/gtm-body.html", BODY),
                ("_layouts/default.html", tagged),
                (
                    "_layouts/bare.html",
                    "<html>\n<head><title>x</title></head><body>{{ content }}</body></html>",
                ),
                ("_layouts/late.html", &late),
                ("index.md", "---\nlayout: default\n---\nhi\n"),
                ("landing.md", "---\nlayout: bare\n---\nhi\n"),
                ("late.md", "---\nlayout: late\n---\nhi\n"),
            ],
            "[tagging]\nproduction_ids = [\"GTM-AB12CD\"]\n",
        );
        assert_eq!(
            at(&f, "TAG-001"),
            [
                ("_layouts/bare.html".into(), 2, 1),
                ("_layouts/late.html".into(), 1, 213),
            ]
        );
    }

    #[test]
    fn without_declared_ids_a_page_without_tags_is_not_flagged() {
        let f = check_files(
            &[(
                "index.html",
                r#"<html><head><script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="1"></script></head><body>x</body></html>"#,
            )],
            "",
        );
        assert!(at(&f, "TAG-001").is_empty());
    }
}
