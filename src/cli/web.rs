//! The web commands: `serve` (also what `sitewide` with no arguments runs), `users add`
//! and `tokens create`. Passwords are never prompted for: they come from an environment
//! variable or are generated and printed once.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::runs::{fail, print, with_store};
use crate::web::{self, Role, WebConfig};

/// `sitewide serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on (port 0 picks a free one).
    #[arg(long, env = "SITEWIDE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Where Sitewide keeps its data (default: SITEWIDE_DATA_DIR, else the platform's
    /// data directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The service config with the model providers (default: config.toml in the data
    /// directory).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Mark the session cookie Secure even when requests come over plain HTTP (behind a
    /// TLS proxy that does not send X-Forwarded-Proto).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Serve without a worker of its own: the runs it starts wait for `sitewide worker`
    /// processes on the same database (DATABASE_URL).
    #[arg(long)]
    pub no_worker: bool,
}

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Add a user: `sitewide users add NAME --role approver`.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role, default_value = "viewer")]
        role: Role,
        /// Read the password from this environment variable; else one is generated and
        /// printed once.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
    },
    /// List the users and their roles.
    List,
}

#[derive(Subcommand, Debug)]
pub enum TokensCommand {
    /// Make an API token for a user and print it once (`Authorization: Bearer …`).
    Create {
        #[arg(long)]
        user: String,
    },
}

impl ServeArgs {
    /// The defaults, with `SITEWIDE_BIND` read: what `sitewide` with no arguments serves.
    pub fn from_env() -> ServeArgs {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            args: ServeArgs,
        }
        <Only as clap::Parser>::parse_from(["sitewide"]).args
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

/// `sitewide serve`: serves until Ctrl-C.
pub fn serve(args: &ServeArgs) -> Result<ExitCode, String> {
    with_store(args.data_dir.as_deref(), |store, data| async move {
        // The server opens its own store; this one only proved the data directory works.
        drop(store);
        let mut config = WebConfig::new(&data);
        config.bind = args.bind.clone();
        config.config = args.config.clone();
        config.secure_cookies = args.secure_cookies;
        config.database_url = crate::config::database_url();
        config.run_worker = !args.no_worker;
        config.admin_password = std::env::var("SITEWIDE_ADMIN_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty());
        let running = web::start(config).await.map_err(fail)?;
        let url = format!("http://{}", running.addr);
        let mut out = format!("Sitewide is serving {url}/ (data in {})\n", data.display());
        match &running.first_admin {
            Some(admin) => match &admin.generated_password {
                Some(p) => out.push_str(&format!(
                    "log in as `{}` with the one-time password {p} (it is not shown again; set SITEWIDE_ADMIN_PASSWORD to choose it)\n",
                    admin.name
                )),
                None => out.push_str(&format!(
                    "log in as `{}` with the password in SITEWIDE_ADMIN_PASSWORD\n",
                    admin.name
                )),
            },
            None => out.push_str(
                "log in with your user (`sitewide users add NAME --role editor` makes one)\n",
            ),
        }
        out.push_str(&format!(
            "API: {url}/api/v1/openapi.json (`sitewide tokens create --user NAME` for a token); Ctrl-C stops\n"
        ));
        print(&out);
        shutdown_signal().await;
        running.handle.stop().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM (what `docker stop` and systemd send).
pub(super) async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// `sitewide users …`.
pub fn users(action: &UsersCommand, data_dir: Option<&Path>) -> Result<ExitCode, String> {
    with_store(data_dir, |store, _| async move {
        match action {
            UsersCommand::Add {
                name,
                role,
                password_env,
            } => {
                let (password, generated) = match password_env {
                    Some(var) => match std::env::var(var) {
                        Ok(p) if !p.is_empty() => (p, false),
                        _ => {
                            return Err(format!(
                                "error: the environment variable {var} is not set\n  = hint: export {var}=… or leave --password-env out to get a generated password"
                            ));
                        }
                    },
                    None => (web::auth::random_password(), true),
                };
                web::auth::add_user(&store, name, *role, &password).await?;
                let mut out = format!("added {name} ({role})\n");
                if generated {
                    out.push_str(&format!("password: {password} (shown once)\n"));
                }
                print(&out);
            }
            UsersCommand::List => {
                let mut out = String::new();
                for u in store.users().await.map_err(fail)? {
                    out.push_str(&format!("{:<24} {}\n", u.name, u.role));
                }
                print(&out);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `sitewide tokens create --user NAME`.
pub fn tokens(action: &TokensCommand, data_dir: Option<&Path>) -> Result<ExitCode, String> {
    with_store(data_dir, |store, _| async move {
        let TokensCommand::Create { user } = action;
        let token = web::auth::create_token(&store, user).await?;
        print(&format!("{token}\n"));
        Ok(ExitCode::SUCCESS)
    })
}
