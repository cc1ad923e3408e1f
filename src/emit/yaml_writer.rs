//! YAML text in the layout of the Azure-Sentinel repository.
//!
//! Upstream files indent sequences under their key (`key:` / `  - item`)
//! and write multi-line text as `|` block scalars. libyaml-based emitters
//! put sequences flush with the key, so the layout is written here while
//! the quoting of single-line scalars is left to `serde_norway`, which knows
//! every case where a plain scalar would change meaning.

use std::fmt::Write;

use serde_json::Value;

/// A document (an object) as YAML with a trailing newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) => write_mapping(&mut out, map, 0),
        other => write_scalar_line(&mut out, other, 0),
    }
    out
}

fn write_mapping(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    let mut first = true;
    for (key, value) in map {
        // The first key of a mapping inside a sequence item shares the `- ` line.
        if !(first && indent > 0 && out.ends_with("- ")) {
            pad(out, indent);
        }
        first = false;
        out.push_str(&scalar(&Value::String(key.clone())));
        out.push(':');
        write_value(out, value, indent);
    }
}

/// Write what follows `key:`.
fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_mapping(out, m, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                pad(out, indent + 2);
                out.push_str("- ");
                match item {
                    Value::Object(m) if !m.is_empty() => write_mapping(out, m, indent + 4),
                    other => write_scalar_line(out, other, indent + 4),
                }
            }
        }
        Value::String(s) if s.contains('\n') => write_block(out, s, indent + 2),
        other => {
            out.push(' ');
            write_scalar_line(out, other, indent + 2);
        }
    }
}

fn write_scalar_line(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::String(s) if s.contains('\n') => {
            // A block scalar as a sequence item: `- |` then the lines.
            write_block(out, s, indent);
        }
        _ => {
            out.push_str(&scalar(value));
            out.push('\n');
        }
    }
}

/// `|` (text ends with one newline), `|-` (none) or `|+` (several), with an
/// indentation indicator when the first line starts with a space.
fn write_block(out: &mut String, text: &str, indent: usize) {
    let trailing = text.len() - text.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let indicator = if text.starts_with(' ') { "2" } else { "" };
    let _ = writeln!(out, " |{indicator}{chomp}");
    let body = text.strip_suffix('\n').unwrap_or(text);
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// One scalar as serde_norway writes it (plain when safe, quoted otherwise).
fn scalar(value: &Value) -> String {
    match value {
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        other => serde_norway::to_string(other).expect("scalar serializes").trim_end_matches('\n').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_matches_upstream_and_round_trips() {
        let doc = json!({
            "id": "0f0e0d0c-0000-4000-8000-000000000000",
            "name": "yes: a name with # and : inside",
            "description": "'Two lines,\nquoted like upstream.'\n",
            "requiredDataConnectors": [{"connectorId": "AzureActivity", "dataTypes": ["AzureActivity"]}],
            "tactics": ["Execution"],
            "relevantTechniques": [],
            "query": "  indented first line\n| take 1\n",
            "version": "1.0.0",
            "triggerThreshold": 0,
            "odd": "true",
        });
        let text = to_yaml(&doc);
        insta::assert_snapshot!(text, @r"
        id: 0f0e0d0c-0000-4000-8000-000000000000
        name: 'yes: a name with # and : inside'
        description: |
          'Two lines,
          quoted like upstream.'
        requiredDataConnectors:
          - connectorId: AzureActivity
            dataTypes:
              - AzureActivity
        tactics:
          - Execution
        relevantTechniques: []
        query: |2
            indented first line
          | take 1
        version: 1.0.0
        triggerThreshold: 0
        odd: 'true'
        ");
        let back: Value = serde_norway::from_str(&text).unwrap();
        assert_eq!(back, doc);
    }
}
