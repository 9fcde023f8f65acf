//! TAG-008 bad-ga4-parameter: GA4 event parameters it truncates or drops: a name longer
//! than 40 characters or with a reserved prefix (`_`, `firebase_`, `ga_`, `google_`,
//! `gtag.`) or name, more than 25 parameters on one event, or a literal value longer than
//! 100 characters (`page_title` 300, `page_referrer` 420, `page_location` 1000). Limits
//! from `ga4.toml`. GTM's own keys (`gtm.*`) and the `ecommerce` object are not parameters.

use super::on_events::{At, EventRule};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::Settings;
use crate::qa::tagging::{Emitter, Event, Value};

static META: RuleMeta = RuleMeta {
    id: "TAG-008",
    name: "bad-ga4-parameter",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "A GA4 event parameter GA4 drops or truncates (name, reserved prefix, count, value length)",
    why: "GA4 silently drops parameters with reserved or over-long names, ignores those past 25, and truncates long values, so reports miss or misgroup the data.",
    bad: "<script>gtag('event', 'sign_up', {google_method: 'email'});</script>",
    good: "<script>gtag('event', 'sign_up', {method: 'email'});</script>",
    source: "GA help 9267744 (collection limits) and 13316687 (naming rules); DOMAIN.md §2.2 TAG-008",
};

pub struct BadGa4Parameter;

impl EventRule for BadGa4Parameter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_event(&self, event: &Event, at: &At, settings: &Settings, out: &mut Vec<Finding>) {
        if !matches!(event.emitter, Emitter::Gtag | Emitter::DataLayer) {
            return;
        }
        let ga4 = settings.ga4;
        let params: Vec<&(String, Value)> = event
            .properties
            .iter()
            .filter(|(k, _)| !k.starts_with("gtm.") && k != "ecommerce")
            .collect();
        let mut push = |msg: String| out.push(at.finding(&META, event.span, msg));
        if params.len() > ga4.max_params_per_event {
            push(format!(
                "event `{}` has {} parameters; GA4 keeps {}",
                event.name,
                params.len(),
                ga4.max_params_per_event
            ));
        }
        for (key, value) in params {
            if key.chars().count() > ga4.max_param_name_len {
                push(format!(
                    "parameter name `{key}` is longer than {} characters",
                    ga4.max_param_name_len
                ));
            } else if let Some(prefix) = ga4.reserved_param_prefix(key) {
                push(format!(
                    "parameter `{key}` starts with `{prefix}`, a prefix GA4 reserves"
                ));
            } else if ga4.reserved_params.iter().any(|r| r == key) {
                push(format!("parameter `{key}` is reserved by GA4"));
            }
            if let Value::String(text) = value {
                let max = ga4.max_value_len(key);
                let len = text.chars().count();
                if len > max {
                    push(format!(
                        "value of `{key}` is {len} characters long; GA4 keeps {max}"
                    ));
                }
            }
        }
    }
}
