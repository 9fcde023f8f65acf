//! Applies deterministic fixes to a file's text: non-overlapping edits from the end, so
//! earlier offsets stay valid. Overlapping fixes are left for the next run.

use super::finding::Fix;

/// The new text and how many fixes were applied.
pub fn apply(text: &str, fixes: &[Fix]) -> (String, usize) {
    let mut sorted: Vec<&Fix> = fixes
        .iter()
        .filter(|f| {
            f.start <= f.end
                && f.end <= text.len()
                && text.is_char_boundary(f.start)
                && text.is_char_boundary(f.end)
        })
        .collect();
    sorted.sort_by_key(|f| (f.start, f.end));
    sorted.dedup_by(|a, b| a == b);
    let mut kept: Vec<&Fix> = Vec::new();
    for f in sorted {
        if kept.last().is_none_or(|last| {
            last.end <= f.start
                && !(last.end == f.start && last.start == last.end && f.start == f.end)
        }) {
            kept.push(f);
        }
    }
    let mut out = text.to_string();
    for f in kept.iter().rev() {
        out.replace_range(f.start..f.end, &f.replacement);
    }
    (out, kept.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(start: usize, end: usize, r: &str) -> Fix {
        Fix {
            start,
            end,
            replacement: r.into(),
        }
    }

    #[test]
    fn applies_from_the_end_and_skips_overlaps() {
        let (out, n) = apply("abcdef", &[fix(0, 1, "X"), fix(4, 6, ""), fix(0, 2, "Y")]);
        assert_eq!((out.as_str(), n), ("Xbcd", 2));
    }
}
