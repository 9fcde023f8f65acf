//! The model engine: the service's provider config, an incremental SSE reader and an
//! OpenAI-compatible client that retries, checks which model answered and writes a
//! receipt per HTTP attempt; the prompt a model gets for one file, the edit format it
//! answers in (SEARCH/REPLACE blocks or a whole file), and the guards every edit passes
//! before QA sees it. Nothing here reads a workspace or writes a change: the run pipeline
//! (`crate::run`) drives these parts.

pub mod blocks;
pub mod client;
pub mod guards;
pub mod prompt;
pub mod provider;
pub mod receipt;
pub mod retry;
pub mod sse;
pub mod vendors;
pub mod whole;

mod apply;
mod balance;
mod measure;
mod mismatch;
#[cfg(test)]
mod props;
mod protect;

mod wire;

/// The scripted OpenAI-compatible server, shared as one plain file with the integration
/// tests and the benchmarks (which include it with `#[path]` too).
#[cfg(test)]
#[path = "../../../tests/support/fake_model.rs"]
pub(crate) mod fake;
