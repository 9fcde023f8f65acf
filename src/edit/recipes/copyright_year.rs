//! `copyright.year`: brings a stale literal copyright year in a footer up to date, as
//! CNT-001's fix does (`© 2019` → `© 2026`; the end of a range, `2019–2024` → `2019–2026`).
//! A year that template syntax prints, a range that ends in a word or a template, and years
//! outside a footer are left alone; a year is never lowered.

use super::{ParamError, Recipe, RecipeMeta};
use super::{common, keys};
use crate::qa::finding::Fix;
use crate::qa::page::Document;
use crate::qa::rules::Settings;

static META: RecipeMeta = RecipeMeta {
    name: "copyright.year",
    summary: "Update a stale copyright year in footers (CNT-001's fix)",
    keys: &[(
        "year",
        "integer, default the current year",
        "the year to write (SITEWIDE_NOW sets the current year)",
    )],
    example: "[[steps]]\nrecipe = \"copyright.year\"\nyear = 2026\n",
};

const KEYS: &[&str] = &["year"];

pub struct CopyrightYear;

impl Recipe for CopyrightYear {
    fn meta(&self) -> &'static RecipeMeta {
        &META
    }

    fn validate(&self, params: &toml::Table) -> Result<(), ParamError> {
        keys::only(params, KEYS)?;
        match keys::integer(params, "year")? {
            Some(y) if !(1900..=2999).contains(&y) => Err(keys::error(
                "year",
                format!("{y} is not a plausible copyright year"),
                Some(
                    "write a four-digit year such as 2026, or leave `year` out for the current one"
                        .into(),
                ),
            )),
            _ => Ok(()),
        }
    }

    fn apply(&self, doc: &Document, settings: &Settings, params: &toml::Table) -> Vec<Fix> {
        let year = keys::integer(params, "year")
            .ok()
            .flatten()
            .and_then(|y| i32::try_from(y).ok())
            .unwrap_or(settings.year);
        let settings = Settings {
            config: settings.config,
            internal_hosts: settings.internal_hosts,
            site_url: settings.site_url,
            year,
            today: settings.today,
            plan: None,
            ga4: crate::qa::data::ga4::Ga4::shipped(),
            site_values: crate::qa::tagging::values::SiteValues::none(),
        };
        common::fixes_of(doc, &common::findings(doc, &settings, &["CNT-001"]))
    }
}

#[cfg(test)]
mod tests {
    use super::CopyrightYear;
    use crate::edit::recipes::testkit::{Case, check, refused};
    use crate::qa::page::Engine;

    #[test]
    fn stale_footer_years_become_the_current_year_in_every_engine() {
        let cases = [
            Case {
                path: "_includes/footer.html",
                engine: Engine::Liquid,
                before: "<footer>\n  <p>&copy; 2019 Example Inc. {{ site.title }}</p>\n</footer>\n",
                after: "<footer>\n  <p>&copy; 2026 Example Inc. {{ site.title }}</p>\n</footer>\n",
                beside: &[("_config.yml", "title: x\n")],
            },
            Case {
                path: "a.html",
                engine: Engine::Liquid,
                before: "---\ntitle: A\n---\n<p>Founded 2019.</p>\n<footer>© 2019–2024 Example</footer>\n",
                after: "---\ntitle: A\n---\n<p>Founded 2019.</p>\n<footer>© 2019–2026 Example</footer>\n",
                beside: &[("_config.yml", "title: x\n")],
            },
            Case {
                path: "templates/base.njk",
                engine: Engine::Jinja,
                before: "<footer>© {{ year }} Example</footer>{# © 2019 #}<div class=\"copyright\">Copyright 2020 Example</div>\n",
                after: "<footer>© {{ year }} Example</footer>{# © 2019 #}<div class=\"copyright\">Copyright 2026 Example</div>\n",
                beside: &[],
            },
            Case {
                path: "layouts/partials/footer.html",
                engine: Engine::Hugo,
                before: "<footer>© 2021-{{ now.Year }} Example, © 2023 Example</footer>\n",
                after: "<footer>© 2021-{{ now.Year }} Example, © 2026 Example</footer>\n",
                beside: &[("hugo.toml", "")],
            },
            Case {
                path: "partials/footer.hbs",
                engine: Engine::Handlebars,
                before: "<footer>&copy; 2024 {{site.name}}</footer>\n",
                after: "<footer>&copy; 2026 {{site.name}}</footer>\n",
                beside: &[],
            },
            Case {
                path: "f.md",
                engine: Engine::Liquid,
                before: "---\ntitle: x\n---\n© 2019 in a quote.\n\n<footer>© 2019 Example</footer>\n",
                after: "---\ntitle: x\n---\n© 2019 in a quote.\n\n<footer>© 2026 Example</footer>\n",
                beside: &[],
            },
            Case {
                path: "g.html",
                engine: Engine::Html,
                before: "<footer><p>(c) 2025 Example. <code>© 2019</code></p></footer>\n",
                after: "<footer><p>(c) 2026 Example. <code>© 2019</code></p></footer>\n",
                beside: &[],
            },
        ];
        check(&CopyrightYear, "", "", &cases);
    }

    #[test]
    fn a_given_year_is_written_and_never_lowers_one() {
        let cases = [Case {
            path: "g.html",
            engine: Engine::Html,
            before: "<footer>© 2019 A</footer><footer>© 2030 B</footer>\n",
            after: "<footer>© 2027 A</footer><footer>© 2030 B</footer>\n",
            beside: &[],
        }];
        check(&CopyrightYear, "year = 2027", "", &cases);
    }

    #[test]
    fn bad_years_are_refused() {
        let e = refused(&CopyrightYear, "yaer = 2026");
        assert_eq!(e.hint.as_deref(), Some("did you mean `year`?"));
        let e = refused(&CopyrightYear, "year = \"2026\"");
        assert_eq!(e.message, "`year` must be an integer, not a string");
        let e = refused(&CopyrightYear, "year = 26");
        assert_eq!(e.message, "26 is not a plausible copyright year");
    }
}
