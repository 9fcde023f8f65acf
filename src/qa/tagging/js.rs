//! JavaScript, read with a real parser (oxc): the calls a script makes with their literal
//! arguments, its string literals and its assignments. Tag detection, consent order and
//! event extraction all read scripts through here.
//!
//! Inline scripts in templates carry template syntax (`gtag('config', '{{ site.ga }}')`).
//! Before parsing, every template region is blanked byte for byte (a tag or comment to
//! spaces, an output expression to `0` and spaces), so offsets stay those of the document
//! and the script still parses; a literal that overlaps a region reads as `Value::Dynamic`.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, AssignmentExpression, AssignmentTarget, BindingPattern,
    CallExpression, Expression, ObjectPropertyKind, PropertyKey, SimpleAssignmentTarget,
    StringLiteral, VariableDeclarator,
};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

use super::Value;
use crate::qa::page::Document;
use crate::qa::page::template::{Region, RegionKind};
use crate::qa::source::Span;

/// One call: `gtag('config', 'G-1')`, `dataLayer.push({...})`, or an IIFE.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The callee as a dotted path (`window.dataLayer.push`), or `(function)` for a
    /// function expression called on the spot (the GTM loader).
    pub callee: String,
    pub args: Vec<Value>,
    pub arg_spans: Vec<Span>,
    pub span: Span,
}

/// `target = value` or `var target = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Dotted (`window.dataLayer`, `_linkedin_partner_id`).
    pub target: String,
    pub value: Value,
    pub span: Span,
}

/// What one script does, in source order within each list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    /// The script's own span (the element's content, or the whole file).
    pub span: Span,
    pub calls: Vec<Call>,
    /// Every string literal with its decoded value.
    pub strings: Vec<(String, Span)>,
    pub assignments: Vec<Assignment>,
    /// The parser gave up on part of the script: what is listed is what came before.
    pub broken: bool,
}

/// Reads a JavaScript file.
pub fn scan(text: &str) -> Script {
    scan_at(text, 0, &[])
}

/// Every inline script of `doc` (no `src`, JavaScript by its `type`), read once per
/// document; spans are the document's.
pub fn scripts(doc: &Document) -> std::sync::Arc<Scripts> {
    doc.memo(|| Scripts(inline_scripts(doc)))
}

/// The inline scripts of a document, in source order (the memo's own type).
#[derive(Debug)]
pub struct Scripts(Vec<Script>);

impl std::ops::Deref for Scripts {
    type Target = [Script];

    fn deref(&self) -> &[Script] {
        &self.0
    }
}

fn inline_scripts(doc: &Document) -> Vec<Script> {
    doc.elements_named("script")
        .filter(|&el| doc.attr(el, "src").is_none() && is_javascript(doc.attr_value(el, "type")))
        .filter_map(|el| doc.elements[el].content)
        .filter(|content| !content.is_empty())
        .map(|content| {
            let text = neutralised(&doc.text[content.start..content.end], content.start, doc);
            let regions = doc.regions.within(content);
            scan_at(&text, content.start, regions)
        })
        .collect()
}

/// Script types that hold JavaScript. Consent managers park blocked scripts as
/// `text/plain` until consent (Cookiebot's `data-cookieconsent`, OneTrust's
/// `optanon-category-*`): those are JavaScript too.
fn is_javascript(ty: Option<&str>) -> bool {
    let Some(ty) = ty.map(|t| t.trim().to_ascii_lowercase()) else {
        return true;
    };
    let ty = ty.split(';').next().unwrap_or_default().trim().to_string();
    matches!(
        ty.as_str(),
        "" | "module"
            | "text/plain"
            | "text/javascript"
            | "application/javascript"
            | "application/x-javascript"
            | "text/ecmascript"
            | "application/ecmascript"
            | "text/babel"
            | "text/partytown"
    )
}

/// The script text with its template regions blanked, same length and line breaks.
fn neutralised(text: &str, base: usize, doc: &Document) -> String {
    let span = Span::new(base, base + text.len());
    let regions = doc.regions.within(span);
    if regions.is_empty() {
        return text.to_string();
    }
    let mut bytes = text.as_bytes().to_vec();
    for region in regions {
        let from = region.span.start.max(span.start) - base;
        let to = region.span.end.min(span.end) - base;
        for (i, b) in bytes[from..to].iter_mut().enumerate() {
            *b = match (*b, region.kind) {
                (b'\n', _) => b'\n',
                (_, RegionKind::Output) if i == 0 => b'0',
                _ => b' ',
            };
        }
    }
    // Every multi-byte character inside a region became spaces, whole, so the bytes are
    // still UTF-8; `from_utf8_lossy` only guards a region edge inside a character.
    String::from_utf8_lossy(&bytes).into_owned()
}

fn scan_at(text: &str, base: usize, regions: &[Region]) -> Script {
    let allocator = Allocator::default();
    let source_type = SourceType::cjs();
    let parsed = Parser::new(&allocator, text, source_type).parse();
    let mut reader = Reader {
        base,
        regions,
        script: Script {
            span: Span::new(base, base + text.len()),
            broken: parsed.panicked || parsed.diagnostics.has_errors(),
            ..Script::default()
        },
    };
    reader.visit_program(&parsed.program);
    reader.script
}

struct Reader<'r> {
    base: usize,
    regions: &'r [Region],
    script: Script,
}

impl Reader<'_> {
    fn span(&self, span: oxc_span::Span) -> Span {
        Span::new(
            self.base + span.start as usize,
            self.base + span.end as usize,
        )
    }

    fn templated(&self, span: oxc_span::Span) -> bool {
        let span = self.span(span);
        self.regions
            .iter()
            .any(|r| r.span.start < span.end && span.start < r.span.end)
    }

    fn value(&self, expr: &Expression) -> Value {
        if self.templated(expr.span()) && !matches!(expr, Expression::ObjectExpression(_)) {
            return Value::Dynamic;
        }
        match expr.without_parentheses() {
            Expression::StringLiteral(s) => Value::String(s.value.to_string()),
            Expression::NumericLiteral(n) => Value::Number(n.value),
            Expression::BooleanLiteral(b) => Value::Bool(b.value),
            Expression::NullLiteral(_) => Value::Null,
            Expression::TemplateLiteral(t) if t.expressions.is_empty() => t
                .quasis
                .first()
                .and_then(|q| q.value.cooked.as_ref())
                .map_or(Value::Dynamic, |s| Value::String(s.to_string())),
            Expression::UnaryExpression(u) if u.operator.as_str() == "-" => match &u.argument {
                Expression::NumericLiteral(n) => Value::Number(-n.value),
                _ => Value::Dynamic,
            },
            Expression::ObjectExpression(o) => Value::Object(
                o.properties
                    .iter()
                    .filter_map(|p| match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            Some((key_name(&p.key)?, self.value(&p.value)))
                        }
                        // A spread may add any property: kept as `...` so a reader
                        // knows the list is open.
                        ObjectPropertyKind::SpreadProperty(_) => {
                            Some(("...".to_string(), Value::Dynamic))
                        }
                    })
                    .collect(),
            ),
            Expression::ArrayExpression(a) => Value::Array(
                a.elements
                    .iter()
                    .map(|e| match e {
                        ArrayExpressionElement::SpreadElement(_)
                        | ArrayExpressionElement::Elision(_) => Value::Dynamic,
                        other => other
                            .as_expression()
                            .map_or(Value::Dynamic, |e| self.value(e)),
                    })
                    .collect(),
            ),
            _ => Value::Dynamic,
        }
    }
}

/// A property key written as a name or a string (`event:`, `'event':`).
fn key_name(key: &PropertyKey) -> Option<String> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(id.name.to_string()),
        PropertyKey::StringLiteral(s) => Some(s.value.to_string()),
        PropertyKey::NumericLiteral(n) => Some(n.value.to_string()),
        _ => None,
    }
}

/// `a.b.c` for identifiers and static (or string-computed) member access; `None` otherwise.
fn dotted(expr: &Expression) -> Option<String> {
    match expr.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::ThisExpression(_) => Some("this".into()),
        Expression::StaticMemberExpression(m) => {
            Some(format!("{}.{}", dotted(&m.object)?, m.property.name))
        }
        Expression::ComputedMemberExpression(m) => match &m.expression {
            Expression::StringLiteral(s) => Some(format!("{}.{}", dotted(&m.object)?, s.value)),
            _ => None,
        },
        _ => None,
    }
}

fn callee_name(expr: &Expression) -> Option<String> {
    match expr.without_parentheses() {
        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_) => {
            Some("(function)".into())
        }
        other => dotted(other),
    }
}

fn target_name(target: &AssignmentTarget) -> Option<String> {
    match target {
        AssignmentTarget::AssignmentTargetIdentifier(id) => Some(id.name.to_string()),
        other => match other.as_simple_assignment_target()? {
            SimpleAssignmentTarget::StaticMemberExpression(m) => {
                Some(format!("{}.{}", dotted(&m.object)?, m.property.name))
            }
            SimpleAssignmentTarget::ComputedMemberExpression(m) => match &m.expression {
                Expression::StringLiteral(s) => Some(format!("{}.{}", dotted(&m.object)?, s.value)),
                _ => None,
            },
            _ => None,
        },
    }
}

impl<'a> Visit<'a> for Reader<'_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Some(callee) = callee_name(&it.callee) {
            let (args, arg_spans) = it
                .arguments
                .iter()
                .map(|arg| match arg {
                    Argument::SpreadElement(s) => (Value::Dynamic, self.span(s.span)),
                    other => other
                        .as_expression()
                        .map_or((Value::Dynamic, self.span(other.span())), |e| {
                            (self.value(e), self.span(e.span()))
                        }),
                })
                .unzip();
            self.script.calls.push(Call {
                callee,
                args,
                arg_spans,
                span: self.span(it.span),
            });
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        if !self.templated(it.span) {
            let span = self.span(it.span);
            self.script.strings.push((it.value.to_string(), span));
        }
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if let Some(target) = target_name(&it.left) {
            let value = self.value(&it.right);
            let span = self.span(it.span);
            self.script.assignments.push(Assignment {
                target,
                value,
                span,
            });
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
            let value = self.value(init);
            let span = self.span(it.span);
            self.script.assignments.push(Assignment {
                target: id.name.to_string(),
                value,
                span,
            });
        }
        walk::walk_variable_declarator(self, it);
    }
}

#[cfg(test)]
#[path = "js_tests.rs"]
mod tests;
