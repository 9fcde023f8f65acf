//! What `canonical.fix` reads in a file: its canonical links and `og:url` metas, the URL a
//! standalone page is served at, whether the file is a layout, and where in `<head>` a
//! missing canonical may safely go.

use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::page::template::RegionKind;
use crate::qa::rules::seo::is_unlisted_page;
use crate::qa::source::Span;

/// Folders whose files are layouts, includes or partials.
const TEMPLATE_DIRS: &[&str] = &[
    "_layouts",
    "layouts",
    "_includes",
    "includes",
    "_partials",
    "partials",
    "templates",
    "views",
    "themes",
    "components",
];
/// Template words that print a page's body into a layout.
const BODY_WORDS: &[&str] = &["content", "block", "yield"];
/// Template words that only steer which literal markup is printed.
const CONTROL_WORDS: &[&str] = &[
    "if",
    "elif",
    "elsif",
    "else",
    "endif",
    "unless",
    "endunless",
    "for",
    "endfor",
    "range",
    "with",
    "end",
    "case",
    "when",
    "endcase",
    "each",
    "assign",
    "set",
];
/// Elements whose content is text, so template output inside prints no elements.
const RAW_TEXT: &[&str] = &["title", "script", "style"];

/// What relative canonicals are resolved against.
pub struct Repair<'a> {
    pub origin: Option<&'a str>,
    /// The page's own absolute URL, for a standalone page.
    pub page: Option<&'a str>,
}

/// `<link>` elements whose `rel` names `canonical`.
pub fn canonicals(doc: &Document) -> Vec<usize> {
    doc.elements_named("link")
        .filter(|&i| {
            doc.attr_value(i, "rel").is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case("canonical"))
            })
        })
        .collect()
}

fn og_urls(doc: &Document) -> Vec<usize> {
    doc.elements_named("meta")
        .filter(|&i| meta_key(doc, i).is_some_and(|k| k.eq_ignore_ascii_case("og:url")))
        .collect()
}

fn meta_key(doc: &Document, el: usize) -> Option<&str> {
    doc.attr_value(el, "property")
        .or_else(|| doc.attr_value(el, "name"))
        .map(str::trim)
}

/// The literal value span of `attr` on `el`.
fn literal(doc: &Document, el: usize, attr: &str) -> Option<Span> {
    doc.attr(el, attr)
        .and_then(|a| a.value)
        .filter(|v| !doc.is_dynamic(*v))
}

/// Repairs of the file's literal canonicals and `og:url`s.
pub fn repairs(doc: &Document, cx: &Repair) -> Vec<Fix> {
    let mut out = Vec::new();
    let links = canonicals(doc);
    let mut canonical = None;
    for &i in &links {
        let Some(v) = literal(doc, i, "href") else {
            continue;
        };
        let fixed = repair_url(doc.slice(v), cx);
        canonical = fixed
            .clone()
            .or_else(|| Some(doc.slice(v).trim().to_string()));
        push_edit(doc, v, fixed, &mut out);
    }
    let ogs = og_urls(doc);
    let one_canonical = (links.len() == 1).then_some(canonical).flatten();
    for &i in &ogs {
        let Some(v) = literal(doc, i, "content") else {
            continue;
        };
        let want = match (&one_canonical, ogs.len()) {
            (Some(c), 1) if absolute(c) => Some(c.clone()),
            _ => repair_url(doc.slice(v), cx),
        };
        push_edit(doc, v, want, &mut out);
    }
    out
}

fn push_edit(doc: &Document, v: Span, new: Option<String>, out: &mut Vec<Fix>) {
    if let Some(new) = new.filter(|n| n != doc.slice(v)) {
        out.push(Fix {
            start: v.start,
            end: v.end,
            replacement: new,
        });
    }
}

fn absolute(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// The absolute URL without query and fragment, or `None` when it cannot be known.
fn repair_url(raw: &str, cx: &Repair) -> Option<String> {
    let t = raw.trim();
    let scheme = t.find(':').filter(|&i| {
        t[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-')
    });
    let abs = if let Some(rest) = t.strip_prefix("//") {
        format!("https://{rest}")
    } else if t.starts_with('/') {
        format!("{}{t}", cx.origin?)
    } else if let Some(i) = scheme {
        if !matches!(t[..i].to_ascii_lowercase().as_str(), "http" | "https") {
            return None;
        }
        t.to_string()
    } else if t.is_empty() {
        cx.page?.to_string()
    } else {
        let rel = t.strip_prefix("./").unwrap_or(t);
        if rel.contains("..") {
            return None;
        }
        let page = cx.page?;
        format!("{}{rel}", &page[..page.rfind('/')? + 1])
    };
    let end = abs.find(['?', '#']).unwrap_or(abs.len());
    Some(abs[..end].to_string())
}

/// True for layouts, includes and partials: files that build many pages.
pub fn is_template(doc: &Document) -> bool {
    let in_dir = doc
        .path
        .split('/')
        .rev()
        .skip(1)
        .any(|d| TEMPLATE_DIRS.contains(&d.to_ascii_lowercase().as_str()));
    in_dir
        || doc.regions.all().iter().any(|r| {
            let s = doc.slice(r.span);
            BODY_WORDS.contains(&word(s).as_str()) || s.contains("@partial-block")
        })
}

/// The first word of a template construct: `{% if x %}` → `if`, `{{ .Content }}` → `content`.
fn word(s: &str) -> String {
    s.trim_start_matches(|c: char| {
        matches!(c, '{' | '%' | '-' | '~' | '#' | '/' | '.' | '>') || c.is_whitespace()
    })
    .chars()
    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
    .collect::<String>()
    .to_ascii_lowercase()
}

/// The absolute URL a standalone HTML page is served at: its literal `permalink`, else its
/// path (`dir/index.html` → `/dir/`).
pub fn page_url(doc: &Document, origin: Option<&str>) -> Option<String> {
    if is_template(doc) {
        return None;
    }
    let origin = origin?;
    let permalink = doc.front_matter.as_ref().and_then(|f| f.text("permalink"));
    let path = match permalink {
        Some(p) if p.starts_with('/') => p.to_string(),
        Some(_) => return None,
        None => {
            let lower = doc.path.to_ascii_lowercase();
            if !(lower.ends_with(".html") || lower.ends_with(".htm")) {
                return None;
            }
            let p = doc.path.as_ref();
            let p = p
                .strip_suffix("index.html")
                .or_else(|| p.strip_suffix("index.htm"))
                .unwrap_or(p);
            format!("/{p}")
        }
    };
    let safe = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./~%".contains(&b));
    safe.then(|| format!("{origin}{path}"))
}

/// A file's `<head>`, where a missing canonical goes.
pub struct Head {
    content: Span,
}

impl Head {
    pub fn find(doc: &Document) -> Option<Head> {
        let el = doc.elements_named("head").next()?;
        Some(Head {
            content: doc.elements[el].content?,
        })
    }

    /// True when nothing in the head could print a canonical of its own (an include, a
    /// block, a tag such as `{% seo %}`), and the page is one search engines should index.
    pub fn may_add(&self, doc: &Document) -> bool {
        let c = self.content;
        let noindex = doc.elements_named("meta").any(|i| {
            let robots = meta_key(doc, i).is_some_and(|k| k.eq_ignore_ascii_case("robots"));
            let content = doc
                .attr_value(i, "content")
                .unwrap_or("")
                .to_ascii_lowercase();
            (robots && content.contains("noindex"))
                || doc
                    .attr_value(i, "http-equiv")
                    .is_some_and(|h| h.trim().eq_ignore_ascii_case("refresh"))
        });
        let values: Vec<Span> = doc
            .elements
            .iter()
            .enumerate()
            .filter(|(_, e)| c.contains(e.tag))
            .flat_map(|(i, e)| {
                let text = RAW_TEXT
                    .contains(&e.name.as_ref())
                    .then_some(e.content)
                    .flatten();
                doc.attrs_of(i).iter().filter_map(|a| a.value).chain(text)
            })
            .collect();
        let quiet = doc.regions.within(c).iter().all(|r| {
            r.kind == RegionKind::Comment
                || values.iter().any(|v| v.contains(r.span))
                || CONTROL_WORDS.contains(&word(doc.slice(r.span)).as_str())
        });
        let includes = doc.includes.iter().any(|i| c.overlaps(i.span));
        quiet && !includes && !noindex && !is_unlisted_page(doc)
    }

    /// The edit that adds a canonical (and `og:url` when the head has other `og:` tags).
    pub fn insertion(&self, doc: &Document, href: &str) -> Fix {
        let c = self.content;
        let in_head = |i: &usize| c.contains(doc.elements[*i].tag);
        let slash = (0..doc.elements.len())
            .filter(in_head)
            .any(|i| doc.slice(doc.elements[i].tag).ends_with("/>"));
        let end = if slash { " />" } else { ">" };
        let mut tags = vec![format!("<link rel=\"canonical\" href=\"{href}\"{end}")];
        let has_og = doc
            .elements_named("meta")
            .filter(in_head)
            .any(|i| meta_key(doc, i).is_some_and(|k| k.to_ascii_lowercase().starts_with("og:")));
        if has_og && og_urls(doc).is_empty() {
            tags.push(format!("<meta property=\"og:url\" content=\"{href}\"{end}"));
        }
        let text = &doc.text;
        let line_start = text[..c.end].rfind('\n').map_or(0, |i| i + 1);
        if line_start > c.start && text[line_start..c.end].trim().is_empty() {
            let indent = text[c.start..line_start]
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map_or("", |l| &l[..l.len() - l.trim_start().len()]);
            let lines: String = tags.iter().map(|t| format!("{indent}{t}\n")).collect();
            return Fix {
                start: line_start,
                end: line_start,
                replacement: lines,
            };
        }
        Fix {
            start: c.end,
            end: c.end,
            replacement: tags.concat(),
        }
    }
}
