//! A [`Plan`] written in the plan file format (what `sitewide plan import` prints): one
//! event per block, one property per line, values quoted only where YAML needs it.

use super::{Plan, PlanEmitter, PlanEvent, PlanProperty, PropType};

/// The plan as YAML that [`super::parse`] reads back to the same plan (line numbers aside).
pub fn to_yaml(plan: &Plan) -> String {
    let mut out = String::new();
    let c = &plan.conventions;
    let conventions = [
        ("event_case", c.event_case.as_deref().map(scalar)),
        ("pattern", c.pattern.as_deref().map(pattern)),
        ("property_case", c.property_case.as_deref().map(scalar)),
    ];
    if conventions.iter().any(|(_, v)| v.is_some()) {
        out.push_str("conventions:\n");
        for (key, value) in conventions {
            if let Some(v) = value {
                out.push_str(&format!("  {key}: {v}\n"));
            }
        }
    }
    if plan.events.is_empty() {
        out.push_str("events: {}\n");
        return out;
    }
    out.push_str("events:\n");
    for event in &plan.events {
        write_event(&mut out, event);
    }
    out
}

fn write_event(out: &mut String, event: &PlanEvent) {
    let name = scalar(&event.name);
    let empty = event.ga4_name.is_none()
        && event.description.is_none()
        && event.emitters.is_empty()
        && event.properties.is_empty();
    if empty {
        out.push_str(&format!("  {name}: {{}}\n"));
        return;
    }
    out.push_str(&format!("  {name}:\n"));
    if let Some(g) = &event.ga4_name {
        out.push_str(&format!("    ga4_name: {}\n", scalar(g)));
    }
    if let Some(d) = &event.description {
        out.push_str(&format!("    description: {}\n", scalar(d)));
    }
    if !event.emitters.is_empty() {
        let list: Vec<String> = event.emitters.iter().map(emitter).collect();
        out.push_str(&format!("    emitters: [{}]\n", list.join(", ")));
    }
    if !event.properties.is_empty() {
        out.push_str("    properties:\n");
        for p in &event.properties {
            out.push_str(&format!("      {}: {}\n", scalar(&p.name), property(p)));
        }
    }
}

fn emitter(e: &PlanEmitter) -> String {
    match &e.attr {
        Some(attr) => format!("{{kind: {}, attr: {}}}", scalar(&e.kind), scalar(attr)),
        None => format!("{{kind: {}}}", scalar(&e.kind)),
    }
}

fn property(p: &PlanProperty) -> String {
    let mut parts = Vec::new();
    if p.ty != PropType::Any || p.allowed.is_empty() && p.pattern.is_none() {
        parts.push(format!("type: {}", p.ty.as_str()));
    }
    if p.required {
        parts.push("required: true".to_string());
    }
    if !p.allowed.is_empty() {
        let values: Vec<String> = p.allowed.iter().map(|v| scalar(v)).collect();
        parts.push(format!("enum: [{}]", values.join(", ")));
    }
    if let Some(pat) = &p.pattern {
        parts.push(format!("pattern: {}", pattern(pat)));
    }
    if let Some(n) = p.max_len {
        parts.push(format!("max_len: {n}"));
    }
    format!("{{{}}}", parts.join(", "))
}

/// A regex in single quotes (backslashes stay as written), or double quotes when it holds
/// characters single quotes cannot.
fn pattern(p: &str) -> String {
    if p.chars().any(char::is_control) {
        return double_quoted(p);
    }
    format!("'{}'", p.replace('\'', "''"))
}

/// `s` as a YAML scalar that reads back as the same text, in block or flow context.
fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

fn double_quoted(s: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace('"', "\\\"")))
}

fn is_plain_safe(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let reserved = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
    );
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '/'))
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !reserved
}

#[cfg(test)]
mod tests {
    use super::to_yaml;
    use crate::qa::plan::{
        Conventions, Plan, PlanEmitter, PlanEvent, PlanProperty, PropType, parse,
    };

    fn sample() -> Plan {
        let prop = |name: &str, ty| PlanProperty {
            name: name.into(),
            ty,
            ..PlanProperty::default()
        };
        Plan {
            conventions: Conventions {
                event_case: Some("Proper Case".into()),
                pattern: Some(r"^[A-Z][a-z]+( [A-Z][a-z]+)*$".into()),
                property_case: Some("snake_case".into()),
            },
            events: vec![
                PlanEvent {
                    name: "CTA Clicked".into(),
                    ga4_name: Some("cta_click".into()),
                    description: Some(
                        "Primary CTA clicked: hero, \"pricing\" or footer\nsecond line".into(),
                    ),
                    emitters: vec![PlanEmitter {
                        kind: "data-attribute".into(),
                        attr: Some("data-cta-text".into()),
                    }],
                    properties: vec![
                        PlanProperty {
                            required: true,
                            max_len: Some(100),
                            ..prop("cta_text", PropType::String)
                        },
                        PlanProperty {
                            allowed: vec!["true".into(), "12".into(), "a, b".into(), "hero".into()],
                            ..prop("cta_position", PropType::Any)
                        },
                        PlanProperty {
                            pattern: Some(r"^\d{4}-it's$".into()),
                            ..prop("code", PropType::String)
                        },
                        prop("payload", PropType::Any),
                    ],
                    line: 0,
                },
                PlanEvent {
                    name: "null".into(),
                    ..PlanEvent::default()
                },
            ],
        }
    }

    /// Line numbers come from the file; compare everything else.
    fn without_lines(mut plan: Plan) -> Plan {
        plan.events.iter_mut().for_each(|e| e.line = 0);
        plan
    }

    #[test]
    fn a_plan_survives_a_round_trip_through_yaml() {
        let plan = sample();
        let text = to_yaml(&plan);
        let back = parse("out.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(without_lines(back), plan, "{text}");
    }

    #[test]
    fn the_output_reads_like_a_hand_written_plan() {
        let text = to_yaml(&sample());
        assert!(
            text.starts_with("conventions:\n  event_case: Proper Case\n"),
            "{text}"
        );
        assert!(
            text.contains("      cta_text: {type: string, required: true, max_len: 100}\n"),
            "{text}"
        );
        assert!(text.contains("  \"null\": {}\n"), "{text}");
        assert_eq!(to_yaml(&Plan::default()), "events: {}\n");
    }
}
