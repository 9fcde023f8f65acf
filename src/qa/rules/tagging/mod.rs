//! Tagging rules (DOMAIN.md §2.2): the analytics tags every page loads, once and after
//! consent, and the events its code sends against the tracking plan.

mod bad_ga4_event_name;
mod bad_ga4_parameter;
mod broken_attribute_contract;
mod off_convention_event_name;
mod off_plan_properties;
mod on_events;
mod pii_in_tracking;
mod planned;
mod segment_track_off_plan;
mod unplanned_event;

mod cmp_placement;
mod consent_mode;
mod datalayer;
mod duplicate_install;
mod environment_leak;
mod pixel_consent;
mod tag_missing;
mod universal_analytics;

use super::Rule;
use crate::qa::finding::{Finding, RuleMeta};
use crate::qa::source::Span;
use crate::qa::tagging::coverage::Placed;
use crate::qa::view::PageView;

pub static RULES: &[&dyn Rule] = &[
    &tag_missing::TagMissing,
    &duplicate_install::DuplicateInstall,
    &universal_analytics::UniversalAnalytics,
    &consent_mode::ConsentMode,
    &cmp_placement::CmpPlacement,
    // TAG-006: the data-layer half and the events half (`unplanned_event`) in one rule.
    &datalayer::DataLayer,
    &bad_ga4_event_name::BadGa4EventName,
    &bad_ga4_parameter::BadGa4Parameter,
    &off_plan_properties::EventPropertiesOffPlan,
    &off_convention_event_name::EventNameOffConvention,
    &pii_in_tracking::PiiInTracking,
    &broken_attribute_contract::BrokenAttributeContract,
    &environment_leak::EnvironmentLeak,
    &segment_track_off_plan::SegmentEventOffPlan,
    &pixel_consent::PixelConsent,
];

/// A finding at `span` of `view.docs[doc]`.
pub(crate) fn at_doc(
    meta: &'static RuleMeta,
    view: &PageView,
    doc: usize,
    span: Span,
    message: impl Into<String>,
) -> Finding {
    Finding::at(meta, view.docs[doc], span, message)
}

/// A finding at a placed tag.
pub(crate) fn at_tag(
    meta: &'static RuleMeta,
    view: &PageView,
    p: &Placed,
    message: impl Into<String>,
) -> Finding {
    at_doc(meta, view, p.doc, p.tag.span, message)
}

/// `file:line` of a placed tag, for messages that point at a second place.
pub(crate) fn where_(p: &Placed) -> String {
    format!("{}:{}", p.tag.file, p.tag.line)
}

/// True when the resolved page is a whole HTML document (not a fragment, a feed or a
/// redirect stub), so a tag missing from it is really missing.
pub(crate) fn is_html_page(view: &PageView) -> bool {
    view.is_complete()
        && view.docs.iter().any(|d| {
            d.elements_named("head").next().is_some() || d.elements_named("body").next().is_some()
        })
}

#[cfg(test)]
mod events_tests;
