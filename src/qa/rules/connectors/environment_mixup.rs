//! CON-009 environment-mixup: a production connector config pointing at a sandbox or test
//! account, and the reverse.
//!
//! The convention (no platform marks an id as a test one, so the repository does):
//! - A config (YAML or JSON) is *production* when a word of its path is
//!   `prod`, `production`, `prd` or `live`, or its top-level `environment`/`env`/`target`
//!   says so; it is *non-production* for `test`, `testing`, `sandbox`, `dev`,
//!   `development`, `staging`, `stage` or `qa`.
//! - An account id (`customer_id(s)`, `login_customer_id`, `account_id(s)`,
//!   `ad_account_id`, `property_id`, `measurement_id`, `pixel_id`, `advertiser_id`,
//!   `container_id`) used by both a production and a non-production config is reported
//!   once, at the production config: one of the two points at the wrong account.
//! - A production config that turns a sandbox or test mode on (`sandbox`, `use_sandbox`,
//!   `is_sandbox`, `test_account`, `is_test_account`, `validate_only` set to true) or
//!   names its account with the word `test` or `sandbox` is reported there.
//!
//! Google Ads test accounts live under a test manager account and Meta sandbox ad accounts
//! are created as such; neither shows in the id, so configs without an environment in
//! their path or settings are not judged.

use std::collections::BTreeMap;

use super::files::{File, Files, Kind};
use super::node::Node;
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{Rule, SiteCx};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "CON-009",
    name: "environment-mixup",
    severity: Severity::Error,
    fix: FixKind::Judgement,
    summary: "A production connector config that points at a sandbox or test account (or an account a test config also uses)",
    why: "Production dashboards fed from a test account show fake spend and conversions; a test pipeline writing to the production account changes real campaigns or pollutes real data.",
    bad: "==> connectors/prod/google-ads.yaml <==\nconfiguration:\n  customer_id: \"1234567890\"\n==> connectors/sandbox/google-ads.yaml <==\nconfiguration:\n  customer_id: \"1234567890\"\n",
    good: "==> connectors/prod/google-ads.yaml <==\nconfiguration:\n  customer_id: \"1234567890\"\n==> connectors/sandbox/google-ads.yaml <==\nconfiguration:\n  customer_id: \"5550001111\"\n",
    source: "Google Ads API test accounts; Meta Marketing API sandbox ad accounts; DOMAIN.md §4.2",
};

const PROD: &[&str] = &["prod", "production", "prd", "live"];
const NON_PROD: &[&str] = &[
    "test",
    "testing",
    "sandbox",
    "dev",
    "development",
    "staging",
    "stage",
    "qa",
];
const ID_KEYS: &[&str] = &[
    "customer_id",
    "customer_ids",
    "login_customer_id",
    "account_id",
    "account_ids",
    "ad_account_id",
    "property_id",
    "measurement_id",
    "pixel_id",
    "advertiser_id",
    "container_id",
];
const TEST_FLAGS: &[&str] = &[
    "sandbox",
    "use_sandbox",
    "is_sandbox",
    "test_account",
    "is_test_account",
    "validate_only",
];
const NAME_KEYS: &[&str] = &[
    "name",
    "account_name",
    "property_name",
    "customer_name",
    "ad_account_name",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Env {
    Prod,
    NonProd,
}

pub struct EnvironmentMixup;

impl Rule for EnvironmentMixup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        let mut non_prod_ids: BTreeMap<String, &File> = BTreeMap::new();
        let mut prod: Vec<(&File, Vec<(String, Span)>)> = Vec::new();
        for file in Files::of(cx).of_kind(&[Kind::Config, Kind::ConfigText]) {
            let Some(tree) = &file.tree else { continue };
            let Some(env) = environment(file, tree) else {
                continue;
            };
            let ids = ids(tree);
            match env {
                Env::NonProd => {
                    for (id, _) in ids {
                        non_prod_ids.entry(id).or_insert(file);
                    }
                }
                Env::Prod => {
                    test_modes(file, tree, out);
                    prod.push((file, ids));
                }
            }
        }
        for (file, ids) in prod {
            for (id, span) in ids {
                if let Some(other) = non_prod_ids.get(&id) {
                    let msg = format!(
                        "production config uses account `{id}`, which the non-production config `{}` also uses",
                        other.path
                    );
                    out.push(file.finding(&META, span, msg).hint(
                        "give production and sandbox/test their own accounts, and fix whichever file points at the wrong one",
                    ));
                }
            }
        }
    }
}

fn environment(file: &File, tree: &Node) -> Option<Env> {
    let words = file.path_words();
    let of = |w: &str| {
        if PROD.contains(&w) {
            Some(Env::Prod)
        } else if NON_PROD.contains(&w) {
            Some(Env::NonProd)
        } else {
            None
        }
    };
    words.iter().rev().find_map(|w| of(w)).or_else(|| {
        ["environment", "env", "target"]
            .iter()
            .find_map(|k| tree.get(k).and_then(Node::str))
            .and_then(|v| of(&v.to_ascii_lowercase()))
    })
}

/// Every account id the config names, normalised (digits, `act_` and dashes dropped).
fn ids(tree: &Node) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    tree.walk(&mut |key, _, value| {
        if !ID_KEYS.contains(&key) {
            return;
        }
        let nodes: Vec<&Node> = match value {
            Node::Seq(items, _) => items.iter().collect(),
            other => vec![other],
        };
        for n in nodes {
            let (Some(text), span) = (n.str(), n.span()) else {
                continue;
            };
            if text.contains("${") || text.contains("{{") {
                continue;
            }
            let mut at = 0;
            for part in text.split(',') {
                let id: String = part.trim().trim_start_matches("act_").replace('-', "");
                let lead = part.len() - part.trim_start().len();
                if id.len() >= 4 && span.len() == text.len() {
                    let s = span.start + at + lead;
                    out.push((id, Span::new(s, s + part.trim().len())));
                }
                at += part.len() + 1;
            }
        }
    });
    out
}

fn test_modes(file: &File, tree: &Node, out: &mut Vec<Finding>) {
    tree.walk(&mut |key, _, value| {
        let Some(v) = value.str() else { return };
        let lower = v.to_ascii_lowercase();
        if TEST_FLAGS.contains(&key) && (lower == "true" || lower == "yes") {
            let msg = format!("production config turns on `{key}`");
            out.push(file.finding(&META, value.span(), msg));
        } else if NAME_KEYS.contains(&key)
            && lower
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w == "test" || w == "sandbox")
        {
            let msg = format!("production config names a test or sandbox account: `{v}`");
            out.push(file.finding(&META, value.span(), msg));
        }
    });
}

#[cfg(test)]
mod tests {
    use crate::qa::rules::connectors::fixture;

    #[test]
    fn shared_ids_test_modes_and_test_names_in_production_are_reported() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            fixture::check("environment_mixup/bad", "CON-009"),
            vec![
                s(
                    "connectors/prod/google-ads.yaml:1:7",
                    "production config names a test or sandbox account: `acme-google-ads-test`"
                ),
                s(
                    "connectors/prod/google-ads.yaml:3:17",
                    "production config uses account `1234567890`, which the non-production config `connectors/sandbox/google-ads.yaml` also uses"
                ),
                s(
                    "connectors/prod/meta.json:4:17",
                    "production config turns on `is_sandbox`"
                ),
            ]
        );
    }

    #[test]
    fn separate_accounts_and_configs_without_an_environment_are_not_reported() {
        assert_eq!(fixture::check("environment_mixup/good", "CON-009"), vec![]);
    }
}
