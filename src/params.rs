//! Typed, range-checked model parameters.
//!
//! A model declares its parameters as a table of [`ParamSpec`]s (type,
//! default, range, documentation). Content values are checked against that
//! table with spans, defaults are filled in, and the result is deserialized
//! into the model's own typed struct. The table is the single source of
//! truth for `templates NAME`, the content JSON Schema and validation.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Value as Json, json};
use toml::de::DeValue;

use crate::timespan::Timespan;

/// The type of a parameter, with its allowed range.
#[derive(Clone, Copy, Debug)]
pub enum ParamType {
    /// A duration; `whole` forces a unit the template needs (e.g. minutes).
    Timespan {
        min: Timespan,
        max: Timespan,
        whole: Granularity,
    },
    /// An integer in `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    /// A real number in `min..=max` (probabilities use 0..=1).
    Real {
        min: f64,
        max: f64,
    },
    Bool,
    /// A string; `required` ones may not be empty.
    String {
        non_empty: bool,
    },
    /// A list of strings with at least `min_items` entries.
    StringList {
        min_items: usize,
    },
    /// An ISO 8601 date-time (`2021-11-22T00:00:00Z` or `2021-11-22`);
    /// `optional` ones may be empty.
    Datetime {
        optional: bool,
    },
}

/// `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and `Z`.
pub fn is_datetime(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if !(digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7) && b.get(7) == Some(&b'-') && digits(8..10)) {
        return false;
    }
    let rest = &text[10..];
    if rest.is_empty() {
        return true;
    }
    let rest = rest.strip_suffix('Z').unwrap_or(rest);
    let Some(time) = rest.strip_prefix('T') else { return false };
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let parts: Vec<&str> = hms.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| p.len() == 2 && p.bytes().all(|c| c.is_ascii_digit()))
        && frac.bytes().all(|c| c.is_ascii_digit())
}

/// A unit a timespan must be a whole number of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    Second,
    Minute,
    Hour,
}

impl Granularity {
    fn divides(self, t: Timespan) -> bool {
        match self {
            Granularity::Second => true,
            Granularity::Minute => t.whole_minutes().is_some(),
            Granularity::Hour => t.whole_hours().is_some(),
        }
    }
    fn unit(self) -> &'static str {
        match self {
            Granularity::Second => "seconds",
            Granularity::Minute => "minutes",
            Granularity::Hour => "hours",
        }
    }
}

/// A parameter's default, as a `const`-friendly literal.
#[derive(Clone, Copy, Debug)]
pub enum DefaultValue {
    Timespan(Timespan),
    Int(i64),
    Real(f64),
    Bool(bool),
    Str(&'static str),
    List(&'static [&'static str]),
    /// No default: the content file must set it.
    Required,
}

/// One declared parameter of a model.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub ty: ParamType,
    pub default: DefaultValue,
    /// What the parameter means; printed by `templates NAME`.
    pub doc: &'static str,
}

/// A checked parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    Timespan(Timespan),
    Int(i64),
    Real(f64),
    Bool(bool),
    String(String),
    List(Vec<String>),
}

impl ParamValue {
    pub fn to_json(&self) -> Json {
        match self {
            ParamValue::Timespan(t) => json!(t.to_string()),
            ParamValue::Int(i) => json!(i),
            ParamValue::Real(r) => json!(r),
            ParamValue::Bool(b) => json!(b),
            ParamValue::String(s) => json!(s),
            ParamValue::List(l) => json!(l),
        }
    }

    /// Every string inside the value (for the ASCII check).
    pub fn strings(&self) -> Vec<&str> {
        match self {
            ParamValue::String(s) => vec![s.as_str()],
            ParamValue::List(l) => l.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Timespan(t) => write!(f, "\"{t}\""),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Real(r) => write!(f, "{}", format_real(*r)),
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::String(s) => write!(f, "{}", toml_string(s)),
            ParamValue::List(l) => {
                let items: Vec<String> = l.iter().map(|s| toml_string(s)).collect();
                write!(f, "[{}]", items.join(", "))
            }
        }
    }
}

/// A real number printed so it reads back as a real (`1.0`, not `1`).
pub fn format_real(r: f64) -> String {
    if r.fract() == 0.0 && r.is_finite() { format!("{r:.1}") } else { format!("{r}") }
}

fn toml_string(s: &str) -> String {
    // A TOML basic string; serde_json's escaping is a subset TOML accepts.
    serde_json::to_string(s).expect("string serializes")
}

impl ParamSpec {
    /// The default as a value, or `None` when the parameter is required.
    pub fn default_value(&self) -> Option<ParamValue> {
        Some(match self.default {
            DefaultValue::Timespan(t) => ParamValue::Timespan(t),
            DefaultValue::Int(i) => ParamValue::Int(i),
            DefaultValue::Real(r) => ParamValue::Real(r),
            DefaultValue::Bool(b) => ParamValue::Bool(b),
            DefaultValue::Str(s) => ParamValue::String(s.to_string()),
            DefaultValue::List(l) => ParamValue::List(l.iter().map(|s| s.to_string()).collect()),
            DefaultValue::Required => return None,
        })
    }

    /// The type as users read it in messages and `templates`: spelled as a
    /// custom declaration writes it (`type = "int"`), so what `templates`
    /// prints can be copied into a declaration.
    pub fn type_name(&self) -> &'static str {
        match self.ty {
            ParamType::Timespan { .. } => "timespan",
            ParamType::Int { .. } => "int",
            ParamType::Real { .. } => "real",
            ParamType::Bool => "bool",
            ParamType::String { .. } => "string",
            ParamType::StringList { .. } => "string_list",
            ParamType::Datetime { .. } => "datetime",
        }
    }

    /// The allowed range in words, or `None` when any value of the type goes.
    pub fn range_text(&self) -> Option<String> {
        match self.ty {
            ParamType::Timespan { min, max, whole } => {
                let unit =
                    if whole == Granularity::Second { String::new() } else { format!(", whole {}", whole.unit()) };
                let upper = if max >= UNBOUNDED_TIMESPAN { String::new() } else { format!(" ..= {max}") };
                Some(format!("{min}{}{upper}{unit}", if upper.is_empty() { " or more" } else { "" }))
            }
            // Custom declarations may leave either bound open.
            ParamType::Int { min, max } => bounds(min, max, i64::MIN, i64::MAX, |n| n.to_string()),
            ParamType::Real { min, max } => bounds(min, max, f64::MIN, f64::MAX, format_real),
            ParamType::Bool => None,
            ParamType::String { non_empty } => non_empty.then(|| "non-empty".to_string()),
            ParamType::StringList { min_items } => (min_items > 0).then(|| format!("at least {min_items} item(s)")),
            ParamType::Datetime { optional } => {
                Some(if optional { "ISO 8601, or empty" } else { "ISO 8601" }.to_string())
            }
        }
    }

    /// JSON Schema of the parameter, for `schema` (editors validate TOML with it).
    pub fn json_schema(&self) -> Json {
        let mut schema = match self.ty {
            ParamType::Timespan { .. } => json!({"type": "string", "pattern": "^[0-9]+[smhd]$"}),
            ParamType::Int { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
            ParamType::Real { min, max } => json!({"type": "number", "minimum": min, "maximum": max}),
            ParamType::Bool => json!({"type": "boolean"}),
            ParamType::String { non_empty } => {
                json!({"type": "string", "minLength": if non_empty { 1 } else { 0 }})
            }
            ParamType::StringList { min_items } => {
                json!({"type": "array", "items": {"type": "string"}, "minItems": min_items})
            }
            ParamType::Datetime { .. } => json!({"type": "string"}),
        };
        let obj = schema.as_object_mut().expect("object");
        obj.insert("description".into(), json!(self.doc));
        if let Some(d) = self.default_value() {
            obj.insert("default".into(), d.to_json());
        }
        schema
    }

    /// Check one TOML value against this spec. The error is a message and a
    /// help line; the caller attaches the span and code.
    pub fn check(&self, value: &DeValue<'_>) -> Result<ParamValue, ParamProblem> {
        let wrong = || ParamProblem::WrongType { expected: self.type_name(), found: value.type_str() };
        match self.ty {
            ParamType::Timespan { min, max, whole } => {
                let text = value.as_str().ok_or_else(wrong)?;
                let t: Timespan = text.parse().map_err(|e| ParamProblem::BadTimespan(format!("{e}")))?;
                if t < min || t > max || !whole.divides(t) {
                    return Err(ParamProblem::OutOfRange(self.range_text().unwrap_or_default()));
                }
                Ok(ParamValue::Timespan(t))
            }
            ParamType::Int { min, max } => {
                let i = value.as_integer().ok_or_else(wrong)?;
                let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
                let n = i64::from_str_radix(&digits, i.radix())
                    .map_err(|_| ParamProblem::OutOfRange(self.range_text().unwrap_or_default()))?;
                if n < min || n > max {
                    return Err(ParamProblem::OutOfRange(self.range_text().unwrap_or_default()));
                }
                Ok(ParamValue::Int(n))
            }
            ParamType::Real { min, max } => {
                let r = if let Some(f) = value.as_float() {
                    f.as_str().replace('_', "").parse::<f64>().map_err(|_| wrong())?
                } else if let Some(i) = value.as_integer() {
                    i.as_str().replace('_', "").parse::<i64>().map_err(|_| wrong())? as f64
                } else {
                    return Err(wrong());
                };
                if !r.is_finite() || r < min || r > max {
                    return Err(ParamProblem::OutOfRange(self.range_text().unwrap_or_default()));
                }
                Ok(ParamValue::Real(r))
            }
            ParamType::Bool => value.as_bool().map(ParamValue::Bool).ok_or_else(wrong),
            ParamType::String { non_empty } => {
                let s = value.as_str().ok_or_else(wrong)?;
                if non_empty && s.trim().is_empty() {
                    return Err(ParamProblem::OutOfRange("non-empty".into()));
                }
                Ok(ParamValue::String(s.to_string()))
            }
            ParamType::Datetime { optional } => {
                let s = value.as_str().ok_or_else(wrong)?;
                if (s.is_empty() && optional) || is_datetime(s) {
                    Ok(ParamValue::String(s.to_string()))
                } else {
                    Err(ParamProblem::OutOfRange(self.range_text().unwrap_or_default()))
                }
            }
            ParamType::StringList { min_items } => {
                let arr = value.as_array().ok_or_else(wrong)?;
                let mut items = Vec::with_capacity(arr.len());
                for (index, item) in arr.iter().enumerate() {
                    let s = item.get_ref().as_str().ok_or(ParamProblem::WrongItem {
                        index,
                        span: item.span(),
                        found: item.get_ref().type_str(),
                    })?;
                    items.push(s.to_string());
                }
                if items.len() < min_items {
                    return Err(ParamProblem::OutOfRange(self.range_text().unwrap_or_default()));
                }
                Ok(ParamValue::List(items))
            }
        }
    }
}

/// The largest timespan a custom declaration without `max` accepts (100 years).
pub const UNBOUNDED_TIMESPAN: Timespan = Timespan::from_days(36_500);

/// `min ..= max`, `>= min`, `<= max` or nothing, leaving out open bounds.
fn bounds<T: PartialEq + Copy>(min: T, max: T, lowest: T, highest: T, show: impl Fn(T) -> String) -> Option<String> {
    match (min == lowest, max == highest) {
        (true, true) => None,
        (false, true) => Some(format!(">= {}", show(min))),
        (true, false) => Some(format!("<= {}", show(max))),
        (false, false) => Some(format!("{} ..= {}", show(min), show(max))),
    }
}

/// Why a parameter value was rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamProblem {
    WrongType { expected: &'static str, found: &'static str },
    WrongItem { index: usize, span: std::ops::Range<usize>, found: &'static str },
    BadTimespan(String),
    OutOfRange(String),
}

/// Checked parameters of one item, defaults filled in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamValues {
    pub values: BTreeMap<&'static str, ParamValue>,
}

impl ParamValues {
    /// All parameters as a JSON object, the input of a model's typed struct.
    pub fn to_json(&self) -> Json {
        Json::Object(self.values.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect())
    }
}
