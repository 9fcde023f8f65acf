//! The QA engine: the page model, the rules, and the reports. It decides findings from the
//! bytes it is handed; reading the tree is `site`'s job and nothing here writes files.

pub mod page;
pub mod source;
pub mod finding;
pub mod url;
pub mod engine;
pub mod rules;
pub mod site;
pub mod suppress;
pub mod view;
pub mod fix;
#[cfg(test)]
pub mod testing;
