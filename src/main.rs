//! The `sitewide` binary: parses the command line and hands it to `sitewide::cli`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SITEWIDE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = sitewide::cli::Cli::parse();
    sitewide::cli::run(cli)
}
