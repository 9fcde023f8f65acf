use super::import;
use crate::qa::plan::import::{Format, ImportError, detect};
use crate::qa::plan::{Plan, PlanEvent, PlanProperty, PropType};

const RULES: &str = include_str!("../../../../tests/fixtures/plan/segment/public-api-rules.json");
const CONFIG: &str = include_str!("../../../../tests/fixtures/plan/segment/config-api-plan.json");
const EVENT: &str = include_str!("../../../../tests/fixtures/plan/segment/cta_clicked.json");

fn prop(name: &str, ty: PropType) -> PlanProperty {
    PlanProperty {
        name: name.into(),
        ty,
        ..PlanProperty::default()
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn event(name: &str, description: Option<&str>, properties: Vec<PlanProperty>) -> PlanEvent {
    PlanEvent {
        name: name.into(),
        description: description.map(str::to_string),
        properties,
        ..PlanEvent::default()
    }
}

fn cta_properties() -> Vec<PlanProperty> {
    vec![
        PlanProperty {
            pattern: Some("^(hero|pricing|footer)$".into()),
            ..prop("cta_position", PropType::String)
        },
        PlanProperty {
            required: true,
            ..prop("cta_text", PropType::String)
        },
        PlanProperty {
            allowed: strings(&["basic", "pro", "business"]),
            ..prop("plan", PropType::String)
        },
    ]
}

#[test]
fn public_api_rules_become_events_newest_version_first_track_only() {
    assert_eq!(detect(RULES), Some(Format::Segment));
    let plan = import("rules.json", RULES).expect("imports");
    let expected = Plan {
        events: vec![
            event(
                "CTA Clicked",
                Some("A primary or secondary call to action was clicked."),
                cta_properties(),
            ),
            event(
                "Demo Requested",
                Some("The demo form was sent."),
                vec![
                    PlanProperty {
                        required: true,
                        allowed: strings(&["1-10", "11-50", "51-200", "201+"]),
                        ..prop("company_size", PropType::String)
                    },
                    prop("products", PropType::Array),
                    PlanProperty {
                        required: true,
                        ..prop("requested_at", PropType::String)
                    },
                    prop("seats", PropType::Integer),
                    prop("trial", PropType::Boolean),
                    prop("utm", PropType::Object),
                ],
            ),
        ],
        ..Plan::default()
    };
    assert_eq!(plan, expected);
}

#[test]
fn a_config_api_tracking_plan_imports_its_events() {
    let plan = import("plan.json", CONFIG).expect("imports");
    let expected = Plan {
        events: vec![
            event(
                "Newsletter Subscribed",
                Some("The footer newsletter form was sent."),
                vec![
                    PlanProperty {
                        required: true,
                        ..prop("form_id", PropType::String)
                    },
                    PlanProperty {
                        allowed: strings(&["monthly-digest", "product-updates"]),
                        ..prop("list_id", PropType::String)
                    },
                ],
            ),
            event(
                "Pricing Toggled",
                None,
                vec![PlanProperty {
                    required: true,
                    allowed: strings(&["monthly", "annual"]),
                    ..prop("billing_period", PropType::String)
                }],
            ),
        ],
        ..Plan::default()
    };
    assert_eq!(plan, expected);
}

#[test]
fn one_event_schema_is_named_after_its_file() {
    let plan = import("exports/cta_clicked.json", EVENT).expect("imports");
    assert_eq!(plan.events, [event("cta_clicked", None, cta_properties())]);
}

#[test]
fn json_of_another_shape_is_an_error() {
    let err = import("x.json", r#"{"events": []}"#).expect_err("not Segment");
    assert!(matches!(err, ImportError::Invalid { .. }), "{err}");
    let err = import("x.json", "{\n  \"data\": [1,\n").expect_err("bad JSON");
    assert!(err.to_string().starts_with("x.json:3:"), "{err}");
}
