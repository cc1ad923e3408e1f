//! Custom models: a content item that brings its own query template and
//! declares its parameters itself (`template = "custom"`).
//!
//! ```toml
//! template = "custom"
//! query = "templates/custom/vm-deletions.kql.tera"
//! window = "lookback"                 # optional: the timespan parameter that is the query's window
//!
//! [params.min_count]
//! type = "int"                        # int, real, bool, string, string_list, timespan, datetime
//! default = 5                         # the item's value (environments and `run --set` override it)
//! min = 1
//! doc = "Deletions by one caller before the hunt reports them."
//!
//! [[connectors]]
//! id = "AzureActivity"
//! data_types = ["AzureActivity"]
//! ```
//!
//! The declarations become the same [`ParamSpec`] table a built-in model
//! has, so values are validated, documented (`templates`) and escaped exactly
//! alike. Built-in models are `'static`; a custom model is built while the
//! content is read and lives for the rest of the process (it is leaked: a
//! run reads its content once, and the declarations are small).

use std::collections::BTreeMap;

use serde_json::Value;
use toml::de::{DeTable, DeValue};

use crate::content::codes;
use crate::content::item::Kind;
use crate::content::reader::{TableReader, range_of};
use crate::diag::Diagnostic;
use crate::models::{DataConnector, Model, ModelInfo, no_window};
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType, ParamValue, ParamValues};
use crate::source::FileId;
use crate::span::TextRange;
use crate::timespan::Timespan;

/// The `template` value that selects a custom model.
pub const CUSTOM: &str = "custom";

/// Parameter types a declaration may name, as written in content.
pub const TYPES: &[&str] = &["int", "real", "bool", "string", "string_list", "timespan", "datetime"];

/// A model declared by one content item.
pub struct CustomModel {
    pub info: ModelInfo,
    /// The timespan parameter that is the query's window, if declared.
    pub window_param: Option<&'static str>,
}

impl Model for CustomModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The declarations are the type: values go to the template as they are.
    fn context(&self, params: &ParamValues) -> Result<Value, serde_json::Error> {
        Ok(params.to_json())
    }

    fn window(&self, params: &ParamValues) -> Option<Timespan> {
        self.window_param.and_then(|name| ModelInfo::timespan_param(params, name))
    }

    fn is_custom(&self) -> bool {
        true
    }
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

/// The template name (relative to the template directory) of a `query`
/// path written relative to the project (`templates/custom/x.kql.tera`).
pub fn template_name(query: &str) -> String {
    let q = query.trim_start_matches("./");
    q.strip_prefix("templates/").unwrap_or(q).to_string()
}

/// Read the custom-model keys of a content file (`query`, `window`,
/// `[params.*]` declarations, `[[connectors]]`) and build the model.
/// Returns the model and the declared values; `None` when a declaration is
/// broken (diagnostics say why).
/// The model, its values, and where each default is written (the value a
/// render error points back at).
pub type CustomRead = (&'static dyn Model, ParamValues, BTreeMap<&'static str, TextRange>);

pub fn read(r: &mut TableReader<'_, '_>, slug: &str) -> Option<CustomRead> {
    let file = r.file;
    let query = r.string("query", true, "\"templates/custom/<file name>.kql.tera\"");
    let window = r.string("window", false, "");
    let mut diags = Vec::new();
    let mut specs: Vec<ParamSpec> = Vec::new();
    let mut values = ParamValues::default();
    let mut ranges = BTreeMap::new();
    if let Some((table, _)) = r.table("params") {
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let Some(decl) = value.get_ref().as_table() else {
                diags.push(
                    Diagnostic::new(
                        codes::WRONG_TYPE,
                        format!("parameter `{name}` of a custom query is a declaration"),
                    )
                    .with_primary(file, range_of(value), format!("found {}", value.get_ref().type_str()))
                    .with_help(format!(
                        "write `[params.{name}]` with `type`, `default` and `doc` (types: {})",
                        TYPES.join(", ")
                    )),
                );
                continue;
            };
            if !is_identifier(name) {
                diags.push(
                    Diagnostic::new(codes::WRONG_TYPE, format!("`{name}` is not a usable parameter name"))
                        .with_primary(file, range_of(key), "templates read it as `params.<name>`")
                        .with_help("use letters, digits and `_`, starting with a letter"),
                );
                continue;
            }
            if let Some((spec, v, default_range)) =
                read_declaration(file, leak(name), decl, range_of(value), &mut diags)
            {
                values.values.insert(spec.name, v);
                ranges.insert(spec.name, default_range);
                specs.push(spec);
            }
        }
    }
    let mut connectors = Vec::new();
    for (t, trange) in r.table_array("connectors") {
        let mut cr = TableReader::new(file, t, trange, "a `[[connectors]]` entry");
        let id = cr.string("id", true, "\"AzureActivity\"");
        let types = cr.string_list("data_types");
        diags.extend(cr.finish());
        if let Some((id, _)) = id {
            let data_types: Vec<&'static str> = types.iter().map(|(t, _)| leak(t)).collect();
            connectors.push(DataConnector { connector_id: leak(&id), data_types: Box::leak(data_types.into()) });
        }
    }
    let window_param = match window {
        Some((w, range)) => {
            let is_timespan = specs.iter().any(|s| s.name == w && matches!(s.ty, ParamType::Timespan { .. }));
            if !is_timespan {
                diags.push(
                    Diagnostic::new(codes::UNKNOWN_KEY, format!("`window` names no timespan parameter `{w}`"))
                        .with_primary(file, range, "not a declared timespan parameter")
                        .with_help(
                            "declare `[params.<name>] type = \"timespan\"` and name it here, or remove `window`",
                        ),
                );
            }
            Some(leak(&w))
        }
        None => None,
    };
    let failed = crate::diag::has_errors(&diags);
    r.diags.append(&mut diags);
    let (query, _) = query?;
    if failed {
        return None;
    }
    let model = CustomModel {
        info: ModelInfo {
            name: leak(&format!("{CUSTOM}:{slug}")),
            summary: "a query this content item brings itself",
            reference: leak(&query),
            kinds: Kind::ALL,
            template: leak(&template_name(&query)),
            params: Box::leak(specs.into_boxed_slice()),
            connectors: Box::leak(connectors.into_boxed_slice()),
            window: no_window,
            entities: &[],
        },
        window_param,
    };
    let model: &'static CustomModel = Box::leak(Box::new(model));
    Some((model, values, ranges))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A `min` or `max` of a declaration, in the parameter's type.
#[derive(Clone, Copy)]
enum Bound {
    Int(i64),
    Real(f64),
    Timespan(Timespan),
}

impl Bound {
    fn int(self) -> Option<i64> {
        if let Bound::Int(n) = self { Some(n) } else { None }
    }
    fn real(self) -> Option<f64> {
        if let Bound::Real(n) = self { Some(n) } else { None }
    }
    fn timespan(self) -> Option<Timespan> {
        if let Bound::Timespan(t) = self { Some(t) } else { None }
    }
}

/// `Some(None)` when the bound is absent, `Some(Some(b))` when it fits the
/// type, `None` (with a diagnostic) when it does not.
#[allow(clippy::too_many_arguments)]
fn read_bound(
    file: FileId,
    name: &str,
    ty: &str,
    which: &str,
    value: Option<&toml::Spanned<DeValue<'_>>>,
    parse: &dyn Fn(&DeValue<'_>) -> Option<Bound>,
    expected: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Option<Bound>> {
    let Some(v) = value else { return Some(None) };
    match parse(v.get_ref()) {
        Some(b) => Some(Some(b)),
        None => {
            out.push(
                Diagnostic::new(codes::WRONG_TYPE, format!("`{which}` of parameter `{name}` must be {expected}"))
                    .with_primary(file, range_of(v), format!("found {}", v.get_ref().type_str()))
                    .with_help(format!("`{which}` has the parameter's type ({ty})")),
            );
            None
        }
    }
}

/// One `[params.<name>]` declaration: its spec and its (checked) value.
fn read_declaration(
    file: FileId,
    name: &'static str,
    decl: &DeTable<'_>,
    range: TextRange,
    diags: &mut Vec<Diagnostic>,
) -> Option<(ParamSpec, ParamValue, TextRange)> {
    let mut r = TableReader::new(file, decl, range, "a parameter declaration");
    let ty = r.one_of("type", TYPES);
    if ty.is_none() && r.has("type").is_none() {
        r.missing("type", "\"int\"");
    }
    let doc = r.string("doc", false, "");
    let default = r.entry("default");
    let min = r.entry("min").map(|(_, v)| v);
    let max = r.entry("max").map(|(_, v)| v);
    let min_items = r.int("min_items");
    let non_empty = r.bool("non_empty");
    if default.is_none() {
        r.missing("default", "<the value this item uses>");
    }
    let mut local = r.finish();
    let (Some((ty, _)), Some((_, default))) = (ty, default) else {
        diags.append(&mut local);
        return None;
    };
    let not_for = |key: &str, range: TextRange| {
        Diagnostic::new(codes::UNKNOWN_KEY, format!("`{key}` does not apply to a {ty} parameter"))
            .with_primary(file, range, "not used by this type")
            .with_help("remove it")
    };
    let int_of = |v: &DeValue<'_>| {
        v.as_integer().and_then(|i| i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok())
    };
    let real_of = |v: &DeValue<'_>| {
        v.as_float()
            .and_then(|f| f.as_str().replace('_', "").parse::<f64>().ok())
            .or_else(|| int_of(v).map(|i| i as f64))
    };
    let ts_of = |v: &DeValue<'_>| v.as_str().and_then(|s| s.parse::<Timespan>().ok());
    let mut bound = |which: &str, v, parse: &dyn Fn(&DeValue<'_>) -> Option<Bound>, expected: &str| {
        read_bound(file, name, ty, which, v, parse, expected, &mut local)
    };
    let int_bound = |v: &DeValue<'_>| int_of(v).map(Bound::Int);
    let real_bound = |v: &DeValue<'_>| real_of(v).map(Bound::Real);
    let ts_bound = |v: &DeValue<'_>| ts_of(v).map(Bound::Timespan);
    let ptype = match ty {
        "int" => match (bound("min", min, &int_bound, "an integer"), bound("max", max, &int_bound, "an integer")) {
            (Some(lo), Some(hi)) => Some(ParamType::Int {
                min: lo.and_then(Bound::int).unwrap_or(i64::MIN),
                max: hi.and_then(Bound::int).unwrap_or(i64::MAX),
            }),
            _ => None,
        },
        "real" => match (bound("min", min, &real_bound, "a number"), bound("max", max, &real_bound, "a number")) {
            (Some(lo), Some(hi)) => Some(ParamType::Real {
                min: lo.and_then(Bound::real).unwrap_or(f64::MIN),
                max: hi.and_then(Bound::real).unwrap_or(f64::MAX),
            }),
            _ => None,
        },
        "timespan" => {
            match (
                bound("min", min, &ts_bound, "a timespan (\"5m\")"),
                bound("max", max, &ts_bound, "a timespan (\"14d\")"),
            ) {
                (Some(lo), Some(hi)) => Some(ParamType::Timespan {
                    min: lo.and_then(Bound::timespan).unwrap_or(Timespan::from_seconds(0)),
                    max: hi.and_then(Bound::timespan).unwrap_or(crate::params::UNBOUNDED_TIMESPAN),
                    whole: Granularity::Second,
                }),
                _ => None,
            }
        }
        other => {
            for (key, v) in [("min", min), ("max", max)] {
                if let Some(v) = v {
                    local.push(not_for(key, range_of(v)));
                }
            }
            match other {
                "bool" => Some(ParamType::Bool),
                "string" => Some(ParamType::String { non_empty: non_empty.is_some_and(|b| b.0) }),
                "string_list" => {
                    Some(ParamType::StringList { min_items: min_items.map_or(0, |(n, _)| n.max(0) as usize) })
                }
                _ => Some(ParamType::Datetime { optional: false }),
            }
        }
    };
    if ty != "string"
        && let Some((_, range)) = non_empty
    {
        local.push(not_for("non_empty", range));
    }
    if ty != "string_list"
        && let Some((_, range)) = min_items
    {
        local.push(not_for("min_items", range));
    }
    let failed = crate::diag::has_errors(&local);
    diags.append(&mut local);
    let ptype = ptype.filter(|_| !failed)?;
    let doc = leak(&doc.map(|d| d.0).unwrap_or_else(|| format!("`{name}` ({ty}), declared by this item")));
    let mut spec = ParamSpec { name, ty: ptype, default: DefaultValue::Required, doc };
    match spec.check(default.get_ref()) {
        Ok(value) => {
            spec.default = match &value {
                ParamValue::Timespan(t) => DefaultValue::Timespan(*t),
                ParamValue::Int(i) => DefaultValue::Int(*i),
                ParamValue::Real(f) => DefaultValue::Real(*f),
                ParamValue::Bool(b) => DefaultValue::Bool(*b),
                ParamValue::String(s) => DefaultValue::Str(leak(s)),
                ParamValue::List(l) => {
                    let items: Vec<&'static str> = l.iter().map(|s| leak(s)).collect();
                    DefaultValue::List(Box::leak(items.into_boxed_slice()))
                }
            };
            Some((spec, value, range_of(default)))
        }
        Err(problem) => {
            let mut d = crate::content::param_problem(file, "custom", &spec, range_of(default), problem);
            d.message = d.message.replacen("parameter", "the default of parameter", 1);
            d.help = Some(match spec.range_text() {
                Some(range) => format!("declared as {} ({range}): write a default that fits", spec.type_name()),
                None => format!("declared as {}: write a default of that type", spec.type_name()),
            });
            diags.push(d);
            None
        }
    }
}
