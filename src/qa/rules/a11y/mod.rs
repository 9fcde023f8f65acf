//! Accessibility rules (DOMAIN.md §3, WCAG 2.2 and axe-core): image alternatives, heading
//! outline, link names, form labels and the page language. Template syntax hides what the
//! browser will get, so every helper here answers "unknown" rather than "missing" for it.

mod broken_heading_outline;
mod image_without_alt;
mod unlabelled_control;
mod vague_link_text;

use std::collections::HashSet;

use super::Rule;
use crate::qa::page::Document;
use crate::qa::page::template::{Region, RegionKind};
use crate::qa::source::Span;

pub static RULES: &[&dyn Rule] = &[
    &image_without_alt::ImageWithoutAlt,
    &broken_heading_outline::BrokenHeadingOutline,
    &vague_link_text::VagueLinkText,
    &unlabelled_control::UnlabelledControl,
];

/// What an attribute holds, as far as the source tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Absent,
    /// Present with nothing but whitespace in it (or bare).
    Empty,
    /// Literal text, entities decoded and trimmed.
    Literal(String),
    /// Built by a template: anything.
    Dynamic,
}

impl Value {
    /// True when the attribute certainly or possibly holds text.
    pub(crate) fn has_text(&self) -> bool {
        matches!(self, Value::Literal(_) | Value::Dynamic)
    }

    pub(crate) fn is_literal(&self, want: &str) -> bool {
        matches!(self, Value::Literal(v) if v.eq_ignore_ascii_case(want))
    }
}

pub(crate) fn value(doc: &Document, el: usize, name: &str) -> Value {
    let Some(a) = doc.attr(el, name) else {
        return Value::Absent;
    };
    let Some(v) = a.value else {
        return Value::Empty;
    };
    if doc.is_dynamic(v) {
        return Value::Dynamic;
    }
    let text = crate::qa::page::decode_entities(doc.slice(v));
    let text = text.trim();
    if text.is_empty() {
        Value::Empty
    } else {
        Value::Literal(text.to_string())
    }
}

/// True when `aria-label`, `aria-labelledby` or `title` gives the element a name.
pub(crate) fn has_aria_name(doc: &Document, el: usize) -> bool {
    ["aria-label", "aria-labelledby", "title"]
        .iter()
        .any(|a| value(doc, el, a).has_text())
}

/// True when `role="presentation"`/`"none"` or `aria-hidden="true"` takes the element out
/// of the accessibility tree.
pub(crate) fn is_hidden_from_assistive_tech(doc: &Document, el: usize) -> bool {
    let role = match value(doc, el, "role") {
        Value::Literal(r) => r
            .split_ascii_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase(),
        _ => String::new(),
    };
    matches!(role.as_str(), "presentation" | "none")
        || value(doc, el, "aria-hidden").is_literal("true")
}

/// True when template syntax sits in the start tag outside every attribute value
/// (`<img {{ attrs }}>`, `<img src=x {% if a %}alt="y"{% endif %}>`): which attributes the
/// element gets is unknown.
pub(crate) fn has_template_attrs(doc: &Document, el: usize) -> bool {
    let tag = doc.elements[el].tag;
    let values: Vec<Span> = doc.attrs_of(el).iter().filter_map(|a| a.value).collect();
    doc.regions
        .within(tag)
        .iter()
        .any(|r| r.kind != RegionKind::Comment && !values.iter().any(|v| v.contains(r.span)))
}

/// The elements inside `el` (its descendants), in document order.
pub(crate) fn descendants(doc: &Document, el: usize) -> impl Iterator<Item = usize> + '_ {
    let content = doc.elements[el].content;
    (el + 1..doc.elements.len())
        .take_while(move |&i| content.is_some_and(|c| doc.elements[i].tag.start < c.end))
}

/// True when an output region may print markup (a rendered body, a partial, a macro call,
/// a shortcode), so headings or controls can come from it.
pub(crate) fn may_print_markup(doc: &Document, r: &Region) -> bool {
    if r.kind != RegionKind::Output {
        return false;
    }
    let raw = doc.slice(r.span);
    if raw.starts_with("{{{")
        || raw.starts_with("{{<")
        || raw.starts_with("{{%")
        || raw.contains('(')
    {
        return true;
    }
    let lower = raw.to_ascii_lowercase();
    [
        "content",
        "body",
        "markdown",
        "safe",
        "html",
        "partial",
        "render",
        "include",
        "super",
        "caller",
        "yield",
        "inner",
        "toc",
        "tableofcontents",
        "excerpt",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// True when the output region inserts the page (or a child layout) into a layout:
/// `{{ content }}`, `{{ .Content }}`, `{{{body}}}`. What it prints is in the page view.
pub(crate) fn inserts_page_content(doc: &Document, r: &Region) -> bool {
    let inner = doc
        .slice(r.span)
        .trim_matches(|c: char| matches!(c, '{' | '}' | '-' | '~') || c.is_whitespace());
    let head = inner.split('|').next().unwrap_or("").trim();
    matches!(
        head,
        "content" | ".Content" | "body" | "page.content" | "@partial-block"
    )
}

/// How sure it is that what a template block holds is rendered exactly once where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    /// `if`, `unless`, `case`, `with`, loops, unknown block helpers: zero, one or many times.
    Branch,
    /// `macro`, `capture`, block `set`, `call`, Handlebars inline partials: rendered elsewhere.
    Definition,
    /// Jinja and Hugo `block`: a default that a child template may replace.
    Overridable,
    /// `highlight`, `verbatim`, code shortcodes: source code shown as text, not markup.
    Code,
    /// Rendered where it stands (`filter`, `autoescape`, Hugo `define`, partial blocks).
    Neutral,
}

#[derive(Debug, Clone, Copy)]
struct Scope {
    body: Span,
    kind: ScopeKind,
}

/// The template blocks of a document, found by pairing openers and closers over its tag
/// regions: `{% if %}…{% endif %}`, `{{#each}}…{{/each}}`, `{{ range }}…{{ end }}`.
pub(crate) struct Scopes {
    list: Vec<Scope>,
}

enum Mark {
    Open(String, ScopeKind),
    /// `{% endX %}`, `{{/X}}`, `{{< /X >}}`.
    Close(String),
    /// Go template `{{ end }}`: closes the innermost Go block.
    End,
    Other,
}

/// Go template actions that open a block closed by `{{ end }}`.
const GO_BLOCKS: &[&str] = &["if", "with", "range", "define", "block"];

impl Scopes {
    pub(crate) fn of(doc: &Document) -> Scopes {
        let marks: Vec<(Span, Mark)> = doc
            .regions
            .all()
            .iter()
            .filter(|r| r.kind != RegionKind::Comment)
            .map(|r| (r.span, read_mark(doc.slice(r.span))))
            .collect();
        let closers: HashSet<&str> = marks
            .iter()
            .filter_map(|(_, m)| match m {
                Mark::Close(w) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        let mut open: Vec<(Span, &str, ScopeKind)> = Vec::new();
        let mut list = Vec::new();
        for (span, mark) in &marks {
            match mark {
                Mark::Open(w, kind)
                    if GO_BLOCKS.contains(&w.as_str()) || closers.contains(w.as_str()) =>
                {
                    open.push((*span, w.as_str(), *kind));
                }
                Mark::Close(w) => {
                    if let Some(at) = open.iter().rposition(|(_, o, _)| o == w) {
                        for (s, _, kind) in open.drain(at..) {
                            list.push(Scope {
                                body: Span::new(s.end, span.start.max(s.end)),
                                kind,
                            });
                        }
                    }
                }
                Mark::End => {
                    if let Some(at) = open.iter().rposition(|(_, o, _)| GO_BLOCKS.contains(o)) {
                        for (s, _, kind) in open.drain(at..) {
                            list.push(Scope {
                                body: Span::new(s.end, span.start.max(s.end)),
                                kind,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        // A block never closed runs to the end of the file: a broken template is uncertain.
        for (s, _, kind) in open {
            list.push(Scope {
                body: Span::new(s.end, doc.text.len().max(s.end)),
                kind,
            });
        }
        Scopes { list }
    }

    fn enclosing(&self, offset: usize) -> impl Iterator<Item = ScopeKind> + '_ {
        self.list
            .iter()
            .filter(move |s| s.body.start <= offset && offset < s.body.end)
            .map(|s| s.kind)
    }

    /// True inside a code block (`{% highlight %}`): tags there are shown, not rendered.
    pub(crate) fn is_code(&self, offset: usize) -> bool {
        self.enclosing(offset).any(|k| k == ScopeKind::Code)
    }

    pub(crate) fn is_definition(&self, offset: usize) -> bool {
        self.enclosing(offset).any(|k| k == ScopeKind::Definition)
    }

    /// True when what stands at `offset` may be rendered zero or several times. A `block`
    /// counts only outside the page itself, where a child template may replace it.
    pub(crate) fn is_uncertain(&self, offset: usize, is_page: bool) -> bool {
        self.enclosing(offset).any(|k| match k {
            ScopeKind::Branch | ScopeKind::Definition => true,
            ScopeKind::Overridable => !is_page,
            ScopeKind::Code | ScopeKind::Neutral => false,
        })
    }
}

fn read_mark(raw: &str) -> Mark {
    let is_shortcode = raw.starts_with("{{<") || raw.starts_with("{{%");
    let is_tag = raw.starts_with("{%");
    let inner = raw.trim_matches(|c: char| {
        matches!(c, '{' | '}' | '%' | '<' | '>' | '-' | '~') || c.is_whitespace()
    });
    if is_shortcode {
        return shortcode_mark(inner);
    }
    if is_tag {
        return jinja_mark(inner);
    }
    if let Some(rest) = inner.strip_prefix('#').or_else(|| inner.strip_prefix('^')) {
        return handlebars_open(rest);
    }
    if let Some(rest) = inner.strip_prefix('/') {
        return Mark::Close(word(rest.trim_start()).to_string());
    }
    let w = word(inner);
    match w {
        "end" => Mark::End,
        "if" | "with" | "range" => Mark::Open(w.to_string(), ScopeKind::Branch),
        "block" => Mark::Open(w.to_string(), ScopeKind::Overridable),
        "define" => Mark::Open(w.to_string(), ScopeKind::Neutral),
        _ => Mark::Other,
    }
}

fn jinja_mark(inner: &str) -> Mark {
    let w = word(inner);
    if let Some(closed) = w.strip_prefix("end").filter(|c| !c.is_empty()) {
        return Mark::Close(closed.to_string());
    }
    let kind = match w {
        "if" | "unless" | "case" | "for" | "tablerow" | "with" | "ifchanged" | "paginate" => {
            ScopeKind::Branch
        }
        "macro" | "capture" | "call" => ScopeKind::Definition,
        // `{% set x = 1 %}` is an assignment; only `{% set x %}…{% endset %}` is a block.
        "set" if inner.contains('=') => return Mark::Other,
        "set" => ScopeKind::Definition,
        "block" => ScopeKind::Overridable,
        "highlight" | "verbatim" | "raw" | "codeblock" => ScopeKind::Code,
        "" | "else" | "elsif" | "elif" | "when" | "empty" => return Mark::Other,
        _ => ScopeKind::Neutral,
    };
    Mark::Open(w.to_string(), kind)
}

fn handlebars_open(rest: &str) -> Mark {
    if let Some(partial) = rest.strip_prefix('>') {
        return Mark::Open(word(partial.trim_start()).to_string(), ScopeKind::Neutral);
    }
    if let Some(inline) = rest.strip_prefix('*') {
        return Mark::Open(word(inline).to_string(), ScopeKind::Definition);
    }
    let w = word(rest.trim_start());
    if w.is_empty() {
        return Mark::Other;
    }
    Mark::Open(w.to_string(), ScopeKind::Branch)
}

fn shortcode_mark(inner: &str) -> Mark {
    if let Some(rest) = inner.strip_prefix('/') {
        return Mark::Close(word(rest.trim_start()).to_string());
    }
    let w = word(inner);
    let kind = if matches!(w, "highlight" | "code" | "codeblock") {
        ScopeKind::Code
    } else {
        ScopeKind::Neutral
    };
    Mark::Open(w.to_string(), kind)
}

/// The leading name of a template tag: letters, digits, `_`, `-`, `.`, `/`.
fn word(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@')))
        .unwrap_or(s.len());
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::{Engine, Format};

    fn doc(t: &str, engine: Engine) -> Document {
        Document::parse("a.html", t.to_string(), engine, Format::Html)
    }

    fn offset(d: &Document, needle: &str) -> usize {
        d.text.find(needle).unwrap()
    }

    #[test]
    fn scopes_pair_openers_and_closers_in_every_engine() {
        let l = doc(
            "{% if a %}<h1>A</h1>{% else %}<h1>B</h1>{% endif %}<h1>C</h1>{% capture x %}<h1>D</h1>{% endcapture %}",
            Engine::Liquid,
        );
        let s = Scopes::of(&l);
        assert!(s.is_uncertain(offset(&l, "<h1>A"), true));
        assert!(s.is_uncertain(offset(&l, "<h1>B"), true));
        assert!(!s.is_uncertain(offset(&l, "<h1>C"), true));
        assert!(s.is_definition(offset(&l, "<h1>D")));

        let h = doc(
            "{{ define \"main\" }}{{ with .Title }}<h1>A</h1>{{ end }}<h1>B</h1>{{ end }}",
            Engine::Hugo,
        );
        let s = Scopes::of(&h);
        assert!(s.is_uncertain(offset(&h, "<h1>A"), false));
        assert!(!s.is_uncertain(offset(&h, "<h1>B"), false));

        let hb = doc(
            "{{#> layout}}{{#if a}}<h1>A</h1>{{/if}}<h1>B</h1>{{/layout}}",
            Engine::Handlebars,
        );
        let s = Scopes::of(&hb);
        assert!(s.is_uncertain(offset(&hb, "<h1>A"), true));
        assert!(!s.is_uncertain(offset(&hb, "<h1>B"), true));

        let j = doc(
            "{% block t %}<h1>A</h1>{% endblock %}{% set x = 1 %}<h1>B</h1>{% set y %}<h1>C</h1>{% endset %}{% highlight html %}<img>{% endhighlight %}",
            Engine::Jinja,
        );
        let s = Scopes::of(&j);
        assert!(s.is_uncertain(offset(&j, "<h1>A"), false));
        assert!(!s.is_uncertain(offset(&j, "<h1>A"), true));
        assert!(!s.is_uncertain(offset(&j, "<h1>B"), false));
        assert!(s.is_definition(offset(&j, "<h1>C")));
        assert!(s.is_code(offset(&j, "<img>")));
    }

    #[test]
    fn an_unclosed_branch_runs_to_the_end_of_the_file() {
        let l = doc("{% if a %}<h1>A</h1>", Engine::Liquid);
        assert!(Scopes::of(&l).is_uncertain(offset(&l, "<h1>"), true));
    }

    #[test]
    fn template_syntax_between_attributes_is_told_apart_from_template_values() {
        let d = doc(
            r#"<img alt="{{ a }}"><img {{ attrs }}><img src=x {% if a %}alt="y"{% endif %}>"#,
            Engine::Liquid,
        );
        assert!(!has_template_attrs(&d, 0));
        assert!(has_template_attrs(&d, 1));
        assert!(has_template_attrs(&d, 2));
    }
}
