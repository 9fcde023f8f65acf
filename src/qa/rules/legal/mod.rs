//! Legal rules (DOMAIN.md §3): the privacy links and the consent banner every page needs.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
