//! Aider's SEARCH/REPLACE edit format: parses a model's answer into edit blocks and applies
//! them to the text of the one file the model was given. Every error names the block and
//! says what to do, because its message goes back to the model on the next attempt.
//! Nothing here panics, whatever the answer holds (a property test feeds it cut answers).
//!
//! The format, as Aider's `editblock_prompts.py` asks for it: the file's path alone on a
//! line, an optional code fence (with or without a language tag), `<<<<<<< SEARCH`, the
//! exact lines to find, `=======`, the new lines, `>>>>>>> REPLACE`, the closing fence.
//! A block without a path line edits the path of the block before it (Aider does the same).
//!
//! Empty SEARCH: in Aider it means "create this file" or "append to it" (`do_replace`:
//! `content + after_text`). Sitewide edits one existing file and never appends blindly after
//! `</html>`, so an empty SEARCH is accepted only when the file itself is empty (its whole
//! text becomes the REPLACE text); anywhere else it is an error that asks the model to
//! quote the neighbouring lines instead.

pub use super::apply::apply;

/// The whole answer a model gives when the file needs no change (in either mode).
pub const NO_CHANGES: &str = "NO CHANGES";

/// True when a line of the answer is `NO CHANGES` (the answer holds no edit).
pub fn says_no_changes(answer: &str) -> bool {
    answer
        .lines()
        .any(|l| l.trim().trim_matches(['*', '`', '.']) == NO_CHANGES)
}

/// One SEARCH/REPLACE block. `search` and `replace` hold whole lines, each ending in `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditBlock {
    pub path: String,
    pub search: String,
    pub replace: String,
}

/// Why an answer cannot be parsed or applied. Messages are sent to the model as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    #[error(
        "the answer holds no SEARCH/REPLACE block: write each edit as the file's path alone \
         on a line, then `<<<<<<< SEARCH`, the exact lines to find, `=======`, the new lines, \
         and `>>>>>>> REPLACE`"
    )]
    NoBlocks,
    #[error(
        "SEARCH/REPLACE block {block} (answer line {line}) has no file path: put the file's \
         path alone on the line before `<<<<<<< SEARCH` (or before its opening fence)"
    )]
    MissingPath { block: usize, line: usize },
    #[error(
        "SEARCH/REPLACE block {block} (answer line {line}) is cut off: expected `{expected}` \
         {before}"
    )]
    Unterminated {
        block: usize,
        line: usize,
        expected: &'static str,
        /// "before the end of the answer" or "before `<<<<<<< SEARCH` at answer line N".
        before: String,
    },
    #[error(
        "answer line {line}: `{marker}` outside a SEARCH/REPLACE block: every block starts \
         with `<<<<<<< SEARCH`"
    )]
    StrayMarker { line: usize, marker: String },
    #[error(
        "SEARCH/REPLACE block {block} edits another file: {path} (only {expected} may be \
         edited; write its path exactly)"
    )]
    OtherFile {
        block: usize,
        path: String,
        expected: String,
    },
    #[error(
        "SEARCH block {block} is empty: an empty SEARCH would append to the file; quote the \
         existing lines next to where the new text goes in SEARCH, and repeat them with the \
         new text in REPLACE"
    )]
    EmptySearch { block: usize },
    #[error("SEARCH block {block} does not match: {hint}")]
    NoMatch { block: usize, hint: String },
    #[error(
        "SEARCH block {block} matches {count} times (lines {lines}): include more of the \
         surrounding lines so that it matches exactly once"
    )]
    Ambiguous {
        block: usize,
        count: usize,
        lines: String,
    },
    #[error(
        "the answer holds no fenced file: write the file's path alone on a line, then a line \
         `{fence}`, the whole new file, and a line `{fence}`"
    )]
    NoWholeFile { fence: String },
    #[error(
        "the fenced file at answer line {line} has no path: put the file's path alone on the \
         line before the opening fence"
    )]
    WholeFileWithoutPath { line: usize },
    #[error(
        "the fenced file that opens at answer line {line} is never closed: end it with a line \
         `{fence}`"
    )]
    UnclosedFence { line: usize, fence: String },
    #[error(
        "expected the whole new file in one fence, but the answer holds SEARCH/REPLACE blocks \
         (answer line {line}): send the complete file instead"
    )]
    BlocksInWholeFile { line: usize },
    /// Several blocks failed; each line is one error, in block order.
    #[error("{}", join(.0))]
    Several(Vec<BlockError>),
}

fn join(errors: &[BlockError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| format!("- {e}")).collect();
    format!(
        "{} SEARCH/REPLACE blocks failed; none was applied:\n{}",
        errors.len(),
        lines.join("\n")
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    Search,
    Divider,
    Replace,
}

/// Aider accepts five to nine `<` or `>`; the divider must be exactly seven `=`, so that a
/// Markdown setext underline of another length stays content.
pub(super) fn marker(line: &str) -> Option<Marker> {
    let t = line.trim();
    let run = |c: char, word: &str| {
        let rest = t.trim_start_matches(c);
        let n = t.len() - rest.len();
        (5..=9).contains(&n) && rest.strip_prefix(' ').is_some_and(|w| w.trim() == word)
    };
    if run('<', "SEARCH") {
        Some(Marker::Search)
    } else if t == "=======" {
        Some(Marker::Divider)
    } else if run('>', "REPLACE") {
        Some(Marker::Replace)
    } else {
        None
    }
}

/// A line that opens or closes a Markdown code fence: three or more backticks or tildes,
/// then an optional language tag.
pub(super) fn is_fence(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("```") || t.starts_with("~~~")
}

/// Parses every SEARCH/REPLACE block of an answer, in order. Text outside blocks (prose,
/// fences) is ignored; a block cut off by the end of the answer is an error. An answer with
/// no block and a `NO CHANGES` line yields no block.
pub fn parse(answer: &str) -> Result<Vec<EditBlock>, BlockError> {
    let lines: Vec<&str> = answer.split_inclusive('\n').collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        match marker(lines[i]) {
            Some(Marker::Search) => {}
            Some(m) => {
                return Err(BlockError::StrayMarker {
                    line: i + 1,
                    marker: marker_text(m).to_string(),
                });
            }
            None => {
                i += 1;
                continue;
            }
        }
        let n = blocks.len() + 1;
        let path = match path_before(&lines, i) {
            Some(p) => p,
            None => match blocks.last() {
                Some(EditBlock { path, .. }) => path.clone(),
                None => {
                    return Err(BlockError::MissingPath {
                        block: n,
                        line: i + 1,
                    });
                }
            },
        };
        let divider = section_end(&lines, i, n, Marker::Divider)?;
        let end = section_end(&lines, divider, n, Marker::Replace)?;
        blocks.push(EditBlock {
            path,
            search: lines[i + 1..divider].concat(),
            replace: lines[divider + 1..end].concat(),
        });
        i = end + 1;
    }
    if blocks.is_empty() && !says_no_changes(answer) {
        return Err(BlockError::NoBlocks);
    }
    Ok(blocks)
}

fn marker_text(m: Marker) -> &'static str {
    match m {
        Marker::Search => "<<<<<<< SEARCH",
        Marker::Divider => "=======",
        Marker::Replace => ">>>>>>> REPLACE",
    }
}

/// The index of the first `want` marker after line `from`; a SEARCH marker or the end of
/// the answer first means the block was cut off. A divider inside REPLACE is content.
fn section_end(
    lines: &[&str],
    from: usize,
    block: usize,
    want: Marker,
) -> Result<usize, BlockError> {
    for (k, line) in lines.iter().enumerate().skip(from + 1) {
        match marker(line) {
            Some(m) if m == want => return Ok(k),
            Some(Marker::Search) => {
                return Err(BlockError::Unterminated {
                    block,
                    line: from + 1,
                    expected: marker_text(want),
                    before: format!("before `<<<<<<< SEARCH` at answer line {}", k + 1),
                });
            }
            Some(Marker::Replace) if want == Marker::Divider => {
                return Err(BlockError::Unterminated {
                    block,
                    line: from + 1,
                    expected: "=======",
                    before: format!("before `>>>>>>> REPLACE` at answer line {}", k + 1),
                });
            }
            _ => {}
        }
    }
    Err(BlockError::Unterminated {
        block,
        line: from + 1,
        expected: marker_text(want),
        before: "before the end of the answer".to_string(),
    })
}

/// The path written before the SEARCH marker at `head`: the nearest non-blank line, looking
/// past one opening fence. `None` when that line is a marker, a fence or empty after the
/// decorations models add (`**`, backticks, `#`, a trailing `:`) are removed.
pub(super) fn path_before(lines: &[&str], head: usize) -> Option<String> {
    let mut k = head;
    let mut prev = || {
        while k > 0 {
            k -= 1;
            if !lines[k].trim().is_empty() {
                return Some(lines[k]);
            }
        }
        None
    };
    let mut line = prev()?;
    if is_fence(line) {
        line = prev()?;
    }
    if marker(line).is_some() || is_fence(line) {
        return None;
    }
    let path = clean_path(line);
    (!path.is_empty()).then_some(path)
}

/// A path as the model wrote it, without Markdown decoration or a leading `./`.
pub fn clean_path(line: &str) -> String {
    let t = line
        .trim()
        .trim_end_matches(':')
        .trim_start_matches('#')
        .trim();
    let t = t
        .trim_matches('`')
        .trim_matches('*')
        .trim_matches(['"', '\''])
        .trim();
    t.strip_prefix("./").unwrap_or(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_fenced_block_with_its_path_before_the_fence() {
        let answer = "Here you go.\n\npages/a.html\n```html\n<<<<<<< SEARCH\n  <a>x</a>\n=======\n  <a>y</a>\n>>>>>>> REPLACE\n```\n";
        assert_eq!(
            parse(answer).unwrap(),
            [EditBlock {
                path: "pages/a.html".into(),
                search: "  <a>x</a>\n".into(),
                replace: "  <a>y</a>\n".into(),
            }]
        );
    }

    #[test]
    fn parses_unfenced_blocks_and_reuses_the_last_path() {
        let answer = "**pages/a.html**\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n<<<<<<< SEARCH\nc\n=======\n>>>>>>> REPLACE";
        let got = parse(answer).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].path, "pages/a.html");
        assert_eq!(
            (got[1].search.as_str(), got[1].replace.as_str()),
            ("c\n", "")
        );
    }

    #[test]
    fn parses_a_path_inside_the_fence_and_blocks_in_separate_fences() {
        let answer = "```\n./pages/a.html\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n\n```html\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n```\n";
        let got = parse(answer).unwrap();
        assert_eq!(
            got.iter().map(|b| b.path.as_str()).collect::<Vec<_>>(),
            ["pages/a.html"; 2]
        );
    }

    #[test]
    fn an_answer_without_blocks_says_what_format_to_use() {
        let e = parse("I changed the CTA.").unwrap_err();
        assert_eq!(e, BlockError::NoBlocks);
        assert!(e.to_string().contains("<<<<<<< SEARCH"));
    }

    #[test]
    fn no_changes_is_an_answer_without_blocks() {
        assert_eq!(parse("NO CHANGES\n"), Ok(vec![]));
        assert_eq!(parse("Nothing applies here.\n\n**NO CHANGES**"), Ok(vec![]));
    }

    #[test]
    fn a_first_block_without_a_path_is_an_error() {
        let e = parse("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n").unwrap_err();
        assert_eq!(e, BlockError::MissingPath { block: 1, line: 1 });
    }

    #[test]
    fn a_cut_answer_names_the_missing_marker() {
        let e = parse("a.html\n<<<<<<< SEARCH\na\n=======\nb\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "SEARCH/REPLACE block 1 (answer line 4) is cut off: expected `>>>>>>> REPLACE` before the end of the answer"
        );
        let e = parse("a.html\n<<<<<<< SEARCH\na\n>>>>>>> REPLACE\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("expected `=======` before `>>>>>>> REPLACE` at answer line 4"),
            "{e}"
        );
    }

    #[test]
    fn a_replace_marker_outside_a_block_is_an_error() {
        let e = parse("a.html\n=======\nb\n>>>>>>> REPLACE\n").unwrap_err();
        assert_eq!(
            e,
            BlockError::StrayMarker {
                line: 2,
                marker: "=======".into()
            }
        );
    }
}
