//! The table catalog: Log Analytics / Sentinel tables and their typed columns.
//!
//! The built-in catalog is `schemas/tables/catalog.csv` compiled into the
//! binary (provenance in `schemas/tables/PROVENANCE.md`). Parsing all 37,000
//! rows on every run would be wasted work for a query that reads two tables,
//! so the catalog is indexed lazily: one pass records where each table's rows
//! start and end, and a table's columns are parsed only when it is resolved.
//! Table names are case-sensitive, as in Kusto.

use std::sync::OnceLock;

use crate::kql::types::ScalarType;

const BUILTIN_CSV: &str = include_str!("../../schemas/tables/catalog.csv");

/// One table's columns, in catalog order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSchema {
    pub name: String,
    pub columns: Vec<(String, ScalarType)>,
}

/// A catalog row range of one table: `text[rows]` holds its CSV lines.
#[derive(Clone, Debug)]
struct TableRows {
    name: String,
    rows: std::ops::Range<usize>,
    /// The parsed columns, filled on first resolution.
    columns: OnceLock<Vec<(String, ScalarType)>>,
}

/// Tables known to the checker: a CSV in the `catalog.csv` format
/// (`"table_name","column_name","column_type",...`), indexed by name.
#[derive(Debug)]
pub struct Catalog {
    text: std::borrow::Cow<'static, str>,
    /// Sorted by name (ordinal) for binary search; for the built-in catalog
    /// built only when all names are needed (did-you-mean).
    index: OnceLock<Vec<TableRows>>,
    /// The built-in text is sorted by (lower-case name, name): a table is found
    /// by binary search over the text itself, with no index at start-up.
    sorted: bool,
    /// Columns parsed from the sorted text, by table.
    parsed: std::sync::Mutex<std::collections::HashMap<String, Vec<(String, ScalarType)>>>,
    /// Workspace functions (Sentinel's `_GetWatchlist`, ASIM parsers, ...)
    /// whose output is not declared: calls are accepted and their result is
    /// unknown. Patterns may end in `*`.
    functions: Vec<String>,
    /// Tables, watchlists and functions declared in the `[catalog]` section
    /// of `sentinel-forge.toml`, consulted before the built-in tables.
    declared: Declared,
}

/// What a project declares on top of a catalog (`[catalog]`).
#[derive(Debug, Default)]
pub(crate) struct Declared {
    /// Custom tables, by name.
    pub tables: std::collections::HashMap<String, Vec<(String, ScalarType)>>,
    /// Watchlists by alias: the columns `_GetWatchlist('alias')` adds to Sentinel's own.
    pub watchlists: std::collections::HashMap<String, Vec<(String, ScalarType)>>,
    /// Workspace functions with declared parameters, as parsed `let` functions.
    pub functions: Vec<(String, crate::kql::ast::Function)>,
}

/// The columns every `_GetWatchlist('alias')` row has besides the watchlist's
/// own (Sentinel's watchlist function projects these, then the item's fields).
pub const WATCHLIST_COLUMNS: &[(&str, ScalarType)] = &[
    ("_DTItemId", ScalarType::String),
    ("LastUpdatedTimeUTC", ScalarType::DateTime),
    ("SearchKey", ScalarType::String),
    ("WatchlistItem", ScalarType::Dynamic),
];

/// A workspace function whose calls are accepted with an unknown result: the
/// body the declarations give functions declared without output columns.
pub(crate) const UNKNOWN_RESULT_FUNCTION: &str = "__sentinel_forge_unknown_result";

/// Functions every Sentinel workspace has, which the built-in catalog accepts:
/// watchlists, the ASIM parsers (`_Im_Dns`, `imDns`, `ASimDns`, `vimDnsAzureFirewall`...)
/// and Defender's `FileProfile`.
const SENTINEL_FUNCTIONS: &[&str] =
    &["_GetWatchlist", "_GetWatchlistAlias", "_ASim_*", "_Im_*", "ASim*", "im*", "vim*", "FileProfile"];

/// A problem reading a catalog CSV.
#[derive(Debug, thiserror::Error)]
#[error("catalog line {line}: {message}")]
pub struct CatalogError {
    pub line: usize,
    pub message: String,
}

impl Catalog {
    /// The catalog compiled into the binary, indexed on first use.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| Catalog {
            text: std::borrow::Cow::Borrowed(BUILTIN_CSV),
            index: OnceLock::new(),
            sorted: true,
            parsed: Default::default(),
            functions: SENTINEL_FUNCTIONS.iter().map(|s| s.to_string()).collect(),
            declared: Declared::default(),
        })
    }

    /// The built-in catalog with a project's declarations on top.
    pub(crate) fn builtin_with(declared: Declared, patterns: Vec<String>) -> Catalog {
        let mut functions: Vec<String> = SENTINEL_FUNCTIONS.iter().map(|s| s.to_string()).collect();
        functions.extend(patterns);
        functions.push(UNKNOWN_RESULT_FUNCTION.to_string());
        Catalog {
            text: std::borrow::Cow::Borrowed(BUILTIN_CSV),
            index: OnceLock::new(),
            sorted: true,
            parsed: Default::default(),
            functions,
            declared,
        }
    }

    /// A declared custom table's columns.
    fn declared_table(&self, name: &str) -> Option<&Vec<(String, ScalarType)>> {
        self.declared.tables.get(name)
    }

    /// The columns of `_GetWatchlist(alias)` for a declared watchlist.
    pub fn watchlist(&self, alias: &str) -> Option<Vec<(String, ScalarType)>> {
        let own = self.declared.watchlists.get(alias)?;
        let mut columns: Vec<(String, ScalarType)> =
            WATCHLIST_COLUMNS.iter().map(|(n, t)| (n.to_string(), *t)).collect();
        for (n, t) in own {
            if !columns.iter().any(|(c, _)| c == n) {
                columns.push((n.clone(), *t));
            }
        }
        Some(columns)
    }

    /// Workspace functions declared with parameters, for the checker's outermost scope.
    pub(crate) fn declared_functions(&self) -> &[(String, crate::kql::ast::Function)] {
        &self.declared.functions
    }

    /// Number of declared tables, watchlists and functions (for messages).
    pub fn declared_counts(&self) -> (usize, usize, usize) {
        (self.declared.tables.len(), self.declared.watchlists.len(), self.declared.functions.len())
    }

    /// A catalog from CSV text in the same format (`--catalog FILE`).
    pub fn from_csv(text: String) -> Result<Catalog, CatalogError> {
        let index = build_index(&text)?;
        Ok(Catalog {
            text: std::borrow::Cow::Owned(text),
            index: OnceLock::from(index),
            sorted: false,
            parsed: Default::default(),
            functions: Vec::new(),
            declared: Declared::default(),
        })
    }

    /// A catalog with no tables (every table name is unknown).
    pub fn empty() -> Catalog {
        Catalog {
            text: std::borrow::Cow::Borrowed(""),
            index: OnceLock::from(Vec::new()),
            sorted: false,
            parsed: Default::default(),
            functions: Vec::new(),
            declared: Declared::default(),
        }
    }

    fn index(&self) -> &[TableRows] {
        self.index.get_or_init(|| build_index(&self.text).unwrap_or_default())
    }

    /// The rows of `name` in the sorted built-in text, by binary search.
    fn sorted_rows(&self, name: &str) -> Option<std::ops::Range<usize>> {
        let text: &str = &self.text;
        let body = text.find('\n')? + 1;
        let key = |n: &str| (n.to_ascii_lowercase(), n.to_string());
        let target = key(name);
        let line_start = |at: usize| text[body..at].rfind('\n').map_or(body, |i| body + i + 1);
        let next_line = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let (mut lo, mut hi) = (body, text.len());
        while lo < hi {
            let start = line_start(lo + (hi - lo) / 2);
            match first_field(&text[start..]) {
                Some(n) if key(n) < target => lo = next_line(start),
                _ => hi = start,
            }
        }
        let mut end = lo;
        while end < text.len() && first_field(&text[end..]) == Some(name) {
            end = next_line(end);
        }
        (end > lo).then_some(lo..end)
    }
}

/// One pass over a catalog CSV: where each table's rows are.
fn build_index(text: &str) -> Result<Vec<TableRows>, CatalogError> {
    let mut index: Vec<TableRows> = Vec::new();
    let mut offset = 0usize;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        if n == 0 || line.trim().is_empty() {
            if n == 0 && !line.starts_with("\"table_name\"") && !line.starts_with("table_name") {
                return Err(CatalogError {
                    line: 1,
                    message: "expected the header `table_name,column_name,column_type`".into(),
                });
            }
            continue;
        }
        let Some(name) = first_field(line) else {
            return Err(CatalogError { line: n + 1, message: "expected a quoted or plain table name".into() });
        };
        match index.last_mut() {
            Some(last) if last.name == name => last.rows.end = offset,
            _ => index.push(TableRows { name: name.to_string(), rows: start..offset, columns: OnceLock::new() }),
        }
    }
    index.sort_by(|a, b| a.name.cmp(&b.name));
    // A table whose rows are not contiguous keeps its first block only; merge instead.
    index.dedup_by(|later, first| {
        if later.name == first.name {
            first.rows.start = first.rows.start.min(later.rows.start);
            first.rows.end = first.rows.end.max(later.rows.end);
            true
        } else {
            false
        }
    });
    Ok(index)
}

impl Catalog {
    /// Accept calls to a workspace function (`Name` or a `Prefix*` pattern) whose output is unknown.
    pub fn with_function(mut self, pattern: &str) -> Catalog {
        self.functions.push(pattern.to_string());
        self
    }

    /// Whether `name` is a declared workspace function. A `Prefix*` pattern
    /// matches names continuing with an upper-case letter or `_` (`imDns`, not `import`).
    pub fn knows_function(&self, name: &str) -> bool {
        self.functions.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => name
                .strip_prefix(prefix)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c.is_ascii_uppercase() || c == '_' || prefix.ends_with('_')),
            None => p == name,
        })
    }

    /// Number of tables.
    pub fn len(&self) -> usize {
        self.index().len()
    }

    pub fn is_empty(&self) -> bool {
        self.index().is_empty()
    }

    /// Whether a table of exactly this name exists.
    pub fn contains(&self, name: &str) -> bool {
        if self.declared_table(name).is_some() {
            return true;
        }
        if self.sorted {
            return self.sorted_rows(name).is_some();
        }
        self.index().binary_search_by(|t| t.name.as_str().cmp(name)).is_ok()
    }

    /// The table of exactly this name (case-sensitive), with its columns.
    pub fn table(&self, name: &str) -> Option<TableSchema> {
        if let Some(columns) = self.declared_table(name) {
            return Some(TableSchema { name: name.to_string(), columns: columns.clone() });
        }
        if self.sorted {
            let mut parsed = self.parsed.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(columns) = parsed.get(name) {
                return Some(TableSchema { name: name.to_string(), columns: columns.clone() });
            }
            let rows = self.sorted_rows(name)?;
            let columns = parse_columns(&self.text[rows], name);
            parsed.insert(name.to_string(), columns.clone());
            return Some(TableSchema { name: name.to_string(), columns });
        }
        let index = self.index();
        let i = index.binary_search_by(|t| t.name.as_str().cmp(name)).ok()?;
        let entry = &index[i];
        let columns = entry.columns.get_or_init(|| parse_columns(&self.text[entry.rows.clone()], name));
        Some(TableSchema { name: name.to_string(), columns: columns.clone() })
    }

    /// Every table name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.index().iter().map(|t| t.name.as_str())
    }

    /// The closest table name, for "did you mean": an exact match ignoring
    /// case first, then the nearest by Jaro-Winkler similarity.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        let names = || self.declared.tables.keys().map(String::as_str).chain(self.names());
        if let Some(t) = names().find(|t| t.eq_ignore_ascii_case(name)) {
            return Some(t);
        }
        super::suggest::closest(name, names())
    }
}

/// The typed columns of one table's CSV rows.
fn parse_columns(rows: &str, name: &str) -> Vec<(String, ScalarType)> {
    let mut columns = Vec::new();
    for line in rows.lines() {
        let fields = split_fields(line);
        if fields.len() < 3 || fields[0] != name {
            continue;
        }
        if let Some(ty) = ScalarType::parse(&fields[2]) {
            columns.push((fields[1].clone(), ty));
        }
    }
    columns
}

/// The first CSV field of a line, unquoted (table names carry no quotes).
fn first_field(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix('"') {
        rest.find('"').map(|end| &rest[..end])
    } else {
        line.split(',').next().filter(|s| !s.is_empty())
    }
}

/// The fields of one CSV line (RFC 4180 quoting, `""` inside quotes).
fn split_fields(line: &str) -> Vec<String> {
    let line = line.trim_end_matches(['\r', '\n']);
    let mut fields = Vec::with_capacity(4);
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_resolves_tables_case_sensitively_with_typed_columns() {
        let catalog = Catalog::builtin();
        assert!(catalog.len() > 1000, "{} tables", catalog.len());
        let signin = catalog.table("SigninLogs").expect("SigninLogs");
        let upn = signin.columns.iter().find(|(n, _)| n == "UserPrincipalName").expect("UserPrincipalName");
        assert_eq!(upn.1, ScalarType::String);
        let tg = signin.columns.iter().find(|(n, _)| n == "TimeGenerated").expect("TimeGenerated");
        assert_eq!(tg.1, ScalarType::DateTime);
        assert!(catalog.table("signinlogs").is_none(), "lookup is case-sensitive");
        assert_eq!(catalog.suggest("signinlogs"), Some("SigninLogs"));
        assert_eq!(catalog.suggest("SigninLog"), Some("SigninLogs"));
    }

    #[test]
    fn builtin_text_is_sorted_as_the_binary_search_assumes() {
        let names: Vec<&str> = BUILTIN_CSV.lines().skip(1).filter_map(first_field).collect();
        let key = |n: &str| (n.to_ascii_lowercase(), n.to_string());
        assert!(
            names.windows(2).all(|w| key(w[0]) <= key(w[1])),
            "catalog.csv rows must stay sorted by (lower-case, name)"
        );
        // Every table the index knows is found by the binary search, with the same rows.
        let catalog = Catalog::builtin();
        let indexed = build_index(BUILTIN_CSV).unwrap();
        for t in &indexed {
            assert_eq!(catalog.sorted_rows(&t.name), Some(t.rows.clone()), "{}", t.name);
        }
        assert_eq!(catalog.sorted_rows("NoSuchTable"), None);
        assert_eq!(catalog.sorted_rows("aacaudit"), None);
    }

    #[test]
    fn custom_csv_parses_quoted_and_plain_rows() {
        let csv = "table_name,column_name,column_type\nMy_CL,Name_s,string\n\"My_CL\",\"Count_d\",\"real\"\nOther,x,nonsense\n";
        let catalog = Catalog::from_csv(csv.to_string()).unwrap();
        assert_eq!(catalog.len(), 2);
        let t = catalog.table("My_CL").unwrap();
        assert_eq!(
            t.columns,
            vec![("Name_s".to_string(), ScalarType::String), ("Count_d".to_string(), ScalarType::Real)]
        );
        assert!(catalog.table("Other").unwrap().columns.is_empty(), "unknown types are skipped");
        assert!(Catalog::from_csv("a;b\n".to_string()).is_err());
    }
}
