//! LEG-001 footer-links: a page that sets cookies (it loads analytics or advertising tags)
//! links to the privacy policy and to the cookie settings from its
//! footer, judged on the resolved page (the footer is usually a layout's include).
//! Cookie settings are a link or button that reopens the consent platform (OneTrust's
//! `ot-sdk-show-settings`, `Cookiebot.renew()`) or says so ("Cookie settings",
//! "Manage cookies", "Your privacy choices").

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{PageCx, Rule};
use crate::qa::tagging::coverage::PageTags;

use super::{control_text, footer_anchor, footer_controls};

static META: RuleMeta = RuleMeta {
    id: "LEG-001",
    name: "footer-links",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "A page with tracking tags has no footer link to the privacy policy or to the cookie settings",
    why: "GDPR and ePrivacy require the privacy notice to be reachable from every page and withdrawing consent to be as easy as giving it: a footer link on every page is how visitors (and regulators) find both.",
    bad: r#"<html><head><script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script></head>
<body><footer><a href="/about/">About</a></footer></body></html>"#,
    good: r#"<html><head><script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script></head>
<body><footer><a href="/privacy/">Privacy policy</a> <button class="ot-sdk-show-settings">Cookie settings</button></footer></body></html>"#,
    source: "Mozilla bedrock footer (cookie settings on every page); GDPR Art. 7(3), 12 (DOMAIN.md §3)",
};

const PRIVACY: &[&str] = &[
    "privacy",
    "datenschutz",
    "privacidad",
    "confidentialit",
    "privacybeleid",
    "informativa",
];
const COOKIE_SETTINGS: &[&str] = &[
    "cookie settings",
    "cookie preferences",
    "cookie choices",
    "cookie consent",
    "cookies settings",
    "manage cookies",
    "change cookie",
    "manage consent",
    "privacy choices",
    "privacy settings",
    "ot-sdk-show-settings",
    "optanon-show-settings",
    "optanon.toggleinfodisplay",
    "onetrust.toggleinfodisplay",
    "cookiebot.renew",
    "cookiebot.show",
    "cookie-einstellungen",
];

pub struct FooterLinks;

impl Rule for FooterLinks {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        if !crate::qa::rules::tagging::is_html_page(view) {
            return;
        }
        let t = PageTags::of(view, cx.settings.site_values);
        // Cookies are set by analytics and advertising scripts; a consent platform alone
        // (its own essential cookie) or a noscript fallback does not make the page need them.
        let sets_cookies = t
            .non_essential()
            .any(|p| p.tag.placement != crate::qa::tagging::tags::Placement::Noscript);
        if !sets_cookies {
            return;
        }
        let Some(controls) = footer_controls(view, &t) else {
            return;
        };
        let texts: Vec<String> = controls
            .into_iter()
            .map(|(d, i)| control_text(d, i))
            .collect();
        let has = |words: &[&str]| texts.iter().any(|s| words.iter().any(|w| s.contains(w)));
        let (doc, span) = footer_anchor(view);
        if !has(PRIVACY) {
            out.push(
                Finding::at(
                    &META,
                    doc,
                    span,
                    "the footer has no link to the privacy policy",
                )
                .hint("link the privacy policy from the footer every page uses"),
            );
        }
        if !has(COOKIE_SETTINGS) {
            out.push(
                Finding::at(&META, doc, span, "the footer has no link to the cookie settings")
                    .hint("add a \"Cookie settings\" link or button that reopens the consent banner (OneTrust: class=\"ot-sdk-show-settings\"; Cookiebot: href=\"javascript:Cookiebot.renew()\")"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files};

    #[test]
    fn the_footer_include_is_judged_on_the_resolved_page() {
        let layout = "<html><head><script async src=\"https://www.googletagmanager.com/gtag/js?id=G-1\"></script></head>\n<body>{{ content }}\n<footer>{% include footer.html %}</footer></body></html>";
        let f = check_files(
            &[
                ("_config.yml", "title: x\n"),
                ("_layouts/default.html", layout),
                (
                    "_layouts/plain.html",
                    "<html><head><script async src=\"https://www.googletagmanager.com/gtag/js?id=G-1\"></script></head>\n<body>{{ content }}<footer><a href=\"/privacy/\">Privacy</a></footer></body></html>",
                ),
                (
                    "_includes/footer.html",
                    "<a href=\"/privacy/\">Privacy</a> <a href=\"javascript:Cookiebot.renew()\">Cookie settings</a>",
                ),
                ("index.md", "---\nlayout: default\n---\n[privacy](/x)\n"),
                ("b.md", "---\nlayout: plain\n---\nb\n"),
            ],
            "",
        );
        assert_eq!(at(&f, "LEG-001"), [("_layouts/plain.html".into(), 2, 20)]);
    }
}
