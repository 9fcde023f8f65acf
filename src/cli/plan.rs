//! The tracking-plan commands: `plan import FILE` (Segment, Iglu or Amplitude into
//! Sitewide's plan YAML) and `plan lint [PATH]` (the plan's own naming and GA4 checks).
//! Reads the files, calls `qa::plan`, prints, and picks the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use crate::config::SiteConfig;
use crate::qa::data::ga4;
use crate::qa::finding::Severity;
use crate::qa::plan::import::{self, Format};
use crate::qa::plan::lint::{Lint, lint};
use crate::qa::plan::{self, Locations, Plan};
use crate::qa::tree::{Disk, Tree};

#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    /// Turn another tool's tracking plan into Sitewide's plan YAML: Segment Protocols JSON
    /// (an event's JSON Schema or a plan's rules), Snowplow Iglu schemas (a file or a
    /// registry folder), or Amplitude Data's events CSV export.
    Import {
        /// The export file, or a folder of Iglu schemas.
        file: PathBuf,
        /// The format (default: told from the content).
        #[arg(long, value_enum)]
        from: Option<ImportFrom>,
        /// Write the plan here instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite the --out file when it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check the plan itself: naming conventions, GA4 naming rules and limits, names that
    /// differ only by case or separator. Exit 1 when there is an error.
    Lint {
        /// A repository (its plan is found as `sitewide check` finds it) or a plan file.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value = "table")]
        format: LintFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFrom {
    Segment,
    Iglu,
    Amplitude,
}

impl ImportFrom {
    fn format(self) -> Format {
        match self {
            ImportFrom::Segment => Format::Segment,
            ImportFrom::Iglu => Format::Iglu,
            ImportFrom::Amplitude => Format::Amplitude,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    Table,
    Json,
}

pub fn plan(command: &PlanCommand) -> Result<ExitCode, String> {
    match command {
        PlanCommand::Import {
            file,
            from,
            out,
            force,
        } => import(file, from.map(ImportFrom::format), out.as_deref(), *force),
        PlanCommand::Lint { path, format } => lint_path(path, *format),
    }
}

fn import(
    file: &Path,
    from: Option<Format>,
    out: Option<&Path>,
    force: bool,
) -> Result<ExitCode, String> {
    let shown = file.display().to_string();
    let imported = if file.is_dir() {
        import::import_tree(&Disk::new(file), from)
    } else {
        let bytes = std::fs::read(file).map_err(|e| format!("error: cannot read {shown}: {e}"))?;
        let text =
            String::from_utf8(bytes).map_err(|_| format!("error: {shown} is not UTF-8 text"))?;
        import::import_text(&shown, &text, from)
    };
    let plan = imported.map_err(|e| format!("error: {e}"))?;
    let yaml = format!(
        "# Imported by `sitewide plan import` from {}\n{}",
        file.file_name()
            .map_or(shown.clone(), |n| n.to_string_lossy().into_owned()),
        plan::to_yaml(&plan)
    );
    let Some(out) = out else {
        let _ = std::io::stdout().lock().write_all(yaml.as_bytes());
        return Ok(ExitCode::SUCCESS);
    };
    if out.exists() && !force {
        return Err(format!(
            "error: {} already exists\n  = hint: pass --force to overwrite it",
            out.display()
        ));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("error: cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(out, yaml).map_err(|e| format!("error: cannot write {}: {e}", out.display()))?;
    println!("wrote {} events to {}", plan.events.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// The plan a lint reads: its path as shown, the plan, where its names are, and the root
/// whose `.sitewide/ga4.toml` applies.
struct Loaded {
    file: String,
    plan: Plan,
    locs: Locations,
    root: PathBuf,
}

fn lint_path(path: &Path, format: LintFormat) -> Result<ExitCode, String> {
    let loaded = if path.is_dir() {
        from_repo(path)?
    } else {
        from_file(path)?
    };
    let table = ga4::ga4(&Disk::new(&loaded.root)).map_err(|e| format!("error: {e}"))?;
    let found = lint(&loaded.file, &loaded.plan, &loaded.locs, &table);
    let text = match format {
        LintFormat::Table => render_table(&loaded.file, &found),
        LintFormat::Json => render_json(&loaded.file, &found),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let failed = found.iter().any(|l| l.severity == Severity::Error);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn from_repo(root: &Path) -> Result<Loaded, String> {
    let tree = Disk::new(root);
    let config = SiteConfig::load(&tree).map_err(super::render_config_error)?;
    let found = plan::load(&tree, &config).map_err(|e| format!("error: {e}"))?;
    let Some((rel, _)) = found else {
        return Err(format!(
            "error: no tracking plan in {}\n  = hint: write tracking/plan.yaml, or set tracking_plan in sitewide.toml",
            root.display()
        ));
    };
    let text = tree
        .read_string(&rel)
        .ok_or_else(|| format!("error: cannot read {rel}"))?;
    let (plan, locs) = plan::parse_located(&rel, &text).map_err(|e| format!("error: {e}"))?;
    Ok(Loaded {
        file: rel,
        plan,
        locs,
        root: root.to_path_buf(),
    })
}

fn from_file(path: &Path) -> Result<Loaded, String> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("error: cannot read {file}: {e}"))?;
    let (plan, locs) = plan::parse_located(&file, &text).map_err(|e| format!("error: {e}"))?;
    Ok(Loaded {
        file,
        plan,
        locs,
        root: repo_root(path),
    })
}

/// The nearest folder above `file` that holds `sitewide.toml`, `.sitewide` or `.git`; else
/// the file's own folder.
fn repo_root(file: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let start = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    start
        .ancestors()
        .find(|d| {
            ["sitewide.toml", ".sitewide", ".git"]
                .iter()
                .any(|m| d.join(m).exists())
        })
        .map(Path::to_path_buf)
        .unwrap_or(start)
}

fn render_table(file: &str, found: &[Lint]) -> String {
    let mut out = String::new();
    if !found.is_empty() {
        out.push_str(&format!("{file}\n"));
    }
    for l in found {
        let pos = format!("{}:{}", l.line, l.column);
        out.push_str(&format!(
            "  {pos:<8} {:<8} {:<18} {}\n",
            l.severity.as_str(),
            l.check,
            l.message
        ));
        if let Some(h) = &l.hint {
            out.push_str(&format!("  {:<8} {:<8} {:<18} = hint: {h}\n", "", "", ""));
        }
    }
    if !found.is_empty() {
        out.push('\n');
    }
    let (errors, warnings) = counts(found);
    out.push_str(&format!("{errors} errors, {warnings} warnings in {file}\n"));
    out
}

fn render_json(file: &str, found: &[Lint]) -> String {
    let (errors, warnings) = counts(found);
    let value = serde_json::json!({
        "file": file,
        "findings": found,
        "summary": {"errors": errors, "warnings": warnings},
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn counts(found: &[Lint]) -> (usize, usize) {
    let n = |s: Severity| found.iter().filter(|l| l.severity == s).count();
    (n(Severity::Error), n(Severity::Warning))
}

#[cfg(test)]
mod tests {
    use super::{render_json, render_table};
    use crate::qa::plan::lint::testing::full;

    const PLAN: &str = "events:\n  page_view:\n    properties: {google_id: {}}\n";

    #[test]
    fn the_table_lists_each_finding_with_its_position_and_hint() {
        let text = render_table("plan.yaml", &full(PLAN));
        assert!(text.starts_with("plan.yaml\n  2:3      error    ga4-event-name     GA4 event name `page_view` is reserved"), "{text}");
        assert!(
            text.contains("= hint: rename the event, or set `ga4_name` to a name GA4 accepts"),
            "{text}"
        );
        assert!(
            text.ends_with("2 errors, 0 warnings in plan.yaml\n"),
            "{text}"
        );
        assert_eq!(
            render_table("p.yaml", &[]),
            "0 errors, 0 warnings in p.yaml\n"
        );
    }

    #[test]
    fn the_json_has_findings_and_a_summary() {
        let value: serde_json::Value =
            serde_json::from_str(&render_json("plan.yaml", &full(PLAN))).expect("JSON");
        assert_eq!(value["summary"]["errors"], 2);
        assert_eq!(value["findings"][1]["check"], "ga4-param-name");
        assert_eq!(value["findings"][1]["line"], 3);
        assert_eq!(value["findings"][1]["severity"], "error");
    }
}
