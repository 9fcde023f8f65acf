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

/// Runs git in `dir` and returns its stdout; panics with git's stderr when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stages everything in the work tree at `dir` and commits it as a test user.
pub fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(
        dir,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            message,
        ],
    );
}

/// A git repository on `main` holding `files` in one commit, with a configured user.
pub fn git_repo(files: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.name", "Test"]);
    git(dir.path(), &["config", "user.email", "test@example.com"]);
    git(dir.path(), &["config", "commit.gpgsign", "false"]);
    for (p, text) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "Initial site"]);
    dir
}

/// The texts of `paths` at `rev` in the repository at `dir`, read by one `git cat-file`.
pub fn texts_at(dir: &Path, rev: &str, paths: &[String]) -> Vec<String> {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git cat-file runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let names: String = paths.iter().map(|p| format!("{rev}:{p}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(names.as_bytes()));
    let out = child.wait_with_output().expect("git cat-file ends");
    writer.join().expect("writer").expect("write to git");
    let mut rest = out.stdout.as_slice();
    let mut texts = Vec::new();
    for p in paths {
        let nl = rest.iter().position(|&b| b == b'\n').expect("a header");
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{rev}:{p} is missing: {header}"));
        texts.push(String::from_utf8_lossy(&rest[nl + 1..nl + 1 + size]).into_owned());
        rest = &rest[nl + 1 + size + 1..];
    }
    texts
}

/// A new, empty database on the test server; `None` (the test is skipped) when no
/// server is configured, except under CI, where that fails the test.
pub fn postgres() -> Option<String> {
    let Ok(server) = std::env::var("SITEWIDE_TEST_POSTGRES") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs SITEWIDE_TEST_POSTGRES (a PostgreSQL server's URL); .ci/run starts one"
        );
        eprintln!("skipped: SITEWIDE_TEST_POSTGRES is not set");
        return None;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let made = runtime.block_on(sitewide::store::new_database(&server));
    Some(made.expect("a database on SITEWIDE_TEST_POSTGRES"))
}
