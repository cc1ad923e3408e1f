//! Analytic rules (Scheduled and NRT): Azure-Sentinel YAML and ARM
//! `alertRules` resources.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::SchemaName;
use super::yaml::{RequiredDataConnector, block, data_connectors};
use super::{Document, Origin};
use crate::content::api_versions::ApiVersions;
use crate::content::item::{Item, Kind};
use crate::content::rule::{EntityMapping, RuleSettings};
use crate::render::RenderedKql;
use crate::timespan::Timespan;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMappingYaml {
    pub identifier: String,
    pub column_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityMappingYaml {
    pub entity_type: String,
    pub field_mappings: Vec<FieldMappingYaml>,
}

pub fn entity_mappings(mappings: &[EntityMapping]) -> Vec<EntityMappingYaml> {
    mappings
        .iter()
        .map(|m| EntityMappingYaml {
            entity_type: m.entity_type.clone(),
            field_mappings: m
                .fields
                .iter()
                .map(|(i, c)| FieldMappingYaml { identifier: i.clone(), column_name: c.clone() })
                .collect(),
        })
        .collect()
}

/// An analytic rule in upstream field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticRuleYaml {
    pub id: String,
    pub name: String,
    pub description: String,
    pub severity: String,
    pub required_data_connectors: Vec<RequiredDataConnector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_frequency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_operator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_threshold: Option<i64>,
    pub tactics: Vec<String>,
    pub relevant_techniques: Vec<String>,
    pub query: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entity_mappings: Vec<EntityMappingYaml>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub custom_details: Map<String, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub alert_details_override: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_grouping_settings: Option<Value>,
    /// Written when the content sets `[incident]` (absent means Sentinel's defaults).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub kind: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Nrt => "NRT",
        _ => "Scheduled",
    }
}

fn custom_details(rule: &RuleSettings) -> Map<String, Value> {
    rule.custom_details.iter().map(|(k, v)| (k.clone(), json!(v))).collect()
}

fn alert_details_override(rule: &RuleSettings) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(a) = &rule.alert_details {
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        };
        put("alertDisplayNameFormat", &a.name_format);
        put("alertDescriptionFormat", &a.description_format);
        put("alertTacticsColumnName", &a.tactics_column);
        put("alertSeverityColumnName", &a.severity_column);
        if !a.dynamic_properties.is_empty() {
            let props: Vec<Value> =
                a.dynamic_properties.iter().map(|(p, c)| json!({"alertProperty": p, "value": c})).collect();
            m.insert("alertDynamicProperties".into(), json!(props));
        }
    }
    m
}

/// `incidentConfiguration`; YAML and ARM differ only in how the lookback is written.
fn incident_configuration(rule: &RuleSettings, duration: impl Fn(Timespan) -> String) -> Value {
    let g = &rule.incident.grouping;
    json!({
        "createIncident": rule.incident.create,
        "groupingConfiguration": {
            "enabled": g.enabled,
            "reopenClosedIncident": g.reopen,
            "lookbackDuration": duration(g.lookback),
            "matchingMethod": g.matching,
            "groupByEntities": g.entities,
            "groupByAlertDetails": g.details,
            "groupByCustomDetails": g.custom_details,
        },
    })
}

pub fn yaml_document(item: &Item, rule: &RuleSettings, kql: &RenderedKql) -> Document {
    let schedule = rule.schedule.as_ref();
    let doc = AnalyticRuleYaml {
        id: item.id.value.0.clone(),
        name: item.name.value.clone(),
        description: block(&item.description),
        severity: rule.severity.to_string(),
        required_data_connectors: data_connectors(item),
        query_frequency: schedule.map(|s| s.frequency.to_string()),
        query_period: schedule.map(|s| s.period.to_string()),
        trigger_operator: schedule.map(|s| s.trigger_operator.to_string()),
        trigger_threshold: schedule.map(|s| s.trigger_threshold),
        tactics: item.tactics.clone(),
        relevant_techniques: item.techniques.clone(),
        query: block(&kql.text),
        entity_mappings: entity_mappings(&item.entities),
        custom_details: custom_details(rule),
        alert_details_override: alert_details_override(rule),
        event_grouping_settings: rule.event_grouping.map(|k| json!({"aggregationKind": k})),
        incident_configuration: rule.incident_written.then(|| incident_configuration(rule, |t| t.to_string())),
        version: item.version.clone(),
        kind: kind_name(item.kind).to_string(),
        tags: item.tags.clone(),
    };
    Document {
        path: format!("yaml/analytics/{}.yaml", item.slug),
        text: super::yaml::to_yaml(&doc),
        json: serde_json::to_value(&doc).expect("yaml document serializes"),
        schema: SchemaName::AnalyticRule,
        origin: Some(Origin::of(item)),
    }
}

/// `gt` → `GreaterThan`, as the REST API spells trigger operators.
fn trigger_operator(op: &str) -> &'static str {
    match op {
        "lt" => "LessThan",
        "eq" => "Equal",
        "ne" => "NotEqual",
        _ => "GreaterThan",
    }
}

/// The api-version of a rule kind: NRT rules exist only in preview versions.
pub fn api_version(kind: Kind, options: &ApiVersions) -> &str {
    match kind {
        Kind::Nrt => &options.nrt_api_version,
        _ => &options.scheduled_api_version,
    }
}

/// The `properties` of an alertRules resource: every setting of the
/// content, with ISO 8601 durations and REST spellings.
pub fn alert_rule_properties(item: &Item, rule: &RuleSettings, kql: &RenderedKql, api_version: &str) -> Value {
    let mut p = Map::new();
    p.insert("displayName".into(), json!(item.name.value));
    p.insert("description".into(), json!(item.description.trim_end()));
    p.insert("severity".into(), json!(rule.severity));
    p.insert("enabled".into(), json!(rule.enabled));
    p.insert("query".into(), json!(kql.text));
    if let Some(s) = &rule.schedule {
        p.insert("queryFrequency".into(), json!(s.frequency.iso8601()));
        p.insert("queryPeriod".into(), json!(s.period.iso8601()));
        p.insert("triggerOperator".into(), json!(trigger_operator(s.trigger_operator)));
        p.insert("triggerThreshold".into(), json!(s.trigger_threshold));
    }
    let suppression = rule.schedule.as_ref().and_then(|s| s.suppression);
    p.insert("suppressionEnabled".into(), json!(suppression.is_some()));
    p.insert("suppressionDuration".into(), json!(suppression.map_or("PT1H".to_string(), |s| s.iso8601())));
    p.insert("tactics".into(), json!(item.tactics));
    let mut parents: Vec<String> = item.techniques.iter().map(|t| t[..5].to_string()).collect();
    parents.dedup();
    p.insert("techniques".into(), json!(parents));
    // `subTechniques` exists in preview api-versions only.
    if api_version.ends_with("-preview") {
        let subs: Vec<&String> = item.techniques.iter().filter(|t| t.contains('.')).collect();
        p.insert("subTechniques".into(), json!(subs));
    }
    p.insert("incidentConfiguration".into(), incident_configuration(rule, |t| t.iso8601()));
    if let Some(k) = rule.event_grouping {
        p.insert("eventGroupingSettings".into(), json!({"aggregationKind": k}));
    }
    if !item.entities.is_empty() {
        p.insert("entityMappings".into(), serde_json::to_value(entity_mappings(&item.entities)).expect("serializes"));
    }
    let details = custom_details(rule);
    if !details.is_empty() {
        p.insert("customDetails".into(), Value::Object(details));
    }
    let overrides = alert_details_override(rule);
    if !overrides.is_empty() {
        p.insert("alertDetailsOverride".into(), Value::Object(overrides));
    }
    p.insert("templateVersion".into(), json!(item.version()));
    Value::Object(p)
}

pub fn alert_rule_resource(item: &Item, rule: &RuleSettings, kql: &RenderedKql, options: &ApiVersions) -> Value {
    let api_version = api_version(item.kind, options);
    json!({
        "type": "Microsoft.OperationalInsights/workspaces/providers/alertRules",
        "apiVersion": api_version,
        "name": format!("[concat(parameters('workspace'), '/Microsoft.SecurityInsights/{}')]", item.id.value),
        "kind": kind_name(item.kind),
        "properties": alert_rule_properties(item, rule, kql, api_version),
    })
}
