//! The `[catalog]` section of `sentinel-forge.toml`: the custom tables,
//! watchlists and workspace functions of a project's workspace, on top of the
//! built-in catalog. Read with spans like content files: unknown keys are
//! CNT002, wrong types CNT003, missing keys CNT004, and what is wrong inside
//! an entry (an unknown column type, an unreadable CustomTables JSON file, a
//! parameter list that does not parse) SEM016, each at the TOML value.
//!
//! ```toml
//! [catalog]
//! [[catalog.tables]]                # Azure-Sentinel CustomTables JSON: a file or a directory of them
//! file = "catalog/CustomTables"
//! [[catalog.tables]]                # or inline
//! name = "MyApp_CL"
//! columns = { TimeGenerated = "datetime", User_s = "string" }
//! [[catalog.watchlists]]            # `_GetWatchlist('HighValueHosts')`
//! alias = "HighValueHosts"
//! columns = { Hostname = "string" }
//! [[catalog.functions]]             # a workspace function: parameters and output columns
//! name = "MyParser"
//! params = "(starttime:datetime=datetime(null), user:string='*')"
//! columns = { TimeGenerated = "datetime", User = "string" }
//! [[catalog.functions]]             # a name or `Prefix*`: calls accepted, result unknown
//! name = "vimProcessCustom*"
//! ```

use std::path::Path;

use toml::de::DeTable;

use super::catalog::{Catalog, Declared, UNKNOWN_RESULT_FUNCTION};
use super::codes::SemanticErrorCode;
use crate::content::codes as cnt;
use crate::content::reader::{TableReader, range_of};
use crate::diag::Diagnostic;
use crate::kql::ast::{LetValue, ParamType, StatementKind};
use crate::kql::types::ScalarType;
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;

/// The project configuration file whose `[catalog]` section is read.
pub const CATALOG_FILE: &str = "sentinel-forge.toml";

/// Column type names accepted in declarations (Kusto's and the CustomTables JSON spellings).
const TYPES: &str = "string, int, long, real (double), decimal, bool, datetime, timespan, guid, dynamic";

/// The built-in catalog extended by the `[catalog]` section of the TOML file
/// at `path` (registered in `sources`), and the problems found in it. A
/// missing file gives the built-in catalog and no diagnostics; `None` when
/// the file exists and has no `[catalog]` section either.
pub fn load_project_catalog(path: &Path, sources: &mut SourceMap) -> (Option<Catalog>, Vec<Diagnostic>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (None, Vec::new()),
        Err(e) => {
            let file = sources.add(crate::content::display_path(path), String::new());
            let d = entry_error(file, TextRange::empty(0), format!("cannot read `{}`: {e}", path.display()), "here");
            return (None, vec![d]);
        }
    };
    let file = sources.add(crate::content::display_path(path), text);
    let base = path.parent().unwrap_or(Path::new("."));
    project_catalog(file, &sources.get(file).text.clone(), base)
}

/// The built-in catalog extended by a declaration file: a TOML file with a
/// `[catalog]` section, or one Azure-Sentinel CustomTables JSON file
/// (`kql check --catalog FILE`).
pub fn load_declarations(path: &Path, sources: &mut SourceMap) -> (Option<Catalog>, Vec<Diagnostic>) {
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        return load_project_catalog(path, sources);
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let file = sources.add(crate::content::display_path(path), text.clone());
    match custom_tables_json(&text) {
        Ok(tables) => {
            let mut declared = Declared::default();
            declared.tables.extend(tables);
            (Some(Catalog::builtin_with(declared, Vec::new())), Vec::new())
        }
        Err(message) => {
            let d = entry_error(file, TextRange::empty(0), format!("not a CustomTables JSON file: {message}"), "here")
                .with_help("write `{\"Name\": \"T\", \"Properties\": [{\"Name\": \"C\", \"Type\": \"string\"}]}`");
            (None, vec![d])
        }
    }
}

/// The catalog of the `[catalog]` section of `text` (registered as `file`;
/// relative paths are read from `base`). `None` when there is no section.
pub fn project_catalog(file: FileId, text: &str, base: &Path) -> (Option<Catalog>, Vec<Diagnostic>) {
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(err) => {
            let range = err.span().map(TextRange::from).unwrap_or_default();
            let d = Diagnostic::new(cnt::TOML_SYNTAX, "invalid TOML")
                .with_primary(file, range, err.message().trim().to_string())
                .with_help("fix the TOML syntax at the marked position");
            return (None, vec![d]);
        }
    };
    let Some((_, section)) = doc.get_ref().iter().find(|(k, _)| k.get_ref().as_ref() == "catalog") else {
        return (None, Vec::new());
    };
    let Some(table) = section.get_ref().as_table() else {
        let d = Diagnostic::new(cnt::WRONG_TYPE, "`catalog` must be a table")
            .with_primary(file, range_of(section), format!("found {}", section.get_ref().type_str()))
            .with_help("write it as a `[catalog]` section");
        return (None, vec![d]);
    };
    let mut reader = Reader { file, base, declared: Declared::default(), patterns: Vec::new(), diags: Vec::new() };
    reader.section(table, range_of(section));
    let Reader { declared, patterns, diags, .. } = reader;
    (Some(Catalog::builtin_with(declared, patterns)), diags)
}

fn entry_error(file: FileId, range: TextRange, message: String, label: &str) -> Diagnostic {
    Diagnostic::new(SemanticErrorCode::InvalidCatalogEntry.info(), message).with_primary(file, range, label.to_string())
}

struct Reader<'b> {
    file: FileId,
    base: &'b Path,
    declared: Declared,
    patterns: Vec<String>,
    diags: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, range: TextRange, message: String, label: &str, help: Option<String>) {
        let mut d = entry_error(self.file, range, message, label);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    fn section(&mut self, table: &DeTable<'_>, range: TextRange) {
        let mut r = TableReader::new(self.file, table, range, "`[catalog]`");
        let tables = r.table_array("tables");
        let watchlists = r.table_array("watchlists");
        let functions = r.table_array("functions");
        self.diags.extend(r.finish());
        for (t, range) in tables {
            self.table(t, range);
        }
        for (t, range) in watchlists {
            self.watchlist(t, range);
        }
        for (t, range) in functions {
            self.function(t, range);
        }
    }

    /// `columns = { Name = "type", ... }`, in order; `None` when absent.
    fn columns(&mut self, r: &mut TableReader<'_, '_>) -> Option<Vec<(String, ScalarType)>> {
        let (columns, _) = r.table("columns")?;
        let mut out = Vec::new();
        for (k, v) in columns.iter() {
            let name = k.get_ref().as_ref().to_string();
            let Some(ty_text) = v.get_ref().as_str() else {
                r.diags.push(
                    Diagnostic::new(cnt::WRONG_TYPE, format!("the type of column `{name}` must be a string"))
                        .with_primary(self.file, range_of(v), format!("found {}", v.get_ref().type_str()))
                        .with_help(format!("write `{name} = \"string\"`; types: {TYPES}")),
                );
                continue;
            };
            match ScalarType::parse(ty_text) {
                Some(t) => out.push((name, t)),
                None => self.error(
                    range_of(v),
                    format!("`{ty_text}` is not a column type (column `{name}`)"),
                    "unknown type",
                    Some(format!("types: {TYPES}")),
                ),
            }
        }
        Some(out)
    }

    fn table(&mut self, t: &DeTable<'_>, range: TextRange) {
        let mut r = TableReader::new(self.file, t, range, "a `[[catalog.tables]]` entry");
        let file = r.string("file", false, "");
        let name = r.string("name", false, "");
        let columns = self.columns(&mut r);
        match (file, name) {
            (Some((path, at)), None) if columns.is_none() => self.table_files(&path, at),
            (None, Some((name, at))) => match columns {
                Some(cols) => self.add_table(name, cols, at),
                None => r.missing("columns", "{ TimeGenerated = \"datetime\" }"),
            },
            (Some((_, at)), _) => self.error(
                at,
                "a `[[catalog.tables]]` entry is either `file = ...` or `name` with `columns`".into(),
                "`file` with inline declarations",
                Some("split it into two entries".into()),
            ),
            (None, None) => r.missing("name", "\"MyTable_CL\""),
        }
        self.diags.extend(r.finish());
    }

    fn add_table(&mut self, name: String, columns: Vec<(String, ScalarType)>, at: TextRange) {
        if self.declared.tables.contains_key(&name) {
            self.error(at, format!("table `{name}` is declared twice"), "second declaration", None);
            return;
        }
        self.declared.tables.insert(name, columns);
    }

    /// One CustomTables JSON file, or every `.json` file of a directory.
    fn table_files(&mut self, path: &str, at: TextRange) {
        let full = self.base.join(path);
        let files: Vec<std::path::PathBuf> = if full.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(&full)
                .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            v.retain(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")));
            v.sort();
            v
        } else {
            vec![full.clone()]
        };
        for f in files {
            let shown = crate::content::display_path(&f);
            let text = match std::fs::read_to_string(&f) {
                Ok(t) => t,
                Err(e) => {
                    self.error(at, format!("cannot read `{shown}`: {e}"), "this file", None);
                    continue;
                }
            };
            match custom_tables_json(&text) {
                Ok(tables) => {
                    for (name, cols) in tables {
                        self.add_table(name, cols, at);
                    }
                }
                Err(message) => self.error(
                    at,
                    format!("`{shown}` is not a CustomTables JSON file: {message}"),
                    "declared here",
                    Some("write `{\"Name\": \"T\", \"Properties\": [{\"Name\": \"C\", \"Type\": \"string\"}]}`".into()),
                ),
            }
        }
    }

    fn watchlist(&mut self, t: &DeTable<'_>, range: TextRange) {
        let mut r = TableReader::new(self.file, t, range, "a `[[catalog.watchlists]]` entry");
        let alias = r.string("alias", true, "\"HighValueHosts\"");
        let columns = self.columns(&mut r);
        if columns.is_none() {
            r.missing("columns", "{ Hostname = \"string\" }");
        }
        if let (Some((alias, at)), Some(cols)) = (alias, columns) {
            match self.declared.watchlists.entry(alias) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    let message = format!("watchlist `{}` is declared twice", e.key());
                    self.error(at, message, "second declaration", None);
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(cols);
                }
            }
        }
        self.diags.extend(r.finish());
    }

    fn function(&mut self, t: &DeTable<'_>, range: TextRange) {
        let mut r = TableReader::new(self.file, t, range, "a `[[catalog.functions]]` entry");
        let name = r.string("name", true, "\"MyParser\"");
        let params = r.string("params", false, "");
        let columns = self.columns(&mut r);
        self.diags.extend(r.finish());
        let Some((name, at)) = name else { return };
        if let Some(prefix) = name.strip_suffix('*') {
            if !is_identifier(prefix) {
                self.error(at, format!("`{name}` is not a function name or `Prefix*` pattern"), "here", None);
            } else if params.is_some() || columns.is_some() {
                self.error(
                    at,
                    format!("pattern `{name}` cannot declare `params` or `columns`"),
                    "a pattern",
                    Some("declare each function by name to give its parameters and output".into()),
                );
            } else {
                self.patterns.push(name);
            }
            return;
        }
        if !is_identifier(&name) {
            self.error(at, format!("`{name}` is not a function name"), "here", None);
            return;
        }
        if params.is_none() && columns.is_none() {
            self.patterns.push(name);
            return;
        }
        if self.declared.functions.iter().any(|(n, _)| *n == name) {
            self.error(at, format!("function `{name}` is declared twice"), "second declaration", None);
            return;
        }
        let (params_text, params_at) = params.unwrap_or_else(|| ("()".to_string(), at));
        let trimmed = params_text.trim();
        let params_kql = if trimmed.starts_with('(') { trimmed.to_string() } else { format!("({trimmed})") };
        let body = match &columns {
            Some(cols) => {
                let schema: Vec<String> =
                    cols.iter().map(|(c, t)| format!("['{}']:{}", c.replace('\'', "\\'"), t.name())).collect();
                format!("datatable({})[]", schema.join(", "))
            }
            None => format!("{UNKNOWN_RESULT_FUNCTION}()"),
        };
        let text = format!("let {name} = {params_kql} {{ {body} }};");
        let parsed = crate::kql::parse(&text);
        if let Some(e) = parsed.errors.first() {
            self.error(
                params_at,
                format!("the parameters of `{name}` do not parse: {}", e.message),
                "not a KQL parameter list",
                Some("write them as in a `let` function: \"(starttime:datetime, user:string='*')\"".into()),
            );
            return;
        }
        let function = parsed.query.statements.into_iter().find_map(|s| match s.kind {
            StatementKind::Let { value: LetValue::Function(f), .. } => Some(f),
            _ => None,
        });
        let Some(function) = function else {
            self.error(params_at, format!("the parameters of `{name}` do not parse"), "here", None);
            return;
        };
        for p in &function.params {
            if let ParamType::Scalar(t) = &p.ty
                && ScalarType::parse(&t.text).is_none()
            {
                self.error(
                    params_at,
                    format!("`{}` is not a type (parameter `{}` of `{name}`)", t.text, p.name.text),
                    "unknown parameter type",
                    Some(format!("types: {TYPES}")),
                );
                return;
            }
        }
        self.declared.functions.push((name, function));
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Tables with their typed columns, in file order.
pub(crate) type Tables = Vec<(String, Vec<(String, ScalarType)>)>;

/// The tables of an Azure-Sentinel CustomTables JSON text: one object
/// `{"Name": T, "Properties": [{"Name": C, "Type": type}]}` or an array of
/// them; key and type names are case-insensitive.
pub(crate) fn custom_tables_json(text: &str) -> Result<Tables, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let get = |o: &serde_json::Map<String, serde_json::Value>, key: &str| {
        o.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.clone())
    };
    let objects = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    let mut out = Vec::new();
    for o in objects {
        let o = o.as_object().ok_or("expected an object with `Name` and `Properties`")?;
        let name = get(o, "Name").and_then(|v| v.as_str().map(str::to_string)).ok_or("no `Name` string")?;
        let props = get(o, "Properties").and_then(|v| v.as_array().cloned()).ok_or("no `Properties` array")?;
        let mut columns = Vec::new();
        for p in props {
            let p = p.as_object().ok_or("a `Properties` item is not an object")?;
            let col = get(p, "Name").and_then(|v| v.as_str().map(str::to_string)).ok_or("a column has no `Name`")?;
            let ty = get(p, "Type").and_then(|v| v.as_str().map(str::to_string)).ok_or("a column has no `Type`")?;
            let ty = ScalarType::parse(&ty).ok_or_else(|| format!("column `{col}`: `{ty}` is not a type"))?;
            columns.push((col, ty));
        }
        out.push((name, columns));
    }
    Ok(out)
}
