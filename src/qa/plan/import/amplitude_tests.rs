use super::import;
use crate::qa::plan::import::{Format, detect};
use crate::qa::plan::{Plan, PlanEvent, PlanProperty, PropType};

const EXPORT: &str = include_str!("../../../../tests/fixtures/plan/amplitude/events.csv");

fn prop(name: &str, ty: PropType) -> PlanProperty {
    PlanProperty {
        name: name.into(),
        ty,
        ..PlanProperty::default()
    }
}

#[test]
fn the_events_export_imports_events_and_their_properties() {
    assert_eq!(detect(EXPORT), Some(Format::Amplitude));
    let plan = import("events.csv", EXPORT).expect("imports");
    let expected = Plan {
        events: vec![
            PlanEvent {
                name: "cta_clicked".into(),
                description: Some("Primary or secondary call to action clicked".into()),
                properties: vec![
                    PlanProperty {
                        required: true,
                        ..prop("cta_text", PropType::String)
                    },
                    PlanProperty {
                        allowed: vec!["hero".into(), "pricing".into(), "footer".into()],
                        ..prop("cta_position", PropType::String)
                    },
                    prop("page_sections", PropType::Array),
                ],
                ..PlanEvent::default()
            },
            PlanEvent {
                name: "lead_generated".into(),
                description: Some("A sales or registration form was sent".into()),
                properties: vec![
                    PlanProperty {
                        required: true,
                        ..prop("form_id", PropType::String)
                    },
                    prop("value", PropType::Number),
                    PlanProperty {
                        pattern: Some("^[A-Z]{3}$".into()),
                        ..prop("currency", PropType::String)
                    },
                    PlanProperty {
                        allowed: vec!["v2".into()],
                        ..prop("form_version", PropType::Any)
                    },
                    prop("newsletter_opt_in", PropType::Boolean),
                    prop("extra", PropType::Any),
                ],
                ..PlanEvent::default()
            },
            PlanEvent {
                name: "video_played".into(),
                description: Some("Product tour video started".into()),
                ..PlanEvent::default()
            },
        ],
        ..Plan::default()
    };
    assert_eq!(plan, expected);
}

#[test]
fn a_header_without_the_needed_columns_is_an_error_on_line_1() {
    let err = import("e.csv", "Action,Object Type,Object Name\n,Event,x\n")
        .expect_err("no property column");
    assert_eq!(
        err.to_string(),
        "e.csv:1: the header has no `Event Property Name` column\n  = hint: download the events CSV template from Amplitude Data and keep its header row"
    );
}

#[test]
fn an_unknown_value_type_is_an_error_on_its_line() {
    let text = "Object Type,Object Name,Event Property Name,Property Value Type\nEvent,a,,\nEvent Property,a,b,text\n";
    let err = import("e.csv", text).expect_err("unknown type");
    assert!(
        err.to_string()
            .starts_with("e.csv:3: unknown property type `text` for `b`"),
        "{err}"
    );
}
