//! What every event rule shares: it judges one event at a time, wherever the event is
//! sent. Events of pages, layouts and includes (inline scripts, attribute contracts) are
//! judged in `check_file`, once per file; events of first-party script files in
//! `check_site`.

use std::sync::Arc;

use crate::qa::finding::{Finding, RuleMeta};
use crate::qa::rules::{FileCx, Rule, Settings, SiteCx};
use crate::qa::source::{LineIndex, Span};
use crate::qa::tagging::{Event, events};

/// Where an event is: the file and its text, to place findings.
pub struct At<'a> {
    pub file: &'a Arc<str>,
    pub text: &'a str,
    pub lines: &'a LineIndex,
}

impl At<'_> {
    pub fn finding(&self, meta: &'static RuleMeta, span: Span, message: String) -> Finding {
        let start = self.lines.line_col(self.text, span.start);
        let end = self.lines.line_col(self.text, span.end);
        Finding::located(meta, self.file.clone(), span, start, end, message)
    }
}

/// A rule over events.
pub trait EventRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check_event(&self, event: &Event, at: &At, settings: &Settings, out: &mut Vec<Finding>);
}

impl<T: EventRule> Rule for T {
    fn meta(&self) -> &'static RuleMeta {
        EventRule::meta(self)
    }

    fn check_file(&self, cx: &FileCx, out: &mut Vec<Finding>) {
        in_document(cx, |event, at| {
            self.check_event(event, at, cx.settings, out)
        });
    }

    fn check_site(&self, cx: &SiteCx, out: &mut Vec<Finding>) {
        in_scripts(cx, |event, at| {
            self.check_event(event, at, cx.settings, out)
        });
    }
}

/// Calls `f` with every event of the file being checked.
pub fn in_document(cx: &FileCx, mut f: impl FnMut(&Event, &At)) {
    let doc = cx.doc;
    let at = At {
        file: &doc.path,
        text: &doc.text,
        lines: &doc.lines,
    };
    for event in events::in_document(doc, cx.settings.plan).iter() {
        f(event, &at);
    }
}

/// Calls `f` with every event of the site's first-party script files.
pub fn in_scripts(cx: &SiteCx, mut f: impl FnMut(&Event, &At)) {
    for file in cx.scripts() {
        let at = At {
            file: &file.path,
            text: &file.text,
            lines: &file.lines,
        };
        for event in &file.events {
            f(event, &at);
        }
    }
}
