//! The model engine's calls to language models: the service's provider config, an
//! incremental SSE reader, and an OpenAI-compatible client that retries, checks which
//! model answered and writes a receipt per HTTP attempt. Prompts, edit blocks and guards
//! live beside these files; nothing here reads a workspace or writes a change.

pub mod client;
pub mod provider;
pub mod receipt;
pub mod sse;

mod measure;
mod retry;
mod wire;

/// The scripted OpenAI-compatible server, shared as one plain file with the integration
/// tests and the benchmarks (which include it with `#[path]` too).
#[cfg(test)]
#[path = "../../../tests/support/fake_model.rs"]
pub(crate) mod fake;
