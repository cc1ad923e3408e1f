//! Deploy, plan, prune and drift against the local emulator (127.0.0.1
//! only): the CLI end to end for hunting queries, the library for alert
//! rules (hand-made documents), and every fault class.

use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use sentinel_forge::deploy::apply::{ApplyOptions, Report, apply};
use sentinel_forge::deploy::client::{SentinelClientOptions, fast_retry};
use sentinel_forge::deploy::ownership;
use sentinel_forge::deploy::plan::{Action, Plan, PlanOptions, plan};
use sentinel_forge::deploy::resource::{Resource, ResourceType, desired};
use sentinel_forge::deploy::target::Target;
use sentinel_forge::deploy::{Session, auth::AuthKind, connect, read_actual};
use sentinel_forge::emulator::{Emulator, EmulatorOptions, Faults};
use serde_json::{Value, json};

mod concurrency;
mod convergence;
mod emulator_fidelity;
mod ownership_scope;
mod plan_output;
mod retry_after;

use crate::util::{FAKE_SECRET, FAKE_TOKEN, SPIKE_ID, emulator_cli, scratch_project};

pub(crate) const ENV_FILE: &str = r#"
[workspace]
subscription_id = "00000000-0000-0000-0000-000000000000"
resource_group = "rg-test"
name = "law-test"
workspace_id = "11111111-1111-1111-1111-111111111111"
cloud = "AzureCloud"

[api_versions]
scheduled = "2025-12-01"
nrt = "2025-07-01-preview"
saved_searches = "2025-02-01"

[auth]
kind = "auto"
"#;

/// An emulator holding the workspace of [`ENV_FILE`] (and no other: a
/// request into another workspace answers 404, as ARM does).
pub(crate) fn emulator() -> Emulator {
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator starts");
    emu.add_workspace("00000000-0000-0000-0000-000000000000", "rg-test", "law-test");
    emu
}

/// A scratch project with `content/environments/test.toml`.
/// A project holding the three seed hunts of the foundation (the counts
/// below are about them), and only a `test` environment, pointing at the
/// emulator.
pub(crate) fn project() -> tempfile::TempDir {
    project_keeping(&["run-command-spike.toml", "run-command-infrequent.toml", "anomalous-azure-operation.toml"], None)
}

/// A scratch project holding only the content files `keep`, and a `test`
/// environment pointing at the emulator's workspace, with `owner` if given.
pub(crate) fn project_keeping(keep: &[&str], owner: Option<&str>) -> tempfile::TempDir {
    let dir = scratch_project();
    for entry in walkdir::WalkDir::new(dir.path().join("content")).into_iter().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_file() && !keep.contains(&name.as_str()) {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let envs = dir.path().join("content/environments");
    std::fs::create_dir_all(&envs).unwrap();
    let env = match owner {
        Some(o) => ENV_FILE.replace("cloud = \"AzureCloud\"", &format!("cloud = \"AzureCloud\"\nowner = \"{o}\"")),
        None => ENV_FILE.to_string(),
    };
    std::fs::write(envs.join("test.toml"), env).unwrap();
    dir
}

/// `sentinel-forge` pointed at the emulator, authenticating with a client
/// secret through azure_identity against the emulator's token endpoint.
pub(crate) fn forge(dir: &Path, emu: &Emulator) -> Command {
    let mut cmd = emulator_cli(dir, emu);
    cmd.env("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47")
        .env("AZURE_CLIENT_ID", "22222222-2222-2222-2222-222222222222")
        .env("AZURE_CLIENT_SECRET", FAKE_SECRET);
    cmd
}

pub(crate) use crate::util::output_without_secrets as run;

#[test]
fn first_deploy_creates_all_then_second_deploy_writes_nothing() {
    let emu = emulator();
    let dir = project();
    let (code, out, err) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "secret"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("deploy: 3 created, 0 updated, 0 deleted, 0 failed"), "{out}");
    // Three hunting queries and this owner's (empty) manifest, written on
    // its first deploy so that a lost manifest is noticed later.
    assert_eq!(emu.names(ResourceType::SavedSearch).len(), 4);
    assert_eq!(emu.stats().writes, 4);
    assert!(emu.stats().token_requests >= 1, "the client secret credential asked the token endpoint");
    let stored = emu.resource(ResourceType::SavedSearch, SPIKE_ID).unwrap();
    assert!(
        stored["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "managedBy" && t["value"] == "sentinel-forge:test"),
        "the tag names the owner (the environment's name by default): {stored}"
    );

    emu.reset_stats();
    let (code, out, err) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "secret"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(emu.stats().writes, 0, "an unchanged deploy writes nothing");
    assert!(out.contains("deploy: 0 created, 0 updated, 0 deleted, 0 failed"), "{out}");
}

#[test]
fn plan_prints_the_table_and_json_and_changes_nothing() {
    let emu = emulator();
    let dir = project();
    let (code, out, _) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--plan"]));
    assert_eq!(code, 0);
    assert!(out.contains("create") && out.contains("Azure Run Command spike by one caller"), "{out}");
    assert!(out.contains("plan: 3 to create, 0 to update, 0 to delete, 0 unchanged"), "{out}");
    let (code, out, _) =
        run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--plan", "--format", "json"]));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["create"], 3);
    assert_eq!(v["changes"][0]["action"], "create");
    assert_eq!(emu.stats().writes, 0, "--plan writes nothing");
}

#[test]
fn a_changed_threshold_updates_exactly_one_rule() {
    let emu = emulator();
    let dir = project();
    assert_eq!(run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"])).0, 0);
    let file = dir.path().join("content/hunting/run-command-spike.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("min_commands = 5", "min_commands = 9");
    std::fs::write(&file, text).unwrap();
    emu.reset_stats();
    let (code, out, _) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--plan"]));
    assert_eq!(code, 0);
    assert!(out.contains("plan: 0 to create, 1 to update, 0 to delete, 2 unchanged"), "{out}");
    assert!(out.contains("properties.query"), "the changed field is named:\n{out}");
    let (code, out, _) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 0, "{out}");
    assert_eq!((emu.stats().puts, emu.stats().deletes), (1, 0), "exactly one write");
    let q = emu.resource(ResourceType::SavedSearch, SPIKE_ID).unwrap()["properties"]["query"].clone();
    assert!(q.as_str().unwrap().contains("let commandsExecuted = 9;"), "{q}");
}

#[test]
fn prune_deletes_removed_content_and_spares_portal_made_resources() {
    let emu = emulator();
    let dir = project();
    assert_eq!(run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"])).0, 0);
    // Made in the portal: an untagged hunting query and an alert rule.
    emu.insert(
        ResourceType::SavedSearch,
        "portal-query",
        json!({"properties": {"category": "Hunting Queries", "displayName": "Portal query", "query": "T | take 1"}}),
    );
    emu.insert(ResourceType::AlertRule, "portal-rule", scheduled_body("Portal rule", 0));
    std::fs::remove_file(dir.path().join("content/hunting/run-command-spike.toml")).unwrap();

    let (code, out, _) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--plan"]));
    assert_eq!(code, 0);
    assert!(out.contains("delete (needs --prune)") && out.contains(SPIKE_ID), "{out}");
    assert!(!out.contains("portal-"), "portal-made resources are never planned for deletion:\n{out}");

    // Off a terminal, deletes need --yes.
    emu.reset_stats();
    let (code, _, err) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--prune"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refusing to delete 1 resource(s) without --yes"), "{err}");
    assert_eq!(emu.stats().writes, 0);

    // Without --prune nothing is deleted.
    let (code, out, _) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 0);
    assert!(out.contains("1 delete(s) skipped (use --prune)"), "{out}");
    assert!(emu.resource(ResourceType::SavedSearch, SPIKE_ID).is_some());

    let (code, out, _) =
        run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token", "--prune", "--yes"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 created, 0 updated, 1 deleted"), "{out}");
    assert!(emu.resource(ResourceType::SavedSearch, SPIKE_ID).is_none());
    assert!(emu.resource(ResourceType::SavedSearch, "portal-query").is_some());
    assert!(emu.resource(ResourceType::AlertRule, "portal-rule").is_some());
    assert_eq!(emu.stats().deletes, 1);
}

#[test]
fn diff_detects_a_portal_edit_naming_rule_and_field() {
    let emu = emulator();
    let dir = project();
    assert_eq!(run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"])).0, 0);
    let (code, _, err) = run(forge(dir.path(), &emu).args(["diff", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no drift"));
    emu.edit(ResourceType::SavedSearch, SPIKE_ID, |v| {
        v["properties"]["displayName"] = json!("Edited in the portal");
    });
    let (code, out, err) = run(forge(dir.path(), &emu).args(["diff", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains(SPIKE_ID) && out.contains("properties.displayName") && out.contains("update"), "{out}");
    let (code, out, _) =
        run(forge(dir.path(), &emu).args(["diff", "--env", "test", "--auth", "token", "--format", "json"]));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let change = v["changes"].as_array().unwrap().iter().find(|c| c["action"] == "update").unwrap();
    assert_eq!(change["name"], SPIKE_ID);
    assert_eq!(change["fields"], json!(["properties.displayName"]));
}

#[test]
fn secrets_never_appear_even_when_things_fail() {
    let emu = emulator();
    let dir = project();
    emu.set_faults(format!("fail={SPIKE_ID}").parse().unwrap());
    // `run` asserts that neither the secret, the static token nor the issued
    // access token is printed, for the failing deploy and for the rerun.
    let (code, out, err) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "secret"]));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("failed") && err.contains("x-ms-request-id"), "errors carry request ids:\n{err}");
    let (code, _, _) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 1);
    // A credential failure does not echo the secret either.
    let mut cmd = forge(dir.path(), &emu);
    cmd.env("AZURE_AUTHORITY_HOST", "http://127.0.0.1:1")
        .args(["deploy", "--env", "test", "--auth", "secret", "--plan"]);
    let (code, _, _) = run(&mut cmd);
    assert_eq!(code, 2);
}

#[test]
fn plain_http_is_refused_for_non_loopback_endpoints() {
    let emu = emulator();
    let dir = project();
    let mut cmd = forge(dir.path(), &emu);
    cmd.env("SENTINEL_FORGE_ARM_ENDPOINT", "http://management.example.com").args(["deploy", "--env", "test", "--plan"]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(err.contains("must use https"), "{err}");
}

// ---- library level: alert rules (hand-made documents) and faults --------

pub(crate) fn scheduled_body(name: &str, threshold: i64) -> Value {
    json!({"kind": "Scheduled", "properties": scheduled_props(name, threshold)})
}

pub(crate) fn scheduled_props(name: &str, threshold: i64) -> Value {
    json!({
        "displayName": name, "description": "test rule", "severity": "Medium", "enabled": true,
        "query": "SecurityEvent | where EventID == 4625", "queryFrequency": "PT60M", "queryPeriod": "PT24H",
        "triggerOperator": "GreaterThan", "triggerThreshold": threshold,
        "suppressionDuration": "PT5H", "suppressionEnabled": false,
        "tactics": ["CredentialAccess"], "techniques": ["T1110"],
        "incidentConfiguration": {"createIncident": true, "groupingConfiguration": {
            "enabled": false, "reopenClosedIncident": false, "lookbackDuration": "PT5H", "matchingMethod": "AllEntities"}},
    })
}

pub(crate) fn nrt_props(name: &str) -> Value {
    json!({
        "displayName": name, "severity": "High", "enabled": true, "query": "SigninLogs | take 1",
        "suppressionDuration": "PT1H", "suppressionEnabled": false, "tactics": ["InitialAccess"],
    })
}

pub(crate) fn rule_id(i: usize) -> String {
    format!("aaaaaaaa-0000-4000-8000-{i:012}")
}

/// `n` Scheduled rules (thresholds 0..), one NRT rule and one hunting query.
pub(crate) fn content(n: usize) -> Vec<Resource> {
    let mut out: Vec<Resource> = (0..n)
        .map(|i| {
            desired(
                ResourceType::AlertRule,
                rule_id(i),
                Some("Scheduled".into()),
                scheduled_props(&format!("Rule {i}"), 0),
                None,
            )
        })
        .collect();
    out.push(desired(
        ResourceType::AlertRule,
        "bbbbbbbb-0000-4000-8000-000000000001".into(),
        Some("NRT".into()),
        nrt_props("NRT rule"),
        None,
    ));
    out.push(desired(
        ResourceType::SavedSearch,
        "cccccccc-0000-4000-8000-000000000001".into(),
        None,
        json!({"category": "Hunting Queries", "displayName": "Hunt", "query": "AzureActivity | take 1", "version": 2}),
        None,
    ));
    out
}

pub(crate) fn session(emu: &Emulator, env_file: &str) -> Session {
    let target = Target::parse("test", env_file, &|k| {
        matches!(k, "SENTINEL_FORGE_ARM_ENDPOINT" | "AZURE_AUTHORITY_HOST").then(|| emu.url())
    })
    .unwrap();
    let var = |k: &str| (k == "SENTINEL_FORGE_TOKEN").then(|| FAKE_TOKEN.to_string());
    let options = SentinelClientOptions { retry: fast_retry(), ..Default::default() };
    connect(target, Some(AuthKind::Token), &var, Some(options)).unwrap()
}

pub(crate) fn rt() -> tokio::runtime::Runtime {
    sentinel_forge::deploy::runtime().unwrap()
}

pub(crate) fn plan_and_apply(
    rt: &tokio::runtime::Runtime,
    s: &Session,
    want: &[Resource],
    prune: bool,
) -> (Plan, Report) {
    let actual = rt.block_on(read_actual(&s.client)).unwrap();
    let p = plan(want, &actual, &PlanOptions::new("test")).unwrap();
    let options = ApplyOptions { concurrency: 4, prune, ..ApplyOptions::default() };
    let report = rt.block_on(apply(Arc::clone(&s.client), &p, &options)).unwrap();
    (p, report)
}

#[test]
fn alert_rules_scheduled_and_nrt_deploy_page_and_converge() {
    let emu = emulator(); // page size 3: 7 rules need 3 pages
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    let want = content(6);
    let (p, report) = plan_and_apply(&rt, &s, &want, false);
    assert_eq!(p.count(Action::Create), 8);
    assert!(report.ok(), "{report:?}");
    assert_eq!(emu.names(ResourceType::AlertRule).len(), 7);
    // The manifest lists the managed rules (and only those).
    let manifest = Resource::from_arm(
        ResourceType::SavedSearch,
        emu.resource(ResourceType::SavedSearch, &ownership::manifest_name("test")).unwrap(),
    )
    .unwrap();
    assert_eq!(ownership::manifest_ids(&manifest).unwrap().len(), 7);
    // The emulator answers PT60M as PT1H and PT24H as P1D: still unchanged.
    assert_eq!(emu.resource(ResourceType::AlertRule, &rule_id(0)).unwrap()["properties"]["queryFrequency"], "PT1H");
    emu.reset_stats();
    let (p, report) = plan_and_apply(&rt, &s, &want, false);
    assert_eq!(p.count(Action::Unchanged), 8, "{:?}", p.changes);
    assert!(report.ok());
    assert_eq!(emu.stats().writes, 0);
    assert!(emu.stats().reads >= 4, "alert rules were paged (3 pages) plus the saved searches list");

    // A changed threshold: exactly one PUT, naming the field.
    let mut changed = want.clone();
    changed[2] =
        desired(ResourceType::AlertRule, rule_id(2), Some("Scheduled".into()), scheduled_props("Rule 2", 5), None);
    emu.reset_stats();
    let (p, report) = plan_and_apply(&rt, &s, &changed, false);
    let update: Vec<_> = p.changes.iter().filter(|c| c.action == Action::Update).collect();
    assert_eq!(update.len(), 1);
    assert_eq!(update[0].fields, ["properties.triggerThreshold"]);
    assert!(report.ok());
    assert_eq!(emu.stats().writes, 1);
}

#[test]
fn nrt_rules_need_a_preview_api_version() {
    let emu = emulator();
    let rt = rt();
    let stable_everywhere = ENV_FILE.replace("nrt = \"2025-07-01-preview\"", "nrt = \"2025-12-01\"");
    let s = session(&emu, &stable_everywhere);
    let (_, report) = plan_and_apply(&rt, &s, &content(1), false);
    let failed: Vec<_> = report.failed().collect();
    assert_eq!(failed.len(), 1, "{report:?}");
    assert_eq!(failed[0].change.kind.as_deref(), Some("NRT"));
    let err = failed[0].error.as_ref().unwrap();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("x-ms-request-id"), "{err}");
    // A stable list does not even show an NRT rule that exists.
    let s = session(&emu, ENV_FILE);
    rt.block_on(apply(
        Arc::clone(&s.client),
        &plan(&content(1), &rt.block_on(read_actual(&s.client)).unwrap(), &PlanOptions::new("test")).unwrap(),
        &ApplyOptions::default(),
    ))
    .unwrap();
    let stable = session(&emu, &stable_everywhere);
    let listed = rt.block_on(stable.client.list(ResourceType::AlertRule)).unwrap();
    assert_eq!(listed.len(), 1, "only the Scheduled rule is listed with a stable api-version");
}

#[test]
fn bodies_are_validated_against_the_openapi_definitions() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    let mut props = scheduled_props("Broken", 0);
    props.as_object_mut().unwrap().remove("queryFrequency");
    props["triggerOperator"] = json!("Sometimes");
    let want = vec![desired(ResourceType::AlertRule, rule_id(1), Some("Scheduled".into()), props, None)];
    let (_, report) = plan_and_apply(&rt, &s, &want, false);
    let err = report.failed().next().expect("rejected").error.as_ref().unwrap().to_string();
    assert!(err.contains("HTTP 400") && err.contains("queryFrequency") && err.contains("Sometimes"), "{err}");
    assert_eq!(emu.stats().rejected, 1);
}

#[test]
fn alert_rule_prune_uses_the_manifest_and_spares_portal_rules() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    let want = content(3);
    assert!(plan_and_apply(&rt, &s, &want, false).1.ok());
    emu.insert(ResourceType::AlertRule, "portal-rule", scheduled_body("Portal rule", 1));
    // A portal "duplicate" of a managed rule: same description, new id.
    emu.insert(ResourceType::AlertRule, "portal-copy", scheduled_body("Rule 0", 0));
    let fewer: Vec<Resource> = want.iter().filter(|r| r.name != rule_id(1)).cloned().collect();
    emu.reset_stats();
    let (p, report) = plan_and_apply(&rt, &s, &fewer, true);
    assert!(report.ok(), "{report:?}");
    let deleted: Vec<&str> = p.changes.iter().filter(|c| c.action == Action::Delete).map(|c| c.name.as_str()).collect();
    assert_eq!(deleted, [rule_id(1).as_str()]);
    assert!(emu.resource(ResourceType::AlertRule, &rule_id(1)).is_none());
    assert!(emu.resource(ResourceType::AlertRule, "portal-rule").is_some());
    assert!(emu.resource(ResourceType::AlertRule, "portal-copy").is_some());
    let manifest = Resource::from_arm(
        ResourceType::SavedSearch,
        emu.resource(ResourceType::SavedSearch, &ownership::manifest_name("test")).unwrap(),
    )
    .unwrap();
    assert!(!ownership::manifest_ids(&manifest).unwrap().contains(&rule_id(1)));
    assert_eq!(emu.stats().writes, 2, "one delete and one manifest update");
    // And a rerun is a no-op.
    emu.reset_stats();
    let (p, _) = plan_and_apply(&rt, &s, &fewer, true);
    assert!(!p.has_drift(), "{:?}", p.changes);
    assert_eq!(emu.stats().writes, 0);
}

/// Deploy `content(12)` under `faults`; it must converge with no failure.
/// Returns the emulator's counters and how long the faulted deploy took.
fn converges_under(spec: &str) -> (sentinel_forge::emulator::Stats, std::time::Duration) {
    let emu = emulator();
    emu.set_faults(spec.parse::<Faults>().unwrap());
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    let want = content(12);
    let t0 = std::time::Instant::now();
    let (_, report) = plan_and_apply(&rt, &s, &want, false);
    let took = t0.elapsed();
    assert!(
        report.ok(),
        "{spec}: {:?}",
        report.failed().map(|o| o.error.as_ref().unwrap().to_string()).collect::<Vec<_>>()
    );
    let stats = emu.stats();
    emu.set_faults(Faults::default());
    let (p, _) = plan_and_apply(&rt, &s, &want, false);
    assert!(!p.has_drift(), "{spec}: converged state has no drift");
    assert_eq!(emu.names(ResourceType::AlertRule).len(), 13);
    (stats, took)
}

#[test]
fn throttling_with_retry_after_converges() {
    let (stats, _) = converges_under("429=0.3,retry-after=0,seed=11");
    assert!(stats.throttled > 0);
}

#[test]
fn server_errors_converge() {
    let (stats, _) = converges_under("500=0.15,503=0.15,retry-after=0,seed=5");
    assert!(stats.errors_500 > 0 && stats.errors_503 > 0);
}

#[test]
fn dropped_connections_converge() {
    let (stats, _) = converges_under("drop=0.2,seed=3");
    assert!(stats.dropped > 0);
}

#[test]
fn latency_is_tolerated_and_requests_in_flight_stay_bounded() {
    let (stats, took) = converges_under("latency=30ms");
    // Three lists (alert rules at the NRT and the Scheduled api-version,
    // saved searches), the manifest and 14 creates; no retry was needed.
    assert_eq!((stats.reads, stats.writes, stats.requests), (3, 15, 18), "{stats:?}");
    assert!(stats.max_in_flight > 1, "requests overlap: {stats:?}");
    assert!(stats.max_in_flight <= 4, "--concurrency 4 bounds requests in flight: {stats:?}");
    // Every request waited 30 ms, at most 4 at a time: the latency applied.
    let floor = std::time::Duration::from_millis(30 * stats.requests / stats.max_in_flight);
    assert!(took >= floor, "took {took:?}, less than {floor:?}: the latency was not applied");
}

#[test]
fn hand_made_analytics_documents_become_alert_rules() {
    use sentinel_forge::deploy::resource::documents_to_resources;
    use sentinel_forge::emit::Document;
    let doc = |path: &str, resource: Value| Document {
        path: path.into(),
        text: String::new(),
        json: json!({"resources": [resource]}),
        schema: sentinel_forge::emit::SchemaName::None,
        origin: None,
    };
    let docs = vec![
        doc(
            "arm/analytics/brute-force.json",
            json!({
            "type": "Microsoft.OperationalInsights/workspaces/providers/alertRules", "apiVersion": "2025-12-01",
            "name": "[concat(parameters('workspace'),'/Microsoft.SecurityInsights/dddddddd-0000-4000-8000-000000000001')]",
            "kind": "Scheduled", "properties": scheduled_props("Brute force", 3)}),
        ),
        doc(
            "arm/hunting/h.json",
            json!({
            "type": "Microsoft.OperationalInsights/workspaces/savedSearches", "apiVersion": "2025-02-01",
            "name": "[concat(parameters('workspace'), '/eeeeeeee-0000-4000-8000-000000000001')]",
            "properties": {"category": "Hunting Queries", "displayName": "H", "query": "T", "version": 2}}),
        ),
        doc("arm/azuredeploy.json", json!({"type": "ignored"})),
    ];
    let want = documents_to_resources(&docs).unwrap();
    assert_eq!(want.len(), 2);
    assert_eq!(want[0].rtype, ResourceType::AlertRule);
    assert_eq!(want[0].name, "dddddddd-0000-4000-8000-000000000001");
    assert_eq!(want[0].kind.as_deref(), Some("Scheduled"));
    assert_eq!(want[0].source.as_deref(), Some("arm/analytics/brute-force.json"));
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    assert!(plan_and_apply(&rt, &s, &want, false).1.ok());
    assert_eq!(emu.resource(ResourceType::AlertRule, &want[0].name).unwrap()["properties"]["triggerThreshold"], 3);
}

#[test]
fn a_permanent_failure_does_not_stop_the_others_and_a_rerun_converges() {
    let emu = emulator();
    let rt = rt();
    let s = session(&emu, ENV_FILE);
    let want = content(5);
    emu.set_faults(format!("fail={}", rule_id(3)).parse().unwrap());
    let (_, report) = plan_and_apply(&rt, &s, &want, false);
    let failed: Vec<&str> = report.failed().map(|o| o.change.name.as_str()).collect();
    assert_eq!(failed, [rule_id(3).as_str()]);
    assert_eq!(report.count(Action::Create), 6, "the other rules were created");
    emu.set_faults(Faults::default());
    emu.reset_stats();
    let (p, report) = plan_and_apply(&rt, &s, &want, false);
    assert!(report.ok());
    assert_eq!(p.count(Action::Create), 1);
    assert_eq!(emu.stats().writes, 1);
}

#[test]
fn github_oidc_fetches_the_actions_id_token_as_client_assertion() {
    let emu = emulator();
    let rt = rt();
    let target = Target::parse("test", ENV_FILE, &|k| {
        matches!(k, "SENTINEL_FORGE_ARM_ENDPOINT" | "AZURE_AUTHORITY_HOST").then(|| emu.url())
    })
    .unwrap();
    let url = format!("{}/_github/idtoken?api-version=2.0", emu.url());
    let var = move |k: &str| match k {
        "ACTIONS_ID_TOKEN_REQUEST_URL" => Some(url.clone()),
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN" => Some("gh-request-token".into()),
        "AZURE_TENANT_ID" => Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
        "AZURE_CLIENT_ID" => Some("33333333-3333-3333-3333-333333333333".into()),
        _ => None,
    };
    let s = connect(target, Some(AuthKind::Auto), &var, None).unwrap();
    assert_eq!(s.auth, AuthKind::GithubOidc, "auto picks GitHub OIDC from the Actions variables");
    let listed = rt.block_on(s.client.list(ResourceType::SavedSearch)).unwrap();
    assert!(listed.is_empty());
    let stats = emu.stats();
    assert_eq!((stats.github_token_requests, stats.token_requests), (1, 1));
}

#[test]
fn the_emulator_rejects_unknown_api_versions() {
    let emu = emulator();
    let rt = rt();
    let bad = ENV_FILE.replace("saved_searches = \"2025-02-01\"", "saved_searches = \"latest\"");
    let s = session(&emu, &bad);
    let err = rt.block_on(s.client.list(ResourceType::SavedSearch)).unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("InvalidApiVersionParameter"), "{err}");
}

#[test]
fn workload_identity_exchanges_the_token_file_at_the_authority_host() {
    let emu = emulator();
    let rt = rt();
    let target = Target::parse("test", ENV_FILE, &|k| {
        matches!(k, "SENTINEL_FORGE_ARM_ENDPOINT" | "AZURE_AUTHORITY_HOST").then(|| emu.url())
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "federated.jwt.token").unwrap();
    let path = token_file.to_string_lossy().into_owned();
    let var = move |k: &str| match k {
        "AZURE_FEDERATED_TOKEN_FILE" => Some(path.clone()),
        "AZURE_TENANT_ID" => Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
        "AZURE_CLIENT_ID" => Some("44444444-4444-4444-4444-444444444444".into()),
        _ => None,
    };
    let s = connect(target, None, &var, None).unwrap();
    assert_eq!(s.auth, AuthKind::Workload, "auto (the file's [auth] kind) picks workload identity");
    assert!(rt.block_on(s.client.list(ResourceType::AlertRule)).unwrap().is_empty());
    assert_eq!(emu.stats().token_requests, 1);
}

#[test]
fn deploy_uses_the_environments_overrides() {
    let emu = emulator();
    let dir = project();
    let env = dir.path().join("content/environments/test.toml");
    let mut text = std::fs::read_to_string(&env).unwrap();
    text.push_str(&format!("\n[overrides.\"{SPIKE_ID}\"]\nparams = {{ min_commands = 7 }}\n"));
    std::fs::write(&env, text).unwrap();
    let (code, out, err) = run(forge(dir.path(), &emu).args(["deploy", "--env", "test", "--auth", "token"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let q = emu.resource(ResourceType::SavedSearch, SPIKE_ID).unwrap()["properties"]["query"].clone();
    assert!(q.as_str().unwrap().contains("let commandsExecuted = 7;"), "the override reaches the workspace: {q}");
}
