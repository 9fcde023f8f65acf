//! The command line's commands: `serve` (the default), `check`, `rules`, `init`, `explain`, `spec check`. Reads the environment and
//! arguments once, calls one entry point each, and picks the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, ConfigError, SiteConfig};
use crate::qa::engine::{self, CheckError, Report, Selection};
use crate::qa::finding::Severity;
use crate::qa::report::{self, Format};
use crate::qa::rules;
use crate::qa::tree::Disk;
use crate::spec::SpecError;

mod audit;
mod external;
mod plan;
mod runs;
mod web;
pub use audit::{AuditArgs, AuditFormat, render_audit_error};
pub use plan::PlanCommand;
pub use runs::{ReviewArgs, RunArgs, RunsCommand};
pub use web::{ServeArgs, TokensCommand, UsersCommand};

#[derive(Parser, Debug)]
#[command(
    name = "sitewide",
    version,
    about = "QA checks and bulk edits for marketing-site repositories"
)]
pub struct Cli {
    /// With no command, serves the web UI and API (`sitewide serve`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web UI and JSON API (with a worker for the runs it starts).
    Serve(ServeArgs),
    /// Local users of the web UI: `users add NAME --role approver`, `users list`.
    Users {
        #[command(subcommand)]
        action: UsersCommand,
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
    },
    /// API tokens: `tokens create --user NAME` prints one.
    Tokens {
        #[command(subcommand)]
        action: TokensCommand,
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
    },
    /// Audit a repository of landing-page sources and print its findings.
    Check(CheckArgs),
    /// The tagging audit: tag coverage per page, ids found, events, and the TAG, LEG and
    /// CON findings (`--format table|json|sarif|html`).
    Audit(AuditArgs),
    /// List every rule, or explain one (`sitewide rules UTM-008`).
    Rules {
        /// A rule id such as UTM-008.
        id: Option<String>,
        /// `table` for people, `markdown` for docs/rules.md, `json` for tools.
        #[arg(long, value_enum, default_value = "table")]
        format: RulesFormat,
    },
    /// Show the layouts and includes a page is built from, as the checks resolve them.
    Explain {
        /// The repository root.
        path: PathBuf,
        /// The page, relative to the root.
        file: String,
    },
    /// Job specs (`jobs/*.toml`): `sitewide spec check FILE...`.
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
    /// List every recipe a job spec can use, or explain one (`sitewide recipes cta.swap`).
    Recipes {
        /// A recipe name such as utm.strip_internal.
        name: Option<String>,
        /// `table` for people, `markdown` for docs/recipes.md.
        #[arg(long, value_enum, default_value = "table")]
        format: RecipesFormat,
    },
    /// Register a workspace (`add NAME PATH`) or list the registered ones.
    Workspaces {
        #[command(subcommand)]
        action: Option<WorkspacesCommand>,
        /// Where Sitewide keeps its data (default: SITEWIDE_DATA_DIR, else the platform's
        /// data directory).
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
    },
    /// Plan a job spec's run at one commit of a workspace, work it to the end here (edits,
    /// QA before and after, QA scripts) and print it; its changes then wait for review.
    Run(RunArgs),
    /// List the runs, newest first, or print one (`sitewide runs show ID [--json]`).
    Runs {
        #[command(subcommand)]
        action: Option<RunsCommand>,
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
    },
    /// Approve or reject a run's changes (`--approve FILE`, `--reject FILE`, `--approve-all`).
    Review(ReviewArgs),
    /// Commit a run's approved changes on the branch `sitewide/<run-id>`.
    Apply {
        id: String,
        /// Who applies (default: git's user.name).
        #[arg(long = "as")]
        actor: Option<String>,
        /// Print the run as one JSON object.
        #[arg(long)]
        json: bool,
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Work the run queue (queued runs, and runs a stopped process left half done) and
    /// start the scheduled jobs of `--jobs`; beside `serve`, or on other machines sharing
    /// its PostgreSQL database (DATABASE_URL).
    Worker {
        /// Exit once no run is queued or running (for cron and scripts); starts no
        /// scheduled job.
        #[arg(long)]
        exit_when_idle: bool,
        /// The folder of job specs whose `schedule` this worker starts.
        #[arg(long, default_value = "jobs")]
        jobs: PathBuf,
        /// Work the queue only; leave the schedules to other processes.
        #[arg(long)]
        no_scheduler: bool,
        /// The most model calls of a run this process keeps in flight (default: the
        /// run's `concurrency`, which caps them across all workers together).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        calls: Option<u32>,
        /// The service config with the model providers (default: config.toml in the data
        /// directory).
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Make (or reset) the demo workspace: a git repository of examples/demo-site in the
    /// data directory. Sitewide never branches or commits in its own checkout.
    Demo {
        /// Where Sitewide keeps its data (default: SITEWIDE_DATA_DIR, else the platform's
        /// data directory).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// The tracking plan: `plan import FILE` from Segment, Iglu or Amplitude; `plan lint`.
    Plan {
        #[command(subcommand)]
        action: PlanCommand,
    },
    /// Write a commented starter sitewide.toml into PATH (default: the current folder).
    Init {
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Overwrite an existing sitewide.toml.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SpecCommand {
    /// Validate job specs: every error with file:line:col and a hint. Exit 0 when all are
    /// valid, 1 when any is not, 2 when a file cannot be read.
    Check {
        /// The spec files (`jobs/*.toml`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The repository (or any folder of it) to check.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Rules to run: ids and globs, comma-separated (`UTM-*,LNK-001`). Default: all.
    #[arg(long, value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Write the deterministic fixes into the files, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Also request every external link (LNK-004; off unless given): limits, ignore list
    /// and cache times from `[links.external]` in sitewide.toml (docs/external-links.md).
    #[arg(long)]
    pub external_links: bool,
    /// Where the external link cache lives (the data directory's database; default:
    /// SITEWIDE_DATA_DIR, else the platform's data directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// Runs a parsed command line; errors the user must act on exit with 2.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        None => web::serve(&ServeArgs::from_env()),
        Some(Command::Serve(args)) => web::serve(&args),
        Some(Command::Users { action, data_dir }) => web::users(&action, data_dir.as_deref()),
        Some(Command::Tokens { action, data_dir }) => web::tokens(&action, data_dir.as_deref()),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Audit(args)) => audit::audit(&args),
        Some(Command::Rules { id, format }) => list_rules(id.as_deref(), format),
        Some(Command::Init { path, force }) => init(&path, force),
        Some(Command::Demo { data_dir }) => runs::demo(data_dir.as_deref()),
        Some(Command::Run(args)) => runs::run(&args),
        Some(Command::Runs { action, data_dir }) => {
            runs::runs(action.as_ref(), data_dir.as_deref())
        }
        Some(Command::Review(args)) => runs::review(&args),
        Some(Command::Apply {
            id,
            actor,
            json,
            data_dir,
        }) => runs::apply(&id, actor.as_deref(), json, data_dir.as_deref()),
        Some(Command::Worker {
            exit_when_idle,
            jobs,
            no_scheduler,
            calls,
            config,
            data_dir,
        }) => runs::worker(
            exit_when_idle,
            calls.map(|c| c as usize),
            (!exit_when_idle && !no_scheduler).then_some(jobs.as_path()),
            config.as_deref(),
            data_dir.as_deref(),
        ),
        Some(Command::Workspaces { action, data_dir }) => workspaces(action, data_dir.as_deref()),
        Some(Command::Plan { action }) => plan::plan(&action),
        Some(Command::Recipes { name, format }) => list_recipes(name.as_deref(), format),
        Some(Command::Explain { path, file }) => explain(&path, &file),
        Some(Command::Spec {
            command: SpecCommand::Check { files },
        }) => spec_check(&files),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// The year CNT-001 compares with: `SITEWIDE_NOW` (RFC 3339 or `YYYY-MM-DD`) or the clock.
pub fn current_year() -> Result<i32, String> {
    use chrono::Datelike;
    Ok(engine::sitewide_now()?.map_or_else(|| chrono::Utc::now().year(), |d| d.year()))
}

fn check(args: &CheckArgs) -> Result<ExitCode, String> {
    let root = &args.path;
    if root.is_file() {
        return Err(format!(
            "error: {} is a file; `sitewide check` takes the repository's folder\n  = hint: run `sitewide check {}` and pick the file out with --format json",
            root.display(),
            root.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or(".".into(), |p| p.display().to_string())
        ));
    }
    let config = SiteConfig::load(&Disk::new(root)).map_err(render_config_error)?;
    let selection = if args.external_links {
        Selection::with_network(&config, &args.rules)
    } else {
        Selection::new(&config, &args.rules)
    }
    .map_err(|e| format!("error: {e}\n  = hint: `sitewide rules` lists every rule id"))?;
    external::note_network_off(&args.rules, args.external_links);
    let year = current_year()?;
    let mut report = run_check(root, &config, &selection, year)?;
    if args.fix {
        // One fix can uncover or settle another (a cleaned canonical, then the og:url that
        // copies it), so fixes are applied in passes until none applies, as ESLint does.
        let (mut fixed, mut files) = (0, std::collections::BTreeSet::new());
        for _ in 0..MAX_FIX_PASSES {
            let (n, written) = write_fixes(root, &report)?;
            if n == 0 {
                break;
            }
            fixed += n;
            files.extend(written);
            report = run_check(root, &config, &selection, year)?;
        }
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        eprintln!(
            "fixed {} in {}",
            plural(fixed, "finding", "findings"),
            plural(files.len(), "file", "files")
        );
    }
    external::check_external(&mut report, &config, &selection, args.data_dir.as_deref())?;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        Format::Table => stdout.write_all(report::table(&report).as_bytes()),
        Format::Json => report::json(&report, &mut stdout),
        Format::Sarif => stdout.write_all(report::sarif(&report).as_bytes()),
    };
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = written.and_then(|()| stdout.flush());
    if report.files_checked() == 0 && !report.skipped.is_empty() {
        // Nothing could be read: the user must act on the notes above.
        return Ok(ExitCode::from(2));
    }
    let failed = args
        .fail_on
        .threshold()
        .is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_check(
    root: &Path,
    config: &SiteConfig,
    selection: &Selection,
    year: i32,
) -> Result<Report, String> {
    engine::check(&Disk::new(root), config, selection, year).map_err(|e| match e {
        CheckError::Config(c) => render_config_error(c),
        CheckError::Site(s) => format!("error: {s}"),
        CheckError::Plan(e) => format!("error: {e}"),
        CheckError::Ga4(e) => format!("error: {e}"),
    })
}

/// How many check-and-fix passes `--fix` makes at most.
const MAX_FIX_PASSES: usize = 10;

/// Applies every finding's fix, file by file; returns the fixes applied and the files written.
fn write_fixes(root: &Path, report: &Report) -> Result<(usize, Vec<String>), String> {
    let mut by_file: std::collections::BTreeMap<&str, Vec<crate::qa::finding::Fix>> =
        Default::default();
    for f in &report.findings {
        if let Some(fix) = &f.fix {
            by_file
                .entry(f.file.as_ref())
                .or_default()
                .push(fix.clone());
        }
    }
    let (mut applied, mut files) = (0, Vec::new());
    for (file, fixes) in by_file {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
        let (new, n) = crate::qa::fix::apply(&text, &fixes);
        if new != text {
            std::fs::write(&path, new)
                .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
            applied += n;
            files.push(file.to_string());
        }
    }
    Ok((applied, files))
}

/// A config error as a code frame: `error: …`, `--> file:line:col`, the line, a caret, a hint.
pub fn render_config_error(e: ConfigError) -> String {
    match &e {
        ConfigError::Invalid {
            path,
            line,
            column,
            message,
            hint,
            excerpt,
        } => {
            let gutter = line.to_string().len();
            let mut s = format!(
                "error: {message}\n{:gutter$}--> {}:{line}:{column}\n{:gutter$} |\n{line} | {excerpt}\n{:gutter$} | {:>col$}\n",
                "",
                path.display(),
                "",
                "",
                "^",
                col = *column
            );
            if let Some(h) = hint {
                s.push_str(&format!("{:gutter$} = hint: {h}\n", ""));
            }
            s
        }
        ConfigError::Read { .. } => format!("error: {e}"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Table,
    Markdown,
    Json,
}

/// The rule catalogue as Markdown: docs/rules.md is this output (a test keeps them equal).
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated by `sitewide rules --format markdown` from each rule's declaration; \
         a test keeps this file equal to that output.\n\n| id | name | severity | fix | what it flags |\n|---|---|---|---|---|\n",
    );
    for r in rules::all() {
        let m = r.meta();
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} |\n",
            m.id,
            m.id.to_lowercase(),
            m.name,
            m.severity.as_str(),
            m.fix.as_str(),
            m.summary.replace('|', "\\|")
        ));
    }
    for r in rules::all() {
        let m = r.meta();
        out.push_str(&format!(
            "\n## {}\n\n**{}** ({}, fix: {}). {}\n\nWhy: {}\n\nSource: {}\n\nBad:\n\n```{lang}\n{}\n```\n\nGood:\n\n```{lang}\n{}\n```\n",
            m.id, m.name, m.severity.as_str(), m.fix.as_str(), m.summary, m.why, m.source, m.bad.trim_end(), m.good.trim_end(),
            // Examples of several files (`==> path <==` headers) are not HTML.
            lang = if m.bad.starts_with("==> ") { "text" } else { "html" }
        ));
    }
    out
}

fn list_rules(id: Option<&str>, format: RulesFormat) -> Result<ExitCode, String> {
    let mut out = String::new();
    match (id, format) {
        (None, RulesFormat::Markdown) => out = rules_markdown(),
        (None, RulesFormat::Json) => {
            let list: Vec<serde_json::Value> = rules::all()
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({"id": m.id, "name": m.name, "severity": m.severity, "fix": m.fix, "summary": m.summary, "why": m.why, "source": m.source, "bad": m.bad, "good": m.good})
                })
                .collect();
            out = serde_json::to_string_pretty(&list).unwrap_or_default() + "\n";
        }
        (None, RulesFormat::Table) => {
            out.push_str(&format!(
                "{:<9} {:<8} {:<14} {}\n",
                "ID", "SEVERITY", "FIX", "WHAT IT FLAGS"
            ));
            for r in rules::all() {
                let m = r.meta();
                out.push_str(&format!(
                    "{:<9} {:<8} {:<14} {}\n",
                    m.id,
                    m.severity.as_str(),
                    m.fix.as_str(),
                    m.summary
                ));
            }
        }
        (Some(id), _) => {
            let rule = rules::find(id).ok_or_else(|| {
                format!(
                    "error: unknown rule {id:?}\n  = hint: `sitewide rules` lists every rule id"
                )
            })?;
            let m = rule.meta();
            out.push_str(&format!(
                "{} {}\n\n{}\n\nWhy: {}\n\nSeverity: {}    Fix: {}\nSource: {}\n\nBad:\n  {}\n\nGood:\n  {}\n",
                m.id,
                m.name,
                m.summary,
                m.why,
                m.severity.as_str(),
                m.fix.as_str(),
                m.source,
                m.bad.replace('\n', "\n  "),
                m.good.replace('\n', "\n  ")
            ));
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn init(path: &Path, force: bool) -> Result<ExitCode, String> {
    let target = path.join(config::FILE_NAME);
    if target.exists() && !force {
        return Err(format!(
            "error: {} already exists\n  = hint: pass --force to overwrite it",
            target.display()
        ));
    }
    std::fs::write(&target, config::STARTER)
        .map_err(|e| format!("error: cannot write {}: {e}", target.display()))?;
    eprintln!(
        "wrote {}: edit the example values to your site's conventions",
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Validates each spec; prints `ok FILE` for a valid one and every error of an invalid one.
fn spec_check(files: &[PathBuf]) -> Result<ExitCode, String> {
    let (mut invalid, mut unreadable) = (0, 0);
    let mut out = String::new();
    let mut err = String::new();
    for file in files {
        match crate::spec::load(file) {
            Ok(spec) => out.push_str(&format!("ok {} ({})\n", file.display(), spec.name)),
            Err(SpecError::Read { path, source }) => {
                unreadable += 1;
                err.push_str(&format!(
                    "error: cannot read {}: {source}\n",
                    path.display()
                ));
            }
            Err(SpecError::Invalid { errors }) => {
                invalid += 1;
                let n = errors.len();
                for e in errors {
                    err.push_str(&render_config_error(e));
                    err.push('\n');
                }
                let plural = if n == 1 { "error" } else { "errors" };
                err.push_str(&format!(
                    "error: {} is not a valid job spec ({n} {plural})\n\n",
                    file.display()
                ));
            }
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    let _ = std::io::stderr().lock().write_all(err.as_bytes());
    Ok(match (unreadable, invalid) {
        (0, 0) => ExitCode::SUCCESS,
        (0, _) => ExitCode::from(1),
        _ => ExitCode::from(2),
    })
}

fn explain(root: &Path, file: &str) -> Result<ExitCode, String> {
    let chain = engine::page_chain(&Disk::new(root), file).map_err(|e| format!("error: {e}"))?;
    let mut out = String::new();
    for (i, f) in chain.files.iter().enumerate() {
        out.push_str(&format!("{}{f}\n", if i == 0 { "" } else { "  <- " }));
    }
    for u in &chain.unresolved {
        out.push_str(&format!("  ?? {u}: not followed\n"));
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecipesFormat {
    Table,
    Markdown,
}

/// The recipe catalogue as Markdown: docs/recipes.md is this output (a test keeps them equal).
pub fn recipes_markdown() -> String {
    use crate::edit::recipes;
    let mut out = String::from(
        "# Recipes\n\nDeterministic edits a job spec's `[[steps]]` name with `recipe = \"…\"`. Each is a \
         transform on the page model's spans: it never edits template syntax, it keeps the file's \
         formatting, and running it twice changes nothing the second time. Generated by \
         `sitewide recipes --format markdown` from each recipe's declaration; a test keeps this file \
         equal to that output. Runnable examples: `jobs/*.toml` (check one with `sitewide spec check`).\n\n\
         | recipe | what it changes |\n|---|---|\n",
    );
    for r in recipes::all() {
        let m = r.meta();
        out.push_str(&format!(
            "| [`{}`](#{}) | {} |\n",
            m.name,
            m.name.replace('.', ""),
            m.summary
        ));
    }
    for r in recipes::all() {
        let m = r.meta();
        out.push_str(&format!("\n## {}\n\n{}\n\n", m.name, m.summary));
        if m.keys.is_empty() {
            out.push_str("No keys.\n");
        } else {
            out.push_str("| key | type and default | meaning |\n|---|---|---|\n");
            for (k, t, what) in m.keys {
                out.push_str(&format!(
                    "| `{k}` | {} | {} |\n",
                    t.replace('|', "\\|"),
                    what.replace('|', "\\|")
                ));
            }
        }
        out.push_str(&format!(
            "\nExample:\n\n```toml\n{}\n```\n",
            m.example.trim_end()
        ));
    }
    out
}

fn list_recipes(name: Option<&str>, format: RecipesFormat) -> Result<ExitCode, String> {
    use crate::edit::recipes;
    let out = match (name, format) {
        (None, RecipesFormat::Markdown) => recipes_markdown(),
        (None, RecipesFormat::Table) => recipes::all()
            .iter()
            .map(|r| format!("{:<20} {}\n", r.meta().name, r.meta().summary))
            .collect(),
        (Some(n), _) => {
            let r = recipes::find(n).ok_or_else(|| {
                format!(
                    "error: unknown recipe {n:?}\n  = hint: `sitewide recipes` lists every recipe"
                )
            })?;
            let m = r.meta();
            let keys: String = m
                .keys
                .iter()
                .map(|(k, t, w)| format!("  {k} ({t}): {w}\n"))
                .collect();
            format!(
                "{}\n\n{}\n\nKeys:\n{}\nExample:\n{}\n",
                m.name,
                m.summary,
                if keys.is_empty() {
                    "  none\n".into()
                } else {
                    keys
                },
                m.example.trim_end()
            )
        }
    };
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum WorkspacesCommand {
    /// Register the git repository at PATH, or the remote repository at URL, under NAME.
    Add {
        name: String,
        /// A local git repository, or a remote URL (https://…, ssh://…, git@host:path,
        /// file://…) kept as a clone in the data directory (docs/workspaces.md).
        path: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List the registered workspaces.
    List,
}

/// How a remote workspace is reached and where its pull requests are opened.
#[derive(clap::Args, Debug, Default)]
pub struct RemoteArgs {
    /// The environment variable holding the HTTPS token (and the forge API's token); only
    /// its name is stored.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// The SSH private key for an ssh:// or git@host:path URL.
    #[arg(long, value_name = "PATH")]
    pub ssh_key: Option<std::path::PathBuf>,
    /// Open a pull request (github) or merge request (gitlab) for each applied run.
    #[arg(long, value_name = "github|gitlab")]
    pub forge: Option<crate::forge::ForgeKind>,
    /// The forge's API base URL (GitHub Enterprise: https://HOST/api/v3; self-hosted
    /// GitLab: https://HOST/api/v4); default api.github.com or gitlab.com/api/v4.
    #[arg(long, value_name = "URL", requires = "forge")]
    pub api_url: Option<String>,
    /// owner/repo (GitLab: group/project); default: the URL's path.
    #[arg(long, value_name = "OWNER/NAME", requires = "forge")]
    pub repo: Option<String>,
}

impl RemoteArgs {
    fn given(&self) -> bool {
        self.token_env.is_some() || self.ssh_key.is_some() || self.forge.is_some()
    }
}

/// The settings of remote workspace `url` from the flags.
fn remote_settings(url: &str, args: RemoteArgs) -> Result<crate::run::RemoteSettings, String> {
    let remote = crate::workspace::Remote {
        url: url.to_string(),
        token_env: args.token_env,
        ssh_key: args.ssh_key.map(|k| std::path::absolute(&k).unwrap_or(k)),
    };
    let forge = match args.forge {
        None => None,
        Some(kind) => {
            let repo = args.repo.or_else(|| remote.repo_path()).ok_or_else(|| {
                format!(
                    "error: no repository path in {}\n  = hint: give --repo owner/name",
                    crate::workspace::redact(url)
                )
            })?;
            Some(crate::forge::Forge::new(
                kind,
                args.api_url.as_deref(),
                &repo,
            ))
        }
    };
    Ok(crate::run::RemoteSettings { remote, forge })
}

fn workspaces(
    action: Option<WorkspacesCommand>,
    data_dir: Option<&Path>,
) -> Result<ExitCode, String> {
    let data = config::data_dir(data_dir);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("error: cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let store = crate::store::Store::connect(config::database_url().as_deref(), &data).await.map_err(|e| format!("error: {e}"))?;
        let mut out = String::new();
        match action.unwrap_or(WorkspacesCommand::List) {
            WorkspacesCommand::Add { name, path, remote } if crate::workspace::is_remote_url(&path) => {
                let settings = remote_settings(&path, remote)?;
                let added = crate::run::register_remote(&store, &data, &name, settings)
                    .await
                    .map_err(|e| crate::workspace::redact(&e.to_string()))?;
                out.push_str(&format!(
                    "registered {} at {} (default branch {}; clone in {})\n",
                    added.name,
                    crate::workspace::redact(&path),
                    added.default_branch,
                    added.path
                ));
            }
            WorkspacesCommand::Add { name, path, remote } => {
                if remote.given() {
                    return Err(format!(
                        "error: --token-env, --ssh-key and --forge are for a remote URL; {path} is a local path\n  = hint: give the repository's URL, or drop the flags"
                    ));
                }
                let ws = crate::workspace::Workspace::open(&path).map_err(|e| format!("error: {e}"))?;
                let root = ws.root().canonicalize().unwrap_or_else(|_| ws.root().to_path_buf());
                let branch = ws.default_branch().map_err(|e| format!("error: {e}"))?;
                let added = store
                    .add_workspace(&name, &root.to_string_lossy(), &branch)
                    .await
                    .map_err(|e| format!("error: {e}"))?;
                out.push_str(&format!("registered {} at {} (default branch {})\n", added.name, added.path, added.default_branch));
            }
            WorkspacesCommand::List => {
                for w in store.workspaces().await.map_err(|e| format!("error: {e}"))? {
                    let at = crate::run::RemoteSettings::of(&w)
                        .ok()
                        .flatten()
                        .map_or(w.path, |s| crate::workspace::redact(&s.remote.url));
                    out.push_str(&format!("{:<20} {:<10} {}\n", w.name, w.default_branch, at));
                }
            }
        }
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
        Ok(ExitCode::SUCCESS)
    })
}
