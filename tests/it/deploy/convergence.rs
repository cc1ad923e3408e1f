//! Plans that converge against what the service returns (issue 17,
//! findings 5 and 6): server defaults and echoed nulls are no drift, a
//! changed default is; a kind change is a replace; `nextLink` stays on the
//! ARM host.

use serde_json::json;

use sentinel_forge::deploy::plan::{Action, PlanOptions, plan};
use sentinel_forge::deploy::read_actual;
use sentinel_forge::deploy::resource::{ResourceType, desired};

use super::{ENV_FILE, content, emulator, nrt_props, plan_and_apply, rt, rule_id, session};

/// Failed before: the emulator now adds `eventGroupingSettings` and
/// `templateVersion: null` like the service, and the old comparison saw
/// `properties.eventGroupingSettings` as drift on every run.
#[test]
fn server_defaults_are_no_drift_and_a_second_deploy_writes_nothing() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &content(4), false).1.ok());
    let stored = emu.resource(ResourceType::AlertRule, &rule_id(0)).unwrap();
    assert_eq!(stored["properties"]["eventGroupingSettings"], json!({"aggregationKind": "SingleAlert"}));
    emu.reset_stats();
    let (p, report) = plan_and_apply(&rt, &s, &content(4), false);
    assert!(report.ok());
    assert_eq!(p.count(Action::Unchanged), 6, "{:?}", p.changes);
    assert_eq!(emu.stats().writes, 0, "a second deploy makes zero writes");

    // A default changed in the portal is drift: our next PUT resets it.
    emu.edit(ResourceType::AlertRule, &rule_id(0), |v| {
        v["properties"]["eventGroupingSettings"]["aggregationKind"] = json!("AlertPerResult");
    });
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let p = plan(&content(4), &actual, &PlanOptions::new("test")).unwrap();
    let update: Vec<_> = p.changes.iter().filter(|c| c.action == Action::Update).collect();
    assert_eq!(update.len(), 1);
    assert_eq!(update[0].fields, ["properties.eventGroupingSettings"]);
}

/// Failed before: planned as an in-place update, which the service (and now
/// the emulator) refuses with 400.
#[test]
fn a_kind_change_is_planned_and_applied_as_replace() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &content(2), false).1.ok());
    let mut want = content(2);
    want[0] = desired(ResourceType::AlertRule, rule_id(0), Some("NRT".into()), nrt_props("Rule 0 now NRT"), None);
    let (p, report) = plan_and_apply(&rt, &s, &want, false);
    let replace: Vec<_> = p.changes.iter().filter(|c| c.action == Action::Replace).collect();
    assert_eq!(replace.len(), 1, "{:?}", p.changes);
    assert_eq!(replace[0].name, rule_id(0));
    assert!(report.ok(), "{:?}", report.failed().map(|o| o.error.as_ref().unwrap().to_string()).collect::<Vec<_>>());
    assert_eq!(emu.resource(ResourceType::AlertRule, &rule_id(0)).unwrap()["kind"], "NRT");
    let (p, _) = plan_and_apply(&rt, &s, &want, false);
    assert!(!p.has_drift(), "{:?}", p.changes);
}

/// Failed before: any https `nextLink` was followed with the ARM token.
#[test]
fn a_next_link_off_the_arm_host_is_not_followed() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &content(5), false).1.ok());
    emu.set_faults("next-link-host=collector.example".parse().unwrap());
    emu.reset_stats();
    let err = rt.block_on(s.client.list(ResourceType::AlertRule)).unwrap_err().to_string();
    assert!(err.contains("collector.example") && err.contains("not followed"), "{err}");
    assert_eq!(emu.stats().reads, 1, "only the first page was read");
}
