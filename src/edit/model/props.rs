//! Property tests of the edit-format parsers on arbitrary and cut answers: no panic, every
//! error has a message, a cut answer never yields a block the full answer did not hold, and
//! a SEARCH that occurs once is applied exactly where it occurs.

use proptest::prelude::*;

use super::blocks::{BlockError, EditBlock, apply, parse};
use super::whole::{apply_whole, fence_for, parse_whole};

const ANSWER: &str = "I will change the CTA.\n\npages/a.html\n```html\n<<<<<<< SEARCH\n  <a href=\"/trial\">Start free trial</a>\n=======\n  <a href=\"/trial\">Get started</a>\n>>>>>>> REPLACE\n```\n\npages/a.html\n```html\n<<<<<<< SEARCH\n<footer>\n=======\n<footer class=\"site\">\n>>>>>>> REPLACE\n```\n";

/// Lines from a small alphabet, so that random SEARCH texts often match, sometimes twice.
fn page_lines() -> impl Strategy<Value = Vec<String>> {
    let line = prop_oneof![
        Just("<p>a</p>".to_string()),
        Just("<p>b</p>".to_string()),
        Just("  <li>x</li>".to_string()),
        Just(String::new()),
        Just("=======".to_string()),
        Just("```".to_string()),
        "[a-c<>/ ]{0,6}",
    ];
    prop::collection::vec(line, 0..12)
}

fn answer_lines() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("pages/a.html".to_string()),
        Just("<<<<<<< SEARCH".to_string()),
        Just("=======".to_string()),
        Just(">>>>>>> REPLACE".to_string()),
        Just("```html".to_string()),
        Just("```".to_string()),
        Just("<p>a</p>".to_string()),
        ".{0,8}",
    ];
    prop::collection::vec(line, 0..16).prop_map(|l| l.join("\n"))
}

fn assert_clear(e: &BlockError) {
    let msg = e.to_string();
    assert!(msg.len() > 20, "an error says what is wrong: {msg:?}");
}

proptest! {
    #[test]
    fn parse_never_panics_and_explains_every_refusal(answer in any::<String>()) {
        if let Err(e) = parse(&answer) {
            assert_clear(&e);
        }
        if let Err(e) = parse_whole(&answer, "```") {
            assert_clear(&e);
        }
    }

    #[test]
    fn parse_of_marker_soup_never_panics(answer in answer_lines(), text in page_lines()) {
        let text = text.join("\n");
        match parse(&answer) {
            Ok(blocks) => {
                if let Err(e) = apply("pages/a.html", &text, &blocks) {
                    assert_clear(&e);
                }
            }
            Err(e) => assert_clear(&e),
        }
        if let Ok(Some(w)) = parse_whole(&answer, &fence_for(&text)) {
            let _ = apply_whole("pages/a.html", &text, &w);
        }
    }

    #[test]
    fn a_cut_answer_yields_only_whole_blocks_of_the_full_answer(cut in 0..ANSWER.len()) {
        let full = parse(ANSWER).unwrap();
        let Some(prefix) = ANSWER.get(..cut) else { return Ok(()) };
        match parse(prefix) {
            Ok(blocks) => prop_assert_eq!(&blocks[..], &full[..blocks.len()]),
            Err(e) => prop_assert!(
                matches!(e, BlockError::NoBlocks | BlockError::Unterminated { .. }),
                "{e}"
            ),
        }
    }

    #[test]
    fn a_search_found_once_is_replaced_where_it_is(
        lines in page_lines(),
        from in 0usize..12,
        len in 1usize..4,
        replace in "[a-z\n]{0,10}",
    ) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let from = from.min(lines.len());
        let to = (from + len).min(lines.len());
        let search: String = lines[from..to].iter().map(|l| format!("{l}\n")).collect();
        let block = EditBlock { path: "pages/a.html".into(), search: search.clone(), replace: replace.clone() };
        match apply("pages/a.html", &text, &[block]) {
            Ok(out) => {
                let at: usize = lines[..from].iter().map(|l| l.len() + 1).sum();
                let mut want_replace = replace.clone();
                if !want_replace.is_empty() && !want_replace.ends_with('\n') {
                    want_replace.push('\n');
                }
                if search.trim().is_empty() {
                    prop_assert_eq!(out, want_replace);
                } else {
                    let want = format!("{}{}{}", &text[..at], want_replace, &text[at + search.len()..]);
                    prop_assert_eq!(out, want);
                }
            }
            Err(e) => {
                assert_clear(&e);
                prop_assert!(
                    matches!(e, BlockError::Ambiguous { .. } | BlockError::EmptySearch { .. }),
                    "a SEARCH cut from the file matches: {e}"
                );
            }
        }
    }
}
