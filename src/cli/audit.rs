//! `sitewide audit PATH`: the tagging audit (coverage, ids, events, and the TAG, LEG and
//! CON findings) as a table, JSON, SARIF or a self-contained HTML report.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{FailOn, current_year, render_config_error};
use crate::config::SiteConfig;
use crate::qa::audit::{self, AuditError};
use crate::qa::engine::CheckError;
use crate::qa::report;
use crate::qa::tree::Disk;

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// The repository (or any folder of it) to audit.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[arg(long, value_enum, default_value = "table")]
    pub format: AuditFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Rules to run: ids and globs, comma-separated. Default: TAG-*, LEG-*, CON-*.
    #[arg(long, value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Also request every external link (LNK-004; off unless given): limits, ignore list
    /// and cache times from `[links.external]` in sitewide.toml (docs/external-links.md).
    #[arg(long)]
    pub external_links: bool,
    /// Where the external link cache lives (the data directory's database; default:
    /// SITEWIDE_DATA_DIR, else the platform's data directory).
    #[arg(long)]
    pub data_dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Table,
    Json,
    Sarif,
    Html,
}

/// Why an audit could not run, as people read it (`sitewide audit` and audit runs).
pub fn render_audit_error(e: AuditError) -> String {
    match e {
        AuditError::Rules(m) => {
            format!("error: {m}\n  = hint: `sitewide rules` lists every rule id")
        }
        AuditError::Check(CheckError::Config(c)) => render_config_error(c),
        AuditError::Check(e @ (CheckError::Site(_) | CheckError::Plan(_) | CheckError::Ga4(_))) => {
            format!("error: {e}")
        }
    }
}

pub fn audit(args: &AuditArgs) -> Result<ExitCode, String> {
    let root = &args.path;
    if root.is_file() {
        return Err(format!(
            "error: {} is a file; `sitewide audit` takes the repository's folder",
            root.display()
        ));
    }
    let tree = Disk::new(root);
    let config = SiteConfig::load(&tree).map_err(render_config_error)?;
    let year = current_year()?;
    let selection =
        audit::selection(&config, &args.rules, args.external_links).map_err(render_audit_error)?;
    super::external::note_network_off(&args.rules, args.external_links);
    let mut report =
        audit::audit_selected(&tree, &config, &selection, year).map_err(render_audit_error)?;
    super::external::check_external(
        &mut report.check,
        &config,
        &selection,
        args.data_dir.as_deref(),
    )?;
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(out);
        match args.format {
            AuditFormat::Table => out.write_all(report::audit_table(&report).as_bytes()),
            AuditFormat::Json => report.write_json(&mut out),
            AuditFormat::Sarif => out.write_all(report::sarif(&report.check).as_bytes()),
            AuditFormat::Html => out.write_all(report::audit_html(&report).as_bytes()),
        }?;
        out.flush()
    };
    match &args.output {
        Some(path) => std::fs::File::create(path)
            .and_then(|mut file| write(&mut file))
            .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?,
        None => {
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = write(&mut std::io::stdout().lock());
        }
    }
    if report.check.files_checked() == 0 && !report.check.skipped.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let failed = args
        .fail_on
        .threshold()
        .is_some_and(|t| report.check.findings.iter().any(|f| f.severity >= t));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
