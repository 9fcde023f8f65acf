//! The job specs offered by name: every valid `*.toml` in the jobs folder (the
//! repository's `jobs/`), read once at start. These come from the server's own checkout,
//! so their `[qa] scripts` may run.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::spec::{Engine, Kind};

/// A job spec that can be started by its name.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub name: String,
    pub description: String,
    pub kind: Kind,
    pub engine: &'static str,
    /// The file's name in the jobs folder (`strip-internal-utms.toml`).
    pub file: String,
    #[serde(skip)]
    pub path: PathBuf,
}

/// The valid job specs in `dir`, by name, and a line for each file that is not one.
pub fn load(dir: &Path) -> (Vec<Job>, Vec<String>) {
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        problems.push(format!("cannot read the jobs folder {}", dir.display()));
        return (jobs, problems);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        match crate::spec::parse(&path, &text) {
            Ok(spec) if jobs.iter().any(|j: &Job| j.name == spec.name) => {
                problems.push(format!(
                    "{}: a second job named {:?}",
                    path.display(),
                    spec.name
                ));
            }
            Ok(spec) => jobs.push(Job {
                name: spec.name,
                description: spec.description,
                kind: spec.kind,
                engine: match spec.engine {
                    Engine::Model => "model",
                    Engine::Recipe => "recipe",
                },
                file: path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                path,
            }),
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    (jobs, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_jobs_load_by_name() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("jobs");
        let (jobs, problems) = load(&dir);
        assert!(problems.is_empty(), "{problems:?}");
        let strip = jobs
            .iter()
            .find(|j| j.name == "strip-internal-utms")
            .unwrap();
        assert_eq!(
            (strip.engine, strip.file.as_str()),
            ("recipe", "strip-internal-utms.toml")
        );
        assert!(strip.path.is_file());
    }

    #[test]
    fn an_invalid_spec_is_reported_and_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.toml"), "name = 3\n").unwrap();
        let (jobs, problems) = load(dir.path());
        assert!(jobs.is_empty());
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
