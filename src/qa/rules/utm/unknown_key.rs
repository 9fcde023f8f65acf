//! UTM-002 unknown-utm-key: a `utm_*` query key that GA4 does not report.

use crate::qa::finding::{Finding, FixKind, RuleMeta, Severity};
use crate::qa::rules::{FileCx, Rule};

static META: RuleMeta = RuleMeta {
    id: "UTM-002",
    name: "unknown-utm-key",
    severity: Severity::Error,
    fix: FixKind::Deterministic,
    summary: "Unknown or misspelt utm_* key (utm-source, utm_surce, UTM_Source)",
    why: "GA4 reads only the exact lowercase keys it knows; any other key is dropped, so the visit is counted under (not set).",
    bad: r#"<a href="https://partner.example/?utm_surce=newsletter&utm_medium=email&utm_campaign=2026-spring">Offer</a>"#,
    good: r#"<a href="https://partner.example/?utm_source=newsletter&utm_medium=email&utm_campaign=2026-spring">Offer</a>"#,
    source: "GA4 URL builders help (10917952); DOMAIN.md §1.1",
};

/// The keys GA4 recognises, reported or not (§1.1).
pub const UTM_KEYS: &[&str] = &[
    "utm_id",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_source_platform",
    "utm_term",
    "utm_content",
    "utm_creative_format",
    "utm_marketing_tactic",
];

pub struct UnknownUtmKey;

impl Rule for UnknownUtmKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for f in super::found_urls(doc, cx.settings).iter() {
            // A parameter the clean-up removes (UTM-008, UTM-012, UTM-013) is not renamed.
            let cleanup = super::cleanup(doc, f, cx.settings);
            for i in super::utm_indices(&f.url) {
                let p = &f.url.params[i];
                if UTM_KEYS.contains(&p.key_text.as_str()) {
                    continue;
                }
                let msg = format!("unknown UTM key `{}`", p.key_text);
                let finding = Finding::at(&META, doc, p.key, msg);
                match nearest(&p.key_text) {
                    Some(k) if cleanup.remove[i] => out.push(finding.hint(format!("did you mean `{k}`?"))),
                    // Renaming onto a key the URL already has would make a duplicate (UTM-006).
                    Some(k) if f.url.params.iter().any(|q| q.key_text == k) => out.push(
                        finding.hint(format!("did you mean `{k}`? The URL already has `{k}`: keep one value")),
                    ),
                    Some(k) => out.push(finding.hint(format!("did you mean `{k}`?")).fix(p.key, k)),
                    None => out.push(finding.hint("GA4 ignores this key; remove it or use one of utm_source, utm_medium, utm_campaign, utm_term, utm_content, utm_id")),
                }
            }
        }
    }
}

/// The known key this one most likely means: same key once case and separators are
/// normalised, or within two edits.
pub(super) fn nearest(key: &str) -> Option<&'static str> {
    let norm = key.to_ascii_lowercase().replace(['-', '.', ' '], "_");
    let norm = if norm.starts_with("utm_") {
        norm
    } else {
        norm.replacen("utm", "utm_", 1)
    };
    UTM_KEYS
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&norm, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use crate::qa::testing::{at, check_files, fixed};

    #[test]
    fn flags_misspelt_miscased_and_dashed_keys_with_exact_positions() {
        let page = "<p>\n<a href=\"https://p.example/?utm_surce=a&UTM_Medium=b&utm-campaign=c&utm_fancy=d\">x</a>\n";
        let f = check_files(&[("index.html", page)], "");
        assert_eq!(
            at(&f, "UTM-002"),
            [
                ("index.html".into(), 2, 29),
                ("index.html".into(), 2, 41),
                ("index.html".into(), 2, 54),
                ("index.html".into(), 2, 69),
            ]
        );
        let out = fixed(page, &f, "UTM-002");
        assert!(
            out.contains("?utm_source=a&utm_medium=b&utm_campaign=c&utm_fancy=d"),
            "{out}"
        );
    }

    #[test]
    fn no_rename_is_offered_onto_a_key_the_url_already_has() {
        let page = "<a href=\"https://p.example/?utm_source=a&utm_surce=b\">x</a>\n";
        let f = check_files(&[("index.html", page)], "");
        let mine: Vec<_> = f.iter().filter(|x| x.rule.id == "UTM-002").collect();
        assert_eq!(mine.len(), 1);
        assert!(mine[0].fix.is_none(), "{mine:?}");
    }

    #[test]
    fn template_keys_and_known_keys_pass_in_every_engine() {
        let liquid =
            r#"<a href="https://p.example/?utm_source={{ s }}&{{ k }}=x&utm_term=y">x</a>"#;
        let md = "---\ntitle: x\n---\n[x](https://p.example/?utm_source=a&utm_medium=b&utm_campaign=c)\n";
        let f = check_files(&[("index.html", liquid), ("a.md", md)], "");
        assert!(at(&f, "UTM-002").is_empty(), "{f:?}");
    }
}
