//! Sentinel YAML in the Azure-Sentinel repository format.

use serde::Serialize;

use super::Document;
use super::SchemaName;
use crate::content::item::Item;
use crate::render::RenderedKql;

/// `requiredDataConnectors` entry.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredDataConnector {
    pub connector_id: String,
    pub data_types: Vec<String>,
}

/// A hunting query, fields in the order upstream files use.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HuntingQueryYaml {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    pub required_data_connectors: Vec<RequiredDataConnector>,
    pub tactics: Vec<String>,
    pub relevant_techniques: Vec<String>,
    pub query: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entity_mappings: Vec<super::analytics::EntityMappingYaml>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The model's connectors, as YAML entries.
pub fn data_connectors(item: &Item) -> Vec<RequiredDataConnector> {
    item.model
        .info()
        .connectors
        .iter()
        .map(|c| RequiredDataConnector {
            connector_id: c.connector_id.to_string(),
            data_types: c.data_types.iter().map(|t| t.to_string()).collect(),
        })
        .collect()
}

/// Text for a YAML block scalar: exactly one trailing newline, so the
/// serializer writes `|` (not `|-`) like upstream files.
pub fn block(text: &str) -> String {
    // Only line breaks: trailing spaces on the last line are the user's text.
    let mut s = text.trim_end_matches(['\n', '\r']).to_string();
    s.push('\n');
    s
}

pub fn hunting_document(item: &Item, kql: &RenderedKql) -> Document {
    let doc = HuntingQueryYaml {
        id: item.id.value.0.clone(),
        name: item.name.value.clone(),
        description: block(&item.description),
        severity: item.hunting_severity.map(str::to_string),
        required_data_connectors: data_connectors(item),
        tactics: item.tactics.clone(),
        relevant_techniques: item.techniques.clone(),
        query: block(&kql.text),
        entity_mappings: super::analytics::entity_mappings(&item.entities),
        version: item.version.clone(),
        tags: item.tags.clone(),
    };
    Document {
        path: format!("yaml/hunting/{}.yaml", item.slug),
        text: to_yaml(&doc),
        json: serde_json::to_value(&doc).expect("yaml document serializes"),
        schema: SchemaName::HuntingQuery,
        origin: Some(super::Origin::of(item)),
    }
}

/// Serialize in the upstream layout (see [`super::yaml_writer`]).
pub fn to_yaml<T: Serialize>(value: &T) -> String {
    super::yaml_writer::to_yaml(&serde_json::to_value(value).expect("documents serialize"))
}
