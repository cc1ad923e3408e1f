//! `--set NAME=VALUE`: one-off parameter overrides from the command line
//! (`run ID --set min_commands=3`), checked by the item's model exactly as
//! an environment's overrides are.
//!
//! VALUE is read as a TOML value (`3`, `0.5`, `true`, `"15m"`,
//! `["a", "b"]`); text that is not one is taken as a string, so
//! `--set window=15m` and `--set caller=alice@contoso.com` need no quotes.
//! The arguments are registered as one virtual file named `--set`, one per
//! line, so a bad value is underlined like a bad value in a content file.

use std::borrow::Cow;

use toml::de::DeValue;

use super::item::Item;
use crate::content::codes;
use crate::diag::Diagnostic;
use crate::params::ParamProblem;
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;

/// The name of the virtual file holding the `--set` arguments.
pub const SOURCE_NAME: &str = "--set";

/// Apply `sets` (each `NAME=VALUE`) to `item`; returns the problems. Values
/// that pass replace the item's; the others leave it unchanged.
pub fn apply_sets(item: &mut Item, sets: &[String], sources: &mut SourceMap) -> Vec<Diagnostic> {
    if sets.is_empty() {
        return Vec::new();
    }
    // One argument per line; a line break inside an argument stays a value's.
    let text = sets.join("\n");
    let file = sources.add(SOURCE_NAME, text);
    let mut diags = Vec::new();
    let mut offset = 0;
    for set in sets {
        diags.extend(apply_one(file, item, set, offset));
        offset += set.len() + 1;
    }
    diags
}

fn apply_one(file: FileId, item: &mut Item, set: &str, offset: usize) -> Option<Diagnostic> {
    let info = item.model.info();
    let at = |start: usize, len: usize| TextRange::new((offset + start) as u32, (offset + start + len) as u32);
    let Some((left, right)) = set.split_once('=') else {
        return Some(
            Diagnostic::new(codes::WRONG_TYPE, "`--set` needs `NAME=VALUE`")
                .with_primary(file, at(0, set.len()), "no `=` here")
                .with_help(format!("write e.g. `--set {}=...`", info.params.first().map_or("param", |p| p.name))),
        );
    };
    let name = left.trim();
    let name_range = at(left.len() - left.trim_start().len(), name.len());
    let Some(spec) = info.param(name) else {
        let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
        // An unknown key, as the same misspelling in a content file would be.
        let mut d = super::reader::unknown_key(file, name, name_range, "the model's parameters", &known);
        d.message = format!("`--set` of unknown parameter `{name}` of model `{}`", info.name);
        return Some(d);
    };
    let value = right.trim();
    let value_start = left.len() + 1 + (right.len() - right.trim_start().len());
    let value_range = at(value_start, value.len());
    let checked = match DeValue::parse(value) {
        Ok(parsed) => spec.check(parsed.get_ref()),
        // Not a TOML value: the text itself is meant.
        Err(_) => spec.check(&DeValue::String(Cow::Borrowed(value))),
    };
    match checked {
        Ok(v) => {
            item.params.values.insert(spec.name, v);
            None
        }
        Err(mut problem) => {
            if let ParamProblem::WrongItem { span, .. } = &mut problem {
                let shift = offset + value_start;
                *span = span.start + shift..span.end + shift;
            }
            Some(super::param_problem(file, info.name, spec, value_range, problem))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ParamValue;

    fn spike() -> (SourceMap, Item) {
        let mut sources = SourceMap::new();
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/hunting/run-command-spike.toml"),
        )
        .unwrap();
        let file = sources.add("spike.toml", text.clone());
        let loaded = crate::content::load_text(file, "spike".into(), &text);
        (sources, loaded.item.expect("the bundled spike item loads"))
    }

    #[test]
    fn values_are_toml_or_plain_text_and_checked_by_the_model() {
        let (mut sources, mut item) = spike();
        let sets = ["min_commands=3".to_string(), " window = 30m".to_string(), "lookback=\"7d\"".to_string()];
        assert!(apply_sets(&mut item, &sets, &mut sources).is_empty());
        assert_eq!(item.params.values["min_commands"], ParamValue::Int(3));
        assert_eq!(item.params.values["window"].to_string(), "\"30m\"");
        assert_eq!(item.params.values["lookback"].to_string(), "\"7d\"");
    }

    #[test]
    fn problems_point_at_the_argument() {
        let (mut sources, mut item) = spike();
        let sets =
            ["min_commands=-1".to_string(), "min_comands=3".to_string(), "window=5 5".to_string(), "oops".into()];
        let diags = apply_sets(&mut item, &sets, &mut sources);
        let file = sources.find(SOURCE_NAME).unwrap();
        let got: Vec<(&str, &str)> =
            diags.iter().map(|d| (d.code.id, sources.get(file).slice(d.primary.as_ref().unwrap().range))).collect();
        assert_eq!(got, [("CNT005", "-1"), ("CNT002", "min_comands"), ("CNT011", "5 5"), ("CNT003", "oops")]);
        assert!(diags[1].help.as_deref().unwrap().contains("did you mean `min_commands`"));
        assert_eq!(item.params.values["min_commands"], ParamValue::Int(5), "a rejected value changes nothing");
    }
}
