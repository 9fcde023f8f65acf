//! Turns a read spec into a `JobSpec`, checking each key and collecting every error with
//! its position and a hint, in the order they appear in the file.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::DeTable;

use super::hint::{hint_for, plain};
use super::notify::{notify, workspace};
use super::raw::RawSpec;
use super::recover;
use super::sections::{budget, model, qa};
use super::steps::steps;
use super::{Approval, Engine, JobSpec, Kind, Schedule, Targets, parse_timezone};
use crate::config::ConfigError;
use crate::edit::recipes::Recipe;

/// Looks a recipe up by contract name (`recipes::find`, or a stand-in in tests).
pub type FindRecipe<'a> = &'a dyn Fn(&str) -> Option<&'static dyn Recipe>;

/// The errors found so far, each with the byte offset it sorts by.
pub(super) struct Sink<'a> {
    path: &'a Path,
    text: &'a str,
    errors: Vec<(usize, ConfigError)>,
}

impl Sink<'_> {
    pub(super) fn at(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
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
        sink.at(e.span, plain(&e.message), Some(hint));
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
    let kind = raw.kind.as_ref().map_or(Kind::Edit, |k| *k.get_ref());
    let engine = raw.engine.as_ref().map_or(Engine::Recipe, |e| *e.get_ref());
    let (timezone, schedule) = timing(&raw, sink);
    // A step that names no known recipe is reported on its own, not as a missing step.
    let has_steps = raw.steps.as_ref().is_some_and(|s| !s.is_empty());
    let steps = steps(raw.steps.unwrap_or_default(), root, find, sink);
    engine_needs(
        &raw.engine,
        kind,
        has_steps,
        &raw.instruction,
        raw.model.is_some(),
        sink,
    );
    JobSpec {
        name: name(raw.name.as_ref(), sink),
        description: raw.description.unwrap_or_default(),
        kind,
        engine,
        targets: targets(raw.targets.as_ref(), sink),
        schedule,
        timezone,
        workspace: workspace(raw.workspace, sink),
        notify: notify(raw.notify, sink),
        steps,
        budget: budget(&raw.budget, sink),
        qa: qa(raw.qa, kind, sink),
        approval: Approval {
            required: raw.approval.required.unwrap_or(true),
            allow_self_approval: raw.approval.allow_self_approval.unwrap_or(false),
        },
        instruction: raw.instruction.map(Spanned::into_inner),
        protected: raw.protected,
        allow_link_hosts: raw.allow_link_hosts,
        model: raw.model.as_ref().map(|m| model(m, sink)),
    }
}

fn name(raw: Option<&Spanned<String>>, sink: &mut Sink) -> String {
    const HINT: &str = "name the job: name = \"strip-internal-utms\"";
    match raw {
        Some(n) if !n.get_ref().trim().is_empty() => n.get_ref().clone(),
        Some(n) => {
            sink.at(n.span(), "the name is empty", Some(HINT.into()));
            String::new()
        }
        None => {
            sink.at(0..0, "a spec needs a `name`", Some(HINT.into()));
            String::new()
        }
    }
}

/// The zone (UTC unless named) and the schedule read in it.
fn timing(raw: &RawSpec, sink: &mut Sink) -> (chrono_tz::Tz, Option<Schedule>) {
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
        let parsed = Schedule::parse(s.get_ref(), timezone);
        if let Err(e) = &parsed {
            sink.at(
                s.span(),
                format!("bad schedule: {e}"),
                Some(CRON_HINT.into()),
            );
        }
        parsed.ok()
    });
    (timezone, schedule)
}

/// What each engine needs besides the common keys; errors point at `engine`.
fn engine_needs(
    engine: &Option<Spanned<Engine>>,
    kind: Kind,
    has_steps: bool,
    instruction: &Option<Spanned<String>>,
    has_model: bool,
    sink: &mut Sink,
) {
    let at = engine.as_ref().map_or(0..0, Spanned::span);
    let mut need = |message: &str, hint: &str| sink.at(at.clone(), message, Some(hint.into()));
    match engine.as_ref().map_or(Engine::Recipe, |e| *e.get_ref()) {
        Engine::Recipe if kind == Kind::Edit && !has_steps => need(
            "engine = \"recipe\" needs at least one [[steps]] table",
            "add a step: [[steps]] recipe = \"utm.strip_internal\" (docs/recipes.md lists the recipes)",
        ),
        Engine::Recipe => {}
        Engine::Model => {
            if instruction.is_none() {
                need(
                    "engine = \"model\" needs an `instruction`",
                    "say what to change: instruction = 'Replace … with … on every pricing page.'",
                );
            }
            if !has_model {
                need(
                    "engine = \"model\" needs a [model] table",
                    "add a [model] table with provider = \"default\" and name = \"…\"",
                );
            }
        }
    }
}

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
