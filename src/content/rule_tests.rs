//! `[[tests]]` in a content item: cases a rule must pass (these events
//! fire, those do not), read with spans like the rest of the file.
//!
//! Reading only: the data files a case names are loaded and checked, and
//! the case run, by `crate::rule_tests` (a tool layer above the stages).
//! Here each case is checked for what the content file alone can tell:
//! every key known, `now` an ISO 8601 instant, parameter overrides accepted
//! by the model exactly as an environment's overrides are, and at least one
//! expectation that could fail.

use chrono::{DateTime, Utc};
use serde_json::Value;
use toml::de::{DeTable, DeValue};

use super::codes;
use super::item::Located;
use super::reader::{TableReader, range_of};
use crate::diag::Diagnostic;
use crate::models::Model;
use crate::params::ParamValue;
use crate::source::FileId;
use crate::span::TextRange;

/// One `[[tests]]` case.
#[derive(Clone, Debug)]
pub struct RuleTest {
    pub name: Located<String>,
    /// The whole `[[tests]]` table: where a failure is reported.
    pub range: TextRange,
    /// `data = "tests/data/<slug>/burst.jsonl"`: a file (`.jsonl`, `.csv`,
    /// a saved query-API `.json` response) or a directory of per-table files,
    /// relative to the project directory (the content directory's parent).
    pub data: Option<Located<String>>,
    /// `[tests.tables] AzureActivity = [{ ... }]`: rows written inline.
    pub tables: Vec<InlineTable>,
    /// The instant `now()` and `ago()` are evaluated at.
    pub now: Located<DateTime<Utc>>,
    /// Parameter overrides for this case, checked by the model.
    pub params: Vec<ParamOverride>,
    /// An environment whose overrides apply before this case's.
    pub env: Option<Located<String>>,
    pub expect: Expectations,
}

/// A parameter value a test sets, already accepted by the model.
#[derive(Clone, Debug)]
pub struct ParamOverride {
    pub name: &'static str,
    pub value: ParamValue,
    pub range: TextRange,
}

/// Rows of one table written in the content file.
#[derive(Clone, Debug)]
pub struct InlineTable {
    pub name: Located<String>,
    pub rows: Vec<InlineRow>,
}

#[derive(Clone, Debug)]
pub struct InlineRow {
    pub range: TextRange,
    pub cells: Vec<InlineCell>,
}

/// One `Column = value` of an inline row, as the JSON the query API would
/// send (TOML dates become ISO 8601 strings, arrays and tables `dynamic`).
#[derive(Clone, Debug)]
pub struct InlineCell {
    pub column: Located<String>,
    pub value: Value,
    pub range: TextRange,
}

/// What a case asserts. At least one is set.
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// Hunting queries: whether any row is returned. Scheduled and NRT
    /// rules: whether the rule's trigger (operator and threshold on the
    /// row count) is met, i.e. whether Sentinel would raise an alert.
    pub fires: Option<Located<bool>>,
    pub rows: Option<Located<u64>>,
    pub min_rows: Option<Located<u64>>,
    pub max_rows: Option<Located<u64>>,
    /// Rows that must be present; each names only the columns it checks.
    pub contains: Vec<Located<Vec<(String, Value)>>>,
    /// The output columns, in order.
    pub columns: Option<Located<Vec<String>>>,
}

impl Expectations {
    fn is_empty(&self) -> bool {
        self.fires.is_none()
            && self.rows.is_none()
            && self.min_rows.is_none()
            && self.max_rows.is_none()
            && self.contains.is_empty()
            && self.columns.is_none()
    }
}

/// Read every `[[tests]]` case of a content file. `model` checks parameter
/// overrides (`None` when the file's model is unknown: then only the shape
/// is checked).
pub fn read(r: &mut TableReader<'_, '_>, model: Option<&'static dyn Model>) -> Vec<RuleTest> {
    let file = r.file;
    let mut out = Vec::new();
    for (table, range) in r.table_array("tests") {
        let mut tr = TableReader::new(file, table, range, "a [[tests]] case");
        if let Some(test) = read_one(&mut tr, range, model) {
            out.push(test);
        }
        r.diags.extend(tr.finish());
    }
    let mut seen: Vec<&str> = Vec::new();
    for t in &out {
        if seen.contains(&t.name.value.as_str()) {
            r.diags.push(
                invalid(file, t.name.range, format!("two tests are named `{}`", t.name.value), "again here")
                    .with_help("name each test after the case it covers"),
            );
        }
        seen.push(&t.name.value);
    }
    out
}

fn invalid(file: FileId, range: TextRange, message: String, label: &str) -> Diagnostic {
    Diagnostic::new(codes::INVALID_TEST, message).with_primary(file, range, label.to_string())
}

fn read_one(r: &mut TableReader<'_, '_>, range: TextRange, model: Option<&'static dyn Model>) -> Option<RuleTest> {
    let file = r.file;
    let name = r.string("name", true, "\"five commands in ten minutes fire\"");
    let data = r.string("data", false, "");
    let tables = r.table("tables").map(|(t, trange)| read_tables(r, t, trange)).unwrap_or_default();
    let now = read_now(r);
    let env = r.string("env", false, "");
    let params = r.table("params").map(|(t, _)| read_params(r, t, model)).unwrap_or_default();
    let expect = read_expectations(r);
    if expect.is_empty() {
        r.diags.push(
            invalid(file, TextRange::empty(range.start), "this test states no expectation".into(), "in this test")
                .with_help("add `fires = true|false`, `rows = N`, `min_rows`/`max_rows`, `contains = [{...}]` or `columns = [...]`"),
        );
    }
    if let Some(rows) = &expect.rows {
        for bound in [&expect.min_rows, &expect.max_rows].into_iter().flatten() {
            r.diags.push(
                invalid(file, bound.range, "`rows` and a row bound are both set".into(), "a bound next to `rows`")
                    .with_secondary(file, rows.range, "the exact count")
                    .with_help("keep `rows = N`, or replace it with `min_rows`/`max_rows`"),
            );
        }
    }
    if let (Some(min), Some(max)) = (&expect.min_rows, &expect.max_rows)
        && min.value > max.value
    {
        r.diags.push(
            invalid(
                file,
                min.range,
                format!("`min_rows` {} is above `max_rows` {}", min.value, max.value),
                "no count passes",
            )
            .with_secondary(file, max.range, "the upper bound")
            .with_help("swap the bounds"),
        );
    }
    let (name, name_range) = name?;
    Some(RuleTest {
        name: Located { value: name, range: name_range },
        range,
        data: data.map(|(v, range)| Located { value: v, range }),
        tables,
        now: now?,
        params,
        env: env.map(|(v, range)| Located { value: v, range }),
        expect,
    })
}

/// `now`: a quoted ISO 8601 string or a bare TOML date-time, with an offset.
fn read_now(r: &mut TableReader<'_, '_>) -> Option<Located<DateTime<Utc>>> {
    let file = r.file;
    let Some((_, value)) = r.entry("now") else {
        r.missing("now", "\"2021-11-22T12:00:00Z\"");
        return None;
    };
    let range = range_of(value);
    let text = match value.get_ref() {
        DeValue::String(s) => s.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        other => {
            r.diags.push(
                Diagnostic::new(codes::WRONG_TYPE, "`now` must be a date and time")
                    .with_primary(file, range, format!("found {}", other.type_str()))
                    .with_help("write `now = \"2021-11-22T12:00:00Z\"`"),
            );
            return None;
        }
    };
    match parse_instant(&text) {
        Some(t) => Some(Located { value: t, range }),
        None => {
            r.diags.push(
                invalid(
                    file,
                    range,
                    format!("`now` is not an ISO 8601 date and time: `{text}`"),
                    "not a date and time with an offset",
                )
                .with_help("write e.g. `now = \"2021-11-22T12:00:00Z\"` (UTC, with the `Z`)"),
            );
            None
        }
    }
}

/// An RFC 3339 / ISO 8601 instant with an offset (`Z` or `+01:00`).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.with_timezone(&Utc))
}

fn read_params(
    r: &mut TableReader<'_, '_>,
    table: &DeTable<'_>,
    model: Option<&'static dyn Model>,
) -> Vec<ParamOverride> {
    let file = r.file;
    let Some(model) = model else { return Vec::new() };
    let info = model.info();
    let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
    let mut out = Vec::new();
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let Some(spec) = info.param(name) else {
            let mut d = super::reader::unknown_key(file, name, range_of(key), "the test's params", &known);
            d.code = codes::UNKNOWN_OVERRIDE;
            d.message = format!("test override of unknown parameter `{name}` of model `{}`", info.name);
            r.diags.push(d);
            continue;
        };
        match spec.check(value.get_ref()) {
            Ok(v) => out.push(ParamOverride { name: spec.name, value: v, range: range_of(value) }),
            Err(problem) => r.diags.push(super::param_problem(file, info.name, spec, range_of(value), problem)),
        }
    }
    out
}

fn read_tables(r: &mut TableReader<'_, '_>, table: &DeTable<'_>, _range: TextRange) -> Vec<InlineTable> {
    let file = r.file;
    let mut out = Vec::new();
    for (key, value) in table.iter() {
        let name = Located { value: key.get_ref().to_string(), range: range_of(key) };
        let Some(rows) = value.get_ref().as_array() else {
            r.diags.push(
                Diagnostic::new(codes::WRONG_TYPE, format!("table `{}` must be a list of rows", name.value))
                    .with_primary(file, range_of(value), format!("found {}", value.get_ref().type_str()))
                    .with_help(format!("write `{} = [{{ Column = \"value\" }}, ...]`", name.value)),
            );
            continue;
        };
        let mut read_rows = Vec::new();
        for row in rows.iter() {
            let Some(cells) = row.get_ref().as_table() else {
                r.diags.push(
                    Diagnostic::new(codes::WRONG_TYPE, "a row must be an inline table")
                        .with_primary(file, range_of(row), format!("found {}", row.get_ref().type_str()))
                        .with_help("write each row as `{ Column = value, ... }`"),
                );
                continue;
            };
            let cells = cells
                .iter()
                .map(|(k, v)| InlineCell {
                    column: Located { value: k.get_ref().to_string(), range: range_of(k) },
                    value: to_json(v.get_ref()),
                    range: range_of(v),
                })
                .collect();
            read_rows.push(InlineRow { range: range_of(row), cells });
        }
        out.push(InlineTable { name, rows: read_rows });
    }
    out
}

fn read_expectations(r: &mut TableReader<'_, '_>) -> Expectations {
    let file = r.file;
    let count = |r: &mut TableReader<'_, '_>, key: &'static str| -> Option<Located<u64>> {
        let (n, range) = r.int(key)?;
        match u64::try_from(n) {
            Ok(n) => Some(Located { value: n, range }),
            Err(_) => {
                r.diags.push(
                    Diagnostic::new(codes::OUT_OF_RANGE, format!("`{key}` must be 0 or more"))
                        .with_primary(file, range, "a negative row count")
                        .with_help(format!("write `{key} = 0` or a positive count")),
                );
                None
            }
        }
    };
    let fires = r.bool("fires").map(|(value, range)| Located { value, range });
    let rows = count(r, "rows");
    let min_rows = count(r, "min_rows");
    let max_rows = count(r, "max_rows");
    let mut contains = Vec::new();
    if let Some((_, v)) = r.entry("contains") {
        match v.get_ref().as_array() {
            Some(items) => {
                for item in items.iter() {
                    match item.get_ref().as_table() {
                        Some(t) if !t.is_empty() => contains.push(Located {
                            value: t.iter().map(|(k, v)| (k.get_ref().to_string(), to_json(v.get_ref()))).collect(),
                            range: range_of(item),
                        }),
                        _ => r.diags.push(
                            Diagnostic::new(
                                codes::WRONG_TYPE,
                                "each `contains` entry must be a non-empty inline table",
                            )
                            .with_primary(file, range_of(item), format!("found {}", item.get_ref().type_str()))
                            .with_help("write `contains = [{ Caller = \"attacker@contoso.com\" }]`"),
                        ),
                    }
                }
            }
            None => r.diags.push(
                Diagnostic::new(codes::WRONG_TYPE, "`contains` must be a list of partial rows")
                    .with_primary(file, range_of(v), format!("found {}", v.get_ref().type_str()))
                    .with_help("write `contains = [{ Caller = \"attacker@contoso.com\" }]`"),
            ),
        }
    }
    let columns = r.entry("columns").and_then(|(_, v)| {
        let names: Option<Vec<String>> =
            v.get_ref().as_array().and_then(|a| a.iter().map(|c| c.get_ref().as_str().map(str::to_string)).collect());
        match names {
            Some(names) => Some(Located { value: names, range: range_of(v) }),
            None => {
                r.diags.push(
                    Diagnostic::new(codes::WRONG_TYPE, "`columns` must be a list of column names")
                        .with_primary(file, range_of(v), format!("found {}", v.get_ref().type_str()))
                        .with_help("write `columns = [\"Caller\", \"Count\"]`"),
                );
                None
            }
        }
    });
    Expectations { fires, rows, min_rows, max_rows, contains, columns }
}

/// A TOML value as the JSON cell the query API would send.
pub fn to_json(value: &DeValue<'_>) -> Value {
    match value {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
            i64::from_str_radix(&digits, i.radix()).map(Value::from).unwrap_or_else(|_| Value::String(digits))
        }
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|v| to_json(v.get_ref())).collect()),
        DeValue::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.get_ref().to_string(), to_json(v.get_ref()))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn load(tests: &str) -> (SourceMap, crate::content::Loaded) {
        let base = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/hunting/run-command-spike.toml"),
        )
        .unwrap();
        // Drop the bundled cases: these tests bring their own.
        let base = base.split("\n[[tests]]").next().unwrap().to_string();
        let text = format!("{base}\n{tests}");
        let mut sources = SourceMap::new();
        let file = sources.add("spike.toml", text.clone());
        let loaded = crate::content::load_text(file, "spike".into(), &text);
        (sources, loaded)
    }

    fn problems(sources: &SourceMap, loaded: &crate::content::Loaded) -> Vec<(String, String)> {
        loaded
            .diagnostics
            .iter()
            .map(|d| {
                let p = d.primary.as_ref().unwrap();
                (d.code.id.to_string(), sources.get(p.file).slice(p.range).to_string())
            })
            .collect()
    }

    #[test]
    fn a_case_with_inline_rows_params_and_expectations_is_read() {
        let (_, loaded) = load(
            r#"[[tests]]
name = "burst fires"
now = 2021-11-22T12:00:00Z
params = { min_commands = 3 }
fires = true
min_rows = 1
contains = [{ Caller = "mallory@contoso.com" }]
columns = ["Caller", "Count"]
[tests.tables]
AzureActivity = [{ Caller = "mallory@contoso.com", TimeGenerated = 2021-11-22T11:00:00Z, Level = 4, Props = { a = [1] } }]
"#,
        );
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let item = loaded.item.unwrap();
        let t = &item.tests[0];
        assert_eq!(t.now.value.to_rfc3339(), "2021-11-22T12:00:00+00:00");
        assert_eq!((t.params[0].name, &t.params[0].value), ("min_commands", &ParamValue::Int(3)));
        let cells = &t.tables[0].rows[0].cells;
        assert_eq!(cells[1].value, Value::String("2021-11-22T11:00:00Z".into()));
        assert_eq!(cells[2].value, Value::from(4));
        assert_eq!(cells[3].value, serde_json::json!({"a": [1]}));
        assert_eq!(t.expect.contains[0].value[0].0, "Caller");
        assert_eq!(t.expect.columns.as_ref().unwrap().value, ["Caller", "Count"]);
    }

    #[test]
    fn mistakes_point_at_the_key_or_value() {
        let (sources, loaded) = load(
            r#"[[tests]]
name = "broken"
now = "yesterday"
params = { min_comands = 3, window = 7 }
min_rows = 3
max_rows = 1
firse = true

[[tests]]
name = "no expectation"
now = "2021-11-22T12:00:00Z"
"#,
        );
        assert!(loaded.item.is_none());
        let got = problems(&sources, &loaded);
        for expected in [
            ("CNT028", "\"yesterday\""),
            ("CNT024", "min_comands"),
            ("CNT003", "7"),
            ("CNT028", "3"),
            ("CNT002", "firse"),
            ("CNT028", ""),
        ] {
            assert!(got.iter().any(|(c, s)| (c.as_str(), s.as_str()) == expected), "{expected:?} not in {got:?}");
        }
        let unknown = loaded.diagnostics.iter().find(|d| d.code.id == "CNT002").unwrap();
        assert!(unknown.help.as_deref().unwrap().contains("did you mean `fires`"), "{:?}", unknown.help);
    }
}
