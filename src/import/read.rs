//! Reading a rule or hunting query out of a JSON-shaped document. Sentinel
//! YAML and ARM `alertRules`/`AlertRuleTemplates` properties carry the same
//! settings under slightly different names (`name`/`displayName`,
//! `version`/`templateVersion`, `relevantTechniques`/`techniques` +
//! `subTechniques`) and spellings (`1h`/`PT1H`, `gt`/`GreaterThan`); one
//! reader handles both, told which [`Dialect`] it reads.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::rule::{
    ImportProblem, ImportedAlertDetails, ImportedIncident, ImportedRule, duration, guid, trigger_operator,
};
use crate::content::item::Kind;

/// Which document family the fields come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Azure-Sentinel repository YAML (also what `generate` writes).
    Yaml,
    /// The `properties` of an ARM alert rule or alert rule template.
    Arm,
}

/// An object whose keys are claimed as they are read, so the keys nobody
/// read can be reported (nothing is dropped silently).
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    used: RefCell<BTreeSet<&'a str>>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self { map, used: RefCell::new(BTreeSet::new()) }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        let (k, v) = self.map.get_key_value(key)?;
        self.used.borrow_mut().insert(k.as_str());
        // `key: ~` is the same as no key.
        (!v.is_null()).then_some(v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Mark keys as read without using them (read-only or derived fields).
    pub fn ignore(&self, keys: &[&str]) {
        for key in keys {
            let _ = self.get(key);
        }
    }

    pub fn str(&self, key: &str) -> Result<Option<String>, ImportProblem> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            // YAML writes `version: 1.0` or an id of digits unquoted.
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(wrong(key, "a string", other)),
        }
    }

    pub fn required_str(&self, key: &'static str) -> Result<String, ImportProblem> {
        self.str(key)?.ok_or(ImportProblem::Missing(key))
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, ImportProblem> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(other) => Err(wrong(key, "a boolean", other)),
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, ImportProblem> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
            Some(other) => Err(wrong(key, "an integer", other)),
        }
    }

    /// A list of strings; a single string counts as a list of one.
    pub fn strings(&self, key: &str) -> Result<Vec<String>, ImportProblem> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                // `- ` with nothing after it is an empty entry, not a value.
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(wrong(key, "a list of strings", other)),
                })
                .collect(),
            Some(other) => Err(wrong(key, "a list of strings", other)),
        }
    }

    pub fn object(&self, key: &str) -> Result<Option<&'a Map<String, Value>>, ImportProblem> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(wrong(key, "a mapping", other)),
        }
    }

    pub fn array(&self, key: &str) -> Result<&'a [Value], ImportProblem> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(wrong(key, "a list", other)),
        }
    }

    /// The first key nobody read.
    pub fn unread(&self) -> Option<String> {
        let used = self.used.borrow();
        // A key set to null says nothing (GET responses list unset fields so).
        self.map.iter().find(|(k, v)| !used.contains(k.as_str()) && !v.is_null()).map(|(k, _)| k.clone())
    }

    /// Fails on the first key nobody read, named `prefix.key`.
    pub fn finish(&self, prefix: &str) -> Result<(), ImportProblem> {
        match self.unread() {
            Some(k) if prefix.is_empty() => Err(ImportProblem::Unsupported(k)),
            Some(k) => Err(ImportProblem::Unsupported(format!("{prefix}.{k}"))),
            None => Ok(()),
        }
    }
}

fn wrong(key: &str, expected: &str, found: &Value) -> ImportProblem {
    let found = match found {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    };
    ImportProblem::BadValue { field: key.to_string(), why: format!("expected {expected}, found {found}") }
}

/// Kind names as Sentinel writes them.
pub fn kind_of(text: &str) -> Option<Kind> {
    match text.to_ascii_lowercase().as_str() {
        "scheduled" => Some(Kind::Scheduled),
        "nrt" => Some(Kind::Nrt),
        _ => None,
    }
}

/// Read the settings shared by YAML and ARM. `f` is the document (YAML) or
/// the resource's `properties` (ARM); `kind` is the resource kind when the
/// caller knows it (ARM `kind`, savedSearch).
pub fn read_rule(f: &Fields<'_>, dialect: Dialect, kind: Option<Kind>) -> Result<ImportedRule, ImportProblem> {
    let (name_key, version_key) = match dialect {
        Dialect::Yaml => ("name", "version"),
        Dialect::Arm => ("displayName", "templateVersion"),
    };
    let mut r = ImportedRule {
        name: f.required_str(name_key)?,
        description: f.str("description")?.unwrap_or_default(),
        query: f.required_str("query")?,
        severity: f.str("severity")?,
        enabled: f.bool("enabled")?,
        version: f.str(version_key)?,
        tactics: f.strings("tactics")?,
        tags: f.strings("tags")?,
        ..ImportedRule::default()
    };
    if dialect == Dialect::Yaml {
        r.id = guid("id", &f.required_str("id")?)?;
        let relevant = f.strings("relevantTechniques")?;
        let legacy = f.strings("techniques")?;
        r.techniques = match (relevant.is_empty(), legacy.is_empty()) {
            (_, true) => relevant,
            (true, false) => legacy,
            (false, false) if relevant == legacy => relevant,
            _ => return Err(ImportProblem::Unsupported("techniques (differs from relevantTechniques)".into())),
        };
    } else {
        let mut techniques = f.strings("techniques")?;
        for sub in f.strings("subTechniques")? {
            // A sub-technique stands for its parent too.
            techniques.retain(|t| !sub.starts_with(&format!("{t}.")));
            techniques.push(sub);
        }
        r.techniques = techniques;
    }
    let explicit_kind = match f.str("kind")? {
        Some(k) => Some(kind_of(&k).ok_or_else(|| ImportProblem::BadValue {
            field: "kind".into(),
            why: format!("`{k}` is not Scheduled or NRT"),
        })?),
        None => None,
    };
    let scheduled_fields = ["queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"];
    r.kind = explicit_kind.or(kind).or_else(|| {
        // Upstream rules often omit `kind`; their schedule says what they are.
        if scheduled_fields.iter().any(|k| f.has(k)) { Some(Kind::Scheduled) } else { Some(Kind::Hunting) }
    });
    for c in f.array("requiredDataConnectors")? {
        let Value::Object(m) = c else {
            return Err(ImportProblem::BadValue {
                field: "requiredDataConnectors".into(),
                why: "not a mapping".into(),
            });
        };
        let cf = Fields::new(m);
        let id = cf.required_str("connectorId")?;
        let types = cf.strings("dataTypes")?;
        cf.finish("requiredDataConnectors")?;
        r.connectors.push((id, types));
    }
    if let Some(t) = f.str("queryFrequency")? {
        r.frequency = Some(duration("queryFrequency", &t)?);
    }
    if let Some(t) = f.str("queryPeriod")? {
        r.period = Some(duration("queryPeriod", &t)?);
    }
    let operator = f.str("triggerOperator")?;
    let threshold = f.int("triggerThreshold")?;
    if operator.is_some() || threshold.is_some() {
        let op = match operator {
            Some(o) => trigger_operator(&o)
                .ok_or_else(|| ImportProblem::BadValue { field: "triggerOperator".into(), why: format!("`{o}`") })?,
            None => "gt",
        };
        r.trigger = Some((op.to_string(), threshold.unwrap_or(0)));
    }
    let suppression_on = f.bool("suppressionEnabled")?;
    let suppression_for = f.str("suppressionDuration")?;
    if suppression_on == Some(true) {
        let text = suppression_for.ok_or(ImportProblem::Missing("suppressionDuration"))?;
        r.suppression = Some(duration("suppressionDuration", &text)?);
    }
    for m in f.array("entityMappings")? {
        let Value::Object(m) = m else {
            return Err(ImportProblem::BadValue { field: "entityMappings".into(), why: "not a mapping".into() });
        };
        let ef = Fields::new(m);
        let ty = ef.required_str("entityType")?;
        let mut fields = Vec::new();
        for fm in ef.array("fieldMappings")? {
            let Value::Object(fm) = fm else {
                return Err(ImportProblem::BadValue { field: "fieldMappings".into(), why: "not a mapping".into() });
            };
            let ff = Fields::new(fm);
            fields.push((ff.required_str("identifier")?, ff.required_str("columnName")?));
            ff.finish("entityMappings.fieldMappings")?;
        }
        ef.finish("entityMappings")?;
        r.entities.push((ty, fields));
    }
    if let Some(details) = f.object("customDetails")? {
        for (k, v) in details {
            let Value::String(column) = v else {
                return Err(ImportProblem::BadValue {
                    field: format!("customDetails.{k}"),
                    why: "not a column".into(),
                });
            };
            r.custom_details.push((k.clone(), column.clone()));
        }
    }
    if let Some(o) = f.object("alertDetailsOverride")? {
        let of = Fields::new(o);
        let mut a = ImportedAlertDetails {
            name_format: of.str("alertDisplayNameFormat")?,
            description_format: of.str("alertDescriptionFormat")?,
            tactics_column: of.str("alertTacticsColumnName")?,
            severity_column: of.str("alertSeverityColumnName")?,
            dynamic_properties: Vec::new(),
        };
        for p in of.array("alertDynamicProperties")? {
            let Value::Object(p) = p else {
                return Err(ImportProblem::BadValue {
                    field: "alertDynamicProperties".into(),
                    why: "not a mapping".into(),
                });
            };
            let pf = Fields::new(p);
            a.dynamic_properties.push((pf.required_str("alertProperty")?, pf.required_str("value")?));
            pf.finish("alertDetailsOverride.alertDynamicProperties")?;
        }
        of.finish("alertDetailsOverride")?;
        // Empty strings are what the portal writes for "not set".
        for v in [&mut a.name_format, &mut a.description_format, &mut a.tactics_column, &mut a.severity_column] {
            if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
                *v = None;
            }
        }
        if !a.is_empty() {
            r.alert_details = Some(a);
        }
    }
    if let Some(g) = f.object("eventGroupingSettings")? {
        let gf = Fields::new(g);
        r.event_grouping = gf.str("aggregationKind")?;
        gf.finish("eventGroupingSettings")?;
    }
    if let Some(i) = f.object("incidentConfiguration")? {
        let inf = Fields::new(i);
        let create = inf.bool("createIncident")?.unwrap_or(true);
        let mut incident = ImportedIncident {
            create,
            grouping_enabled: false,
            reopen: false,
            lookback: None,
            matching: None,
            entities: Vec::new(),
            details: Vec::new(),
            custom_details: Vec::new(),
        };
        if let Some(g) = inf.object("groupingConfiguration")? {
            let gf = Fields::new(g);
            incident.grouping_enabled = gf.bool("enabled")?.unwrap_or(false);
            incident.reopen = gf.bool("reopenClosedIncident")?.unwrap_or(false);
            if let Some(t) = gf.str("lookbackDuration")? {
                incident.lookback = Some(duration("lookbackDuration", &t)?);
            }
            incident.matching = gf.str("matchingMethod")?;
            incident.entities = gf.strings("groupByEntities")?;
            incident.details = gf.strings("groupByAlertDetails")?;
            incident.custom_details = gf.strings("groupByCustomDetails")?;
            gf.finish("incidentConfiguration.groupingConfiguration")?;
        }
        inf.finish("incidentConfiguration")?;
        r.incident = Some(incident);
    }
    if r.kind == Some(Kind::Hunting) && f.has("enabled") {
        return Err(ImportProblem::Unsupported("enabled (hunting queries have none)".into()));
    }
    Ok(r)
}
