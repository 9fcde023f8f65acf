//! TAG-012 broken-attribute-contract: the `data-*` attributes the tracking plan declares as
//! an event's emitter (`emitters: [{kind: data-attribute, attr: data-cta-text}]`), used
//! wrongly on an element: the key attribute empty, two contracts on one element (bedrock
//! forbids `data-cta-text` with `data-link-text`), an attribute in the contract's family
//! that the plan does not declare (`data-cta-postion`), or the same key value twice in one
//! file with nothing to tell the two apart (add `data-cta-position`). Required properties
//! and value types are TAG-009's.

use std::collections::HashMap;

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::{Document, decode_entities};
use crate::qa::plan::{Plan, PlanEvent};
use crate::qa::rules::{FileCx, Rule};
use crate::qa::tagging::Emitter;

static META: RuleMeta = RuleMeta {
    id: "TAG-012",
    name: "broken-attribute-contract",
    severity: Severity::Warning,
    fix: FixKind::Judgement,
    summary: "A data-attribute tracking contract used wrongly: empty, doubled, misspelt, or ambiguous",
    why: "Click tracking built on data attributes reads exactly the attributes the plan names: a misspelt one is silently dropped, two contracts on one element fire two events, and two identical CTAs on one page cannot be told apart in reports.",
    bad: "==> tracking/plan.yaml <==\nevents:\n  cta_click:\n    emitters: [{kind: data-attribute, attr: data-cta-text}]\n    properties: {cta_position: {type: string}}\n==> index.html <==\n<a href=\"/signup\" data-cta-text=\"Get started\" data-cta-postion=\"hero\">Get started</a>\n",
    good: "==> tracking/plan.yaml <==\nevents:\n  cta_click:\n    emitters: [{kind: data-attribute, attr: data-cta-text}]\n    properties: {cta_position: {type: string}}\n==> index.html <==\n<a href=\"/signup\" data-cta-text=\"Get started\" data-cta-position=\"hero\">Get started</a>\n",
    source: "DOMAIN.md §2.2 TAG-012; mozilla/bedrock data-attribute analytics docs",
};

pub struct BrokenAttributeContract;

/// One contract: the plan event, its key attribute and the attributes it declares.
struct Contract<'p> {
    event: &'p PlanEvent,
    key: &'p str,
    /// `data-cta-`: attributes starting so belong to this contract.
    family: String,
    declared: Vec<String>,
}

fn contracts(plan: &Plan) -> Vec<Contract<'_>> {
    let mut out = Vec::new();
    for event in &plan.events {
        for emitter in &event.emitters {
            let Some(key) = emitter.attr.as_deref() else {
                continue;
            };
            if emitter.kind != Emitter::DataAttribute.as_str() {
                continue;
            }
            let family = match key.rsplit_once('-') {
                Some((head, _)) if head != "data" => format!("{head}-"),
                _ => key.to_string(),
            };
            let mut declared: Vec<String> = event
                .properties
                .iter()
                .map(|p| format!("data-{}", p.name.replace('_', "-")))
                .collect();
            declared.push(key.to_string());
            out.push(Contract {
                event,
                key,
                family,
                declared,
            });
        }
    }
    out
}

impl Rule for BrokenAttributeContract {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let Some(plan) = cx.settings.plan else {
            return;
        };
        let contracts = contracts(plan);
        if contracts.is_empty() {
            return;
        }
        let doc = cx.doc;
        let mut seen: HashMap<(usize, Vec<(String, String)>), usize> = HashMap::new();
        for el in 0..doc.elements.len() {
            let on: Vec<&Contract> = contracts
                .iter()
                .filter(|c| doc.attr(el, c.key).is_some())
                .collect();
            if on.len() > 1 {
                let names: Vec<&str> = on.iter().map(|c| c.key).collect();
                let msg = format!(
                    "one element carries {} contracts ({}): it sends {} events per click",
                    on.len(),
                    names.join(", "),
                    on.len()
                );
                out.push(Finding::at(&META, doc, doc.elements[el].tag, msg).hint(
                    "keep the one contract that describes this element and remove the others",
                ));
            }
            for (i, contract) in contracts.iter().enumerate() {
                if on.iter().any(|c| std::ptr::eq(*c, contract)) {
                    element(doc, el, contract, out);
                    let identity = properties(doc, el);
                    if let Some(first) = seen.insert((i, identity), el) {
                        let line = doc
                            .lines
                            .line_col(&doc.text, doc.elements[first].tag.start)
                            .line;
                        let msg = format!(
                            "`{}` event: this element sends exactly what the one on line {line} sends",
                            contract.event.name
                        );
                        out.push(Finding::at(&META, doc, doc.elements[el].tag, msg).hint(
                            "add an attribute that tells them apart, such as a position (`data-cta-position`)",
                        ));
                    }
                }
            }
        }
    }
}

/// The key attribute empty, or an attribute of the contract's family the plan does not
/// declare.
fn element(doc: &Document, el: usize, contract: &Contract, out: &mut Vec<Finding>) {
    if let Some(attr) = doc.attr(el, contract.key)
        && attr
            .value
            .is_none_or(|v| !doc.is_dynamic(v) && doc.slice(v).trim().is_empty())
    {
        let msg = format!(
            "`{}` is empty: the `{}` event has no name to report",
            contract.key, contract.event.name
        );
        out.push(Finding::at(&META, doc, attr.name_span, msg));
    }
    for attr in doc.attrs_of(el) {
        if !attr.name.starts_with(&contract.family)
            || contract.declared.iter().any(|d| *d == attr.name)
        {
            continue;
        }
        let near = contract
            .declared
            .iter()
            .map(|d| (strsim::levenshtein(d, &attr.name), d))
            .min()
            .filter(|(distance, _)| *distance <= 2);
        let msg = format!(
            "`{}` is not part of the `{}` contract in the tracking plan",
            attr.name, contract.event.name
        );
        let hint = match near {
            Some((_, d)) => format!("did you mean `{d}`?"),
            None => "declare it as a property of the event in the plan, or remove it".into(),
        };
        out.push(Finding::at(&META, doc, attr.name_span, msg).hint(hint));
    }
}

/// The element's `data-*` attributes and values: what its click would report.
fn properties(doc: &Document, el: usize) -> Vec<(String, String)> {
    let mut props: Vec<(String, String)> = doc
        .attrs_of(el)
        .iter()
        .filter(|a| a.name.starts_with("data-"))
        .map(|a| {
            let value = a
                .value
                .map_or(String::new(), |v| decode_entities(doc.slice(v)));
            (a.name.to_string(), value)
        })
        .collect();
    props.sort();
    props
}
