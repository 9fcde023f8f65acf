//! Link rules (DOMAIN.md §3): internal links and assets resolved against the page map
//! (LNK-001), unsafe new-tab and `javascript:` links (LNK-002), and `#fragment` targets
//! (LNK-003). URL arithmetic shared by the cross-file rules lives here; no rule reads files.

mod broken_fragment;
mod broken_link;
mod unsafe_link;

use super::Rule;
use crate::qa::site::{LinkFact, PageFacts};

pub static RULES: &[&dyn Rule] = &[
    &broken_link::BrokenInternalLink,
    &unsafe_link::UnsafeLink,
    &broken_fragment::BrokenFragment,
];

/// The site path a link names, seen from the page's main URL: root-relative paths as
/// written, relative ones joined to the URL's folder. `None` when the page has no URL.
pub(crate) fn url_target(facts: &PageFacts, link: &LinkFact) -> Option<String> {
    if !link.is_relative {
        return Some(link.path.clone());
    }
    let page_url = facts.urls.first()?;
    let dir = page_url.rsplit_once('/').map_or("/", |(d, _)| d);
    join(dir, &link.path, Overflow::Clamp)
}

/// The site path a relative link names when read as a file path from the source file's
/// folder (Markdown often links `../other.md`). `None` when it climbs above the root.
pub(crate) fn file_target(facts: &PageFacts, link: &LinkFact) -> Option<String> {
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
    use super::{Overflow, join};

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
}
