//! SEO-005 bad-hreflang: `<link rel="alternate" hreflang>` with an invalid language or
//! region code, more than one `x-default`, a relative URL, no entry for the page itself, or
//! no return link from a page it lists. Only literal values are judged; a set built by a
//! template loop is not.

use std::collections::HashSet;

use super::{Rooting, always_rendered, rooting, site_origin};
use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::page::Document;
use crate::qa::rules::{PageCx, Rule, SiteCx};
use crate::qa::site::{Loc, PageFacts, url_key};
use crate::qa::source::Span;

static META: RuleMeta = RuleMeta {
    id: "SEO-005",
    name: "bad-hreflang",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "hreflang with an invalid code, several x-default, relative URLs, no self-reference or no return link",
    why: "Search engines ignore an hreflang cluster with invalid codes or missing return links, so visitors land on the wrong language or country version.",
    bad: r#"<html><head><link rel="alternate" hreflang="en-UK" href="https://www.example.com/uk/"></head><body></body></html>"#,
    good: r#"<html><head><link rel="alternate" hreflang="en-GB" href="https://www.example.com/uk/"></head><body></body></html>"#,
    source: "Google Search Central, \"Tell Google about localized versions of your page\"; ISO 639-1; ISO 3166-1; DOMAIN.md §3",
};

pub struct BadHreflang;

impl Rule for BadHreflang {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_page(&self, cx: &PageCx, out: &mut Vec<Finding>) {
        let view = cx.view;
        let mut defaults = 0;
        for (d, i) in view.link_tags("alternate") {
            let Some(lang) = d.attr(i, "hreflang").and_then(|a| a.value) else {
                continue;
            };
            if !d.is_dynamic(lang) {
                let code = d.slice(lang).trim();
                if code.eq_ignore_ascii_case("x-default") {
                    defaults += usize::from(always_rendered(view, d, d.elements[i].tag.start));
                    if defaults > 1 {
                        out.push(
                            Finding::at(
                                &META,
                                d,
                                lang,
                                "a second hreflang=\"x-default\" on the page",
                            )
                            .hint("keep one x-default: the page for visitors no other entry fits"),
                        );
                    }
                } else if let Some(problem) = code_problem(code) {
                    out.push(code_finding(d, lang, code, problem));
                }
            }
            if let Some(href) = d.attr(i, "href").and_then(|a| a.value) {
                check_href(d, href, cx, out);
            }
        }
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        let hosts = cx.settings.internal_hosts;
        for page in cx
            .pages
            .iter()
            .filter(|p| !p.alternates.is_empty() && p.chain_complete && !p.urls.is_empty())
        {
            let own: HashSet<String> = page.urls.iter().map(|u| url_key(u)).collect();
            let targets: Vec<(&str, Option<String>, &Loc)> = page
                .alternates
                .iter()
                .map(|(l, h, at)| (l.as_str(), site_path(h, hosts).map(|p| url_key(&p)), at))
                .collect();
            // The set is written out by hand in the page itself, and its URLs map onto this
            // site's pages: only then is a missing entry for the page really missing.
            let by_hand = page
                .alternates
                .iter()
                .all(|(_, _, at)| at.file == page.path);
            let maps = targets
                .iter()
                .any(|(_, k, _)| k.as_ref().is_some_and(|k| cx.index.urls.contains_key(k)));
            let lists_self = targets
                .iter()
                .any(|(_, k, _)| k.as_ref().is_some_and(|k| own.contains(k)));
            if by_hand && maps && !lists_self {
                let at = targets[0].2;
                let msg = format!(
                    "the hreflang set does not list this page itself ({})",
                    page.urls[0]
                );
                let f = Finding::located(&META, at.file.clone(), at.span, at.start, at.end, msg);
                out.push(f.hint("add a <link rel=\"alternate\" hreflang=\"…\"> for this page's own language and URL"));
            }
            for (lang, key, _) in &targets {
                let Some(other) = key.as_ref().and_then(|k| cx.index.urls.get(k)) else {
                    continue;
                };
                let Some(b) = cx
                    .pages
                    .iter()
                    .find(|p| p.path == *other && p.path != page.path)
                else {
                    continue;
                };
                if lists_back(b, &own, cx) {
                    continue;
                }
                let at = &b.alternates[0].2;
                let msg = format!(
                    "no return link: {} lists this page as hreflang=\"{lang}\", but this page's hreflang set does not list {}",
                    page.path, page.urls[0]
                );
                let f = Finding::located(&META, at.file.clone(), at.span, at.start, at.end, msg);
                out.push(f.hint(
                    "every page of a language cluster lists all the others, itself included",
                ));
            }
        }
    }
}

/// True when page `b` lists one of `own` (or cannot be judged: its set is not written out
/// by hand in its own file).
fn lists_back(b: &PageFacts, own: &HashSet<String>, cx: &SiteCx) -> bool {
    let by_hand = !b.alternates.is_empty()
        && b.alternates.iter().all(|(_, _, at)| at.file == b.path)
        && b.chain_complete;
    !by_hand
        || b.alternates.iter().any(|(_, h, _)| {
            site_path(h, cx.settings.internal_hosts).is_some_and(|p| own.contains(&url_key(&p)))
        })
}

/// The site path of an absolute URL on one of the site's hosts, or of a root-relative URL.
fn site_path(href: &str, hosts: &[String]) -> Option<String> {
    let href = href.trim();
    if href.starts_with('/') && !href.starts_with("//") {
        return Some(href.to_string());
    }
    let rest = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"))?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    hosts.contains(&host).then_some(path)
}

fn check_href(d: &Document, href: Span, cx: &PageCx, out: &mut Vec<Finding>) {
    match rooting(d, href) {
        Rooting::Relative | Rooting::ProtocolRelative => {
            out.push(
                Finding::at(&META, d, href, "the hreflang URL is not absolute")
                    .hint("write the full URL, https://…"),
            );
        }
        Rooting::RootRelative => {
            let f = Finding::at(
                &META,
                d,
                href,
                "the hreflang URL is relative; search engines need an absolute URL",
            );
            out.push(match site_origin(cx.settings) {
                Some(origin) => f
                    .hint(format!("prefix it with {origin}"))
                    .fix(Span::new(href.start, href.start), origin),
                None => f.hint("write the full URL (set site_url in sitewide.toml to get a fix)"),
            });
        }
        Rooting::Absolute | Rooting::Unknown => {}
    }
}

/// What is wrong with a language-region code, with the corrected code when it is certain.
struct CodeProblem {
    what: String,
    fixed: Option<String>,
}

fn code_finding(d: &Document, span: Span, code: &str, p: CodeProblem) -> Finding {
    let f = Finding::at(&META, d, span, format!("hreflang \"{code}\": {}", p.what));
    match p.fixed {
        Some(c) => f.hint(format!("write \"{c}\"")).fix(span, c),
        None => f.hint("use an ISO 639-1 language code, optionally followed by an ISO 3166-1 alpha-2 region: en, en-GB, pt-BR"),
    }
}

/// Languages written as country codes, and retired codes, with the code meant.
const LANGUAGE_MIXUPS: &[(&str, &str)] = &[
    ("jp", "ja"),
    ("cz", "cs"),
    ("dk", "da"),
    ("gr", "el"),
    ("ua", "uk"),
    ("cn", "zh"),
    ("vn", "vi"),
    ("iw", "he"),
    ("ji", "yi"),
];

/// `None` for a valid code: ISO 639-1 language, optional ISO 15924 script, optional ISO
/// 3166-1 alpha-2 region, case-insensitive.
fn code_problem(code: &str) -> Option<CodeProblem> {
    let parts: Vec<&str> = code.split(['-', '_']).collect();
    let lang = parts[0].to_ascii_lowercase();
    let (script, region) = match &parts[1..] {
        [] => (None, None),
        [s] if s.len() == 4 && s.chars().all(|c| c.is_ascii_alphabetic()) => (Some(*s), None),
        [r] => (None, Some(*r)),
        [s, r] if s.len() == 4 && s.chars().all(|c| c.is_ascii_alphabetic()) => {
            (Some(*s), Some(*r))
        }
        _ => {
            return Some(CodeProblem {
                what: "not a language-region code".into(),
                fixed: None,
            });
        }
    };
    let lang_ok = ISO_639_1.contains(&lang.as_str());
    let fixed_lang = if lang_ok {
        Some(lang.clone())
    } else {
        LANGUAGE_MIXUPS
            .iter()
            .find(|(w, _)| *w == lang)
            .map(|(_, r)| r.to_string())
    };
    let region_up = region.map(str::to_ascii_uppercase);
    let region_ok = region_up.as_deref().is_none_or(|r| ISO_3166_1.contains(&r));
    let fixed_region = match region_up.as_deref() {
        None => Some(None),
        Some("UK") => Some(Some("GB".to_string())),
        Some(r) if region_ok => Some(Some(r.to_string())),
        Some(_) => None,
    };
    let underscore = code.contains('_');
    if lang_ok && region_ok && !underscore {
        return None;
    }
    let what = if !lang_ok {
        format!("\"{}\" is not an ISO 639-1 language code", parts[0])
    } else if !region_ok {
        format!(
            "\"{}\" is not an ISO 3166-1 alpha-2 region",
            region.unwrap_or("")
        )
    } else {
        "parts are separated by \"-\", not \"_\"".to_string()
    };
    let fixed = match (fixed_lang, fixed_region) {
        (Some(l), Some(r)) => {
            let mut c = l;
            if let Some(s) = script {
                c.push('-');
                c.push_str(s);
            }
            if let Some(r) = r {
                c.push('-');
                c.push_str(&r);
            }
            Some(c)
        }
        _ => None,
    };
    Some(CodeProblem { what, fixed })
}

/// ISO 639-1 two-letter language codes.
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// ISO 3166-1 alpha-2 country codes (officially assigned).
const ISO_3166_1: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

#[cfg(test)]
mod tests {
    use super::{ISO_639_1, ISO_3166_1, code_problem};
    use crate::qa::testing::{at, check_files, fixed};

    const SITE: &str = "site_url = \"https://www.example.com\"\n";

    #[test]
    fn code_lists_are_complete_and_codes_are_corrected_when_certain() {
        assert_eq!((ISO_639_1.len(), ISO_3166_1.len()), (184, 249));
        for ok in [
            "en",
            "en-GB",
            "EN-us",
            "zh-Hant",
            "zh-Hant-TW",
            "pt-BR",
            "se",
        ] {
            assert!(code_problem(ok).is_none(), "{ok}");
        }
        let fix = |c: &str| code_problem(c).and_then(|p| p.fixed);
        assert_eq!(fix("en-UK").as_deref(), Some("en-GB"));
        assert_eq!(fix("en_US").as_deref(), Some("en-US"));
        assert_eq!(fix("jp").as_deref(), Some("ja"));
        assert_eq!(fix("es-419"), None);
        assert_eq!(fix("english"), None);
        assert!(code_problem("es-419").is_some() && code_problem("eng").is_some());
    }

    #[test]
    fn jekyll_codes_x_default_and_relative_urls_are_fixed() {
        let page = "---\ntitle: UK\n---\n<link rel=\"alternate\" hreflang=\"en-UK\" href=\"/uk/\">\n<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://www.example.com/\">\n<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://www.example.com/en/\">\n<link rel=\"alternate\" hreflang=\"{{ page.lang }}\" href=\"{{ page.url }}\">\n";
        let f = check_files(&[("_config.yml", ""), ("uk.html", page)], SITE);
        assert_eq!(
            at(&f, "SEO-005"),
            [
                ("uk.html".into(), 4, 33),
                ("uk.html".into(), 4, 46),
                ("uk.html".into(), 6, 33)
            ],
            "{f:#?}"
        );
        let out = fixed(page, &f, "SEO-005");
        assert!(
            out.contains("hreflang=\"en-GB\" href=\"https://www.example.com/uk/\""),
            "{out}"
        );
        let again = check_files(&[("_config.yml", ""), ("uk.html", &out)], SITE);
        // Only the second x-default, which has no certain fix, is left.
        assert_eq!(
            at(&again, "SEO-005"),
            [("uk.html".into(), 6, 33)],
            "{again:#?}"
        );
    }

    #[test]
    fn hand_written_clusters_need_self_reference_and_return_links() {
        let en = "<html><head>\n<link rel=\"alternate\" hreflang=\"en\" href=\"https://www.example.com/en/\">\n<link rel=\"alternate\" hreflang=\"fr\" href=\"https://www.example.com/fr/\">\n</head><body></body></html>\n";
        let fr_no_return = "<html><head>\n<link rel=\"alternate\" hreflang=\"fr\" href=\"https://www.example.com/fr/\">\n</head><body></body></html>\n";
        let de_no_self = "<html><head>\n<link rel=\"alternate\" hreflang=\"en\" href=\"https://www.example.com/en/\">\n</head><body></body></html>\n";
        let f = check_files(
            &[
                ("en/index.html", en),
                ("fr/index.html", fr_no_return),
                ("de/index.html", de_no_self),
            ],
            SITE,
        );
        assert_eq!(
            at(&f, "SEO-005"),
            [
                ("de/index.html".into(), 2, 43),
                ("en/index.html".into(), 2, 43),
                ("fr/index.html".into(), 2, 43)
            ],
            "{f:#?}"
        );
        let fr = en.to_string();
        let f = check_files(&[("en/index.html", en), ("fr/index.html", &fr)], SITE);
        assert!(at(&f, "SEO-005").is_empty(), "{f:#?}");
    }

    #[test]
    fn template_built_sets_are_not_judged_in_hugo_jinja_or_handlebars() {
        let hugo = "<html><head>{{ range .Translations }}<link rel=\"alternate\" hreflang=\"{{ .Lang }}\" href=\"{{ .Permalink }}\">{{ end }}</head><body>{{ block \"main\" . }}{{ end }}</body></html>";
        let f = check_files(
            &[
                ("hugo.toml", ""),
                ("content/x.md", "---\ntitle: X\n---\nBody\n"),
                (
                    "layouts/_default/single.html",
                    "{{ define \"main\" }}{{ .Content }}{{ end }}",
                ),
                ("layouts/_default/baseof.html", hugo),
            ],
            SITE,
        );
        assert!(at(&f, "SEO-005").is_empty(), "{f:#?}");
        let base = "<html><head>{% for l in langs %}<link rel=\"alternate\" hreflang=\"{{ l.code }}\" href=\"{{ l.url }}\">{% endfor %}</head><body></body></html>";
        let f = check_files(
            &[
                ("templates/base.html", base),
                ("templates/page.html", "{% extends \"base.html\" %}"),
            ],
            SITE,
        );
        assert!(at(&f, "SEO-005").is_empty(), "{f:#?}");
        let layout = "<html><head>{{#each alternates}}<link rel=\"alternate\" hreflang=\"{{lang}}\" href=\"{{url}}\">{{/each}}</head><body>{{> @partial-block}}</body></html>";
        let f = check_files(
            &[
                ("templates/components/layout.hbs", layout),
                (
                    "templates/index.hbs",
                    "{{#> components/layout}}x{{/components/layout}}",
                ),
            ],
            SITE,
        );
        assert!(at(&f, "SEO-005").is_empty(), "{f:#?}");
    }
}
