//! Job specs (`jobs/*.toml`): what a bulk change is, over which files, judged by which QA
//! rules, within which budget, approved by whom. Reading one reports every error at
//! once, each with file:line:col and a hint; a spec that does not validate never starts
//! a run. Every key is documented in docs/job-spec.md.

mod hint;
mod notify;
mod raw;
mod recover;
mod schedule;
mod sections;
mod steps;
mod validate;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::qa::finding::Severity;

pub use notify::{Notify, NotifyFormat, NotifyOn};
pub use schedule::{Schedule, parse_timezone};
pub use sections::DEFAULT_SCRIPT_TIMEOUT_S;

/// A job spec that passed every check.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub name: String,
    pub description: String,
    pub kind: Kind,
    pub engine: Engine,
    pub targets: Targets,
    /// When scheduled runs start it; `None` runs only on demand.
    pub schedule: Option<Schedule>,
    /// The zone `schedule` is read in (UTC unless the spec names one).
    pub timezone: chrono_tz::Tz,
    /// The registered workspace scheduled runs use; without it the scheduler skips the
    /// spec (it still runs on demand).
    pub workspace: Option<String>,
    /// Who is told when a run of this job ends or finds something new (`[[notify]]`).
    pub notify: Vec<Notify>,
    /// Recipe steps, in order (with `engine = "model"`, they run before the model).
    pub steps: Vec<Step>,
    pub budget: Budget,
    pub qa: QaSpec,
    pub approval: Approval,
    /// The model engine's instruction (issue 5); required with `engine = "model"`.
    pub instruction: Option<String>,
    /// Regions the model may not touch: region names or selectors.
    pub protected: Vec<String>,
    /// Hosts a model edit may link to; a link to any other host blocks the change.
    pub allow_link_hosts: Vec<String>,
    /// Required with `engine = "model"`.
    pub model: Option<ModelSpec>,
}

/// `edit` proposes changes for review; `audit` only reports findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Edit,
    Audit,
}

/// Who makes the edits: deterministic recipes or a model (issue 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Recipe,
    Model,
}

/// What happens when a response says another model answered than the one asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnMismatch {
    Fail,
    Record,
}

/// The files a job works on: globs relative to the workspace root; `!` excludes.
#[derive(Debug, Clone)]
pub struct Targets {
    /// The patterns as written.
    pub patterns: Vec<String>,
    include: globset::GlobSet,
    exclude: globset::GlobSet,
}

impl Targets {
    /// Whether a `/`-separated path relative to the root is a target.
    pub fn matches(&self, path: &str) -> bool {
        self.include.is_match(path) && !self.exclude.is_match(path)
    }
}

/// One recipe step: the recipe's contract name and its own keys (without `recipe`).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub recipe: String,
    pub params: toml::Table,
}

/// Limits of one run; `None` is no limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub max_files: Option<u64>,
    pub max_changed_lines_per_file: Option<u64>,
    pub max_minutes: Option<u64>,
    /// Attempts per file, counting QA-feedback retries (model engine).
    pub attempts: u32,
    pub max_input_tokens: Option<u64>,
    pub max_output_tokens: Option<u64>,
    pub max_cost_usd: Option<f64>,
    /// Model calls in flight for the run, across all workers.
    pub concurrency: u32,
}

/// How QA judges a change.
#[derive(Debug, Clone, PartialEq)]
pub struct QaSpec {
    /// A change that introduces a finding at or above this severity is blocked.
    pub block_on: Severity,
    /// Rule ids and globs (`UTM-*`) that judge changes; empty means every rule.
    pub rules: Vec<String>,
    pub scripts: Vec<QaScript>,
    /// Audit runs only: also request every external link (LNK-004), the scheduled QA's
    /// network check. Off unless the spec sets it.
    pub external_links: bool,
}

/// A command run in a temporary checkout of the changed tree; its exit code gates.
#[derive(Debug, Clone, PartialEq)]
pub struct QaScript {
    pub name: String,
    pub run: String,
    pub timeout_s: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approval {
    pub required: bool,
    pub allow_self_approval: bool,
}

/// The model a model-engine job calls (issue 5).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// A provider named in the service config; `default` is OPENAI_BASE_URL/OPENAI_API_KEY.
    pub provider: String,
    pub name: String,
    pub on_mismatch: OnMismatch,
    pub temperature: Option<f64>,
}

/// Why a spec cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Every error found, in the order they appear in the file.
    #[error("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid { errors: Vec<ConfigError> },
}

/// Reads and validates the spec at `path`.
pub fn load(path: &Path) -> Result<JobSpec, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Validates a spec's text; `path` is only used in error positions.
pub fn parse(path: &Path, text: &str) -> Result<JobSpec, SpecError> {
    validate::parse(path, text, &crate::edit::recipes::find)
        .map_err(|errors| SpecError::Invalid { errors })
}

/// The candidate closest to `word`, when it is close enough to be a likely typo.
fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 1 || (*d <= 4 && *d * 3 <= c.len()))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::recipes::{ParamError, RecipeMeta};
    use crate::qa::finding::Fix;
    use crate::qa::page::Document;
    use crate::qa::rules::Settings;
    use proptest::prelude::*;

    /// The example of issue 4, as a newcomer would copy it.
    const EXAMPLE: &str = r#"name = "strip-internal-utms"
description = "Internal links must not carry UTMs (UTM-008)"
kind = "edit"                        # edit | audit
engine = "recipe"                    # recipe | model
targets = ["**/*.html", "**/*.md", "!vendor/**"]   # globs; "!" excludes
schedule = "0 6 * * 1-5"             # Mon–Fri 06:00
timezone = "Europe/Berlin"

[[steps]]
recipe = "utm.strip_internal"

[budget]
max_files = 500
max_changed_lines_per_file = 40
max_minutes = 30

[qa]
block_on = "error"
rules = ["UTM-*", "LNK-*"]
scripts = [{ name = "build", run = "jekyll build --quiet", timeout_s = 300 }]

[approval]
required = true
allow_self_approval = false
"#;

    /// `(line, column, message, hint)` of every error in `text`.
    fn errors(text: &str) -> Vec<(usize, usize, String, String)> {
        match parse(Path::new("jobs/x.toml"), text) {
            Ok(_) => Vec::new(),
            Err(SpecError::Invalid { errors }) => errors
                .into_iter()
                .map(|e| match e {
                    ConfigError::Invalid {
                        line,
                        column,
                        message,
                        hint,
                        ..
                    } => (line, column, message, hint.unwrap_or_default()),
                    other => (0, 0, other.to_string(), String::new()),
                })
                .collect(),
            Err(e) => vec![(0, 0, e.to_string(), String::new())],
        }
    }

    /// The example with `from` replaced by `to`.
    fn example_with(from: &str, to: &str) -> String {
        assert!(EXAMPLE.contains(from), "{from}");
        EXAMPLE.replacen(from, to, 1)
    }

    /// The single error in `text`.
    fn one_error(text: &str) -> (usize, usize, String, String) {
        let mut all = errors(text);
        assert_eq!(all.len(), 1, "{all:#?}");
        all.remove(0)
    }

    #[test]
    fn the_example_of_the_issue_parses() {
        let spec = parse(Path::new("jobs/x.toml"), EXAMPLE).expect("valid");
        assert_eq!(spec.name, "strip-internal-utms");
        assert_eq!((spec.kind, spec.engine), (Kind::Edit, Engine::Recipe));
        assert!(spec.targets.matches("pages/pricing.html"));
        assert!(spec.targets.matches("blog/post.md"));
        assert!(!spec.targets.matches("vendor/lib/x.html"));
        assert!(!spec.targets.matches("assets/site.css"));
        assert_eq!(spec.timezone, chrono_tz::Tz::Europe__Berlin);
        assert_eq!(
            spec.schedule.as_ref().map(|s| s.expr.as_str()),
            Some("0 6 * * 1-5")
        );
        assert_eq!(
            spec.steps,
            vec![Step {
                recipe: "utm.strip_internal".into(),
                params: toml::Table::new()
            }]
        );
        assert_eq!(spec.budget.max_files, Some(500));
        assert_eq!(spec.budget.max_changed_lines_per_file, Some(40));
        assert_eq!(spec.budget.max_minutes, Some(30));
        assert_eq!(spec.qa.block_on, Severity::Error);
        assert_eq!(spec.qa.rules, vec!["UTM-*", "LNK-*"]);
        assert_eq!(
            spec.qa.scripts,
            vec![QaScript {
                name: "build".into(),
                run: "jekyll build --quiet".into(),
                timeout_s: 300
            }]
        );
        assert_eq!(
            spec.approval,
            Approval {
                required: true,
                allow_self_approval: false
            }
        );
    }

    #[test]
    fn the_examples_in_the_documentation_parse() {
        let doc = include_str!("../docs/job-spec.md");
        let blocks: Vec<&str> = doc
            .split("```toml\n")
            .skip(1)
            .filter_map(|b| b.split_once("```").map(|(toml, _)| toml))
            .collect();
        assert_eq!(blocks.len(), 3);
        for block in blocks {
            if let Err(e) = parse(Path::new("docs/job-spec.md"), block) {
                panic!("{e}\n{block}");
            }
        }
    }

    #[test]
    fn left_out_keys_take_their_defaults() {
        let spec = parse(
            Path::new("x.toml"),
            "name = \"n\"\ntargets = [\"**/*.html\"]\n[[steps]]\nrecipe = \"link.noopener\"\n",
        )
        .expect("valid");
        assert_eq!((spec.kind, spec.engine), (Kind::Edit, Engine::Recipe));
        assert_eq!(spec.timezone, chrono_tz::Tz::UTC);
        assert!(spec.schedule.is_none());
        assert_eq!(spec.budget.max_files, None);
        assert_eq!((spec.budget.attempts, spec.budget.concurrency), (3, 4));
        assert_eq!(spec.qa.block_on, Severity::Error);
        assert!(spec.qa.rules.is_empty());
        assert_eq!(
            spec.approval,
            Approval {
                required: true,
                allow_self_approval: false
            }
        );
    }

    #[test]
    fn the_model_engine_keys_of_issue_5_are_read() {
        let text = r#"name = "cta"
engine = "model"
targets = ["pricing/**/*.html"]
instruction = 'Replace the CTA text "Start free trial" with "Get started" on every pricing page.'
protected = ["tag-snippets", "consent"]
allow_link_hosts = ["example.com"]

[model]
provider = "default"
name = "gpt-5.3-codex-spark"
on_mismatch = "fail"
temperature = 0

[budget]
max_files = 200
attempts = 3
max_input_tokens = 2_000_000
max_output_tokens = 400_000
max_cost_usd = 5.00
max_minutes = 20
concurrency = 8
"#;
        let spec = parse(Path::new("x.toml"), text).expect("valid");
        assert_eq!(spec.engine, Engine::Model);
        assert!(spec.steps.is_empty());
        assert_eq!(spec.protected, vec!["tag-snippets", "consent"]);
        assert_eq!(spec.allow_link_hosts, vec!["example.com"]);
        let model = spec.model.expect("a model");
        assert_eq!(
            (model.provider.as_str(), model.name.as_str()),
            ("default", "gpt-5.3-codex-spark")
        );
        assert_eq!(
            (model.on_mismatch, model.temperature),
            (OnMismatch::Fail, Some(0.0))
        );
        assert_eq!(spec.budget.max_input_tokens, Some(2_000_000));
        assert_eq!(spec.budget.max_cost_usd, Some(5.0));
        assert_eq!((spec.budget.attempts, spec.budget.concurrency), (3, 8));
    }

    #[test]
    fn an_unknown_key_names_the_closest_known_one() {
        let text = example_with("description =", "descripton =");
        let (line, col, message, hint) = one_error(&text);
        assert_eq!((line, col), (2, 1), "{message}");
        assert_eq!(hint, "did you mean `description`?");
        let (line, col, _, hint) = one_error(&example_with("max_minutes = 30", "max_minute = 30"));
        assert_eq!(
            (line, col, hint.as_str()),
            (15, 1, "did you mean `max_minutes`?")
        );
        let (_, _, _, hint) =
            one_error(&example_with("[approval]\n", "[approval]\nowner = 'me'\n"));
        assert_eq!(hint, "known keys here: required, allow_self_approval");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_reported_at_the_value() {
        let (line, col, message, hint) =
            one_error(&example_with("max_files = 500", "max_files = \"500\""));
        assert_eq!((line, col), (13, 13), "{message}");
        assert!(hint.contains("whole number"), "{hint}");
        let (line, col, _, hint) = one_error(&example_with("kind = \"edit\"", "kind = \"edti\""));
        assert_eq!((line, col, hint.as_str()), (3, 8, "did you mean \"edit\"?"));
        let (line, col, _, hint) =
            one_error(&example_with("required = true", "required = \"yes\""));
        assert_eq!((line, col, hint.as_str()), (23, 12, "write true or false"));
    }

    #[test]
    fn a_bad_glob_is_reported_at_the_glob() {
        let (line, col, message, _) = one_error(&example_with("\"**/*.md\"", "\"**/*.{md\""));
        assert_eq!((line, col), (5, 25), "{message}");
        assert!(message.starts_with("bad glob \"**/*.{md\""), "{message}");
    }

    #[test]
    fn a_bad_schedule_and_an_unknown_zone_are_reported() {
        let (line, col, message, hint) = one_error(&example_with("0 6 * * 1-5", "0 25 * * 1-5"));
        assert_eq!((line, col), (6, 12), "{message}");
        assert!(hint.contains("crontab"), "{hint}");
        let (_, _, message, _) = one_error(&example_with("0 6 * * 1-5", "0 0 6 * * 1-5"));
        assert!(message.contains("5 fields"), "{message}");
        let (line, col, _, hint) = one_error(&example_with("Europe/Berlin", "Europe/Berln"));
        assert_eq!(
            (line, col, hint.as_str()),
            (7, 12, "did you mean \"Europe/Berlin\"?")
        );
    }

    #[test]
    fn an_unknown_rule_id_is_reported_with_the_closest_id() {
        let (line, col, message, hint) = one_error(&example_with("\"LNK-*\"", "\"LNKS-*\""));
        assert_eq!((line, col), (19, 19), "{message}");
        assert!(hint.starts_with("did you mean \"LNK-*\"?"), "{hint}");
        let (_, _, message, hint) = one_error(&example_with("\"LNK-*\"", "\"UTM-0088\""));
        assert_eq!(message, "unknown rule \"UTM-0088\"");
        assert!(hint.starts_with("did you mean \"UTM-008\"?"), "{hint}");
    }

    #[test]
    fn an_unknown_recipe_names_the_closest_recipe() {
        let (line, col, message, hint) = one_error(&example_with(
            "\"utm.strip_internal\"",
            "\"utm.strip_internals\"",
        ));
        assert_eq!((line, col), (10, 10), "{message}");
        assert_eq!(hint, "did you mean \"utm.strip_internal\"?");
        let (_, _, _, hint) = one_error(&example_with("\"utm.strip_internal\"", "\"frobnicate\""));
        assert!(hint.starts_with("recipes: canonical.fix, "), "{hint}");
    }

    #[test]
    fn each_engine_needs_its_keys() {
        let no_steps = example_with("[[steps]]\nrecipe = \"utm.strip_internal\"\n", "");
        let (line, col, message, _) = one_error(&no_steps);
        assert_eq!((line, col), (4, 10));
        assert!(message.contains("[[steps]]"), "{message}");
        let audit = no_steps.replace("kind = \"edit\"", "kind = \"audit\"");
        assert_eq!(errors(&audit), vec![]);
        let model = example_with("engine = \"recipe\"", "engine = \"model\"");
        let found: Vec<String> = errors(&model).into_iter().map(|e| e.2).collect();
        assert_eq!(
            found,
            vec![
                "engine = \"model\" needs an `instruction`",
                "engine = \"model\" needs a [model] table"
            ]
        );
        let nameless = format!("instruction = 'x'\n{model}[model]\nprovider = 'default'\n");
        let (line, _, message, _) = one_error(&nameless);
        assert_eq!((line, message.as_str()), (26, "[model] needs a `name`"));
    }

    /// A recipe that accepts only `selector`, for the step-key positions.
    struct Picky;
    static PICKY: RecipeMeta = RecipeMeta {
        name: "cta.swap",
        summary: "",
        keys: &[],
        example: "",
    };
    impl crate::edit::recipes::Recipe for Picky {
        fn meta(&self) -> &'static RecipeMeta {
            &PICKY
        }
        fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
            match params.keys().find(|k| *k != "selector") {
                Some(k) => Err(ParamError {
                    key: Some(k.clone()),
                    message: format!("unknown key `{k}`"),
                    hint: Some("did you mean `selector`?".into()),
                }),
                None => Ok(()),
            }
        }
        fn apply(&self, _: &Document, _: &Settings, _: &toml::Table) -> Vec<Fix> {
            Vec::new()
        }
    }

    #[test]
    fn a_step_key_the_recipe_rejects_is_reported_at_that_key() {
        let text = example_with(
            "recipe = \"utm.strip_internal\"\n",
            "recipe = \"utm.strip_internal\"\n\n[[steps]]\nrecipe = \"cta.swap\"\nselector = \"a.cta\"\nselectr = \"x\"\n",
        );
        let find = |name: &str| {
            (name == "cta.swap").then_some(&Picky as &'static dyn crate::edit::recipes::Recipe)
        };
        let errors = validate::parse(Path::new("x.toml"), &text, &find).expect_err("invalid");
        assert_eq!(errors.len(), 1, "{errors:?}");
        let ConfigError::Invalid {
            line,
            column,
            message,
            hint,
            ..
        } = &errors[0]
        else {
            panic!()
        };
        assert_eq!((*line, *column), (15, 1));
        assert_eq!(message, "cta.swap: unknown key `selectr`");
        assert_eq!(hint.as_deref(), Some("did you mean `selector`?"));
    }

    #[test]
    fn every_error_of_a_spec_is_reported_in_file_order() {
        let text = EXAMPLE
            .replace("kind = \"edit\"", "kynd = \"edit\"")
            .replace("\"!vendor/**\"", "\"!vendor/[**\"")
            .replace("0 6 * * 1-5", "0 6 * * 1-8")
            .replace("\"utm.strip_internal\"", "\"utm.strip\"")
            .replace("max_files = 500", "max_files = -1")
            .replace("max_minutes = 30", "max_minutes = 30\nmax_hours = 1")
            .replace("\"LNK-*\"", "\"LINK-*\"")
            .replace("timeout_s = 300", "timeout_s = 0");
        let found: Vec<(usize, usize)> = errors(&text).into_iter().map(|e| (e.0, e.1)).collect();
        assert_eq!(
            found,
            vec![
                (3, 1),
                (5, 36),
                (6, 12),
                (10, 10),
                (13, 13),
                (16, 1),
                (20, 19),
                (21, 72)
            ]
        );
    }

    #[test]
    fn missing_keys_and_empty_limits_are_reported() {
        let found: Vec<String> =
            errors("[[steps]]\nrecipe = \"link.noopener\"\n[budget]\nmax_files = 0\n")
                .into_iter()
                .map(|e| format!("{}:{} {}", e.0, e.1, e.2))
                .collect();
        assert_eq!(
            found,
            vec![
                "1:1 a spec needs a `name`",
                "1:1 a spec needs `targets`",
                "4:13 max_files must be at least 1"
            ]
        );
        let (line, _, message, _) =
            one_error(&example_with("recipe = \"utm.strip_internal\"\n", "\n"));
        assert_eq!((line, message.as_str()), (9, "a step needs a `recipe`"));
        let (_, col, message, _) = one_error(&example_with(
            "timeout_s = 300 }]",
            "timeout_s = 300 }, { name = \"build\", run = \"x\" }]",
        ));
        assert_eq!(
            (col, message.as_str()),
            (88, "two QA scripts are named \"build\"")
        );
    }

    #[test]
    fn a_syntax_error_is_reported_with_its_position() {
        let (line, col, _, hint) = one_error(&example_with("[budget]", "[budget"));
        assert_eq!((line, col), (12, 8));
        assert!(!hint.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn mutated_specs_never_panic_the_reader(edits in proptest::collection::vec((0usize..2000, any::<u8>(), 0u8..3), 1..8)) {
            let mut bytes = EXAMPLE.as_bytes().to_vec();
            for (at, byte, op) in edits {
                let i = at % (bytes.len() + 1);
                match op {
                    0 if i < bytes.len() => bytes[i] = byte,
                    1 if i < bytes.len() => { bytes.remove(i); }
                    _ => bytes.insert(i, byte),
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let _ = parse(Path::new("x.toml"), &text);
        }
    }
    #[test]
    fn external_links_are_for_audit_specs_and_lnk_004_needs_them() {
        let audit = "name = \"a\"\nkind = \"audit\"\ntargets = [\"**/*.html\"]\n";
        let on = parse(
            Path::new("jobs/a.toml"),
            &format!("{audit}[qa]\nexternal_links = true\n"),
        )
        .unwrap();
        assert!(on.qa.external_links);
        let off = parse(Path::new("jobs/a.toml"), audit).unwrap();
        assert!(!off.qa.external_links);
        let asked = errors(&format!("{audit}[qa]\nrules = [\"LNK-004\"]\n"));
        assert_eq!((asked[0].0, asked[0].1), (5, 10), "{asked:?}");
        assert!(asked[0].3.contains("external_links = true"), "{asked:?}");
        let edit = errors(
            "name = \"e\"\ntargets = [\"**/*.html\"]\n[[steps]]\nrecipe = \"utm.strip_internal\"\n[qa]\nexternal_links = true\n",
        );
        assert_eq!(edit.len(), 1, "{edit:?}");
        assert_eq!(
            (edit[0].0, edit[0].2.as_str()),
            (6, "external_links applies to audit runs only")
        );
    }
}
