//! `--external-links` of `sitewide check` and `sitewide audit`: the network phase after the
//! check (`crate::links`), with its cache in the data directory's store, and the notes that
//! say what was and was not checked.

use std::path::Path;

use crate::config::SiteConfig;
use crate::links::{self, Options, Summary};
use crate::qa::engine::{self, Report, Selection};
use crate::store::Store;

/// Requests the external links of `report` and adds LNK-004's findings, when the
/// selection has LNK-004; says what it did on standard error.
pub fn check_external(
    report: &mut Report,
    config: &SiteConfig,
    selection: &Selection,
    data_dir: Option<&Path>,
) -> Result<(), String> {
    if !selection.network() {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("error: cannot start the async runtime: {e}"))?;
    let data = crate::config::data_dir(data_dir);
    let options = Options::from_config(&config.links.external);
    let summary = runtime.block_on(async {
        let store = Store::connect(crate::config::database_url().as_deref(), &data).await.map_err(|e| {
            format!(
                "error: the external link cache: {e}\n  = hint: pass --data-dir DIR (the cache is the link_checks table of its database)"
            )
        })?;
        links::check_report(report, config, selection, &options, Some(&store))
            .await
            .map_err(|e| format!("error: {e}"))
    })?;
    eprintln!("{}", summary_line(&summary));
    Ok(())
}

/// `external links: 12 URLs, 3 requested, 8 from the cache, 1 not requested, 2 broken`.
pub fn summary_line(s: &Summary) -> String {
    format!(
        "external links (LNK-004): {} URL{}, {} requested, {} from the cache, {} not requested (ignored, local or not http), {} broken",
        s.urls,
        if s.urls == 1 { "" } else { "s" },
        s.requested,
        s.cached,
        s.skipped,
        s.broken
    )
}

/// A note when `--rules` names LNK-004 (by a glob) while the network is off: it did not
/// run, which is not a pass.
pub fn note_network_off(patterns: &[String], network: bool) {
    if network {
        return;
    }
    for id in engine::network_rules_named(patterns) {
        eprintln!(
            "note: {id} (external links) did not run: it contacts other servers only with --external-links"
        );
    }
}
