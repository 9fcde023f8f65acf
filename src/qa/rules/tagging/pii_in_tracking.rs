//! TAG-011 pii-in-tracking: personal data (an email address, a phone number, a person's
//! name) sent with an event, or kept in a hidden form field. A parameter named for a
//! personal field (`email`, `phone`) whose value the code computes counts: that is a
//! visitor's data. Personal data in link URLs is UTM-012's. Literal text in page titles is
//! not judged: an address there is the organisation's own.

use super::on_events::{self, At};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::{Document, decode_entities};
use crate::qa::rules::utm::pii::{Pii, personal_value};
use crate::qa::rules::{FileCx, Rule, SiteCx};
use crate::qa::tagging::{Event, Value};

static META: RuleMeta = RuleMeta {
    id: "TAG-011",
    name: "pii-in-tracking",
    severity: Severity::Error,
    fix: FixKind::ReportOnly,
    summary: "Personal data in an event parameter or a hidden form field",
    why: "Google's terms forbid sending personal data to Analytics, and tags collect event parameters and (with form triggers) hidden fields: one email address in them puts the property at risk of deletion.",
    bad: "<script>dataLayer.push({event: 'sign_up', email: document.querySelector('#email').value});</script>",
    good: "<script>dataLayer.push({event: 'sign_up', method: 'email'});</script>",
    source: "GA help 6366371 (best practices to avoid sending PII); DOMAIN.md §2.2 TAG-011",
};

pub struct PiiInTracking;

fn what(kind: Pii) -> &'static str {
    match kind {
        Pii::Email => "an email address",
        Pii::Phone => "a phone number",
        Pii::Name => "a person's name",
        Pii::Templated => "personal data",
    }
}

impl Rule for PiiInTracking {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        on_events::in_document(cx, |event, at| personal_parameters(event, at, out));
        hidden_fields(cx.doc, out);
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        on_events::in_scripts(cx, |event, at| personal_parameters(event, at, out));
    }
}

fn personal_parameters(event: &Event, at: &At, out: &mut Vec<Finding>) {
    for (key, value) in &event.properties {
        let literal = match value {
            Value::String(s) => Some(s.as_str()),
            Value::Dynamic => None,
            _ => continue,
        };
        if let Some(kind) = personal_value(key, literal) {
            let msg = format!(
                "parameter `{key}` of event `{}` sends {}",
                event.name,
                what(kind)
            );
            out.push(at.finding(&META, event.span, msg).hint(
                "send a non-personal id or a category instead (a hashed email only where the vendor's enhanced-conversions API asks for it)",
            ));
        }
    }
}

/// Hidden form fields holding a literal email address, phone number or name: form
/// triggers and session-replay tags collect them.
fn hidden_fields(doc: &Document, out: &mut Vec<Finding>) {
    for el in doc.elements_named("input") {
        if !doc
            .attr_value(el, "type")
            .is_some_and(|t| t.eq_ignore_ascii_case("hidden"))
        {
            continue;
        }
        let (Some(name), Some(value)) = (doc.attr(el, "name"), doc.attr(el, "value")) else {
            continue;
        };
        let (Some(name_span), Some(value_span)) = (name.value, value.value) else {
            continue;
        };
        if doc.is_dynamic(value_span) || doc.is_dynamic(name_span) {
            continue;
        }
        let literal = decode_entities(doc.slice(value_span));
        if let Some(kind) = personal_value(doc.slice(name_span), Some(&literal)) {
            let msg = format!(
                "hidden field `{}` holds {}",
                doc.slice(name_span),
                what(kind)
            );
            out.push(Finding::at(&META, doc, value_span, msg).hint(
                "form-submit triggers collect hidden fields: keep personal data out of them",
            ));
        }
    }
}
