//! Applies parsed SEARCH/REPLACE blocks to the text of the one file the model was given:
//! each block must name that file and its SEARCH must match exactly once, at the start of
//! a line. All or nothing: when a block fails, no block is applied and every failure is
//! reported, so the model can fix them all on its next attempt.

use super::blocks::{BlockError, EditBlock, clean_path};
use super::mismatch;
/// Applies the blocks in order, each to the text the blocks before it left. Each block must
/// name `path` and its SEARCH must match exactly once, at the start of a line. When any
/// block fails, nothing is applied and every failure is reported.
pub fn apply(path: &str, text: &str, blocks: &[EditBlock]) -> Result<String, BlockError> {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let add_newline = !text.is_empty() && !text.ends_with('\n');
    let mut current = text.to_string();
    if add_newline {
        current.push_str(eol);
    }
    let mut errors = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        match apply_one(path, &current, b, i + 1, eol) {
            Ok(next) => current = next,
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => {}
        1 => return Err(errors.remove(0)),
        _ => return Err(BlockError::Several(errors)),
    }
    if add_newline && current.ends_with(eol) {
        current.truncate(current.len() - eol.len());
    }
    Ok(current)
}

fn apply_one(
    path: &str,
    text: &str,
    b: &EditBlock,
    n: usize,
    eol: &str,
) -> Result<String, BlockError> {
    if clean_path(&b.path) != clean_path(path) {
        return Err(BlockError::OtherFile {
            block: n,
            path: b.path.clone(),
            expected: path.to_string(),
        });
    }
    let search = as_lines(&b.search, eol);
    let replace = as_lines(&b.replace, eol);
    if search.trim().is_empty() {
        return if text.trim().is_empty() {
            Ok(replace)
        } else {
            Err(BlockError::EmptySearch { block: n })
        };
    }
    let starts = line_matches(text, &search);
    match starts.as_slice() {
        [] => Err(BlockError::NoMatch {
            block: n,
            hint: mismatch::explain(text, &search),
        }),
        [at] => Ok(format!(
            "{}{replace}{}",
            &text[..*at],
            &text[at + search.len()..]
        )),
        many => Err(BlockError::Ambiguous {
            block: n,
            count: many.len(),
            lines: line_list(text, many),
        }),
    }
}

/// Block text with the file's line ending, ending in one (unless it is empty).
fn as_lines(s: &str, eol: &str) -> String {
    let mut out = s.replace("\r\n", "\n");
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if eol == "\r\n" {
        out = out.replace('\n', "\r\n");
    }
    out
}

/// Byte offsets where `needle` occurs starting at a line start, overlaps included.
fn line_matches(text: &str, needle: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let step = needle.chars().next().map_or(1, char::len_utf8);
    let mut from = 0;
    while let Some(k) = text.get(from..).and_then(|rest| rest.find(needle)) {
        let at = from + k;
        if at == 0 || text.as_bytes()[at - 1] == b'\n' {
            out.push(at);
        }
        from = at + step;
    }
    out
}

fn line_list(text: &str, starts: &[usize]) -> String {
    let mut nums: Vec<String> = starts
        .iter()
        .take(10)
        .map(|&s| (text[..s].matches('\n').count() + 1).to_string())
        .collect();
    if starts.len() > 10 {
        nums.push("…".to_string());
    }
    nums.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html>\n<body>\n  <a class=\"cta\" href=\"/trial\">Start free trial</a>\n</body>\n</html>\n";

    fn block(search: &str, replace: &str) -> EditBlock {
        EditBlock {
            path: "pages/a.html".into(),
            search: search.into(),
            replace: replace.into(),
        }
    }

    #[test]
    fn applies_blocks_in_order() {
        let blocks = [
            block(
                "  <a class=\"cta\" href=\"/trial\">Start free trial</a>\n",
                "  <a class=\"cta\" href=\"/trial\">Get started</a>\n",
            ),
            block("</body>\n", "  <p>x</p>\n</body>\n"),
        ];
        let got = apply("pages/a.html", PAGE, &blocks).unwrap();
        assert!(
            got.contains(">Get started</a>\n  <p>x</p>\n</body>"),
            "{got}"
        );
    }

    #[test]
    fn a_block_for_another_file_is_refused() {
        let mut b = block("<html>\n", "");
        b.path = "pages/b.html".into();
        let e = apply("pages/a.html", PAGE, &[b]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "SEARCH/REPLACE block 1 edits another file: pages/b.html (only pages/a.html may be edited; write its path exactly)"
        );
    }

    #[test]
    fn a_search_that_matches_twice_lists_the_lines() {
        let text = "<li>a</li>\n<li>b</li>\n<li>a</li>\n";
        let e = apply("pages/a.html", text, &[block("<li>a</li>\n", "")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "SEARCH block 1 matches 2 times (lines 1, 3): include more of the surrounding lines so that it matches exactly once"
        );
    }

    #[test]
    fn a_search_must_match_whole_lines() {
        let e = apply("pages/a.html", "x<br>\n", &[block("<br>\n", "")]).unwrap_err();
        assert!(matches!(e, BlockError::NoMatch { block: 1, .. }), "{e}");
    }

    #[test]
    fn an_empty_search_only_fills_an_empty_file() {
        assert_eq!(
            apply("pages/a.html", "", &[block("", "<p>x</p>\n")]).unwrap(),
            "<p>x</p>\n"
        );
        let e = apply("pages/a.html", PAGE, &[block("\n", "<p>x</p>\n")]).unwrap_err();
        assert_eq!(e, BlockError::EmptySearch { block: 1 });
    }

    #[test]
    fn every_failing_block_is_reported_and_nothing_applied() {
        let e = apply(
            "pages/a.html",
            PAGE,
            &[
                block("nope\n", ""),
                block("<html>\n", "<html lang=en>\n"),
                block("<body>\n<body>\n", ""),
            ],
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with(
                "2 SEARCH/REPLACE blocks failed; none was applied:\n- SEARCH block 1 does not match"
            ),
            "{msg}"
        );
        assert!(msg.contains("\n- SEARCH block 3 does not match"), "{msg}");
    }

    #[test]
    fn keeps_crlf_and_a_missing_final_newline() {
        let text = "<p>a</p>\r\n<p>b</p>";
        let got = apply("pages/a.html", text, &[block("<p>b</p>\n", "<p>c</p>\n")]).unwrap();
        assert_eq!(got, "<p>a</p>\r\n<p>c</p>");
    }
}
