//! Content rules (DOMAIN.md §3): copy that should never reach visitors, such as placeholder
//! text and a stale copyright year.

mod placeholder_content;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[&placeholder_content::PlaceholderContent];
