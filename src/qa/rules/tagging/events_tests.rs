//! Fixture tests of the event rules, each passing and failing, with exact findings.

use crate::qa::finding::Finding;
use crate::qa::testing::{at, check_files};

const PLAN: &str = r#"conventions: {event_case: snake_case}
events:
  cta_click:
    emitters: [{kind: data-attribute, attr: data-cta-text}, {kind: datalayer}]
    properties:
      cta_text: {type: string, required: true, max_len: 20}
      cta_position: {type: string, enum: [hero, pricing, footer]}
  generate_lead:
    emitters: [{kind: datalayer}]
    properties:
      form_id: {type: string, required: true}
      value: {type: number}
      currency: {type: string, pattern: "[A-Z]{3}"}
  sign_up:
    ga4_name: sign_up
    emitters: [{kind: gtag}]
    properties: {method: {type: string, required: true}}
  Order Completed:
    emitters: [{kind: segment}]
    properties:
      order_id: {type: string, required: true}
      revenue: {type: number}
"#;

fn check(files: &[(&str, &str)]) -> Vec<Finding> {
    let mut all = vec![("tracking/plan.yaml", PLAN)];
    all.extend_from_slice(files);
    check_files(&all, "")
}

fn messages(findings: &[Finding], rule: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.rule.id == rule)
        .map(|f| format!("{}:{}:{} {}", f.file, f.line, f.column, f.message))
        .collect()
}

#[test]
fn tag_006_flags_events_the_plan_does_not_list_in_pages_and_script_files() {
    let page = "<script>\ndataLayer.push({event: 'cta_clicked'});\ndataLayer.push({event: 'gtm.dom'});\ngtag('event', 'sign_up', {method: 'x'});\ngtag('event', name);\n</script>\n";
    let js = "export function lead(form) {\n  window.dataLayer.push({event: 'generate_lead', form_id: form.id});\n  window.dataLayer.push({event: 'demo_request'});\n}\n";
    let f = check(&[("index.html", page), ("assets/js/track.js", js)]);
    assert_eq!(
        messages(&f, "TAG-006"),
        [
            "assets/js/track.js:3:3 event `demo_request` is not in the tracking plan",
            "index.html:2:1 event `cta_clicked` is not in the tracking plan",
        ]
    );
    let hint = f
        .iter()
        .find(|x| x.rule.id == "TAG-006" && x.file.as_ref() == "index.html");
    assert_eq!(
        hint.and_then(|x| x.hint.as_deref()),
        Some("did you mean `cta_click`? Otherwise add the event to the plan first")
    );
    // No plan, nothing to compare with.
    let none = check_files(&[("index.html", page)], "");
    assert!(at(&none, "TAG-006").is_empty());
}

#[test]
fn tag_009_flags_missing_required_properties_and_values_off_plan() {
    let page = r#"<script>
dataLayer.push({event: 'generate_lead', value: '10', currency: 'usd'});
dataLayer.push({event: 'generate_lead', form_id: 'demo', value: 10, currency: 'USD'});
dataLayer.push({...base, event: 'generate_lead'});
dataLayer.push({event: 'cta_click', cta_text: 'Start', cta_position: 'sidebar'});
gtag('event', 'sign_up', params);
</script>
<a href="/s" data-cta-text="Start your free trial today now">Start</a>
"#;
    let f = check(&[("index.html", page)]);
    assert_eq!(
        messages(&f, "TAG-009"),
        [
            "index.html:2:1 `currency` of event `generate_lead` is \"usd\", which does not match the plan's pattern `[A-Z]{3}`",
            "index.html:2:1 `value` of event `generate_lead` is a string, the plan says number",
            "index.html:2:1 event `generate_lead` is sent without `form_id`, which the plan requires",
            "index.html:5:1 `cta_position` of event `cta_click` is \"sidebar\", not one of the plan's values (hero, pricing, footer)",
            "index.html:8:1 `cta_text` of event `cta_click` is 31 characters long, the plan allows 20",
        ]
    );
}

#[test]
fn tag_011_flags_personal_data_in_event_parameters_and_hidden_fields() {
    let page = r#"<script>
dataLayer.push({event: 'sign_up', email: form.email.value, method: 'email'});
gtag('event', 'generate_lead', {contact: 'jane.doe@gmail.com', phone_ok: true});
</script>
<form><input type="hidden" name="email" value="jane@example.org"><input type="hidden" name="utm_source" value="newsletter"><input type="hidden" name="email" value="{{ email }}"></form>
"#;
    let f = check_files(&[("index.html", page)], "");
    assert_eq!(
        messages(&f, "TAG-011"),
        [
            "index.html:2:1 parameter `email` of event `sign_up` sends personal data",
            "index.html:3:1 parameter `contact` of event `generate_lead` sends an email address",
            "index.html:5:48 hidden field `email` holds an email address",
        ]
    );
}

#[test]
fn tag_012_flags_empty_doubled_misspelt_and_ambiguous_contracts() {
    let plan_with_links = format!(
        "{PLAN}  link_click:\n    emitters: [{{kind: data-attribute, attr: data-link-text}}]\n"
    );
    let page = r#"<a href="/a" data-cta-text="Start" data-cta-position="hero">Start</a>
<a href="/b" data-cta-text="Start" data-cta-position="hero">Start</a>
<a href="/c" data-cta-text="">x</a>
<a href="/d" data-cta-text="Buy" data-cta-postion="footer">Buy</a>
<a href="/e" data-cta-text="Docs" data-link-text="Docs">Docs</a>
<a href="/f" data-cta-text="Start" data-cta-position="footer">Start</a>
"#;
    let f = check_files(
        &[
            ("tracking/plan.yaml", &plan_with_links),
            ("index.html", page),
        ],
        "",
    );
    assert_eq!(
        messages(&f, "TAG-012"),
        [
            "index.html:2:1 `cta_click` event: this element sends exactly what the one on line 1 sends",
            "index.html:3:14 `data-cta-text` is empty: the `cta_click` event has no name to report",
            "index.html:4:34 `data-cta-postion` is not part of the `cta_click` contract in the tracking plan",
            "index.html:5:1 one element carries 2 contracts (data-cta-text, data-link-text): it sends 2 events per click",
        ]
    );
}

#[test]
fn tag_014_matches_segment_names_exactly_and_checks_literal_types() {
    let js = "analytics.track('Order Completed', {order_id: 'A1', revenue: 20});\nanalytics.track('Order completed', {order_id: 'A2'});\nanalytics.track('Order Completed', {revenue: '20'});\nanalytics.track(eventName, {});\n";
    let f = check(&[("src/checkout.js", js), ("index.html", "<p>x</p>")]);
    assert_eq!(
        messages(&f, "TAG-014"),
        [
            "src/checkout.js:2:1 Segment event `Order completed` is not in the tracking plan",
            "src/checkout.js:3:1 Segment event `Order Completed` is sent without `order_id`, which the plan requires",
            "src/checkout.js:3:1 `revenue` of Segment event `Order Completed` is a string, the plan says number",
        ]
    );
    let hint = f
        .iter()
        .find(|x| x.rule.id == "TAG-014")
        .and_then(|x| x.hint.clone());
    assert_eq!(
        hint.as_deref(),
        Some(
            "the plan has `Order Completed`; names must match exactly, casing and spaces included"
        )
    );
}

#[test]
fn tag_007_flags_names_ga4_drops_and_only_warns_for_data_layer_events() {
    let long = "a".repeat(41);
    let page = format!(
        "<script>\ngtag('event', 'Form Submit');\ngtag('event', '1st_visit');\ngtag('event', '{long}');\ngtag('event', 'session_start');\ngtag('event', 'page_view', {{page_title: 'x'}});\ngtag('event', 'google_signup');\ndataLayer.push({{event: 'cta-click'}});\ndataLayer.push({{event: 'Lead Form'}});\ngtag('event', 'generate_lead');\n</script>\n"
    );
    let plan = "events:\n  Lead Form:\n    ga4_name: generate_lead\n";
    let f = check_files(&[("tracking/plan.yaml", plan), ("index.html", &page)], "");
    let found: Vec<(String, String)> = f
        .iter()
        .filter(|x| x.rule.id == "TAG-007")
        .map(|x| {
            (
                format!("{}:{}", x.line, x.severity.as_str()),
                x.message.clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "2:error".into(),
                "event name `Form Submit` has ` `: only letters, digits and `_` are allowed".into()
            ),
            (
                "3:error".into(),
                "event name `1st_visit` must start with a letter".into()
            ),
            (
                "4:error".into(),
                format!("event name `{long}` is 41 characters long; GA4 allows 40")
            ),
            (
                "5:error".into(),
                "event name `session_start` is reserved by GA4 (it collects that event itself)"
                    .into()
            ),
            (
                "7:error".into(),
                "event name `google_signup` starts with `google_`, a prefix GA4 reserves".into()
            ),
            (
                "8:warning".into(),
                "event name `cta-click` has `-`: only letters, digits and `_` are allowed".into()
            ),
        ]
    );
    let hint = f
        .iter()
        .find(|x| x.rule.id == "TAG-007")
        .and_then(|x| x.hint.clone());
    assert_eq!(
        hint.as_deref(),
        Some("rename it, for example `form_submit`")
    );
}

#[test]
fn tag_008_flags_reserved_long_and_too_many_parameters() {
    let many: Vec<String> = (0..26).map(|i| format!("p{i}: 1")).collect();
    let page = format!(
        "<script>\ngtag('event', 'sign_up', {{google_method: 'email', firebase_x: 1, session_id: 'a', ok_name: 'b'}});\ngtag('event', 'share', {{{}}});\ngtag('event', 'view', {{page_title: '{}', label: '{}'}});\ndataLayer.push({{event: 'x', 'gtm.uniqueEventId': 3, ecommerce: {{items: []}}}});\n</script>\n",
        many.join(", "),
        "t".repeat(300),
        "l".repeat(101),
    );
    let f = check_files(&[("index.html", &page)], "");
    assert_eq!(
        messages(&f, "TAG-008"),
        [
            "index.html:2:1 parameter `firebase_x` starts with `firebase_`, a prefix GA4 reserves",
            "index.html:2:1 parameter `google_method` starts with `google_`, a prefix GA4 reserves",
            "index.html:2:1 parameter `session_id` is reserved by GA4",
            "index.html:3:1 event `share` has 26 parameters; GA4 keeps 25",
            "index.html:4:1 value of `label` is 101 characters long; GA4 keeps 100",
        ]
    );
}

#[test]
fn tag_010_holds_code_to_the_plans_declared_convention() {
    let page = "<script>\ndataLayer.push({event: 'ctaClick'});\ndataLayer.push({event: 'cta_click', cta_text: 'x'});\n</script>\n";
    let f = check(&[("index.html", page)]);
    assert_eq!(
        messages(&f, "TAG-010"),
        ["index.html:2:1 event `ctaClick` is not snake_case as the plan's convention says"]
    );
    let hint = f
        .iter()
        .find(|x| x.rule.id == "TAG-010")
        .and_then(|x| x.hint.clone());
    assert_eq!(hint.as_deref(), Some("rename it `cta_click`"));
    let pattern = "conventions: {pattern: \"[a-z]+_[a-z]+\"}\nevents: {}\n";
    let f = check_files(&[("tracking/plan.yaml", pattern), ("index.html", page)], "");
    assert_eq!(
        messages(&f, "TAG-010"),
        [
            "index.html:2:1 event `ctaClick` does not match the plan's naming pattern `[a-z]+_[a-z]+`"
        ]
    );
}
