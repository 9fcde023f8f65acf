//! UTM-012 pii-in-url: an email address, phone number or personal field in a URL parameter.
//!
//! Values are judged whole (a phone-shaped id inside a longer value is not a phone), except
//! UTM values, where any email address counts. `mailto:` and `tel:` links are not URLs
//! analytics collects and are skipped. Fixes strip the parameter, literal bytes only.

use std::sync::LazyLock;

use regex::Regex;

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::{FileCx, Rule};
use crate::qa::url::{Param, Target, UrlRef, is_utm_like};

static META: RuleMeta = RuleMeta {
    id: "UTM-012",
    name: "pii-in-url",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "Personal data (email address, phone number, name) in a URL parameter or UTM value",
    why: "Analytics collects full page URLs by default, and Google's terms forbid sending personal data; a person's email in a link ends up in every report that shows the URL.",
    bad: r#"<a href="https://partner.example/signup?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring&amp;email=jane.doe%40gmail.com">Join</a>"#,
    good: r#"<a href="https://partner.example/signup?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-spring">Join</a>"#,
    source: "GA help 6366371 (best practices to avoid sending PII); DOMAIN.md §1.4",
};

pub struct PiiInUrl;

/// What kind of personal data a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pii {
    Email,
    Phone,
    Name,
    /// A personal field (`email=`) filled in by a template.
    Templated,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
        .expect("a valid email pattern")
});
static NANP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}$")
        .expect("a valid phone pattern")
});

impl Rule for PiiInUrl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            let cleanup = super::cleanup(doc, f, cx.settings);
            for (i, p) in f.url.params.iter().enumerate() {
                let Some(kind) = detect(doc, &f.url, p) else {
                    continue;
                };
                let what = match kind {
                    Pii::Email => "an email address",
                    Pii::Phone => "a phone number",
                    Pii::Name => "a person's name",
                    Pii::Templated => "personal data from a template",
                };
                let msg = format!("URL parameter `{}` holds {what}", p.key_text);
                let finding = Finding::at(&META, doc, p.span, msg);
                match cleanup.fix.clone().filter(|_| cleanup.remove[i]) {
                    Some((span, text)) => out.push(finding.hint("remove the parameter; pass personal data in a form post, never in a URL").fix(span, text)),
                    None => out.push(finding.hint("remove the parameter; pass personal data in a form post, never in a URL (not fixed automatically: part of it is template output)")),
                }
            }
        }
    }
}

/// The personal data parameter `p` of `url` holds, if any.
pub(crate) fn detect(doc: &Document, url: &UrlRef, p: &Param) -> Option<Pii> {
    if p.key_dynamic || matches!(url.target(&[]), Target::Special(_)) {
        return None;
    }
    let key: String = p
        .key_text
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    // Keys whose email addresses name the organisation: a PayPal account, a message's
    // recipient, a calendar.
    if matches!(
        key.as_str(),
        "business" | "merchant" | "to" | "cc" | "bcc" | "src"
    ) {
        return None;
    }
    let field = personal_field(&key);
    let value = p.value?;
    if p.value_dynamic {
        let site_level = doc
            .regions
            .within(value)
            .iter()
            .all(|r| is_site_setting(doc.slice(r.span)));
        return (field.is_some() && !site_level).then_some(Pii::Templated);
    }
    // Without `+` → space: `+1 555 …` is a phone number as written.
    let plain =
        percent_encoding::percent_decode_str(&crate::qa::page::decode_entities(doc.slice(value)))
            .decode_utf8_lossy()
            .trim()
            .to_string();
    if plain.is_empty() {
        return None;
    }
    literal(&plain, field, is_utm_like(&p.key_text))
}

/// The personal data a named value holds: an event parameter or a hidden form field
/// (TAG-011). `value` is `None` when it is not a literal: then only a personal key counts.
pub(crate) fn personal_value(key: &str, value: Option<&str>) -> Option<Pii> {
    let key: String = key
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let field = personal_field(&key);
    match value.map(str::trim) {
        None => field.map(|_| Pii::Templated),
        Some("") => None,
        Some(plain) => literal(plain, field, false),
    }
}

/// A literal value: an email address (the whole value, or anywhere in it when `any_email`
/// or the key names a personal field), a phone number, or a name under a name key.
fn literal(plain: &str, field: Option<Field>, any_email: bool) -> Option<Pii> {
    // The regex only when an `@` could make an address: most values are short words.
    let email = plain
        .contains('@')
        .then(|| {
            EMAIL.captures_iter(plain).find(|c| {
                let domain = c.get(1).map_or("", |d| d.as_str()).to_ascii_lowercase();
                !domain.ends_with("calendar.google.com")
            })
        })
        .flatten();
    if let Some(m) = email.and_then(|c| c.get(0))
        && ((m.start() == 0 && m.end() == plain.len()) || any_email || field.is_some())
    {
        return Some(Pii::Email);
    }
    if is_phone(plain) || (field == Some(Field::Phone) && is_bare_phone(plain)) {
        return Some(Pii::Phone);
    }
    if field == Some(Field::Name)
        && plain.chars().any(char::is_alphabetic)
        && !plain.contains(['=', '/'])
    {
        return Some(Pii::Name);
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Email,
    Phone,
    Name,
}

/// Keys (lowercase, punctuation removed) that name a personal field.
fn personal_field(key: &str) -> Option<Field> {
    match key {
        "email" | "emailaddress" | "useremail" | "mail" | "emailid" => Some(Field::Email),
        "phone" | "phonenumber" | "telephone" | "tel" | "mobile" | "mobilenumber" | "cell"
        | "cellphone" => Some(Field::Phone),
        "firstname" | "lastname" | "fullname" | "surname" | "givenname" | "familyname" => {
            Some(Field::Name)
        }
        _ => None,
    }
}

/// A template expression that prints a site setting (the organisation's own contact
/// address), not a visitor's or author's data.
fn is_site_setting(expr: &str) -> bool {
    ["site.", ".Site.", "config.", "settings.", "env."]
        .iter()
        .any(|s| expr.contains(s))
}

/// A whole value written as a phone number: `+` and 8–15 digits (E.164, separators
/// allowed), or a North American number with separators.
fn is_phone(v: &str) -> bool {
    if let Some(rest) = v.strip_prefix('+') {
        let digits = rest.chars().filter(char::is_ascii_digit).count();
        let shape = rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'));
        return shape
            && rest.starts_with(|c: char| c.is_ascii_digit() || c == '(')
            && (8..=15).contains(&digits);
    }
    NANP.is_match(v)
}

/// Digits only, 7–15 of them: a phone number when the key says so.
fn is_bare_phone(v: &str) -> bool {
    v.chars().all(|c| c.is_ascii_digit()) && (7..=15).contains(&v.len())
}

#[cfg(test)]
mod tests {
    use super::{is_phone, personal_field};
    use crate::qa::testing::{at, check_files, fixed};

    #[test]
    fn phone_shapes_are_told_from_dates_ids_and_prices() {
        for p in [
            "+14155552671",
            "+44 20 7946 0958",
            "(415) 555-2671",
            "415-555-2671",
            "1-800-555-0199",
        ] {
            assert!(is_phone(p), "{p}");
        }
        for p in [
            "2026-05-01",
            "1234567890",
            "49.99",
            "+49.99",
            "12-345-678",
            "20260501-1200",
        ] {
            assert!(!is_phone(p), "{p}");
        }
        assert!(personal_field("email").is_some() && personal_field("id").is_none());
    }

    #[test]
    fn emails_and_phones_in_parameters_are_flagged_and_stripped() {
        let page = "<p>\n<a href=\"https://p.example/s?ref=x&email=jane%40gmail.com&tel=%2B14155552671\">a</a>\n<a href=\"/c?utm_content=jane@gmail.com-cta&a=1\">b</a>\n";
        let f = check_files(&[("index.html", page)], "");
        assert_eq!(
            at(&f, "UTM-012"),
            [
                ("index.html".into(), 2, 36),
                ("index.html".into(), 2, 59),
                ("index.html".into(), 3, 13)
            ]
        );
        let out = fixed(page, &f, "UTM-012");
        assert!(out.contains("\"https://p.example/s?ref=x\""), "{out}");
        assert!(out.contains("\"/c?a=1\""), "{out}");
        let again = check_files(&[("index.html", &out)], "");
        assert!(at(&again, "UTM-012").is_empty(), "{again:?}");
    }

    #[test]
    fn template_values_of_personal_fields_are_reported_without_fix_in_every_engine() {
        let liquid =
            "---\nlayout: none\n---\n<a href=\"https://p.example/?email={{ user.email }}\">x</a>\n";
        let jinja = "{% block body %}<a href=\"/p?phone={{ user.phone }}\">x</a>{% endblock %}\n";
        let hugo = "<a href=\"/p?first_name={{ .Params.name }}\">x</a>\n";
        let hbs = "<a href=\"/p?email={{email}}\">x</a>\n";
        let files = [
            ("a.html", liquid),
            ("b.njk", jinja),
            ("c.html", hugo),
            ("d.hbs", hbs),
        ];
        let f = check_files(&files, "");
        let found = at(&f, "UTM-012");
        assert_eq!(
            found,
            [
                ("a.html".into(), 4, 29),
                ("b.njk".into(), 1, 29),
                ("c.html".into(), 1, 13),
                ("d.hbs".into(), 1, 13)
            ]
        );
        assert!(
            f.iter()
                .filter(|x| x.rule.id == "UTM-012")
                .all(|x| x.fix.is_none())
        );
    }

    #[test]
    fn ids_dates_site_settings_mailto_and_calendar_ids_pass() {
        let page = concat!(
            "<a href=\"https://p.example/?id=1234567890&date=2026-05-01&price=49.99\">a</a>\n",
            "<a href=\"mailto:team@example.org?cc=boss@example.org\">b</a>\n",
            "<a href=\"https://calendar.google.com/calendar/embed?src=abc%40group.calendar.google.com\">c</a>\n",
            "<a href=\"https://share.example/?text=Write to team@example.org today\">d</a>\n",
            "<a href=\"https://p.example/?email={{ site.email }}&subscribe=email\">e</a>\n",
            "<a href=\"https://www.paypal.com/cgi-bin/webscr?cmd=_donations&business=give%40example.org\">f</a>\n",
            "<a href=\"https://mail.google.com/mail/?view=cm&to=team@example.org\">g</a>\n",
        );
        let md = "---\ntitle: x\n---\n[x](https://p.example/?ref=a&email=)\n";
        let f = check_files(&[("index.html", page), ("a.md", md)], "");
        assert!(at(&f, "UTM-012").is_empty(), "{f:?}");
    }
}
