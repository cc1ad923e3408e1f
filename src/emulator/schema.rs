//! Request-body validation against the official OpenAPI definitions
//! (`schemas/azure-rest/`, embedded).
//!
//! OpenAPI 2.0 definitions are (almost) JSON Schema draft 4. The files are
//! merged into one `definitions` map with a prefix per file; `$ref`s between
//! the saved files are rewritten to those names, and `$ref`s into the
//! `common-types` files that were not saved become `{}` (accept anything:
//! they only define read-only ARM envelope fields). Polymorphic alert rules
//! are validated against the definition whose `x-ms-discriminator-value` is
//! the body's `kind` and which derives from `AlertRule`.

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{Map, Value, json};

const STABLE: &str = include_str!("../../schemas/azure-rest/securityinsights-stable-2025-12-01-AlertRules.json");
const PREVIEW: &str =
    include_str!("../../schemas/azure-rest/securityinsights-preview-2025-07-01-preview-AlertRules.json");
const ALERT_TYPES: &str =
    include_str!("../../schemas/azure-rest/securityinsights-stable-2025-12-01-common-AlertTypes.json");
const COMMON: &str = include_str!("../../schemas/azure-rest/securityinsights-common-2.0-types.json");
const SAVED_SEARCHES: &str =
    include_str!("../../schemas/azure-rest/operationalinsights-stable-2025-02-01-SavedSearches.json");
const LOG_ANALYTICS: &str = include_str!("../../schemas/azure-rest/loganalytics-dataplane-v1-OperationalInsights.json");

/// Which alertRules API a body is validated with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertRulesApi {
    Stable,
    Preview,
}

struct Bundle {
    definitions: Map<String, Value>,
}

fn bundle() -> &'static Bundle {
    static BUNDLE: OnceLock<Bundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let mut definitions = Map::new();
        for (prefix, text) in [
            ("stable", STABLE),
            ("preview", PREVIEW),
            ("types", ALERT_TYPES),
            ("common", COMMON),
            ("ss", SAVED_SEARCHES),
            ("la", LOG_ANALYTICS),
        ] {
            let doc: Value = serde_json::from_str(text).expect("embedded OpenAPI file is JSON");
            for (name, def) in doc["definitions"].as_object().expect("definitions") {
                definitions.insert(format!("{prefix}__{name}"), rewrite(prefix, def));
            }
        }
        Bundle { definitions }
    })
}

/// Rewrite `$ref`s of a definition from file `prefix`.
fn rewrite(prefix: &str, v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                let (file, pointer) = r.split_once('#').unwrap_or((r.as_str(), ""));
                let name = pointer.strip_prefix("/definitions/").unwrap_or("");
                let target = if file.is_empty() {
                    Some(prefix)
                } else if file.ends_with("common/AlertTypes.json") {
                    Some("types")
                } else if file.ends_with("common/2.0/types.json") {
                    Some("common")
                } else {
                    None // common-types (not saved): stub
                };
                let mut out = Map::new();
                if let (Some(t), false) = (target, name.is_empty()) {
                    out.insert("$ref".into(), json!(format!("#/definitions/{t}__{name}")));
                }
                return Value::Object(out);
            }
            Value::Object(m.iter().map(|(k, x)| (k.clone(), rewrite(prefix, x))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| rewrite(prefix, x)).collect()),
        other => other.clone(),
    }
}

fn compile(definition: &str) -> Validator {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "allOf": [{"$ref": format!("#/definitions/{definition}")}],
        "definitions": bundle().definitions,
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap_or_else(|e| panic!("OpenAPI definition {definition} compiles: {e}"))
}

/// The alert rule definition for `kind` in an API file, if the kind exists there.
fn alert_rule_definition(api: AlertRulesApi, kind: &str) -> Option<String> {
    let prefix = match api {
        AlertRulesApi::Stable => "stable",
        AlertRulesApi::Preview => "preview",
    };
    let base = format!("#/definitions/{prefix}__AlertRule");
    bundle().definitions.iter().find_map(|(name, def)| {
        let derives = def["allOf"].as_array().is_some_and(|a| a.iter().any(|x| x["$ref"] == base.as_str()));
        (name.starts_with(&format!("{prefix}__")) && derives && def["x-ms-discriminator-value"] == kind)
            .then(|| name.clone())
    })
}

fn cached(key: String) -> &'static Validator {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static CACHE: OnceLock<Mutex<HashMap<String, &'static Validator>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().expect("schema cache").get(&key) {
        return v;
    }
    let v: &'static Validator = Box::leak(Box::new(compile(&key)));
    cache.lock().expect("schema cache").insert(key, v);
    v
}

/// The api-versions the bundled OpenAPI files define for a resource type
/// (the emulator serves exactly these).
pub fn api_versions(rtype: crate::deploy::resource::ResourceType) -> Vec<&'static str> {
    static VERSIONS: OnceLock<[Vec<&'static str>; 2]> = OnceLock::new();
    let [alert_rules, saved_searches] = VERSIONS.get_or_init(|| {
        let version = |text: &str| -> &'static str {
            let doc: Value = serde_json::from_str(text).expect("embedded OpenAPI file is JSON");
            Box::leak(doc["info"]["version"].as_str().expect("info.version").to_string().into_boxed_str())
        };
        [vec![version(STABLE), version(PREVIEW)], vec![version(SAVED_SEARCHES)]]
    });
    match rtype {
        crate::deploy::resource::ResourceType::AlertRule => alert_rules.clone(),
        crate::deploy::resource::ResourceType::SavedSearch => saved_searches.clone(),
    }
}

/// The definition of the `properties` object of a resource body: an alert
/// rule of `kind` at `api`, or a saved search (`kind` `None`).
fn properties_definition(api: AlertRulesApi, kind: Option<&str>) -> Option<&'static Value> {
    let def = match kind {
        Some(k) => alert_rule_definition(api, k)?,
        None => "ss__SavedSearch".to_string(),
    };
    known_properties(&bundle().definitions[&def]).remove("properties")
}

/// A `$ref` into the bundle followed (to the end of a chain).
fn resolve(v: &Value) -> &Value {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/definitions/")) {
        Some(name) => bundle().definitions.get(name).map_or(v, resolve),
        None => v,
    }
}

/// The properties a definition declares, its `allOf` parents' included,
/// each definition resolved.
fn known_properties(def: &Value) -> std::collections::BTreeMap<&str, &Value> {
    fn collect<'a>(def: &'a Value, out: &mut std::collections::BTreeMap<&'a str, &'a Value>) {
        let def = resolve(def);
        if let Some(props) = def.get("properties").and_then(Value::as_object) {
            out.extend(props.iter().map(|(k, v)| (k.as_str(), resolve(v))));
        }
        for parent in def.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            collect(parent, out);
        }
    }
    let mut out = std::collections::BTreeMap::new();
    collect(def, &mut out);
    out
}

/// Drop, as ARM does, the properties of `value` that the definition does
/// not declare (objects with declared properties only; maps and free-form
/// objects are kept whole). Pushes the JSON pointers of what was dropped.
fn strip_unknown(def: &Value, value: &mut Value, path: &str, dropped: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            let known = known_properties(def);
            if known.is_empty() {
                return;
            }
            m.retain(|k, _| {
                let keep = known.contains_key(k.as_str());
                if !keep {
                    dropped.push(format!("{path}/{k}"));
                }
                keep
            });
            for (k, v) in m.iter_mut() {
                strip_unknown(known[k.as_str()], v, &format!("{path}/{k}"), dropped);
            }
        }
        Value::Array(items) => {
            if let Some(item_def) = resolve(def).get("items") {
                for (i, v) in items.iter_mut().enumerate() {
                    strip_unknown(item_def, v, &format!("{path}/{i}"), dropped);
                }
            }
        }
        _ => {}
    }
}

/// Remove the properties of `body.properties` unknown to the definition of
/// its type at `api` (alert rules: by `kind`); the dropped pointers.
pub fn drop_unknown_properties(api: AlertRulesApi, kind: Option<&str>, body: &mut Value) -> Vec<String> {
    let mut dropped = Vec::new();
    if let (Some(def), Some(props)) = (properties_definition(api, kind), body.get_mut("properties")) {
        strip_unknown(def, props, "/properties", &mut dropped);
    }
    dropped
}

/// Whether the `properties` of a resource type at `api` declare `name`.
pub fn declares(api: AlertRulesApi, kind: Option<&str>, name: &str) -> bool {
    properties_definition(api, kind).is_some_and(|d| known_properties(d).contains_key(name))
}

/// Errors of an alertRules PUT body (empty when valid).
pub fn validate_alert_rule(api: AlertRulesApi, body: &Value) -> Vec<String> {
    let Some(kind) = body.get("kind").and_then(Value::as_str) else {
        return vec!["/kind: required property is missing".into()];
    };
    let Some(def) = alert_rule_definition(api, kind) else {
        return vec![format!("/kind: `{kind}` is not an alert rule kind of this api-version")];
    };
    errors(cached(def), body)
}

/// Errors of a savedSearches PUT body.
pub fn validate_saved_search(body: &Value) -> Vec<String> {
    errors(cached("ss__SavedSearch".into()), body)
}

/// Errors of a Log Analytics query body (`QueryBody`).
pub fn validate_query_body(body: &Value) -> Vec<String> {
    errors(cached("la__queryBody".into()), body)
}

fn errors(v: &Validator, body: &Value) -> Vec<String> {
    v.iter_errors(body)
        .take(10)
        .map(|e| {
            let path = e.instance_path.to_string();
            let text = e.to_string();
            let text: String = text.chars().take(300).collect();
            format!("{}: {text}", if path.is_empty() { "/" } else { &path })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_examples_validate_and_broken_bodies_do_not() {
        for (api, text) in [
            (
                AlertRulesApi::Stable,
                include_str!(
                    "../../schemas/azure-rest/securityinsights-example-2025-12-01-CreateScheduledAlertRule.json"
                ),
            ),
            (
                AlertRulesApi::Preview,
                include_str!(
                    "../../schemas/azure-rest/securityinsights-example-2025-07-01-preview-CreateNrtAlertRule.json"
                ),
            ),
        ] {
            let ex: Value = serde_json::from_str(text).unwrap();
            let body = ex.pointer("/parameters/alertRule").expect("example has a body");
            assert_eq!(validate_alert_rule(api, body), Vec::<String>::new());
        }
        let good = json!({"kind": "NRT", "properties": {"displayName": "x", "enabled": true, "severity": "High",
            "query": "T", "suppressionEnabled": false, "suppressionDuration": "PT1H"}});
        assert!(validate_alert_rule(AlertRulesApi::Preview, &good).is_empty());
        assert!(!validate_alert_rule(AlertRulesApi::Stable, &good).is_empty(), "NRT is preview-only");
        let bad = json!({"kind": "Scheduled", "properties": {"displayName": "x"}});
        assert!(!validate_alert_rule(AlertRulesApi::Stable, &bad).is_empty());
        let ss = json!({"properties": {"category": "Hunting Queries", "displayName": "d", "query": "q",
            "tags": [{"name": "a", "value": "b"}]}});
        assert!(validate_saved_search(&ss).is_empty());
        assert!(!validate_saved_search(&json!({"properties": {"category": "c"}})).is_empty());
        assert!(
            validate_query_body(&json!({"query": "T | take 1", "timespan": "P1D", "workspaces": ["w"]})).is_empty()
        );
        assert!(!validate_query_body(&json!({"timespan": "P1D"})).is_empty(), "query is required");
        assert!(!validate_query_body(&json!({"query": "T", "workspaces": "w"})).is_empty());
    }
}
