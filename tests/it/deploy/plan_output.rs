//! The plan as people read it: every kind of row, the foreign count per
//! owner and the blocked error (an insta snapshot; review changes).

use serde_json::json;

use sentinel_forge::deploy::ownership;
use sentinel_forge::deploy::plan::{Actual, PlanOptions, plan, render_table};
use sentinel_forge::deploy::resource::{Resource, ResourceType, desired};

use super::{nrt_props, scheduled_props};

fn actual(rtype: ResourceType, name: &str, kind: Option<&str>, properties: serde_json::Value) -> Resource {
    let mut body = json!({"properties": properties, "etag": "\"1\""});
    if let Some(k) = kind {
        body["kind"] = json!(k);
    }
    Resource::from_arm(rtype, {
        body["name"] = json!(name);
        body
    })
    .unwrap()
}

#[test]
fn plan_table_shows_every_action_foreign_and_blocked() {
    let rule = |i: u32| format!("aaaaaaaa-0000-4000-8000-00000000000{i}");
    let ids = |v: &[u32]| v.iter().map(|i| rule(*i)).collect();
    let mut hunt = json!({"category": "Hunting Queries", "displayName": "Foreign hunt", "query": "T", "version": 2});
    ownership::tag_saved_search(&mut hunt, "team-b");
    let actual = Actual {
        alert_rules: vec![
            actual(ResourceType::AlertRule, &rule(1), Some("Scheduled"), scheduled_props("Unchanged rule", 0)),
            actual(ResourceType::AlertRule, &rule(2), Some("Scheduled"), scheduled_props("Threshold rule", 0)),
            actual(ResourceType::AlertRule, &rule(3), Some("Scheduled"), scheduled_props("Becomes NRT", 0)),
            actual(ResourceType::AlertRule, &rule(4), Some("Scheduled"), scheduled_props("Left the content", 0)),
            actual(ResourceType::AlertRule, &rule(5), Some("Scheduled"), scheduled_props("Made by hand", 0)),
            actual(ResourceType::AlertRule, &rule(6), Some("Scheduled"), scheduled_props("Team B rule", 0)),
        ],
        saved_searches: vec![
            ownership::manifest_resource("team-a", &ids(&[1, 2, 3, 4])),
            ownership::manifest_resource("team-b", &ids(&[6])),
            actual(ResourceType::SavedSearch, "hunt-b", None, hunt),
        ],
    };
    let want = vec![
        desired(ResourceType::AlertRule, rule(1), Some("Scheduled".into()), scheduled_props("Unchanged rule", 0), None),
        desired(ResourceType::AlertRule, rule(2), Some("Scheduled".into()), scheduled_props("Threshold rule", 3), None),
        desired(ResourceType::AlertRule, rule(3), Some("NRT".into()), nrt_props("Becomes NRT"), None),
        desired(ResourceType::AlertRule, rule(5), Some("Scheduled".into()), scheduled_props("Made by hand", 0), None),
        desired(ResourceType::AlertRule, rule(7), Some("Scheduled".into()), scheduled_props("New rule", 0), None),
    ];
    let p = plan(&want, &actual, &PlanOptions::new("team-a")).unwrap();
    insta::assert_snapshot!("plan_blocked", render_table(&p, false));
    let p = plan(&want, &actual, &PlanOptions { adopt: true, ..PlanOptions::new("team-a") }).unwrap();
    insta::assert_snapshot!("plan_adopt_prune", render_table(&p, true));
}
