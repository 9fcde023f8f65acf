//! The demo workspace: a git repository made from `examples/demo-site` inside the data
//! directory (`<data>/workspaces/demo`), so a newcomer can run the shipped jobs at once
//! without Sitewide ever branching or committing in its own checkout.

use std::path::Path;

use super::changeset::identity;
use super::git::{Git, io_error};
use super::{Workspace, WorkspaceError};

/// Makes (or resets) `<data_dir>/workspaces/demo` from the files of `demo_source`, with one
/// commit on `main`, and opens it.
pub fn create_demo(data_dir: &Path, demo_source: &Path) -> Result<Workspace, WorkspaceError> {
    if !demo_source.is_dir() {
        return Err(io_error(
            &demo_source.display().to_string(),
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the demo site's folder is missing",
            ),
        ));
    }
    let target = data_dir.join("workspaces").join("demo");
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| io_error(&target.display().to_string(), e))?;
    }
    copy_tree(demo_source, &target)?;
    let git = |args: &[&str]| Git::new(None).current_dir(&target).args(args);
    git(&["init", "-q", "-b", "main"]).run()?;
    git(&["add", "-A"]).run()?;
    let commit = git(&[
        "commit",
        "-q",
        "--no-verify",
        "--no-gpg-sign",
        "-m",
        "Demo site from examples/demo-site",
    ]);
    identity(commit)?.run()?;
    Workspace::open(&target)
}

/// Copies the regular files and folders under `from` to `to` (a `.git` folder is skipped).
fn copy_tree(from: &Path, to: &Path) -> Result<(), WorkspaceError> {
    let shown = |p: &Path| p.display().to_string();
    std::fs::create_dir_all(to).map_err(|e| io_error(&shown(to), e))?;
    let entries = std::fs::read_dir(from).map_err(|e| io_error(&shown(from), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(&shown(from), e))?;
        let (src, name) = (entry.path(), entry.file_name());
        let kind = entry.file_type().map_err(|e| io_error(&shown(&src), e))?;
        if name == ".git" {
            continue;
        }
        if kind.is_dir() {
            copy_tree(&src, &to.join(&name))?;
        } else if kind.is_file() {
            std::fs::copy(&src, to.join(&name)).map_err(|e| io_error(&shown(&src), e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_demo_makes_and_resets_a_repository_from_the_demo_site() {
        let data = tempfile::tempdir().expect("tempdir");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
        let ws = create_demo(data.path(), &source).expect("demo");
        assert_eq!(
            ws.root(),
            std::fs::canonicalize(data.path().join("workspaces/demo")).expect("path")
        );
        assert_eq!(ws.default_branch().expect("branch"), "main");
        let head = ws.resolve("main").expect("main");
        let files = ws.files(&head).expect("files");
        assert!(files.iter().any(|f| f.path == "index.html"));
        let blob = files
            .iter()
            .find(|f| f.path == "pricing.html")
            .map(|f| f.blob.clone())
            .expect("pricing");
        let bytes = ws.read_blobs(&[blob]).expect("read");
        assert_eq!(
            bytes[0],
            std::fs::read(source.join("pricing.html")).expect("source")
        );
        std::fs::write(data.path().join("workspaces/demo/index.html"), "changed").expect("write");
        let again = create_demo(data.path(), &source).expect("reset");
        let files_again = again
            .files(&again.resolve("main").expect("main"))
            .expect("files");
        assert_eq!(files_again, files);
        let status = Git::new(None)
            .current_dir(again.root())
            .args(["status", "--porcelain"])
            .line();
        assert_eq!(status.expect("status"), "");
    }
}
