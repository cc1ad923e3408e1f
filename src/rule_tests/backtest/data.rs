//! The data a local back-test replays (`backtest --local PATH`), loaded
//! once into typed engine tables and indexed by time ([`TimeIndex`]).
//!
//! Exported logs (one `<Table>.jsonl` or `.csv` per table the schemas
//! know) go through the engine's lean loader, with the test-data rules of
//! [`fits`] on every declared cell. Anything that loader would not give
//! exactly as the rule-test path does — a problem on any line (a value of
//! the wrong type, a line that is not JSON), a column the table's schema
//! lacks, rows whose `Type` names another table, a table no schema knows,
//! a query-API response — is read by the rule-test path instead
//! ([`RawTables`]), which reports it as `TST` diagnostics with
//! `file:line:col`. Both give the same typed tables to the one replay.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::schedule::TimeIndex;
use crate::diag::Diagnostic;
use crate::engine::load::{KnownSchemas, LoadOptions, Loaded, load_file};
use crate::engine::table::{Column, Table};
use crate::engine::vals::Vals;
use crate::engine::value::Value;
use crate::kql::types::ScalarType;
use crate::rule_tests::schemas::{TableSchema, TableSchemas};
use crate::rule_tests::tables::{RawTables, fits};
use crate::source::SourceMap;

/// How the data was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The engine's loader, straight into typed columns.
    Lean,
    /// The rule-test reader (small fixtures, or data with problems to report).
    RuleTest,
}

/// Load `path` (a file or a directory of them) for a replay; `shown` is how
/// diagnostics name it. The diagnostics are the rule-test path's (none
/// when the lean path loaded everything).
pub fn load(
    path: &Path,
    shown: &str,
    schemas: &dyn TableSchemas,
    sources: &mut SourceMap,
) -> Result<(TimeIndex, Vec<Diagnostic>, Route), String> {
    if let Some(tables) = lean(path, schemas)? {
        return Ok((TimeIndex::of_engine(tables), Vec::new(), Route::Lean));
    }
    let mut raw = RawTables::default();
    raw.add_path(path, shown, sources)?;
    let (tables, diags) = raw.finish(schemas);
    Ok((TimeIndex::new(tables), diags, Route::RuleTest))
}

/// The files the rule-test path would read, when every one can go the lean way.
fn lean_files(path: &Path) -> Result<Option<Vec<PathBuf>>, String> {
    let files = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("reading `{}`: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    let ext = |p: &Path| p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    // what the rule-test path reads (it skips other files of a directory)
    let data: Vec<PathBuf> =
        files.into_iter().filter(|p| matches!(ext(p).as_deref(), Some("jsonl" | "ndjson" | "csv" | "json"))).collect();
    let lean = !data.is_empty()
        && data.iter().all(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("jsonl" | "csv")));
    Ok(lean.then_some(data))
}

fn lean(path: &Path, schemas: &dyn TableSchemas) -> Result<Option<Vec<(String, Table)>>, String> {
    let Some(files) = lean_files(path)? else { return Ok(None) };
    let accept = |f: &crate::engine::load::Field<'_>, ty: ScalarType| fits(ty, f);
    let options = LoadOptions { accept: Some(&accept) };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for file in files {
        let Some(table) = crate::engine::load::table_of(&file) else { return Ok(None) };
        let Some(schema) = schemas.table(&table) else { return Ok(None) };
        if !seen.insert(table.clone()) {
            return Ok(None);
        }
        let mut known = KnownSchemas::new();
        known.insert(table.clone(), schema.columns.clone());
        let mut loaded = Loaded::default();
        load_file(&file, &known, options, &mut loaded).map_err(|e| e.to_string())?;
        let Some(t) = loaded.db.tables.remove(&table) else { return Ok(None) };
        if !loaded.problems.is_empty() {
            return Ok(None);
        }
        let t = std::sync::Arc::unwrap_or_clone(t);
        let Some(t) = in_schema_order(t, &table, &schema) else { return Ok(None) };
        out.push((table, t));
    }
    for (name, schema) in schemas.declared() {
        if !seen.contains(name) {
            out.push((name.to_string(), in_schema_order(Table::new(Vec::new(), 0), name, schema).unwrap_or_default()));
        }
    }
    Ok(Some(out))
}

/// `t` with exactly the schema's columns in its order (an absent one
/// empty), as the rule-test path builds a table; `None` when `t` has a
/// column the schema lacks or rows whose `Type` is another table.
fn in_schema_order(t: Table, name: &str, schema: &TableSchema) -> Option<Table> {
    if t.columns.iter().any(|c| schema.column(&c.name).is_none()) {
        return None;
    }
    if let Some(ty) = t.column("Type")
        && ty.data.iter().any(|v| v.as_str() != Some(name))
    {
        return None;
    }
    let n = t.len;
    let mut columns = t.columns;
    let ordered = schema
        .columns
        .iter()
        .map(|(c, ty)| match columns.iter().position(|have| have.name == *c) {
            Some(i) => columns.swap_remove(i),
            None => Column::of(c.clone(), *ty, Vals::constant(Value::null_of(*ty), n)),
        })
        .collect();
    Some(Table::new(ordered, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule_tests::schemas::DeclaredSchemas;

    fn schemas() -> DeclaredSchemas {
        DeclaredSchemas::from_json(
            r#"{"AzureActivity": {"TimeGenerated": "datetime", "Caller": "string", "Level": "long", "Type": "string"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn clean_exports_load_lean_and_anything_else_takes_the_rule_test_path() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("AzureActivity.jsonl");
        std::fs::write(
            &data,
            "{\"Type\":\"AzureActivity\",\"TimeGenerated\":\"2021-11-22T11:00:00Z\",\"Caller\":\"b\"}\n\
             {\"Type\":\"AzureActivity\",\"TimeGenerated\":\"2021-11-22T10:00:00Z\",\"Caller\":\"a\",\"Level\":4}\n",
        )
        .unwrap();
        let mut sources = SourceMap::new();
        let (index, diags, route) = load(dir.path(), "d", &schemas(), &mut sources).unwrap();
        assert_eq!((route, diags.len()), (Route::Lean, 0));
        let (_, t) = index.tables().next().unwrap();
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["TimeGenerated", "Caller", "Level", "Type"], "the schema's order");
        assert_eq!(t.column("Caller").unwrap().data.to_vec(), [Value::str("a"), Value::str("b")], "sorted by time");

        // a JSON string in a long column: the engine would read it, the
        // test-data rules do not, so the rule-test path reports it
        std::fs::write(&data, "{\"TimeGenerated\":\"2021-11-22T11:00:00Z\",\"Level\":\"4\"}\n").unwrap();
        let (_, diags, route) = load(dir.path(), "d", &schemas(), &mut sources).unwrap();
        assert_eq!(route, Route::RuleTest);
        assert_eq!(diags.iter().map(|d| d.code.id).collect::<Vec<_>>(), ["TST003"]);

        std::fs::write(&data, "{\"TimeGenerated\":\"2021-11-22T11:00:00Z\",\"Calller\":\"x\"}\n").unwrap();
        let (_, diags, route) = load(dir.path(), "d", &schemas(), &mut sources).unwrap();
        assert_eq!(route, Route::RuleTest);
        assert_eq!(diags.iter().map(|d| d.code.id).collect::<Vec<_>>(), ["TST002"]);

        std::fs::write(&data, "{\"Type\":\"SigninLogs\",\"TimeGenerated\":\"2021-11-22T11:00:00Z\"}\n").unwrap();
        let (index, _, route) = load(dir.path(), "d", &schemas(), &mut sources).unwrap();
        assert_eq!(route, Route::RuleTest);
        assert!(index.tables().any(|(n, _)| n == "SigninLogs"), "rows go to the table their Type names");
    }
}
