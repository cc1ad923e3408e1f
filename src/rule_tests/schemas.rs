//! Where test data learns its tables' columns. The table catalog (the
//! semantic checker's, coming) plugs in through [`TableSchemas`]; until then
//! [`DeclaredSchemas`] reads a `tables.json` of declared columns
//! (`{"AzureActivity": {"TimeGenerated": "datetime", "Caller": "string"}}`).

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
    fn table(&self, name: &str) -> Option<&TableSchema>;

    /// Every table declared, for the ones a test leaves empty: in a
    /// workspace they exist with no rows, so a query reading one runs.
    fn declared(&self) -> Vec<(&str, &TableSchema)> {
        Vec::new()
    }
}

/// No schemas: nothing is checked, column types are inferred from values.
pub struct NoSchemas;

impl TableSchemas for NoSchemas {
    fn table(&self, _name: &str) -> Option<&TableSchema> {
        None
    }
}

/// Schemas declared in a `tables.json` file.
#[derive(Clone, Debug, Default)]
pub struct DeclaredSchemas {
    pub tables: BTreeMap<String, TableSchema>,
}

impl TableSchemas for DeclaredSchemas {
    fn table(&self, name: &str) -> Option<&TableSchema> {
        self.tables.get(name)
    }

    fn declared(&self) -> Vec<(&str, &TableSchema)> {
        self.tables.iter().map(|(n, s)| (n.as_str(), s)).collect()
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
}
