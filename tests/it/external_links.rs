//! `--external-links` (LNK-004) from the command line, against a server the test starts on
//! loopback: off unless asked, findings at the link, the cache in the data directory.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::support::{Tree, json, sitewide, stderr};

/// A loopback server on its own thread: `/gone` answers 404, anything else 200. Records
/// the paths asked.
fn server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
            let status = if path == "/gone" {
                "404 Not Found"
            } else {
                "200 OK"
            };
            seen.lock().unwrap().push(path);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (origin, hits)
}

fn site(origin: &str) -> Tree {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><title>Partners of the team</title></head>\n<body>\n<a href=\"{origin}/gone\">Old offer</a>\n<a href=\"{origin}/ok\">Offer</a>\n</body></html>\n"
    );
    Tree::new(&[
        ("index.html", &page),
        (
            "sitewide.toml",
            "[links.external]\ncheck_local_hosts = true\n",
        ),
    ])
}

#[test]
fn external_links_are_requested_only_when_asked_and_reported_at_the_link() {
    let (origin, hits) = server();
    let t = site(&origin);
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();

    let out = sitewide(&["check", t.str(), "--format", "json"]);
    assert!(!json(&out)["findings"].to_string().contains("LNK-004"));
    let out = sitewide(&["check", t.str(), "--rules", "LNK-004"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--external-links"),
        "{}",
        stderr(&out)
    );
    let out = sitewide(&["check", t.str(), "--rules", "LNK-*"]);
    assert!(
        stderr(&out).contains("LNK-004 (external links) did not run"),
        "{}",
        stderr(&out)
    );
    assert!(
        hits.lock().unwrap().is_empty(),
        "nothing requested while off"
    );

    let args = [
        "check",
        t.str(),
        "--external-links",
        "--data-dir",
        data_dir,
        "--format",
        "json",
    ];
    let out = sitewide(&args);
    assert_eq!(out.status.code(), Some(0), "a warning: {}", stderr(&out));
    let v = json(&out);
    let found: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "LNK-004")
        .collect();
    assert_eq!(found.len(), 1, "{v:#}");
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(4), Some(10))
    );
    assert_eq!(found[0]["severity"], "warning");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("answers 404")
    );
    assert!(
        stderr(&out).contains("2 URLs, 2 requested, 0 from the cache"),
        "{}",
        stderr(&out)
    );

    // The working link's outcome is cached in the data directory; the broken one is asked
    // again only after `cache_broken_hours`.
    let again = sitewide(&args);
    assert!(
        stderr(&again).contains("0 requested, 2 from the cache"),
        "{}",
        stderr(&again)
    );
    assert_eq!(json(&again)["findings"], v["findings"]);
    assert_eq!(hits.lock().unwrap().len(), 2);
}

#[test]
fn the_tagging_audit_checks_external_links_when_asked() {
    let (origin, hits) = server();
    let t = site(&origin);
    let data = tempfile::tempdir().unwrap();
    let out = sitewide(&["audit", t.str(), "--format", "json"]);
    assert!(!json(&out)["check"].to_string().contains("LNK-004"));
    assert!(hits.lock().unwrap().is_empty());
    let data_dir = data.path().to_str().unwrap();
    let out = sitewide(&[
        "audit",
        t.str(),
        "--external-links",
        "--data-dir",
        data_dir,
        "--format",
        "json",
    ]);
    let v = json(&out);
    assert_eq!(
        v["check"]["summary"]["by_rule"]["LNK-004"],
        1,
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_audit_run_checks_external_links_only_when_its_spec_asks_and_caches_them_in_the_store() {
    let (origin, hits) = server();
    let t = site(&origin);
    let files: Vec<(String, String)> = ["index.html", "sitewide.toml"]
        .iter()
        .map(|p| (p.to_string(), t.read(p)))
        .collect();
    let repo = crate::support::git_repo(&files);
    let data = tempfile::tempdir().unwrap();
    let jobs = tempfile::tempdir().unwrap();
    let run = |name: &str, qa: &str| {
        let spec = jobs.path().join(format!("{name}.toml"));
        let text = format!("name = \"{name}\"\nkind = \"audit\"\ntargets = [\"**/*.html\"]\n{qa}");
        std::fs::write(&spec, text).unwrap();
        // The test's servers are on loopback: the operator allows local hosts.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sitewide"))
            .args(["run", spec.to_str().unwrap(), "--workspace"])
            .arg(repo.path())
            .args(["--json", "--data-dir"])
            .arg(data.path())
            .env("SITEWIDE_NOW", "2026-11-27")
            .env("SITEWIDE_LINKS_ALLOW_LOCAL", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let off = run("plain", "");
    assert!(off["audit"]["by_rule"].get("LNK-004").is_none(), "{off}");
    assert!(hits.lock().unwrap().is_empty());
    let on = run("links", "[qa]\nexternal_links = true\n");
    let audit = &on["audit"];
    assert_eq!(audit["by_rule"]["LNK-004"], 1, "{audit}");
    assert_eq!(audit["external_links"]["requested"], 2, "{audit}");
    let again = run("links-again", "[qa]\nexternal_links = true\n");
    assert_eq!(again["audit"]["external_links"]["cached"], 2, "{again}");
    assert_eq!(hits.lock().unwrap().len(), 2);
}
