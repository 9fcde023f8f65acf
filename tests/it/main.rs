//! Integration tests: the real `sitewide` binary on real trees built in temporary folders,
//! the bundled demo site, and the real corpora in `../shared/corpora`.

#![allow(clippy::unwrap_used)]

mod bad_input;
mod cli;
mod corpora;
mod crash;
mod demo;
mod discovery;
mod props;
mod spec;
mod support;
