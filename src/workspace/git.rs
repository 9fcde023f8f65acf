//! Running `git`: one place that builds the command (repository pinned by `GIT_DIR`, no
//! work tree, no inherited repository-location variables), feeds stdin from a thread so
//! large inputs never deadlock, and turns a failure into `WorkspaceError::Git` with
//! credentials redacted.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::LazyLock;
use std::thread::JoinHandle;

use regex::Regex;

use super::WorkspaceError;

/// Variables that would point git at another repository, index or work tree than ours.
const LOCATION_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
];

/// `scheme://user:secret@` → `scheme://***@`, in any text (URLs in commands and stderr).
pub fn redact(text: &str) -> String {
    static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@").expect("static regex")
    });
    USERINFO.replace_all(text, "${1}***@").into_owned()
}

/// A git command about to run against one repository (or none, for `merge-file`).
pub struct Git {
    cmd: Command,
    shown: String,
    stdin: Option<Vec<u8>>,
}

impl Git {
    /// `git <args>` with `GIT_DIR` set to `git_dir` and nothing else locating a repository.
    pub fn new(git_dir: Option<&Path>) -> Git {
        let mut cmd = Command::new("git");
        for var in LOCATION_VARS {
            cmd.env_remove(var);
        }
        cmd.env("GIT_TERMINAL_PROMPT", "0");
        if let Some(dir) = git_dir {
            cmd.env("GIT_DIR", dir).current_dir(dir);
        }
        Git {
            cmd,
            shown: "git".into(),
            stdin: None,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Git {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.cmd.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(self, args: I) -> Git {
        args.into_iter().fold(self, Git::arg)
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Git {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Git {
        self.cmd.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Git {
        self.cmd.current_dir(dir);
        self
    }

    pub fn stdin(mut self, input: Vec<u8>) -> Git {
        self.stdin = Some(input);
        self
    }

    /// The command as shown in errors (credentials redacted).
    pub fn shown(&self) -> String {
        redact(&self.shown)
    }

    /// Starts the command with piped stdout and stderr; stdin, when given, is written by a
    /// thread (join it after reading stdout).
    pub fn spawn(mut self) -> Result<Running, WorkspaceError> {
        let shown = self.shown();
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().map_err(|e| io_error(&shown, e))?;
        let writer = match (self.stdin.take(), child.stdin.take()) {
            (Some(input), Some(mut pipe)) => {
                Some(std::thread::spawn(move || pipe.write_all(&input)))
            }
            _ => None,
        };
        Ok(Running {
            child,
            writer,
            shown,
        })
    }

    /// Starts a long-lived command to talk to: stdin and stdout piped, stderr dropped
    /// (`cat-file --batch` answers on stdout, even for a missing object).
    pub fn spawn_talking(mut self) -> Result<Child, WorkspaceError> {
        let shown = self.shown();
        self.cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        self.cmd.spawn().map_err(|e| io_error(&shown, e))
    }

    /// Runs to the end and returns whatever the exit status; only a failure to start or to
    /// talk to the process is an error.
    pub fn output(self) -> Result<Output, WorkspaceError> {
        let Running {
            child,
            writer,
            shown,
        } = self.spawn()?;
        let output = child.wait_with_output().map_err(|e| io_error(&shown, e))?;
        if let Some(writer) = writer {
            // A broken pipe means git stopped reading: its exit status tells why.
            let _ = writer.join();
        }
        Ok(output)
    }

    /// Runs and returns stdout; a non-zero exit is `WorkspaceError::Git`.
    pub fn run(self) -> Result<Vec<u8>, WorkspaceError> {
        let shown = self.shown();
        let output = self.output()?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(failure(shown, &output))
        }
    }

    /// Runs and returns stdout as one trimmed line of text.
    pub fn line(self) -> Result<String, WorkspaceError> {
        let out = self.run()?;
        Ok(String::from_utf8_lossy(&out).trim_end().to_string())
    }
}

/// A started command: read `child.stdout`, then `finish`.
pub struct Running {
    pub child: Child,
    writer: Option<JoinHandle<std::io::Result<()>>>,
    pub shown: String,
}

impl Running {
    /// Waits for the process (stdout already read) and fails on a non-zero exit.
    pub fn finish(self) -> Result<(), WorkspaceError> {
        let Running {
            child,
            writer,
            shown,
        } = self;
        let output = child.wait_with_output().map_err(|e| io_error(&shown, e))?;
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        if output.status.success() {
            Ok(())
        } else {
            Err(failure(shown, &output))
        }
    }
}

pub fn io_error(shown: &str, source: std::io::Error) -> WorkspaceError {
    WorkspaceError::Io {
        path: format!("`{shown}`"),
        source,
    }
}

/// The `Git` error for a command that exited non-zero.
pub fn failure(shown: String, output: &Output) -> WorkspaceError {
    let mut stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if stderr.is_empty() {
        stderr = format!("exited with {}", output.status);
    }
    WorkspaceError::Git {
        command: shown,
        stderr: redact(&stderr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_user_and_token_in_urls() {
        let text = "fatal: could not read https://alice:ghp_secret@github.com/a/b.git and ssh://bob@host/x";
        let out = redact(text);
        assert!(!out.contains("ghp_secret") && !out.contains("alice") && !out.contains("bob"));
        assert!(out.contains("https://***@github.com/a/b.git"));
    }

    #[test]
    fn a_failing_command_reports_its_redacted_command_and_stderr() {
        let err = Git::new(None)
            .args([
                "rev-parse",
                "--verify",
                "https://user:token123@example.com/x",
            ])
            .current_dir(&std::env::temp_dir())
            .run()
            .expect_err("not a revision");
        let message = err.to_string();
        assert!(
            message.contains("git rev-parse --verify https://***@example.com/x"),
            "{message}"
        );
        assert!(!message.contains("token123"), "{message}");
    }

    #[test]
    fn large_stdin_does_not_deadlock() {
        let input = vec![b'x'; 4 << 20];
        let out = Git::new(None)
            .args(["hash-object", "--stdin"])
            .stdin(input)
            .run()
            .expect("hash-object");
        assert_eq!(out.len(), 41);
    }
}
