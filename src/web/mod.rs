//! The web app and its JSON API over the store and the run pipeline: `app` (state,
//! router, access middleware), `routes` (the one list of routes), `auth` (users,
//! sessions, tokens, CSRF), `api` (JSON under `/api/v1`), `events` (SSE), `pages` (tera
//! pages and static assets), `openapi` (the document built from the routes). It knows
//! HTTP and cookies; it changes runs only through `crate::run`'s public functions.

mod api;
pub mod app;
pub mod auth;
pub mod error;
mod events;
pub mod jobs;
mod openapi;
mod pages;
pub mod routes;
mod throttle;
pub mod webhooks;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use actix_web::{App, HttpServer, web};

pub use app::AppState;
pub use auth::Role;
pub use openapi::document;
pub use routes::routes;

use crate::run::{self, Worker};
use crate::store::Store;

/// How to serve.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// `127.0.0.1:8080`; port 0 picks a free one.
    pub bind: String,
    pub data_dir: PathBuf,
    /// The service config with the model providers (`--config`).
    pub config: Option<PathBuf>,
    /// Job specs offered by name (default: the repository's `jobs/`).
    pub jobs_dir: PathBuf,
    /// Tera templates (default: the repository's `templates/`).
    pub templates_dir: PathBuf,
    /// Static assets (default: the repository's `web/`).
    pub assets_dir: PathBuf,
    /// Mark the session cookie `Secure` even on plain HTTP.
    pub secure_cookies: bool,
    /// The first admin's password (`SITEWIDE_ADMIN_PASSWORD`); else one is generated.
    pub admin_password: Option<String>,
    /// HTTP worker threads.
    pub workers: usize,
    /// Webhook secrets handed over directly (a secret store, a test), by the name of the
    /// environment variable they stand for; other names are read from the environment.
    pub webhook_secrets: HashMap<String, String>,
    /// How webhook notices are retried.
    pub webhook_retry: webhooks::Retry,
    /// The PostgreSQL server to keep everything in (`DATABASE_URL`); `None`: the data
    /// directory's SQLite file.
    pub database_url: Option<String>,
    /// Whether this server works the run queue itself; without, `sitewide worker`
    /// processes do (`serve --no-worker`).
    pub run_worker: bool,
}

impl WebConfig {
    /// The defaults for `data_dir`: 127.0.0.1:8080 and the repository's folders.
    pub fn new(data_dir: &Path) -> WebConfig {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        WebConfig {
            bind: "127.0.0.1:8080".to_string(),
            data_dir: data_dir.to_path_buf(),
            config: None,
            jobs_dir: repo.join("jobs"),
            templates_dir: repo.join("templates"),
            assets_dir: repo.join("web"),
            secure_cookies: false,
            admin_password: None,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8)),
            webhook_secrets: HashMap::new(),
            webhook_retry: webhooks::Retry::default(),
            database_url: None,
            run_worker: true,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Run(#[from] crate::run::RunError),
    #[error("cannot load the templates in {}: {source}", dir.display())]
    Templates { dir: PathBuf, source: tera::Error },
    #[error("cannot listen on {bind}: {source}\n  = hint: pass another --bind ADDR:PORT")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Users(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// The admin made on first start.
#[derive(Debug, Clone)]
pub struct FirstAdmin {
    pub name: String,
    /// The password when it was generated (print it once); `None` when it came from
    /// `SITEWIDE_ADMIN_PASSWORD`.
    pub generated_password: Option<String>,
}

/// A started server.
pub struct Running {
    /// The address it listens on (the real port when 0 was asked for).
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    /// Set on the first start, when the `admin` user was made.
    pub first_admin: Option<FirstAdmin>,
}

/// Stops the server, its worker, its scheduler and its notifier.
pub struct ServerHandle {
    server: actix_web::dev::ServerHandle,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
    stop_worker: tokio::sync::oneshot::Sender<()>,
    worker: tokio::task::JoinHandle<Result<(), crate::run::RunError>>,
    stop_notifier: tokio::sync::oneshot::Sender<()>,
    notifier: tokio::task::JoinHandle<()>,
    stop_scheduler: tokio::sync::oneshot::Sender<()>,
    scheduler: tokio::task::JoinHandle<()>,
}

impl ServerHandle {
    /// Stops taking requests, finishes those in hand, stops the worker after its task.
    pub async fn stop(self) {
        self.server.stop(true).await;
        let _ = self.served.await;
        let _ = self.stop_worker.send(());
        let _ = self.worker.await;
        let _ = self.stop_scheduler.send(());
        let _ = self.scheduler.await;
        let _ = self.stop_notifier.send(());
        let _ = self.notifier.await;
    }
}

/// Opens the store, makes the demo workspace, loads the jobs and templates, makes the
/// first admin when there is no user, starts a worker on the run queue, the webhook
/// notifier and the scheduler of the scheduled jobs, and serves.
pub async fn start(config: WebConfig) -> Result<Running, WebError> {
    let store = Store::connect(config.database_url.as_deref(), &config.data_dir).await?;
    run::ensure_demo(&store, &config.data_dir, false).await?;
    let (jobs, problems) = jobs::load(&config.jobs_dir);
    for p in problems {
        tracing::warn!(problem = %p, "a job spec in the jobs folder is not offered");
    }
    let glob = config.templates_dir.join("**").join("*.html");
    let templates =
        tera::Tera::new(&glob.to_string_lossy()).map_err(|source| WebError::Templates {
            dir: config.templates_dir.clone(),
            source,
        })?;
    let hooks = webhooks::WebhookConfig::load(config.config.as_deref(), &config.data_dir)?;
    let secrets: webhooks::Secrets = std::sync::Arc::new(config.webhook_secrets.clone());
    let first_admin = first_admin(&store, config.admin_password.as_deref()).await?;
    let (stop_worker, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = if config.run_worker {
        let worker = Worker::new(store.clone(), &config.data_dir, config.config.as_deref());
        tokio::spawn(worker.run_until(async {
            let _ = stopped.await;
        }))
    } else {
        // The runs this server starts are left to `sitewide worker` processes.
        tokio::spawn(async { Ok(()) })
    };
    let state_store = store.clone();
    let state_store_for_scheduler = store.clone();
    let state = web::Data::new(AppState {
        store,
        data_dir: config.data_dir.clone(),
        config: config.config.clone(),
        jobs,
        templates,
        assets: config.assets_dir.clone(),
        secure_cookies: config.secure_cookies,
        webhooks: hooks.clone(),
        webhook_secrets: secrets.clone(),
        login_throttle: throttle::LoginThrottle::default(),
    });
    let bind_error = |source| WebError::Bind {
        bind: config.bind.clone(),
        source,
    };
    let server =
        HttpServer::new(move || App::new().app_data(state.clone()).configure(app::configure))
            .workers(config.workers.max(1))
            .disable_signals()
            .bind(&config.bind)
            .map_err(bind_error)?;
    let addr = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| WebError::Bind {
            bind: config.bind.clone(),
            source: std::io::Error::other("no address"),
        })?;
    // The notifier's place in the log is set now, before any request can start a run,
    // so nothing logged from here on goes unannounced.
    state_store.webhook_cursor().await?;
    let (stop_notifier, notifier_stopped) = tokio::sync::oneshot::channel::<()>();
    let notifier = webhooks::Notifier {
        store: state_store,
        base_url: hooks
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}")),
        config: hooks,
        secrets,
        retry: config.webhook_retry,
        client: reqwest::Client::new(),
    };
    let notifier = tokio::spawn(notifier.run_until(async {
        let _ = notifier_stopped.await;
    }));
    let scheduler = start_scheduler(&config, &state_store_for_scheduler);
    let server = server.run();
    let handle = ServerHandle {
        server: server.handle(),
        served: tokio::spawn(server),
        stop_worker,
        worker,
        stop_notifier,
        notifier,
        stop_scheduler: scheduler.0,
        scheduler: scheduler.1,
    };
    Ok(Running {
        addr,
        handle,
        first_admin,
    })
}

/// Starts the scheduler of the jobs folder's scheduled jobs (`crate::run::schedule`).
fn start_scheduler(
    config: &WebConfig,
    store: &Store,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (jobs, _) = run::schedule::load_jobs(&config.jobs_dir);
    let scheduler = run::Scheduler::new(
        store.clone(),
        &config.data_dir,
        config.config.as_deref(),
        jobs,
        chrono::Utc::now(),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let clock: std::sync::Arc<dyn run::Clock> = std::sync::Arc::new(run::SystemClock);
    let task = tokio::spawn(run::schedule::run_until(scheduler, clock, async {
        let _ = stopped.await;
    }));
    (stop, task)
}

/// Makes the user `admin` when there is no user yet.
async fn first_admin(
    store: &Store,
    password: Option<&str>,
) -> Result<Option<FirstAdmin>, WebError> {
    if !store.users().await?.is_empty() {
        return Ok(None);
    }
    let generated = password.is_none().then(auth::random_password);
    let password = password.or(generated.as_deref()).unwrap_or_default();
    auth::add_user(store, "admin", Role::Admin, password)
        .await
        .map_err(WebError::Users)?;
    Ok(Some(FirstAdmin {
        name: "admin".to_string(),
        generated_password: generated,
    }))
}
