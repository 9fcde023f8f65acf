use super::*;
use crate::qa::page::{Engine, Format};
use crate::qa::plan::{PlanEmitter, PlanEvent};

fn doc(text: &str) -> Document {
    Document::parse("pricing.html", text.to_string(), Engine::Html, Format::Html)
}

type Summary<'a> = (&'a str, Emitter, usize, Vec<(&'a str, &'a str)>);

fn summary(events: &[Event]) -> Vec<Summary<'_>> {
    events
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.emitter,
                e.line,
                e.properties
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.type_name()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn pushes_gtag_events_and_segment_tracks_are_events_with_typed_properties() {
    let d = doc(r#"<script>
window.dataLayer = window.dataLayer || [];
dataLayer.push({'gtm.start': new Date().getTime(), page_type: 'pricing'});
dataLayer.push({event: 'cta_click', cta_text: 'Start', cta_position: 2});
gtag('config', 'G-1');
gtag('event', 'sign_up', {method: 'email'});
analytics.track("Plan Selected", {plan: "pro", seats: 5, annual: true});
analytics.page();
</script>"#);
    let events = in_document(&d, None);
    assert_eq!(
        summary(&events),
        [
            (
                "cta_click",
                Emitter::DataLayer,
                4,
                vec![("cta_text", "string"), ("cta_position", "number")]
            ),
            ("sign_up", Emitter::Gtag, 6, vec![("method", "string")]),
            (
                "Plan Selected",
                Emitter::SegmentTrack,
                7,
                vec![
                    ("plan", "string"),
                    ("seats", "number"),
                    ("annual", "boolean")
                ]
            ),
        ]
    );
    assert!(events.iter().all(|e| e.literal_name));
    assert_eq!(
        d.slice(events[1].span),
        "gtag('event', 'sign_up', {method: 'email'})"
    );
}

#[test]
fn a_name_from_a_variable_is_kept_as_its_source_and_marked_dynamic() {
    let d = doc("<script>gtag('event', eventName, {});</script>");
    let events = in_document(&d, None);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].name, "eventName");
    assert!(!events[0].literal_name);
}

#[test]
fn attribute_contracts_come_from_the_plan() {
    let plan = Plan {
        events: vec![PlanEvent {
            name: "cta_click".into(),
            emitters: vec![PlanEmitter {
                kind: "data-attribute".into(),
                attr: Some("data-cta-text".into()),
            }],
            ..PlanEvent::default()
        }],
        ..Plan::default()
    };
    let text = "<p>\n<a href=\"/x\" data-cta-text=\"Get started\" data-cta-position=\"hero\">Go</a>\n<a href=\"/y\">No</a>\n</p>";
    assert!(
        in_document(&doc(text), None).is_empty(),
        "no plan, no contract"
    );
    let d = doc(text);
    let events = in_document(&d, Some(&plan));
    assert_eq!(
        summary(&events),
        [(
            "cta_click",
            Emitter::DataAttribute,
            2,
            vec![("cta_text", "string"), ("cta_position", "string")]
        )]
    );
    assert_eq!(
        events[0].properties[0].1,
        Value::String("Get started".into())
    );
}

#[test]
fn a_script_file_is_read_with_its_own_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("track.js"),
        "// forms\nform.addEventListener('submit', function () {\n  window.dataLayer.push({event: 'generate_lead', form_id: form.id});\n});\n",
    )
    .expect("write");
    let tree = crate::qa::tree::Disk::new(dir.path());
    let file = ScriptFile::read(&tree, &Arc::from("track.js")).expect("read");
    assert_eq!(
        summary(&file.events),
        [(
            "generate_lead",
            Emitter::DataLayer,
            3,
            vec![("form_id", "dynamic")]
        )]
    );
    assert_eq!(file.events[0].column, 3);
}
