//! A test server: the real app on 127.0.0.1:0 with a temporary data directory, its store
//! opened beside it to make users and tokens, and a small HTTP client over reqwest.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sitewide::store::Store;
use sitewide::web::{self, Role, WebConfig};

pub const ADMIN_PASSWORD: &str = "admin-test-password";

/// How a request proves who sent it.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(String),
    /// The session cookie (`name=value`) and the CSRF token to send, if any.
    Session {
        cookie: String,
        csrf: Option<String>,
    },
}

pub struct TestApp {
    pub base: String,
    pub data: PathBuf,
    pub store: Store,
    client: reqwest::Client,
    /// Stops the server, which runs on a thread and runtime of its own: however the test
    /// ends, dropping the app never waits on the server's shutdown.
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_with(|_| {}).await
    }

    /// Starts with the config changed by `adjust` (which may write files into the data
    /// directory, `config.data_dir`, before the server reads them).
    pub async fn start_with(adjust: impl FnOnce(&mut WebConfig)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut config = WebConfig::new(&data);
        config.bind = "127.0.0.1:0".into();
        config.admin_password = Some(ADMIN_PASSWORD.into());
        config.workers = 2;
        adjust(&mut config);
        let database = config.database_url.clone();
        let (started, running) = tokio::sync::oneshot::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let running = web::start(config).await.expect("the server starts");
                let _ = started.send((running.addr, running.first_admin));
                let _ = stopped.await;
                let _ = tokio::time::timeout(Duration::from_secs(5), running.handle.stop()).await;
            });
            rt.shutdown_background();
        });
        let (addr, first_admin) = running.await.expect("the server starts");
        assert_eq!(first_admin.map(|a| a.name), Some("admin".into()));
        let store = Store::connect(database.as_deref(), &data).await.unwrap();
        TestApp {
            base: format!("http://{addr}"),
            data,
            store,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            stop: Some(stop),
            _dir: dir,
        }
    }

    /// A user with `role` and an API token for it.
    pub async fn user(&self, name: &str, role: Role) -> Auth {
        web::auth::add_user(&self.store, name, role, "pw-of-test-user")
            .await
            .unwrap();
        Auth::Bearer(web::auth::create_token(&self.store, name).await.unwrap())
    }

    /// A bearer token for the first admin.
    pub async fn admin(&self) -> Auth {
        Auth::Bearer(web::auth::create_token(&self.store, "admin").await.unwrap())
    }

    pub fn request(&self, method: Method, path: &str, auth: &Auth) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        match auth {
            Auth::None => {}
            Auth::Bearer(t) => req = req.header("Authorization", format!("Bearer {t}")),
            Auth::Session { cookie, csrf } => {
                req = req.header("Cookie", cookie);
                if let Some(c) = csrf {
                    req = req.header("X-CSRF-Token", c);
                }
            }
        }
        req
    }

    /// Sends and reads the answer as JSON (`null` when it is not JSON).
    pub async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.expect("the server answers");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> (StatusCode, Value) {
        self.send(self.request(Method::GET, path, auth)).await
    }

    pub async fn post(&self, path: &str, auth: &Auth, body: &Value) -> (StatusCode, Value) {
        let req = self
            .request(Method::POST, path, auth)
            .header("Content-Type", "application/json")
            .body(body.to_string());
        self.send(req).await
    }

    /// Starts a run of the recipe job on the demo workspace; returns its id.
    pub async fn start_run(&self, auth: &Auth) -> String {
        let body = json!({"job": "strip-internal-utms", "workspace": "demo"});
        let (status, run) = self.post("/api/v1/runs", auth, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{run}");
        run["id"].as_str().unwrap().to_string()
    }

    /// Waits until the run's work is over; returns it.
    pub async fn settled(&self, id: &str, auth: &Auth) -> Value {
        let start = Instant::now();
        loop {
            let (status, run) = self.get(&format!("/api/v1/runs/{id}"), auth).await;
            assert_eq!(status, StatusCode::OK, "{run}");
            if !matches!(run["state"].as_str(), Some("queued" | "running")) {
                return run;
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "run {id} never settled"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Logs in through the form; returns the session cookie (`name=value`) and the raw
    /// Set-Cookie header.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
    ) -> (StatusCode, Option<(String, String)>) {
        let resp = self
            .request(Method::POST, "/login", &Auth::None)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!("name={name}&password={password}"))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let set = resp
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let pair = set.map(|s| (s.split(';').next().unwrap_or("").to_string(), s));
        (status, pair)
    }

    /// The demo workspace's git repository.
    pub fn demo_repo(&self) -> PathBuf {
        self.data.join("workspaces").join("demo")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
