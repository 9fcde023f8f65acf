//! The model engine's editing half: the prompt a model gets for one file, the edit format it
//! answers in (SEARCH/REPLACE blocks or a whole file), and the guards every edit passes
//! before QA sees it. No network here: the client that calls the model lives beside it.

mod apply;
mod balance;
pub mod blocks;
pub mod guards;
mod mismatch;
pub mod prompt;
#[cfg(test)]
mod props;
mod protect;
pub mod vendors;
pub mod whole;
