//! LNK-002 unsafe-link: a `target="_blank"` link to another site without `rel="noopener"`,
//! and `javascript:` links. Template-built `target`, `rel` or attributes are not judged,
//! and the fix only touches the literal attribute it extends.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::{Document, LinkKind};
use crate::qa::rules::{FileCx, Rule};
use crate::qa::source::Span;
use crate::qa::url::{Target, UrlRef};

static META: RuleMeta = RuleMeta {
    id: "LNK-002",
    name: "unsafe-link",
    severity: Severity::Warning,
    fix: FixKind::Deterministic,
    summary: "target=\"_blank\" link without rel=\"noopener\", or a javascript: link",
    why: "A new tab opened without noopener can navigate the landing page away (reverse tabnabbing); a javascript: link does nothing without script and is not a link to crawlers or assistive technology.",
    bad: r#"<a href="https://partner.example/" target="_blank">Partner</a>"#,
    good: r#"<a href="https://partner.example/" target="_blank" rel="noopener">Partner</a>"#,
    source: "OWASP HTML5 security cheat sheet (tabnabbing); DOMAIN.md §3",
};

pub struct UnsafeLink;

impl Rule for UnsafeLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for link in doc.links.iter().filter(|l| l.kind == LinkKind::Anchor) {
            let url = UrlRef::parse(doc, link.url);
            let target = url.target(cx.settings.internal_hosts);
            if target == Target::Special("javascript".into()) {
                out.push(
                    Finding::at(&META, doc, url.span, "`javascript:` link")
                        .hint("use a <button> for an action, or a real URL for a link"),
                );
                continue;
            }
            let Some(el) = link.element else { continue };
            if matches!(target, Target::External(_) | Target::Unknown)
                && let Some(f) = missing_noopener(doc, el)
            {
                out.push(f);
            }
        }
    }
}

/// A finding for `<a target="_blank">` whose literal `rel` lacks `noopener`, with its fix.
fn missing_noopener(doc: &Document, el: usize) -> Option<Finding> {
    let target = doc.attr(el, "target")?;
    let target_value = target.value?;
    if doc.is_dynamic(target_value)
        || !doc
            .slice(target_value)
            .trim()
            .eq_ignore_ascii_case("_blank")
    {
        return None;
    }
    if has_template_attributes(doc, el) {
        return None;
    }
    let msg = "`target=\"_blank\"` without `rel=\"noopener\"`";
    let hint = "add rel=\"noopener\" so the new tab cannot reach back into this page";
    let Some(rel) = doc.attr(el, "rel") else {
        let after = attr_end(doc, target_value);
        let f = Finding::at(&META, doc, target.name_span, msg).hint(hint);
        return Some(f.fix(Span::new(after, after), " rel=\"noopener\""));
    };
    let f = Finding::at(&META, doc, rel.name_span, msg).hint(hint);
    let Some(v) = rel.value else {
        return Some(f.fix(rel.name_span, "rel=\"noopener\""));
    };
    if doc.is_dynamic(v) {
        return None;
    }
    let raw = doc.slice(v);
    let tokens: Vec<String> = raw
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    if tokens.iter().any(|t| t == "noopener" || t == "noreferrer") {
        return None;
    }
    let quoted = v.start > 0 && matches!(doc.text.as_bytes()[v.start - 1], b'"' | b'\'');
    let joined = if raw.trim().is_empty() {
        "noopener".to_string()
    } else {
        format!("{} noopener", raw.trim_end())
    };
    let replacement = if quoted {
        joined
    } else {
        format!("\"{joined}\"")
    };
    Some(f.fix(v, replacement))
}

/// True when template syntax sits in the start tag outside attribute values: it may add
/// `rel` or `target` when the page is built.
fn has_template_attributes(doc: &Document, el: usize) -> bool {
    let values: Vec<Span> = doc.attrs_of(el).iter().filter_map(|a| a.value).collect();
    doc.regions
        .within(doc.elements[el].tag)
        .iter()
        .any(|r| !values.iter().any(|v| v.contains(r.span)))
}

/// Where an attribute ends: after its closing quote, if it has one.
fn attr_end(doc: &Document, value: Span) -> usize {
    match doc.text.as_bytes().get(value.end) {
        Some(b'"' | b'\'') => value.end + 1,
        _ => value.end,
    }
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files, fixed};

    #[test]
    fn new_tab_links_get_noopener_added_or_appended_and_the_fix_is_idempotent() {
        let page = "<p>\n<a href=\"https://a.example/\" target=\"_blank\">a</a>\n<a href=\"https://b.example/\" target=_blank rel=\"nofollow\">b</a>\n<a href=\"https://c.example/\" rel=external target=\"_BLANK\">c</a>\n<a href=\"https://d.example/\" target=\"_blank\" rel=\"noreferrer\">d</a>\n";
        let f = check_files(&[("index.html", page)], "");
        assert_eq!(
            at(&f, "LNK-002"),
            [
                ("index.html".into(), 2, 30),
                ("index.html".into(), 3, 44),
                ("index.html".into(), 4, 30)
            ],
            "{f:#?}"
        );
        let out = fixed(page, &f, "LNK-002");
        assert!(
            out.contains("target=\"_blank\" rel=\"noopener\">a"),
            "{out}"
        );
        assert!(out.contains("rel=\"nofollow noopener\">b"), "{out}");
        assert!(
            out.contains("rel=\"external noopener\" target=\"_BLANK\">c"),
            "{out}"
        );
        let again = check_files(&[("index.html", &out)], "");
        assert!(at(&again, "LNK-002").is_empty(), "{again:#?}");
    }

    #[test]
    fn template_built_targets_rels_and_attributes_are_not_judged_in_any_engine() {
        let liquid = "---\ntitle: x\n---\n<a href=\"https://a.example/\" target=\"{{ t }}\">a</a><a href=\"https://a.example/\" target=\"_blank\" rel=\"{{ r }}\">b</a><a href=\"https://a.example/\" target=\"_blank\" {% if x %}rel=\"noopener\"{% endif %}>c</a>\n";
        let jinja = "<a href=\"https://a.example/\" target=\"_blank\" {{ attrs }}>a</a>{% block b %}{% endblock %}";
        let hugo = "<a href=\"https://a.example/\" target=\"_blank\" {{ with .Rel }}rel=\"{{ . }}\"{{ end }}>a</a>";
        let handlebars = "<a href=\"https://a.example/\" target=\"_blank\" {{#if r}}rel=\"noopener\"{{/if}}>a</a>";
        for (name, text) in [
            ("a.html", liquid),
            ("b.html", jinja),
            ("c.html", hugo),
            ("d.html", handlebars),
        ] {
            let f = check_files(&[(name, text)], "");
            assert!(at(&f, "LNK-002").is_empty(), "{name}: {f:#?}");
        }
    }

    #[test]
    fn dynamic_hrefs_are_checked_but_internal_links_are_not() {
        let page = "---\ntitle: x\n---\n<a href=\"{{ partner.url }}\" target=\"_blank\">p</a> <a href=\"/pricing/\" target=\"_blank\">i</a>\n";
        let f = check_files(&[("_config.yml", "title: x\n"), ("index.html", page)], "");
        assert_eq!(at(&f, "LNK-002"), [("index.html".into(), 4, 29)], "{f:#?}");
    }

    #[test]
    fn javascript_links_are_reported_in_html_and_markdown() {
        let html = "<a href=\"javascript:void(0)\" onclick=\"go()\">Go</a>\n<a href=\"#\">ok</a>\n";
        let md = "---\ntitle: x\n---\n[Buy](javascript:buy())\n";
        let f = check_files(&[("index.html", html), ("buy.md", md)], "");
        assert_eq!(
            at(&f, "LNK-002"),
            [("buy.md".into(), 4, 7), ("index.html".into(), 1, 10)],
            "{f:#?}"
        );
        assert!(
            f.iter()
                .filter(|x| x.rule.id == "LNK-002")
                .all(|x| x.fix.is_none())
        );
    }
}
