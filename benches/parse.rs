//! Page-model throughput beside scraper (html5ever), on generated 40 KB marketing pages:
//! `cargo bench --bench parse`. Prints MB/s per core for each; numbers go in the README.

use std::time::Instant;

use sitewide::qa::page::{Document, Engine, Format};

fn page(i: usize) -> String {
    let mut s = String::from("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str(&format!("<title>Page {i} | Acme</title><meta name=\"description\" content=\"Page {i} of the Acme site.\">"));
    s.push_str("<link rel=\"canonical\" href=\"https://www.acme.example/p/\"><script>window.dataLayer=window.dataLayer||[];</script></head><body>");
    let mut n = 0;
    while s.len() < 40_000 {
        n += 1;
        s.push_str(&format!(
            "<section id=\"s{n}\"><h2>Section {n}</h2><p>Analytics teams measure campaigns across channels. \
             See <a href=\"/features/f{n}/#intro\">feature {n}</a> and \
             <a href=\"https://partner.example/offer?utm_source=acme&amp;utm_medium=referral&amp;utm_campaign=2026-spring\">our partner</a>.</p>\
             <img src=\"/assets/img/i{n}.png\" alt=\"Chart {n}\" width=\"640\" height=\"360\"></section>\n"
        ));
    }
    s.push_str("</body></html>\n");
    s
}

fn main() {
    let pages: Vec<String> = (0..400).map(page).collect();
    let bytes: usize = pages.iter().map(String::len).sum();
    let mb = bytes as f64 / 1_048_576.0;

    let t = Instant::now();
    let mut links = 0;
    for p in &pages {
        let d = Document::parse("p.html", p.clone(), Engine::Liquid, Format::Html);
        links += d.links.len();
    }
    let ours = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut anchors = 0;
    let sel = scraper::Selector::parse("a[href]").expect("a valid selector");
    for p in &pages {
        let d = scraper::Html::parse_document(p);
        anchors += d.select(&sel).count();
    }
    let theirs = t.elapsed().as_secs_f64();

    println!("{mb:.1} MB of pages, one core");
    println!(
        "sitewide page model: {:>7.1} MB/s ({links} links with spans)",
        mb / ours
    );
    println!(
        "scraper DOM + select: {:>6.1} MB/s ({anchors} anchors, no spans)",
        mb / theirs
    );
}
