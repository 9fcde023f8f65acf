//! Markdown bodies: links, images and headings with their spans (pulldown-cmark's offsets),
//! and the code spans the HTML scanner must skip.

use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use super::template::Regions;
use crate::qa::source::Span;

#[derive(Debug, Default)]
pub struct MarkdownScan {
    pub links: Vec<MdLink>,
    pub headings: Vec<MdHeading>,
    /// Code blocks and code spans: their text is not markup.
    pub code: Vec<Span>,
    /// Destinations of reference definitions (`[ref]: /url`).
    pub definitions: Vec<Span>,
}

#[derive(Debug, Clone)]
pub struct MdLink {
    /// The destination as written; `None` when it could not be located in the source
    /// (reference links defined elsewhere, escapes).
    pub dest: Option<Span>,
    /// The whole link, `[text](dest)`.
    pub span: Span,
    pub is_image: bool,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct MdHeading {
    pub level: u8,
    pub span: Span,
    pub text: String,
    /// An explicit `{#id}`.
    pub id: Option<String>,
}

pub fn scan(text: &str, body: Span, regions: &Regions) -> MarkdownScan {
    let src = &text[body.start..body.end];
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let mut out = MarkdownScan::default();
    // Links nest (`[![alt](icon.svg)](/page)`), so open ones are a stack.
    let mut open_links: Vec<(String, bool, Span, LinkType)> = Vec::new();
    let mut heading: Option<(u8, Span, Option<String>, String)> = None;
    let parser = Parser::new_ext(src, opts);
    // `[text][ref]` links take their URL from a `[ref]: /url` definition: the URL is
    // written (and checked, and fixed) once, at the definition.
    for (_, def) in parser.reference_definitions().iter() {
        let def_span = Span::new(def.span.start, def.span.end).offset(body.start);
        let raw = &text[def_span.start..def_span.end];
        let Some(colon) = raw.find("]:") else {
            continue;
        };
        let after = &raw[colon + 2..];
        let lead = after.len() - after.trim_start().len();
        let mut at = colon + 2 + lead;
        if raw[at..].starts_with('<') {
            at += 1;
        }
        if raw[at..].starts_with(def.dest.as_ref()) {
            out.definitions.push(Span::new(
                def_span.start + at,
                def_span.start + at + def.dest.len(),
            ));
        }
    }
    for (event, range) in parser.into_offset_iter() {
        let span = Span::new(range.start, range.end).offset(body.start);
        match event {
            Event::Start(Tag::Link {
                dest_url,
                link_type,
                ..
            })
            | Event::Start(Tag::Image {
                dest_url,
                link_type,
                ..
            }) => {
                let is_image = text[span.start..].starts_with('!');
                open_links.push((dest_url.to_string(), is_image, span, link_type));
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some((dest, is_image, span, link_type)) = open_links.pop() {
                    let text_part = heading_text_in(text, span);
                    out.links.push(MdLink {
                        dest: locate_dest(text, span, &dest, link_type, regions),
                        span,
                        is_image,
                        text: text_part,
                    });
                }
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    level_num(level),
                    span,
                    id.map(|s| s.to_string()),
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, span, id, text)) = heading.take() {
                    out.headings.push(MdHeading {
                        level,
                        span,
                        text: text.trim().to_string(),
                        id,
                    });
                }
            }
            Event::Text(t) => {
                if let Some(h) = heading.as_mut() {
                    h.3.push_str(&t);
                }
            }
            Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.3.push_str(&t);
                }
                out.code.push(span);
            }
            Event::Start(Tag::CodeBlock(_)) => out.code.push(span),
            _ => {}
        }
    }
    out.code.sort();
    out
}

fn heading_text_in(text: &str, span: Span) -> String {
    let raw = &text[span.start..span.end];
    let raw = raw.trim_start_matches('!');
    raw.strip_prefix('[')
        .and_then(|r| r.rfind("](").map(|i| r[..i].to_string()))
        .unwrap_or_default()
}

/// Finds the destination text inside `[text](dest "title")`; `None` for reference links and
/// for destinations written differently from what the parser returns (escapes, entities).
fn locate_dest(
    text: &str,
    span: Span,
    dest: &str,
    link_type: LinkType,
    regions: &Regions,
) -> Option<Span> {
    if !matches!(link_type, LinkType::Inline | LinkType::Autolink) {
        return None;
    }
    let raw = &text[span.start..span.end];
    if link_type == LinkType::Autolink {
        let at = raw.find(dest)?;
        return Some(Span::new(span.start + at, span.start + at + dest.len()));
    }
    let open = raw.rfind("](")? + 2;
    let after = &raw[open..];
    let lead = after.len() - after.trim_start().len();
    let mut start = open + lead;
    let mut rest = &raw[start..];
    if rest.starts_with('<') {
        start += 1;
        rest = &rest[1..];
    }
    if rest.starts_with(dest) {
        let s = Span::new(span.start + start, span.start + start + dest.len());
        return Some(s);
    }
    // A destination holding template syntax is kept as written when it is one region.
    let region = regions.starting_at(span.start + start)?;
    Some(region.span)
}

fn level_num(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_definitions_are_links_at_the_definition() {
        let t = "See [plans][p] and [faq].\n\n[p]: /pricing/#pro\n[faq]: <https://x.example/faq> \"FAQ\"\n";
        let s = scan(t, Span::new(0, t.len()), &Regions::default());
        let mut defs: Vec<_> = s.definitions.iter().map(|d| &t[d.start..d.end]).collect();
        defs.sort();
        assert_eq!(defs, ["/pricing/#pro", "https://x.example/faq"]);
    }

    #[test]
    fn nested_image_links_keep_both_destinations() {
        let t = "[![logo](/img/logo.svg)](/about/)\n";
        let s = scan(t, Span::new(0, t.len()), &Regions::default());
        let mut dests: Vec<_> = s
            .links
            .iter()
            .map(|l| {
                let d = l.dest.unwrap();
                &t[d.start..d.end]
            })
            .collect();
        dests.sort();
        assert_eq!(dests, ["/about/", "/img/logo.svg"]);
    }

    #[test]
    fn finds_link_destinations_and_heading_ids() {
        let t = "# Plans {#plans}\n\nSee [pricing](/pricing/#pro \"t\") and ![x](/a.png).\n\n`<a href=x>`\n";
        let s = scan(t, Span::new(0, t.len()), &Regions::default());
        let dests: Vec<_> = s
            .links
            .iter()
            .map(|l| {
                let d = l.dest.unwrap();
                &t[d.start..d.end]
            })
            .collect();
        assert_eq!(dests, ["/pricing/#pro", "/a.png"]);
        assert!(s.links[1].is_image);
        assert_eq!(s.headings[0].id.as_deref(), Some("plans"));
        assert_eq!(s.headings[0].text, "Plans");
        assert_eq!(s.code.len(), 1);
    }
}
