//! A model run over N files (default 500) against the scripted OpenAI-compatible server
//! streaming at R tokens/s per request (default 1,000) with `concurrency` C (default 8):
//! the run's wall time against the bound the model's own streaming sets (total streamed
//! tokens / (R × C)), Sitewide's own time per change (all but waiting for room and for the
//! model; `sitewide_ms` in each change's last attempt), and the forecast beside the actual.
//!
//!   cargo bench --bench model_run [-- FILES [RATE [CONCURRENCY [REPLY_TOKENS]]]]
//!
//! Writes benches/results-model-FILES.md and .json.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/fake_model.rs"]
mod fake_model;
#[path = "support/offers.rs"]
mod offers;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use offers::{median, offers_repo, start_model, write_config};
use serde_json::{Value, json};

/// A page with the CTA to swap and some body text around it.
fn page(i: usize) -> String {
    let body: String = (0..40)
        .map(|j| format!("<p>Section {j} of offer {i}: analytics dashboards for every team.</p>\n"))
        .collect();
    format!(
        "---\nlayout: default\ntitle: Offer {i}\n---\n<h1>Offer {i}</h1>\n{body}<p><a class=\"btn\" href=\"/signup/\">Start free trial</a></p>\n{body}"
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let num =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (files, rate, concurrency, reply_tokens) =
        (num(0, 500), num(1, 1000), num(2, 8), num(3, 400));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fake = start_model(&runtime, reply_tokens, rate);
    let work = tempfile::tempdir().expect("temp");
    let repo = offers_repo(work.path(), files, page);
    let config = write_config(
        work.path(),
        &fake.url,
        &format!("min_tokens_per_s = {rate}\nmax_ttft_ms = 200\n"),
    );
    let job = work.path().join("cta.toml");
    std::fs::write(
        &job,
        format!(
            "name = \"cta-get-started\"\nengine = \"model\"\ntargets = [\"offers/*.html\"]\ninstruction = 'Replace the CTA text \"Start free trial\" with \"Get started\".'\n\n[model]\nprovider = \"fake\"\nname = \"fast-1\"\n\n[budget]\nattempts = 1\nconcurrency = {concurrency}\n"
        ),
    )
    .expect("write");

    let started = Instant::now();
    let out = runtime.block_on(async {
        tokio::task::spawn_blocking({
            let (job, repo, config, data) = (
                job.clone(),
                repo.clone(),
                config.clone(),
                work.path().join("data"),
            );
            move || {
                Command::new(env!("CARGO_BIN_EXE_sitewide"))
                    .arg("run")
                    .arg(&job)
                    .arg("--workspace")
                    .arg(&repo)
                    .arg("--config")
                    .arg(&config)
                    .arg("--data-dir")
                    .arg(&data)
                    .args(["--json", "--as", "bench"])
                    .output()
                    .expect("sitewide runs")
            }
        })
        .await
        .expect("join")
    });
    let wall = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: Value = serde_json::from_slice(&out.stdout).expect("json");
    let changes = run["changes"].as_array().expect("changes");
    let proposed = changes.iter().filter(|c| c["state"] == "proposed").count();
    let streamed: u64 = run["receipts"]
        .as_array()
        .expect("receipts")
        .iter()
        .filter_map(|r| r["output_tokens"].as_u64())
        .sum();
    let bound = streamed as f64 / (rate as f64 * concurrency as f64);
    let own: Vec<f64> = changes
        .iter()
        .filter_map(|c| c["attempts"].as_array()?.last()?["sitewide_ms"].as_f64())
        .collect();
    let own_median = median(own.clone());
    let own_p95 = {
        let mut v = own.clone();
        v.sort_by(f64::total_cmp);
        v.get(v.len().saturating_sub(1).min(v.len() * 95 / 100))
            .copied()
            .unwrap_or(0.0)
    };
    let forecast = &run["forecast"];
    let result = json!({
        "files": files,
        "tokens_per_s_per_request": rate,
        "concurrency": concurrency,
        "reply_tokens": reply_tokens,
        "proposed": proposed,
        "streamed_output_tokens": streamed,
        "bound_s": bound,
        "wall_s": wall,
        "run_wall_time_s": run["totals"]["wall_time_s"],
        "ratio": wall / bound,
        "sitewide_ms_per_change_median": own_median,
        "sitewide_ms_per_change_p95": own_p95,
        "forecast": forecast,
        "totals": run["totals"],
    });
    let md = format!(
        "# Model run: {files} files, {rate} tokens/s per request, concurrency {concurrency}\n\n\
         `cargo bench --bench model_run -- {files} {rate} {concurrency} {reply_tokens}` (the scripted server in\n\
         tests/support/fake_model.rs, each answer about {reply_tokens} tokens)\n\n\
         | measure | value |\n|---|--:|\n\
         | changes proposed | {proposed} of {files} |\n\
         | output tokens streamed | {streamed} |\n\
         | bound: tokens / (rate × concurrency) | {bound:.2} s |\n\
         | `sitewide run` wall time (process start to exit) | {wall:.2} s |\n\
         | ratio to the bound | {:.3}× |\n\
         | Sitewide's own time per change, median | {own_median:.2} ms |\n\
         | Sitewide's own time per change, p95 | {own_p95:.2} ms |\n\
         | forecast: input / output tokens, cost, time | {} / {}, ${:.4}, {:.1} s |\n\
         | actual: input / output tokens, cost, time | {} / {}, ${:.4}, {:.1} s |\n",
        wall / bound,
        forecast["input_tokens"],
        forecast["output_tokens"],
        forecast["cost_usd"].as_f64().unwrap_or(0.0),
        forecast["wall_time_s"].as_f64().unwrap_or(0.0),
        run["totals"]["tokens"]["input"],
        run["totals"]["tokens"]["output"],
        run["totals"]["cost_usd"].as_f64().unwrap_or(0.0),
        run["totals"]["wall_time_s"].as_f64().unwrap_or(0.0),
    );
    print!("{md}");
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    std::fs::write(here.join(format!("results-model-{files}.md")), &md).expect("write");
    std::fs::write(
        here.join(format!("results-model-{files}.json")),
        serde_json::to_string_pretty(&result).expect("json"),
    )
    .expect("write");
}
