//! An item's description with `{{ params.NAME }}` replaced by the value the
//! item (or its environment) sets, so a description that states a setting
//! ("at least {{ params.min_commands }} commands") never goes stale.
//! Only that form is replaced; any other text, `{{` included, is kept as
//! written (imported Sentinel descriptions are left unchanged).

use crate::content::item::Item;
use crate::diag::Diagnostic;
use crate::params::ParamValue;

use super::codes;

/// A parameter value as a reader sees it: `15m`, `5`, `a, b`.
fn human(v: &ParamValue) -> String {
    match v {
        ParamValue::Timespan(t) => t.to_string(),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Real(r) => crate::params::format_real(*r),
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::String(s) => s.clone(),
        ParamValue::List(l) => l.join(", "),
    }
}

/// The description of `item` with its `{{ params.NAME }}` placeholders
/// rendered; a name that is no parameter of the item's model is TPL002.
pub fn description(item: &Item) -> Result<String, Box<Diagnostic>> {
    let text = &item.description;
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        let inner = after[..close].trim();
        let Some(name) =
            inner.strip_prefix("params.").filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        else {
            out.push_str(&rest[..open + 2]);
            rest = after;
            continue;
        };
        let Some(value) = item.params.values.get(name) else {
            let known: Vec<&str> = item.params.values.keys().copied().collect();
            return Err(Box::new(
                Diagnostic::new(
                    codes::UNDEFINED_VARIABLE,
                    format!(
                        "the description uses `params.{name}`, which model `{}` does not have",
                        item.model.info().name
                    ),
                )
                .with_primary(item.file, item.id.range, "in the description of this item")
                .with_help(format!("parameters: {}", known.join(", "))),
            ));
        };
        out.push_str(&rest[..open]);
        out.push_str(&human(value));
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}
