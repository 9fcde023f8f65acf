//! Tag coverage of one resolved page (the page, its layouts and includes in rendered
//! order): which tags it loads, and its status.
//!
//! The status is the first that applies of `tagged_twice`, `not_tagged`, `consent_missing`,
//! `consent_after_tags`, else `tagged`; a page with no tag found whose layout chain could
//! not be followed is `unresolved` instead of `not_tagged`. The issue lists `tagged` first, but read literally
//! every page with a tag would stop there and no page could show a problem; the problems
//! are checked first, most severe (double counting) first, and `tagged` is what is left.

use std::sync::Arc;

use serde::Serialize;

use super::order::{Key, Order};
use super::script;
use super::tags::{Placement, Tag, TagKind, tags};
use super::values::SiteValues;
use crate::qa::view::PageView;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    TaggedTwice,
    NotTagged,
    /// No tag found, but a layout or include could not be followed: Sitewide cannot tell.
    Unresolved,
    ConsentMissing,
    ConsentAfterTags,
    Tagged,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Tagged,
        Status::NotTagged,
        Status::TaggedTwice,
        Status::ConsentMissing,
        Status::ConsentAfterTags,
        Status::Unresolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Tagged => "tagged",
            Status::NotTagged => "not_tagged",
            Status::TaggedTwice => "tagged_twice",
            Status::ConsentMissing => "consent_missing",
            Status::ConsentAfterTags => "consent_after_tags",
            Status::Unresolved => "unresolved",
        }
    }

    /// The label a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Status::Tagged => "Tagged",
            Status::NotTagged => "Not tagged",
            Status::TaggedTwice => "Tagged twice",
            Status::ConsentMissing => "Consent missing",
            Status::ConsentAfterTags => "Consent after tags",
            Status::Unresolved => "Unresolved",
        }
    }
}

/// A tag at its place in the rendered page.
#[derive(Debug, Clone)]
pub struct Placed {
    pub key: Key,
    /// Index into `view.docs`.
    pub doc: usize,
    pub tag: Tag,
}

/// A Consent Mode call at its place in the rendered page.
#[derive(Debug, Clone)]
pub struct PlacedConsent {
    pub key: Key,
    pub doc: usize,
    pub consent: script::Consent,
}

/// What the tagging rules and the audit read about one resolved page.
#[derive(Debug)]
pub struct PageTags {
    pub tags: Vec<Placed>,
    pub consent: Vec<PlacedConsent>,
    /// `window.dataLayer = window.dataLayer || []`, with its document.
    pub datalayer_inits: Vec<(Key, usize, crate::qa::source::Span)>,
    /// `dataLayer.push(` calls and `dataLayer = [...]` resets, with their documents.
    pub datalayer_pushes: Vec<(Key, usize, crate::qa::source::Span)>,
    pub datalayer_resets: Vec<(Key, usize, crate::qa::source::Span)>,
    /// Loaders of other consent platforms (Usercentrics, Didomi, Osano, …).
    pub other_cmps: Vec<(Key, usize, crate::qa::source::Span)>,
    /// Keys of the `<head>` and `<body>` start tags, when the page has them.
    pub head: Option<Key>,
    pub body: Option<Key>,
    /// The first element after `<body>`: (doc, element).
    pub first_in_body: Option<(usize, usize)>,
    /// The first `<script>` in `<head>`: (doc, element).
    pub first_head_script: Option<(usize, usize)>,
    pub order: Order,
}

impl PageTags {
    /// The page's tags, computed once per page (memoized on the page's document).
    pub fn of(view: &PageView, values: &SiteValues) -> Arc<PageTags> {
        view.page.memo(|| PageTags::build(view, values))
    }

    fn build(view: &PageView, values: &SiteValues) -> PageTags {
        let order = Order::new(view);
        let mut all = Vec::new();
        let mut consent = Vec::new();
        let mut datalayer_inits = Vec::new();
        let mut datalayer_pushes = Vec::new();
        let mut datalayer_resets = Vec::new();
        let mut other_cmps = Vec::new();
        let (mut head, mut body) = (None, None);
        for (d, doc) in view.docs.iter().enumerate() {
            for t in tags(doc, values).iter() {
                all.push(Placed {
                    key: order.key(d, t.span.start),
                    doc: d,
                    tag: t.clone(),
                });
            }
            let f = script::facts(doc);
            for c in &f.consent {
                consent.push(PlacedConsent {
                    key: order.key(d, c.span.start),
                    doc: d,
                    consent: c.clone(),
                });
            }
            for (from, to) in [
                (&f.datalayer_inits, &mut datalayer_inits),
                (&f.datalayer_pushes, &mut datalayer_pushes),
                (&f.datalayer_resets, &mut datalayer_resets),
                (&f.other_cmps, &mut other_cmps),
            ] {
                to.extend(from.iter().map(|s| (order.key(d, s.start), d, *s)));
            }
            let first = |name: &str, slot: &mut Option<Key>| {
                if let Some(e) = doc.elements_named(name).next() {
                    let k = order.key(d, doc.elements[e].tag.start);
                    if slot.as_ref().is_none_or(|s| k < *s) {
                        *slot = Some(k);
                    }
                }
            };
            first("head", &mut head);
            first("body", &mut body);
        }
        all.sort_by(|a, b| a.key.cmp(&b.key));
        consent.sort_by(|a, b| a.key.cmp(&b.key));
        for list in [
            &mut datalayer_inits,
            &mut datalayer_pushes,
            &mut datalayer_resets,
            &mut other_cmps,
        ] {
            list.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let has = |k: TagKind| all.iter().any(|p: &Placed| p.tag.kind == k);
        // Only the rules about GTM's noscript and Cookiebot's place need these walks.
        let first_in_body = body
            .as_ref()
            .filter(|_| has(TagKind::Gtm))
            .and_then(|b| first_after(view, &order, b, None));
        let first_head_script = head
            .as_ref()
            .filter(|_| has(TagKind::Cookiebot))
            .and_then(|h| first_after(view, &order, h, Some("script")))
            .filter(|(d, e)| {
                let k = order.key(*d, view.docs[*d].elements[*e].tag.start);
                body.as_ref().is_none_or(|b| k < *b)
            });
        PageTags {
            tags: all,
            consent,
            datalayer_inits,
            datalayer_pushes,
            datalayer_resets,
            other_cmps,
            head,
            body,
            first_in_body,
            first_head_script,
            order,
        }
    }

    /// Tags other than the consent platforms'.
    pub fn non_essential(&self) -> impl Iterator<Item = &Placed> {
        self.tags.iter().filter(|p| !p.tag.kind.is_cmp())
    }

    /// The first place consent is set up: a CMP loader or a Consent Mode default.
    pub fn first_consent(&self) -> Option<&Key> {
        let cmp = self
            .tags
            .iter()
            .filter(|p| p.tag.kind.is_cmp())
            .map(|p| &p.key)
            .chain(self.other_cmps.iter().map(|c| &c.0))
            .min();
        let default = self
            .consent
            .iter()
            .find(|c| !c.consent.update)
            .map(|c| &c.key);
        match (cmp, default) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Pairs of tags that install the same id twice: (first, repeat). Consent platforms
    /// are left out: OneTrust's published install is two scripts with one id (the
    /// `OtAutoBlock.js` blocker and the `otSDKStub.js` loader), and a banner loaded twice
    /// counts no hit twice.
    pub fn duplicates(&self) -> Vec<(&Placed, &Placed)> {
        let mut out = Vec::new();
        for (i, b) in self.tags.iter().enumerate() {
            if b.tag.kind.is_cmp() {
                continue;
            }
            let first = self.tags[..i].iter().find(|a| {
                a.tag.kind == b.tag.kind
                    && a.tag.placement == b.tag.placement
                    && a.tag.id.same_as(&b.tag.id)
            });
            if let Some(a) = first {
                out.push((a, b));
            }
        }
        out
    }

    /// True when a tag is in `<head>`: after the head start tag and before `<body>`.
    pub fn in_head(&self, key: &Key) -> bool {
        self.head.as_ref().is_some_and(|h| key > h) && self.body.as_ref().is_none_or(|b| key < b)
    }

    /// The page's status; `complete` is false when part of its layout chain could not be
    /// followed, and then a page with no tag found is `unresolved`, not `not_tagged`.
    pub fn status(&self, complete: bool) -> Status {
        if !self.duplicates().is_empty() {
            return Status::TaggedTwice;
        }
        if !self.tags.iter().any(|p| p.tag.kind.is_measurement()) {
            return if complete {
                Status::NotTagged
            } else {
                Status::Unresolved
            };
        }
        let first_tag = self
            .non_essential()
            .filter(|p| p.tag.placement != Placement::Noscript)
            .map(|p| &p.key)
            .min();
        match (self.first_consent(), first_tag) {
            (None, _) => Status::ConsentMissing,
            (Some(c), Some(t)) if c > t => Status::ConsentAfterTags,
            _ => Status::Tagged,
        }
    }
}

/// The first element (named `name`, if given) that starts after `key` in rendered order.
fn first_after(
    view: &PageView,
    order: &Order,
    key: &Key,
    name: Option<&str>,
) -> Option<(usize, usize)> {
    let mut best: Option<(Key, usize, usize)> = None;
    for (d, doc) in view.docs.iter().enumerate() {
        if !order.is_placed(d) {
            continue;
        }
        for (e, el) in doc.elements.iter().enumerate() {
            if name.is_some_and(|n| el.name != n) {
                continue;
            }
            let k = order.key(d, el.tag.start);
            if k > *key && best.as_ref().is_none_or(|b| k < b.0) {
                best = Some((k, d, e));
            }
        }
    }
    best.map(|(_, d, e)| (d, e))
}

/// One page's row of the audit.
#[derive(Debug, Clone)]
pub struct PageCoverage {
    pub file: Arc<str>,
    pub status: Status,
    pub tags: Vec<Tag>,
    /// The layouts and includes the page is built from, in the view's order.
    pub built_from: Vec<Arc<str>>,
}

impl PageCoverage {
    pub fn of(view: &PageView, values: &SiteValues) -> PageCoverage {
        let t = PageTags::of(view, values);
        PageCoverage {
            file: view.page.path.clone(),
            status: t.status(view.is_complete()),
            tags: t.tags.iter().map(|p| p.tag.clone()).collect(),
            built_from: view.docs[1..].iter().map(|d| d.path.clone()).collect(),
        }
    }
}

#[cfg(test)]
#[path = "coverage_tests.rs"]
mod tests;
