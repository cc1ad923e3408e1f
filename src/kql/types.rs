//! KQL's scalar types, shared by the semantic checker (which infers them)
//! and the local engine (which stores values of them). Names follow Kusto's
//! spelling, including the aliases its parser accepts in `datatable`,
//! `externaldata`, function parameters and `to typeof(...)`.

use std::fmt;

/// A Kusto scalar type. `Dynamic` holds any JSON-like value tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScalarType {
    Bool,
    Int,
    Long,
    Real,
    Decimal,
    DateTime,
    TimeSpan,
    Guid,
    String,
    Dynamic,
}

impl ScalarType {
    /// Every type, in Kusto's documentation order.
    pub const ALL: [ScalarType; 10] = [
        ScalarType::Bool,
        ScalarType::Int,
        ScalarType::Long,
        ScalarType::Real,
        ScalarType::Decimal,
        ScalarType::DateTime,
        ScalarType::TimeSpan,
        ScalarType::Guid,
        ScalarType::String,
        ScalarType::Dynamic,
    ];

    /// The canonical name (`getschema`'s `ColumnType`, the query API's column type).
    pub fn name(self) -> &'static str {
        match self {
            ScalarType::Bool => "bool",
            ScalarType::Int => "int",
            ScalarType::Long => "long",
            ScalarType::Real => "real",
            ScalarType::Decimal => "decimal",
            ScalarType::DateTime => "datetime",
            ScalarType::TimeSpan => "timespan",
            ScalarType::Guid => "guid",
            ScalarType::String => "string",
            ScalarType::Dynamic => "dynamic",
        }
    }

    /// Parse a type name as Kusto accepts it (case-insensitive, with aliases).
    pub fn parse(name: &str) -> Option<ScalarType> {
        let t = match name.to_ascii_lowercase().as_str() {
            "bool" | "boolean" => ScalarType::Bool,
            "int" | "int32" => ScalarType::Int,
            "long" | "int64" => ScalarType::Long,
            "real" | "double" | "float" => ScalarType::Real,
            "decimal" => ScalarType::Decimal,
            "datetime" | "date" => ScalarType::DateTime,
            "timespan" | "time" => ScalarType::TimeSpan,
            "guid" | "uuid" | "uniqueid" => ScalarType::Guid,
            "string" => ScalarType::String,
            "dynamic" => ScalarType::Dynamic,
            _ => return None,
        };
        Some(t)
    }

    /// Numeric types take part in arithmetic and promote int < long < real.
    pub fn is_numeric(self) -> bool {
        matches!(self, ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal)
    }
}

impl fmt::Display for ScalarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::ScalarType;

    #[test]
    fn names_round_trip_and_aliases_resolve() {
        for t in ScalarType::ALL {
            assert_eq!(ScalarType::parse(t.name()), Some(t));
        }
        assert_eq!(ScalarType::parse("Int64"), Some(ScalarType::Long));
        assert_eq!(ScalarType::parse("double"), Some(ScalarType::Real));
        assert_eq!(ScalarType::parse("uniqueid"), Some(ScalarType::Guid));
        assert_eq!(ScalarType::parse("varchar"), None);
    }
}
