//! Semantic comparison of desired and actual bodies: read-only fields
//! stripped, `null`/empty values treated as absent, ISO 8601 durations
//! compared by length, saved-search tags as a set, key order ignored.
//!
//! Only what we send is compared: a key present in the service's answer but
//! absent from the desired body is a property the service added (a server
//! default such as `eventGroupingSettings`, a preview-only property, a
//! `null` it echoes) and is no drift, unless it is one of the known server
//! defaults ([`SERVER_DEFAULTS`]) holding a value other than its default
//! (someone changed it in the portal, and our next PUT would reset it).

use serde_json::{Map, Value};

use crate::deploy::resource::ResourceType;

/// Read-only (server-set) properties that never count as drift.
const READ_ONLY_PROPERTIES: &[&str] = &["lastModifiedUtc", "createdTimeUtc"];

/// Properties the service fills in when a PUT leaves them out, with the
/// value it fills in (`properties.`-relative dotted paths of alert rules).
/// A different value there is drift although we do not send the key.
pub const SERVER_DEFAULTS: &[(&str, &str)] =
    &[("properties.eventGroupingSettings", r#"{"aggregationKind":"SingleAlert"}"#)];

/// The comparable form of a body: `{kind?, properties}` only, canonical.
pub fn comparable(rtype: ResourceType, body: &Value) -> Value {
    let mut out = Map::new();
    if rtype == ResourceType::AlertRule
        && let Some(k) = body.get("kind")
    {
        out.insert("kind".into(), k.clone());
    }
    if let Some(Value::Object(props)) = body.get("properties") {
        let mut props = props.clone();
        for key in READ_ONLY_PROPERTIES {
            props.remove(*key);
        }
        if rtype == ResourceType::SavedSearch
            && let Some(Value::Array(tags)) = props.get_mut("tags")
        {
            tags.sort_by_key(|t| (t.get("name").map(Value::to_string), t.get("value").map(Value::to_string)));
        }
        out.insert("properties".into(), canonical(None, &Value::Object(props)).unwrap_or(Value::Null));
    }
    Value::Object(out)
}

/// Sorted keys, durations normalised, `null`/`[]`/`{}` dropped (→ `None`).
fn canonical(key: Option<&str>, v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                if let Some(c) = canonical(Some(k), &m[k]) {
                    out.insert(k.clone(), c);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        Value::Array(a) if a.is_empty() => None,
        Value::Array(a) => Some(Value::Array(a.iter().map(|x| canonical(None, x).unwrap_or(Value::Null)).collect())),
        Value::String(s) if key.is_some_and(is_duration_key) => {
            Some(parse_duration(s).map_or_else(|| v.clone(), |secs| Value::String(format!("PT{secs}S"))))
        }
        _ => Some(v.clone()),
    }
}

fn is_duration_key(k: &str) -> bool {
    k.ends_with("Duration") || k.ends_with("Frequency") || k.ends_with("Period")
}

/// Seconds of an ISO 8601 duration (`P[nW][nD][T[nH][nM][nS]]`; no years or
/// months, which have no fixed length).
pub fn parse_duration(s: &str) -> Option<u64> {
    let rest = s.trim().strip_prefix(['P', 'p'])?;
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total = 0u64;
    let mut any = false;
    let mut eat = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                let (_, mult) = units.iter().find(|(u, _)| u.eq_ignore_ascii_case(&c))?;
                total = total.checked_add(num.parse::<u64>().ok()?.checked_mul(*mult)?)?;
                num.clear();
                any = true;
            }
        }
        num.is_empty().then_some(())
    };
    eat(date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(t) = time {
        if t.is_empty() {
            return None;
        }
        eat(t, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(total)
}

/// Dotted paths of the fields that differ (objects are walked, arrays and
/// scalars compared whole). Both sides must be [`comparable`] forms.
pub fn changed_fields(desired: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", desired, actual, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            let mut keys: Vec<&String> = ma.keys().chain(mb.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match (ma.get(k), mb.get(k)) {
                    (Some(x), Some(y)) => walk(&p, x, y, out),
                    (Some(_), None) => out.push(p),
                    (None, Some(y)) if differs_from_server_default(&p, y) => out.push(p),
                    (None, _) => {}
                }
            }
        }
        _ if a != b => out.push(if path.is_empty() { "(body)".into() } else { path.to_string() }),
        _ => {}
    }
}

/// Whether an actual-only key is a known server default with another value.
fn differs_from_server_default(path: &str, actual: &Value) -> bool {
    SERVER_DEFAULTS.iter().any(|(p, default)| {
        *p == path
            && serde_json::from_str::<Value>(default).ok().and_then(|d| canonical(None, &d)).as_ref() != Some(actual)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H"), Some(3600));
        assert_eq!(parse_duration("PT60M"), Some(3600));
        assert_eq!(parse_duration("P1D"), parse_duration("PT24H"));
        assert_eq!(parse_duration("P2DT1H30M"), Some(2 * 86400 + 5400));
        assert_eq!(parse_duration("P1Y"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P"), None);
    }

    #[test]
    fn semantic_equality_ignores_read_only_nulls_order_and_duration_spelling() {
        let desired =
            json!({"kind": "Scheduled", "properties": {"queryFrequency": "PT60M", "b": 1, "a": [], "x": {"y": 1}}});
        let actual = json!({"id": "/x", "etag": "\"1\"", "name": "r", "kind": "Scheduled",
            "properties": {"x": {"y": 1}, "b": 1, "queryFrequency": "PT1H", "lastModifiedUtc": "2026", "alertRuleTemplateName": null}});
        let (d, a) = (comparable(ResourceType::AlertRule, &desired), comparable(ResourceType::AlertRule, &actual));
        assert_eq!(d, a);
        let edited = json!({"kind": "Scheduled", "properties": {"queryFrequency": "PT1H", "b": 2, "x": {"y": 3}}});
        let e = comparable(ResourceType::AlertRule, &edited);
        assert_eq!(changed_fields(&d, &e), ["properties.b", "properties.x.y"]);
    }

    #[test]
    fn keys_only_the_service_returns_are_no_drift_unless_a_changed_default() {
        let desired = json!({"kind": "Scheduled", "properties": {"query": "T", "x": {"y": 1}}});
        let answered = json!({"kind": "Scheduled", "properties": {"query": "T", "x": {"y": 1, "z": 2},
            "eventGroupingSettings": {"aggregationKind": "SingleAlert"}, "templateVersion": null,
            "sentinelEntitiesMappings": [{"columnName": "c"}]}});
        let d = comparable(ResourceType::AlertRule, &desired);
        assert!(changed_fields(&d, &comparable(ResourceType::AlertRule, &answered)).is_empty());
        let mut edited = answered.clone();
        edited["properties"]["eventGroupingSettings"]["aggregationKind"] = json!("AlertPerResult");
        assert_eq!(
            changed_fields(&d, &comparable(ResourceType::AlertRule, &edited)),
            ["properties.eventGroupingSettings"]
        );
        let mut removed = answered;
        removed["properties"].as_object_mut().unwrap().remove("query");
        assert_eq!(changed_fields(&d, &comparable(ResourceType::AlertRule, &removed)), ["properties.query"]);
    }
}
