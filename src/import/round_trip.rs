//! The proof that `import` loses nothing: import a Sentinel YAML file,
//! generate it back with the real pipeline, and compare the two field by
//! field.
//!
//! The comparison reads both documents the way Sentinel does, so spellings
//! that mean the same compare equal:
//! - durations by length (`PT1H` = `1h` = `60m`), trigger operators by
//!   meaning (`GreaterThan` = `gt`), ids case-insensitively;
//! - texts (`description`, `query`) with trailing spaces of each line and
//!   blank lines at the ends ignored (YAML block scalars do not keep them
//!   reliably); whether the query text is byte-identical is reported too;
//! - an absent list or mapping equals an empty one; `kind` absent on a rule
//!   with a schedule is `Scheduled`; the legacy `techniques` key is
//!   `relevantTechniques`; unset `incidentConfiguration` fields take
//!   Sentinel's defaults; empty `alertDetailsOverride` values are unset;
//! - `enabled` and suppression, which the Azure-Sentinel YAML format does
//!   not carry, are compared with the generated ARM rule (absent `enabled`
//!   is true; a disabled suppression's duration has no effect).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::{Existing, Source, plan, sources, write_planned};
use crate::content::api_versions::ApiVersions;
use crate::pipeline::{Environments, ProjectPaths, compile_with};
use crate::timespan::Timespan;

/// What came of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every field is equivalent; `exact_query`: the query text is also
    /// byte-identical (up to the final newline).
    Equivalent { exact_query: bool },
    /// `import` declined the file, with the reason it gives users.
    NotImported(String),
    /// The imported content does not generate (the first diagnostic).
    NotGenerated(String),
    /// Generated, but a field differs (the first one, with both values).
    Different(String),
}

/// Round-trip one YAML text, using `work` as a scratch project directory.
pub fn round_trip_yaml(text: &str, work: &Path) -> Verdict {
    // The import reads (and screens) the text first; the original is parsed only once it passed.
    let source = Source { origin: "input".into(), result: sources::from_yaml_text(text) };
    let original: Value = match serde_norway::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)) {
        Ok(v) => v,
        Err(e) => return Verdict::NotImported(format!("cannot be read: YAML: {e}")),
    };
    let (planned, skipped) = plan(vec![source], &Existing::default(), false);
    if let Some(s) = skipped.first() {
        return Verdict::NotImported(s.reason.clone());
    }
    let Some(item) = planned.first() else { return Verdict::NotImported("nothing to import".into()) };
    let paths = ProjectPaths { content: work.join("content"), templates: work.join("templates") };
    let _ = std::fs::remove_dir_all(work);
    if let Err(e) = write_planned(&planned, &paths.content, &paths.templates) {
        return Verdict::NotGenerated(format!("writing the project: {e}"));
    }
    let compiled = match compile_with(&paths, &ApiVersions::default(), Environments::None) {
        Ok(c) => c,
        Err(e) => return Verdict::NotGenerated(e.to_string()),
    };
    if let Some(d) = compiled.diagnostics.iter().find(|d| d.severity == crate::diag::Severity::Error) {
        return Verdict::NotGenerated(format!("{} {}", d.code.id, d.message));
    }
    let folder = if item.content_file.starts_with("hunting") { "hunting" } else { "analytics" };
    let find = |path: String| compiled.documents.iter().find(|d| d.path == path).map(|d| &d.json);
    let Some(generated) = find(format!("yaml/{folder}/{}.yaml", item.slug)) else {
        return Verdict::NotGenerated("no YAML document was generated".into());
    };
    let arm = find(format!("arm/{folder}/{}.json", item.slug)).and_then(|a| a.pointer("/resources/0/properties"));
    let (Some(original), Some(generated)) = (original.as_object(), generated.as_object()) else {
        return Verdict::NotImported("the document is not a mapping".into());
    };
    let mut ours = canonical(generated);
    if folder == "analytics"
        && let Some(Value::Object(props)) = arm
    {
        for key in ["enabled", "suppressionEnabled", "suppressionDuration"] {
            if let Some(v) = props.get(key) {
                ours.insert(key.to_string(), canonical_value(key, v));
            }
        }
        normalise_rule_state(&mut ours);
    }
    let mut theirs = canonical(original);
    if folder == "analytics" {
        normalise_rule_state(&mut theirs);
    }
    if let Some(diff) = first_difference(&theirs, &ours) {
        return Verdict::Different(diff);
    }
    let query_of =
        |m: &Map<String, Value>| m.get("query").and_then(Value::as_str).map(|q| q.trim_end_matches('\n').to_string());
    Verdict::Equivalent { exact_query: query_of(original) == query_of(generated) }
}

/// Fields whose value is a duration.
const DURATIONS: &[&str] = &["queryFrequency", "queryPeriod", "suppressionDuration", "lookbackDuration"];

/// A document as Sentinel reads it (see the module documentation).
fn canonical(map: &Map<String, Value>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (k, v) in map {
        if v.is_null() {
            continue;
        }
        let key = if k == "techniques" { "relevantTechniques" } else { k.as_str() };
        let v = canonical_value(key, v);
        if is_empty(&v) {
            continue;
        }
        out.insert(key.to_string(), v);
    }
    let scheduled = ["queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"];
    if !out.contains_key("kind") && scheduled.iter().any(|k| out.contains_key(*k)) {
        out.insert("kind".into(), json!("scheduled"));
    }
    out
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

fn canonical_value(key: &str, v: &Value) -> Value {
    match (key, v) {
        ("id" | "kind", Value::String(s)) => json!(s.to_ascii_lowercase()),
        (k, Value::String(s)) if DURATIONS.contains(&k) => match Timespan::parse_any(s) {
            Ok(t) => json!(t.seconds()),
            Err(_) => v.clone(),
        },
        ("triggerOperator", Value::String(s)) => json!(super::rule::trigger_operator(s).unwrap_or(s)),
        ("triggerThreshold", Value::String(s)) => s.trim().parse::<i64>().map_or(v.clone(), |n| json!(n)),
        ("description" | "query", Value::String(s)) => json!(text(s)),
        ("version", Value::Number(n)) => json!(n.to_string()),
        ("incidentConfiguration", Value::Object(m)) => incident(m),
        ("alertDetailsOverride", Value::Object(m)) => {
            let kept: Map<String, Value> = m
                .iter()
                .filter(|(_, v)| !(v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()) || is_empty(v)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Value::Object(kept)
        }
        // `- ` with nothing after it is no entry.
        (_, Value::Array(items)) => Value::Array(items.iter().filter(|v| !v.is_null()).cloned().collect()),
        _ => v.clone(),
    }
}

/// Texts compare without trailing spaces per line or blank lines at the ends.
fn text(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.is_empty()).map_or(start, |e| e + 1);
    lines[start..end].join("\n")
}

/// `incidentConfiguration` with Sentinel's defaults for unset fields.
fn incident(m: &Map<String, Value>) -> Value {
    let g = m.get("groupingConfiguration").and_then(Value::as_object).cloned().unwrap_or_default();
    let get = |k: &str, default: Value| g.get(k).filter(|v| !v.is_null()).cloned().unwrap_or(default);
    let lookback = g
        .get("lookbackDuration")
        .and_then(Value::as_str)
        .and_then(|s| Timespan::parse_any(s).ok())
        .unwrap_or(Timespan::from_hours(5));
    json!({
        "createIncident": m.get("createIncident").cloned().unwrap_or(json!(true)),
        "groupingConfiguration": {
            "enabled": get("enabled", json!(false)),
            "reopenClosedIncident": get("reopenClosedIncident", json!(false)),
            "lookbackDuration": lookback.seconds(),
            "matchingMethod": get("matchingMethod", json!("AllEntities")),
            "groupByEntities": get("groupByEntities", json!([])),
            "groupByAlertDetails": get("groupByAlertDetails", json!([])),
            "groupByCustomDetails": get("groupByCustomDetails", json!([])),
        },
    })
}

/// `enabled` absent is true; a disabled suppression's duration is moot.
fn normalise_rule_state(m: &mut BTreeMap<String, Value>) {
    m.entry("enabled".into()).or_insert(json!(true));
    if m.get("suppressionEnabled") != Some(&json!(true)) {
        m.remove("suppressionEnabled");
        m.remove("suppressionDuration");
    }
}

fn first_difference(theirs: &BTreeMap<String, Value>, ours: &BTreeMap<String, Value>) -> Option<String> {
    let keys: std::collections::BTreeSet<&String> = theirs.keys().chain(ours.keys()).collect();
    for key in keys {
        let (a, b) = (theirs.get(key), ours.get(key));
        if a != b {
            let show = |v: Option<&Value>| {
                let s = v.map_or("absent".to_string(), Value::to_string);
                if s.chars().count() > 80 { format!("{}...", s.chars().take(80).collect::<String>()) } else { s }
            };
            return Some(format!("`{key}`: original {}, generated {}", show(a), show(b)));
        }
    }
    None
}
