//! Tagging rules (DOMAIN.md §2.2): the analytics tags every page loads, once and after consent, and the events its code sends against the tracking plan.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
