//! What is never visible copy, shared by CNT-001 and the text-editing recipes: front
//! matter, comments, template syntax, start tags, and in Markdown, code and bare link
//! destinations. Each caller adds its own elements whose content is not copy.

use super::{Document, Format, markdown};
use crate::qa::source::Span;

/// Calls `mask` with every span of `doc` that is markup or template syntax, not copy.
pub(crate) fn mask_markup(doc: &Document, mut mask: impl FnMut(Span)) {
    if let Some(fm) = &doc.front_matter {
        mask(Span::new(0, fm.span.end));
    }
    doc.comments.iter().for_each(|c| mask(*c));
    doc.regions.all().iter().for_each(|r| mask(r.span));
    doc.elements.iter().for_each(|el| mask(el.tag));
    if doc.format == Format::Markdown {
        let body = Span::new(
            doc.front_matter.as_ref().map_or(0, |f| f.span.end),
            doc.text.len(),
        );
        markdown::scan(&doc.text, body, &doc.regions)
            .code
            .into_iter()
            .for_each(&mut mask);
        doc.links
            .iter()
            .filter(|l| l.element.is_none())
            .for_each(|l| mask(l.url));
    }
}
