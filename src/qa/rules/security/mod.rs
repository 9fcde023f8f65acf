//! Security rules (DOMAIN.md §3): what a browser blocks or warns about on an HTTPS page.

mod mixed_content;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[&mixed_content::MixedContent];
