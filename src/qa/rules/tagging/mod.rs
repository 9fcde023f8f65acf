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

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &unplanned_event::EventNotInPlan,
    &bad_ga4_event_name::BadGa4EventName,
    &bad_ga4_parameter::BadGa4Parameter,
    &off_plan_properties::EventPropertiesOffPlan,
    &off_convention_event_name::EventNameOffConvention,
    &pii_in_tracking::PiiInTracking,
    &broken_attribute_contract::BrokenAttributeContract,
    &segment_track_off_plan::SegmentEventOffPlan,
];

#[cfg(test)]
mod events_tests;
