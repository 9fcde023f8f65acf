use super::{PlanError, load, parse, parse_located};
use crate::config::SiteConfig;
use crate::qa::plan::{Conventions, Plan, PlanEmitter, PlanEvent, PlanProperty, PropType};
use crate::qa::tree::Disk;

const SKETCH: &str = r#"# tracking/plan.yaml
conventions: {event_case: snake_case, pattern: "^[a-z]+(_[a-z]+)+$"}   # object_action
events:
  cta_click:
    ga4_name: cta_click
    emitters: [{kind: data-attribute, attr: data-cta-text}, {kind: datalayer}]
    properties:
      cta_text: {type: string, required: true, max_len: 100}
      cta_position: {type: string, enum: [hero, pricing, footer, banner]}
  generate_lead:
    emitters: [{kind: datalayer}]
    properties: {form_id: {type: string, required: true}, value: {type: number}, currency: {type: string, pattern: "^[A-Z]{3}$"}}
"#;

fn prop(name: &str, ty: PropType) -> PlanProperty {
    PlanProperty {
        name: name.into(),
        ty,
        ..PlanProperty::default()
    }
}

/// `(line, col, message, hint)` of an Invalid error.
fn invalid(text: &str) -> (usize, usize, String, Option<String>) {
    match parse("tracking/plan.yaml", text) {
        Err(PlanError::Invalid {
            line,
            col,
            message,
            hint,
            ..
        }) => (line, col, message, hint),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn the_domain_sketch_reads_into_the_exact_plan() {
    let plan = parse("tracking/plan.yaml", SKETCH).expect("valid");
    let expected = Plan {
        conventions: Conventions {
            event_case: Some("snake_case".into()),
            pattern: Some("^[a-z]+(_[a-z]+)+$".into()),
            property_case: None,
        },
        events: vec![
            PlanEvent {
                name: "cta_click".into(),
                ga4_name: Some("cta_click".into()),
                description: None,
                emitters: vec![
                    PlanEmitter {
                        kind: "data-attribute".into(),
                        attr: Some("data-cta-text".into()),
                    },
                    PlanEmitter {
                        kind: "datalayer".into(),
                        attr: None,
                    },
                ],
                properties: vec![
                    PlanProperty {
                        required: true,
                        max_len: Some(100),
                        ..prop("cta_text", PropType::String)
                    },
                    PlanProperty {
                        allowed: vec![
                            "hero".into(),
                            "pricing".into(),
                            "footer".into(),
                            "banner".into(),
                        ],
                        ..prop("cta_position", PropType::String)
                    },
                ],
                line: 4,
            },
            PlanEvent {
                name: "generate_lead".into(),
                emitters: vec![PlanEmitter {
                    kind: "datalayer".into(),
                    attr: None,
                }],
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
                ],
                line: 10,
                ..PlanEvent::default()
            },
        ],
    };
    assert_eq!(plan, expected);
}

#[test]
fn names_are_located_at_their_keys() {
    let (_, locs) = parse_located("p.yaml", SKETCH).expect("valid");
    assert_eq!(locs.event("generate_lead"), (10, 3));
    assert_eq!(locs.property("cta_click", "cta_position"), (9, 7));
    assert_eq!(locs.property("generate_lead", "value"), (12, 59));
    assert_eq!(locs.event("missing"), (0, 0));
}

#[test]
fn an_unknown_key_points_at_the_key_and_names_the_closest() {
    let text =
        "events:\n  cta_click:\n    properties:\n      cta_text: {type: string, requred: true}\n";
    let (line, col, message, hint) = invalid(text);
    assert_eq!((line, col), (4, 32));
    assert_eq!(
        message,
        "unknown key `requred` in property `cta_text` of `cta_click`"
    );
    assert_eq!(hint.as_deref(), Some("did you mean `required`?"));
    let (line, col, message, hint) = invalid("event:\n  a: {}\n");
    assert_eq!(
        (line, col, message.as_str()),
        (1, 1, "unknown key `event` in the plan")
    );
    assert_eq!(hint.as_deref(), Some("did you mean `events`?"));
}

#[test]
fn a_value_of_the_wrong_type_points_at_the_value() {
    let text = "events:\n  a_b:\n    properties:\n      x: {type: string, required: \"yes\"}\n";
    let (line, col, message, _) = invalid(text);
    assert_eq!((line, col), (4, 35));
    assert_eq!(message, "`required` must be true or false, found `yes`");
    let (line, _, message, _) = invalid("events:\n  a_b:\n    emitters: datalayer\n");
    assert_eq!(line, 3);
    assert_eq!(message, "`emitters` must be a list, found a scalar");
    let (_, _, message, _) = invalid("events:\n  a_b:\n    properties: {x: {max_len: long}}\n");
    assert_eq!(message, "`max_len` must be a whole number, found `long`");
    let (_, _, message, _) = invalid("events: [a, b]\n");
    assert_eq!(message, "`events` must be a mapping, found a list");
}

#[test]
fn an_unknown_property_type_suggests_the_closest() {
    let (line, col, message, hint) =
        invalid("events:\n  a_b:\n    properties:\n      x:\n        type: strng\n");
    assert_eq!((line, col), (5, 15));
    assert_eq!(message, "unknown property type `strng`");
    assert_eq!(hint.as_deref(), Some("did you mean `string`?"));
}

#[test]
fn a_bad_regex_is_reported_where_it_is_written() {
    let (line, col, message, _) = invalid("conventions:\n  pattern: '^[a-z+$'\n");
    assert_eq!((line, col), (2, 12));
    assert!(
        message.starts_with("`pattern` is not a valid regex"),
        "{message}"
    );
}

#[test]
fn unknown_cases_and_emitters_and_duplicates_are_errors() {
    let (_, _, message, hint) = invalid("conventions: {event_case: snakecase}\n");
    assert_eq!(message, "unknown naming case `snakecase` in `event_case`");
    assert_eq!(hint.as_deref(), Some("did you mean `snake_case`?"));
    let (_, _, message, hint) = invalid("events:\n  a_b: {emitters: [{kind: datalayr}]}\n");
    assert_eq!(message, "unknown emitter kind `datalayr`");
    assert_eq!(hint.as_deref(), Some("did you mean `datalayer`?"));
    let (line, _, message, _) = invalid("events:\n  a_b: {}\n  a_b: {}\n");
    assert_eq!(
        (line, message.as_str()),
        (3, "`a_b` appears twice in `events`")
    );
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let err = parse("tracking/plan.yaml", "events:\n  a: [x, y\n  b: 1\n").expect_err("bad YAML");
    let shown = err.to_string();
    assert!(shown.starts_with("tracking/plan.yaml:"), "{shown}");
    assert!(shown.contains("YAML syntax error"), "{shown}");
    assert!(shown.contains("= hint:"), "{shown}");
}

#[test]
fn an_event_without_details_is_an_empty_event() {
    let plan = parse("p.yaml", "events:\n  page_scroll:\n").expect("valid");
    assert_eq!(plan.events[0].name, "page_scroll");
    assert!(plan.events[0].properties.is_empty());
    assert_eq!(parse("p.yaml", "").expect("empty"), Plan::default());
}

#[test]
fn load_uses_the_configured_path_else_the_default_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = Disk::new(dir.path());
    assert!(
        load(&tree, &SiteConfig::default())
            .expect("no plan")
            .is_none()
    );
    std::fs::create_dir(dir.path().join("tracking")).expect("mkdir");
    std::fs::write(dir.path().join("tracking/plan.yml"), "events:\n  a_b:\n").expect("write");
    let (path, plan) = load(&tree, &SiteConfig::default())
        .expect("ok")
        .expect("a plan");
    assert_eq!((path.as_str(), plan.events.len()), ("tracking/plan.yml", 1));
    std::fs::write(
        dir.path().join("sitewide.toml"),
        "tracking_plan = \"events.yaml\"\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("events.yaml"), "events:\n  x_y:\n  y_z:\n").expect("write");
    let config = SiteConfig::load(&tree).expect("config");
    let (path, plan) = load(&tree, &config).expect("ok").expect("a plan");
    assert_eq!((path.as_str(), plan.events.len()), ("events.yaml", 2));
}
