//! Owners (issue 17, findings 1, 3 and 4): two owners share a workspace and
//! each prunes only its own; an unreadable or missing manifest fails closed
//! and `--repair-manifest` rebuilds it; a content id that exists unmanaged
//! is a plan error unless `--adopt`; a failed final manifest write keeps the
//! per-rule report.

use std::sync::Arc;

use sentinel_forge::deploy::apply::{ApplyOptions, apply, render_summary};
use sentinel_forge::deploy::ownership;
use sentinel_forge::deploy::plan::{Action, PlanOptions, plan};
use sentinel_forge::deploy::read_actual;
use sentinel_forge::deploy::resource::{Resource, ResourceType, desired};
use serde_json::json;

use super::{
    ENV_FILE, content, emulator, forge, plan_and_apply, project_keeping, rt, rule_id, run, scheduled_body,
    scheduled_props, session,
};
use crate::util::SPIKE_ID;

const A: [&str; 3] = ["run-command-spike.toml", "run-command-infrequent.toml", "run-command-ueba-breach.toml"];
const B: [&str; 2] = ["anomalous-azure-operation.toml", "run-command-unique-script.toml"];

fn manifest(emu: &sentinel_forge::emulator::Emulator, owner: &str) -> Vec<String> {
    let body = emu.resource(ResourceType::SavedSearch, &ownership::manifest_name(owner)).expect("manifest exists");
    let r = Resource::from_arm(ResourceType::SavedSearch, body).unwrap();
    ownership::manifest_ids(&r).unwrap().into_iter().collect()
}

/// Failed before: one constant tag and manifest, so B's `--prune` planned
/// the deletion of every resource A deployed.
#[test]
fn two_owners_share_a_workspace_and_prune_only_their_own() {
    let emu = emulator();
    let a = project_keeping(&A, Some("team-a"));
    let b = project_keeping(&B, Some("team-b"));
    let deploy = ["deploy", "--env", "test", "--auth", "token"];
    let (code, out, err) = run(forge(a.path(), &emu).args(deploy));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("owner team-a"), "{err}");
    let (code, out, err) = run(forge(b.path(), &emu).args(deploy));
    assert_eq!(code, 0, "{out}\n{err}");
    let a_rules = manifest(&emu, "team-a");
    assert_eq!(a_rules.len(), 1, "{a_rules:?}");
    assert_eq!(manifest(&emu, "team-b").len(), 1);
    let before = emu.names(ResourceType::SavedSearch).len() + emu.names(ResourceType::AlertRule).len();

    // B drops a hunt and a rule from its content and prunes.
    std::fs::remove_file(b.path().join("content/hunting/anomalous-azure-operation.toml")).unwrap();
    std::fs::remove_file(b.path().join("content/analytics/run-command-unique-script.toml")).unwrap();
    let (code, out, _) =
        run(forge(b.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--plan", "--prune"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("plan: 0 to create, 0 to update, 2 to delete, 0 unchanged"), "{out}");
    assert!(
        out.contains("foreign (never touched): 3 of owner `team-a`"),
        "A's resources are listed as foreign:\n{out}"
    );
    emu.reset_stats();
    let (code, out, err) =
        run(forge(b.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--prune", "--yes"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("0 created, 0 updated, 2 deleted"), "{out}");
    assert_eq!(emu.names(ResourceType::SavedSearch).len() + emu.names(ResourceType::AlertRule).len(), before - 2);
    assert!(emu.resource(ResourceType::SavedSearch, SPIKE_ID).is_some(), "A's hunt is untouched");
    assert_eq!(manifest(&emu, "team-a"), a_rules, "A's manifest is untouched");
    assert!(manifest(&emu, "team-b").is_empty());
    // A sees no drift: B's deletes were B's own.
    let (code, out, err) = run(forge(a.path(), &emu).args(["diff", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn alert_rules_of_two_owners_are_pruned_apart() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    let rules = |from: usize, to: usize| -> Vec<Resource> {
        (from..to)
            .map(|i| {
                desired(ResourceType::AlertRule, rule_id(i), Some("Scheduled".into()), scheduled_props("R", 0), None)
            })
            .collect()
    };
    let apply_as = |owner: &str, want: &[Resource], prune: bool| {
        let actual = rt.block_on(read_actual(&s.client)).unwrap();
        let p = plan(want, &actual, &PlanOptions::new(owner)).unwrap();
        let options = ApplyOptions { prune, ..ApplyOptions::default() };
        (rt.block_on(apply(Arc::clone(&s.client), &p, &options)).unwrap(), p)
    };
    assert!(apply_as("a", &rules(0, 3), false).0.ok());
    assert!(apply_as("b", &rules(3, 5), false).0.ok());
    let (report, p) = apply_as("b", &rules(3, 4), true);
    assert!(report.ok());
    let deleted: Vec<&str> = p.changes.iter().filter(|c| c.action == Action::Delete).map(|c| c.name.as_str()).collect();
    assert_eq!(deleted, [rule_id(4).as_str()]);
    assert_eq!(p.foreign.len(), 3);
    assert!(p.foreign.iter().all(|f| f.owner == "a"));
    assert_eq!(emu.names(ResourceType::AlertRule).len(), 4);
}

/// Failed before: a manifest whose query no longer parsed read as "no ids",
/// and the next deploy overwrote it with only the current content's ids.
#[test]
fn an_unreadable_manifest_fails_closed_and_repair_rebuilds_it() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &content(3), false).1.ok());
    let name = ownership::manifest_name("test");
    emu.edit(ResourceType::SavedSearch, &name, |v| v["properties"]["query"] = json!("SecurityAlert | take 0"));
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let fewer: Vec<Resource> = content(3).into_iter().filter(|r| r.name != rule_id(1)).collect();
    let err = plan(&fewer, &actual, &PlanOptions::new("test")).unwrap_err().to_string();
    assert!(err.contains(&format!("`{name}`")) && err.contains("deploy --repair-manifest"), "{err}");

    // A one-line datatable is the same data: it reads fine.
    let ids: Vec<String> = [rule_id(0), rule_id(1), rule_id(2), "bbbbbbbb-0000-4000-8000-000000000001".into()].into();
    let one_line =
        format!("datatable(ruleId:string)[{}]", ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(","));
    emu.edit(ResourceType::SavedSearch, &name, |v| v["properties"]["query"] = json!(one_line));
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let p = plan(&fewer, &actual, &PlanOptions::new("test")).unwrap();
    assert_eq!(p.count(Action::Delete), 1, "{:?}", p.changes);

    // Repair: from the content and what is still legible in the broken one.
    emu.edit(ResourceType::SavedSearch, &name, |v| {
        v["properties"]["query"] = json!(format!("// hand edit\n{} | where ruleId != \"\"", one_line));
    });
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    assert!(plan(&fewer, &actual, &PlanOptions::new("test")).is_err());
    let options = PlanOptions { repair_manifest: true, ..PlanOptions::new("test") };
    let p = plan(&fewer, &actual, &options).unwrap();
    assert_eq!(p.repaired_manifest, Some(4), "content rules + the legible id of the rule that left it");
    assert_eq!(p.count(Action::Delete), 1, "the rule that left the content is still known");
    let report =
        rt.block_on(apply(Arc::clone(&s.client), &p, &ApplyOptions { prune: true, ..Default::default() })).unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(manifest(&emu, "test").len(), 3);
    assert!(emu.resource(ResourceType::AlertRule, &rule_id(1)).is_none());
}

#[test]
fn an_unreadable_manifest_stops_the_cli_before_any_write() {
    let emu = emulator();
    let dir = project_keeping(&A, None);
    assert_eq!(run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"])).0, 0);
    emu.edit(ResourceType::SavedSearch, "sentinel-forge-manifest-test", |v| {
        v["properties"]["query"] = json!("print 1")
    });
    emu.reset_stats();
    let (code, out, err) =
        run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--prune", "--yes"]));
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("sentinel-forge-manifest-test") && err.contains("--repair-manifest"), "{err}");
    assert_eq!(emu.stats().writes, 0);
    let (code, out, err) =
        run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--repair-manifest"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(manifest(&emu, "test").len(), 1, "the content's rule is recorded again");
}

#[test]
fn a_missing_manifest_or_a_list_without_value_fails_closed() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &content(2), false).1.ok());
    emu.remove(ResourceType::SavedSearch, &ownership::manifest_name("test"));
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let err = plan(&content(2), &actual, &PlanOptions::new("test")).unwrap_err().to_string();
    assert!(err.contains("is missing") && err.contains("--repair-manifest"), "{err}");

    emu.set_faults("omit-value=1".parse().unwrap());
    let err = rt.block_on(read_actual(&s.client)).unwrap_err().to_string();
    assert!(err.contains("no `value`"), "{err}");
}

/// Failed before: a resource deployed by other means became managed, and
/// was deleted when it left the content.
#[test]
fn an_unmanaged_resource_with_a_content_id_needs_adopt() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    // Deployed before with `az deployment group create azuredeploy.json`.
    emu.insert(ResourceType::AlertRule, &rule_id(0), scheduled_body("Rule 0", 0));
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let p = plan(&content(2), &actual, &PlanOptions::new("test")).unwrap();
    assert_eq!(p.blocked.len(), 1);
    assert!(p.blocked[0].reason.contains("not managed by owner `test`") && p.blocked[0].reason.contains("--adopt"));
    assert!(p.has_drift());
    let err = rt.block_on(apply(Arc::clone(&s.client), &p, &ApplyOptions::default())).unwrap_err();
    assert!(err.to_string().contains("nothing changed"), "{err}");
    assert_eq!(emu.stats().writes, 0);

    let p = plan(&content(2), &actual, &PlanOptions { adopt: true, ..PlanOptions::new("test") }).unwrap();
    let adopted: Vec<&str> = p.changes.iter().filter(|c| c.action == Action::Adopt).map(|c| c.name.as_str()).collect();
    assert_eq!(adopted, [rule_id(0).as_str()]);
    assert!(rt.block_on(apply(Arc::clone(&s.client), &p, &ApplyOptions::default())).unwrap().ok());
    assert!(manifest(&emu, "test").contains(&rule_id(0)));
    let (p, _) = plan_and_apply(&rt, &s, &content(2), false);
    assert!(!p.has_drift(), "adopted and converged: {:?}", p.changes);
}

#[test]
fn the_cli_blocks_on_an_unmanaged_hunt_and_adopts_it_on_request() {
    let emu = emulator();
    let dir = project_keeping(&A, None);
    emu.insert(
        ResourceType::SavedSearch,
        SPIKE_ID,
        json!({"properties": {"category": "Hunting Queries", "displayName": "Made by hand", "query": "T"}}),
    );
    let (code, out, err) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("BLOCKED") && out.contains("--adopt"), "{out}");
    assert!(err.contains("nothing deployed"), "{err}");
    assert_eq!(emu.resource(ResourceType::SavedSearch, SPIKE_ID).unwrap()["properties"]["displayName"], "Made by hand");
    let (code, out, err) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--adopt"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("1 adopted"), "{out}");
    let tags = emu.resource(ResourceType::SavedSearch, SPIKE_ID).unwrap()["properties"]["tags"].clone();
    assert!(tags.as_array().unwrap().iter().any(|t| t["value"] == "sentinel-forge:test"), "{tags}");
}

/// Failed before: the error of the last manifest write replaced the whole
/// report (exit 2, "apply") although rules had been deleted.
#[test]
fn a_failed_final_manifest_write_keeps_the_report_and_says_what_to_rerun() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &content(3), false).1.ok());
    emu.set_faults(format!("fail={}", ownership::manifest_name("test")).parse().unwrap());
    let fewer: Vec<Resource> = content(3).into_iter().filter(|r| r.name != rule_id(1)).collect();
    let (_, report) = plan_and_apply(&rt, &s, &fewer, true);
    assert_eq!(report.count(Action::Delete), 1, "{report:?}");
    assert!(report.failed().next().is_none());
    assert!(report.manifest_error.is_some() && !report.ok());
    let summary = render_summary(&report);
    assert!(summary.contains("1 deleted") && summary.contains(&rule_id(1)), "{summary}");
    assert!(summary.contains("rerun the same `deploy --prune`"), "{summary}");
    // The rerun records it (the rule is gone; its id is forgotten).
    emu.set_faults(Default::default());
    let (_, report) = plan_and_apply(&rt, &s, &fewer, true);
    assert!(report.ok() && report.manifest_writes == 1, "{report:?}");
    assert!(!manifest(&emu, "test").contains(&rule_id(1)));
}
