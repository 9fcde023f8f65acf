//! The trend of an audit job and its comparison with the previous run, for the run page
//! and the audit report page: a small inline SVG chart of findings per run by severity
//! (stacked bars, no script), with a title, a description and a table of the same
//! numbers as its text alternative. Every value in the SVG is a number or escaped.

use serde_json::{Value, json};

use crate::run::RunReport;

fn esc(text: &str) -> String {
    tera::escape_html(text)
}

/// Bar width and gap, and the chart's height, in SVG units.
const BAR: usize = 14;
const GAP: usize = 6;
const HEIGHT: u64 = 80;

/// The severities stacked from the bottom, with their CSS colours.
const SEVERITIES: [(&str, &str); 3] = [
    ("error", "#b42318"),
    ("warning", "#b54708"),
    ("info", "#175cd3"),
];

/// What the pages' `compare.html` part shows: `comparison`, `trend` (the rows) and
/// `trend_svg` (the chart's markup, escaped here).
pub fn context(report: &RunReport) -> Value {
    json!({
        "comparison": report.comparison,
        "trend": report.trend,
        "trend_svg": svg(&report.trend, &report.spec, &report.id),
    })
}

/// The chart of `trend` (oldest first) for job `job`, the bar of run `current` outlined.
pub fn svg(trend: &[Value], job: &str, current: &str) -> String {
    if trend.is_empty() {
        return String::new();
    }
    let count = |p: &Value, k: &str| p[k].as_u64().unwrap_or(0);
    let max = trend
        .iter()
        .map(|p| SEVERITIES.iter().map(|(k, _)| count(p, k)).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let width = trend.len() * (BAR + GAP) + GAP;
    let mut bars = String::new();
    for (i, p) in trend.iter().enumerate() {
        let x = GAP + i * (BAR + GAP);
        let mut y = HEIGHT;
        let run = p["run"].as_str().unwrap_or("");
        for (k, colour) in SEVERITIES {
            let h = count(p, k) * HEIGHT / max;
            if h == 0 {
                continue;
            }
            y -= h;
            bars.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{BAR}\" height=\"{h}\" fill=\"{colour}\"><title>{}: {} {k}</title></rect>",
                esc(run),
                count(p, k)
            ));
        }
        if run == current {
            bars.push_str(&format!(
                "<rect x=\"{}\" y=\"0\" width=\"{}\" height=\"{HEIGHT}\" fill=\"none\" stroke=\"currentColor\" stroke-dasharray=\"2 2\"/>",
                x.saturating_sub(2),
                BAR + 4
            ));
        }
    }
    let last = trend.last().map_or(0, |p| count(p, "total"));
    format!(
        "<svg class=\"trend\" role=\"img\" aria-labelledby=\"trend-svg-title trend-svg-desc\" viewBox=\"0 0 {width} {HEIGHT}\" width=\"{width}\" height=\"{HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"trend-svg-title\">Findings per run of {}</title><desc id=\"trend-svg-desc\">Stacked bars of errors, warnings and info for the last {} audit runs, oldest first; the latest has {last} findings. The table below has the numbers.</desc><line x1=\"0\" y1=\"{HEIGHT}\" x2=\"{width}\" y2=\"{HEIGHT}\" stroke=\"currentColor\"/>{bars}</svg>",
        esc(job),
        trend.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_has_a_title_a_description_and_escaped_names() {
        let trend = vec![
            json!({"run": "r1", "error": 2, "warning": 1, "info": 0, "total": 3}),
            json!({"run": "r2<x>", "error": 0, "warning": 0, "info": 4, "total": 4}),
        ];
        let svg = svg(&trend, "job <&>", "r2<x>");
        assert!(svg.contains("role=\"img\""));
        assert!(
            svg.contains(
                "<title id=\"trend-svg-title\">Findings per run of job &lt;&amp;&gt;</title>"
            ),
            "{svg}"
        );
        assert!(svg.contains("r2&lt;x&gt;: 4 info"), "{svg}");
        assert!(!svg.contains("<x>"));
        assert_eq!(
            svg.matches("<rect").count(),
            4,
            "three bars and the outline"
        );
        assert_eq!(super::svg(&[], "j", "r"), "");
    }
}
