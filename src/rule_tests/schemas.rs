//! Where test data learns its tables' columns: a project's `tables.json`
//! of declared columns (`{"AzureActivity": {"TimeGenerated": "datetime",
//! "Caller": "string"}}`, [`DeclaredSchemas`]) first, then the semantic
//! checker's table catalog ([`CatalogSchemas`]: every Log Analytics and
//! Sentinel table the checker knows), so a fixture row with a column its
//! table does not have, or a value of the wrong type, is a diagnostic even
//! for a table the project never declared.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use crate::kql::types::ScalarType;

/// The columns of one table, in order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TableSchema {
    pub columns: Vec<(String, ScalarType)>,
}

impl TableSchema {
    pub fn column(&self, name: &str) -> Option<ScalarType> {
        self.columns.iter().find(|(c, _)| c == name).map(|(_, t)| *t)
    }
}

/// A source of table schemas. A table it does not know is not checked.
pub trait TableSchemas: Sync {
    fn table(&self, name: &str) -> Option<Cow<'_, TableSchema>>;

    /// A known table whose name is close to `name` (for a table the
    /// schemas do not know: a misspelt table gets no rows into the query).
    fn suggest(&self, _name: &str) -> Option<String> {
        None
    }

    /// Every table declared, for the ones a test leaves empty: in a
    /// workspace they exist with no rows, so a query reading one runs.
    fn declared(&self) -> Vec<(&str, &TableSchema)> {
        Vec::new()
    }
}

/// No schemas: nothing is checked, column types are inferred from values.
pub struct NoSchemas;

impl TableSchemas for NoSchemas {
    fn table(&self, _name: &str) -> Option<Cow<'_, TableSchema>> {
        None
    }
}

/// Schemas declared in a `tables.json` file.
#[derive(Clone, Debug, Default)]
pub struct DeclaredSchemas {
    pub tables: BTreeMap<String, TableSchema>,
}

impl TableSchemas for DeclaredSchemas {
    fn table(&self, name: &str) -> Option<Cow<'_, TableSchema>> {
        self.tables.get(name).map(Cow::Borrowed)
    }

    fn declared(&self) -> Vec<(&str, &TableSchema)> {
        self.tables.iter().map(|(n, s)| (n.as_str(), s)).collect()
    }
}

/// The declared schemas (a project's `tables.json`), then the checker's
/// table catalog for the tables they do not declare.
pub struct CatalogSchemas {
    pub declared: DeclaredSchemas,
    pub catalog: &'static crate::check::Catalog,
}

impl CatalogSchemas {
    /// `declared` over the built-in catalog.
    pub fn builtin(declared: DeclaredSchemas) -> Self {
        CatalogSchemas { declared, catalog: crate::check::Catalog::builtin() }
    }
}

impl TableSchemas for CatalogSchemas {
    fn table(&self, name: &str) -> Option<Cow<'_, TableSchema>> {
        if let Some(t) = self.declared.table(name) {
            return Some(t);
        }
        let t = self.catalog.table(name)?;
        Some(Cow::Owned(TableSchema { columns: t.columns }))
    }

    fn suggest(&self, name: &str) -> Option<String> {
        if let Some(d) = self.declared.tables.keys().find(|k| k.eq_ignore_ascii_case(name)) {
            return Some(d.clone());
        }
        self.catalog.suggest(name).map(str::to_string)
    }

    fn declared(&self) -> Vec<(&str, &TableSchema)> {
        self.declared.declared()
    }
}

impl DeclaredSchemas {
    /// Read `{"Table": {"Column": "type", ...}, ...}`; the error says what is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Some(tables) = value.as_object() else { return Err("expected an object of tables".into()) };
        let mut out = DeclaredSchemas::default();
        for (table, columns) in tables {
            let Some(columns) = columns.as_object() else {
                return Err(format!("table `{table}`: expected an object of column types"));
            };
            let mut schema = TableSchema::default();
            for (column, ty) in columns {
                let ty = ty
                    .as_str()
                    .and_then(ScalarType::parse)
                    .ok_or_else(|| format!("`{table}.{column}`: `{ty}` is not a KQL type"))?;
                schema.columns.push((column.clone(), ty));
            }
            out.tables.insert(table.clone(), schema);
        }
        Ok(out)
    }

    /// The schemas of `path` if the file exists.
    pub fn load_if_present(path: &Path) -> Result<Option<Self>, String> {
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("reading `{}`: {e}", path.display()))?;
        Self::from_json(&text).map(Some).map_err(|e| format!("`{}`: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_schemas_read_types_and_reject_unknown_ones() {
        let s = DeclaredSchemas::from_json(r#"{"T": {"TimeGenerated": "datetime", "N": "Int64"}}"#).unwrap();
        assert_eq!(s.table("T").unwrap().column("N"), Some(ScalarType::Long));
        assert!(s.table("U").is_none());
        let err = DeclaredSchemas::from_json(r#"{"T": {"x": "varchar"}}"#).unwrap_err();
        assert!(err.contains("`T.x`"), "{err}");
    }

    #[test]
    fn the_catalog_answers_for_tables_the_project_does_not_declare() {
        let declared = DeclaredSchemas::from_json(r#"{"AzureActivity": {"TimeGenerated": "datetime"}}"#).unwrap();
        let s = CatalogSchemas::builtin(declared);
        assert_eq!(s.table("AzureActivity").unwrap().columns.len(), 1, "the declared schema wins");
        let signin = s.table("SigninLogs").expect("the catalog knows SigninLogs");
        assert_eq!(signin.column("TimeGenerated"), Some(ScalarType::DateTime));
        assert!(s.table("NoSuchTable_CL").is_none());
        assert_eq!(s.suggest("SigninLog").as_deref(), Some("SigninLogs"));
        assert_eq!(s.declared().len(), 1);
    }
}
