//! JSON Schema of content TOML files (what `schema` prints), generated from
//! the Rust types: the file layout from [`ContentFile`] via `schemars`, and
//! each model's `[params]` from its parameter table.

use schemars::JsonSchema;
use serde_json::{Value, json};

use super::item::{Kind, TACTICS};
use crate::models::REGISTRY;

/// The keys of a content file, as editors should offer them.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(title = "sentinel-forge content item", deny_unknown_fields)]
struct ContentFile {
    /// Lower-case GUID identifying the item forever; never change it once deployed.
    #[schemars(regex(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))]
    id: String,
    /// Display name in Sentinel (1..256 ASCII characters).
    #[schemars(length(min = 1, max = 256))]
    name: String,
    /// What Sentinel document the item becomes.
    kind: Kind,
    /// The built-in model (see `sentinel-forge templates`).
    template: String,
    /// What the query finds and why it matters (1..5000 ASCII characters).
    #[schemars(length(min = 1, max = 5000))]
    description: String,
    /// MITRE ATT&CK tactics.
    #[serde(default)]
    tactics: Vec<String>,
    /// MITRE ATT&CK technique ids (`T####` or `T####.###`).
    #[serde(default)]
    techniques: Vec<String>,
    /// MAJOR.MINOR.PATCH; bump it when the query changes.
    #[schemars(regex(pattern = r"^[0-9]+\.[0-9]+\.[0-9]+$"))]
    version: Option<String>,
    /// Model parameters; the allowed keys depend on `template`.
    params: Option<serde_json::Map<String, Value>>,
}

/// The full schema, pretty-printed with a trailing newline.
pub fn content_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&content_schema()).expect("schema serializes");
    s.push('\n');
    s
}

pub fn content_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(ContentFile)).expect("schema serializes");
    let obj = schema.as_object_mut().expect("object schema");
    obj.insert("$id".into(), json!("https://sentinel-forge.dev/schemas/content.schema.json"));
    let props = obj.get_mut("properties").and_then(Value::as_object_mut).expect("properties");
    props["tactics"] = json!({"type": "array", "items": {"enum": TACTICS}, "description": "MITRE ATT&CK tactics."});
    props["techniques"]["items"] = json!({"type": "string", "pattern": r"^T[0-9]{4}(\.[0-9]{3})?$"});
    let names: Vec<&str> = REGISTRY.iter().map(|m| m.info().name).collect();
    props["template"]["enum"] = json!(names);
    let per_model: Vec<Value> = REGISTRY
        .iter()
        .map(|m| {
            let info = m.info();
            let params: serde_json::Map<String, Value> =
                info.params.iter().map(|p| (p.name.to_string(), p.json_schema())).collect();
            let required: Vec<&str> =
                info.params.iter().filter(|p| p.default_value().is_none()).map(|p| p.name).collect();
            json!({
                "if": {"properties": {"template": {"const": info.name}}, "required": ["template"]},
                "then": {"properties": {"params": {
                    "type": "object",
                    "properties": params,
                    "required": required,
                    "additionalProperties": false,
                }}},
            })
        })
        .collect();
    obj.insert("allOf".into(), json!(per_model));
    schema
}
