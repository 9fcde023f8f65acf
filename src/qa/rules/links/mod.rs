//! Link rules (DOMAIN.md §3): internal links and assets resolved against the page map
//! (LNK-001), unsafe new-tab and `javascript:` links (LNK-002), and `#fragment` targets
//! (LNK-003), and external links over the network (LNK-004, only when enabled). URL
//! arithmetic shared by the cross-file rules lives here; no rule reads files.

mod broken_fragment;
mod broken_link;
pub mod external_link;
mod unsafe_link;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &broken_link::BrokenInternalLink,
    &unsafe_link::UnsafeLink,
    &broken_fragment::BrokenFragment,
    &external_link::ExternalLink,
];

pub(crate) use crate::qa::site::{file_target, url_target};
