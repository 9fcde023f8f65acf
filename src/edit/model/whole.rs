//! Whole-file answers, for small files: the file's path alone on a line, then one fenced
//! block holding the complete new file. The fence is the one the prompt showed the file in
//! (`fence_for`): backticks, one more than the longest backtick run that starts a line of
//! the file, at least three, so a Markdown file's own code fences stay content.
//!
//! The closing fence is the last line of the answer that is a bare fence at least as long
//! as the opening one, so a model that reused a short fence still gets its file read whole.

use super::blocks::{
    BlockError, Marker, clean_path, is_fence, marker, path_before, says_no_changes,
};

/// A whole new file as the model sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeFile {
    pub path: String,
    pub text: String,
}

/// The fence to show `text` in and to ask the whole new file back in.
pub fn fence_for(text: &str) -> String {
    let longest = text
        .lines()
        .map(|l| l.trim_start().bytes().take_while(|&b| b == b'`').count())
        .max()
        .unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// Reads a whole-file answer: `fence` is the one the prompt asked for, used in messages.
/// `None` when the answer is `NO CHANGES` (and holds no fence).
pub fn parse_whole(answer: &str, fence: &str) -> Result<Option<WholeFile>, BlockError> {
    let lines: Vec<&str> = answer.split_inclusive('\n').collect();
    let Some(open) = lines.iter().position(|l| is_fence(l)) else {
        if says_no_changes(answer) {
            return Ok(None);
        }
        return Err(BlockError::NoWholeFile {
            fence: fence.to_string(),
        });
    };
    let path =
        path_before(&lines, open).ok_or(BlockError::WholeFileWithoutPath { line: open + 1 })?;
    let run = fence_run(lines[open]);
    let close = (open + 1..lines.len())
        .rev()
        .find(|&k| is_closing(lines[k], run))
        .ok_or_else(|| BlockError::UnclosedFence {
            line: open + 1,
            fence: fence.to_string(),
        })?;
    let body = &lines[open + 1..close];
    if let Some(k) = body.iter().position(|l| marker(l) == Some(Marker::Search)) {
        return Err(BlockError::BlocksInWholeFile { line: open + 2 + k });
    }
    Ok(Some(WholeFile {
        path,
        text: body.concat(),
    }))
}

/// The fence characters that open a block: ("`", 4) for "````html".
fn fence_run(line: &str) -> (u8, usize) {
    let t = line.trim().as_bytes();
    let c = t.first().copied().unwrap_or(b'`');
    (c, t.iter().take_while(|&&b| b == c).count())
}

fn is_closing(line: &str, (c, n): (u8, usize)) -> bool {
    let t = line.trim();
    t.len() >= n && t.bytes().all(|b| b == c)
}

/// The new text of `path` from a whole-file answer. A file that did not end in a newline
/// keeps not ending in one (a fenced block always ends its last line); CRLF files keep CRLF.
pub fn apply_whole(path: &str, original: &str, whole: &WholeFile) -> Result<String, BlockError> {
    if clean_path(&whole.path) != clean_path(path) {
        return Err(BlockError::OtherFile {
            block: 1,
            path: whole.path.clone(),
            expected: path.to_string(),
        });
    }
    let mut text = whole.text.replace("\r\n", "\n");
    if original.contains("\r\n") {
        text = text.replace('\n', "\r\n");
    }
    if !original.ends_with('\n') {
        let cut = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'));
        if let Some(c) = cut {
            text = c.to_string();
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fence_outgrows_the_files_own_fences() {
        assert_eq!(fence_for("<p>x</p>"), "```");
        assert_eq!(fence_for("# Docs\n```sh\nls\n```\n"), "````");
    }

    #[test]
    fn reads_the_path_and_the_whole_file() {
        let answer = "pages/a.html\n```html\n<p>a</p>\n<p>b</p>\n```\nDone.\n";
        let w = parse_whole(answer, "```").unwrap().unwrap();
        assert_eq!(
            w,
            WholeFile {
                path: "pages/a.html".into(),
                text: "<p>a</p>\n<p>b</p>\n".into()
            }
        );
    }

    #[test]
    fn inner_fences_of_a_markdown_file_stay_content() {
        let answer = "docs/a.md\n````markdown\n# A\n```sh\nls\n```\n````\n";
        assert_eq!(
            parse_whole(answer, "````").unwrap().unwrap().text,
            "# A\n```sh\nls\n```\n"
        );
    }

    #[test]
    fn no_changes_is_an_answer_without_a_file() {
        assert_eq!(parse_whole("NO CHANGES", "```"), Ok(None));
    }

    #[test]
    fn a_cut_answer_says_how_to_close_it() {
        let e = parse_whole("a.html\n```html\n<p>a</p>\n", "```").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the fenced file that opens at answer line 2 is never closed: end it with a line `````"
        );
    }

    #[test]
    fn search_replace_blocks_are_refused_in_whole_file_mode() {
        let answer = "a.html\n```\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n";
        assert_eq!(
            parse_whole(answer, "```").unwrap_err(),
            BlockError::BlocksInWholeFile { line: 3 }
        );
    }

    #[test]
    fn keeps_the_originals_line_endings_and_missing_final_newline() {
        let w = WholeFile {
            path: "a.html".into(),
            text: "<p>a</p>\n<p>c</p>\n".into(),
        };
        assert_eq!(
            apply_whole("a.html", "<p>a</p>\r\n<p>b</p>", &w).unwrap(),
            "<p>a</p>\r\n<p>c</p>"
        );
        let other = WholeFile {
            path: "b.html".into(),
            ..w
        };
        assert!(
            apply_whole("a.html", "", &other)
                .unwrap_err()
                .to_string()
                .contains("edits another file: b.html")
        );
    }
}
