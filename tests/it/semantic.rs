//! The bundled content passes the semantic checker: every rendered query
//! reads known tables and columns and calls known functions.

use sentinel_forge::check::{self, Catalog};
use sentinel_forge::diag::Severity;

use crate::util::compile_bundled;

#[test]
fn bundled_queries_are_sem_clean() {
    let compiled = compile_bundled();
    let mut checked = 0;
    let mut warnings = Vec::new();
    let mut schemas = Vec::new();
    for (item, kql) in compiled.items.iter().zip(&compiled.kql) {
        let kql = kql.as_ref().expect("bundled items render");
        let parsed = sentinel_forge::kql::parse(&kql.text);
        assert!(parsed.errors.is_empty(), "{}: syntax errors", item.id.value.0);
        let result = check::check(&parsed.query, Catalog::builtin());
        let line = |at: u32| kql.text[..at as usize].matches('\n').count() + 1;
        let (errors, warns): (Vec<_>, Vec<_>) = result
            .diagnostics
            .iter()
            .map(|d| {
                (d.severity(), format!("{} line {}: {} {}", item.id.value.0, line(d.range.start), d.code, d.message))
            })
            .partition(|(s, _)| *s == Severity::Error);
        assert!(errors.is_empty(), "{errors:?}\n{}", kql.text);
        warnings.extend(warns.into_iter().map(|(_, w)| w));
        schemas.push(match &result.output_columns {
            Some(cols) => format!(
                "{}: {}",
                item.id.value.0,
                cols.iter().map(|(n, t)| format!("{n}:{}", t.map_or("?", |t| t.name()))).collect::<Vec<_>>().join(", ")
            ),
            None => format!("{}: (columns depend on the data)", item.id.value.0),
        });
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} bundled queries");
    // Warnings (deprecated aliases the reference queries use) are kept visible here.
    insta::assert_snapshot!("bundled_sem_warnings", warnings.join("\n"));
    // What `kql schema` reports for each bundled query (entity mappings must name these columns).
    insta::assert_snapshot!("bundled_output_schemas", schemas.join("\n"));
}

#[test]
fn validate_reports_a_misspelt_table_and_column_at_the_template_line() {
    let project = crate::util::scratch_project();
    let template = project.path().join("templates/run_command_spike.kql.tera");
    let text = std::fs::read_to_string(&template).unwrap();
    let broken = text.replacen("AzureActivity", "AzureActivty", 1);
    assert_ne!(text, broken, "the template reads AzureActivity");
    std::fs::write(&template, broken).unwrap();
    let out = crate::util::forge_in(project.path()).arg("validate").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[SEM001]: unknown table `AzureActivty`"), "{stderr}");
    assert!(stderr.contains("did you mean `AzureActivity`?"), "{stderr}");
    assert!(stderr.contains("rendered from this template line"), "{stderr}");
    // Nothing is generated while a query is wrong.
    let out = crate::util::forge_in(project.path()).args(["generate", "--out", "gen"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!project.path().join("gen").exists());
}

#[test]
fn a_custom_detail_naming_a_column_the_query_lacks_is_sem015() {
    let project = crate::util::scratch_project();
    let file = project.path().join("content/analytics/run-command-unique-script.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = text.replacen(
        "ScriptFingerprint = \"ScriptFingerprintHash\"",
        "ScriptFingerprint = \"ScriptFingerprintHsh\"",
        1,
    );
    assert_ne!(text, broken);
    std::fs::write(&file, broken).unwrap();
    let out = crate::util::forge_in(project.path()).arg("validate").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[SEM015]: custom detail `ScriptFingerprint` uses column `ScriptFingerprintHsh`, which the query does not output"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `ScriptFingerprintHash`?"), "{stderr}");
}
