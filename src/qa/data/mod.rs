//! Reference data shipped with Sitewide (GA4 limits and reserved names, ad-platform API
//! versions and their sunsets, the channel map), each a TOML file in this folder. A
//! repository overrides one by keeping a file of the same name in `.sitewide/`
//! (`.sitewide/api_versions.toml`), which replaces the shipped table whole.

use crate::qa::tree::Tree;

pub mod api_versions;
pub mod ga4;

/// GA4's default channel group (`utm_medium` → channel): the default `[utm.mediums]`.
pub const CHANNELS: &str = include_str!("channels.toml");

/// Where a repository keeps its own copies of the data files.
pub const OVERRIDE_DIR: &str = ".sitewide";

/// The text of data file `name` for this tree: the repository's override when it has one,
/// else `shipped`, with the path it came from (for error messages).
pub fn text(tree: &dyn Tree, name: &str, shipped: &'static str) -> (String, String) {
    let rel = format!("{OVERRIDE_DIR}/{name}");
    match tree.read_string(&rel) {
        Some(own) => (own, rel),
        None => (shipped.to_string(), format!("(built in) {name}")),
    }
}

#[cfg(test)]
mod tests {
    use super::text;
    use crate::qa::tree::Disk;

    #[test]
    fn the_shipped_channel_map_is_the_default_taxonomy() {
        let config = crate::config::SiteConfig::default();
        let paid = config.utm.mediums.get("cpc").map(|c| c.get_ref().as_str());
        assert_eq!(paid, Some("Paid Search"));
        assert_eq!(config.utm.mediums.len(), 20);
    }

    #[test]
    fn a_repository_file_replaces_the_shipped_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tree = Disk::new(dir.path());
        assert_eq!(text(&tree, "x.toml", "a = 1").0, "a = 1");
        std::fs::create_dir(dir.path().join(".sitewide")).expect("mkdir");
        std::fs::write(dir.path().join(".sitewide/x.toml"), "a = 2").expect("write");
        assert_eq!(
            text(&tree, "x.toml", "a = 1"),
            ("a = 2".to_string(), ".sitewide/x.toml".to_string())
        );
    }
}
