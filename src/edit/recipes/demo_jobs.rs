//! The example jobs in `jobs/` are real: each step validates, and each step alone and each
//! job as a whole, run over the demo site, changes something, settles in one pass, never cuts
//! template syntax nor overlaps its own fixes, and the job adds no QA finding anywhere in the
//! tree. Every recipe's documented example is a step that validates.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::find;
use super::testkit;
use crate::config::SiteConfig;
use crate::qa::engine::{self, Selection};
use crate::qa::page::Document;
use crate::qa::rules::Settings;
use crate::qa::site::Site;
use crate::qa::testing::YEAR;
use crate::qa::tree::Disk;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every edit job spec in `jobs/`, by file name (audit jobs edit nothing).
fn jobs() -> Vec<(String, toml::Table)> {
    let mut out: Vec<(String, toml::Table)> = std::fs::read_dir(manifest().join("jobs"))
        .expect("jobs/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable job");
            let name = p
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, text.parse::<toml::Table>().expect("valid TOML"))
        })
        .filter(|(_, job)| job.get("kind").and_then(|k| k.as_str()) != Some("audit"))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `(recipe name, params)` of each step of a job.
fn steps(job: &toml::Table) -> Vec<(String, toml::Table)> {
    let list = job
        .get("steps")
        .and_then(|s| s.as_array())
        .expect("[[steps]]");
    list.iter()
        .map(|s| {
            let mut t = s.as_table().expect("a step is a table").clone();
            let name = t.remove("recipe").expect("a step names its recipe");
            (name.as_str().expect("a name").to_string(), t)
        })
        .collect()
}

fn targets(job: &toml::Table) -> (GlobSet, GlobSet) {
    let (mut yes, mut no) = (GlobSetBuilder::new(), GlobSetBuilder::new());
    for t in job["targets"].as_array().expect("targets") {
        let t = t.as_str().expect("a glob");
        match t.strip_prefix('!') {
            Some(n) => no.add(Glob::new(n).expect("glob")),
            None => yes.add(Glob::new(t).expect("glob")),
        };
    }
    (yes.build().expect("globs"), no.build().expect("globs"))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for e in std::fs::read_dir(from).expect("readable folder") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// `(file, rule)` → count of findings, for the whole tree at `root`. Messages are not
/// compared: they quote the value a fix just rewrote (UTM-011 names the campaign).
fn findings(root: &Path, config: &SiteConfig) -> HashMap<(String, String), usize> {
    let selection = Selection::new(config, &[]).expect("all rules");
    let report = engine::check(&Disk::new(root), config, &selection, YEAR).expect("check runs");
    let mut n = HashMap::new();
    for f in report.findings {
        *n.entry((f.file.to_string(), f.rule.id.to_string()))
            .or_default() += 1;
    }
    n
}

/// Runs the job's steps over the copy at `root`, writing what changes; the changed paths.
fn run_job(root: &Path, job: &toml::Table) -> Vec<String> {
    let tree = Disk::new(root);
    let config = SiteConfig::load(&tree).expect("demo config");
    let site = Site::discover(&tree, &[]).expect("demo site");
    let hosts = config.internal_hosts();
    let settings = Settings {
        config: &config,
        internal_hosts: &hosts,
        site_url: config.site_url.as_deref(),
        year: YEAR,
        today: crate::qa::engine::today(),
        plan: None,
        ga4: crate::qa::data::ga4::Ga4::shipped(),
        site_values: crate::qa::tagging::values::SiteValues::none(),
    };
    let (yes, no) = targets(job);
    let steps = steps(job);
    let edit = |doc: &Document| -> String {
        let mut text = doc.text.clone();
        for (name, params) in &steps {
            let d = Document::parse(&doc.path, text.clone(), doc.engine, doc.format);
            let recipe = find(name).expect("a known recipe");
            text = testkit::apply(recipe, &d, &settings, params);
        }
        text
    };
    let mut changed = Vec::new();
    for f in &site.files {
        if !yes.is_match(f.path.as_ref()) || no.is_match(f.path.as_ref()) {
            continue;
        }
        let doc = engine::read_document(&tree, f).expect("demo file reads");
        let out = edit(&doc);
        if out == doc.text {
            continue;
        }
        let again = Document::parse(&doc.path, out.clone(), doc.engine, doc.format);
        assert_eq!(edit(&again), out, "{}: a second run changed it", f.path);
        std::fs::write(root.join(f.path.as_ref()), &out).expect("write");
        changed.push(f.path.to_string());
    }
    changed
}

/// Each step of the job on its own: it changes at least one target file of the demo site
/// at `root`, and a second run changes nothing; the number of steps run.
fn run_steps_alone(root: &Path, file: &str, job: &toml::Table) -> usize {
    let tree = Disk::new(root);
    let config = SiteConfig::load(&tree).expect("demo config");
    let site = Site::discover(&tree, &[]).expect("demo site");
    let hosts = config.internal_hosts();
    let settings = testkit::settings(&config, &hosts);
    let (yes, no) = targets(job);
    let mut ran = 0;
    for (name, params) in steps(job) {
        let recipe = find(&name).expect("a known recipe");
        let mut changed = 0;
        for f in &site.files {
            if !yes.is_match(f.path.as_ref()) || no.is_match(f.path.as_ref()) {
                continue;
            }
            let doc = engine::read_document(&tree, f).expect("demo file reads");
            let after = testkit::apply(recipe, &doc, &settings, &params);
            let again = Document::parse(&doc.path, after.clone(), doc.engine, doc.format);
            assert_eq!(
                testkit::apply(recipe, &again, &settings, &params),
                after,
                "{file}: {name}: a second run changed {}",
                f.path
            );
            changed += usize::from(after != doc.text);
        }
        assert!(
            changed > 0,
            "{file}: {name} changes nothing in the demo site"
        );
        ran += 1;
    }
    ran
}

#[test]
fn every_example_job_validates_edits_the_demo_site_and_adds_no_finding() {
    let demo = manifest().join("examples/demo-site");
    let before_dir = tempfile::tempdir().expect("temp");
    copy_tree(&demo, before_dir.path());
    let config = SiteConfig::load(&Disk::new(before_dir.path())).expect("demo config");
    let before = findings(before_dir.path(), &config);
    let mut ran = 0;
    for (file, job) in jobs() {
        for (name, params) in steps(&job) {
            let recipe = find(&name).unwrap_or_else(|| panic!("{file}: unknown recipe {name}"));
            recipe
                .validate(&params)
                .unwrap_or_else(|e| panic!("{file}: {name}: {e:?}"));
        }
        ran += run_steps_alone(before_dir.path(), &file, &job);
        let dir = tempfile::tempdir().expect("temp");
        copy_tree(&demo, dir.path());
        let changed = run_job(dir.path(), &job);
        assert!(
            !changed.is_empty(),
            "{file}: changed nothing in the demo site"
        );
        for (k, n) in findings(dir.path(), &config) {
            assert!(
                before.get(&k).copied().unwrap_or(0) >= n,
                "{file}: introduced {k:?} (changed {changed:?})"
            );
        }
    }
    assert!(ran >= 6, "only {ran} job steps ran");
}

#[test]
fn every_recipe_example_is_a_step_that_validates() {
    for r in super::all() {
        let m = r.meta();
        let spec: toml::Table = m.example.parse().expect("the example is TOML");
        let steps = steps(&spec);
        assert_eq!(steps.len(), 1, "{}", m.name);
        assert_eq!(steps[0].0, m.name);
        r.validate(&steps[0].1)
            .unwrap_or_else(|e| panic!("{}: {e:?}", m.name));
        for key in steps[0].1.keys() {
            assert!(m.keys.iter().any(|(k, _, _)| k == key), "{}: {key}", m.name);
        }
    }
}
