//! Optimistic concurrency (issue 17, finding 2): conditional manifest
//! writes merged on conflict, deletes only of what the plan saw, no apply
//! of a stale plan, and two deploys at once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use sentinel_forge::deploy::DeployErrorKind;
use sentinel_forge::deploy::apply::{ApplyOptions, apply};
use sentinel_forge::deploy::ownership;
use sentinel_forge::deploy::plan::{Action, PlanOptions, plan};
use sentinel_forge::deploy::read_actual;
use sentinel_forge::deploy::resource::{Resource, ResourceType, desired};
use serde_json::json;

use super::{ENV_FILE, emulator, plan_and_apply, rt, rule_id, scheduled_props, session};

fn rules(ids: std::ops::Range<usize>) -> Vec<Resource> {
    ids.map(|i| desired(ResourceType::AlertRule, rule_id(i), Some("Scheduled".into()), scheduled_props("R", 0), None))
        .collect()
}

fn recorded(emu: &sentinel_forge::emulator::Emulator, owner: &str) -> BTreeSet<String> {
    let body = emu.resource(ResourceType::SavedSearch, &ownership::manifest_name(owner)).unwrap();
    ownership::manifest_ids(&Resource::from_arm(ResourceType::SavedSearch, body).unwrap()).unwrap()
}

/// Failed before: both runs wrote "old ∪ mine" with etag `*`, the last one
/// won, and the first run's rules were recorded nowhere.
#[test]
fn two_runs_of_one_owner_planned_together_both_end_up_recorded() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &rules(0..1), false).1.ok());
    // Both runners read the workspace before either writes.
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let first = plan(&rules(0..3), &actual, &PlanOptions::new("test")).unwrap();
    let second = plan(&[rules(0..1), rules(3..5)].concat(), &actual, &PlanOptions::new("test")).unwrap();
    assert!(rt.block_on(apply(Arc::clone(&s.client), &first, &ApplyOptions::default())).unwrap().ok());
    emu.reset_stats();
    let report = rt.block_on(apply(Arc::clone(&s.client), &second, &ApplyOptions::default())).unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(emu.stats().precondition_failed, 1, "the second manifest write met the first one's etag");
    let want: BTreeSet<String> = (0..5).map(rule_id).collect();
    assert_eq!(recorded(&emu, "test"), want, "re-read and merged, nothing lost");
}

#[test]
fn two_owners_deploying_at_once_both_record_and_prune_only_their_own() {
    let emu = emulator();
    emu.set_faults("latency=20ms".parse().unwrap());
    let rt = Arc::new(rt());
    let s = Arc::new(session(&emu, ENV_FILE));
    let deploy = |owner: &'static str, ids: std::ops::Range<usize>, prune: bool| {
        let (rt, s) = (Arc::clone(&rt), Arc::clone(&s));
        std::thread::spawn(move || {
            let actual = rt.block_on(read_actual(&s.client)).unwrap();
            let p = plan(&rules(ids), &actual, &PlanOptions::new(owner)).unwrap();
            let report = rt.block_on(apply(Arc::clone(&s.client), &p, &ApplyOptions { prune, ..Default::default() }));
            (p, report.unwrap())
        })
    };
    let (a, b) = (deploy("a", 0..4, false), deploy("b", 4..8, false));
    assert!(a.join().unwrap().1.ok());
    assert!(b.join().unwrap().1.ok());
    assert_eq!(recorded(&emu, "a"), (0..4).map(rule_id).collect());
    assert_eq!(recorded(&emu, "b"), (4..8).map(rule_id).collect());
    let (p, report) = deploy("a", 0..2, true).join().unwrap();
    assert!(report.ok());
    let deleted: BTreeSet<String> =
        p.changes.iter().filter(|c| c.action == Action::Delete).map(|c| c.name.clone()).collect();
    assert_eq!(deleted, (2..4).map(rule_id).collect());
    assert_eq!(emu.names(ResourceType::AlertRule).len(), 6);
    assert_eq!(recorded(&emu, "b").len(), 4, "b's record is untouched");
}

/// Failed before: deletes ran from the plan's picture, however old.
#[test]
fn a_delete_skips_a_rule_changed_since_the_plan_and_a_stale_plan_is_refused() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &rules(0..3), false).1.ok());
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let p = plan(&rules(0..1), &actual, &PlanOptions::new("test")).unwrap();
    assert_eq!(p.count(Action::Delete), 2);
    // Someone edits one of them in the portal meanwhile.
    emu.edit(ResourceType::AlertRule, &rule_id(1), |v| v["properties"]["severity"] = json!("High"));
    let report =
        rt.block_on(apply(Arc::clone(&s.client), &p, &ApplyOptions { prune: true, ..Default::default() })).unwrap();
    let failed: Vec<_> = report.failed().collect();
    assert_eq!(failed.len(), 1, "{report:?}");
    assert_eq!(failed[0].change.name, rule_id(1));
    assert!(failed[0].error.as_ref().unwrap().to_string().contains("changed in the workspace since the plan"));
    assert!(emu.resource(ResourceType::AlertRule, &rule_id(1)).is_some(), "not deleted");
    assert!(emu.resource(ResourceType::AlertRule, &rule_id(2)).is_none());
    assert!(recorded(&emu, "test").contains(&rule_id(1)), "still owned, so a rerun can decide");

    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let p = plan(&rules(0..1), &actual, &PlanOptions::new("test")).unwrap();
    emu.reset_stats();
    std::thread::sleep(Duration::from_millis(20));
    let options = ApplyOptions { prune: true, max_plan_age: Duration::from_millis(10), ..Default::default() };
    let err = rt.block_on(apply(Arc::clone(&s.client), &p, &options)).unwrap_err();
    assert_eq!(err.kind, DeployErrorKind::Stale, "{err}");
    assert_eq!(emu.stats().writes, 0);
}
