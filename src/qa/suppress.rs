//! Ignoring findings: `[[ignore]]` entries of `sitewide.toml` (by rule, by path glob) and
//! inline `sitewide-ignore RULE` comments (this line and the next) and
//! `sitewide-ignore-file RULE` (the whole file).

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::engine::id_matches;
use super::page::Document;
use crate::config::{ConfigError, SiteConfig};

#[derive(Debug, Default)]
pub struct Suppressions {
    /// `(line, rule patterns)`: silences those rules on `line` and `line + 1`.
    lines: Vec<(usize, Vec<String>)>,
    file: Vec<String>,
}

impl Suppressions {
    pub fn read(doc: &Document) -> Suppressions {
        let mut s = Suppressions::default();
        let mut from = 0;
        while let Some(i) = doc.text[from..].find("sitewide-ignore") {
            let at = from + i;
            from = at + "sitewide-ignore".len();
            let rest = &doc.text[from..];
            let (whole_file, rest) = match rest.strip_prefix("-file") {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let line_end = rest.find(['\n', '>', '}']).unwrap_or(rest.len());
            let ids: Vec<String> = rest[..line_end]
                .split([' ', ',', '\t'])
                .map(|t| t.trim_matches(['-', '*', '/', '#', '%']).trim())
                .filter(|t| t.contains('-') || t.ends_with('*'))
                .map(str::to_string)
                .collect();
            let ids = if ids.is_empty() {
                vec!["*".to_string()]
            } else {
                ids
            };
            if whole_file {
                s.file.extend(ids);
            } else {
                let line = doc.lines.line_col(&doc.text, at).line;
                s.lines.push((line, ids));
            }
        }
        s
    }

    pub fn silences(&self, rule: &str, line: usize) -> bool {
        let hit = |p: &String| p == "*" || id_matches(p, rule);
        self.file.iter().any(hit)
            || self
                .lines
                .iter()
                .any(|(l, ids)| (line == *l || line == l + 1) && ids.iter().any(hit))
    }
}

pub struct ConfigIgnores {
    entries: Vec<(Vec<String>, Option<GlobSet>)>,
}

impl ConfigIgnores {
    pub fn new(config: &SiteConfig) -> Result<ConfigIgnores, ConfigError> {
        let mut entries = Vec::new();
        for e in &config.ignore {
            let rules = e.rules.iter().map(|r| r.get_ref().clone()).collect();
            let globs = if e.paths.is_empty() {
                None
            } else {
                let mut b = GlobSetBuilder::new();
                for p in &e.paths {
                    let g = Glob::new(p.get_ref()).map_err(|err| {
                        config.error_at(p.span(), format!("bad glob: {err}"), None)
                    })?;
                    b.add(g);
                }
                Some(
                    b.build()
                        .map_err(|err| config.error_at(0..0, format!("bad glob: {err}"), None))?,
                )
            };
            entries.push((rules, globs));
        }
        Ok(ConfigIgnores { entries })
    }

    pub fn matches(&self, rule: &str, file: &str) -> bool {
        self.entries.iter().any(|(rules, globs)| {
            (rules.is_empty() || rules.iter().any(|r| id_matches(r, rule)))
                && globs.as_ref().is_none_or(|g| g.is_match(file))
        })
    }
}
