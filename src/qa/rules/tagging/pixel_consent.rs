//! TAG-015 pixel-consent: advertising pixels (Meta, LinkedIn Insight, TikTok) hard-coded in a
//! page without a consent gate. Gated means: the script is held by the consent platform
//! (`type="text/plain"` with Cookiebot's `data-cookieconsent`, OneTrust's
//! `class="optanon-category-C0004"`, or another CMP's category attribute), or its code runs
//! from a consent callback (`OptanonWrapper`, `CookiebotOnAccept`, `__tcfapi`). A pixel
//! fired from GTM is not in the repository and is GTM's consent settings' business. With
//! `[tagging] vendors`, a script from a host the cookie policy does not list is flagged too.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::{FileCx, Rule};
use crate::qa::tagging::script;
use crate::qa::tagging::tags::{Placement, tags};

static META: RuleMeta = RuleMeta {
    id: "TAG-015",
    name: "pixel-consent",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "An advertising pixel (Meta, LinkedIn, TikTok) loads without a consent gate, or a script's vendor is not in the cookie policy",
    why: "Ad pixels set marketing cookies and send visitor data to the platform: loaded before consent they breach GDPR/ePrivacy, and an unlisted vendor is a cookie-policy statement that is no longer true.",
    bad: r#"<script>!function(f,b,e,v,n,t,s){t=b.createElement(e);t.src=v;}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '123456789012345');
fbq('track', 'PageView');</script>"#,
    good: r#"<script type="text/plain" data-cookieconsent="marketing">!function(f,b,e,v,n,t,s){t=b.createElement(e);t.src=v;}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '123456789012345');
fbq('track', 'PageView');</script>"#,
    source: "DataTrue consent testing; Cookiebot and OneTrust manual blocking docs (DOMAIN.md §2.2)",
};

/// Attributes consent platforms hold a `type="text/plain"` script by.
const CATEGORY_ATTRS: &[&str] = &[
    "data-cookieconsent",
    "data-cookiecategory",
    "data-category",
    "data-consent",
    "data-usercentrics",
    "data-cookie-consent",
];

pub struct PixelConsent;

impl Rule for PixelConsent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let mut seen = Vec::new();
        for t in tags(doc, cx.settings.site_values)
            .iter()
            .filter(|t| t.kind.is_pixel() && t.placement != Placement::Noscript)
        {
            if seen.contains(&(t.element, t.kind)) || gated(doc, t.element) {
                continue;
            }
            seen.push((t.element, t.kind));
            out.push(
                Finding::at(&META, doc, t.span, format!("{} {} loads without waiting for consent", label(t.kind), t.id.display()))
                    .hint("hold it for the marketing category (type=\"text/plain\" data-cookieconsent=\"marketing\", class=\"optanon-category-C0004\") or fire it from GTM with consent checks"),
            );
        }
        let vendors = &cx.settings.config.tagging.vendors;
        if !vendors.is_empty() {
            unlisted_vendors(cx, vendors, out);
        }
    }
}

fn label(kind: crate::qa::tagging::tags::TagKind) -> &'static str {
    use crate::qa::tagging::tags::TagKind;
    match kind {
        TagKind::MetaPixel => "the Meta pixel",
        TagKind::LinkedinInsight => "the LinkedIn Insight tag",
        _ => "the TikTok pixel",
    }
}

fn gated(doc: &Document, el: usize) -> bool {
    let held = doc
        .attr_value(el, "type")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/plain"))
        && (CATEGORY_ATTRS.iter().any(|a| doc.attr(el, a).is_some())
            || doc.attr_value(el, "class").is_some_and(|c| {
                c.split_whitespace()
                    .any(|k| k.starts_with("optanon-category-") || k.starts_with("cmplz-"))
            }));
    held || script::facts(doc).consent_gated.contains(&el)
}

/// Scripts from hosts neither the site's own nor in `[tagging] vendors`.
fn unlisted_vendors(cx: &FileCx, vendors: &[String], out: &mut Vec<Finding>) {
    let doc = cx.doc;
    for el in doc.elements_named("script") {
        let Some(src) = doc.attr(el, "src").and_then(|a| a.value) else {
            continue;
        };
        if doc.is_dynamic(src) {
            continue;
        }
        let Some(host) = crate::config::host_of(doc.slice(src)) else {
            continue;
        };
        let listed = |h: &String| {
            let h = h.trim_start_matches("*.").to_ascii_lowercase();
            host == h || host.ends_with(&format!(".{h}"))
        };
        if cx.settings.internal_hosts.iter().any(listed) || vendors.iter().any(listed) {
            continue;
        }
        out.push(
            Finding::at(&META, doc, src, format!("script from {host}, a vendor the cookie policy does not list"))
                .hint("add the vendor to the cookie policy and to [tagging] vendors, or remove the script"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn ungated_pixels_and_unlisted_vendors_are_flagged() {
        let page = r#"<html><head>
<script type="text/plain" class="optanon-category-C0004">_linkedin_partner_id = "555";</script>
<script>ttq.load('CTIK1');</script>
<script>function OptanonWrapper() { fbq('init', '42'); }</script>
<script src="https://js.hs-scripts.com/1.js"></script>
<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
</head></html>"#;
        let f = check_files(
            &[("_config.yml", "title: x\n"), ("index.html", page)],
            "[tagging]\nvendors = [\"googletagmanager.com\"]\n",
        );
        assert_eq!(
            at(&f, "TAG-015"),
            [("index.html".into(), 3, 18), ("index.html".into(), 5, 14)]
        );
    }
}
