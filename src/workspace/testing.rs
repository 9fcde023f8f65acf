//! Test helpers: real git repositories in temporary folders, driven by the git CLI.

use std::path::Path;
use std::process::Command;

/// A work tree on `main` with a configured user, deleted when dropped.
pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the work tree and returns stdout; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_WORK_TREE")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Writes `path` in the work tree, commits it, and returns the new commit id.
    pub fn commit_file(&self, path: &str, bytes: &[u8], message: &str) -> String {
        self.write(path, bytes);
        self.git(&["add", "--", path]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    pub fn write(&self, path: &str, bytes: &[u8]) {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, bytes).expect("write");
    }

    /// The blob id of `path` at `rev`.
    pub fn blob(&self, rev: &str, path: &str) -> String {
        self.git(&["rev-parse", &format!("{rev}:{path}")])
            .trim()
            .to_string()
    }

    /// The bytes of `path` at `rev`.
    pub fn show(&self, rev: &str, path: &str) -> Vec<u8> {
        let out = Command::new("git")
            .args(["show", &format!("{rev}:{path}")])
            .current_dir(self.path())
            .output()
            .expect("git show");
        assert!(out.status.success(), "git show {rev}:{path}");
        out.stdout
    }
}
