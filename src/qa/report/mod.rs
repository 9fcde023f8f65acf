//! Report writers: a table for people, JSON for tools (the stable contract), SARIF 2.1.0
//! for code-scanning services; and an audit's JSON read back ([`audit_stored`]) for the
//! web UI's report page and its CSV export.

mod audit_html;
pub mod audit_stored;
mod audit_table;
mod json;
mod sarif;
mod table;

pub use audit_html::{audit_html, esc};
pub use audit_table::audit_table;
pub use json::{json, summary};
pub use sarif::{sarif, sarif_of};
pub use table::table;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
}
