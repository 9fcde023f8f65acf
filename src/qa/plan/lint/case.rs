//! Naming cases a plan can declare (`conventions.event_case: snake_case`): which names fit
//! each, and a name rewritten into one (for "rename to …" hints).

/// A naming case. Names as Avo and Segment write them; `Proper Case` is Segment's name for
/// Title Case (`Order Completed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    Snake,
    Camel,
    Pascal,
    Kebab,
    Title,
    Sentence,
    Lower,
    ScreamingSnake,
}

/// Spellings accepted in `conventions`, each with its case; the first per case is canonical.
const NAMES: &[(&str, Case)] = &[
    ("snake_case", Case::Snake),
    ("camelCase", Case::Camel),
    ("PascalCase", Case::Pascal),
    ("kebab-case", Case::Kebab),
    ("Title Case", Case::Title),
    ("Proper Case", Case::Title),
    ("Sentence case", Case::Sentence),
    ("lower case", Case::Lower),
    ("SCREAMING_SNAKE_CASE", Case::ScreamingSnake),
    ("CONSTANT_CASE", Case::ScreamingSnake),
];

impl Case {
    /// Every case, most common first (ties in mixed-casing counts go to the earlier one).
    pub const ALL: [Case; 8] = [
        Case::Snake,
        Case::Camel,
        Case::Title,
        Case::Pascal,
        Case::Kebab,
        Case::Sentence,
        Case::Lower,
        Case::ScreamingSnake,
    ];

    /// The case a plan names (`snake_case`, `Proper Case`, …), spelled exactly.
    pub fn from_name(name: &str) -> Option<Case> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    /// Every accepted spelling, for "did you mean" hints and docs.
    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }

    pub fn as_str(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, c)| *c == self)
            .map(|(n, _)| *n)
            .unwrap_or("snake_case")
    }

    /// Whether `name` is written in this case. Digits may follow the first letter of a word.
    pub fn fits(self, name: &str) -> bool {
        let words: Vec<&str> = match self {
            Case::Snake | Case::ScreamingSnake => name.split('_').collect(),
            Case::Kebab => name.split('-').collect(),
            Case::Title | Case::Sentence | Case::Lower => name.split(' ').collect(),
            Case::Camel | Case::Pascal => return camel_fits(name, self == Case::Pascal),
        };
        if words.iter().any(|w| w.is_empty()) {
            return false;
        }
        words.iter().enumerate().all(|(i, w)| match self {
            Case::Snake | Case::Kebab | Case::Lower => lower_word(w, i == 0),
            Case::ScreamingSnake => upper_word(w, i == 0),
            Case::Title => first_upper(w),
            Case::Sentence if i == 0 => first_upper(w) && w.chars().skip(1).all(lower_or_digit),
            _ => lower_word(w, false),
        })
    }

    /// `name` rewritten in this case (`App Opened` → `app_opened` for snake_case).
    pub fn convert(self, name: &str) -> String {
        let words = words(name);
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        let cap = |w: &String| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        };
        match self {
            Case::Snake => lower.join("_"),
            Case::Kebab => lower.join("-"),
            Case::Lower => lower.join(" "),
            Case::ScreamingSnake => lower.join("_").to_uppercase(),
            Case::Title => lower.iter().map(cap).collect::<Vec<_>>().join(" "),
            Case::Pascal => lower.iter().map(cap).collect(),
            Case::Camel => lower
                .iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { w.clone() } else { cap(w) })
                .collect(),
            Case::Sentence => {
                let mut s = lower.join(" ");
                if let Some(first) = lower.first() {
                    s.replace_range(..first.len(), &cap(first));
                }
                s
            }
        }
    }
}

fn lower_or_digit(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn lower_word(w: &str, first: bool) -> bool {
    let mut chars = w.chars();
    let head_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || (!first && c.is_ascii_digit()));
    head_ok && chars.all(lower_or_digit)
}

fn upper_word(w: &str, first: bool) -> bool {
    let mut chars = w.chars();
    let head_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || (!first && c.is_ascii_digit()));
    head_ok && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A Title Case word starts with a capital; acronyms (`CTA`) are allowed.
fn first_upper(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

fn camel_fits(name: &str, pascal: bool) -> bool {
    let mut chars = name.chars();
    let head_ok = chars.next().is_some_and(|c| {
        if pascal {
            c.is_ascii_uppercase()
        } else {
            c.is_ascii_lowercase()
        }
    });
    let rest: Vec<char> = chars.collect();
    // No two capitals in a row (`appID` is not camelCase by most linters' rules either).
    let no_runs = rest
        .windows(2)
        .all(|w| !(w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase()));
    let starts_lower_run = !pascal || rest.first().is_none_or(|c| !c.is_ascii_uppercase());
    head_ok && starts_lower_run && no_runs && rest.iter().all(|c| c.is_ascii_alphanumeric())
}

/// The words of a name in any case: split at separators and at lower→upper changes.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if matches!(c, ' ' | '_' | '-' | '.' | '/' | ':') {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            let boundary = prev.is_some_and(|p| {
                (p.is_ascii_lowercase() || p.is_ascii_digit()) && c.is_ascii_uppercase()
            });
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        }
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Case, words};

    #[test]
    fn each_case_accepts_its_own_names_and_rejects_others() {
        let table = [
            (Case::Snake, "cta_click", "ctaClick"),
            (Case::Camel, "ctaClick", "cta_click"),
            (Case::Pascal, "CtaClick", "ctaClick"),
            (Case::Kebab, "cta-click", "cta_click"),
            (Case::Title, "CTA Clicked", "CTA clicked"),
            (Case::Sentence, "Cta clicked", "Cta Clicked"),
            (Case::Lower, "cta clicked", "cta_clicked"),
            (Case::ScreamingSnake, "CTA_CLICKED", "cta_clicked"),
        ];
        for (case, good, bad) in table {
            assert!(case.fits(good), "{case:?} should fit {good}");
            assert!(!case.fits(bad), "{case:?} should not fit {bad}");
        }
    }

    #[test]
    fn names_convert_between_cases() {
        assert_eq!(Case::Snake.convert("App Opened"), "app_opened");
        assert_eq!(Case::Snake.convert("appOpened"), "app_opened");
        assert_eq!(Case::Camel.convert("app_opened"), "appOpened");
        assert_eq!(Case::Title.convert("app_opened"), "App Opened");
        assert_eq!(Case::Sentence.convert("AppOpened"), "App opened");
        assert_eq!(words("video-play2Start"), ["video", "play2", "Start"]);
    }

    #[test]
    fn proper_case_is_title_case_by_another_name() {
        assert_eq!(Case::from_name("Proper Case"), Some(Case::Title));
        assert_eq!(Case::from_name("snake case"), None);
    }
}
