//! The QA engine: the page model, the rules, and the reports. It decides findings from the
//! bytes it is handed; reading the tree is `site`'s job, through `tree`, and nothing here
//! writes files.

pub mod audit;
pub mod checker;
pub mod data;
pub mod engine;
pub mod finding;
pub mod fix;
pub mod page;
pub mod plan;
pub mod report;
pub mod rules;
pub mod site;
pub mod source;
pub mod suppress;
pub mod tagging;
#[cfg(test)]
pub mod testing;
pub mod tree;
pub mod url;
pub mod view;
