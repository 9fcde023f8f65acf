//! Page URLs and link resolution: which URL each page is served at, and whether a link's
//! path names a page or a file of the tree.

use std::sync::Arc;

use super::{Generator, SiteIndex};
use crate::qa::page::{FrontMatter, LinkKind};
use crate::qa::source::{LineCol, Span};

/// A place in a file, with its line:column already computed.
#[derive(Debug, Clone)]
pub struct Loc {
    pub file: Arc<str>,
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
}

/// One literal link kept for the cross-file rules.
#[derive(Debug, Clone)]
pub struct LinkFact {
    pub at: Loc,
    pub kind: LinkKind,
    /// The decoded path, empty for a fragment-only link (interned: the same few paths
    /// recur on every page).
    pub path: Arc<str>,
    pub fragment: Option<Arc<str>>,
    /// Where the fragment starts (byte offset and position), for findings about it.
    pub fragment_start: Option<(usize, LineCol)>,
    /// True when the link was written relative (`../x`, `x.html`).
    pub is_relative: bool,
}

impl LinkFact {
    /// The fragment's own location (to the end of the URL), or the link's.
    pub fn fragment_loc(&self) -> Loc {
        match self.fragment_start {
            Some((byte, start)) => Loc {
                file: self.at.file.clone(),
                span: Span::new(byte, self.at.span.end.max(byte)),
                start,
                end: self.at.end,
            },
            None => self.at.clone(),
        }
    }
}

/// One shared copy of each link path and fragment: at 100,000 pages the same few thousand
/// strings would otherwise be held hundreds of thousands of times.
pub fn intern(s: &str) -> Arc<str> {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static POOL: OnceLock<Mutex<HashSet<Arc<str>>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| Mutex::new(HashSet::new()));
    let mut set = match pool.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(found) = set.get(s) {
        return found.clone();
    }
    let arc: Arc<str> = Arc::from(s);
    set.insert(arc.clone());
    arc
}

/// A text value of a page (title, description), where it is written and whether a template
/// builds it.
#[derive(Debug, Clone)]
pub struct TextFact {
    pub value: String,
    pub at: Loc,
    pub dynamic: bool,
}

/// What the cross-file rules need to know about one page (or template), kept after its
/// document is dropped.
#[derive(Debug, Clone, Default)]
pub struct PageFacts {
    pub path: Arc<str>,
    /// URLs the page is served at (first is the main one), when they follow from the tree.
    pub urls: Vec<String>,
    pub chain: Vec<Arc<str>>,
    pub chain_complete: bool,
    pub links: Vec<LinkFact>,
    /// Links to elements of other pages whose files exist, as hashes.
    pub fragment_refs: Vec<FragmentRef>,
    pub ids: IdSet,
    pub dynamic_ids: bool,
    pub title: Option<TextFact>,
    pub description: Option<TextFact>,
    /// `(hreflang, href)` alternates with their location.
    pub alternates: Vec<(String, String, Loc)>,
    pub canonical: Option<TextFact>,
    /// The file's own external http(s) links, kept only when LNK-004 runs.
    pub external: Vec<crate::qa::rules::links::external_link::ExternalRef>,
}

/// A page's fragment targets, kept as sorted 64-bit hashes: the cross-file rules only ask
/// "is this id there?", and at 100,000 pages the strings would dominate memory.
#[derive(Debug, Clone, Default)]
pub struct IdSet(Vec<u64>);

impl IdSet {
    fn hash(id: &str) -> u64 {
        key_hash(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.contains_hash(Self::hash(id))
    }

    pub fn contains_hash(&self, hash: u64) -> bool {
        self.0.binary_search(&hash).is_ok()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> FromIterator<&'a str> for IdSet {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut v: Vec<u64> = iter.into_iter().map(IdSet::hash).collect();
        v.sort_unstable();
        v.dedup();
        v.shrink_to_fit();
        IdSet(v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// A page or a file of the tree.
    Found,
    Missing,
    /// Cannot be decided from the tree (routes served by code, a folder without an index).
    Unknown,
}

/// The key a URL path is compared by: `/a/`, `/a`, `/a/index.html` and `/a.html` are one
/// page on every static host worth the name.
pub fn url_key(path: &str) -> String {
    let p = path.split(['?', '#']).next().unwrap_or("");
    let p = p
        .strip_suffix("index.html")
        .or_else(|| p.strip_suffix("index.htm"))
        .unwrap_or(p);
    let p = p.strip_suffix(".html").unwrap_or(p);
    let p = p.trim_end_matches('/');
    let p = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    };
    p.to_lowercase()
}

impl SiteIndex {
    /// The URLs a page is served at, from its permalink or its place in the tree, then its
    /// aliases (Hugo `aliases`, Jekyll `redirect_from`). Empty when a template builds the
    /// permalink: the page's URL is then unknown.
    pub fn page_urls(&self, path: &str, fm: Option<&FrontMatter>) -> Vec<String> {
        use crate::qa::page::front_matter::Value;
        let literal = |s: &&str| !s.contains("{{") && !s.contains("{%");
        let mut out = Vec::new();
        let mut unknown = false;
        if let Some(fm) = fm {
            if matches!(fm.values.get("permalink"), Some(Value::Bool(false))) {
                return out;
            }
            for key in ["permalink", "url"] {
                match fm.text(key) {
                    Some(p) if literal(&p) && !p.contains(':') => out.push(absolute(p)),
                    Some(_) => unknown = true,
                    None => {}
                }
            }
        }
        if out.is_empty() && !unknown {
            out.extend(self.default_url(path, fm));
        }
        if let Some(fm) = fm {
            for key in ["aliases", "redirect_from"] {
                out.extend(fm.list(key).into_iter().filter(literal).map(absolute));
            }
        }
        out
    }

    fn default_url(&self, path: &str, fm: Option<&FrontMatter>) -> Option<String> {
        let generator = self.generator.unwrap_or(Generator::Plain);
        let rel = match self.content_dir.as_deref() {
            Some(c) => path
                .strip_prefix(c)
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(path),
            None => path,
        };
        let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
        let stem = file.split('.').next().unwrap_or(file);
        let is_md = file.ends_with(".md") || file.ends_with(".markdown");
        if generator == Generator::Jekyll && (dir == "_posts" || dir.ends_with("/_posts")) {
            return jekyll_post_url(dir, stem, self.post_permalink.as_deref());
        }
        let dir_url = if dir.is_empty() {
            "/".to_string()
        } else {
            format!("/{dir}/")
        };
        let slug = fm.and_then(|f| f.text("slug")).unwrap_or(stem);
        if generator == Generator::Hugo {
            let section = dir.split('/').next().unwrap_or("");
            if let Some(pattern) = self
                .hugo_permalinks
                .get(section)
                .filter(|_| !matches!(stem, "_index" | "index"))
            {
                return hugo_permalink(pattern, section, stem, fm);
            }
        }
        Some(match generator {
            Generator::Hugo => match stem {
                "_index" | "index" => dir_url,
                _ => format!("{dir_url}{slug}/"),
            },
            Generator::Eleventy => match stem {
                "index" => dir_url,
                _ => format!("{dir_url}{stem}/"),
            },
            _ if stem == "index" => dir_url,
            _ if is_md => format!("{dir_url}{stem}.html"),
            _ => format!("/{rel}"),
        })
    }

    /// Whether an absolute site path names a page or a file.
    pub fn resolve(&self, path: &str) -> Resolution {
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        if self.urls.contains_key(&url_key(path))
            || (decoded != path && self.urls.contains_key(&url_key(&decoded)))
        {
            return Resolution::Found;
        }
        let p = decoded.trim_start_matches('/').trim_end_matches('/');
        if p.is_empty() {
            return Resolution::Found;
        }
        // One buffer for every candidate: this runs for most links of every page.
        let mut candidate = String::with_capacity(p.len() + 32);
        let bases = std::iter::once("")
            .chain(self.static_dirs.iter().map(String::as_str))
            .chain(self.content_dir.as_deref());
        for base in bases {
            for suffix in [
                "",
                "/index.html",
                ".html",
                "/index.md",
                "/_index.md",
                ".md",
                "/contents.lr",
            ] {
                candidate.clear();
                if !base.is_empty() {
                    candidate.push_str(base);
                    candidate.push('/');
                }
                candidate.push_str(p);
                candidate.push_str(suffix);
                if self.paths.contains(candidate.as_str()) {
                    return Resolution::Found;
                }
            }
        }
        if self.generator.is_some_and(|g| !g.maps_urls()) {
            return Resolution::Unknown;
        }
        Resolution::Missing
    }
}

fn absolute(p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

/// A Hugo `permalinks` pattern filled in for one page; `None` when a placeholder needs
/// something the page does not say (no date for `:year`).
fn hugo_permalink(
    pattern: &str,
    section: &str,
    stem: &str,
    fm: Option<&FrontMatter>,
) -> Option<String> {
    let date = fm.and_then(|f| f.text("date")).unwrap_or("");
    let (y, m, d) = (date.get(0..4), date.get(5..7), date.get(8..10));
    let title_slug = fm.and_then(|f| f.text("title")).map(urlize);
    let slug = fm
        .and_then(|f| f.text("slug"))
        .map(str::to_string)
        .or(title_slug.clone());
    let mut url = pattern.to_string();
    let fills: [(&str, Option<String>); 8] = [
        (":year", y.map(str::to_string)),
        (":month", m.map(str::to_string)),
        (":day", d.map(str::to_string)),
        (":slug", slug),
        (":title", title_slug),
        (":filename", Some(stem.to_string())),
        (":contentbasename", Some(stem.to_string())),
        (":section", Some(section.to_string())),
    ];
    for (key, value) in fills {
        if url.contains(key) {
            url = url.replace(key, &value?);
        }
    }
    if url.contains(':') {
        return None;
    }
    Some(absolute(&url))
}

/// Hugo's `urlize`: lowercase, spaces to `-`, punctuation other than `-`, `_`, `.` dropped.
fn urlize(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') => Some(c),
            _ => None,
        })
        .collect()
}

/// Jekyll's post URL for `_posts/YYYY-MM-DD-title.md` under a permalink style.
fn jekyll_post_url(dir: &str, stem: &str, style: Option<&str>) -> Option<String> {
    let mut parts = stem.splitn(4, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let title = parts.next()?;
    let categories = dir.trim_end_matches("_posts").trim_end_matches('/');
    let pattern = match style.unwrap_or("date") {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        other => other,
    };
    if pattern.contains(":y_day") || pattern.contains(":i_") {
        return None;
    }
    let url = pattern
        .replace(":categories", categories)
        .replace(":year", y)
        .replace(":month", m)
        .replace(":day", d)
        .replace(":title", title)
        .replace(":slug", title)
        .replace(":output_ext", ".html");
    let mut clean = String::new();
    for seg in url.split('/').filter(|s| !s.is_empty()) {
        clean.push('/');
        clean.push_str(seg);
    }
    if url.ends_with('/') {
        clean.push('/');
    }
    Some(clean)
}

/// A fragment that names an element: not `#`, `#top`, text fragments (`#:~:text=`), script
/// routes (`#/…`, `#!…`) or state (`#a=b`).
pub fn is_element_fragment(f: &str) -> bool {
    !f.is_empty()
        && !f.eq_ignore_ascii_case("top")
        && !f.starts_with(['!', '/', ':'])
        && !f.contains(['=', '{', '}', '%'])
}

/// The 64-bit key ids, fragments and URL keys are compared by once their strings are gone.
pub fn key_hash(s: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(s)
}

/// A page's link to an element of another page whose file exists, kept as hashes until the
/// target's ids are known: the commonest link a big site holds, at 24 bytes instead of a
/// `LinkFact`. Text and position are read back from the file only for a broken one.
#[derive(Debug, Clone, Copy)]
pub struct FragmentRef {
    /// `key_hash(url_key(target URL))`.
    pub by_url: u64,
    /// `key_hash(target file path)` for a relative link read as a file path; 0 when none.
    pub by_file: u64,
    pub fragment: u64,
    /// Byte offset of the URL in the linking file.
    pub offset: u32,
}

/// The site path a link names, seen from the page's main URL: root-relative paths as
/// written, relative ones joined to the URL's folder. `None` when the page has no URL.
pub fn url_target(facts: &PageFacts, link: &LinkFact) -> Option<String> {
    if !link.is_relative {
        return Some(link.path.to_string());
    }
    let page_url = facts.urls.first()?;
    let dir = page_url.rsplit_once('/').map_or("/", |(d, _)| d);
    join(dir, &link.path, Overflow::Clamp)
}

/// The site path a relative link names when read as a file path from the source file's
/// folder (Markdown often links `../other.md`). `None` when it climbs above the root.
pub fn file_target(facts: &PageFacts, link: &LinkFact) -> Option<String> {
    if !link.is_relative {
        return None;
    }
    let dir = facts.path.rsplit_once('/').map_or("", |(d, _)| d);
    join(&format!("/{dir}"), &link.path, Overflow::Fail)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    /// Browsers stop `..` at the root.
    Clamp,
    /// A file path cannot leave the tree.
    Fail,
}

/// Joins a relative path to a folder and removes `.` and `..` segments; keeps a trailing `/`.
fn join(dir: &str, rel: &str, overflow: Overflow) -> Option<String> {
    let mut segs: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, seg) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match *seg {
            "" | "." => {}
            ".." => {
                if segs.pop().is_none() && overflow == Overflow::Fail {
                    return None;
                }
            }
            s => segs.push(s),
        }
        if last && matches!(*seg, "" | "." | "..") && !segs.is_empty() {
            return Some(format!("/{}/", segs.join("/")));
        }
    }
    Some(format!("/{}", segs.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_paths_like_a_browser() {
        assert_eq!(
            join("/blog/", "../pricing/", Overflow::Clamp).as_deref(),
            Some("/pricing/")
        );
        assert_eq!(
            join("/blog", "./a.png", Overflow::Clamp).as_deref(),
            Some("/blog/a.png")
        );
        assert_eq!(join("/", "../../x", Overflow::Clamp).as_deref(), Some("/x"));
        assert_eq!(join("/", "../x", Overflow::Fail), None);
        assert_eq!(join("/a/b", "..", Overflow::Clamp).as_deref(), Some("/a/"));
    }

    #[test]
    fn url_keys_ignore_index_html_and_trailing_slashes() {
        assert_eq!(url_key("/a/"), url_key("/a/index.html"));
        assert_eq!(url_key("/a.html"), url_key("/a"));
        assert_eq!(url_key("/"), url_key("/index.html"));
    }

    #[test]
    fn hugo_permalinks_fill_date_and_slug() {
        let fm = crate::qa::page::front_matter::parse(
            "---\ntitle: Hello, World\ndate: 2024-10-03\n---\n",
        )
        .unwrap();
        assert_eq!(
            hugo_permalink(":year/:month/:day/:slug/", "news", "x", Some(&fm)).as_deref(),
            Some("/2024/10/03/hello-world/")
        );
        assert_eq!(hugo_permalink(":year/:slug/", "news", "x", None), None);
    }

    #[test]
    fn jekyll_posts_follow_the_permalink_style() {
        assert_eq!(
            jekyll_post_url("_posts", "2026-01-15-hello", None).as_deref(),
            Some("/2026/01/15/hello.html")
        );
        assert_eq!(
            jekyll_post_url("blog/_posts", "2026-01-15-hello", Some("/blog/:title/")).as_deref(),
            Some("/blog/hello/")
        );
    }
}
