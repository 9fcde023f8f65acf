//! Site-config values a tag id may be written as: Jekyll `{{ site.google_analytics }}`
//! (`_config.yml`) and `{{ site.data.analytics.gtm }}` (`_data/`), Hugo
//! `{{ .Site.Params.gtm }}`, `site.Params.x`, `.Site.Config.Services.GoogleAnalytics.ID`
//! (`hugo.toml`, `config.toml`, `config/_default/`) and `.Site.Data.x.y` (`data/`).
//! Read once per check (into the rules' `Settings`); a key that cannot be read stays
//! unresolved.

use serde_json::Value as Json;

use super::tags::TagId;
use crate::qa::tree::Tree;

#[derive(Debug, Default)]
pub struct SiteValues {
    /// The generator config, merged (Hugo's `params.toml` under `params`).
    config: Json,
    /// Data files by name without extension: Jekyll `_data/`, Hugo `data/`, Eleventy `_data/`.
    data: Json,
}

impl SiteValues {
    /// No values: for checks that have no tree to read them from (a recipe's re-check).
    pub fn none() -> &'static SiteValues {
        static NONE: std::sync::LazyLock<SiteValues> =
            std::sync::LazyLock::new(SiteValues::default);
        &NONE
    }

    pub fn load(tree: &dyn Tree) -> SiteValues {
        let mut v = SiteValues {
            config: Json::Object(Default::default()),
            data: Json::Object(Default::default()),
        };
        for name in [
            "_config.yml",
            "_config.yaml",
            "hugo.toml",
            "hugo.yaml",
            "hugo.yml",
            "hugo.json",
            "config.toml",
            "config.yaml",
            "config.yml",
            "config/_default/hugo.toml",
            "config/_default/config.toml",
            "config/_default/hugo.yaml",
        ] {
            if let Some(j) = read(tree, name) {
                merge(&mut v.config, j);
            }
        }
        for name in ["config/_default/params.toml", "config/_default/params.yaml"] {
            if let Some(j) = read(tree, name) {
                merge(&mut v.config, serde_json::json!({ "params": j }));
            }
        }
        for dir in ["_data", "data", "src/_data"] {
            for name in tree.list(dir) {
                let Some((stem, _)) = name.rsplit_once('.') else {
                    continue;
                };
                if let (Some(j), Json::Object(data)) =
                    (read(tree, &format!("{dir}/{name}")), &mut v.data)
                {
                    data.entry(stem.to_string()).or_insert(j);
                }
            }
        }
        v
    }

    /// The value of a template key, or `None`.
    pub fn lookup(&self, key: &str) -> Option<String> {
        let parts: Vec<&str> = key.split('.').collect();
        let (root, rest) = parts.split_first()?;
        let path: &[&str] = match (root.to_ascii_lowercase().as_str(), rest) {
            ("site", [d, tail @ ..]) if d.eq_ignore_ascii_case("data") => {
                return walk(&self.data, tail);
            }
            ("site", [c, tail @ ..]) if c.eq_ignore_ascii_case("config") => tail,
            ("site", tail) => tail,
            // Eleventy global data (`{{ metadata.gtm }}`).
            (_, _) => return walk(&self.data, &parts),
        };
        walk(&self.config, path)
            .or_else(|| {
                // Hugo's old `.Site.GoogleAnalytics` is `googleAnalytics` in the config.
                let joined = path.join("");
                walk(&self.config, &[joined.as_str()])
            })
            // Eleventy's `site` is a global data file (`_data/site.yaml`).
            .or_else(|| walk(&self.data, &parts))
    }

    /// Fills a config id's value.
    pub fn resolve(&self, id: &mut TagId) {
        if let TagId::Config { key, value } = id
            && value.is_none()
        {
            *value = self.lookup(key);
        }
    }
}

/// Follows `path` through objects, case-insensitively (Hugo lowercases config keys).
fn walk(root: &Json, path: &[&str]) -> Option<String> {
    let mut at = root;
    for p in path {
        let obj = at.as_object()?;
        at = obj.get(*p).or_else(|| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(p))
                .map(|(_, v)| v)
        })?;
    }
    match at {
        Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn merge(into: &mut Json, from: Json) {
    match (into, from) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn read(tree: &dyn Tree, path: &str) -> Option<Json> {
    let text = tree.read_string(path)?;
    if path.ends_with(".toml") {
        let t: toml::Value = toml::from_str(&text).ok()?;
        serde_json::to_value(t).ok()
    } else if path.ends_with(".json") {
        serde_json::from_str(&text).ok()
    } else if path.ends_with(".yml") || path.ends_with(".yaml") {
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).ok()?;
        docs.first().map(yaml_to_json)
    } else {
        None
    }
}

fn yaml_to_json(y: &yaml_rust2::Yaml) -> Json {
    use yaml_rust2::Yaml;
    match y {
        Yaml::String(s) | Yaml::Real(s) => Json::String(s.clone()),
        Yaml::Integer(i) => Json::from(*i),
        Yaml::Boolean(b) => Json::Bool(*b),
        Yaml::Array(a) => Json::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Json::Object(
            h.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), yaml_to_json(v))))
                .collect(),
        ),
        _ => Json::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> SiteValues {
        let dir = tempfile::tempdir().expect("tmp");
        for (p, t) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, t).expect("write");
        }
        SiteValues::load(&crate::qa::tree::Disk::new(dir.path()))
    }

    #[test]
    fn jekyll_config_and_data_keys_resolve() {
        let v = site(&[
            (
                "_config.yml",
                "google_analytics: G-ABC123\nanalytics:\n  gtm: GTM-XYZ9\n",
            ),
            ("_data/tags.yml", "meta: '12345'\n"),
        ]);
        assert_eq!(
            v.lookup("site.google_analytics").as_deref(),
            Some("G-ABC123")
        );
        assert_eq!(v.lookup("site.analytics.gtm").as_deref(), Some("GTM-XYZ9"));
        assert_eq!(v.lookup("site.data.tags.meta").as_deref(), Some("12345"));
        assert_eq!(v.lookup("site.missing"), None);
        let e = site(&[("_data/site.yaml", "google-analytics:\n  ua: 'G-ELEVEN1'\n")]);
        assert_eq!(
            e.lookup("site.google-analytics.ua").as_deref(),
            Some("G-ELEVEN1")
        );
    }

    #[test]
    fn hugo_params_and_services_resolve_case_insensitively() {
        let v = site(&[(
            "hugo.toml",
            "[params]\ngtmId = 'GTM-AAAA1'\n[services.googleAnalytics]\nID = 'G-HUGO1'\n",
        )]);
        assert_eq!(v.lookup("Site.Params.gtmId").as_deref(), Some("GTM-AAAA1"));
        assert_eq!(v.lookup("site.Params.gtmid").as_deref(), Some("GTM-AAAA1"));
        assert_eq!(
            v.lookup("Site.Config.Services.GoogleAnalytics.ID")
                .as_deref(),
            Some("G-HUGO1")
        );
    }
}
