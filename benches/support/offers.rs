//! The site and model the model-run benchmarks share: a git repository of offer pages
//! with a CTA to swap, the scripted model server answering each page with the swap
//! (padded to a number of tokens), and the service config naming it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::fake_model::{FakeModel, Reply, Script};

pub fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

/// The model's answer for `path`: the CTA swap, padded with a comment line per 10 tokens
/// so that it streams `tokens` tokens (4 characters a token).
pub fn answer(path: &str, tokens: usize) -> String {
    let block = format!(
        "{path}\n<<<<<<< SEARCH\n<p><a class=\"btn\" href=\"/signup/\">Start free trial</a></p>\n=======\n<p><a class=\"btn\" href=\"/signup/\">Get started</a></p>\n>>>>>>> REPLACE\n"
    );
    let pad = (tokens * 4).saturating_sub(block.len());
    let mut out = String::from("I replaced the CTA text as asked.");
    while out.len() < pad {
        out.push_str(" The rest of the page stays as it was.");
    }
    format!("{out}\n\n{block}")
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    v[v.len() / 2]
}

/// The scripted model server: each request's page (`offers/…html` in the prompt) gets
/// its swap, `reply_tokens` long, streamed at `rate` tokens/s.
pub fn start_model(
    runtime: &tokio::runtime::Runtime,
    reply_tokens: usize,
    rate: usize,
) -> FakeModel {
    runtime.block_on(FakeModel::start(Script::from_fn(move |body| {
        let user = body["messages"][1]["content"].as_str().unwrap_or_default();
        let path = user
            .lines()
            .find(|l| l.starts_with("offers/") && l.ends_with(".html"))
            .unwrap_or("offers/unknown.html")
            .to_string();
        Reply::text(answer(&path, reply_tokens))
            .tokens_per_s(rate as f64)
            .into()
    })))
}

/// A git repository at `work/site` of `files` pages `offers/oNNNN.html` made by `page`,
/// with a layout and a `_config.yml`, in one commit.
pub fn offers_repo(work: &Path, files: usize, page: impl Fn(usize) -> String) -> PathBuf {
    let repo = work.join("site");
    std::fs::create_dir_all(repo.join("offers")).expect("mkdir");
    std::fs::create_dir_all(repo.join("_layouts")).expect("mkdir");
    std::fs::write(
        repo.join("_config.yml"),
        "url: \"https://www.acme.example\"\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("_layouts/default.html"),
        "<!doctype html>\n<html lang=\"en\"><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>\n",
    )
    .expect("write");
    for i in 0..files {
        std::fs::write(repo.join(format!("offers/o{i:04}.html")), page(i)).expect("write");
    }
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "Offers"]);
    repo
}

/// `work/config.toml` naming the model server as provider `fake` (model `fast-1`), with
/// `provider_extra` lines in its provider table.
pub fn write_config(work: &Path, url: &str, provider_extra: &str) -> PathBuf {
    let config = work.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.fake]\nbase_url = \"{url}\"\n{provider_extra}\n[[providers.fake.models]]\nname = \"fast-1\"\ninput_usd_per_mtok = 0.25\noutput_usd_per_mtok = 0.69\n"
        ),
    )
    .expect("write");
    config
}
