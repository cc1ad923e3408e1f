//! Loading `--local DIR`: one file per table, named after it —
//! `<Table>.jsonl`, `<Table>.csv` (header row) or `<Table>.json` (a Log
//! Analytics query API response), each optionally `.gz`. Column types come
//! from the caller's known schemas (the table catalog), a `tables.json`
//! sidecar, the API response itself, else are inferred from the values.
//! A cell that does not parse as its column's type becomes null and a
//! [`LoadProblem`] with file, line and column; the rest still loads.

mod builder;
mod csv;
mod csv_table;
mod field;
mod infer;
mod jsonl;
mod parts;
pub mod stream;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::engine::Database;
use crate::engine::table::Table;
use crate::kql::types::ScalarType;

pub use builder::Accept;
pub use field::Field;
pub use infer::parse_cell;

/// The records of CSV text (for `parse_csv`); malformed text gives what parsed.
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::parse(text).map(|r| r.into_iter().map(|(_, rec)| rec).collect()).unwrap_or_default()
}

/// Column names and types per table, known before reading (catalog or sidecar).
pub type KnownSchemas = HashMap<String, Vec<(String, ScalarType)>>;

#[derive(Clone, Debug, PartialEq)]
pub struct LoadProblem {
    pub file: PathBuf,
    /// 1-based line (0 when the problem is the whole file)
    pub line: usize,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, ": column `{c}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub db: Database,
    pub problems: Vec<LoadProblem>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Raw rows before typing: cells as JSON values (JSON Lines, API) or text (CSV).
pub enum Cell {
    Json(serde_json::Value),
    Text(String),
    Missing,
}

/// How files are read beyond their schemas.
#[derive(Clone, Copy, Default)]
pub struct LoadOptions<'a> {
    /// A stricter check of declared cells (the rule tests' test-data
    /// rules); a refused cell is a problem and null, like one that does
    /// not parse.
    pub accept: Option<Accept<'a>>,
}

/// Read every table file of `dir`.
pub fn load_dir(dir: &Path, known: &KnownSchemas) -> Result<Loaded, LoadError> {
    load_dir_with(dir, known, LoadOptions::default())
}

/// [`load_dir`] with options.
pub fn load_dir_with(dir: &Path, known: &KnownSchemas, options: LoadOptions<'_>) -> Result<Loaded, LoadError> {
    let io = |path: &Path, source| LoadError::Io { path: path.to_path_buf(), source };
    let mut out = Loaded::default();
    let mut schemas = known.clone();
    let sidecar = dir.join("tables.json");
    let mut sidecar_files: HashMap<String, String> = HashMap::new();
    if sidecar.exists() {
        let text = std::fs::read_to_string(&sidecar).map_err(|e| io(&sidecar, e))?;
        match read_sidecar(&text) {
            Ok(tables) => {
                for (name, file, cols) in tables {
                    if let Some(f) = file {
                        sidecar_files.insert(f, name.clone());
                    }
                    schemas.entry(name).or_insert(cols);
                }
            }
            Err(msg) => out.problems.push(LoadProblem { file: sidecar.clone(), line: 0, column: None, message: msg }),
        }
    }
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(|e| io(dir, e))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let Some(fname) = path.file_name().and_then(|f| f.to_str()).map(str::to_string) else { continue };
        if fname == "tables.json" || !path.is_file() {
            continue;
        }
        load_file_into(&path, &sidecar_files, &schemas, options, &mut out)?;
    }
    Ok(out)
}

/// The table a data file holds (its stem, or the sidecar's name for it),
/// or `None` when it is not a table file.
pub fn table_of(path: &Path) -> Option<String> {
    let fname = path.file_name()?.to_str()?;
    let stem = fname.strip_suffix(".gz").unwrap_or(fname);
    let (table, ext) = stem.rsplit_once('.')?;
    matches!(ext, "jsonl" | "csv" | "json").then(|| table.to_string())
}

/// Read one table file (`<Table>.jsonl|csv|json[.gz]`) into `out`.
pub fn load_file(
    path: &Path,
    known: &KnownSchemas,
    options: LoadOptions<'_>,
    out: &mut Loaded,
) -> Result<(), LoadError> {
    load_file_into(path, &HashMap::new(), known, options, out)
}

fn load_file_into(
    path: &Path,
    sidecar_files: &HashMap<String, String>,
    schemas: &KnownSchemas,
    options: LoadOptions<'_>,
    out: &mut Loaded,
) -> Result<(), LoadError> {
    let io = |path: &Path, source| LoadError::Io { path: path.to_path_buf(), source };
    let Some(fname) = path.file_name().and_then(|f| f.to_str()).map(str::to_string) else { return Ok(()) };
    let (stem, gz) = match fname.strip_suffix(".gz") {
        Some(s) => (s.to_string(), true),
        None => (fname.clone(), false),
    };
    let Some((table, ext)) = stem.rsplit_once('.') else { return Ok(()) };
    if !matches!(ext, "jsonl" | "csv" | "json") {
        return Ok(());
    }
    let table =
        sidecar_files.get(&stem).or_else(|| sidecar_files.get(&fname)).cloned().unwrap_or_else(|| table.to_string());
    // streamed line by line: a binary file, a huge line or bad UTF-8 is a
    // problem at its line, never a panic or an unbounded read
    let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let reader: Box<dyn Read> = if gz { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
    // a query API response is one JSON document, often on one line
    let max_line = if ext == "json" { stream::MAX_DOCUMENT } else { stream::MAX_LINE };
    let Some(text) = stream::read_text_limited(reader, path, &mut out.problems, max_line) else { return Ok(()) };
    let schema = schemas.get(&table).map(Vec::as_slice);
    let loaded = match ext {
        "jsonl" => Some(jsonl::read(&text, path, schema, options.accept, &mut out.problems)),
        "csv" => csv_table::read(&text, path, schema, options.accept, &mut out.problems),
        _ => read_api_json(&text, path, &mut out.problems),
    };
    if let Some(t) = loaded {
        out.db.add(table, t);
    }
    Ok(())
}

type SidecarTable = (String, Option<String>, Vec<(String, ScalarType)>);

fn read_sidecar(text: &str) -> Result<Vec<SidecarTable>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let tables = v.get("tables").and_then(|t| t.as_array()).ok_or("no `tables` array")?;
    let mut out = Vec::new();
    for t in tables {
        let name = t.get("name").and_then(|n| n.as_str()).ok_or("a table without `name`")?.to_string();
        let file = t.get("file").and_then(|f| f.as_str()).map(str::to_string);
        let mut cols = Vec::new();
        for c in t.get("columns").and_then(|c| c.as_array()).map(Vec::as_slice).unwrap_or(&[]) {
            let cn = c.get("name").and_then(|n| n.as_str()).ok_or("a column without `name`")?;
            let ty = c.get("type").and_then(|n| n.as_str()).unwrap_or("string");
            let ty = ScalarType::parse(ty).ok_or_else(|| format!("unknown type `{ty}` of column `{cn}`"))?;
            cols.push((cn.to_string(), ty));
        }
        out.push((name, file, cols));
    }
    Ok(out)
}

fn read_api_json(text: &str, path: &Path, problems: &mut Vec<LoadProblem>) -> Option<Table> {
    let bad = |problems: &mut Vec<LoadProblem>, msg: String| {
        problems.push(LoadProblem { file: path.into(), line: 0, column: None, message: msg });
    };
    let v: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            bad(problems, format!("not JSON: {e}"));
            return None;
        }
    };
    let tables = v.get("tables").and_then(|t| t.as_array()).cloned().unwrap_or_default();
    let Some(t) =
        tables.iter().find(|t| t.get("name").and_then(|n| n.as_str()) == Some("PrimaryResult")).or(tables.first())
    else {
        bad(problems, "no `tables` in the query API response".into());
        return None;
    };
    let cols = t.get("columns").and_then(|c| c.as_array()).cloned().unwrap_or_default();
    let names: Vec<String> =
        cols.iter().map(|c| c.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string()).collect();
    let declared: Vec<Option<ScalarType>> = cols
        .iter()
        .map(|c| {
            let ty = c.get("type").and_then(|n| n.as_str()).unwrap_or("string");
            Some(ScalarType::parse(ty).unwrap_or(match ty.to_ascii_lowercase().as_str() {
                "sbyte" => ScalarType::Bool,
                "object" => ScalarType::Dynamic,
                _ => ScalarType::String,
            }))
        })
        .collect();
    let mut columns: Vec<builder::ColumnBuilder> =
        names.into_iter().zip(declared).map(|(n, ty)| builder::ColumnBuilder::new(n, ty, 0)).collect();
    let rows = t.get("rows").and_then(|r| r.as_array()).map(Vec::as_slice).unwrap_or(&[]);
    for (i, r) in rows.iter().enumerate() {
        let cells = r.as_array().map(Vec::as_slice).unwrap_or(&[]);
        for (k, c) in columns.iter_mut().enumerate() {
            let f = cells.get(k).map_or(Field::Missing, |v| Field::of_json(v.clone()));
            c.push(i + 1, &f, None);
        }
    }
    Some(jsonl::finish(columns, rows.len(), path, problems))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::Value;

    #[test]
    fn reads_each_format_and_reports_bad_cells_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(
            p.join("A.jsonl"),
            "{\"t\":\"2024-01-01T00:00:00Z\",\"n\":1}\n{\"t\":\"2024-01-02T00:00:00Z\",\"n\":\"x\"}\n",
        )
        .unwrap();
        std::fs::write(p.join("B.csv"), "name,count\nalpha,1\n\"be,ta\",2\n").unwrap();
        std::fs::write(
            p.join("C.json"),
            r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"d","type":"dynamic"},{"name":"g","type":"guid"}],"rows":[["{\"a\":1}","ae3133f2-6e22-49ae-b06a-16e6a9b212eb"]]}]}"#,
        )
        .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"x\n5\n").unwrap();
        std::fs::write(p.join("D.csv.gz"), gz.finish().unwrap()).unwrap();
        std::fs::write(
            p.join("tables.json"),
            r#"{"tables":[{"name":"A","file":"A.jsonl","columns":[{"name":"t","type":"datetime"},{"name":"n","type":"long"}]}]}"#,
        )
        .unwrap();
        let l = load_dir(p, &KnownSchemas::new()).unwrap();
        let a = &l.db.tables["A"];
        assert_eq!(a.column("n").unwrap().ty, ScalarType::Long);
        assert_eq!(a.column("n").unwrap().data[1], Value::Null, "the bad cell is null, the row stays");
        assert_eq!(l.problems.len(), 1);
        assert_eq!((l.problems[0].line, l.problems[0].column.as_deref()), (2, Some("n")));
        let b = &l.db.tables["B"];
        assert_eq!(b.column("count").unwrap().ty, ScalarType::Long);
        assert_eq!(b.column("name").unwrap().data[1], Value::str("be,ta"));
        let c = &l.db.tables["C"];
        assert_eq!(c.column("d").unwrap().data[0].to_kusto_string(), "{\"a\":1}");
        assert_eq!(c.column("g").unwrap().ty, ScalarType::Guid);
        assert_eq!(l.db.tables["D"].column("x").unwrap().data[0], Value::Long(5));
    }
}

#[cfg(test)]
mod hostile_tests {
    //! Hostile data files: each gives problems with file:line, never a panic.
    use super::*;
    use crate::engine::value::Value;

    fn load(name: &str, bytes: &[u8]) -> Loaded {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), bytes).unwrap();
        load_dir(dir.path(), &KnownSchemas::new()).unwrap()
    }

    #[test]
    fn a_binary_file_is_reported_not_loaded() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 37 % 256) as u8).collect();
        let l = load("Bin.jsonl", &bytes);
        assert!(!l.problems.is_empty());
        assert!(l.problems.iter().all(|p| p.line > 0), "{:?}", l.problems);
        assert!(l.problems[0].to_string().starts_with(&format!("{}:", l.problems[0].file.display())));
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_and_the_rest_loads() {
        let mut data = b"{\"a\":1}\n{\"a\":\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', stream::MAX_LINE + 10));
        data.extend(b"\"}\n{\"a\":3}\n");
        let l = load("Long.jsonl", &data);
        assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
        assert_eq!(l.problems[0].line, 2);
        assert!(l.problems[0].message.contains("longer than"));
        let t = &l.db.tables["Long"];
        assert_eq!(t.len, 2);
        assert_eq!(t.column("a").unwrap().data[1], Value::Long(3));
    }

    #[test]
    fn wrong_types_are_null_cells_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("W.csv"), "n,t\n1,2024-01-01\nx,yesterday\n").unwrap();
        let mut known = KnownSchemas::new();
        known.insert("W".into(), vec![("n".into(), ScalarType::Long), ("t".into(), ScalarType::DateTime)]);
        let l = load_dir(dir.path(), &known).unwrap();
        let at: Vec<(usize, Option<&str>)> = l.problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
        assert_eq!(at, [(3, Some("n")), (3, Some("t"))]);
        assert_eq!(l.db.tables["W"].len, 2);
    }

    #[test]
    fn deeply_nested_json_is_a_problem_not_a_stack_overflow() {
        let deep = format!("{{\"a\":{}1{}}}\n{{\"a\":2}}\n", "[".repeat(200_000), "]".repeat(200_000));
        let l = load("Deep.jsonl", deep.as_bytes());
        assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
        assert_eq!(l.problems[0].line, 1);
        assert!(l.problems[0].message.contains("not JSON"), "{}", l.problems[0].message);
        assert_eq!(l.db.tables["Deep"].len, 1);
        let api = format!("{{\"tables\":[{}]}}", "[".repeat(100_000));
        let l = load("DeepApi.json", api.as_bytes());
        assert_eq!(l.problems.len(), 1);
        assert!(l.problems[0].message.contains("not JSON"));
    }
}
