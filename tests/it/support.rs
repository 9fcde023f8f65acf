//! Helpers: run the binary, build small trees, find the shared corpora.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn sitewide(args: &[&str]) -> Output {
    sitewide_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

pub fn sitewide_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sitewide"))
        .args(args)
        .current_dir(dir)
        .env("SITEWIDE_NOW", "2026-11-27")
        .output()
        .expect("the sitewide binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A tree of files in a temporary folder.
pub struct Tree {
    pub dir: tempfile::TempDir,
}

impl Tree {
    pub fn new(files: &[(&str, &str)]) -> Tree {
        let dir = tempfile::tempdir().expect("temp dir");
        for (p, text) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        Tree { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn str(&self) -> &str {
        self.dir.path().to_str().expect("utf-8 temp path")
    }

    pub fn read(&self, p: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(p)).expect("read")
    }
}

/// `../shared/corpora`, or `None` (with a note) when absent outside CI. Under CI a missing
/// corpus fails the test.
pub fn corpora() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI=true but ../shared/corpora is missing"
    );
    eprintln!("skipped: ../shared/corpora is absent");
    None
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON on stdout ({e}): {}", stdout(o)))
}
