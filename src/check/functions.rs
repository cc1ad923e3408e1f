//! The built-in function catalog: scalar, aggregate and window functions and
//! `evaluate` plugins with their signatures, return types, result naming and
//! deprecated aliases.
//!
//! The facts live in `functions.tsv` (one line per signature), extracted from
//! Kusto.Language's function definitions by `tools/kql-functions/extract.py`;
//! this file reads the table once per process.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::kql::types::ScalarType;

const TABLE: &str = include_str!("functions.tsv");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    Scalar,
    Aggregate,
    Plugin,
}

/// What a parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// Exactly this type or a wider one (`int` for `long`).
    Type(ScalarType),
    Scalar,
    Integer,
    Number,
    NumberOrBool,
    Summable,
    StringOrDynamic,
    DynamicArray,
    DynamicBag,
    NotDynamic,
    NotBool,
    Tabular,
    /// Anything this checker does not model precisely (`Parameter0`, `Orderable`, ...).
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub kind: ParamKind,
    pub min: u16,
    pub max: u16,
}

/// The result type of a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Type(ScalarType),
    /// A `dynamic` array or property bag.
    Shaped,
    /// The type of argument N.
    Arg(usize),
    /// The widest numeric type among the arguments.
    Widest,
    /// The common type of the value arguments (`iff`, `coalesce`, `case`).
    Common,
    /// A table (plugins, `table()`, ...).
    Tabular,
    /// Computed by rules this checker does not model.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub ret: Ret,
    pub params: Vec<Param>,
}

impl Signature {
    pub fn min_args(&self) -> usize {
        self.params.iter().map(|p| p.min as usize).sum()
    }

    pub fn max_args(&self) -> usize {
        self.params.iter().map(|p| p.max as usize).sum()
    }

    /// The parameter each of `n` arguments binds to, when the mapping is
    /// positional (no repeated parameter); `None` when it is ambiguous.
    pub fn positional(&self, n: usize) -> Option<Vec<Param>> {
        if self.params.iter().any(|p| p.max > 1) {
            return None;
        }
        let mut optional = n.checked_sub(self.min_args())?;
        let mut out = Vec::with_capacity(n);
        for p in &self.params {
            if p.min == 1 {
                out.push(*p);
            } else if optional > 0 {
                optional -= 1;
                out.push(*p);
            }
        }
        (out.len() == n).then_some(out)
    }
}

/// How a result column is named when the query gives no name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    /// `Column1`, `print_0`, ...
    Generated,
    /// The name of the first argument (`tostring(Account)` -> `Account`).
    FirstArgument,
    /// `prefix_` + the first argument's name (`max(X)` -> `max_X`, `count()` -> `count_`).
    Prefix(&'static str),
    /// Rules this checker does not model.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct FunctionInfo {
    pub name: &'static str,
    pub kind: FunctionKind,
    pub signatures: Vec<Signature>,
    pub naming: Naming,
    /// The replacement of a deprecated alias (`makeset` -> `make_set`).
    pub obsolete: Option<&'static str>,
}

impl FunctionInfo {
    /// The range of argument counts any signature accepts.
    pub fn arity(&self) -> (usize, usize) {
        let min = self.signatures.iter().map(Signature::min_args).min().unwrap_or(0);
        let max = self.signatures.iter().map(Signature::max_args).max().unwrap_or(0);
        (min, max)
    }

    pub fn accepts_count(&self, n: usize) -> bool {
        self.signatures.iter().any(|s| s.min_args() <= n && n <= s.max_args())
    }
}

/// The function tables, by kind (a name can be both scalar and aggregate).
pub struct Functions {
    scalar: HashMap<&'static str, FunctionInfo>,
    aggregate: HashMap<&'static str, FunctionInfo>,
    plugin: HashMap<&'static str, FunctionInfo>,
}

impl Functions {
    pub fn get() -> &'static Functions {
        static FUNCTIONS: OnceLock<Functions> = OnceLock::new();
        FUNCTIONS.get_or_init(load)
    }

    pub fn scalar(&self, name: &str) -> Option<&FunctionInfo> {
        self.scalar.get(name)
    }

    pub fn aggregate(&self, name: &str) -> Option<&FunctionInfo> {
        self.aggregate.get(name)
    }

    pub fn plugin(&self, name: &str) -> Option<&FunctionInfo> {
        self.plugin.get(name)
    }

    /// Every scalar and aggregate function name (for "did you mean").
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.scalar.keys().chain(self.aggregate.keys()).copied()
    }
}

fn load() -> Functions {
    let mut f = Functions { scalar: HashMap::new(), aggregate: HashMap::new(), plugin: HashMap::new() };
    for line in TABLE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let cols: Vec<&'static str> = line.split('\t').collect();
        let [kind, name, ret, params, naming, flags] = cols[..] else { continue };
        let kind = match kind {
            "a" => FunctionKind::Aggregate,
            "p" => FunctionKind::Plugin,
            _ => FunctionKind::Scalar,
        };
        let sig = Signature { ret: parse_ret(ret, kind), params: parse_params(params) };
        let map = match kind {
            FunctionKind::Scalar => &mut f.scalar,
            FunctionKind::Aggregate => &mut f.aggregate,
            FunctionKind::Plugin => &mut f.plugin,
        };
        let entry = map.entry(name).or_insert_with(|| FunctionInfo {
            name,
            kind,
            signatures: Vec::new(),
            naming: parse_naming(naming),
            obsolete: flags.split(',').find_map(|f| f.strip_prefix("obsolete=")),
        });
        entry.signatures.push(sig);
    }
    // Special forms the parser reads as calls; Kusto.Language treats them as keywords.
    let tabular_arg = |name| FunctionInfo {
        name,
        kind: FunctionKind::Scalar,
        signatures: vec![Signature {
            ret: Ret::Unknown,
            params: vec![Param { kind: ParamKind::Tabular, min: 1, max: 1 }],
        }],
        naming: Naming::Generated,
        obsolete: None,
    };
    f.scalar.insert("toscalar", tabular_arg("toscalar"));
    f.scalar.insert("materialize", tabular_arg("materialize"));
    // `count` deprecated with a predicate: that signature is Kusto's obsolete `countif`.
    f
}

fn parse_ret(ret: &str, kind: FunctionKind) -> Ret {
    if let Some(t) = ScalarType::parse(ret) {
        return Ret::Type(t);
    }
    match ret {
        "parameter0" | "parameter0promoted" => Ret::Arg(0),
        "parameter1" => Ret::Arg(1),
        "widest" => Ret::Widest,
        "common" | "commonnondynamic" => Ret::Common,
        "parameter0table"
        | "parameter0externaltable"
        | "parameter0materializedview"
        | "parameter0storedqueryresult" => Ret::Tabular,
        r if r.starts_with("dynamicarray") || r == "dynamicbag" || r == "parameter0array" => Ret::Shaped,
        r if r.starts_with("dynamic") || r == "geoshape" => Ret::Type(ScalarType::Dynamic),
        _ if kind == FunctionKind::Plugin => Ret::Tabular,
        _ => Ret::Unknown,
    }
}

/// `string!{1,1} long{0,1}`: kind, `!` for constant-only, occurrences.
fn parse_params(params: &str) -> Vec<Param> {
    if params == "-" {
        return Vec::new();
    }
    if params == "?" {
        // Parameters the extractor could not read: accept any count.
        return vec![Param { kind: ParamKind::Any, min: 0, max: 9999 }];
    }
    params
        .split(' ')
        .filter_map(|p| {
            let (kind, occ) = p.split_once('{')?;
            let kind = kind.trim_end_matches('!');
            let (min, max) = occ.trim_end_matches('}').split_once(',')?;
            let kind = match ScalarType::parse(kind) {
                Some(t) => ParamKind::Type(t),
                None => match kind {
                    "scalar" => ParamKind::Scalar,
                    "integer" => ParamKind::Integer,
                    "number" => ParamKind::Number,
                    "numberorbool" => ParamKind::NumberOrBool,
                    "summable" => ParamKind::Summable,
                    "stringordynamic" => ParamKind::StringOrDynamic,
                    "dynamicarray" => ParamKind::DynamicArray,
                    "dynamicbag" => ParamKind::DynamicBag,
                    "notdynamic" => ParamKind::NotDynamic,
                    "notbool" => ParamKind::NotBool,
                    "tabular" => ParamKind::Tabular,
                    _ => ParamKind::Any,
                },
            };
            Some(Param { kind, min: min.parse().ok()?, max: max.parse().ok()? })
        })
        .collect()
}

fn parse_naming(naming: &'static str) -> Naming {
    match naming.split_once(':') {
        Some(("PrefixAndFirstArgument", prefix)) => Naming::Prefix(prefix),
        _ => match naming {
            "None" => Naming::Generated,
            "FirstArgument" => Naming::FirstArgument,
            _ => Naming::Unknown,
        },
    }
}

/// Whether an argument of type `arg` is acceptable for `param` (Kusto's
/// rules for built-in functions: exact or wider numeric type, no implicit
/// conversion from `string`; `dynamic` passes for declared scalar types).
pub fn accepts(param: ParamKind, arg: ScalarType) -> bool {
    use ScalarType as T;
    match param {
        // A `dynamic` value may hold any scalar; Kusto accepts it where a scalar type is declared.
        ParamKind::Type(t) => arg == t || widens(arg, t) || arg == T::Dynamic,
        ParamKind::Scalar | ParamKind::Any | ParamKind::Tabular => true,
        ParamKind::Integer => matches!(arg, T::Int | T::Long),
        ParamKind::Number => arg.is_numeric(),
        ParamKind::NumberOrBool => arg.is_numeric() || arg == T::Bool,
        ParamKind::Summable => arg.is_numeric() || matches!(arg, T::TimeSpan | T::DateTime),
        ParamKind::StringOrDynamic => matches!(arg, T::String | T::Dynamic),
        ParamKind::DynamicArray | ParamKind::DynamicBag => arg == T::Dynamic,
        ParamKind::NotDynamic => arg != T::Dynamic,
        ParamKind::NotBool => arg != T::Bool,
    }
}

/// Numeric promotion: int < long < real, and int/long to decimal.
pub fn widens(from: ScalarType, to: ScalarType) -> bool {
    use ScalarType as T;
    matches!((from, to), (T::Int, T::Long) | (T::Int | T::Long, T::Real) | (T::Int | T::Long, T::Decimal))
}

/// A short description of what a parameter accepts, for messages.
pub fn describe(param: ParamKind) -> &'static str {
    match param {
        ParamKind::Type(t) => t.name(),
        ParamKind::Integer => "int or long",
        ParamKind::Number => "a number",
        ParamKind::NumberOrBool => "a number or bool",
        ParamKind::Summable => "a number, datetime or timespan",
        ParamKind::StringOrDynamic => "string or dynamic",
        ParamKind::DynamicArray => "a dynamic array",
        ParamKind::DynamicBag => "a dynamic property bag",
        ParamKind::NotDynamic => "a non-dynamic scalar",
        ParamKind::NotBool => "a non-bool scalar",
        ParamKind::Scalar | ParamKind::Any => "a scalar",
        ParamKind::Tabular => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_knows_signatures_naming_and_deprecated_aliases() {
        let f = Functions::get();
        let strcat = f.scalar("strcat").expect("strcat");
        assert_eq!(strcat.arity(), (1, 64));
        assert_eq!(strcat.signatures[0].ret, Ret::Type(ScalarType::String));
        let ago = f.scalar("ago").unwrap();
        assert_eq!(ago.signatures[0].params[0].kind, ParamKind::Type(ScalarType::TimeSpan));
        assert_eq!(f.aggregate("max").unwrap().naming, Naming::Prefix("max"));
        assert_eq!(f.aggregate("count").unwrap().naming, Naming::Prefix("count"));
        assert_eq!(f.aggregate("makeset").unwrap().obsolete, Some("make_set"));
        assert_eq!(f.scalar("parsejson").unwrap().obsolete, Some("parse_json"));
        assert_eq!(f.aggregate("min").unwrap().signatures[0].ret, Ret::Arg(0));
        assert!(f.plugin("bag_unpack").is_some());
        assert!(f.scalar("tostirng").is_none());
        assert!(f.scalar("count").is_none(), "count is an aggregate only");
    }

    #[test]
    fn argument_rules_follow_kusto_promotion() {
        assert!(accepts(ParamKind::Type(ScalarType::Long), ScalarType::Int));
        assert!(accepts(ParamKind::Type(ScalarType::String), ScalarType::Dynamic));
        assert!(!accepts(ParamKind::Type(ScalarType::String), ScalarType::Long));
        assert!(!accepts(ParamKind::Type(ScalarType::Bool), ScalarType::String));
        assert!(accepts(ParamKind::StringOrDynamic, ScalarType::Dynamic));
        let sig = Signature {
            ret: Ret::Unknown,
            params: vec![
                Param { kind: ParamKind::Scalar, min: 1, max: 1 },
                Param { kind: ParamKind::Integer, min: 0, max: 1 },
            ],
        };
        assert_eq!(sig.positional(2).map(|p| p[1].kind), Some(ParamKind::Integer));
        assert_eq!(sig.positional(3), None);
    }
}
