//! Sitewide: bulk edits of marketing-site repositories, gated by QA checks and human review.

pub mod config;
pub mod qa;
