//! Connector rules (DOMAIN.md §4): dashboard-connector configs, dbt sources, LookML and ad-platform API scripts kept in the repository.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
