//! UTM rules (DOMAIN.md §1.4): campaign parameters on links, checked against the site's
//! taxonomy in `sitewide.toml`.
//!
//! Shared here so the rules agree byte for byte: which URLs a file holds and what they are
//! for (this file), the one clean-up edit per URL (`cleanup.rs`: params stripped, query kept
//! well-formed), and the canonical form of a value (`value.rs`). Every rule that fixes a value
//! writes that same canonical form, and every rule that strips params writes that same
//! clean-up, so `--fix` never meets two different edits of the same bytes and one pass converges.

mod campaign_pattern;
mod cleanup;
mod duplicate_key;
mod internal_link;
mod missing_key;
pub(crate) mod pii;
mod tagged_canonical;
mod too_long;
mod unknown_key;
mod unknown_medium;
mod unknown_source;
mod utm_in_fragment;
mod value;
mod value_case;
mod value_charset;
mod value_encoding;

pub(crate) use cleanup::{Cleanup, cleanup};
pub(crate) use value::*;

use super::{Rule, Settings};
use crate::qa::page::{Document, LinkKind};
use crate::qa::url::{Target, UrlRef, is_utm_like};

pub static RULES: &[&dyn Rule] = &[
    &missing_key::MissingUtmKey,
    &unknown_key::UnknownUtmKey,
    &value_case::UtmValueCase,
    &value_charset::UtmValueCharset,
    &value_encoding::UtmValueEncoding,
    &duplicate_key::DuplicateUtmKey,
    &utm_in_fragment::UtmInFragment,
    &internal_link::UtmOnInternalLink,
    &unknown_medium::UnknownUtmMedium,
    &unknown_source::UnknownUtmSource,
    &campaign_pattern::CampaignOffPattern,
    &pii::PiiInUrl,
    &tagged_canonical::UtmOnCanonicalUrl,
    &too_long::UtmTooLong,
];

/// What a URL is for, which decides what UTMs on it mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A link a visitor follows: `<a>`, `<area>`, a Markdown link.
    Navigation,
    /// A URL that must name the clean page (`rel=canonical`, `og:url`, an hreflang
    /// alternate, a sitemap `<loc>`); the words say which.
    Canonical(&'static str),
    /// Images, scripts, forms, frames and the rest.
    Other,
}

/// One URL of a file with a query or a fragment.
pub(crate) struct Found {
    pub url: UrlRef,
    pub role: Role,
    /// What the clean-up would remove (computed once, shared by every rule).
    pub cleanup: Cleanup,
    /// The literal UTM values the value rules judge (computed once).
    pub values: Vec<value::ValueData>,
}

/// `found_urls`' result, kept with the document so the UTM rules parse its URLs once.
pub(crate) struct FoundUrls(Vec<Found>);

impl std::ops::Deref for FoundUrls {
    type Target = [Found];
    fn deref(&self) -> &[Found] {
        &self.0
    }
}

/// Every URL of `doc` that carries a query or a fragment, with its role and clean-up;
/// computed on the first call for a document and shared by every UTM rule after it.
pub(crate) fn found_urls(doc: &Document, settings: &Settings) -> std::sync::Arc<FoundUrls> {
    doc.memo(|| FoundUrls(scan_urls(doc, settings)))
}

/// Every URL of `doc` that carries a query or a fragment, with its role. Sitemap files
/// (`sitemap*.xml`, `sitemap.xml.njk`, …) add their `<loc>` URLs.
fn scan_urls(doc: &Document, settings: &Settings) -> Vec<Found> {
    let mut out = Vec::new();
    for link in &doc.links {
        // A query is judged (PII, length, UTMs); a fragment only when it holds a UTM
        // (UTM-007): `#section` links are most of a page's links and need no parse here.
        let raw = doc.slice(link.url);
        let fragment_utm = raw.contains('#') && raw.to_ascii_lowercase().contains("utm");
        if !raw.contains('?') && !fragment_utm {
            continue;
        }
        let role = match (link.kind, link.element) {
            (LinkKind::Anchor, _) => Role::Navigation,
            (LinkKind::LinkTag, Some(el)) => link_tag_role(doc, el),
            (LinkKind::Meta, Some(el)) if meta_is_og_url(doc, el) => Role::Canonical("og:url"),
            _ => Role::Other,
        };
        out.push(Found {
            url: UrlRef::parse(doc, link.url),
            role,
            cleanup: Cleanup::default(),
            values: Vec::new(),
        });
    }
    let name = doc.path.rsplit('/').next().unwrap_or(&doc.path);
    if name.to_ascii_lowercase().starts_with("sitemap") {
        for el in doc.elements_named("loc") {
            if let Some(content) = doc.elements[el].content
                && doc.slice(content).contains(['?', '#'])
            {
                out.push(Found {
                    url: UrlRef::parse(doc, content),
                    role: Role::Canonical("sitemap <loc>"),
                    cleanup: Cleanup::default(),
                    values: Vec::new(),
                });
            }
        }
    }
    for f in &mut out {
        f.cleanup = cleanup::compute(doc, f, settings);
        f.values = value::compute(doc, f, settings);
    }
    out
}

fn link_tag_role(doc: &Document, el: usize) -> Role {
    let rel = doc.attr_value(el, "rel").unwrap_or("").to_ascii_lowercase();
    let rels: Vec<&str> = rel.split_ascii_whitespace().collect();
    if rels.contains(&"canonical") {
        Role::Canonical("rel=canonical")
    } else if rels.contains(&"alternate") && doc.attr(el, "hreflang").is_some() {
        Role::Canonical("hreflang alternate")
    } else {
        Role::Other
    }
}

fn meta_is_og_url(doc: &Document, el: usize) -> bool {
    ["property", "name"].iter().any(|a| {
        doc.attr_value(el, a)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("og:url"))
    })
}

/// Why every UTM parameter of a URL must go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strip {
    /// A link to this site (UTM-008): it would restart the session.
    Internal,
    /// A canonical-like URL (UTM-013).
    Canonical,
}

/// True when `url` leads to this site and its host is not exempt (UTM-008a).
pub(crate) fn is_internal(url: &UrlRef, settings: &Settings) -> bool {
    let exempt = url.host.as_ref().is_some_and(|h| {
        settings
            .config
            .utm
            .utm_exempt_hosts
            .iter()
            .any(|e| e.trim().eq_ignore_ascii_case(h))
    });
    url.target(settings.internal_hosts) == Target::Internal && !exempt
}

pub(crate) fn strip_reason(doc: &Document, f: &Found, settings: &Settings) -> Option<Strip> {
    match f.role {
        Role::Canonical(_) => Some(Strip::Canonical),
        Role::Navigation if is_internal(&f.url, settings) && !is_offsite_template(&doc.path) => {
            Some(Strip::Internal)
        }
        _ => None,
    }
}

/// Templates read somewhere else than on the site (email, newsletters, feeds), whose links
/// back to the site are meant to carry UTMs.
fn is_offsite_template(path: &str) -> bool {
    path.to_ascii_lowercase()
        .split(['/', '.', '_', '-'])
        .any(|w| {
            matches!(
                w,
                "email"
                    | "emails"
                    | "mail"
                    | "mails"
                    | "mailer"
                    | "mailers"
                    | "mailing"
                    | "mailings"
                    | "newsletter"
                    | "newsletters"
                    | "feed"
                    | "feeds"
                    | "rss"
                    | "atom"
            )
        })
}

/// A share link a platform generated (`utm_source=share&utm_medium=member_desktop` from
/// LinkedIn, `web2x` from Reddit): its tags are the platform's, not the site's campaign.
pub(crate) fn is_share_link(url: &UrlRef) -> bool {
    url.params.iter().any(|p| {
        let v = p.value_text.to_ascii_lowercase();
        match p.key_text.as_str() {
            "utm_source" => v == "share",
            "utm_medium" => {
                v.starts_with("member_")
                    || v.ends_with("_app")
                    || (v.starts_with("web") && v.ends_with('x') && v.len() == 5)
            }
            _ => false,
        }
    })
}

/// The query parameters of a URL that are UTMs with a literal key.
pub(crate) fn utm_indices(url: &UrlRef) -> Vec<usize> {
    (0..url.params.len())
        .filter(|&i| !url.params[i].key_dynamic && is_utm_like(&url.params[i].key_text))
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use crate::qa::finding::Finding;
    use crate::qa::testing::check_files;

    /// Applies the fixes of `rule` found in `file` to `text`, as `--fix` would.
    pub(in crate::qa::rules::utm) fn fixed_in(
        text: &str,
        findings: &[Finding],
        file: &str,
        rule: &str,
    ) -> String {
        let mine: Vec<Finding> = findings
            .iter()
            .filter(|f| f.file.as_ref() == file)
            .cloned()
            .collect();
        crate::qa::testing::fixed(text, &mine, rule)
    }

    /// Every fix of every rule, applied once, as `--fix` does.
    fn fix_all(text: &str, findings: &[Finding]) -> String {
        let fixes: Vec<_> = findings.iter().filter_map(|f| f.fix.clone()).collect();
        crate::qa::fix::apply(text, &fixes).0
    }

    #[test]
    fn one_fix_pass_settles_every_utm_finding_it_can() {
        let page = concat!(
            "<head><link rel=\"canonical\" href=\"https://www.example.com/p?utm_source=x&amp;page=2\"></head>\n",
            "<a href=\"https://p.example/?utm_source=FB&amp;utm_medium=E%20Mail&amp;utm_campaign=2026-Spring%20Sale&amp;utm_campaign=2026-Spring%20Sale\">a</a>\n",
            "<a href=\"/pricing?UTM_Source=Home&amp;utm_medium=banner&amp;email=jane%40gmail.com&amp;x=1\">b</a>\n",
            "<a href=\"https://p.example/offer#top?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=2026-x\">c</a>\n",
            "<a href=\"https://p.example/?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=2026-caf%25C3%25A9\">d</a>\n",
            "<a href=\"https://p.example/?utm_source=Bing&amp;utm_medium=cpc&amp;utm_campaign={{ page.c }}&amp;utm_content=Hero_Banner\">e</a>\n",
        );
        let config = crate::config::STARTER;
        let first = check_files(&[("index.html", page)], config);
        let once = fix_all(page, &first);
        let second = check_files(&[("index.html", &once)], config);
        let left: Vec<_> = second
            .iter()
            .filter(|f| f.id().starts_with("UTM") && f.fix.is_some())
            .collect();
        assert!(
            left.is_empty(),
            "fixes left after one pass:\n{once}\n{left:#?}"
        );
        assert_eq!(fix_all(&once, &second), once);
        assert!(
            once.contains("href=\"https://www.example.com/p?page=2\""),
            "{once}"
        );
        assert!(
            once.contains(
                "?utm_source=facebook&amp;utm_medium=email&amp;utm_campaign=2026-spring-sale\""
            ),
            "{once}"
        );
        assert!(once.contains("href=\"/pricing?x=1\""), "{once}");
        assert!(
            once.contains(
                "offer?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=2026-x#top\""
            ),
            "{once}"
        );
        assert!(once.contains("utm_campaign=2026-caf%C3%A9\""), "{once}");
        assert!(once.contains("utm_source=bing&amp;utm_medium=cpc&amp;utm_campaign={{ page.c }}&amp;utm_content=hero-banner\""), "{once}");
    }
}
