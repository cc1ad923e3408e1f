//! Test data: the tables a rule test or back-test runs over, loaded from
//! inline rows, JSON Lines, CSV or a saved query-API response, and checked
//! against the tables' schemas with positions in the file that holds them.
//!
//! Which table a row belongs to: its `Type` column when it has one (Log
//! Analytics exports carry it), else the file's stem (`AzureActivity.jsonl`),
//! else, inline, the key it is written under. With a schema a table gets
//! every schema column (cells absent from the data are null) and each value
//! is checked against its column's type; without one, columns are those
//! the rows use and their types are inferred from the values.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value;

use super::codes;
use super::executor::ResultColumn;
use super::schemas::{TableSchema, TableSchemas};
use crate::content::rule_tests::InlineTable;
use crate::diag::Diagnostic;
use crate::kql::types::ScalarType;
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;

/// One table of test data: typed columns and rows of API-spelled cells.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TestTable {
    pub columns: Vec<ResultColumn>,
    pub rows: Vec<Vec<Value>>,
}

/// The tables a query runs over, by name.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TestTables {
    pub tables: BTreeMap<String, TestTable>,
}

impl TestTables {
    pub fn get(&self, name: &str) -> Option<&TestTable> {
        self.tables.get(name)
    }

    pub fn row_count(&self) -> usize {
        self.tables.values().map(|t| t.rows.len()).sum()
    }
}

/// Where a value was written, for diagnostics.
#[derive(Clone, Copy, Debug)]
struct At {
    file: FileId,
    range: TextRange,
}

/// A row as read, before checking: cells with their positions.
struct RawRow {
    at: At,
    cells: Vec<RawCell>,
}

struct RawCell {
    column: String,
    column_at: At,
    value: Value,
    value_at: At,
    /// Read from CSV: every value is text, converted by the column's type.
    text: bool,
}

/// Rows grouped by table, in reading order, not yet checked.
#[derive(Default)]
pub struct RawTables {
    tables: BTreeMap<String, Vec<RawRow>>,
}

impl RawTables {
    /// Add inline rows written in a content file.
    pub fn add_inline(&mut self, file: FileId, tables: &[InlineTable]) {
        for t in tables {
            for row in &t.rows {
                let cells = row
                    .cells
                    .iter()
                    .map(|c| RawCell {
                        column: c.column.value.clone(),
                        column_at: At { file, range: c.column.range },
                        value: c.value.clone(),
                        value_at: At { file, range: c.range },
                        text: false,
                    })
                    .collect();
                let row = RawRow { at: At { file, range: row.range }, cells };
                self.push(Some(&t.name.value), row);
            }
        }
    }

    fn push(&mut self, default_table: Option<&str>, row: RawRow) {
        let from_type = row.cells.iter().find(|c| c.column == "Type").and_then(|c| c.value.as_str());
        let name = from_type.or(default_table).unwrap_or("PrimaryResult").to_string();
        self.tables.entry(name).or_default().push(row);
    }

    /// Load a file, or every `.jsonl`/`.csv`/`.json` file of a directory
    /// (sorted), registering each in `sources` so problems point into it.
    pub fn add_path(&mut self, path: &Path, shown: &str, sources: &mut SourceMap) -> Result<(), String> {
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| format!("reading `{shown}`: {e}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && DataFormat::of(p).is_some())
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(format!("`{shown}` holds no .jsonl, .csv or .json file"));
            }
            for f in files {
                let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                self.add_file(&f, &format!("{}/{name}", shown.trim_end_matches('/')), sources)?;
            }
            return Ok(());
        }
        self.add_file(path, shown, sources)
    }

    fn add_file(&mut self, path: &Path, shown: &str, sources: &mut SourceMap) -> Result<(), String> {
        let Some(format) = DataFormat::of(path) else {
            return Err(format!("`{shown}`: test data must be .jsonl, .csv or .json"));
        };
        let text = std::fs::read_to_string(path).map_err(|e| format!("reading `{shown}`: {e}"))?;
        let file = sources.add(shown, text);
        let text = &sources.get(file).text;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        match format {
            DataFormat::JsonLines => self.add_json_lines(file, text, stem.as_deref()),
            DataFormat::Csv => self.add_csv(file, text, stem.as_deref()),
            DataFormat::Json => self.add_api_response(file, text, stem.as_deref()),
        }
        .map_err(|(range, why)| {
            let (line, col) = sources.get(file).line_col(range.start);
            format!("{shown}:{line}:{col}: {why}")
        })
    }

    fn add_json_lines(&mut self, file: FileId, text: &str, stem: Option<&str>) -> Result<(), (TextRange, String)> {
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let body = line.trim_end();
            if body.trim().is_empty() {
                continue;
            }
            let line_range = TextRange::new(start as u32, (start + body.len()) as u32);
            let members = object_members(body).map_err(|why| (line_range, why))?;
            let at = |r: std::ops::Range<usize>| At {
                file,
                range: TextRange::new((start + r.start) as u32, (start + r.end) as u32),
            };
            let cells = members
                .into_iter()
                .map(|(column, key, value, vrange)| RawCell {
                    column,
                    column_at: at(key),
                    value,
                    value_at: at(vrange),
                    text: false,
                })
                .collect();
            self.push(stem, RawRow { at: At { file, range: line_range }, cells });
        }
        Ok(())
    }

    fn add_csv(&mut self, file: FileId, text: &str, stem: Option<&str>) -> Result<(), (TextRange, String)> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| (TextRange::empty(0), format!("CSV header: {e}")))?.clone();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let at = e.position().map(|p| p.byte() as u32).unwrap_or(0);
                (TextRange::empty(at), format!("CSV: {e}"))
            })?;
            let start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
            let end = text[start..].find(['\r', '\n']).map_or(text.len(), |e| start + e);
            let row_at = At { file, range: TextRange::new(start as u32, end as u32) };
            // Each field's place in the line (a quoted field may span lines);
            // a column's name is the header's field.
            let fields = csv_fields(text, start);
            let header_fields = csv_fields(text, 0);
            let at = |spans: &[std::ops::Range<usize>], i: usize| {
                spans.get(i).map_or(row_at, |r| At { file, range: TextRange::new(r.start as u32, r.end as u32) })
            };
            let cells = headers
                .iter()
                .zip(record.iter())
                .enumerate()
                .filter(|(_, (_, v))| !v.is_empty())
                .map(|(i, (h, v))| RawCell {
                    column: h.to_string(),
                    column_at: at(&header_fields, i),
                    value: Value::String(v.to_string()),
                    value_at: at(&fields, i),
                    text: true,
                })
                .collect();
            self.push(stem, RawRow { at: row_at, cells });
        }
        Ok(())
    }

    fn add_api_response(&mut self, file: FileId, text: &str, stem: Option<&str>) -> Result<(), (TextRange, String)> {
        let results = crate::query::results::QueryResults::from_json(text.as_bytes())
            .map_err(|why| (TextRange::empty(0), why))?;
        let whole = At { file, range: TextRange::empty(0) };
        for table in results.tables {
            let name = if table.name == "PrimaryResult" || table.name.starts_with("Table_") {
                stem.map(str::to_string)
            } else {
                Some(table.name.clone())
            };
            for row in table.rows {
                let cells = table
                    .columns
                    .iter()
                    .zip(row)
                    .filter(|(_, v)| !v.is_null())
                    .map(|(c, v)| RawCell {
                        column: c.name.clone(),
                        column_at: whole,
                        value: v,
                        value_at: whole,
                        text: false,
                    })
                    .collect();
                self.push(name.as_deref(), RawRow { at: whole, cells });
            }
        }
        Ok(())
    }

    /// Check every row against `schemas` and build the typed tables.
    pub fn finish(self, schemas: &dyn TableSchemas) -> (TestTables, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut out = TestTables::default();
        for (name, rows) in self.tables {
            let table = match schemas.table(&name) {
                Some(schema) => typed_by_schema(&name, &schema, rows, &mut diags),
                None => {
                    if let (Some(near), Some(first)) = (schemas.suggest(&name), rows.first()) {
                        diags.push(unknown_table(&name, &near, first.at));
                    }
                    typed_by_values(rows)
                }
            };
            out.tables.insert(name, table);
        }
        for (name, schema) in schemas.declared() {
            out.tables.entry(name.to_string()).or_insert_with(|| TestTable {
                columns: schema.columns.iter().map(|(n, ty)| ResultColumn { name: n.clone(), ty: *ty }).collect(),
                rows: Vec::new(),
            });
        }
        (out, diags)
    }
}

/// The byte ranges of the fields of the CSV record starting at `start`
/// (quotes included; `""` inside quotes is an escaped quote).
fn csv_fields(text: &str, start: usize) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut field_start, mut quoted) = (start, start, false);
    while i < bytes.len() {
        match bytes[i] {
            b'"' if quoted && bytes.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                out.push(field_start..i);
                field_start = i + 1;
            }
            b'\r' | b'\n' if !quoted => break,
            _ => {}
        }
        i += 1;
    }
    out.push(field_start..i);
    out
}

#[derive(Clone, Copy)]
enum DataFormat {
    JsonLines,
    Csv,
    Json,
}

impl DataFormat {
    fn of(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Some(Self::JsonLines),
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// The members of one JSON object with the byte ranges of each key and
/// value (serde_json parses; its stream offsets give the ranges).
type Member = (String, std::ops::Range<usize>, Value, std::ops::Range<usize>);

fn object_members(text: &str) -> Result<Vec<Member>, String> {
    let bytes = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(0);
    if bytes.get(i) != Some(&b'{') {
        return Err("a JSON Lines row must be a JSON object".into());
    }
    i = skip_ws(i + 1);
    let mut out = Vec::new();
    if bytes.get(i) == Some(&b'}') {
        return Ok(out);
    }
    loop {
        let key_start = i;
        let mut keys = serde_json::Deserializer::from_str(&text[i..]).into_iter::<String>();
        let key = match keys.next() {
            Some(Ok(k)) => k,
            _ => return Err(format!("expected a quoted key at column {}", key_start + 1)),
        };
        let key_end = i + keys.byte_offset();
        i = skip_ws(key_end);
        if bytes.get(i) != Some(&b':') {
            return Err(format!("expected `:` after key `{key}`"));
        }
        i = skip_ws(i + 1);
        let value_start = i;
        let mut values = serde_json::Deserializer::from_str(&text[i..]).into_iter::<Value>();
        let value = match values.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(format!("the value of `{key}`: {e}")),
            None => return Err(format!("missing value of `{key}`")),
        };
        let value_end = i + values.byte_offset();
        out.push((key, key_start..key_end, value, value_start..value_end));
        i = skip_ws(value_end);
        match bytes.get(i) {
            Some(b',') => i = skip_ws(i + 1),
            Some(b'}') if skip_ws(i + 1) == bytes.len() => return Ok(out),
            _ => return Err(format!("expected `,` or `}}` at column {}", i + 1)),
        }
    }
}

fn typed_by_schema(name: &str, schema: &TableSchema, rows: Vec<RawRow>, diags: &mut Vec<Diagnostic>) -> TestTable {
    let columns: Vec<ResultColumn> =
        schema.columns.iter().map(|(n, t)| ResultColumn { name: n.clone(), ty: *t }).collect();
    let known: Vec<&str> = schema.columns.iter().map(|(n, _)| n.as_str()).collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut cells = vec![Value::Null; columns.len()];
        for cell in row.cells {
            let Some(index) = columns.iter().position(|c| c.name == cell.column) else {
                diags.push(unknown_column(name, &cell, &known));
                continue;
            };
            match convert(columns[index].ty, cell.value, cell.text) {
                Ok(v) => cells[index] = v,
                Err(found) => diags.push(
                    Diagnostic::new(
                        codes::WRONG_VALUE_TYPE,
                        format!("`{name}.{}` is a {} column", cell.column, columns[index].ty),
                    )
                    .with_primary(
                        cell.value_at.file,
                        cell.value_at.range,
                        format!("{found} is not a {}", columns[index].ty),
                    )
                    .with_help(type_help(columns[index].ty)),
                ),
            }
        }
        let _ = row.at;
        out.push(cells);
    }
    TestTable { columns, rows: out }
}

/// A table no schema knows, whose name is close to one that is known: its
/// rows reach no query that reads the real table.
fn unknown_table(table: &str, near: &str, at: At) -> Diagnostic {
    Diagnostic::new(codes::UNKNOWN_TABLE, format!("no known table is called `{table}`"))
        .with_primary(at.file, at.range, format!("this row goes to table `{table}`"))
        .with_note("a query reading the real table sees none of these rows")
        .with_help(format!("did you mean `{near}`? (a row's table is its `Type`, else the file stem or the key)"))
}

fn unknown_column(table: &str, cell: &RawCell, known: &[&str]) -> Diagnostic {
    let best = known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&cell.column.to_ascii_lowercase(), &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min();
    let help = match best {
        Some((_, k)) => format!("did you mean `{k}`?"),
        None => format!("`{table}` has {} columns; see its schema", known.len()),
    };
    Diagnostic::new(codes::UNKNOWN_COLUMN, format!("`{table}` has no column `{}`", cell.column))
        .with_primary(cell.column_at.file, cell.column_at.range, "not a column of this table")
        .with_help(help)
}

fn type_help(ty: ScalarType) -> String {
    match ty {
        ScalarType::DateTime => "write an ISO 8601 date and time, e.g. \"2021-11-22T11:50:00Z\"".into(),
        ScalarType::Long | ScalarType::Int => "write a whole number, e.g. 5".into(),
        ScalarType::Real | ScalarType::Decimal => "write a number, e.g. 0.5".into(),
        ScalarType::Bool => "write true or false".into(),
        ScalarType::Guid => "write a GUID, e.g. \"43cb0347-bdcc-4e83-af5a-cebbd03971d8\"".into(),
        ScalarType::TimeSpan => "write a timespan as the API does, e.g. \"01:00:00\"".into(),
        ScalarType::String | ScalarType::Dynamic => format!("write a {ty} value"),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// A value as a cell of type `ty`, spelled as the query API spells it;
/// `Err` describes the value that does not fit. `text`: from CSV, where
/// every value arrives as text.
pub fn convert(ty: ScalarType, value: Value, text: bool) -> Result<Value, String> {
    if value.is_null() {
        return Ok(value);
    }
    let bad = |v: &Value| Err(describe(v));
    match ty {
        ScalarType::String => match value {
            Value::String(_) => Ok(value),
            other => bad(&other),
        },
        ScalarType::Int | ScalarType::Long => match &value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(value),
            Value::String(s) if text => s.trim().parse::<i64>().map(Value::from).or_else(|_| bad(&value)),
            _ => bad(&value),
        },
        ScalarType::Real | ScalarType::Decimal => match &value {
            Value::Number(_) => Ok(value),
            Value::String(s) if text => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .map_or_else(|| bad(&value), Ok),
            _ => bad(&value),
        },
        ScalarType::Bool => match &value {
            Value::Bool(_) => Ok(value),
            Value::String(s) if text && s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if text && s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => bad(&value),
        },
        ScalarType::DateTime => match &value {
            Value::String(s) => {
                parse_datetime(s).map(|t| Value::String(api_datetime(t))).map_or_else(|| bad(&value), Ok)
            }
            _ => bad(&value),
        },
        ScalarType::Guid => match &value {
            Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => Ok(value),
            _ => bad(&value),
        },
        ScalarType::TimeSpan => match &value {
            Value::String(_) => Ok(value),
            _ => bad(&value),
        },
        ScalarType::Dynamic => match value {
            Value::String(s) if text => Ok(serde_json::from_str(&s).unwrap_or(Value::String(s))),
            other => Ok(other),
        },
    }
}

/// Whether a field the engine's loader read fits a column of type `ty`
/// by the rules of [`convert`] (JSON fields as JSON values, CSV fields as
/// text): the check a back-test's lean load applies to declared columns,
/// so data [`convert`] refuses never reaches a replay unreported. `Err`
/// describes the field.
pub fn fits(ty: ScalarType, field: &crate::engine::load::Field<'_>) -> Result<(), String> {
    use crate::engine::load::Field as F;
    let ok = match (field, ty) {
        (F::Missing | F::Null, _) => true,
        (F::Text(s), _) => match ty {
            ScalarType::String | ScalarType::TimeSpan | ScalarType::Dynamic => true,
            ScalarType::Int | ScalarType::Long => s.trim().parse::<i64>().is_ok(),
            ScalarType::Real | ScalarType::Decimal => {
                s.trim().parse::<f64>().ok().and_then(serde_json::Number::from_f64).is_some()
            }
            ScalarType::Bool => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
            ScalarType::DateTime => parse_datetime(s).is_some(),
            ScalarType::Guid => uuid::Uuid::parse_str(s).is_ok(),
        },
        (_, ScalarType::Dynamic) => true,
        (F::Str(s), _) => match ty {
            ScalarType::String | ScalarType::TimeSpan => true,
            ScalarType::DateTime => parse_datetime(s).is_some(),
            ScalarType::Guid => uuid::Uuid::parse_str(s).is_ok(),
            _ => false,
        },
        (F::Long(_) | F::BigUnsigned(_), ScalarType::Int | ScalarType::Long) => true,
        (F::Long(_) | F::BigUnsigned(_) | F::Real(_), ScalarType::Real | ScalarType::Decimal) => true,
        (F::Bool(_), ScalarType::Bool) => true,
        _ => false,
    };
    if ok { Ok(()) } else { Err(format!("{field:?} is not a {ty}")) }
}

/// An ISO 8601 date and time; without an offset it is UTC (as Kusto reads it).
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc())
}

/// A datetime as the query API spells it (`2021-11-22T11:50:00Z`, with the
/// fraction only when there is one).
pub fn api_datetime(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn typed_by_values(rows: Vec<RawRow>) -> TestTable {
    let mut names: Vec<String> = Vec::new();
    for row in &rows {
        for cell in &row.cells {
            if !names.contains(&cell.column) {
                names.push(cell.column.clone());
            }
        }
    }
    let mut grid: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
    let mut text_columns = vec![false; names.len()];
    for row in rows {
        let mut cells = vec![Value::Null; names.len()];
        for cell in row.cells {
            let i = names.iter().position(|n| *n == cell.column).expect("collected above");
            text_columns[i] |= cell.text;
            cells[i] = cell.value;
        }
        grid.push(cells);
    }
    let mut columns = Vec::with_capacity(names.len());
    for (i, name) in names.into_iter().enumerate() {
        let ty = infer(grid.iter().map(|r| &r[i]), text_columns[i]);
        for row in &mut grid {
            let v = std::mem::take(&mut row[i]);
            row[i] = convert(ty, v.clone(), text_columns[i]).unwrap_or(v);
        }
        columns.push(ResultColumn { name, ty });
    }
    TestTable { columns, rows: grid }
}

/// The one type every non-null value of a column fits, trying the
/// narrowest first; `dynamic` when they disagree.
fn infer<'v>(values: impl Iterator<Item = &'v Value> + Clone, text: bool) -> ScalarType {
    let candidates = [ScalarType::Bool, ScalarType::Long, ScalarType::Real, ScalarType::DateTime, ScalarType::String];
    let mut present = values.clone().filter(|v| !v.is_null()).peekable();
    if present.peek().is_none() {
        return ScalarType::String;
    }
    for ty in candidates {
        // Text from CSV that is a number or a date is read as one; JSON
        // strings are strings unless they all read as dates.
        if !text && matches!(ty, ScalarType::Long | ScalarType::Real | ScalarType::Bool) {
            if values.clone().filter(|v| !v.is_null()).all(|v| convert(ty, v.clone(), false).is_ok()) {
                return ty;
            }
            continue;
        }
        if values.clone().filter(|v| !v.is_null()).all(|v| convert(ty, v.clone(), text).is_ok()) {
            return ty;
        }
    }
    ScalarType::Dynamic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule_tests::schemas::DeclaredSchemas;

    fn schemas() -> DeclaredSchemas {
        DeclaredSchemas::from_json(
            r#"{"AzureActivity": {"TimeGenerated": "datetime", "Caller": "string", "Level": "long", "Properties": "dynamic", "Type": "string"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn json_lines_rows_take_their_table_from_type_and_get_every_schema_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("burst.jsonl");
        std::fs::write(
            &path,
            "{\"Type\": \"AzureActivity\", \"TimeGenerated\": \"2021-11-22T11:50:00.000Z\", \"Level\": 4}\n\n{\"Type\":\"AzureActivity\",\"Caller\":\"a\"}\n",
        )
        .unwrap();
        let mut raw = RawTables::default();
        let mut sources = SourceMap::new();
        raw.add_path(&path, "burst.jsonl", &mut sources).unwrap();
        let (tables, diags) = raw.finish(&schemas());
        assert!(diags.is_empty(), "{diags:?}");
        let t = tables.get("AzureActivity").unwrap();
        assert_eq!(t.columns.len(), 5);
        assert_eq!(t.rows[0][0], Value::String("2021-11-22T11:50:00Z".into()), "datetimes spelled as the API does");
        assert_eq!(t.rows[0][2], Value::from(4));
        assert_eq!(t.rows[1][1], Value::String("a".into()));
        assert!(t.rows[1][0].is_null());
    }

    #[test]
    fn an_unknown_column_and_a_wrong_value_point_into_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AzureActivity.jsonl");
        std::fs::write(&path, "{\"Calller\": \"a\"}\n{\"TimeGenerated\": \"22/11/2021\", \"Level\": \"five\"}\n")
            .unwrap();
        let mut raw = RawTables::default();
        let mut sources = SourceMap::new();
        raw.add_path(&path, "AzureActivity.jsonl", &mut sources).unwrap();
        let (_, diags) = raw.finish(&schemas());
        let file = sources.find("AzureActivity.jsonl").unwrap();
        let got: Vec<(&str, &str, (usize, usize))> = diags
            .iter()
            .map(|d| {
                let p = d.primary.as_ref().unwrap();
                (d.code.id, sources.get(file).slice(p.range), sources.get(file).line_col(p.range.start))
            })
            .collect();
        assert_eq!(
            got,
            [("TST002", "\"Calller\"", (1, 2)), ("TST003", "\"22/11/2021\"", (2, 19)), ("TST003", "\"five\"", (2, 42)),]
        );
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `Caller`?"));
    }

    #[test]
    fn csv_without_a_schema_infers_numbers_and_dates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("SigninLogs.csv");
        std::fs::write(
            &path,
            "TimeGenerated,UserPrincipalName,ResultType,Props\n2021-11-22T11:00:00Z,\"a,b\",0,\"{\"\"x\"\":1}\"\n",
        )
        .unwrap();
        let mut raw = RawTables::default();
        raw.add_path(&path, "SigninLogs.csv", &mut SourceMap::new()).unwrap();
        let (tables, _) = raw.finish(&crate::rule_tests::schemas::NoSchemas);
        let t = tables.get("SigninLogs").unwrap();
        let types: Vec<ScalarType> = t.columns.iter().map(|c| c.ty).collect();
        assert_eq!(types, [ScalarType::DateTime, ScalarType::String, ScalarType::Long, ScalarType::String]);
        assert_eq!(t.rows[0][1], Value::String("a,b".into()));
        assert_eq!(t.rows[0][2], Value::from(0));
    }

    #[test]
    fn csv_problems_point_at_the_field_and_a_misspelt_table_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AzureActivity.csv");
        std::fs::write(&path, "TimeGenerated,Calller,Level\n2021-11-22T11:00:00Z,\"a,b\",five\n").unwrap();
        let mut raw = RawTables::default();
        let mut sources = SourceMap::new();
        raw.add_path(&path, "AzureActivity.csv", &mut sources).unwrap();
        let (_, diags) = raw.finish(&schemas());
        let file = sources.find("AzureActivity.csv").unwrap();
        let got: Vec<(&str, &str, (usize, usize))> = diags
            .iter()
            .map(|d| {
                let p = d.primary.as_ref().unwrap();
                (d.code.id, sources.get(file).slice(p.range), sources.get(file).line_col(p.range.start))
            })
            .collect();
        assert_eq!(got, [("TST002", "Calller", (1, 15)), ("TST003", "five", (2, 28))]);

        let path = dir.path().join("AzureActivty.jsonl");
        std::fs::write(&path, "{\"Caller\": \"a\"}\n").unwrap();
        let mut raw = RawTables::default();
        raw.add_path(&path, "AzureActivty.jsonl", &mut sources).unwrap();
        let (_, diags) = raw.finish(&crate::rule_tests::schemas::CatalogSchemas::builtin(schemas()));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code.id, "TST008");
        assert_eq!(
            diags[0].help.as_deref(),
            Some("did you mean `AzureActivity`? (a row's table is its `Type`, else the file stem or the key)")
        );
    }

    #[test]
    fn fits_agrees_with_convert() {
        use crate::engine::load::Field;
        let json = [
            serde_json::json!(true),
            serde_json::json!(5),
            serde_json::json!(2.5),
            serde_json::json!("2021-11-22T11:50:00Z"),
            serde_json::json!("five"),
            serde_json::json!("ae3133f2-6e22-49ae-b06a-16e6a9b212eb"),
            serde_json::json!({"a": 1}),
            serde_json::json!([1]),
        ];
        let texts = ["true", "5", " 7 ", "2.5", "2021-11-22T11:50:00Z", "five", "ae3133f2-6e22-49ae-b06a-16e6a9b212eb"];
        let types = [
            ScalarType::Bool,
            ScalarType::Int,
            ScalarType::Long,
            ScalarType::Real,
            ScalarType::Decimal,
            ScalarType::DateTime,
            ScalarType::Guid,
            ScalarType::TimeSpan,
            ScalarType::String,
            ScalarType::Dynamic,
        ];
        for ty in types {
            for j in &json {
                let want = convert(ty, j.clone(), false).is_ok();
                assert_eq!(fits(ty, &Field::of_json(j.clone())).is_ok(), want, "{j} as {ty}");
            }
            for t in texts {
                let want = convert(ty, Value::String(t.into()), true).is_ok();
                assert_eq!(fits(ty, &Field::Text(t)).is_ok(), want, "{t:?} as {ty}");
            }
        }
    }

    #[test]
    fn malformed_lines_say_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("T.jsonl");
        std::fs::write(&path, "{\"a\": 1}\n[1, 2]\n").unwrap();
        let err = RawTables::default().add_path(&path, "T.jsonl", &mut SourceMap::new()).unwrap_err();
        assert_eq!(err, "T.jsonl:2:1: a JSON Lines row must be a JSON object");
    }
}
