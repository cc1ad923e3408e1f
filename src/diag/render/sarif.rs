//! SARIF 2.1.0: one run with the tool's rule metadata and one result per
//! diagnostic (validated against the OASIS schema in `tests/it/lint.rs`).

use serde_json::{Value, json};

use crate::diag::{Code, Diagnostic, Label, Severity};
use crate::source::SourceMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn first_paragraph(docs: &str) -> String {
    docs.split("\n\n")
        .next()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("What: ")
        .to_string()
}

fn rule(code: &Code) -> Value {
    json!({
        "id": code.id,
        "name": code.name,
        "shortDescription": { "text": code.name.replace('-', " ") },
        "fullDescription": { "text": first_paragraph(code.docs) },
        "help": { "text": code.docs.lines().map(str::trim).collect::<Vec<_>>().join("\n") },
        "defaultConfiguration": { "level": level(code.severity) },
    })
}

/// URI reference for a display path: `/`-separated, spaces and `%` escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' | ':' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

fn location(label: &Label, sources: &SourceMap, id: Option<usize>) -> Value {
    let src = sources.get(label.file);
    let (line, col) = src.line_col(label.range.start);
    let (end_line, end_col) = src.line_col(label.range.end);
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&src.path) },
            "region": {
                "startLine": line,
                "startColumn": col,
                "endLine": end_line,
                "endColumn": end_col,
                "charOffset": label.range.start,
                "charLength": label.range.end - label.range.start,
            }
        }
    });
    if !label.message.is_empty() {
        loc["message"] = json!({ "text": label.message });
    }
    if let Some(id) = id {
        loc["id"] = json!(id);
    }
    loc
}

/// Render a SARIF log. `rules` is the tool's full rule table (reported in
/// `tool.driver.rules`; results point at it by index).
pub fn render_with_rules(diags: &[Diagnostic], sources: &SourceMap, rules: &[Code]) -> String {
    let mut table: Vec<Code> = rules.to_vec();
    for d in diags {
        if !table.iter().any(|c| c.id == d.code.id) {
            table.push(d.code);
        }
    }
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            for n in &d.notes {
                text.push_str(&format!("\nnote: {n}"));
            }
            let mut r = json!({
                "ruleId": d.code.id,
                "ruleIndex": table.iter().position(|c| c.id == d.code.id).expect("code in table"),
                "level": level(d.severity),
                "message": { "text": text },
            });
            if let Some(p) = &d.primary {
                r["locations"] = json!([location(p, sources, None)]);
            }
            if !d.secondary.is_empty() {
                r["relatedLocations"] =
                    Value::Array(d.secondary.iter().enumerate().map(|(i, l)| location(l, sources, Some(i))).collect());
            }
            r
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sentinel-forge",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": table.iter().map(rule).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    s.push('\n');
    s
}
