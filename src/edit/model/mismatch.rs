//! Explains why a SEARCH text does not match the file, in one sentence a model can act on:
//! a whitespace-only difference, the first SEARCH line the file lacks with the file's
//! closest line, or where the longest matching run of lines stops. Only reads; never fails.

/// Lines longer than this are compared on their first this-many characters, so a minified
/// line cannot make the closest-line search slow.
const COMPARE_CHARS: usize = 200;
/// Lines quoted in a message are cut to this many characters.
const QUOTE_CHARS: usize = 100;

/// Why `search` (whole lines) is not found in `text`.
pub fn explain(text: &str, search: &str) -> String {
    let file: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let want: Vec<&str> = search.lines().map(|l| l.trim_end_matches('\r')).collect();
    if file.is_empty() {
        return "the file is empty".to_string();
    }
    if let Some(at) = find_run(&file, &want, |a, b| a.trim() == b.trim()) {
        return format!(
            "it matches line {} only when leading and trailing whitespace is ignored: copy the \
             lines exactly as the file has them, indentation included",
            at + 1
        );
    }
    if let Some((j, missing)) = want.iter().enumerate().find(|(_, w)| !file.contains(w)) {
        let (line, near) = closest(&file, missing);
        return format!(
            "its line {} {} is not in the file; the closest line is line {}: {}",
            j + 1,
            quote(missing),
            line + 1,
            quote(near)
        );
    }
    longest_run(&file, &want)
}

/// The first index where `want` matches `file` line by line under `eq`.
fn find_run(file: &[&str], want: &[&str], eq: impl Fn(&str, &str) -> bool) -> Option<usize> {
    if want.is_empty() || want.len() > file.len() {
        return None;
    }
    (0..=file.len() - want.len()).find(|&f| want.iter().zip(&file[f..]).all(|(w, l)| eq(w, l)))
}

/// The file line most like `target`, by normalised Levenshtein distance on trimmed text.
fn closest<'a>(file: &[&'a str], target: &str) -> (usize, &'a str) {
    let t = prefix(target.trim());
    let mut best = (0, file[0], -1.0_f64);
    for (i, line) in file.iter().enumerate() {
        let l = prefix(line.trim());
        let (a, b) = (l.chars().count(), t.chars().count());
        if a.abs_diff(b) * 2 > a.max(b) && best.2 >= 0.0 {
            continue;
        }
        let score = strsim::normalized_levenshtein(l, t);
        if score > best.2 {
            best = (i, line, score);
        }
    }
    (best.0, best.1)
}

fn prefix(s: &str) -> &str {
    s.char_indices()
        .nth(COMPARE_CHARS)
        .map_or(s, |(i, _)| &s[..i])
}

/// Every SEARCH line is somewhere in the file, but not together: where the longest run of
/// matching lines starts and which line breaks it.
fn longest_run(file: &[&str], want: &[&str]) -> String {
    let mut best = (0, 0);
    for f in 0..file.len() {
        let k = want
            .iter()
            .zip(&file[f..])
            .take_while(|(w, l)| w == l)
            .count();
        if k > best.1 {
            best = (f, k);
        }
    }
    let (f, k) = best;
    let Some(next) = want.get(k) else {
        return "its lines are in the file but not at the start of a line".to_string();
    };
    let lines = if k == 1 {
        "line matches"
    } else {
        "lines match"
    };
    match file.get(f + k) {
        Some(actual) => format!(
            "its first {k} {lines} at line {}, but its line {} {} differs from line {} {}",
            f + 1,
            k + 1,
            quote(next),
            f + k + 1,
            quote(actual)
        ),
        None => format!(
            "its first {k} {lines} at line {}, but the file ends before its line {} {}",
            f + 1,
            k + 1,
            quote(next)
        ),
    }
}

fn quote(line: &str) -> String {
    let t = line.trim();
    match t.char_indices().nth(QUOTE_CHARS) {
        Some((i, _)) => format!("`{}…`", &t[..i]),
        None => format!("`{t}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "<ul>\n  <li>Home</li>\n  <li>Pricing</li>\n</ul>\n";

    #[test]
    fn a_whitespace_difference_is_named_as_such() {
        assert_eq!(
            explain(FILE, "<li>Home</li>\n<li>Pricing</li>\n"),
            "it matches line 2 only when leading and trailing whitespace is ignored: copy the lines exactly as the file has them, indentation included"
        );
    }

    #[test]
    fn a_line_the_file_lacks_is_shown_with_the_closest_line() {
        assert_eq!(
            explain(FILE, "  <li>Home</li>\n  <li>Prices</li>\n"),
            "its line 2 `<li>Prices</li>` is not in the file; the closest line is line 3: `<li>Pricing</li>`"
        );
    }

    #[test]
    fn lines_out_of_order_name_where_the_run_breaks() {
        assert_eq!(
            explain(FILE, "<ul>\n  <li>Pricing</li>\n"),
            "its first 1 line matches at line 1, but its line 2 `<li>Pricing</li>` differs from line 2 `<li>Home</li>`"
        );
    }

    #[test]
    fn long_lines_are_cut_in_the_message() {
        let long = "x".repeat(300);
        let msg = explain(&format!("{long}\n"), "y\n");
        assert!(msg.len() < 300 && msg.contains("x…`"), "{msg}");
    }
}
