//! Template block structure at a point of a file: which `if`, `for`, `block`, `define` or
//! Handlebars helper blocks are open there, so a rule can tell whether an element is
//! rendered on every build. Shared by the SEO and social rules; reports nothing.

use crate::qa::page::template::RegionKind;
use crate::qa::page::{Document, IncludeKind};
use crate::qa::view::PageView;

/// One template block open at some point of a file.
#[derive(Debug, Clone)]
pub(super) struct Open {
    /// The tag word (`if`, `block`, `define`, a Handlebars helper or partial name).
    pub(super) word: String,
    /// The block's argument as written (`head` in `{% block head %}`).
    pub(super) name: String,
    /// Its content may not be rendered at all (`if`, `for`, `capture`, `with` in Go).
    pub(super) conditional: bool,
}

/// What a template tag does to the block structure.
pub(super) enum Tag {
    Open(Open),
    /// `{% endif %}`, `{{/if}}` (the word), `{{ end }}` (`None`: the innermost block).
    Close(Option<String>),
    Other,
}

/// Liquid/Jinja block tags whose content may not be rendered where it stands.
pub(super) const CONDITIONAL_BLOCKS: &[&str] = &[
    "if",
    "unless",
    "for",
    "case",
    "capture",
    "macro",
    "call",
    "ifchanged",
    "tablerow",
    "ifequal",
    "ifnotequal",
];
/// Liquid/Jinja tags that never open a block.
pub(super) const INLINE_TAGS: &[&str] = &[
    "else",
    "elsif",
    "elif",
    "when",
    "empty",
    "assign",
    "include",
    "include_relative",
    "render",
    "layout",
    "extends",
    "import",
    "from",
    "break",
    "continue",
    "cycle",
    "increment",
    "decrement",
    "echo",
    "liquid",
    "do",
    "super",
    "load",
    "url",
    "static",
    "csrf_token",
    "now",
    "link",
    "post_url",
    "seo",
    "feed_meta",
    "comment",
    "raw",
];

/// Reads one `Tag` region.
pub(super) fn classify_tag(raw: &str) -> Tag {
    let curly = raw.starts_with("{{");
    let inner = raw
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches(|c: char| matches!(c, '%' | '-' | '~') || c.is_whitespace());
    let word_of = |s: &str| -> String {
        s.chars()
            .take_while(|c| !c.is_whitespace() && *c != '(')
            .collect()
    };
    if let Some(rest) = inner.strip_prefix('#') {
        // Partial blocks and inline partials render their content; any other block helper
        // (`if`, `each`, `with`, a site's own) may skip it.
        let partial = rest.starts_with(['>', '*']);
        let rest = rest.trim_start_matches(['>', '*']).trim_start();
        let word = word_of(rest);
        let name = rest[word.len()..].trim().to_string();
        return Tag::Open(Open {
            word,
            name,
            conditional: !partial,
        });
    }
    if let Some(rest) = inner.strip_prefix('/') {
        return Tag::Close(Some(word_of(rest.trim())));
    }
    if let Some(rest) = inner.strip_prefix('^') {
        if rest.trim().is_empty() {
            return Tag::Other;
        }
        let word = word_of(rest.trim());
        return Tag::Open(Open {
            word,
            name: String::new(),
            conditional: true,
        });
    }
    let word = word_of(inner);
    let name = inner[word.len()..].trim().to_string();
    if curly {
        // Go templates: `if`, `with`, `range` are conditional; `define`, `block` render.
        return match word.as_str() {
            "if" | "with" | "range" => Tag::Open(Open {
                word,
                name,
                conditional: true,
            }),
            "define" | "block" => Tag::Open(Open {
                word,
                name,
                conditional: false,
            }),
            "end" => Tag::Close(None),
            _ => Tag::Other,
        };
    }
    if let Some(closed) = word.strip_prefix("end") {
        return Tag::Close(Some(closed.to_string()));
    }
    if INLINE_TAGS.contains(&word.as_str()) || (word == "set" && name.contains('=')) {
        return Tag::Other;
    }
    let conditional = CONDITIONAL_BLOCKS.contains(&word.as_str()) || word == "set";
    Tag::Open(Open {
        word,
        name,
        conditional,
    })
}

pub(super) fn apply(stack: &mut Vec<Open>, tag: Tag) {
    match tag {
        Tag::Open(o) => stack.push(o),
        Tag::Close(None) => {
            stack.pop();
        }
        Tag::Close(Some(w)) => {
            if let Some(i) = stack.iter().rposition(|o| o.word == w) {
                stack.truncate(i);
            }
        }
        Tag::Other => {}
    }
}

/// The template blocks open at byte `at` of `doc`.
pub(super) fn open_blocks(doc: &Document, at: usize) -> Vec<Open> {
    let mut stack = Vec::new();
    for r in doc
        .regions
        .all()
        .iter()
        .filter(|r| r.span.end <= at && r.kind == RegionKind::Tag)
    {
        apply(&mut stack, classify_tag(doc.slice(r.span)));
    }
    stack
}

/// The name a block tag gives (`head` for `{% block head %}` and `{{ define "head" }}`).
pub(super) fn block_name(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['"', '\'', '`'])
        .to_string()
}

/// True when the element starting at `at` of `doc` is rendered on every page that uses
/// `doc`: no template condition or loop around it, and no block around it that another file
/// of the view replaces (`{% block %}` in a base template that the page overrides).
pub(crate) fn always_rendered(view: &PageView, doc: &Document, at: usize) -> bool {
    let stack = open_blocks(doc, at);
    if stack.iter().any(|o| o.conditional) {
        return false;
    }
    let is_child = doc.includes.iter().any(|i| i.kind == IncludeKind::Extends);
    !stack
        .iter()
        .filter(|o| o.word == "block" && !is_child)
        .any(|o| overridden(view, doc, &block_name(&o.name)))
}

/// True when a file of the view other than `doc` defines block `name`.
fn overridden(view: &PageView, doc: &Document, name: &str) -> bool {
    view.docs
        .iter()
        .filter(|d| !std::ptr::eq(**d, doc))
        .any(|d| {
            d.regions
                .all()
                .iter()
                .filter(|r| r.kind == RegionKind::Tag)
                .any(|r| match classify_tag(d.slice(r.span)) {
                    Tag::Open(o) => {
                        matches!(o.word.as_str(), "block" | "define") && block_name(&o.name) == name
                    }
                    _ => false,
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, Format};

    fn doc(t: &str, engine: Engine) -> Document {
        Document::parse("a.html", t.to_string(), engine, Format::Html)
    }

    fn conditional_at(d: &Document, needle: &str) -> bool {
        let at = d.text.find(needle).expect("needle in text");
        open_blocks(d, at).iter().any(|o| o.conditional)
    }

    #[test]
    fn reads_conditions_and_loops_in_every_engine() {
        let l = doc(
            "{% if x %}<a1>{% endif %}<a2>{% for p in ps %}<a3>{% endfor %}{% capture c %}<a4>{% endcapture %}",
            Engine::Liquid,
        );
        assert!(
            conditional_at(&l, "<a1>")
                && !conditional_at(&l, "<a2>")
                && conditional_at(&l, "<a3>")
                && conditional_at(&l, "<a4>")
        );
        let j = doc(
            "{% block head %}{% set x = 1 %}<a1>{% if y %}{% else %}<a2>{% endif %}{% endblock %}<a3>",
            Engine::Jinja,
        );
        assert!(
            !conditional_at(&j, "<a1>")
                && conditional_at(&j, "<a2>")
                && !conditional_at(&j, "<a3>")
        );
        let h = doc(
            "{{ define \"main\" }}<a1>{{ with .X }}<a2>{{ end }}<a3>{{ end }}",
            Engine::Hugo,
        );
        assert!(
            !conditional_at(&h, "<a1>")
                && conditional_at(&h, "<a2>")
                && !conditional_at(&h, "<a3>")
        );
        let hb = doc(
            "{{#> layout}}<a1>{{#if x}}<a2>{{else}}<a3>{{/if}}<a4>{{/layout}}",
            Engine::Handlebars,
        );
        assert!(
            !conditional_at(&hb, "<a1>")
                && conditional_at(&hb, "<a2>")
                && conditional_at(&hb, "<a3>")
                && !conditional_at(&hb, "<a4>")
        );
    }
}
