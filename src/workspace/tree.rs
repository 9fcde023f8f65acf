//! Reading a commit's files: the tree listing (`git ls-tree -r -z`) and blob contents
//! through one `git cat-file --batch` process however many blobs are asked for (a run
//! that plans 10,000 files starts one process, not 10,000).

use std::io::{BufRead, BufReader};

use super::{Blob, Commit, Workspace, WorkspaceError};

/// One regular file of a tree: its path (with `/`) and blob id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub blob: Blob,
}

/// One entry of `ls-tree -z` / `ls-files -s -z`: mode, object id, path.
pub(super) struct Entry {
    pub mode: String,
    pub id: String,
    pub path: String,
}

/// Parses `<mode> SP <type or stage…> SP <id> TAB <path> NUL` records; a path that is not
/// UTF-8 is left out (with a warning), since every later step keys files by text paths.
pub(super) fn parse_entries(out: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::new();
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let Some(tab) = record.iter().position(|&b| b == b'\t') else {
            continue;
        };
        let (meta, path) = (&record[..tab], &record[tab + 1..]);
        let Ok(path) = std::str::from_utf8(path) else {
            tracing::warn!(path = %String::from_utf8_lossy(path), "skipping a path that is not UTF-8");
            continue;
        };
        let meta = String::from_utf8_lossy(meta);
        let fields: Vec<&str> = meta.split(' ').collect();
        let (Some(mode), Some(id)) = (fields.first(), fields.get(1)) else {
            continue;
        };
        // ls-tree: mode type id; ls-files -s: mode id stage.
        let id = if fields.len() == 3 && (*id == "blob" || *id == "tree" || *id == "commit") {
            fields[2]
        } else {
            id
        };
        entries.push(Entry {
            mode: mode.to_string(),
            id: id.to_string(),
            path: path.to_string(),
        });
    }
    entries
}

/// Whether a mode is a regular file (plain or executable), not a link or submodule.
pub(super) fn is_regular(mode: &str) -> bool {
    mode == "100644" || mode == "100755"
}

impl Workspace {
    /// Every regular file of `commit`'s tree, in git's order. Symbolic links and submodules
    /// are not files Sitewide edits and are left out.
    pub fn files(&self, commit: &Commit) -> Result<Vec<TreeFile>, WorkspaceError> {
        let out = self
            .git()
            .args([
                "ls-tree",
                "-r",
                "-z",
                "--full-tree",
                "--end-of-options",
                &commit.0,
            ])
            .run()?;
        Ok(parse_entries(&out)
            .into_iter()
            .filter(|e| is_regular(&e.mode))
            .map(|e| TreeFile {
                path: e.path,
                blob: Blob(e.id),
            })
            .collect())
    }

    /// The paths of `commit`'s tree that are not regular files: symbolic links (mode
    /// 120000) and submodules (160000), with which they are.
    pub fn non_files(
        &self,
        commit: &Commit,
    ) -> Result<Vec<(String, &'static str)>, WorkspaceError> {
        let out = self
            .git()
            .args([
                "ls-tree",
                "-r",
                "-z",
                "--full-tree",
                "--end-of-options",
                &commit.0,
            ])
            .run()?;
        Ok(parse_entries(&out)
            .into_iter()
            .filter_map(|e| match e.mode.as_str() {
                "120000" => Some((e.path, "a symbolic link")),
                "160000" => Some((e.path, "a submodule")),
                _ => None,
            })
            .collect())
    }

    /// The bytes of each blob, in the order asked, read by one `git cat-file --batch`.
    pub fn read_blobs(&self, blobs: &[Blob]) -> Result<Vec<Vec<u8>>, WorkspaceError> {
        if blobs.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = Vec::with_capacity(blobs.len() * 41);
        for blob in blobs {
            if blob.0.is_empty() || blob.0.contains(char::is_whitespace) {
                return Err(self.unknown_blob(blob));
            }
            input.extend_from_slice(blob.0.as_bytes());
            input.push(b'\n');
        }
        let mut running = self
            .git()
            .args(["cat-file", "--batch", "--buffer"])
            .stdin(input)
            .spawn()?;
        let stdout = running.child.stdout.take();
        let shown = running.shown.clone();
        let result = match stdout {
            Some(stdout) => self.read_batch(BufReader::new(stdout), blobs, &shown),
            None => Ok(Vec::new()),
        };
        let finished = running.finish();
        let contents = result?;
        finished?;
        Ok(contents)
    }

    fn read_batch(
        &self,
        mut reader: impl BufRead,
        blobs: &[Blob],
        shown: &str,
    ) -> Result<Vec<Vec<u8>>, WorkspaceError> {
        let io = |e| super::git::io_error(shown, e);
        let mut contents = Vec::with_capacity(blobs.len());
        let mut header = String::new();
        for blob in blobs {
            header.clear();
            reader.read_line(&mut header).map_err(io)?;
            let fields: Vec<&str> = header.split_whitespace().collect();
            let size = match fields.as_slice() {
                [_, "blob", size] => size.parse::<usize>().ok(),
                _ => None,
            };
            let Some(size) = size else {
                return Err(self.unknown_blob(blob));
            };
            let mut bytes = vec![0; size + 1];
            reader.read_exact(&mut bytes).map_err(io)?;
            bytes.pop(); // the newline after each object
            contents.push(bytes);
        }
        Ok(contents)
    }

    fn unknown_blob(&self, blob: &Blob) -> WorkspaceError {
        WorkspaceError::UnknownRevision {
            rev: format!("blob {blob}"),
            path: self.shown_root(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::Repo;
    use super::*;

    fn sample() -> (Repo, Workspace, Commit) {
        let repo = Repo::new();
        repo.write("index.html", b"<h1>Hi</h1>\n");
        repo.write("docs/latin1.txt", b"caf\xe9 \xff\xfe\n");
        repo.write("blog/my post été 🚀.md", b"# Launch\n");
        repo.write("empty.txt", b"");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "site"]);
        let ws = Workspace::open(repo.path()).expect("open");
        let head = ws.resolve("HEAD").expect("head");
        (repo, ws, head)
    }

    #[test]
    fn files_and_read_blobs_round_trip_bytes() {
        let (repo, ws, head) = sample();
        let files = ws.files(&head).expect("files");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "blog/my post été 🚀.md",
                "docs/latin1.txt",
                "empty.txt",
                "index.html"
            ]
        );
        let blobs: Vec<Blob> = files.iter().map(|f| f.blob.clone()).collect();
        let contents = ws.read_blobs(&blobs).expect("read");
        for (file, bytes) in files.iter().zip(&contents) {
            assert_eq!(bytes, &repo.show("HEAD", &file.path), "{}", file.path);
        }
        assert_eq!(contents[1], b"caf\xe9 \xff\xfe\n");
        assert_eq!(contents[2], b"");
    }

    #[test]
    fn read_blobs_reads_many_and_repeated_blobs_in_order() {
        let (_repo, ws, head) = sample();
        let files = ws.files(&head).expect("files");
        let blobs: Vec<Blob> = (0..3000)
            .map(|i| files[i % files.len()].blob.clone())
            .collect();
        let contents = ws.read_blobs(&blobs).expect("read");
        assert_eq!(contents.len(), 3000);
        assert_eq!(contents[3], b"<h1>Hi</h1>\n");
        assert_eq!(contents[2999], contents[3]);
    }

    #[test]
    fn read_blobs_names_a_missing_blob() {
        let (_repo, ws, _head) = sample();
        let missing = Blob("0123456789012345678901234567890123456789".into());
        let err = ws.read_blobs(&[missing]).expect_err("missing");
        assert!(err.to_string().contains("blob 0123456789"), "{err}");
    }

    #[test]
    fn files_leaves_out_symlinks() {
        let repo = Repo::new();
        repo.write("a.html", b"a");
        std::os::unix::fs::symlink("a.html", repo.path().join("link.html")).expect("symlink");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "x"]);
        let ws = Workspace::open(repo.path()).expect("open");
        let files = ws.files(&ws.resolve("HEAD").expect("head")).expect("files");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "a.html");
    }
}
