//! The `[budget]`, `[qa]` and `[model]` tables: defaults and value checks.

use toml::Spanned;

use super::closest;
use super::raw::{RawBudget, RawModel, RawQa, RawScript};
use super::validate::Sink;
use super::{Budget, ModelSpec, OnMismatch, QaScript, QaSpec};
use crate::qa::finding::Severity;

/// How long a QA script may run when the spec does not say.
pub const DEFAULT_SCRIPT_TIMEOUT_S: u64 = 300;

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

pub(super) fn budget(raw: &RawBudget, sink: &mut Sink) -> Budget {
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

pub(super) fn qa(raw: RawQa, kind: crate::spec::Kind, sink: &mut Sink) -> QaSpec {
    rule_patterns(&raw.rules, sink);
    let external_links = match &raw.external_links {
        Some(on) if *on.get_ref() && kind != crate::spec::Kind::Audit => {
            sink.at(
                on.span(),
                "external_links applies to audit runs only",
                Some(
                    "external links are checked by scheduled QA, never in the edit loop: set it in a spec with kind = \"audit\""
                        .into(),
                ),
            );
            false
        }
        Some(on) => *on.get_ref(),
        None => false,
    };
    network_patterns(&raw.rules, external_links, sink);
    QaSpec {
        block_on: raw.block_on.unwrap_or(Severity::Error),
        rules: raw.rules.into_iter().map(Spanned::into_inner).collect(),
        scripts: scripts(raw.scripts, sink),
        external_links,
    }
}

/// A pattern that names only network rules (LNK-004) needs `external_links = true`: a
/// rule that cannot run must not look like one that passed.
fn network_patterns(patterns: &[Spanned<String>], external_links: bool, sink: &mut Sink) {
    if external_links {
        return;
    }
    for r in patterns {
        let p = r.get_ref();
        let mut matching = crate::qa::rules::all()
            .into_iter()
            .filter(|rule| crate::qa::engine::id_matches(p, rule.meta().id))
            .peekable();
        if matching.peek().is_some() && matching.all(|rule| rule.network()) {
            sink.at(
                r.span(),
                format!("{p} checks external links over the network, which this spec leaves off"),
                Some(
                    "set external_links = true under [qa] (audit specs only: scheduled QA)".into(),
                ),
            );
        }
    }
}

/// Each id or glob in `qa.rules` must name at least one rule.
fn rule_patterns(patterns: &[Spanned<String>], sink: &mut Sink) {
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
    for r in patterns {
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
}

fn scripts(raw: Vec<Spanned<RawScript>>, sink: &mut Sink) -> Vec<QaScript> {
    let mut scripts: Vec<QaScript> = Vec::new();
    for s in raw {
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
    scripts
}

pub(super) fn model(raw: &Spanned<RawModel>, sink: &mut Sink) -> ModelSpec {
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
