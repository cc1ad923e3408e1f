//! The emulator behaves like the service where a deploy can tell (issue 17
//! "the emulator behaves like the service", issue 13 item 5): bodies a GET
//! returns go back with PUT unchanged, nulls are absent, unknown properties
//! are dropped and logged, api-versions are the bundled ones, a missing
//! workspace is 404, `If-Match` is honoured.
//!
//! Raw HTTP/1.1 over a socket, as `az rest` or Terraform would send it: no
//! client of ours in between.

use std::io::{Read, Write};

use serde_json::{Value, json};

use sentinel_forge::deploy::resource::ResourceType;
use sentinel_forge::emulator::{Emulator, workspace_path};

use super::{emulator, nrt_props, scheduled_body};

const SUB: &str = "00000000-0000-0000-0000-000000000000";

fn ws() -> String {
    workspace_path(SUB, "rg-test", "law-test")
}

/// `METHOD path` with optional JSON body and headers → (status, JSON body).
fn http(emu: &Emulator, method: &str, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    let payload = body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{}\r\nauthorization: Bearer t\r\nconnection: close\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n",
        emu.port(),
        payload.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream.write_all(&payload).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, if body.is_empty() { Value::Null } else { serde_json::from_str(body).unwrap() })
}

fn rule_path(name: &str, version: &str) -> String {
    format!("{}/providers/Microsoft.SecurityInsights/alertRules/{name}?api-version={version}", ws())
}

fn search_path(name: &str) -> String {
    format!("{}/savedSearches/{name}?api-version=2025-02-01", ws())
}

/// GET → PUT of the same body → 200, and a second GET equal to the first
/// but for the etag (every write gets a new one, as in ARM).
fn round_trips(emu: &Emulator, path: &str) {
    let (status, first) = http(emu, "GET", path, None, &[]);
    assert_eq!(status, 200, "{first}");
    let (status, answer) = http(emu, "PUT", path, Some(&first), &[]);
    assert_eq!(status, 200, "PUT of the GET body is accepted: {answer}");
    let (_, mut second) = http(emu, "GET", path, None, &[]);
    assert_ne!(first["etag"], second["etag"]);
    second["etag"] = first["etag"].clone();
    assert_eq!(first, second);
}

/// Failed before: the GET showed `"alertRuleTemplateName": null` and the
/// PUT of that body answered 400 `null is not of type "string"`.
#[test]
fn every_resource_kind_round_trips_get_put_get() {
    let emu = emulator();
    emu.insert(ResourceType::AlertRule, "sched", scheduled_body("Scheduled", 1));
    emu.insert(ResourceType::AlertRule, "nrt", json!({"kind": "NRT", "properties": nrt_props("NRT")}));
    emu.insert(
        ResourceType::SavedSearch,
        "hunt",
        json!({"properties": {"category": "Hunting Queries", "displayName": "H", "query": "T", "version": 2,
            "tags": [{"name": "tactics", "value": "Execution"}]}}),
    );
    let (_, got) = http(&emu, "GET", &rule_path("sched", "2025-12-01"), None, &[]);
    assert!(got["properties"]["alertRuleTemplateName"].is_null() && got["properties"].get("templateVersion").is_some());
    round_trips(&emu, &rule_path("sched", "2025-12-01"));
    round_trips(&emu, &rule_path("sched", "2025-07-01-preview"));
    round_trips(&emu, &rule_path("nrt", "2025-07-01-preview"));
    round_trips(&emu, &search_path("hunt"));
}

#[test]
fn unknown_properties_are_dropped_and_logged_nulls_are_absent() {
    let emu = emulator();
    let mut body = scheduled_body("R", 0);
    body["properties"]["fancyNewSetting"] = json!(true);
    body["properties"]["incidentConfiguration"]["notAThing"] = json!(1);
    body["properties"]["description"] = Value::Null;
    let (status, answer) = http(&emu, "PUT", &rule_path("r", "2025-12-01"), Some(&body), &[]);
    assert_eq!(status, 201, "{answer}");
    let stored = emu.resource(ResourceType::AlertRule, "r").unwrap();
    assert!(stored["properties"].get("fancyNewSetting").is_none());
    assert!(stored["properties"]["incidentConfiguration"].get("notAThing").is_none());
    assert!(stored["properties"].get("description").is_none(), "null is absent");
    assert_eq!(
        emu.stats().dropped_properties,
        [
            "PUT alertRule r: dropped unknown property /properties/fancyNewSetting",
            "PUT alertRule r: dropped unknown property /properties/incidentConfiguration/notAThing",
        ]
    );
    // A preview-only property is kept when written at preview, hidden from a stable read.
    body["properties"]["subTechniques"] = json!(["T1110.001"]);
    assert_eq!(http(&emu, "PUT", &rule_path("r", "2025-07-01-preview"), Some(&body), &[]).0, 200);
    let (_, stable) = http(&emu, "GET", &rule_path("r", "2025-12-01"), None, &[]);
    let (_, preview) = http(&emu, "GET", &rule_path("r", "2025-07-01-preview"), None, &[]);
    assert!(stable["properties"].get("subTechniques").is_none(), "{stable}");
    assert_eq!(preview["properties"]["subTechniques"], json!(["T1110.001"]));
}

#[test]
fn if_match_is_honoured_with_412() {
    let emu = emulator();
    emu.insert(ResourceType::AlertRule, "r", scheduled_body("R", 0));
    let path = rule_path("r", "2025-12-01");
    let (_, got) = http(&emu, "GET", &path, None, &[]);
    let etag = got["etag"].as_str().unwrap().to_string();
    let body = scheduled_body("R", 3);
    assert_eq!(http(&emu, "PUT", &path, Some(&body), &[("if-match", "\"stale\"")]).0, 412);
    assert_eq!(http(&emu, "PUT", &path, Some(&body), &[("if-none-match", "*")]).0, 412);
    assert_eq!(http(&emu, "DELETE", &path, None, &[("if-match", "\"stale\"")]).0, 412);
    assert_eq!(http(&emu, "PUT", &path, Some(&body), &[("if-match", &etag)]).0, 200);
    assert_eq!(emu.stats().precondition_failed, 3);
    assert_eq!(emu.resource(ResourceType::AlertRule, "r").unwrap()["properties"]["triggerThreshold"], 3);
}

#[test]
fn workspaces_must_exist_and_api_versions_must_be_bundled() {
    let emu = emulator();
    let other = workspace_path(SUB, "rg-test", "law-other");
    let list = format!("{other}/savedSearches?api-version=2025-02-01");
    let (status, err) = http(&emu, "GET", &list, None, &[]);
    assert_eq!(status, 404);
    assert_eq!(err["error"]["code"], "ResourceNotFound");
    // An ARM PUT of the workspace creates it.
    assert_eq!(
        http(&emu, "PUT", &format!("{other}?api-version=2023-09-01"), Some(&json!({"location": "x"})), &[]).0,
        201
    );
    assert_eq!(http(&emu, "GET", &list, None, &[]), (200, json!({"value": []})));
    let (status, err) = http(&emu, "GET", &format!("{}/savedSearches?api-version=2020-08-01", ws()), None, &[]);
    assert_eq!(status, 400);
    assert!(err["error"]["message"].as_str().unwrap().contains("supported: 2025-02-01"), "{err}");
}
