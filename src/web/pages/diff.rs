//! A stored unified diff as rows for the review page: one column (unified) or two (side
//! by side, old | new). Lines stay plain text: the template escapes every byte, and
//! nothing here builds HTML.

use serde::Serialize;

/// What a line of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `--- a/…`, `+++ b/…`, `\ No newline at end of file`.
    Meta,
    /// `@@ -1,3 +1,4 @@`.
    Hunk,
    Context,
    Added,
    Removed,
}

/// One line of the unified view, with its numbers in the old and new file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub kind: Kind,
    pub old: Option<usize>,
    pub new: Option<usize>,
    /// The line without its `+`/`-`/` ` marker.
    pub text: String,
}

/// One row of the side-by-side view: the old line, the new line, or a hunk header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub left: Option<Line>,
    pub right: Option<Line>,
    /// Set on a hunk's header row.
    pub hunk: Option<String>,
}

/// The lines of a one-file unified diff (as `similar` writes it for a change).
pub fn lines(diff: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let (mut old, mut new) = (0usize, 0usize);
    let mut in_hunk = false;
    for raw in diff.lines() {
        if raw.starts_with("@@") {
            (old, new) = hunk_starts(raw);
            in_hunk = true;
            out.push(line(Kind::Hunk, None, None, raw));
            continue;
        }
        let (kind, text) = match raw.split_at_checked(1) {
            _ if !in_hunk => (Kind::Meta, raw),
            Some(("+", rest)) => (Kind::Added, rest),
            Some(("-", rest)) => (Kind::Removed, rest),
            Some((" ", rest)) => (Kind::Context, rest),
            Some(("\\", _)) => (Kind::Meta, raw),
            // An empty context line whose space an editor trimmed.
            _ => (Kind::Context, raw),
        };
        let (o, n) = match kind {
            Kind::Added => (None, Some(new)),
            Kind::Removed => (Some(old), None),
            Kind::Context => (Some(old), Some(new)),
            Kind::Meta | Kind::Hunk => (None, None),
        };
        old += usize::from(o.is_some());
        new += usize::from(n.is_some());
        out.push(line(kind, o, n, text));
    }
    out
}

fn line(kind: Kind, old: Option<usize>, new: Option<usize>, text: &str) -> Line {
    Line {
        kind,
        old,
        new,
        text: text.to_string(),
    }
}

/// The first old and new line numbers of `@@ -a,b +c,d @@` (1 when unreadable).
fn hunk_starts(header: &str) -> (usize, usize) {
    let mut parts = header.split_whitespace().skip(1);
    let start = |p: Option<&str>, sign: char| {
        p.and_then(|p| p.strip_prefix(sign))
            .and_then(|p| p.split(',').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(1)
    };
    let old = start(parts.next(), '-');
    let new = start(parts.next(), '+');
    (old, new)
}

/// The side-by-side rows: context on both sides, a run of removed lines beside the added
/// lines that follow it, pair by pair.
pub fn side_by_side(lines: &[Line]) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut removed: Vec<Line> = Vec::new();
    let mut added: Vec<Line> = Vec::new();
    let flush = |rows: &mut Vec<Row>, removed: &mut Vec<Line>, added: &mut Vec<Line>| {
        let n = removed.len().max(added.len());
        let (mut r, mut a) = (removed.drain(..), added.drain(..));
        for _ in 0..n {
            rows.push(Row {
                left: r.next(),
                right: a.next(),
                hunk: None,
            });
        }
    };
    for l in lines {
        match l.kind {
            Kind::Removed if added.is_empty() => removed.push(l.clone()),
            Kind::Removed => {
                flush(&mut rows, &mut removed, &mut added);
                removed.push(l.clone());
            }
            Kind::Added => added.push(l.clone()),
            Kind::Context => {
                flush(&mut rows, &mut removed, &mut added);
                rows.push(Row {
                    left: Some(l.clone()),
                    right: Some(l.clone()),
                    hunk: None,
                });
            }
            Kind::Hunk => {
                flush(&mut rows, &mut removed, &mut added);
                rows.push(Row {
                    left: None,
                    right: None,
                    hunk: Some(l.text.clone()),
                });
            }
            Kind::Meta => {}
        }
    }
    flush(&mut rows, &mut removed, &mut added);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "--- a/p.html\n+++ b/p.html\n@@ -2,4 +2,4 @@\n <h1>Hi</h1>\n-<a href=\"/x?utm_source=a\">x</a>\n-<p>old</p>\n+<a href=\"/x\">x</a>\n <script>alert(1)</script>\n+\" onmouseover=\"alert(1)\n";

    #[test]
    fn unified_lines_carry_their_numbers_and_keep_the_text_as_written() {
        let got = lines(DIFF);
        let kinds: Vec<Kind> = got.iter().map(|l| l.kind).collect();
        use Kind::*;
        assert_eq!(
            kinds,
            [
                Meta, Meta, Hunk, Context, Removed, Removed, Added, Context, Added
            ]
        );
        assert_eq!((got[3].old, got[3].new), (Some(2), Some(2)));
        assert_eq!((got[4].old, got[4].new), (Some(3), None));
        assert_eq!((got[6].old, got[6].new), (None, Some(3)));
        assert_eq!((got[7].old, got[7].new), (Some(5), Some(4)));
        assert_eq!(got[7].text, "<script>alert(1)</script>");
        assert_eq!(got[8].text, "\" onmouseover=\"alert(1)");
    }

    #[test]
    fn side_by_side_pairs_removed_lines_with_the_added_ones_after_them() {
        let rows = side_by_side(&lines(DIFF));
        assert_eq!(rows[0].hunk.as_deref(), Some("@@ -2,4 +2,4 @@"));
        assert_eq!(rows[1].left, rows[1].right, "context on both sides");
        let pair = &rows[2];
        assert_eq!(
            pair.left.as_ref().map(|l| l.text.as_str()),
            Some("<a href=\"/x?utm_source=a\">x</a>")
        );
        assert_eq!(
            pair.right.as_ref().map(|l| l.text.as_str()),
            Some("<a href=\"/x\">x</a>")
        );
        assert!(rows[3].left.is_some() && rows[3].right.is_none());
        assert!(rows[5].left.is_none() && rows[5].right.is_some());
        assert_eq!(rows.len(), 6);
    }
}
