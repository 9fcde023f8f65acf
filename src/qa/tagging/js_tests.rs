use super::*;
use crate::qa::page::{Engine, Format};

fn doc(path: &str, text: &str, engine: Engine) -> Document {
    Document::parse(path, text.to_string(), engine, Format::Html)
}

#[test]
fn the_gtm_loader_is_an_iife_with_its_container_id_and_url() {
    let src = "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':\nnew Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],\nj=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=\n'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);\n})(window,document,'script','dataLayer','GTM-ABC123');";
    let script = scan(src);
    assert!(!script.broken);
    let iife = script
        .calls
        .iter()
        .find(|c| c.callee == "(function)")
        .expect("the loader");
    assert_eq!(iife.args[4], Value::String("GTM-ABC123".into()));
    assert_eq!(
        &src[iife.arg_spans[4].start..iife.arg_spans[4].end],
        "'GTM-ABC123'"
    );
    assert!(
        script
            .strings
            .iter()
            .any(|(s, _)| s == "https://www.googletagmanager.com/gtm.js?id=")
    );
    let push = script.calls.iter().find(|c| c.callee == "w.l.push");
    assert!(
        push.is_none(),
        "computed member with a variable is not a name"
    );
}

#[test]
fn calls_keep_literal_arguments_with_their_types_and_nested_calls_are_found() {
    let src = r#"window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
gtag('config', "G-XYZ", {send_page_view: false, n: -2});
document.querySelector('form').addEventListener('submit', () => {
  window.dataLayer.push({event: 'generate_lead', 'form_id': 'demo', value: 10, tags: ['a', 1], ok: true, none: null, who: user.id});
});"#;
    let script = scan(src);
    let names: Vec<&str> = script.calls.iter().map(|c| c.callee.as_str()).collect();
    assert_eq!(
        names,
        [
            "dataLayer.push",
            "gtag",
            "gtag",
            "document.querySelector",
            "window.dataLayer.push"
        ]
    );
    assert_eq!(
        script.calls[2].args,
        [
            Value::String("config".into()),
            Value::String("G-XYZ".into()),
            Value::Object(vec![
                ("send_page_view".into(), Value::Bool(false)),
                ("n".into(), Value::Number(-2.0)),
            ]),
        ]
    );
    let Value::Object(props) = &script.calls[4].args[0] else {
        panic!("an object: {:?}", script.calls[4].args);
    };
    let types: Vec<(&str, &str)> = props
        .iter()
        .map(|(k, v)| (k.as_str(), v.type_name()))
        .collect();
    assert_eq!(
        types,
        [
            ("event", "string"),
            ("form_id", "string"),
            ("value", "number"),
            ("tags", "array"),
            ("ok", "boolean"),
            ("none", "null"),
            ("who", "dynamic"),
        ]
    );
    let targets: Vec<&str> = script
        .assignments
        .iter()
        .map(|a| a.target.as_str())
        .collect();
    assert_eq!(targets, ["window.dataLayer"]);
}

#[test]
fn template_syntax_in_an_inline_script_reads_as_dynamic_and_spans_are_the_documents() {
    let text = "<html><head>\n<script>\n{% if jekyll.environment == 'production' %}\ngtag('config', '{{ site.google_analytics }}');\ngtag('config', 'G-LITERAL');\n{% endif %}\nvar id = {{ site.id | jsonify }};\n</script></head></html>";
    let d = doc("_layouts/default.html", text, Engine::Liquid);
    let scripts = scripts(&d);
    assert_eq!(scripts.len(), 1);
    let script = &scripts[0];
    assert!(!script.broken, "{script:?}");
    let configs: Vec<&Call> = script.calls.iter().filter(|c| c.callee == "gtag").collect();
    assert_eq!(configs.len(), 2);
    assert_eq!(configs[0].args[1], Value::Dynamic);
    assert_eq!(
        d.slice(configs[0].arg_spans[1]),
        "'{{ site.google_analytics }}'"
    );
    assert_eq!(configs[1].args[1], Value::String("G-LITERAL".into()));
    assert_eq!(d.slice(configs[1].span), "gtag('config', 'G-LITERAL')");
    assert_eq!(script.assignments[0].target, "id");
    assert_eq!(script.assignments[0].value, Value::Dynamic);
    assert!(
        !script.strings.iter().any(|(s, _)| s.contains("site.")),
        "a templated string is not a literal"
    );
}

#[test]
fn only_javascript_scripts_are_read_and_a_broken_one_says_so() {
    let text = r#"<script src="/app.js"></script>
<script type="application/ld+json">{"@type": "Organization"}</script>
<script type="text/plain" data-cookieconsent="marketing">fbq('init', '123');</script>
<script type="module">analytics.track('Signed Up', {plan: 'pro'})</script>
<script>gtag('event', 'x' +</script>"#;
    let d = doc("index.html", text, Engine::Html);
    let scripts = scripts(&d);
    let callees: Vec<Vec<&str>> = scripts
        .iter()
        .map(|s| s.calls.iter().map(|c| c.callee.as_str()).collect())
        .collect();
    assert_eq!(callees, [vec!["fbq"], vec!["analytics.track"], vec![]]);
    assert!(scripts[2].broken);
    assert!(!scripts[0].broken);
}

#[test]
fn computed_string_members_and_declarations_are_named() {
    let script = scan(
        "var _linkedin_partner_id = \"12345\";\nwindow['_linkedin_data_partner_ids'] = [];\nwindow[\"dataLayer\"].push({event: `t`});",
    );
    let targets: Vec<(&str, &Value)> = script
        .assignments
        .iter()
        .map(|a| (a.target.as_str(), &a.value))
        .collect();
    assert_eq!(
        targets,
        [
            ("_linkedin_partner_id", &Value::String("12345".into())),
            ("window._linkedin_data_partner_ids", &Value::Array(vec![])),
        ]
    );
    assert_eq!(script.calls[0].callee, "window.dataLayer.push");
    assert_eq!(
        script.calls[0].args[0],
        Value::Object(vec![("event".into(), Value::String("t".into()))])
    );
}
