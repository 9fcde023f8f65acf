//! Accessibility of Sitewide's own pages: axe-core (the npm package, installed by
//! `.ci/run` into `~/.cache/sitewide-tools`) is injected into the page open in the browser
//! test and run there. Serious and critical violations fail the test (after the whole flow,
//! so every page is reported); the others are printed.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::webdriver::Browser;

/// axe-core's script, and what it found so far.
pub struct Axe {
    source: Option<String>,
    failures: Vec<String>,
}

/// Where `.ci/run` installs axe-core.
fn script_path() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache/sitewide-tools/node_modules/axe-core/axe.min.js")
}

const RUN: &str = "var done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(function (r) {
  done(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); })};
  }));
}).catch(function (e) { done({error: String(e)}); });";

impl Axe {
    /// Reads axe-core; without it, checks are skipped with a note (a failure under CI).
    pub fn load() -> Axe {
        let path = script_path();
        let source = std::fs::read_to_string(&path).ok();
        if source.is_none() {
            assert!(
                std::env::var("CI").is_err(),
                "CI=true but axe-core is missing at {} (.ci/run installs it)",
                path.display()
            );
            eprintln!(
                "accessibility checks skipped: no axe-core at {}",
                path.display()
            );
        }
        Axe {
            source,
            failures: Vec::new(),
        }
    }

    /// Runs axe-core on the page open in `b`, named `page` in the report.
    pub async fn check(&mut self, b: &Browser, page: &str) {
        let Some(source) = &self.source else {
            return;
        };
        b.script(source, json!([])).await;
        let found = b.script_async(RUN, json!([])).await;
        let Some(violations) = found.as_array() else {
            panic!("axe-core did not run on {page}: {found}");
        };
        if violations.is_empty() {
            println!("axe {page}: no violations");
        }
        for v in violations {
            let line = describe(page, v);
            if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                println!("axe FAIL {line}");
                self.failures.push(line);
            } else {
                println!("axe note {line}");
            }
        }
    }

    /// Whether axe-core was found.
    pub fn loaded(&self) -> bool {
        self.source.is_some()
    }

    /// The serious and critical violations found so far.
    pub fn failures(&self) -> &[String] {
        &self.failures
    }

    /// Fails when any page had a serious or critical violation.
    pub fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "serious or critical accessibility violations:\n{}",
            self.failures.join("\n")
        );
    }
}

fn describe(page: &str, v: &Value) -> String {
    format!(
        "{page}: {} ({}) {}: {} element(s), e.g. {}",
        v["id"].as_str().unwrap_or("?"),
        v["impact"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or(""),
        v["nodes"],
        v["targets"]
    )
}
