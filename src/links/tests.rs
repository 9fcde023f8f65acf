//! External link checks against a server each test starts on loopback: no request leaves
//! the machine.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::*;
use crate::config::ExternalLinksConfig;
use crate::qa::rules::links::external_link::META;

/// A loopback HTTP server that records each request and the most requests it ever had in
/// flight at once.
struct Server {
    addr: SocketAddr,
    hits: Arc<Mutex<Vec<(String, String)>>>,
    most_in_flight: Arc<AtomicUsize>,
}

impl Server {
    async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let (h, m) = (hits.clone(), most_in_flight.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (h, m, f) = (h.clone(), m.clone(), in_flight.clone());
                tokio::spawn(async move {
                    let now = f.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(now, Ordering::SeqCst);
                    serve(stream, &h).await;
                    f.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Server {
            addr,
            hits,
            most_in_flight,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits_of(&self, path: &str) -> usize {
        let hits = self.hits.lock().unwrap();
        hits.iter().filter(|(_, p)| p == path).count()
    }
}

async fn serve(stream: tokio::net::TcpStream, hits: &Mutex<Vec<(String, String)>>) {
    let mut reader = BufReader::new(stream);
    let mut first = String::new();
    if reader.read_line(&mut first).await.unwrap_or(0) == 0 {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let seen = {
        let mut hits = hits.lock().unwrap();
        hits.push((method.clone(), path.clone()));
        hits.iter().filter(|(_, p)| *p == path).count()
    };
    let (status, location, delay) = route(&method, &path, seen);
    tokio::time::sleep(delay).await;
    let location = match location {
        Some(wait) if status == 429 => format!("Retry-After: {wait}\r\n"),
        Some(l) => format!("Location: {l}\r\n"),
        None => String::new(),
    };
    let head =
        format!("HTTP/1.1 {status} X\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n");
    let mut stream = reader.into_inner();
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Status, `Location` (`Retry-After` for a 429) and delay per path; `seen` counts this
/// path's requests so far.
fn route(method: &str, path: &str, seen: usize) -> (u16, Option<&'static str>, Duration) {
    let now = Duration::ZERO;
    match path {
        "/ok" | "/offer" => (200, None, now),
        "/gone" | "/old-offer" => (404, None, now),
        "/flaky" if seen == 1 => (500, None, now),
        "/flaky" => (200, None, now),
        "/rate-limited" if seen == 1 => (429, Some("0"), now),
        "/rate-limited" => (200, None, now),
        "/too-patient" => (429, Some("3600"), now),
        "/moved" => (301, Some("/ok"), now),
        "/moved-gone" => (301, Some("/gone"), now),
        "/loop" => (301, Some("/loop"), now),
        "/to-loopback" => (302, Some("http://127.0.0.1:9/admin"), now),
        "/no-head" if method == "HEAD" => (405, None, now),
        "/no-head" => (200, None, now),
        "/slow" => (200, None, Duration::from_secs(3)),
        p if p.starts_with("/busy/") => (200, None, Duration::from_millis(150)),
        _ => (404, None, now),
    }
}

fn options() -> Options {
    let mut o = Options::from_config(&ExternalLinksConfig {
        check_local_hosts: true,
        ..ExternalLinksConfig::default()
    });
    o.timeout = Duration::from_millis(500);
    o.backoff = Duration::from_millis(10);
    o.retries = 2;
    o.max_redirects = 3;
    o
}

#[tokio::test]
async fn each_answer_is_judged_ok_or_broken_with_its_status_and_final_url() {
    let server = Server::start().await;
    let paths = [
        "/ok",
        "/gone",
        "/flaky",
        "/moved",
        "/moved-gone",
        "/no-head",
        "/slow",
        "/loop",
        "/rate-limited",
        "/too-patient",
    ];
    let urls: Vec<String> = paths.iter().map(|p| server.url(p)).collect();
    let (outcomes, summary) = check_urls(&urls, &options(), None).await.unwrap();
    let of = |p: &str| outcomes[&server.url(p)].clone();
    assert_eq!(
        of("/ok"),
        Outcome::Ok {
            status: 200,
            final_url: None
        }
    );
    assert_eq!(
        of("/gone"),
        Outcome::Status {
            status: 404,
            final_url: None
        }
    );
    assert_eq!(
        of("/flaky"),
        Outcome::Ok {
            status: 200,
            final_url: None
        }
    );
    assert_eq!(server.hits_of("/flaky"), 2, "one retry after the 500");
    let moved = Some(server.url("/ok"));
    assert_eq!(
        of("/moved"),
        Outcome::Ok {
            status: 200,
            final_url: moved
        }
    );
    let gone = Some(server.url("/gone"));
    assert_eq!(
        of("/moved-gone"),
        Outcome::Status {
            status: 404,
            final_url: gone
        }
    );
    assert_eq!(
        of("/no-head"),
        Outcome::Ok {
            status: 200,
            final_url: None
        }
    );
    assert!(matches!(of("/slow"), Outcome::Failed { reason } if reason.starts_with("timed out")));
    assert_eq!(server.hits_of("/slow"), 3, "a timeout is retried twice");
    assert!(
        matches!(of("/loop"), Outcome::Failed { reason } if reason.starts_with("too many redirects"))
    );
    assert_eq!(
        of("/rate-limited"),
        Outcome::Ok {
            status: 200,
            final_url: None
        }
    );
    assert_eq!(
        server.hits_of("/rate-limited"),
        2,
        "asked again after Retry-After: 0"
    );
    assert_eq!(
        of("/too-patient"),
        Outcome::Status {
            status: 429,
            final_url: None
        }
    );
    assert_eq!(
        server.hits_of("/too-patient"),
        1,
        "an hour's Retry-After ends the tries"
    );
    assert_eq!((summary.requested, summary.broken), (10, 5));
}

#[tokio::test]
async fn never_more_than_per_host_requests_are_in_flight_to_one_host() {
    let server = Server::start().await;
    let urls: Vec<String> = (0..8).map(|i| server.url(&format!("/busy/{i}"))).collect();
    let (outcomes, _) = check_urls(&urls, &options(), None).await.unwrap();
    assert!(outcomes.values().all(|o| !o.is_broken()));
    assert_eq!(server.hits.lock().unwrap().len(), 8);
    assert_eq!(server.most_in_flight.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn ignored_and_local_urls_are_never_requested() {
    let server = Server::start().await;
    let config = ExternalLinksConfig {
        check_local_hosts: true,
        ignore: vec![format!("http://{}/gone", server.addr), "*/moved*".into()],
        ..ExternalLinksConfig::default()
    };
    let urls = vec![server.url("/gone"), server.url("/moved"), server.url("/ok")];
    let (outcomes, summary) = check_urls(&urls, &Options::from_config(&config), None)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!((summary.skipped, summary.requested), (2, 1));
    assert_eq!(server.hits_of("/gone") + server.hits_of("/moved"), 0);
    // Loopback is skipped unless the config asks for it.
    let (outcomes, _) = check_urls(
        &urls,
        &Options::from_config(&ExternalLinksConfig::default()),
        None,
    )
    .await
    .unwrap();
    assert!(outcomes.is_empty());
    assert_eq!(server.hits_of("/ok"), 1);
}

#[tokio::test]
async fn a_second_run_answers_a_cached_working_url_without_a_request() {
    let server = Server::start().await;
    let (store, _dir) = crate::store::test_store().await;
    let mut options = options();
    options.cache_broken = chrono::Duration::zero();
    let urls = vec![server.url("/ok"), server.url("/gone")];
    let (first, _) = check_urls(&urls, &options, Some(&store)).await.unwrap();
    let (second, summary) = check_urls(&urls, &options, Some(&store)).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(
        server.hits_of("/ok"),
        1,
        "the working link came from the cache"
    );
    assert_eq!(
        server.hits_of("/gone"),
        2,
        "a broken result kept for 0 hours is asked again"
    );
    assert_eq!((summary.cached, summary.requested), (1, 1));
}

/// LNK-004's catalogue examples, checked like every rule's (`rules::tests`), with the
/// example host answered by the loopback server over plain HTTP.
#[tokio::test]
async fn the_catalogue_examples_of_lnk_004_are_flagged_and_passed() {
    let server = Server::start().await;
    let mut options = options();
    options.resolve = vec![("partner.example.org".into(), server.addr)];
    let url = |p: &str| format!("http://partner.example.org:{}{p}", server.addr.port());
    let as_served = |t: &str| t.replace("https://partner.example.org", &url(""));
    let bad = check_example(&as_served(META.bad), &options).await;
    assert_eq!(bad.len(), 1, "{bad:#?}");
    assert!(bad[0].message.contains("answers 404"), "{}", bad[0].message);
    assert!(
        check_example(&as_served(META.good), &options)
            .await
            .is_empty()
    );
}

async fn check_example(html: &str, options: &Options) -> Vec<crate::qa::finding::Finding> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), html).unwrap();
    let config =
        crate::config::SiteConfig::parse(&dir.path().join("sitewide.toml"), crate::config::STARTER)
            .unwrap();
    let selection = Selection::with_network(&config, &[]).unwrap();
    let tree = crate::qa::tree::Disk::new(dir.path());
    let mut report = engine::check_on(
        &tree,
        &config,
        &selection,
        2026,
        crate::qa::testing::today(),
    )
    .unwrap();
    check_report(&mut report, &config, &selection, options, None)
        .await
        .unwrap();
    report
        .findings
        .into_iter()
        .filter(|f| f.rule.id == META.id)
        .collect()
}

#[tokio::test]
async fn a_broken_link_is_reported_at_every_occurrence_and_a_silenced_one_is_not() {
    let server = Server::start().await;
    let gone = server.url("/moved-gone");
    let html = format!(
        "<p><a href=\"{gone}\">a</a></p>\n<p><a href=\"{gone}#top\">b</a>\n<a href=\"{ok}\">c</a></p>\n\
         <!-- sitewide-ignore LNK-004 -->\n<a href=\"{gone}\">d</a>\n\
         <link rel=\"preconnect\" href=\"{nothing}\">\n",
        ok = server.url("/ok"),
        nothing = server.url("/nothing"),
    );
    let found = check_example(&html, &options()).await;
    let at: Vec<(usize, usize)> = found.iter().map(|f| (f.line, f.column)).collect();
    assert_eq!(at, vec![(1, 13), (2, 13)]);
    assert!(
        found[0].message.contains(&server.url("/gone")),
        "{}",
        found[0].message
    );
    assert_eq!(server.hits_of("/moved-gone"), 1, "one request per URL");
    assert_eq!(
        server.hits_of("/nothing"),
        0,
        "a preconnect origin is not a page"
    );
}

/// With local hosts left out, a public name's redirect into the local network is not
/// followed, and a name that resolves to local addresses only is not connected to.
#[tokio::test]
async fn a_link_never_reaches_a_local_host_through_a_redirect_or_dns() {
    let server = Server::start().await;
    let mut options = options();
    options.check_local_hosts = false;
    options.resolve = vec![("partner.example.org".into(), server.addr)];
    let client = super::probe::client(&options).unwrap();
    let url = format!(
        "http://partner.example.org:{}/to-loopback",
        server.addr.port()
    );
    let outcome = super::probe::probe(&client, &options, &url).await;
    assert!(
        matches!(&outcome, Outcome::Failed { reason } if reason.starts_with("redirects to a local host")),
        "{outcome:?}"
    );
    assert_eq!(server.hits_of("/to-loopback"), 1, "asked once, not retried");
    let outcome = super::probe::probe(&client, &options, "http://localhost:9/admin").await;
    assert!(
        matches!(&outcome, Outcome::Failed { reason } if reason.contains("local addresses only")),
        "{outcome:?}"
    );
}
