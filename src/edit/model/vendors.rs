//! The tracking and consent vendors whose snippets a model may not touch (DOMAIN.md §2:
//! TAG-001…TAG-015, LEG-002): one row per vendor, matched against a `<script>`'s `src` and
//! inline code, a `<noscript>`'s content, or a pixel's `src`. Patterns are the loader hosts
//! and the global calls each vendor's install snippet documents. Data only; no I/O.

use std::sync::LazyLock;

use regex::Regex;

/// The built-in protected region classes a job spec names in `protected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// `tag-snippets`: analytics, tag managers and ad pixels.
    TagSnippets,
    /// `consent`: consent-management platforms and Google consent mode.
    Consent,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::TagSnippets => "tag-snippets",
            Class::Consent => "consent",
        }
    }

    pub fn from_name(name: &str) -> Option<Class> {
        match name {
            "tag-snippets" => Some(Class::TagSnippets),
            "consent" => Some(Class::Consent),
            _ => None,
        }
    }
}

/// `(class, vendor, pattern)`; patterns are case-insensitive.
const VENDORS: &[(Class, &str, &str)] = &[
    (
        Class::TagSnippets,
        "Google Tag Manager",
        r"googletagmanager\.com/(gtm\.js|ns\.html)|\bGTM-[A-Z0-9]{4,}",
    ),
    (
        Class::TagSnippets,
        "Google tag (gtag.js)",
        r"googletagmanager\.com/gtag/|\bgtag\s*\(|\bdataLayer\b",
    ),
    (
        Class::TagSnippets,
        "Google Analytics",
        r"google-analytics\.com|\bga\s*\(\s*['\x22](create|send)",
    ),
    (
        Class::TagSnippets,
        "Google Ads",
        r"googleadservices\.com|doubleclick\.net",
    ),
    (
        Class::TagSnippets,
        "Segment",
        r"cdn\.segment\.(com|io)|\banalytics\.(load|page|track|identify)\s*\(",
    ),
    (
        Class::TagSnippets,
        "Meta Pixel",
        r"connect\.facebook\.net|facebook\.com/tr\b|\bfbq\s*\(",
    ),
    (
        Class::TagSnippets,
        "LinkedIn Insight Tag",
        r"snap\.licdn\.com|px\.ads\.linkedin\.com|_linkedin_partner_id",
    ),
    (
        Class::TagSnippets,
        "TikTok Pixel",
        r"analytics\.tiktok\.com|\bttq\.(load|page|track)",
    ),
    (
        Class::TagSnippets,
        "Hotjar",
        r"static\.hotjar\.com|_hjSettings|\bhj\s*\(",
    ),
    (Class::TagSnippets, "Microsoft Clarity", r"clarity\.ms/tag"),
    (
        Class::TagSnippets,
        "Microsoft UET",
        r"bat\.bing\.com|\buetq\b",
    ),
    (
        Class::TagSnippets,
        "X (Twitter) pixel",
        r"static\.ads-twitter\.com|\btwq\s*\(",
    ),
    (
        Class::TagSnippets,
        "Pinterest tag",
        r"s\.pinimg\.com/ct|\bpintrk\s*\(",
    ),
    (
        Class::TagSnippets,
        "Reddit pixel",
        r"redditstatic\.com/ads|\brdt\s*\(\s*['\x22]",
    ),
    (
        Class::TagSnippets,
        "Snap Pixel",
        r"sc-static\.net/scevent|\bsnaptr\s*\(",
    ),
    (
        Class::TagSnippets,
        "HubSpot tracking",
        r"js\.hs-scripts\.com|js\.hs-analytics\.net",
    ),
    (Class::TagSnippets, "Plausible", r"plausible\.io/js"),
    (
        Class::TagSnippets,
        "Matomo",
        r"\b_paq\b|matomo\.(js|php)|piwik\.(js|php)",
    ),
    (
        Class::TagSnippets,
        "Mixpanel",
        r"cdn\.mxpnl\.com|\bmixpanel\.(init|track)",
    ),
    (
        Class::TagSnippets,
        "Amplitude",
        r"cdn\.amplitude\.com|\bamplitude\.(getInstance|init|track)",
    ),
    (
        Class::TagSnippets,
        "Heap",
        r"cdn\.heapanalytics\.com|\bheap\.(load|track)",
    ),
    (
        Class::TagSnippets,
        "Adobe Experience Platform Launch",
        r"assets\.adobedtm\.com|\b_satellite\b",
    ),
    (
        Class::TagSnippets,
        "Tealium",
        r"tags\.tiqcdn\.com|\butag_data\b",
    ),
    (
        Class::TagSnippets,
        "FullStory",
        r"fullstory\.com/s/fs\.js|\b_fs_org\b",
    ),
    (
        Class::Consent,
        "OneTrust",
        r"cdn\.cookielaw\.org|otSDKStub|otBannerSdk|OptanonWrapper|\bOneTrust\b|optanon",
    ),
    (
        Class::Consent,
        "Cookiebot",
        r"consent\.cookiebot\.(com|eu)|\bCookiebot\b|data-cbid",
    ),
    (
        Class::Consent,
        "Usercentrics",
        r"usercentrics\.(eu|com)|\bUC_UI\b",
    ),
    (
        Class::Consent,
        "Didomi",
        r"sdk\.privacy-center\.org|\bdidomi",
    ),
    (Class::Consent, "Osano", r"cmp\.osano\.com|\bOsano\b"),
    (
        Class::Consent,
        "TrustArc",
        r"consent\.trustarc\.com|consent\.truste\.com|\btruste\b|trustarc",
    ),
    (Class::Consent, "Termly", r"app\.termly\.io|\btermly"),
    (
        Class::Consent,
        "CookieYes",
        r"cdn-cookieyes\.com|cookieyes|\bcky-",
    ),
    (Class::Consent, "iubenda", r"cdn\.iubenda\.com|\b_iub\b"),
    (
        Class::Consent,
        "Quantcast Choice",
        r"quantcast\.mgr\.consensu\.org|cmp\.quantcast\.com|__tcfapi",
    ),
    (
        Class::Consent,
        "Google consent mode",
        r"\bgtag\s*\(\s*['\x22]consent['\x22]",
    ),
    (
        Class::Consent,
        "consent-gated script",
        r"data-cookieconsent|data-cookiecategory|data-usercentrics|optanon-category-",
    ),
];

/// Controls that reopen a consent banner ("Cookie settings" links), matched on the start tag.
const SETTINGS_CONTROL: &str = r"ot-sdk-show-settings|optanon-show-settings|Cookiebot\.(renew|show)|UC_UI\.show|Didomi\.preferences\.show|termly-display-preferences|Osano\.cm\.showDrawer|cky-banner-element|truste\.eu\.bindMap";

/// Include names that bring in a tracking or consent partial (`{% include gtm.html %}`).
const TAG_INCLUDE: &str = r"(?i)(^|[/_.-])(gtm|gtag|google[-_]?tag[-_]?manager|tag[-_]?manager|analytics|tracking|pixels?|segment|hotjar|datalayer)([/_.-]|$)";
const CONSENT_INCLUDE: &str = r"(?i)(^|[/_.-])(consent|cookies?([-_]?(banner|consent|notice))?|cmp|onetrust|cookiebot|usercentrics|gdpr)([/_.-]|$)";

static COMPILED: LazyLock<Vec<(Class, &'static str, Regex)>> = LazyLock::new(|| {
    VENDORS
        .iter()
        .map(|&(c, name, p)| {
            (
                c,
                name,
                Regex::new(&format!("(?i){p}")).expect("a valid vendor regex"),
            )
        })
        .collect()
});
static SETTINGS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i){SETTINGS_CONTROL}")).expect("a valid regex"));
static INCLUDES: LazyLock<[Regex; 2]> =
    LazyLock::new(|| [TAG_INCLUDE, CONSENT_INCLUDE].map(|p| Regex::new(p).expect("a valid regex")));

/// The first vendor of `class` whose snippet `code` (a script's `src` and content, or a
/// start tag and content) is, if any.
pub fn vendor(class: Class, code: &str) -> Option<&'static str> {
    COMPILED
        .iter()
        .find(|(c, _, re)| *c == class && re.is_match(code))
        .map(|(_, name, _)| *name)
}

/// True when a start tag is a consent-settings control.
pub fn is_settings_control(start_tag: &str) -> bool {
    SETTINGS.is_match(start_tag)
}

/// True when an included partial's name says it holds `class` code.
pub fn is_include_of(class: Class, name: &str) -> bool {
    let i = match class {
        Class::TagSnippets => 0,
        Class::Consent => 1,
    };
    INCLUDES[i].is_match(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_pattern_compiles() {
        assert_eq!(COMPILED.len(), VENDORS.len());
    }

    #[test]
    fn recognises_install_snippets_by_loader_and_call() {
        let tag = |s| vendor(Class::TagSnippets, s);
        assert_eq!(
            tag("https://www.googletagmanager.com/gtm.js?id=GTM-AB12CD"),
            Some("Google Tag Manager")
        );
        assert_eq!(
            tag("window.dataLayer = window.dataLayer || [];"),
            Some("Google tag (gtag.js)")
        );
        assert_eq!(
            tag("!function(f,b,e,v,n,t,s){};fbq('init', '123');"),
            Some("Meta Pixel")
        );
        assert_eq!(
            tag("analytics.load(\"KEY\");analytics.page();"),
            Some("Segment")
        );
        assert_eq!(
            tag("(function(h,o,t,j,a,r){h._hjSettings={hjid:1}})"),
            Some("Hotjar")
        );
        assert_eq!(tag("document.querySelector('.menu').toggle()"), None);
    }

    #[test]
    fn recognises_consent_platforms_and_consent_mode() {
        let consent = |s| vendor(Class::Consent, s);
        assert_eq!(
            consent("https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"),
            Some("OneTrust")
        );
        assert_eq!(
            consent("https://consent.cookiebot.com/uc.js"),
            Some("Cookiebot")
        );
        assert_eq!(
            consent("gtag('consent', 'default', {ad_storage: 'denied'})"),
            Some("Google consent mode")
        );
        assert_eq!(consent("gtag('config', 'G-XYZ')"), None);
    }

    #[test]
    fn recognises_settings_controls_and_partials() {
        assert!(is_settings_control(
            "<a class=\"ot-sdk-show-settings\" href=\"#\">"
        ));
        assert!(is_include_of(Class::TagSnippets, "partials/gtm-head.html"));
        assert!(is_include_of(Class::Consent, "cookie-banner.html"));
        assert!(!is_include_of(Class::TagSnippets, "header.html"));
    }
}
