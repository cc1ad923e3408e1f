//! The Sentinel linter (`validate PATH…`): one fire/pass fixture pair per
//! rule under `tests/fixtures/lint/<CODE>/`, rule-registry meta-tests, output
//! formats (SARIF validated against the OASIS schema), robustness on hostile
//! input, and the per-code counts over the shared corpus of real content.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use sentinel_forge::codes;
use sentinel_forge::diag::render::{github, json, sarif, text};
use sentinel_forge::lint::engine::lint_text;
use sentinel_forge::lint::{LintOptions, LintReport, RULES, lint_paths};

use crate::util::{copy_tree, root};

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/lint")
}

/// `options.json` in a fixture case: `max_file_bytes`, `structure_skip_ids`.
fn options_for(case: &Path) -> LintOptions {
    let mut options = LintOptions::default();
    if let Ok(t) = std::fs::read_to_string(case.join("options.json")) {
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        options.max_file_bytes = v["max_file_bytes"].as_u64();
        if let Some(ids) = v["structure_skip_ids"].as_array() {
            options.structure_skip_ids = ids.iter().map(|i| i.as_str().unwrap().to_string()).collect();
        }
    }
    options
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(st.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&st.stderr));
}

/// Lint one fixture case (`fire` or `pass`). With a `base/` directory the
/// case runs in a scratch git repository whose HEAD holds `base/`.
fn lint_case(code_dir: &Path, case: &str) -> (LintReport, Option<tempfile::TempDir>) {
    let case_dir = code_dir.join(case);
    let mut options = options_for(&case_dir);
    if code_dir.join("base").is_dir() {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&code_dir.join("base"), tmp.path());
        git(tmp.path(), &["init", "-q"]);
        git(tmp.path(), &["add", "."]);
        git(tmp.path(), &["commit", "-q", "-m", "base"]);
        copy_tree(&case_dir, tmp.path());
        options.base = Some("HEAD".into());
        let report = lint_paths(&[tmp.path().to_path_buf()], &options).unwrap();
        return (report, Some(tmp));
    }
    (lint_paths(&[case_dir], &options).unwrap(), None)
}

/// Paths in output relative to the repository root, whatever the working
/// directory (no test changes the process-wide one).
fn relative(text: String) -> String {
    text.replace(&format!("{}/", root().display()), "")
}

fn codes_of(report: &LintReport) -> Vec<&'static str> {
    report.diagnostics.iter().map(|d| d.code.id).collect()
}

#[test]
fn every_rule_fires_on_its_fixture_and_not_on_the_passing_one() {
    for rule in RULES {
        let code = rule.code();
        let dir = fixtures().join(code.id);
        let (fire, tmp) = lint_case(&dir, "fire");
        assert!(codes_of(&fire).contains(&code.id), "{}: fire case did not fire; got {:?}", code.id, codes_of(&fire));
        let (pass, _) = lint_case(&dir, "pass");
        // A pass case that stopped being read as Sentinel content would
        // "not fire" for free.
        assert!(
            pass.documents > 0,
            "{}: the pass case holds no Sentinel document (files read {}, skipped {:?})",
            code.id,
            pass.files_seen,
            pass.skipped
        );
        assert!(
            !codes_of(&pass).contains(&code.id),
            "{}: pass case fired: {}",
            code.id,
            text::render(&pass.diagnostics, &pass.sources, false)
        );
        // What users see, with the scratch directory masked.
        let mut rendered = text::render(
            &fire.diagnostics.iter().filter(|d| d.code.id == code.id).cloned().collect::<Vec<_>>(),
            &fire.sources,
            false,
        );
        if let Some(tmp) = &tmp {
            rendered = rendered.replace(&tmp.path().display().to_string(), "<git>");
        }
        let rendered = relative(rendered);
        insta::assert_snapshot!(format!("lint__{}-{}", code.id, code.name), rendered);
    }
}

#[test]
fn every_rule_has_docs_a_fixture_pair_and_a_unique_code() {
    let mut seen = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        let code = rule.code();
        assert_eq!(code.id, format!("SNT{:03}", i + 1), "codes are sequential in registry order");
        assert!(code.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{} name must be kebab-case", code.id);
        for part in ["What:", "Why:", "Example:", "Fix:"] {
            assert!(code.docs.contains(part), "{} docs lack {part}", code.id);
        }
        let dir = fixtures().join(code.id);
        for case in ["fire", "pass"] {
            let has_file = walkdir::WalkDir::new(dir.join(case))
                .into_iter()
                .filter_map(Result::ok)
                .any(|e| e.file_type().is_file() && e.file_name() != "options.json");
            assert!(has_file, "no fixture under tests/fixtures/lint/{}/{case}/", code.id);
        }
        // `explain` knows it.
        assert_eq!(codes::lookup(code.id).map(|c| c.docs), Some(code.docs));
        assert_eq!(codes::lookup(code.name).map(|c| c.id), Some(code.id));
        seen.push(code.id);
    }
    // No orphan fixture directories.
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name == "regressions" || seen.contains(&name.as_str()), "fixture directory {name} has no rule");
    }
    let mut all: Vec<&str> = codes::all().iter().map(|c| c.id).collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "codes are unique across families");
}

/// Every fire fixture at once: a realistic mixed report.
fn all_fire_cases() -> LintReport {
    let dirs: Vec<PathBuf> = RULES
        .iter()
        .map(|r| fixtures().join(r.code().id).join("fire"))
        .filter(|d| !d.join("options.json").exists() && !d.parent().unwrap().join("base").exists())
        .collect();
    lint_paths(&dirs, &LintOptions::default()).unwrap()
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let report = all_fire_cases();
    assert!(report.diagnostics.len() > 20);
    let out = sarif::render_with_rules(&report.diagnostics, &report.sources, &sentinel_forge::lint::codes());
    let instance: serde_json::Value = serde_json::from_str(&out).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "SARIF output violates the schema:\n{}", errors.join("\n"));
    // Results point at rules by index, and regions are 1-based.
    let run = &instance["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        if let Some(loc) = r.get("locations") {
            assert!(loc[0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
        }
    }
    // A document that is not SARIF fails the same validator (the test is not vacuous).
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.0.0", "runs": []})));
}

#[test]
fn github_annotations_carry_positions_and_escape_properties() {
    let report = lint_paths(&[fixtures().join("SNT010/fire")], &LintOptions::default()).unwrap();
    let out = relative(github::render(&report.diagnostics, &report.sources));
    let expected = "::error file=tests/fixtures/lint/SNT010/fire/Rule.yaml,line=10,col=17,endLine=10,endColumn=21,title=SNT010 invalid-query-schedule::`queryFrequency` value `PT1H` is not a duration (expected `<n>m`, `<n>h` or `<n>d`)%0Ahelp: ISO-8601 is the ARM spelling; rule YAML writes `1h`\n";
    assert_eq!(out, expected);
}

#[test]
fn json_output_has_line_and_column_of_the_offending_value() {
    let report = lint_paths(&[fixtures().join("SNT012/fire")], &LintOptions::default()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json::render(&report.diagnostics, &report.sources)).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "SNT012");
    assert_eq!((d["location"]["line"].as_u64(), d["location"]["column"].as_u64()), (Some(12), Some(18)));
    assert_eq!(d["location"]["text"], "GT");
}

fn forge(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sentinel-forge"));
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

#[test]
fn cli_select_ignore_config_and_exit_codes() {
    let fire = fixtures().join("SNT010/fire");
    let tmp = tempfile::tempdir().unwrap();
    let out = forge(tmp.path()).arg("validate").arg(&fire).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[SNT010]"));
    let out = forge(tmp.path()).args(["validate", "--ignore", "SNT010"]).arg(&fire).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out =
        forge(tmp.path()).args(["validate", "--select", "duplicate-template-id,SNT02"]).arg(&fire).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = forge(tmp.path()).args(["validate", "--select", "NOPE1"]).arg(&fire).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "unknown selectors are a usage error");
    // `[lint]` in sentinel-forge.toml at the working directory.
    std::fs::write(tmp.path().join("sentinel-forge.toml"), "[lint]\nignore = [\"invalid-query-schedule\"]\n").unwrap();
    let out = forge(tmp.path()).arg("validate").arg(&fire).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out =
        forge(tmp.path()).args(["validate", "--format", "sarif"]).arg(fixtures().join("SNT012/fire")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "SNT012");
    let out = forge(tmp.path()).args(["explain", "SNT023"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("technique-without-tactic"));
    std::fs::write(tmp.path().join("sentinel-forge.toml"), "[lint]\nselekt = []\n").unwrap();
    let out = forge(tmp.path()).arg("validate").arg(&fire).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "unknown [lint] keys are rejected");
}

#[test]
fn hostile_input_is_a_diagnostic_or_a_clean_skip() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("garbage.yaml"),
        (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    std::fs::write(d.join("deep.yaml"), "[".repeat(1_000_000)).unwrap();
    std::fs::write(d.join("deep-map.yaml"), (0..1500).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>())
        .unwrap();
    let mut bomb = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..9 {
        bomb.push_str(&format!(
            "{}: &{} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n",
            (b'a' + i) as char,
            (b'a' + i) as char,
            p = (b'a' + i - 1) as char
        ));
    }
    bomb.push_str("query: x\nid: 1\n");
    std::fs::write(d.join("bomb.yaml"), bomb).unwrap();
    std::fs::write(d.join("big.json"), vec![b' '; 50 * 1024 * 1024]).unwrap();
    std::fs::write(d.join("workflow.yml"), "on: push\njobs: {}\n").unwrap();
    std::fs::write(d.join("package.json"), "{\"name\": \"x\"}").unwrap();
    std::fs::write(d.join("notes.txt"), "not linted").unwrap();
    let report = lint_paths(&[d.to_path_buf()], &LintOptions::default()).unwrap();
    let by_file: BTreeMap<String, Vec<&str>> = report.diagnostics.iter().fold(BTreeMap::new(), |mut m, x| {
        let f = report.sources.get(x.primary.as_ref().unwrap().file).path.rsplit('/').next().unwrap().to_string();
        m.entry(f).or_default().push(x.code.id);
        m
    });
    assert_eq!(by_file.get("garbage.yaml").map(Vec::as_slice), Some(&["SNT001"][..]));
    assert_eq!(by_file.get("deep.yaml").map(Vec::as_slice), Some(&["SNT001"][..]));
    assert_eq!(by_file.get("deep-map.yaml").map(Vec::as_slice), Some(&["SNT001"][..]));
    assert_eq!(by_file.get("big.json").map(Vec::as_slice), Some(&["SNT003"][..]));
    assert!(!by_file.contains_key("workflow.yml") && !by_file.contains_key("package.json"));
    assert!(by_file.contains_key("bomb.yaml"), "the alias bomb is linted without expanding aliases");
    assert_eq!(report.files_seen, 7);
}

#[test]
fn ten_thousand_files() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..10_000u32 {
        let sub = tmp.path().join(format!("d{}", i / 500));
        std::fs::create_dir_all(&sub).unwrap();
        let body = format!(
            "id: {:08x}-0000-4000-8000-000000000000\nname: q{i}\ntactics: [Execution]\nquery: |\n  AzureActivity\n  | take {i}\n",
            i
        );
        std::fs::write(sub.join(format!("q{i}.yaml")), body).unwrap();
    }
    let report = lint_paths(&[tmp.path().to_path_buf()], &LintOptions::default()).unwrap();
    assert_eq!(report.files_checked, 10_000);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics.first());
}

#[test]
fn arm_templates_are_linted_per_resource() {
    let report = lint_paths(&[fixtures().join("SNT029/fire")], &LintOptions::default()).unwrap();
    assert_eq!(report.documents, 1);
    assert_eq!(codes_of(&report), vec!["SNT029"]);
    // A solution package wraps rules in contentTemplates.
    let wrapped = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.OperationalInsights/workspaces/providers/contentTemplates",
            "name": "x",
            "properties": { "mainTemplate": { "resources": [
                { "type": "Microsoft.SecurityInsights/AlertRuleTemplates", "name": "0b5a1c2e-93f4-4e0b-9d0a-2b3c4d5e6f70", "kind": "NRT",
                  "properties": { "displayName": "x", "severity": "High", "enabled": false, "query": "AzureActivity", "suppressionEnabled": false,
                                  "suppressionDuration": "PT1H", "tactics": ["Execution"], "techniques": ["T1078"] } },
                { "type": "Microsoft.OperationalInsights/savedSearches", "name": "h",
                  "properties": { "category": "Hunting Queries", "displayName": "h", "query": "search * | take 1" } }
            ]}}
        }]
    });
    let report =
        lint_text("mainTemplate.json", &serde_json::to_string_pretty(&wrapped).unwrap(), &LintOptions::default());
    assert_eq!(report.documents, 2);
    assert_eq!(codes_of(&report), vec!["SNT023"], "{}", text::render(&report.diagnostics, &report.sources, false));
}

/// Inputs that once crashed the linter (from fuzzing): each must lint without panicking.
#[test]
fn fuzz_regressions() {
    for entry in std::fs::read_dir(fixtures().join("regressions")).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for name in ["regression.yaml", "regression.json"] {
            let _ = lint_text(name, &text, &LintOptions::default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The YAML front end survives arbitrary bytes (these rarely form a
    /// Sentinel document: `random_rules_reach_every_rule` covers the rules).
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = lint_text("random.yaml", &text, &LintOptions::default());
    }

    /// Structurally valid analytic rules with random field values: each is
    /// read as one Sentinel document (so every rule runs on it), nothing
    /// panics, and every span is inside the file.
    #[test]
    fn random_rules_reach_every_rule(rule in random_rule()) {
        let report = lint_text("Rule.yaml", &rule, &LintOptions::default());
        prop_assert_eq!(report.documents, 1, "not read as a rule:\n{}", rule);
        for d in &report.diagnostics {
            for l in d.primary.iter().chain(&d.secondary) {
                let len = report.sources.get(l.file).text.len() as u32;
                prop_assert!(l.range.start <= l.range.end && l.range.end <= len, "{:?}", d);
            }
        }
    }

    /// Random edits of a valid rule never panic and spans stay inside the file.
    #[test]
    fn mutated_rules_keep_spans_in_bounds(pos in 0usize..2000, insert in "[ -~\n\t:\\[\\]{}\\-|>'\"*&!#%@`é]{0,12}") {
        let base = std::fs::read_to_string(root().join("tests/fixtures/lint/SNT010/pass/Rule.yaml")).unwrap();
        let mut at = pos.min(base.len());
        while !base.is_char_boundary(at) { at -= 1; }
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        let report = lint_text("mutated.yaml", &text, &LintOptions::default());
        for d in &report.diagnostics {
            for l in d.primary.iter().chain(&d.secondary) {
                let len = report.sources.get(l.file).text.len() as u32;
                prop_assert!(l.range.start <= l.range.end && l.range.end <= len, "{:?}", d);
            }
        }
    }
}

/// Per-code counts over the shared corpus of real rule and hunting YAML.
/// Run by `.ci/run` with `--ignored`.
#[test]
#[ignore = "needs ../shared/corpus"]
fn corpus_counts() {
    let corpus = root().join("../shared/corpus/yaml");
    assert!(corpus.is_dir(), "{} not found", corpus.display());
    let report = lint_paths(&[corpus], &LintOptions::default()).unwrap();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for d in &report.diagnostics {
        let sev = if d.is_error() { "error" } else { "warning" };
        *counts.entry(format!("{} {} ({sev})", d.code.id, d.code.name)).or_default() += 1;
    }
    let mut out = format!(
        "files read: {}\nfiles with Sentinel content: {}\ndocuments: {}\nskipped: {}\n",
        report.files_seen,
        report.files_checked,
        report.documents,
        report.skipped.len()
    );
    for (k, v) in &counts {
        out.push_str(&format!("{k}: {v}\n"));
    }
    insta::assert_snapshot!("lint_corpus_counts", out);
}

/// A value that is usually plausible and sometimes anything printable.
fn plausible(good: Vec<&'static str>) -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(good).prop_map(str::to_string), 1 => "[ -~]{0,16}"]
}

/// A Sentinel analytic rule in YAML, every key present with a random value
/// (scalars written as JSON strings, which YAML reads as double-quoted).
fn random_rule() -> impl Strategy<Value = String> {
    let id = prop_oneof!["[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}", "[ -~]{0,40}"];
    let duration = prop_oneof!["[0-9]{1,3}[mhd]", "PT[0-9]{1,2}H", "[ -~]{0,6}"];
    let tactic = plausible(vec!["Execution", "Persistence", "LateralMovement", "Impact", "InitialAccess"]);
    let technique = prop_oneof!["T[0-9]{4}(\\.[0-9]{3})?", "[ -~]{0,8}"];
    let query = prop_oneof!["AzureActivity \\| where Caller == '[a-z ]{0,12}' \\| take [0-9]{1,3}", "[ -~\n]{0,200}",];
    (
        (id, "[ -~]{0,60}", "[ -~\n]{0,120}"),
        (
            plausible(vec!["High", "Medium", "Low", "Informational", "Critical"]),
            duration.clone(),
            duration,
            plausible(vec!["gt", "lt", "eq", "ne", "GreaterThan"]),
            -5i64..200,
        ),
        (prop::collection::vec(tactic, 0..4), prop::collection::vec(technique, 0..3), query),
        (plausible(vec!["Scheduled", "NRT", "scheduled"]), plausible(vec!["1.0.0", "2.1.3"]), any::<bool>()),
    )
        .prop_map(|((id, name, description), (severity, freq, period, op, threshold), (tactics, techniques, query), (kind, version, grouping))| {
            let q = |s: &str| serde_json::to_string(s).unwrap();
            let list = |v: &[String]| v.iter().map(|s| format!("  - {}\n", q(s))).collect::<String>();
            format!(
                "id: {}\nname: {}\ndescription: {}\nseverity: {}\nrequiredDataConnectors:\n  - connectorId: AzureActivity\n    dataTypes:\n      - AzureActivity\nqueryFrequency: {}\nqueryPeriod: {}\ntriggerOperator: {}\ntriggerThreshold: {threshold}\ntactics:\n{}relevantTechniques:\n{}query: {}\nentityMappings:\n  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: Caller\neventGroupingSettings:\n  aggregationKind: {}\nkind: {}\nversion: {}\n",
                q(&id),
                q(&name),
                q(&description),
                q(&severity),
                q(&freq),
                q(&period),
                q(&op),
                list(&tactics),
                list(&techniques),
                q(&query),
                if grouping { "SingleAlert" } else { "AlertPerResult" },
                q(&kind),
                q(&version),
            )
        })
}
