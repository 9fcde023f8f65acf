//! A small W3C WebDriver client over reqwest for the browser tests: it starts Debian's
//! `chromedriver` on a free port, opens headless Chromium at 1280x900, and offers what the
//! tests use (go to a URL, find elements by CSS or XPath, click, type, read text, run a
//! script, take a screenshot). Under CI a missing Chromium fails the test; elsewhere it is
//! skipped with a note, like the corpora in `crate::support`.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// `chromedriver` and the Chromium binary, or `None` (with a note) outside CI.
pub fn chromium() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| {
        names.iter().find_map(|n| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(n))
                    .find(|p| p.is_file())
            })
        })
    };
    let driver = find(&["chromedriver"]);
    let browser = find(&["chromium", "chromium-browser", "google-chrome"]);
    if let (Some(d), Some(b)) = (driver, browser) {
        return Some((d, b));
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI=true but chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
    );
    eprintln!("skipped: chromium and chromium-driver are not installed");
    None
}

/// A chromedriver process and one browser session in it.
pub struct Browser {
    driver: Child,
    base: String,
    client: reqwest::Client,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium window of 1280x900.
    pub async fn start(driver: &PathBuf, binary: &PathBuf) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let mut browser = Browser {
            driver: child,
            base: format!("http://127.0.0.1:{port}"),
            client,
        };
        browser.wait_ready().await;
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": binary, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--force-device-scale-factor=1", "--lang=en-US"]}}}});
        let session = browser.call("POST", "/session", Some(caps)).await;
        let id = session["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        browser.base = format!("{}/session/{id}", browser.base);
        browser
            .call(
                "POST",
                "/timeouts",
                Some(json!({"script": 60_000, "pageLoad": 60_000})),
            )
            .await;
        browser
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self
                .client
                .get(format!("{}/status", self.base))
                .send()
                .await;
            if let Ok(r) = ready
                && let Ok(text) = r.text().await
                && let Ok(v) = serde_json::from_str::<Value>(&text)
                && v["value"]["ready"] == true
            {
                return;
            }
            assert!(Instant::now() < deadline, "chromedriver never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One WebDriver command; panics with the driver's message on an error.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (v, ok) = self.try_call(method, path, body).await;
        assert!(ok, "WebDriver {method} {path}: {v}");
        v
    }

    async fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> (Value, bool) {
        let url = format!("{}{path}", self.base);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method.clone(), url);
        if method == reqwest::Method::POST {
            let body = body.unwrap_or_else(|| json!({}));
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let resp = req.send().await.expect("chromedriver answers");
        let ok = resp.status().is_success();
        let text = resp.text().await.unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        (v["value"].clone(), ok)
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url}))).await;
    }

    pub async fn url(&self) -> String {
        self.call("GET", "/url", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The first element matching `css`, if any, now.
    pub async fn find(&self, using: &str, value: &str) -> Option<String> {
        let (v, ok) = self
            .try_call(
                "POST",
                "/element",
                Some(json!({"using": using, "value": value})),
            )
            .await;
        ok.then(|| v[ELEMENT_KEY].as_str().map(str::to_string))
            .flatten()
    }

    /// Waits (up to `secs`) for an element matching `css` (`//...`: XPath).
    pub async fn wait_for(&self, selector: &str, secs: u64) -> String {
        let using = if selector.starts_with("//") {
            "xpath"
        } else {
            "css selector"
        };
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(e) = self.find(using, selector).await {
                return e;
            }
            if Instant::now() >= deadline {
                let url = self.url().await;
                let (source, _) = self.try_call("GET", "/source", None).await;
                let source: String = source.as_str().unwrap_or("").chars().take(3000).collect();
                panic!("no {selector} on {url} after {secs} s; the page:\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, element: &str) {
        self.call("POST", &format!("/element/{element}/click"), None)
            .await;
    }

    pub async fn type_into(&self, element: &str, text: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn text(&self, element: &str) -> String {
        let v = self
            .call("GET", &format!("/element/{element}/text"), None)
            .await;
        v.as_str().unwrap_or("").to_string()
    }

    /// A DOM property of the element (`value` of a field, `checked`, ...), as text.
    pub async fn property(&self, element: &str, name: &str) -> Option<String> {
        let v = self
            .call("GET", &format!("/element/{element}/property/{name}"), None)
            .await;
        v.as_str().map(str::to_string)
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Runs `script`, whose last argument is the callback that ends it.
    pub async fn script_async(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Saves a PNG of the window to `dir/name.png`; returns its path.
    pub async fn screenshot(&self, dir: &std::path::Path, name: &str) -> PathBuf {
        use base64_decode::decode;
        let v = self.call("GET", "/screenshot", None).await;
        let png = decode(v.as_str().expect("base64 PNG"));
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        println!("screenshot: {}", path.display());
        path
    }
}

impl Browser {
    /// Drops the session's cookies: the next page is seen logged out.
    pub async fn forget_cookies(&self) {
        let _ = self.try_call("DELETE", "/cookie", None).await;
    }

    /// Closes the browser and stops chromedriver.
    pub async fn quit(self) {
        let _ = self.try_call("DELETE", "", None).await;
    }
}

impl Drop for Browser {
    // chromedriver was started in a process group of its own: ending the group ends the
    // Chromium it started too, even when a test panicked before `quit`.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.wait();
    }
}

/// Standard base64 (what WebDriver sends screenshots in), without a crate.
mod base64_decode {
    pub fn decode(text: &str) -> Vec<u8> {
        let value = |c: u8| match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        };
        let mut out = Vec::with_capacity(text.len() * 3 / 4);
        let (mut acc, mut bits) = (0u32, 0u32);
        for v in text.bytes().filter_map(value) {
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        out
    }
}
