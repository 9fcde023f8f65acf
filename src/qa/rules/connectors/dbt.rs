//! dbt source declarations (`sources:` in any YAML file): each source with its tables,
//! their declared columns, freshness and `loaded_at_field`, with spans. Shared by CON-003
//! (columns) and CON-005 (freshness).

use super::files::{File, Files, Kind};
use super::node::Node;
use crate::qa::source::Span;

/// One `sources:` entry.
pub struct Source<'a> {
    pub file: &'a File,
    pub node: &'a Node,
    pub name: String,
    pub name_span: Span,
    /// `schema`, else the source's name (dbt's default).
    pub schema: String,
    pub tables: Vec<Table<'a>>,
}

pub struct Table<'a> {
    pub node: &'a Node,
    pub name: String,
    pub name_span: Span,
    /// `identifier`, else the name: the table's name in the warehouse.
    pub identifier: String,
    /// Declared column names, lowercase (empty when none are declared).
    pub columns: Vec<String>,
}

/// Every dbt source of the repository.
pub fn sources(files: &Files) -> Vec<Source<'_>> {
    let mut out = Vec::new();
    for file in files.of_kind(&[Kind::Config]) {
        let Some(list) = file.tree.as_ref().and_then(|t| t.get("sources")) else {
            continue;
        };
        for node in list.items() {
            let Some(name) = node.get("name") else {
                continue;
            };
            let name_str = name.str().unwrap_or_default().to_string();
            let schema = node
                .get("schema")
                .and_then(Node::str)
                .unwrap_or(&name_str)
                .to_string();
            let tables = node
                .get("tables")
                .map(|t| t.items().iter().filter_map(table).collect())
                .unwrap_or_default();
            out.push(Source {
                file,
                node,
                name_span: name.span(),
                name: name_str,
                schema,
                tables,
            });
        }
    }
    out
}

fn table(node: &Node) -> Option<Table<'_>> {
    let name = node.get("name")?;
    let name_str = name.str()?.to_string();
    let identifier = node
        .get("identifier")
        .and_then(Node::str)
        .unwrap_or(&name_str)
        .to_string();
    let columns = node
        .get("columns")
        .map(|c| {
            c.items()
                .iter()
                .filter_map(|col| col.get("name").and_then(Node::str))
                .map(|n| n.trim_matches(['"', '`']).to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    Some(Table {
        node,
        name_span: name.span(),
        name: name_str,
        identifier,
        columns,
    })
}

/// A setting of a source or table: at its top level or under `config:` (dbt 1.9+).
pub fn setting<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key)
        .or_else(|| node.get("config").and_then(|c| c.get(key)))
}
