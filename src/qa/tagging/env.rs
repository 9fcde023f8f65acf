//! Which build environment a part of a template renders in: `{% if jekyll.environment ==
//! "production" %}`, Eleventy/Jinja `{% if env == "production" %}`, Hugo
//! `{{ if hugo.IsProduction }}` / `{{ if eq hugo.Environment "production" }}`, and their
//! `else` branches. Outside any such block a template renders in every environment.

use crate::qa::page::template::RegionKind;
use crate::qa::page::{Document, Engine};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    Production,
    NotProduction,
}

/// The environment the byte at `offset` of `doc` is limited to, if any.
pub fn env_at(doc: &Document, offset: usize) -> Option<Env> {
    // A stack of open blocks: for each, the environment its current branch is limited to.
    let mut stack: Vec<Option<Env>> = Vec::new();
    for r in doc.regions.all() {
        if r.span.start >= offset {
            break;
        }
        let hugo = doc.engine == Engine::Hugo;
        if r.kind == RegionKind::Comment || (!hugo && r.kind != RegionKind::Tag) {
            continue;
        }
        let inner = doc
            .slice(r.span)
            .trim_matches(|c: char| matches!(c, '{' | '}' | '%' | '-' | '~') || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        match word {
            "if" | "unless" => stack.push(condition(inner, word == "unless")),
            "with" | "range" | "define" | "block" | "for" | "case" | "capture" => stack.push(None),
            "elsif" | "elif" | "else" => {
                if let Some(top) = stack.last_mut() {
                    *top = match (*top, word) {
                        (Some(Env::Production), "else") => Some(Env::NotProduction),
                        (Some(Env::NotProduction), "else") => Some(Env::Production),
                        _ => None,
                    };
                }
            }
            "end" | "endif" | "endunless" | "endfor" | "endcase" | "endcapture" | "endblock" => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.into_iter().rev().flatten().next()
}

fn condition(cond: &str, negate: bool) -> Option<Env> {
    let c = cond.to_ascii_lowercase();
    let names_env = c.contains("environment")
        || c.contains("isproduction")
        || c.contains("env ")
        || c.contains("env.")
        || c.contains("node_env")
        || c.contains("eleventy.env");
    if !names_env {
        return None;
    }
    let prod = c.contains("production") || c.contains("isproduction");
    if !prod {
        // `{% if jekyll.environment == "staging" %}`
        return Some(Env::NotProduction);
    }
    let not = c.contains("!=") || c.contains(" ne ") || c.contains("not ") || c.starts_with("ne ");
    Some(if not ^ negate {
        Env::NotProduction
    } else {
        Env::Production
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::page::Format;

    fn at(text: &str, engine: Engine, needle: &str) -> Option<Env> {
        let d = Document::parse("a.html", text.into(), engine, Format::Html);
        env_at(&d, text.find(needle).expect("needle"))
    }

    #[test]
    fn jekyll_and_hugo_environment_blocks_are_recognised() {
        let j = r#"{% if jekyll.environment == "production" %}PROD{% else %}DEV{% endif %}ANY"#;
        assert_eq!(at(j, Engine::Liquid, "PROD"), Some(Env::Production));
        assert_eq!(at(j, Engine::Liquid, "DEV"), Some(Env::NotProduction));
        assert_eq!(at(j, Engine::Liquid, "ANY"), None);
        let h = "{{ if hugo.IsProduction }}{{ with .Site.Params.x }}PROD{{ end }}{{ end }}ANY";
        assert_eq!(at(h, Engine::Hugo, "PROD"), Some(Env::Production));
        assert_eq!(at(h, Engine::Hugo, "ANY"), None);
        let n = r#"{{ if ne hugo.Environment "production" }}DEV{{ end }}"#;
        assert_eq!(at(n, Engine::Hugo, "DEV"), Some(Env::NotProduction));
    }
}
