//! The template-syntax guard: block tags must still pair up (`{% if %}`…`{% endif %}`,
//! Hugo `{{ if }}`…`{{ end }}`, Handlebars `{{#each}}`…`{{/each}}`) and no `{{`, `{%` or
//! `{#` may be left open. Problems are compared with the original's, so a partial that was
//! already unbalanced (a block closed in another file) is judged only on what the edit adds.

use std::collections::HashMap;

use super::guards::{Guard, Violation, cut};
use crate::qa::page::Document;
use crate::qa::page::template::RegionKind;
use crate::qa::source::Span;

/// One template-syntax problem: `key` identifies it without its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open(String),
    Close(String),
}

/// Liquid, Jinja, Nunjucks, Twig and Django tags that need an `end…` tag.
const BLOCK_TAGS: &[&str] = &[
    "if",
    "unless",
    "for",
    "case",
    "capture",
    "block",
    "macro",
    "call",
    "filter",
    "with",
    "tablerow",
    "paginate",
    "form",
    "style",
    "javascript",
    "schema",
    "stylesheet",
    "spaceless",
    "autoescape",
    "embed",
    "apply",
    "verbatim",
    "sandbox",
    "trans",
    "blocktrans",
    "ifchanged",
    "asyncEach",
    "asyncAll",
    "set",
];

/// Go-template (Hugo) actions closed by `{{ end }}`.
const GO_BLOCKS: &[&str] = &["if", "range", "with", "define", "block"];

fn first_word(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The block token a template tag is, if any. `else`, `elsif`, `when` are neither.
fn token(raw: &str) -> Option<Token> {
    let trim: &[char] = &['-', '~', '+', ' ', '\t', '\n', '\r'];
    if let Some(inner) = raw.strip_prefix("{%").and_then(|r| r.strip_suffix("%}")) {
        let inner = inner.trim_matches(trim);
        let word = first_word(inner);
        if let Some(name) = word.strip_prefix("end").filter(|n| !n.is_empty()) {
            return Some(Token::Close(name.to_string()));
        }
        let is_block = BLOCK_TAGS.contains(&word) && !(word == "set" && inner.contains('='));
        return is_block.then(|| Token::Open(word.to_string()));
    }
    let inner = raw
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches(trim);
    if let Some(rest) = inner.strip_prefix('#').or_else(|| inner.strip_prefix('^')) {
        let name = first_word(rest.trim_start_matches(['>', '*', ' ']));
        return (!name.is_empty()).then(|| Token::Open(name.to_string()));
    }
    if let Some(rest) = inner.strip_prefix('/') {
        let name = first_word(rest.trim());
        return (!name.is_empty()).then(|| Token::Close(name.to_string()));
    }
    match first_word(inner) {
        "end" => Some(Token::Close("end".into())),
        w if GO_BLOCKS.contains(&w) => Some(Token::Open("end".into())),
        _ => None,
    }
}

/// Every block-pairing and unterminated-syntax problem of `doc`, in document order.
pub fn problems(doc: &Document) -> Vec<Problem> {
    let line = |s: Span| doc.lines.line_col(&doc.text, s.start).line;
    let show = |s: Span| format!("`{}` at line {}", cut(doc.slice(s), 40), line(s));
    let mut out = Vec::new();
    let mut stack: Vec<(String, Span)> = Vec::new();
    for r in doc
        .regions
        .all()
        .iter()
        .filter(|r| r.kind == RegionKind::Tag)
    {
        match token(doc.slice(r.span)) {
            Some(Token::Open(name)) => stack.push((name, r.span)),
            Some(Token::Close(name)) => match stack.iter().rposition(|(n, _)| *n == name) {
                Some(k) => {
                    for (open, span) in stack.drain(k + 1..).rev() {
                        out.push(Problem {
                            key: format!("crossed {open} by {name}"),
                            message: format!(
                                "{} closes a block while {} is still open",
                                show(r.span),
                                show(span)
                            ),
                        });
                    }
                    stack.pop();
                }
                None => out.push(Problem {
                    key: format!("stray {name}"),
                    message: format!("{} closes no open block", show(r.span)),
                }),
            },
            None => {}
        }
    }
    for (name, span) in stack {
        out.push(Problem {
            key: format!("unclosed {name}"),
            message: format!("{} is never closed", show(span)),
        });
    }
    out.extend(unterminated(doc));
    out
}

/// Template openers that no region covers: `{{`, `{%`, and `{#` where it is a comment.
fn unterminated(doc: &Document) -> Vec<Problem> {
    let bytes = doc.text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'{', &bytes[i..]) {
        let at = i + k;
        i = at + 1;
        let opener = match bytes.get(at + 1) {
            Some(b'{') => "{{",
            Some(b'%') => "{%",
            Some(b'#') if doc.engine.has_hash_comments() => "{#",
            _ => continue,
        };
        if doc.regions.is_dynamic(Span::new(at, at + 2)) {
            continue;
        }
        let line = doc.lines.line_col(&doc.text, at).line;
        out.push(Problem {
            key: format!("unterminated {opener}"),
            message: format!("`{opener}` at line {line} is never closed"),
        });
        i = at + 2;
    }
    out
}

/// The problems `after` has that `before` did not have (compared by key, as a multiset).
pub fn violations(before: &Document, after: &Document) -> Vec<Violation> {
    let mut had: HashMap<String, usize> = HashMap::new();
    for p in problems(before) {
        *had.entry(p.key).or_default() += 1;
    }
    problems(after)
        .into_iter()
        .filter(|p| match had.get_mut(&p.key) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .map(|p| {
            Violation::new(
                Guard::Template,
                format!(
                    "breaks the template syntax: {}; keep every template tag intact and paired",
                    p.message
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::model::guards::html;
    use crate::qa::page::{Engine, Format};

    fn doc(text: &str, engine: Engine) -> Document {
        Document::parse("a.html", text.to_string(), engine, Format::Html)
    }

    fn messages(before: &str, after: &str, engine: Engine) -> Vec<String> {
        violations(&doc(before, engine), &doc(after, engine))
            .into_iter()
            .map(|v| v.message)
            .collect()
    }

    #[test]
    fn reads_block_tokens_of_every_engine() {
        let open = |s: &str| Some(Token::Open(s.into()));
        let close = |s: &str| Some(Token::Close(s.into()));
        assert_eq!(token("{%- if x -%}"), open("if"));
        assert_eq!(token("{% endfor %}"), close("for"));
        assert_eq!(token("{% set x = 1 %}"), None);
        assert_eq!(token("{% set nav %}"), open("set"));
        assert_eq!(token("{% else %}"), None);
        assert_eq!(token("{{- range .Pages }}"), open("end"));
        assert_eq!(token("{{ end -}}"), close("end"));
        assert_eq!(token("{{#each items}}"), open("each"));
        assert_eq!(token("{{#> layout}}"), open("layout"));
        assert_eq!(token("{{/each}}"), close("each"));
        assert_eq!(token("{{ partial \"x\" . }}"), None);
    }

    #[test]
    fn a_balanced_edit_passes() {
        let before = "{% if a %}<p>x</p>{% endif %}\n";
        assert_eq!(
            messages(before, "{% if a %}<p>y</p>{% endif %}\n", Engine::Liquid),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_removed_end_tag_is_refused() {
        let before = "{% for p in ps %}\n{% if p %}x{% endif %}\n{% endfor %}\n";
        let after = "{% for p in ps %}\n{% if p %}x\n{% endfor %}\n";
        assert_eq!(
            messages(before, after, Engine::Jinja),
            [
                "breaks the template syntax: `{% endfor %}` at line 3 closes a block while `{% if p %}` at line 2 is still open; keep every template tag intact and paired"
            ]
        );
    }

    #[test]
    fn a_stray_hugo_end_and_an_unclosed_handlebars_block_are_refused() {
        assert_eq!(
            messages(
                "{{ if .A }}a{{ end }}\n",
                "{{ if .A }}a{{ end }}{{ end }}\n",
                Engine::Hugo
            ),
            [
                "breaks the template syntax: `{{ end }}` at line 1 closes no open block; keep every template tag intact and paired"
            ]
        );
        assert_eq!(
            messages("<p>x</p>\n", "{{#if a}}<p>x</p>\n", Engine::Handlebars),
            [
                "breaks the template syntax: `{{#if a}}` at line 1 is never closed; keep every template tag intact and paired"
            ]
        );
    }

    #[test]
    fn a_cut_output_tag_is_refused() {
        assert_eq!(
            messages(
                "<a href=\"{{ page.url }}\">\n",
                "<a href=\"{{ page.url\">\n",
                Engine::Liquid
            ),
            [
                "breaks the template syntax: `{{` at line 1 is never closed; keep every template tag intact and paired"
            ]
        );
    }

    #[test]
    fn a_partial_that_was_unbalanced_is_judged_on_the_edit_only() {
        let before = "{{ define \"main\" }}\n<p>a</p>\n";
        assert!(messages(before, "{{ define \"main\" }}\n<p>b</p>\n", Engine::Hugo).is_empty());
        assert_eq!(problems(&html("{% endif %}")).len(), 1);
    }
}
