//! Integration tests: the real `sitewide` binary on real trees built in temporary folders,
//! the bundled demo site, and the real corpora in `../shared/corpora`.

#![allow(clippy::unwrap_used)]

mod audit_runs;
mod bad_input;
mod cli;
mod corpora;
mod crash;
mod demo;
mod discovery;
mod external_links;
// The scripted model server, shared with the lib's unit tests and the benches.
#[path = "../support/fake_model.rs"]
mod fake_model;
mod model_client;
mod model_runs;
mod props;
mod remote;
mod runs;
mod spec;
mod support;
mod web;
