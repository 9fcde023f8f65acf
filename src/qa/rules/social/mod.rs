//! Social sharing rules (DOMAIN.md §3): Open Graph and X (Twitter) card tags, read from a
//! page with its layouts and includes. Presence and template soundness come from the SEO
//! family's helpers (`seo::absent_at`, `seo::rendered`), so both families agree on when a
//! head element is really missing.

mod bad_twitter_card;
mod incomplete_open_graph;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &incomplete_open_graph::IncompleteOpenGraph,
    &bad_twitter_card::BadTwitterCard,
];
