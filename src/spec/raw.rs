//! The job spec as serde reads it: every key optional and spanned where a later check
//! must point at it, unknown keys refused. `super::validate` turns it into a `JobSpec`.

use serde::Deserialize;
use toml::Spanned;

use super::notify::RawNotify;
use super::{Engine, Kind, OnMismatch};
use crate::qa::finding::Severity;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    pub name: Option<Spanned<String>>,
    pub description: Option<String>,
    pub kind: Option<Spanned<Kind>>,
    pub engine: Option<Spanned<Engine>>,
    pub targets: Option<Spanned<Vec<Spanned<String>>>>,
    pub schedule: Option<Spanned<String>>,
    pub timezone: Option<Spanned<String>>,
    /// The registered workspace scheduled runs use.
    pub workspace: Option<Spanned<String>>,
    /// Who is told when a run ends or finds something new.
    #[serde(default)]
    pub notify: Vec<Spanned<RawNotify>>,
    /// Each step's table; its keys are checked by the recipe it names.
    pub steps: Option<Vec<Spanned<toml::Table>>>,
    #[serde(default)]
    pub budget: RawBudget,
    #[serde(default)]
    pub qa: RawQa,
    #[serde(default)]
    pub approval: RawApproval,
    pub instruction: Option<Spanned<String>>,
    #[serde(default)]
    pub protected: Vec<String>,
    #[serde(default)]
    pub allow_link_hosts: Vec<String>,
    pub model: Option<Spanned<RawModel>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    pub max_files: Option<Spanned<u64>>,
    pub max_changed_lines_per_file: Option<Spanned<u64>>,
    pub max_minutes: Option<Spanned<u64>>,
    pub attempts: Option<Spanned<u32>>,
    pub max_input_tokens: Option<Spanned<u64>>,
    pub max_output_tokens: Option<Spanned<u64>>,
    pub max_cost_usd: Option<Spanned<f64>>,
    pub concurrency: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQa {
    pub block_on: Option<Severity>,
    #[serde(default)]
    pub rules: Vec<Spanned<String>>,
    #[serde(default)]
    pub scripts: Vec<Spanned<RawScript>>,
    pub external_links: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScript {
    pub name: Option<Spanned<String>>,
    pub run: Option<Spanned<String>>,
    pub timeout_s: Option<Spanned<u64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApproval {
    pub required: Option<bool>,
    pub allow_self_approval: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub provider: Option<String>,
    pub name: Option<Spanned<String>>,
    pub on_mismatch: Option<OnMismatch>,
    pub temperature: Option<Spanned<f64>>,
}
