use std::path::Path;

use super::{import_file, import_tree, schema_ver};
use crate::qa::plan::import::{Format, detect};
use crate::qa::plan::{Plan, PlanEvent, PlanProperty, PropType};
use crate::qa::tree::Disk;

const FOLDER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/plan/iglu");
const CTA_1_1_0: &str = include_str!(
    "../../../../tests/fixtures/plan/iglu/schemas/com.acme/cta_click/jsonschema/1-1-0"
);

fn prop(name: &str, ty: PropType) -> PlanProperty {
    PlanProperty {
        name: name.into(),
        ty,
        ..PlanProperty::default()
    }
}

fn cta_click() -> PlanEvent {
    PlanEvent {
        name: "cta_click".into(),
        description: Some("CTA click on a landing page".into()),
        properties: vec![
            PlanProperty {
                allowed: vec!["hero".into(), "pricing".into(), "footer".into()],
                ..prop("cta_position", PropType::String)
            },
            PlanProperty {
                required: true,
                max_len: Some(100),
                ..prop("cta_text", PropType::String)
            },
        ],
        ..PlanEvent::default()
    }
}

#[test]
fn one_schema_file_is_one_event() {
    assert_eq!(detect(CTA_1_1_0), Some(Format::Iglu));
    let plan = import_file("1-1-0", CTA_1_1_0).expect("imports");
    assert_eq!(
        plan,
        Plan {
            events: vec![cta_click()],
            ..Plan::default()
        }
    );
}

#[test]
fn a_registry_folder_imports_the_newest_version_of_each_schema() {
    let plan = import_tree(&Disk::new(Path::new(FOLDER))).expect("imports");
    let lead = PlanEvent {
        name: "generate_lead".into(),
        description: Some("A sales or registration form was sent".into()),
        properties: vec![
            prop("consent", PropType::Boolean),
            PlanProperty {
                pattern: Some("^[A-Z]{3}$".into()),
                ..prop("currency", PropType::String)
            },
            PlanProperty {
                required: true,
                max_len: Some(64),
                ..prop("form_id", PropType::String)
            },
            prop("value", PropType::Number),
        ],
        ..PlanEvent::default()
    };
    assert_eq!(
        plan,
        Plan {
            events: vec![cta_click(), lead],
            ..Plan::default()
        }
    );
}

#[test]
fn a_schema_without_a_proper_self_block_is_an_error() {
    let text = r#"{"self": {"vendor": "com.acme", "name": "x", "format": "jsonschema", "version": "1.0.0"}}"#;
    let err = import_file("x.json", text).expect_err("bad version");
    assert!(err.to_string().contains("is not a SchemaVer"), "{err}");
    let text =
        r#"{"self": {"vendor": "com.acme", "name": "x", "format": "avro", "version": "1-0-0"}}"#;
    assert!(import_file("x.json", text).is_err());
    assert_eq!(schema_ver("2-10-3"), Some((2, 10, 3)));
    assert_eq!(schema_ver("1-0"), None);
}

#[test]
fn an_empty_folder_is_an_error_with_the_layout_in_the_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = import_tree(&Disk::new(dir.path())).expect_err("nothing to import");
    assert!(
        err.to_string()
            .contains("schemas/<vendor>/<name>/jsonschema/<version>"),
        "{err}"
    );
}
