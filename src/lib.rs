//! Sitewide: bulk edits of marketing-site repositories, gated by QA checks and human review.

pub mod cli;
pub mod config;
pub mod edit;
pub mod forge;
pub mod links;
pub mod qa;
pub mod run;
pub mod spec;
pub mod store;
pub mod web;
pub mod workspace;
