//! QA scripts (`[qa] scripts`): each runs with `sh -c` in a checkout of the changed tree
//! made for them (the base commit exported, the edits written over it, removed after), in
//! its own process group, killed with the group when it outlives `timeout_s`. Its output
//! (stdout and stderr, the last 64 KiB) and exit code are kept; a script that does not
//! exit 0 blocks the run's changes.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::RunError;
use crate::spec::QaScript;
use crate::workspace::{Commit, Workspace, redact};

/// The most output kept per script.
const MAX_OUTPUT: usize = 64 * 1024;

/// What one script did.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ScriptResult {
    pub name: String,
    pub run: String,
    /// The exit code; `None` when it was killed (timeout or signal).
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub passed: bool,
    pub seconds: f64,
    pub output: String,
}

/// Runs `scripts` in a checkout of `base` with `edited` (path, text) written over it, made
/// at `dir` (a new folder) and removed after, whatever the scripts did.
pub(super) fn run_in_checkout(
    ws: &Workspace,
    base: &Commit,
    edited: &[(&str, &str)],
    scripts: &[QaScript],
    dir: &Path,
    run_id: &str,
) -> Result<Vec<ScriptResult>, RunError> {
    let ran = checkout(ws, base, edited, dir)
        .map(|()| scripts.iter().map(|s| run_script(s, dir, run_id)).collect());
    if let Err(e) = std::fs::remove_dir_all(dir) {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot remove the scripts' checkout");
    }
    ran
}

fn checkout(
    ws: &Workspace,
    base: &Commit,
    edited: &[(&str, &str)],
    dir: &Path,
) -> Result<(), RunError> {
    ws.export(base, dir)?;
    for (path, text) in edited {
        write_file(&dir.join(path), text)?;
    }
    Ok(())
}

fn write_file(path: &Path, text: &str) -> Result<(), RunError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| RunError::io(format!("cannot create {}", parent.display()), e))?;
    }
    std::fs::write(path, text)
        .map_err(|e| RunError::io(format!("cannot write {}", path.display()), e))
}

/// Runs `script` in `dir` with `SITEWIDE_RUN` set to the run's id.
pub(super) fn run_script(script: &QaScript, dir: &Path, run_id: &str) -> ScriptResult {
    let started = Instant::now();
    let result = |exit_code, timed_out, output: String| ScriptResult {
        name: script.name.clone(),
        run: script.run.clone(),
        exit_code,
        timed_out,
        passed: exit_code == Some(0) && !timed_out,
        seconds: started.elapsed().as_secs_f64(),
        output: redact(&tail(&output)),
    };
    let out_file = match tempfile::NamedTempFile::new() {
        Ok(f) => f,
        Err(e) => return result(None, false, format!("cannot make a temporary file: {e}")),
    };
    // One open file for both streams (a clone shares its offset), so neither overwrites
    // the other.
    let stdout = out_file.reopen();
    let stderr = stdout.as_ref().ok().and_then(|f| f.try_clone().ok());
    let (Ok(stdout), Some(stderr)) = (stdout, stderr) else {
        return result(None, false, "cannot open the output file".into());
    };
    let child = Command::new("sh")
        .arg("-c")
        .arg(&script.run)
        .current_dir(dir)
        .env("SITEWIDE_RUN", run_id)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return result(None, false, format!("cannot start sh: {e}")),
    };
    let limit = Duration::from_secs(script.timeout_s);
    let (code, timed_out) = loop {
        match child.try_wait() {
            Ok(Some(status)) => break (status.code(), false),
            Ok(None) if started.elapsed() >= limit => {
                kill_group(child.id());
                let _ = child.wait();
                break (None, true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return result(None, false, format!("cannot wait for the script: {e}")),
        }
    };
    let mut output = std::fs::read(out_file.path())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if timed_out {
        output.push_str(&format!(
            "\n[sitewide: killed after timeout_s = {}]\n",
            script.timeout_s
        ));
    }
    result(code, timed_out, output)
}

/// Kills the process group `pgid` (the script and everything it started).
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last `MAX_OUTPUT` bytes of `text`, cut at a character boundary.
fn tail(text: &str) -> String {
    if text.len() <= MAX_OUTPUT {
        return text.to_string();
    }
    let mut start = text.len() - MAX_OUTPUT;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!(
        "[... output cut to its last 64 KiB ...]\n{}",
        &text[start..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(run: &str, timeout_s: u64) -> QaScript {
        QaScript {
            name: "t".into(),
            run: run.into(),
            timeout_s,
        }
    }

    #[test]
    fn output_and_exit_code_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "hello").unwrap();
        let r = run_script(
            &script("cat a.txt; echo \" $SITEWIDE_RUN\" >&2; exit 3", 10),
            dir.path(),
            "r9",
        );
        assert_eq!(
            (r.exit_code, r.timed_out, r.passed),
            (Some(3), false, false)
        );
        assert!(
            r.output.contains("hello") && r.output.contains("r9"),
            "{}",
            r.output
        );
        let ok = run_script(&script("true", 10), dir.path(), "r9");
        assert!(ok.passed);
    }

    #[test]
    fn a_script_that_outlives_its_timeout_is_killed_with_its_children() {
        let dir = tempfile::tempdir().unwrap();
        let r = run_script(
            &script("sleep 30 & sleep 30; echo done", 1),
            dir.path(),
            "r",
        );
        assert!(r.timed_out && !r.passed && r.exit_code.is_none(), "{r:?}");
        assert!(r.seconds < 10.0, "{r:?}");
        assert!(r.output.contains("killed after timeout_s = 1"));
    }

    #[test]
    fn long_output_keeps_its_tail() {
        let text = "é".repeat(MAX_OUTPUT);
        let cut = tail(&text);
        assert!(cut.len() <= MAX_OUTPUT + 64);
        assert!(cut.starts_with("[... output cut"));
    }
}
