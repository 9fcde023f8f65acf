//! Ignoring findings: `[[ignore]]` entries of `sitewide.toml` (by rule, by path glob) and
//! inline `sitewide-ignore RULE` comments (this line and the next) and
//! `sitewide-ignore-file RULE` (the whole file).

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::engine::id_matches;
use super::page::Document;
use crate::config::{ConfigError, SiteConfig};

#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    /// `(line, rule patterns)`: silences those rules on `line` and `line + 1`.
    lines: Vec<(usize, Vec<String>)>,
    file: Vec<String>,
}

impl Suppressions {
    /// Reads the `sitewide-ignore` markers in the file's comments (HTML comments and template
    /// comments); text elsewhere never silences anything.
    pub fn read(doc: &Document) -> Suppressions {
        let mut s = Suppressions::default();
        let template_comments = doc
            .regions
            .all()
            .iter()
            .filter(|r| r.kind == super::page::template::RegionKind::Comment)
            .map(|r| r.span);
        for span in doc.comments.iter().copied().chain(template_comments) {
            let text = doc.slice(span);
            let mut from = 0;
            while let Some(i) = text[from..].find("sitewide-ignore") {
                let at = from + i;
                from = at + "sitewide-ignore".len();
                let rest = &text[from..];
                let (whole_file, rest) = match rest.strip_prefix("-file") {
                    Some(r) => (true, r),
                    None => (false, rest),
                };
                let ids = rule_ids(rest);
                if ids.is_empty() {
                    continue;
                }
                if whole_file {
                    s.file.extend(ids);
                } else {
                    let line = doc.lines.line_col(&doc.text, span.start + at).line;
                    s.lines.push((line, ids));
                }
            }
        }
        s
    }

    pub fn silences(&self, rule: &str, line: usize) -> bool {
        let hit = |p: &String| id_matches(p, rule);
        self.file.iter().any(hit)
            || self
                .lines
                .iter()
                .any(|(l, ids)| (line == *l || line == l + 1) && ids.iter().any(hit))
    }
}

/// The rule ids and id globs (`UTM-008`, `UTM-*`) that follow a marker, up to the end of
/// its line or comment. Anything else (a typo such as `LNK001`) names no rule.
fn rule_ids(rest: &str) -> Vec<String> {
    let end = rest.find(['\n', '>']).unwrap_or(rest.len());
    rest[..end]
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|t| t.trim_end_matches(['-', '%', '#', '}', '{', '/']))
        .filter(|t| is_rule_pattern(t))
        .map(str::to_string)
        .collect()
}

fn is_rule_pattern(t: &str) -> bool {
    let Some((family, rest)) = t.split_once('-') else {
        return false;
    };
    let family_ok = !family.is_empty()
        && family.chars().all(|c| c.is_ascii_alphanumeric())
        && family
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
    family_ok && (rest == "*" || (rest.len() == 3 && rest.chars().all(|c| c.is_ascii_digit())))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, Format};

    fn read(t: &str) -> Suppressions {
        Suppressions::read(&Document::parse(
            "a.html",
            t.to_string(),
            Engine::Liquid,
            Format::Html,
        ))
    }

    #[test]
    fn only_comments_with_real_rule_ids_silence() {
        let s = read("<a>x</a> <!-- sitewide-ignore UTM-* -->\n<p>sitewide-ignore LNK-001</p>\n");
        assert!(s.silences("UTM-008", 1) && s.silences("UTM-008", 2));
        assert!(!s.silences("LNK-001", 1), "a glob names its family only");
        assert!(!s.silences("LNK-001", 3), "visible text is not a marker");
        assert!(
            !read("<!-- sitewide-ignore LNK001 -->").silences("LNK-001", 1),
            "a typo names no rule"
        );
        assert!(
            !read("<!-- sitewide-ignore -->").silences("LNK-001", 1),
            "no id, no silence"
        );
    }

    #[test]
    fn template_comments_and_file_markers_count() {
        let s = read("{% comment %}sitewide-ignore LNK-001{% endcomment %}\nx\ny\n");
        assert!(s.silences("LNK-001", 2) && !s.silences("LNK-001", 3));
        let s = read("<!-- sitewide-ignore-file SEO-001, SEO-002 -->");
        assert!(s.silences("SEO-002", 40));
    }
}
