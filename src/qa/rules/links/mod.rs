//! Link rules (DOMAIN.md §3): internal links and assets resolved against the page map
//! (LNK-001), unsafe new-tab and `javascript:` links (LNK-002), and `#fragment` targets
//! (LNK-003). URL arithmetic shared by the cross-file rules lives here; no rule reads files.

mod broken_fragment;
mod broken_link;
mod unsafe_link;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &broken_link::BrokenInternalLink,
    &unsafe_link::UnsafeLink,
    &broken_fragment::BrokenFragment,
];

pub(crate) use crate::qa::site::{file_target, url_target};
