//! The job specs offered by name: every valid `*.toml` in the jobs folder (the
//! repository's `jobs/`), read once at start, and the specs saved in the web UI (the data
//! directory's `jobs/`), read when asked. The first come from the server's own checkout,
//! and a saved spec carries `[qa] scripts` only when an admin saved it, so theirs may run.

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
    /// The target globs (`**/*.html`, `!vendor/**`).
    pub targets: Vec<String>,
    /// The file's name in the jobs folder (`strip-internal-utms.toml`).
    pub file: String,
    /// `repository` (the jobs folder) or `saved` (saved in the web UI).
    pub source: &'static str,
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
                targets: spec.targets.patterns,
                source: "repository",
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

/// The folder of the specs saved in the web UI.
pub fn saved_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("jobs")
}

/// The jobs of the jobs folder, then the saved ones whose names are not taken.
pub fn all(loaded: &[Job], data_dir: &Path) -> Vec<Job> {
    let mut jobs = loaded.to_vec();
    let dir = saved_dir(data_dir);
    if !dir.is_dir() {
        return jobs;
    }
    let (saved, problems) = load(&dir);
    for p in problems {
        tracing::warn!(problem = %p, "a saved job spec is not offered");
    }
    for mut job in saved {
        if jobs.iter().all(|j| j.name != job.name) {
            job.source = "saved";
            jobs.push(job);
        }
    }
    jobs
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
    fn saved_jobs_follow_the_repository_ones_and_never_shadow_them() {
        let data = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("jobs");
        let (loaded, _) = load(&repo);
        let text = std::fs::read_to_string(repo.join("strip-internal-utms.toml")).unwrap();
        std::fs::create_dir_all(saved_dir(data.path())).unwrap();
        let renamed = text.replace("name = \"strip-internal-utms\"", "name = \"mine\"");
        std::fs::write(saved_dir(data.path()).join("mine.toml"), renamed).unwrap();
        std::fs::write(saved_dir(data.path()).join("same.toml"), &text).unwrap();
        let jobs = all(&loaded, data.path());
        assert_eq!(jobs.len(), loaded.len() + 1);
        let mine = jobs.iter().find(|j| j.name == "mine").unwrap();
        assert_eq!(mine.source, "saved");
        let strip = jobs
            .iter()
            .find(|j| j.name == "strip-internal-utms")
            .unwrap();
        assert_eq!(strip.source, "repository");
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
