//! ARM templates: one per item, and `azuredeploy.json` with all of them.

use serde_json::{Value, json};

use super::Document;
use super::SchemaName;
use crate::content::api_versions::ApiVersions;
use crate::content::item::Item;
use crate::render::RenderedKql;

const DEPLOYMENT_SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// The `Microsoft.OperationalInsights/workspaces/savedSearches` resource of
/// a hunting query: category `Hunting Queries`, tags description / tactics /
/// techniques as Sentinel's hunting blade reads them.
pub fn saved_search_resource(item: &Item, kql: &RenderedKql, options: &ApiVersions) -> Value {
    json!({
        "type": "Microsoft.OperationalInsights/workspaces/savedSearches",
        "apiVersion": options.saved_searches_api_version,
        "name": format!("[concat(parameters('workspace'), '/{}')]", item.id.value),
        "properties": {
            "category": "Hunting Queries",
            "displayName": item.name.value,
            "query": kql.text,
            "version": 2,
            "tags": [
                { "name": "description", "value": item.description.trim_end() },
                { "name": "tactics", "value": item.tactics.join(",") },
                { "name": "techniques", "value": item.techniques.join(",") },
            ],
        },
    })
}

/// A deployment template around resources, with the `workspace` parameter.
pub fn template(resources: Vec<Value>) -> Value {
    json!({
        "$schema": DEPLOYMENT_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "workspace": {
                "type": "string",
                "metadata": { "description": "Name of the Log Analytics workspace Microsoft Sentinel runs on" },
            },
        },
        "resources": resources,
    })
}

/// Pretty JSON, LF, trailing newline.
pub fn to_text(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("ARM serializes");
    s.push('\n');
    s
}

pub fn hunting_document(item: &Item, kql: &RenderedKql, options: &ApiVersions) -> Document {
    let value = template(vec![saved_search_resource(item, kql, options)]);
    Document {
        path: format!("arm/hunting/{}.json", item.slug),
        text: to_text(&value),
        json: value,
        schema: SchemaName::ArmTemplate,
        origin: Some(super::Origin::of(item)),
    }
}

pub fn analytics_document(
    item: &Item,
    rule: &crate::content::rule::RuleSettings,
    kql: &RenderedKql,
    options: &ApiVersions,
) -> Document {
    let value = template(vec![super::analytics::alert_rule_resource(item, rule, kql, options)]);
    Document {
        path: format!("arm/analytics/{}.json", item.slug),
        text: to_text(&value),
        json: value,
        schema: SchemaName::ArmTemplate,
        origin: Some(super::Origin::of(item)),
    }
}

/// `arm/azuredeploy.json`: every resource of every item, ordered by content
/// id so the file does not depend on file names or walk order.
pub fn azuredeploy(mut resources: Vec<(String, Value)>) -> Document {
    resources.sort_by(|a, b| a.0.cmp(&b.0));
    let value = template(resources.into_iter().map(|(_, r)| r).collect());
    Document {
        path: "arm/azuredeploy.json".to_string(),
        text: to_text(&value),
        json: value,
        schema: SchemaName::ArmTemplate,
        origin: None,
    }
}
