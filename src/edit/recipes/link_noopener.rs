//! `link.noopener`: adds `rel="noopener"` to `target="_blank"` links to other sites, as
//! LNK-002's fix does: a missing `rel` is added after `target`, an existing literal one gets
//! `noopener` appended. Template-built `target`, `rel` or attributes are left alone.

use super::{ParamError, Recipe, RecipeMeta};
use super::{common, keys};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;

static META: RecipeMeta = RecipeMeta {
    name: "link.noopener",
    summary: "Add rel=\"noopener\" to target=\"_blank\" links to other sites (LNK-002's fix)",
    keys: &[],
    example: "[[steps]]\nrecipe = \"link.noopener\"\n",
};

pub struct Noopener;

impl Recipe for Noopener {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        keys::only(params, &[])
    }

    fn apply(&self, doc: &Document, settings: &Settings, _params: &toml::Table) -> Vec<Fix> {
        common::fixes_of(doc, &common::findings(doc, settings, &["LNK-002"]))
    }
}

#[cfg(test)]
mod tests {
    use super::Noopener;
    use crate::edit::recipes::testkit::{Case, check, refused};
    use crate::qa::page::Engine;

    const CONFIG: &str = "site_url = \"https://www.example.com\"\n";

    #[test]
    fn new_tab_links_get_noopener_in_every_engine() {
        let cases = [
            Case {
                path: "a.html",
                engine: Engine::Liquid,
                before: "---\ntitle: A\n---\n<a href=\"https://a.example/\" target=\"_blank\">a</a>\n<a href=\"/in/\" target=\"_blank\">i</a>\n",
                after: "---\ntitle: A\n---\n<a href=\"https://a.example/\" target=\"_blank\" rel=\"noopener\">a</a>\n<a href=\"/in/\" target=\"_blank\">i</a>\n",
                beside: &[("_config.yml", "title: x\n")],
            },
            Case {
                path: "templates/c.njk",
                engine: Engine::Jinja,
                before: "{% block body %}<a href=\"{{ u }}\" target=_blank rel=\"nofollow\">x</a><a href=\"https://a.example/\" target=\"_blank\" {{ attrs }}>y</a>{% endblock %}\n",
                after: "{% block body %}<a href=\"{{ u }}\" target=_blank rel=\"nofollow noopener\">x</a><a href=\"https://a.example/\" target=\"_blank\" {{ attrs }}>y</a>{% endblock %}\n",
                beside: &[],
            },
            Case {
                path: "layouts/_default/list.html",
                engine: Engine::Hugo,
                before: "<a href=\"https://c.example/\" rel=external target=\"_BLANK\">c</a>\n<a href=\"https://a.example/\" target=\"_blank\" {{ with .Rel }}rel=\"{{ . }}\"{{ end }}>a</a>\n",
                after: "<a href=\"https://c.example/\" rel=\"external noopener\" target=\"_BLANK\">c</a>\n<a href=\"https://a.example/\" target=\"_blank\" {{ with .Rel }}rel=\"{{ . }}\"{{ end }}>a</a>\n",
                beside: &[("hugo.toml", "")],
            },
            Case {
                path: "e.hbs",
                engine: Engine::Handlebars,
                before: "<a href=\"https://a.example/\" target=\"_blank\" rel>a</a> <a href=\"https://b.example/\" target=\"_blank\" rel=\"{{rel}}\">b</a>\n",
                after: "<a href=\"https://a.example/\" target=\"_blank\" rel=\"noopener\">a</a> <a href=\"https://b.example/\" target=\"_blank\" rel=\"{{rel}}\">b</a>\n",
                beside: &[],
            },
            Case {
                path: "f.md",
                engine: Engine::Liquid,
                before: "---\ntitle: x\n---\nSee <a href=\"https://a.example/\" target=\"_blank\">a</a> and [b](https://b.example/).\n",
                after: "---\ntitle: x\n---\nSee <a href=\"https://a.example/\" target=\"_blank\" rel=\"noopener\">a</a> and [b](https://b.example/).\n",
                beside: &[],
            },
            Case {
                path: "g.html",
                engine: Engine::Html,
                before: "<a href=\"https://d.example/\" target=\"_blank\" rel=\"noreferrer\">d</a>\n<a href='https://e.example/' target='_blank' rel='nofollow'>e</a>\n",
                after: "<a href=\"https://d.example/\" target=\"_blank\" rel=\"noreferrer\">d</a>\n<a href='https://e.example/' target='_blank' rel='nofollow noopener'>e</a>\n",
                beside: &[],
            },
        ];
        check(&Noopener, "", CONFIG, &cases);
    }

    #[test]
    fn any_key_is_refused() {
        let e = refused(&Noopener, "rel = \"noopener\"");
        assert_eq!(e.message, "unknown key `rel`");
        assert_eq!(e.hint.as_deref(), Some("this recipe takes no keys"));
    }
}
