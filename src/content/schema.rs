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
    /// The built-in model (see `sentinel-forge templates`), or `custom` for a query of your own.
    template: String,
    /// `custom` only: the item's query template, relative to the project (`templates/custom/<name>.kql.tera`).
    query: Option<String>,
    /// `custom` only: the timespan parameter that is how far back the query looks.
    window: Option<String>,
    /// `custom` only: the data connectors and tables the query reads (`requiredDataConnectors`).
    connectors: Option<Vec<ConnectorDecl>>,
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
    /// Analytic rules: `Informational`, `Low`, `Medium` or `High`.
    severity: Option<String>,
    /// Analytic rules: whether the deployed rule runs (default true).
    enabled: Option<bool>,
    /// Scheduled rules: `frequency`, `period`, `trigger = { operator, threshold }`, `suppression`.
    schedule: Option<serde_json::Map<String, Value>>,
    /// Analytic rules: `create` and `grouping = { enabled, matching, lookback, reopen, entities, details, custom_details }`.
    incident: Option<serde_json::Map<String, Value>>,
    /// Entity mappings: `type` and `fields = { Identifier = "Column" }` (at most 10).
    entities: Option<Vec<serde_json::Map<String, Value>>>,
    /// Analytic rules: alert custom details, `Name = "Column"`.
    custom_details: Option<serde_json::Map<String, Value>>,
    /// Analytic rules: `name_format`, `description_format`, `tactics_column`, `severity_column`, `dynamic_properties`.
    alert_details: Option<serde_json::Map<String, Value>>,
    /// Analytic rules: `SingleAlert` or `AlertPerResult`.
    event_grouping: Option<String>,
    /// Free-form tags carried into the Sentinel YAML.
    #[serde(default)]
    tags: Vec<String>,
    /// Model parameters; the allowed keys depend on `template`.
    params: Option<serde_json::Map<String, Value>>,
    tests: Option<Vec<TestCase>>,
}

/// A `[[tests]]` case (read by `content::rule_tests`).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct TestCase {
    name: String,
    /// A .jsonl, .csv or .json file, or a directory of per-table files, relative to the project.
    data: Option<String>,
    /// Inline rows per table: `AzureActivity = [{ Caller = "..." }]`.
    tables: Option<serde_json::Map<String, Value>>,
    /// ISO 8601 instant `now()` and `ago()` are evaluated at.
    now: String,
    params: Option<serde_json::Map<String, Value>>,
    env: Option<String>,
    fires: Option<bool>,
    #[schemars(range(min = 0))]
    rows: Option<u64>,
    #[schemars(range(min = 0))]
    min_rows: Option<u64>,
    #[schemars(range(min = 0))]
    max_rows: Option<u64>,
    contains: Option<Vec<serde_json::Map<String, Value>>>,
    columns: Option<Vec<String>>,
}

/// One `[[connectors]]` entry of a custom item.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ConnectorDecl {
    /// Sentinel data connector id, e.g. `AzureActivity`.
    id: String,
    /// Tables of the connector the query reads.
    #[serde(default)]
    data_types: Vec<String>,
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
    props["severity"]["enum"] = json!(super::rule::SEVERITIES);
    props["event_grouping"]["enum"] = json!(super::rule::AGGREGATION_KINDS);
    props["techniques"]["items"] = json!({"type": "string", "pattern": r"^T[0-9]{4}(\.[0-9]{3})?$"});
    let names: Vec<&str> = REGISTRY.iter().map(|m| m.info().name).collect();
    let mut template_names = names.clone();
    template_names.push(crate::content::custom::CUSTOM);
    props["template"]["enum"] = json!(template_names);
    let declaration = json!({
        "type": "object",
        "properties": {
            "type": {"enum": crate::content::custom::TYPES},
            "default": {"description": "The value this item uses (environments and `run --set` override it)."},
            "min": {}, "max": {},
            "min_items": {"type": "integer", "minimum": 0},
            "non_empty": {"type": "boolean"},
            "doc": {"type": "string"},
        },
        "required": ["type", "default"],
        "additionalProperties": false,
    });
    let custom = json!({
        "if": {"properties": {"template": {"const": crate::content::custom::CUSTOM}}, "required": ["template"]},
        "then": {
            "required": ["query"],
            "properties": {"params": {"type": "object", "additionalProperties": declaration}},
        },
        "else": {"not": {"anyOf": [{"required": ["query"]}, {"required": ["window"]}, {"required": ["connectors"]}]}},
    });
    let per_model: Vec<Value> = std::iter::once(custom)
        .chain(REGISTRY.iter().map(|m| {
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
        }))
        .collect();
    obj.insert("allOf".into(), json!(per_model));
    schema
}

// The keys of an environment file, as editors should offer them: `[workspace]` and `[auth]` are read
// by `deploy::target`, `[api_versions]` and `[overrides]` by `content::environment`; a test checks
// this schema against the bundled environment files.
/// An environment file (`content/environments/<name>.toml`): the workspace it deploys to, how it signs in,
/// the api-versions it deploys with, and per-item overrides.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(title = "sentinel-forge environment", deny_unknown_fields)]
struct EnvironmentFile {
    /// The Sentinel workspace this environment deploys to and queries.
    workspace: Option<WorkspaceTable>,
    /// api-versions of the Sentinel and Log Analytics resources this environment deploys.
    api_versions: Option<ApiVersionsTable>,
    /// How `deploy`, `diff` and `run` obtain tokens.
    auth: Option<AuthTable>,
    /// Per-item settings keyed by content id: `[overrides."<id>"]` with `params`, `severity`, `enabled`.
    overrides: Option<std::collections::BTreeMap<String, OverrideTable>>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct WorkspaceTable {
    subscription_id: String,
    resource_group: String,
    /// The Log Analytics workspace name.
    name: String,
    /// The workspace (customer) id, a GUID, for queries (`run`).
    workspace_id: Option<String>,
    /// `AzureCloud` (default), `AzureUSGovernment`, `AzureChinaCloud` or `Custom`.
    cloud: Option<String>,
    /// `cloud = "Custom"` only: the ARM endpoint.
    arm_endpoint: Option<String>,
    /// `cloud = "Custom"` only: the Log Analytics query endpoint.
    log_analytics_endpoint: Option<String>,
    /// `cloud = "Custom"` only: the Entra ID authority host.
    authority_host: Option<String>,
    /// Who owns what this environment deploys (default: the environment's name).
    owner: Option<String>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ApiVersionsTable {
    /// Scheduled analytic rules (`alertRules` of kind `Scheduled`).
    scheduled: Option<String>,
    /// Near-real-time analytic rules.
    nrt: Option<String>,
    /// Hunting queries (`savedSearches`).
    saved_searches: Option<String>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct AuthTable {
    /// `auto` (default), `cli`, `secret`, `workload`, `managed`, `github-oidc` or `token`.
    kind: Option<String>,
    /// Tenant id for `github-oidc` / `workload` when AZURE_TENANT_ID is not set.
    tenant_id: Option<String>,
    /// Client id for `github-oidc` / `workload` when AZURE_CLIENT_ID is not set.
    client_id: Option<String>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct OverrideTable {
    /// Model parameters of the item; checked against its model when the environment is loaded.
    params: Option<serde_json::Map<String, Value>>,
    /// Analytic rules: `Informational`, `Low`, `Medium` or `High`.
    severity: Option<String>,
    /// Analytic rules: whether the deployed rule runs.
    enabled: Option<bool>,
}

/// Auth kinds an environment's `[auth] kind` may name (those of `deploy --auth`).
pub const AUTH_KINDS: &[&str] = &["auto", "cli", "secret", "workload", "managed", "github-oidc", "token"];

/// The environment-file schema, pretty-printed with a trailing newline.
pub fn environment_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&environment_schema()).expect("schema serializes");
    s.push('\n');
    s
}

pub fn environment_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(EnvironmentFile)).expect("schema serializes");
    let obj = schema.as_object_mut().expect("object schema");
    obj.insert("$id".into(), json!("https://sentinel-forge.dev/schemas/environment.schema.json"));
    let defs = obj.get_mut("$defs").and_then(Value::as_object_mut).expect("definitions");
    defs["WorkspaceTable"]["properties"]["cloud"]["enum"] =
        json!(["AzureCloud", "AzureUSGovernment", "AzureChinaCloud", "Custom", null]);
    defs["AuthTable"]["properties"]["kind"]["enum"] =
        json!(AUTH_KINDS.iter().map(|k| json!(k)).chain([Value::Null]).collect::<Vec<_>>());
    defs["OverrideTable"]["properties"]["severity"]["enum"] =
        json!(super::rule::SEVERITIES.iter().map(|k| json!(k)).chain([Value::Null]).collect::<Vec<_>>());
    defs["WorkspaceTable"]["properties"]["workspace_id"]["pattern"] =
        json!(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    schema
}
