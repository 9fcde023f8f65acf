//! Source order across a resolved page: where each byte of the page, its layouts and its
//! includes ends up in the rendered output. A layout's content placeholder (`{{ content }}`,
//! `{% block %}`, Hugo `{{ block "main" . }}`, Handlebars `{{{body}}}`) takes the page (or
//! the inner layout) and an `{% include %}` takes the included file, so a position is a key
//! of offsets from the outermost layout inwards, compared lexicographically. A Jinja-family
//! child (`{% extends %}`) is placed block by block: what its `{% block title %}` holds
//! renders where the parent's `block title` is, its `block content` where that one is.

use crate::qa::page::template::RegionKind;
use crate::qa::page::{Document, IncludeKind};
use crate::qa::view::PageView;

/// Order keys of the documents of one resolved page.
#[derive(Debug)]
pub struct Order {
    /// Per `view.docs` index: the document it renders inside and where in that document.
    parent: Vec<Option<(usize, usize)>>,
    /// Per document that extends a parent with named blocks: each of its blocks (start,
    /// end) and where the parent's block of the same name is.
    named: Vec<Vec<(usize, usize, usize)>>,
    /// Per document: its place is known (its parents lead to the document that holds the
    /// page's `<html>`/`<body>`). A template with no known place gets keys that cannot be
    /// compared with the others'.
    placed: Vec<bool>,
}

/// A position in the rendered page: compare keys to know what comes first.
pub type Key = Vec<usize>;

impl Order {
    pub fn new(view: &PageView) -> Order {
        let docs = &view.docs;
        let n = docs.len();
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; n];
        let mut named = vec![Vec::new(); n];
        let mut referenced = vec![false; n];
        for (i, d) in docs.iter().enumerate() {
            for inc in &d.includes {
                let Some(j) = find_doc(docs, i, &inc.name, inc.kind) else {
                    continue;
                };
                match inc.kind {
                    IncludeKind::Layout | IncludeKind::Extends => {
                        if parent[i].is_none() {
                            parent[i] = Some((j, placeholder(docs[j])));
                            if inc.kind == IncludeKind::Extends {
                                named[i] = block_places(docs[i], docs[j]);
                            }
                        }
                    }
                    IncludeKind::Include | IncludeKind::Shortcode => {
                        if parent[j].is_none() && !referenced[j] {
                            parent[j] = Some((i, inc.span.start));
                        }
                    }
                }
                referenced[j] = true;
            }
        }
        // Layouts the generator applies without the page naming them (Hugo `single.html`
        // and `baseof.html`, Jekyll `defaults`): the chain lists them inner to outer.
        let mut inner = 0;
        for j in 1..n {
            if referenced[j] || parent[j].is_some() || !has_placeholder(docs[j]) {
                continue;
            }
            if parent[inner].is_none() && inner != j {
                parent[inner] = Some((j, placeholder(docs[j])));
            }
            inner = j;
        }
        let is_root = |d: &Document| {
            ["html", "head", "body"]
                .iter()
                .any(|e| d.elements_named(e).next().is_some())
        };
        let placed = (0..n).map(|i| is_root(docs[root(&parent, i)])).collect();
        Order {
            parent,
            named,
            placed,
        }
    }

    /// True when the document's place in the rendered page is known.
    pub fn is_placed(&self, doc: usize) -> bool {
        self.placed.get(doc).copied().unwrap_or(false)
    }

    /// The key of byte `offset` of `view.docs[doc]`: its offset, and where each document
    /// it renders inside holds it, outermost first.
    pub fn key(&self, doc: usize, offset: usize) -> Key {
        let mut k = vec![offset];
        let (mut at, mut off) = (doc, offset);
        while let Some(Some((p, pos))) = self.parent.get(at) {
            if k.len() > self.parent.len() {
                break; // a cycle: keep what was found
            }
            let pos = self.named[at]
                .iter()
                .filter(|(start, end, _)| (*start..*end).contains(&off))
                .min_by_key(|(start, end, _)| end - start)
                .map_or(*pos, |(_, _, there)| *there);
            k.push(pos);
            (at, off) = (*p, pos);
        }
        k.reverse();
        k
    }
}

fn root(parent: &[Option<(usize, usize)>], i: usize) -> usize {
    let mut at = i;
    for _ in 0..=parent.len() {
        match parent[at] {
            Some((p, _)) => at = p,
            None => break,
        }
    }
    at
}

/// The document of the chain an include names (`header.html`, `partials/head`, `default`).
fn find_doc(docs: &[&Document], from: usize, name: &str, kind: IncludeKind) -> Option<usize> {
    let name = name.trim_start_matches("./").trim_start_matches('/');
    if name.is_empty() {
        return None;
    }
    docs.iter().enumerate().position(|(i, d)| {
        if i == from || (i == 0 && kind != IncludeKind::Include) {
            return false;
        }
        let path: &str = &d.path;
        let dir_end = path.rfind('/').map_or(0, |s| s + 1);
        let base = path[dir_end..]
            .find('.')
            .map_or(path, |dot| &path[..dir_end + dot]);
        [path, base]
            .iter()
            .any(|p| *p == name || p.ends_with(&format!("/{name}")))
    })
}

/// For a child that extends `parent`: each `{% block NAME %}…{% endblock %}` of the child
/// (start, end) with the offset of the parent's block of the same name. Blocks the parent
/// does not have are left out (they render nowhere, or in a grandparent: the child's
/// placeholder place stands for them).
fn block_places(child: &Document, parent: &Document) -> Vec<(usize, usize, usize)> {
    let in_parent = blocks(parent);
    blocks(child)
        .into_iter()
        .filter_map(|(name, start, end)| {
            let (_, there, _) = in_parent.iter().find(|(n, _, _)| *n == name)?;
            Some((start, end, *there))
        })
        .collect()
}

/// Every Jinja-family `{% block NAME %}` of `doc` with its start and the end of its
/// `{% endblock %}`, nested blocks included.
fn blocks(doc: &Document) -> Vec<(String, usize, usize)> {
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut out = Vec::new();
    for r in doc.regions.all() {
        if r.kind != RegionKind::Tag {
            continue;
        }
        let inner = doc.slice(r.span).trim_matches(|c: char| {
            matches!(c, '{' | '}' | '%' | '-' | '+' | '~') || c.is_whitespace()
        });
        let mut words = inner.split_whitespace();
        match words.next() {
            Some("block") => {
                let name = words.next().unwrap_or_default().to_string();
                open.push((name, r.span.start));
            }
            Some("endblock") => {
                if let Some((name, start)) = open.pop() {
                    out.push((name, start, r.span.end));
                }
            }
            _ => {}
        }
    }
    out
}

/// True when the template renders an inner document somewhere.
fn has_placeholder(doc: &Document) -> bool {
    placeholder_at(doc).is_some()
}

/// Where a layout renders its inner document; the `<body>` content start, else the end.
fn placeholder(doc: &Document) -> usize {
    placeholder_at(doc)
        .or_else(|| {
            let b = doc.elements_named("body").next()?;
            Some(doc.elements[b].tag.end)
        })
        .unwrap_or(doc.text.len())
}

fn placeholder_at(doc: &Document) -> Option<usize> {
    doc.regions.all().iter().find_map(|r| {
        if r.kind == RegionKind::Comment {
            return None;
        }
        let inner = doc
            .slice(r.span)
            .trim_matches(|c: char| matches!(c, '{' | '}' | '%' | '-' | '~') || c.is_whitespace());
        let word = inner.split([' ', '|', '\t', '\n']).next().unwrap_or("");
        let is = match r.kind {
            RegionKind::Output => {
                matches!(
                    word,
                    "content" | ".Content" | "$.Content" | "body" | "yield" | "@partial-block"
                ) || (word == "block" && doc.slice(r.span).starts_with("{{"))
                    || inner.starts_with("> @partial-block")
            }
            _ => word == "block" || word == "yield",
        };
        is.then_some(r.span.start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, Format};
    use crate::qa::site::Chain;

    fn doc(path: &str, text: &str) -> Document {
        Document::parse(path, text.into(), Engine::Liquid, Format::Html)
    }

    #[test]
    fn a_page_sits_at_its_layouts_content_and_an_include_at_its_tag() {
        let page = doc("index.html", "---\nlayout: default\n---\n<p>x</p>");
        let layout = doc(
            "_layouts/default.html",
            "<head>{% include head.html %}</head><body>{{ content }}</body>",
        );
        let head = doc("_includes/head.html", "<script></script>");
        let chain = Chain {
            files: vec![page.path.clone(), layout.path.clone(), head.path.clone()],
            unresolved: vec![],
        };
        let view = PageView {
            page: &page,
            docs: vec![&page, &layout, &head],
            chain: &chain,
        };
        let o = Order::new(&view);
        let page_p = o.key(0, 30);
        let head_script = o.key(2, 0);
        let layout_body = o.key(1, 40);
        assert!(head_script < layout_body && layout_body < page_p);
        assert!(o.key(1, 0) < head_script);
    }

    #[test]
    fn a_jinja_child_is_placed_block_by_block() {
        let base_text = "<html><head><title>{% block title %}{% endblock %}</title>\n<script id=\"Cookiebot\" src=\"https://consent.cookiebot.com/uc.js\"></script>\n</head><body>{% block content %}{% endblock %}</body></html>";
        let child_text = "{% extends \"base.html\" %}\n{% block title %}Plans{% endblock %}\n{% block content %}<script>fbq('init', '1');</script>{% endblock %}";
        let base = Document::parse(
            "templates/base.html",
            base_text.into(),
            Engine::Jinja,
            Format::Html,
        );
        let child = Document::parse(
            "templates/pricing.html",
            child_text.into(),
            Engine::Jinja,
            Format::Html,
        );
        let chain = Chain {
            files: vec![child.path.clone(), base.path.clone()],
            unresolved: vec![],
        };
        let view = PageView {
            page: &child,
            docs: vec![&child, &base],
            chain: &chain,
        };
        let o = Order::new(&view);
        let cmp = o.key(1, base_text.find("<script").unwrap());
        let title = o.key(0, child_text.find("Plans").unwrap());
        let pixel = o.key(0, child_text.find("<script").unwrap());
        assert!(title < cmp, "{title:?} {cmp:?}");
        assert!(
            cmp < pixel,
            "the pixel in block content renders after the CMP: {cmp:?} {pixel:?}"
        );
    }
}
