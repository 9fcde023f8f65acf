//! Turns a read spec into a `JobSpec`, checking each key and collecting every error with
//! its position and a hint, in the order they appear in the file.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::raw::{RawBudget, RawModel, RawQa, RawSpec};
use super::recover::{self, entry};
use super::{
    Approval, Budget, Engine, JobSpec, Kind, ModelSpec, OnMismatch, QaScript, QaSpec, Schedule,
    Step, Targets, closest, parse_timezone,
};
use crate::config::ConfigError;
use crate::edit::recipes::{NAMES, Recipe};
use crate::qa::finding::Severity;

/// Looks a recipe up by contract name (`recipes::find`, or a stand-in in tests).
pub type FindRecipe<'a> = &'a dyn Fn(&str) -> Option<&'static dyn Recipe>;

/// How long a QA script may run when the spec does not say.
pub const DEFAULT_SCRIPT_TIMEOUT_S: u64 = 300;

/// The errors found so far, each with the byte offset it sorts by.
struct Sink<'a> {
    path: &'a Path,
    text: &'a str,
    errors: Vec<(usize, ConfigError)>,
}

impl Sink<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>, hint: Option<String>) {
        let error = ConfigError::at(self.path, self.text, span.start, message.into(), hint);
        self.errors.push((span.start, error));
    }

    fn finish(mut self) -> Vec<ConfigError> {
        self.errors.sort_by_key(|(offset, _)| *offset);
        self.errors.into_iter().map(|(_, e)| e).collect()
    }
}

pub fn parse(path: &Path, text: &str, find: FindRecipe<'_>) -> Result<JobSpec, Vec<ConfigError>> {
    let mut sink = Sink {
        path,
        text,
        errors: Vec::new(),
    };
    let (read, raw_errors) = recover::read::<RawSpec>(text);
    for e in raw_errors {
        let hint = hint_for(&e.message);
        sink.at(e.span, e.message, Some(hint));
    }
    let Some((raw, root)) = read else {
        return Err(sink.finish());
    };
    let spec = build(raw, root.get_ref(), find, &mut sink);
    if sink.errors.is_empty() {
        Ok(spec)
    } else {
        Err(sink.finish())
    }
}

fn build(raw: RawSpec, root: &DeTable<'_>, find: FindRecipe<'_>, sink: &mut Sink) -> JobSpec {
    let name = match &raw.name {
        Some(n) if !n.get_ref().trim().is_empty() => n.get_ref().clone(),
        Some(n) => {
            sink.at(n.span(), "the name is empty", Some(NAME_HINT.into()));
            String::new()
        }
        None => {
            sink.at(0..0, "a spec needs a `name`", Some(NAME_HINT.into()));
            String::new()
        }
    };
    let kind = raw.kind.as_ref().map_or(Kind::Edit, |k| *k.get_ref());
    let engine = raw.engine.as_ref().map_or(Engine::Recipe, |e| *e.get_ref());
    let targets = targets(raw.targets.as_ref(), sink);
    let timezone = match &raw.timezone {
        None => chrono_tz::Tz::UTC,
        Some(tz) => parse_timezone(tz.get_ref()).unwrap_or_else(|near| {
            let hint = near.map_or(
                "write an IANA zone such as \"Europe/Berlin\" or \"America/New_York\"".into(),
                |n| format!("did you mean \"{n}\"?"),
            );
            let message = format!("unknown time zone {:?}", tz.get_ref());
            sink.at(tz.span(), message, Some(hint));
            chrono_tz::Tz::UTC
        }),
    };
    let schedule = raw.schedule.as_ref().and_then(|s| {
        Schedule::parse(s.get_ref(), timezone)
            .map_err(|e| {
                sink.at(
                    s.span(),
                    format!("bad schedule: {e}"),
                    Some(CRON_HINT.into()),
                )
            })
            .ok()
    });
    let steps = steps(raw.steps.unwrap_or_default(), root, find, sink);
    let model = raw.model.as_ref().map(|m| model(m, sink));
    let engine_span = raw.engine.as_ref().map_or(0..0, Spanned::span);
    if kind == Kind::Edit && engine == Engine::Recipe && steps.is_empty() {
        let hint = "add a step: [[steps]] recipe = \"utm.strip_internal\" (docs/recipes.md lists the recipes)";
        sink.at(
            engine_span.clone(),
            "engine = \"recipe\" needs at least one [[steps]] table",
            Some(hint.into()),
        );
    }
    if engine == Engine::Model {
        if raw.instruction.is_none() {
            let hint =
                "say what to change: instruction = 'Replace … with … on every pricing page.'";
            sink.at(
                engine_span.clone(),
                "engine = \"model\" needs an `instruction`",
                Some(hint.into()),
            );
        }
        if raw.model.is_none() {
            let hint = "add a [model] table with provider = \"default\" and name = \"…\"";
            sink.at(
                engine_span,
                "engine = \"model\" needs a [model] table",
                Some(hint.into()),
            );
        }
    }
    JobSpec {
        name,
        description: raw.description.unwrap_or_default(),
        kind,
        engine,
        targets,
        schedule,
        timezone,
        steps,
        budget: budget(&raw.budget, sink),
        qa: qa(raw.qa, sink),
        approval: Approval {
            required: raw.approval.required.unwrap_or(true),
            allow_self_approval: raw.approval.allow_self_approval.unwrap_or(false),
        },
        instruction: raw.instruction.map(Spanned::into_inner),
        protected: raw.protected,
        allow_link_hosts: raw.allow_link_hosts,
        model,
    }
}

const NAME_HINT: &str = "name the job: name = \"strip-internal-utms\"";
const CRON_HINT: &str = "write 5 fields as in crontab: minute hour day-of-month month day-of-week, e.g. \"0 6 * * 1-5\" (Mon–Fri 06:00)";

fn targets(list: Option<&Spanned<Vec<Spanned<String>>>>, sink: &mut Sink) -> Targets {
    let (mut include, mut exclude) = (
        globset::GlobSetBuilder::new(),
        globset::GlobSetBuilder::new(),
    );
    let mut patterns = Vec::new();
    let mut includes = 0;
    for p in list.map_or(&[][..], |l| l.get_ref()) {
        let (negated, glob) = match p.get_ref().strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, p.get_ref().as_str()),
        };
        match globset::Glob::new(glob) {
            Ok(g) if negated => drop(exclude.add(g)),
            Ok(g) => {
                includes += 1;
                include.add(g);
            }
            Err(e) => {
                let hint = "globs are relative to the workspace root: \"**/*.html\", \"blog/*.md\"; a leading ! excludes";
                sink.at(
                    p.span(),
                    format!("bad glob {:?}: {}", p.get_ref(), e.kind()),
                    Some(hint.into()),
                );
            }
        }
        patterns.push(p.get_ref().clone());
    }
    let hint = "list the files to work on: targets = [\"**/*.html\", \"!vendor/**\"]";
    match list {
        None => sink.at(0..0, "a spec needs `targets`", Some(hint.into())),
        Some(l) if includes == 0 && l.get_ref().iter().all(|p| p.get_ref().starts_with('!')) => {
            sink.at(
                l.span(),
                "targets has no glob that includes a file",
                Some(hint.into()),
            );
        }
        Some(_) => {}
    }
    Targets {
        patterns,
        include: include
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty()),
        exclude: exclude
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty()),
    }
}

/// The step table at `span` in the parsed document, for positions of a step's keys.
fn step_table<'a, 'i>(root: &'a DeTable<'i>, span: &Range<usize>) -> Option<&'a DeTable<'i>> {
    let (_, steps) = entry(root, "steps")?;
    let DeValue::Array(items) = steps.get_ref() else {
        return None;
    };
    items
        .iter()
        .find(|i| i.span() == *span)?
        .get_ref()
        .as_table()
}

fn steps(
    raw: Vec<Spanned<toml::Table>>,
    root: &DeTable<'_>,
    find: FindRecipe<'_>,
    sink: &mut Sink,
) -> Vec<Step> {
    let mut steps = Vec::new();
    for step in raw {
        let span = step.span();
        let table = step_table(root, &span);
        let key_at = |key: &str| table.and_then(|t| entry(t, key)).map(|(k, _)| k.span());
        let value_at = table
            .and_then(|t| entry(t, "recipe"))
            .map_or(span.clone(), |(_, v)| v.span());
        let mut params = step.into_inner();
        let name = match params.remove("recipe") {
            Some(toml::Value::String(name)) => name,
            Some(other) => {
                let message = format!("`recipe` is a string, not {}", other.type_str());
                sink.at(value_at, message, Some(recipe_list_hint()));
                continue;
            }
            None => {
                sink.at(span, "a step needs a `recipe`", Some(recipe_list_hint()));
                continue;
            }
        };
        if !NAMES.contains(&name.as_str()) {
            let hint = closest(&name, NAMES.iter().copied())
                .map_or_else(recipe_list_hint, |n| format!("did you mean \"{n}\"?"));
            sink.at(value_at, format!("unknown recipe {name:?}"), Some(hint));
        } else if let Some(recipe) = find(&name)
            && let Err(e) = recipe.validate(&params)
        {
            let at = e.key.as_deref().and_then(key_at).unwrap_or(value_at);
            let hint = e
                .hint
                .unwrap_or_else(|| format!("docs/recipes.md lists the keys of {name}"));
            sink.at(at, format!("{name}: {}", e.message), Some(hint));
        }
        steps.push(Step {
            recipe: name,
            params,
        });
    }
    steps
}

fn recipe_list_hint() -> String {
    format!("recipes: {}", NAMES.join(", "))
}

/// A limit that, when given, must be at least 1.
fn at_least_one<T: Copy + Into<u64>>(
    value: &Option<Spanned<T>>,
    key: &str,
    sink: &mut Sink,
) -> Option<T> {
    let v = value.as_ref()?;
    if (*v.get_ref()).into() == 0 {
        let hint = "leave the key out for no limit".to_string();
        sink.at(v.span(), format!("{key} must be at least 1"), Some(hint));
    }
    Some(*v.get_ref())
}

fn budget(raw: &RawBudget, sink: &mut Sink) -> Budget {
    let max_cost_usd = raw.max_cost_usd.as_ref().map(|c| {
        let v = *c.get_ref();
        if !(v.is_finite() && v >= 0.0) {
            sink.at(
                c.span(),
                "max_cost_usd must be 0 or more",
                Some("write dollars, e.g. 5.00".into()),
            );
        }
        v
    });
    Budget {
        max_files: at_least_one(&raw.max_files, "max_files", sink),
        max_changed_lines_per_file: at_least_one(
            &raw.max_changed_lines_per_file,
            "max_changed_lines_per_file",
            sink,
        ),
        max_minutes: at_least_one(&raw.max_minutes, "max_minutes", sink),
        attempts: at_least_one(&raw.attempts, "attempts", sink).unwrap_or(3),
        max_input_tokens: raw.max_input_tokens.as_ref().map(|v| *v.get_ref()),
        max_output_tokens: raw.max_output_tokens.as_ref().map(|v| *v.get_ref()),
        max_cost_usd,
        concurrency: at_least_one(&raw.concurrency, "concurrency", sink).unwrap_or(4),
    }
}

fn qa(raw: RawQa, sink: &mut Sink) -> QaSpec {
    let ids: Vec<&'static str> = crate::qa::rules::all()
        .iter()
        .map(|r| r.meta().id)
        .collect();
    let mut families: Vec<String> = ids
        .iter()
        .filter_map(|i| i.split_once('-'))
        .map(|(f, _)| format!("{f}-*"))
        .collect();
    families.dedup();
    for r in &raw.rules {
        let p = r.get_ref();
        if ids.iter().any(|id| crate::qa::engine::id_matches(p, id)) {
            continue;
        }
        let candidates = ids
            .iter()
            .copied()
            .chain(families.iter().map(String::as_str));
        let hint = closest(p, candidates).map_or(
            "write rule ids or family globs such as \"UTM-*\"; `sitewide rules` lists every id"
                .into(),
            |n| format!("did you mean \"{n}\"? (`sitewide rules` lists every id)"),
        );
        sink.at(r.span(), format!("unknown rule {p:?}"), Some(hint));
    }
    let mut scripts: Vec<QaScript> = Vec::new();
    for s in raw.scripts {
        let span = s.span();
        let s = s.into_inner();
        let name = s
            .name
            .as_ref()
            .map(|n| n.get_ref().clone())
            .unwrap_or_default();
        let run = s
            .run
            .as_ref()
            .map(|r| r.get_ref().clone())
            .unwrap_or_default();
        if name.trim().is_empty() || run.trim().is_empty() {
            let hint =
                "write { name = \"build\", run = \"jekyll build --quiet\", timeout_s = 300 }";
            sink.at(
                span,
                "a QA script needs a `name` and a `run` command",
                Some(hint.into()),
            );
        } else if let Some(n) = s
            .name
            .as_ref()
            .filter(|_| scripts.iter().any(|o| o.name == name))
        {
            sink.at(
                n.span(),
                format!("two QA scripts are named {name:?}"),
                Some("give each script its own name".into()),
            );
        }
        let timeout_s =
            at_least_one(&s.timeout_s, "timeout_s", sink).unwrap_or(DEFAULT_SCRIPT_TIMEOUT_S);
        scripts.push(QaScript {
            name,
            run,
            timeout_s,
        });
    }
    QaSpec {
        block_on: raw.block_on.unwrap_or(Severity::Error),
        rules: raw.rules.into_iter().map(Spanned::into_inner).collect(),
        scripts,
    }
}

fn model(raw: &Spanned<RawModel>, sink: &mut Sink) -> ModelSpec {
    let m = raw.get_ref();
    let name = match &m.name {
        Some(n) if !n.get_ref().trim().is_empty() => n.get_ref().clone(),
        _ => {
            let hint = "name the model the provider serves: name = \"gpt-5.3-codex-spark\"";
            sink.at(raw.span(), "[model] needs a `name`", Some(hint.into()));
            String::new()
        }
    };
    if let Some(t) = &m.temperature
        && !(0.0..=2.0).contains(t.get_ref())
    {
        sink.at(
            t.span(),
            "temperature is between 0 and 2",
            Some("write temperature = 0 for the most repeatable edits".into()),
        );
    }
    ModelSpec {
        provider: m.provider.clone().unwrap_or_else(|| "default".into()),
        name,
        on_mismatch: m.on_mismatch.unwrap_or(OnMismatch::Fail),
        temperature: m.temperature.as_ref().map(|t| *t.get_ref()),
    }
}

/// What to do about a TOML or schema error, from serde's message.
fn hint_for(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match closest(field, candidates.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("known keys here: {}", candidates.join(", ")),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match closest(value, candidates.iter().copied()) {
            Some(c) => format!("did you mean \"{c}\"?"),
            None => format!("use one of: \"{}\"", candidates.join("\", \"")),
        };
    }
    let expected = message.rsplit_once("expected ").map_or("", |(_, e)| e);
    let hint = match expected {
        e if e.contains("sequence") => {
            "write a list, e.g. targets = [\"**/*.html\"]; a list of tables is written [[steps]]"
        }
        e if e.starts_with('u') || e.starts_with('i') => {
            "write a whole number of 1 or more, e.g. 500"
        }
        e if e.starts_with('f') => "write a number, e.g. 5.0",
        e if e.contains("string") => "write a quoted string",
        e if e.contains("bool") => "write true or false",
        e if e.contains("map") || e.contains("struct") || e.contains("table") => {
            "write a table: a [section] header or key = { … }"
        }
        _ => "this is not valid TOML here; docs/job-spec.md lists every key",
    };
    hint.to_string()
}
