//! Tagging rules (DOMAIN.md §2.2): the analytics tags every page loads, once and after
//! consent, and the events its code sends against the tracking plan.

mod broken_attribute_contract;
mod off_plan_properties;
mod on_events;
mod pii_in_tracking;
mod planned;
mod segment_track_off_plan;
mod unplanned_event;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &unplanned_event::EventNotInPlan,
    &off_plan_properties::EventPropertiesOffPlan,
    &pii_in_tracking::PiiInTracking,
    &broken_attribute_contract::BrokenAttributeContract,
    &segment_track_off_plan::SegmentEventOffPlan,
];

#[cfg(test)]
mod events_tests;
