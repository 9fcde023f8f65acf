//! UTM rules (DOMAIN.md §1.4): campaign parameters on links, checked against the site's
//! taxonomy in `sitewide.toml`.

mod unknown_key;

use super::Rule;
use crate::qa::page::Document;
use crate::qa::url::UrlRef;

pub static RULES: &[&dyn Rule] = &[&unknown_key::UnknownUtmKey];

/// Every literal URL of a document that carries a query, parsed.
pub(crate) fn urls_with_query(doc: &Document) -> impl Iterator<Item = UrlRef> + '_ {
    doc.links
        .iter()
        .filter(|l| doc.slice(l.url).contains(['?', '#', '&']))
        .map(|l| UrlRef::parse(doc, l.url))
}
