//! `sitewide plan lint`: checks of the tracking plan itself, before any code is compared
//! with it. Naming conventions (`naming`), GA4's naming rules and limits (`ga4_limits`),
//! and names that differ only by case or separator (`duplicates`). Each finding points at
//! the name in the plan file.

pub mod case;
pub mod duplicates;
mod ga4_limits;
mod naming;

use serde::Serialize;

use super::{Locations, Plan};
use crate::qa::data::ga4::Ga4;
use crate::qa::finding::Severity;

/// One problem in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lint {
    /// `naming-convention`, `mixed-casing`, `ga4-event-name`, `ga4-param-name`,
    /// `ga4-param-count`, `ga4-value-length`, `duplicate-name`.
    pub check: &'static str,
    #[serde(serialize_with = "severity_str")]
    pub severity: Severity,
    pub file: String,
    /// 1-based; 0 when the plan was not read from a file.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

fn severity_str<S: serde::Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

/// Every check over `plan`, read from `file` (names located by `locs`), in file order.
pub fn lint(file: &str, plan: &Plan, locs: &Locations, ga4: &Ga4) -> Vec<Lint> {
    let mut out = Out {
        file,
        locs,
        found: Vec::new(),
    };
    naming::check(plan, &mut out);
    ga4_limits::check(plan, ga4, &mut out);
    duplicates::check(plan, &mut out);
    let mut found = out.found;
    found.sort_by(|a, b| (a.line, a.column, a.check).cmp(&(b.line, b.column, b.check)));
    found
}

/// Where the checks put what they find.
struct Out<'a> {
    file: &'a str,
    locs: &'a Locations,
    found: Vec<Lint>,
}

/// What is named: an event, or a property of one.
#[derive(Clone, Copy)]
enum At<'a> {
    Event(&'a str),
    Property(&'a str, &'a str),
}

impl Out<'_> {
    fn push(
        &mut self,
        check: &'static str,
        severity: Severity,
        at: At,
        message: String,
        hint: Option<String>,
    ) {
        let (line, column) = match at {
            At::Event(e) => self.locs.event(e),
            At::Property(e, p) => self.locs.property(e, p),
        };
        self.found.push(Lint {
            check,
            severity,
            file: self.file.to_string(),
            line,
            column,
            message,
            hint,
        });
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::{Lint, lint};
    use crate::qa::data::ga4::{Ga4, SHIPPED};
    use crate::qa::plan::parse_located;

    /// `(line, check, message)` of every finding for the plan `text`.
    pub fn lints(text: &str) -> Vec<(usize, &'static str, String)> {
        full(text)
            .into_iter()
            .map(|l| (l.line, l.check, l.message))
            .collect()
    }

    pub fn full(text: &str) -> Vec<Lint> {
        let (plan, locs) = parse_located("plan.yaml", text).unwrap_or_else(|e| panic!("{e}"));
        let ga4 = Ga4::parse("ga4.toml", SHIPPED).expect("shipped table");
        lint("plan.yaml", &plan, &locs, &ga4)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{full, lints};

    #[test]
    fn a_clean_plan_has_no_findings() {
        let text = "conventions: {event_case: snake_case, property_case: snake_case}\nevents:\n  cta_click:\n    properties: {cta_text: {type: string}}\n  generate_lead:\n    properties: {form_id: {type: string}}\n";
        assert_eq!(lints(text), []);
    }

    #[test]
    fn the_documented_example_plan_is_valid_and_clean() {
        let doc = include_str!("../../../../docs/tracking-plan.md");
        let start = doc.find("```yaml\n").expect("a YAML example") + "```yaml\n".len();
        let end = start + doc[start..].find("```").expect("closed");
        assert_eq!(lints(&doc[start..end]), []);
        let typo = doc[start..end].replacen("required: true, max_len", "requred: true, max_len", 1);
        let err = crate::qa::plan::parse("tracking/plan.yaml", &typo).expect_err("typo");
        assert!(
            doc.contains(&format!(
                "error: {}",
                err.to_string().lines().next().unwrap_or_default()
            )),
            "{err}"
        );
    }

    #[test]
    fn findings_come_in_file_order_with_positions() {
        let text = "events:\n  page_view: {}\n  _hidden: {}\n";
        let found = full(text);
        let at: Vec<(usize, usize)> = found.iter().map(|l| (l.line, l.column)).collect();
        let mut sorted = at.clone();
        sorted.sort();
        assert_eq!(at, sorted);
        assert_eq!(found[0].file, "plan.yaml");
        assert_eq!((found[0].line, found[0].column), (2, 3));
    }
}
