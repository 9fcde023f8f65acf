//! Edit engines behind one interface: deterministic recipes (`recipes/`) and, in its own
//! issue, the model engine. An engine turns one file's text into edits; it never writes
//! files, never runs git, and every edit it proposes is checked by the QA engine after.

pub mod model;
pub mod recipes;
