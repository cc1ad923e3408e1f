//! Stage 4: items and their KQL → Sentinel YAML and ARM documents.
//!
//! Documents are built as typed structs (YAML, field order as the
//! Azure-Sentinel repository writes it) or ordered JSON (ARM), then turned
//! into text deterministically: sorted, LF, one trailing newline.

pub mod analytics;
pub mod arm;
pub mod yaml;
pub mod yaml_writer;

use std::collections::BTreeMap;

use crate::content::api_versions::ApiVersions;
use crate::content::item::Item;
use crate::render::RenderedKql;

/// One output file: its path under the output directory and its contents,
/// plus the JSON form the schema validation sees.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: String,
    pub text: String,
    /// The JSON value validated against `schema` (YAML is validated as the
    /// JSON it deserializes to).
    pub json: serde_json::Value,
    pub schema: SchemaName,
    /// The item the document comes from, for diagnostics about it.
    pub origin: Option<Origin>,
}

/// Where a document comes from: the item's `id` in its TOML file, and the
/// rendered query when the document is the query itself.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub item_file: crate::source::FileId,
    pub id_range: crate::span::TextRange,
    pub rendered: Option<crate::source::FileId>,
}

impl Origin {
    pub fn of(item: &Item) -> Self {
        Self { item_file: item.file, id_range: item.id.range, rendered: None }
    }
}

/// Which JSON Schema under `schemas/` a document must satisfy: the emitter
/// knows what it wrote, the schema check (a later stage) compiles and applies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaName {
    HuntingQuery,
    AnalyticRule,
    ArmTemplate,
    /// Plain KQL files have no schema.
    None,
}

impl SchemaName {
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaName::HuntingQuery => "hunting-query.schema.json",
            SchemaName::AnalyticRule => "analytic-rule.schema.json",
            SchemaName::ArmTemplate => "arm-template.schema.json",
            SchemaName::None => "",
        }
    }
}

/// Every document of one item (the combined ARM template is built by
/// [`arm::azuredeploy`] once all items are done).
pub fn item_to_documents(item: &Item, kql: &RenderedKql, options: &ApiVersions) -> Vec<Document> {
    let kql_doc = Document {
        path: format!("kql/{}.kql", item.slug),
        text: kql.text.clone(),
        json: serde_json::Value::Null,
        schema: SchemaName::None,
        origin: Some(Origin { rendered: Some(kql.file), ..Origin::of(item) }),
    };
    match &item.rule {
        None => vec![kql_doc, yaml::hunting_document(item, kql), arm::hunting_document(item, kql, options)],
        Some(rule) => {
            vec![kql_doc, analytics::yaml_document(item, rule, kql), arm::analytics_document(item, rule, kql, options)]
        }
    }
}

/// The ARM resource of an item (for `azuredeploy.json` and deploy).
pub fn item_to_resource(item: &Item, kql: &RenderedKql, options: &ApiVersions) -> serde_json::Value {
    match &item.rule {
        None => arm::saved_search_resource(item, kql, options),
        Some(rule) => analytics::alert_rule_resource(item, rule, kql, options),
    }
}

/// Files keyed by path, the form the writer and `--check` use.
pub fn to_file_map(docs: &[Document]) -> BTreeMap<String, String> {
    docs.iter().map(|d| (d.path.clone(), d.text.clone())).collect()
}
