//! An imported rule as sentinel-forge content: a content TOML file
//! (`template = "custom"`) and its query template.
//!
//! The TOML is laid out like hand-written content (scalars first, then
//! tables); every string goes through one quoting function, so any text
//! (quotes, backslashes, control characters, `"""`) reads back unchanged.
//! The query becomes a Tera template that renders to exactly the original
//! text: Sentinel's `{{StartTimeISO}}`-style placeholders become
//! `sentinel_placeholder(...)` calls and any other Tera syntax in the query
//! is wrapped in `{% raw %}` blocks.

use std::fmt::Write as _;

use super::rule::ImportedRule;
use crate::content::item::Kind;

/// Where the query template of `slug` goes, relative to the project.
pub fn query_path(slug: &str) -> String {
    format!("templates/custom/{slug}.kql.tera")
}

/// The content TOML of an imported rule.
pub fn content_toml(rule: &ImportedRule, slug: &str) -> String {
    let mut out = String::new();
    let kind = rule.kind.unwrap_or(Kind::Hunting);
    line(&mut out, "id", &string(&rule.id));
    line(&mut out, "name", &string(&rule.name));
    line(&mut out, "kind", &string(kind.as_str()));
    line(&mut out, "template", &string(crate::content::custom::CUSTOM));
    line(&mut out, "query", &string(&query_path(slug)));
    line(&mut out, "description", &string(&rule.description));
    if let Some(s) = &rule.severity {
        line(&mut out, "severity", &string(s));
    }
    if let Some(e) = rule.enabled {
        line(&mut out, "enabled", &e.to_string());
    }
    line(&mut out, "tactics", &list(&rule.tactics));
    line(&mut out, "techniques", &list(&rule.techniques));
    if let Some(v) = &rule.version {
        line(&mut out, "version", &string(v));
    }
    if !rule.tags.is_empty() {
        line(&mut out, "tags", &list(&rule.tags));
    }
    if let Some(g) = &rule.event_grouping {
        line(&mut out, "event_grouping", &string(g));
    }
    if rule.frequency.is_some() || rule.period.is_some() || rule.trigger.is_some() || rule.suppression.is_some() {
        out.push_str("\n[schedule]\n");
        if let Some(f) = rule.frequency {
            line(&mut out, "frequency", &string(&f.to_string()));
        }
        if let Some(p) = rule.period {
            line(&mut out, "period", &string(&p.to_string()));
        }
        if let Some((op, threshold)) = &rule.trigger {
            line(&mut out, "trigger", &format!("{{ operator = {}, threshold = {threshold} }}", string(op)));
        }
        if let Some(s) = rule.suppression {
            line(&mut out, "suppression", &string(&s.to_string()));
        }
    }
    if let Some(i) = &rule.incident {
        out.push_str("\n[incident]\n");
        line(&mut out, "create", &i.create.to_string());
        let mut g = vec![format!("enabled = {}", i.grouping_enabled)];
        if let Some(m) = &i.matching {
            g.push(format!("matching = {}", string(m)));
        }
        if let Some(l) = i.lookback {
            g.push(format!("lookback = {}", string(&l.to_string())));
        }
        g.push(format!("reopen = {}", i.reopen));
        for (key, values) in [("entities", &i.entities), ("details", &i.details), ("custom_details", &i.custom_details)]
        {
            if !values.is_empty() {
                g.push(format!("{key} = {}", list(values)));
            }
        }
        line(&mut out, "grouping", &format!("{{ {} }}", g.join(", ")));
    }
    if !rule.custom_details.is_empty() {
        out.push_str("\n[custom_details]\n");
        for (k, v) in &rule.custom_details {
            line(&mut out, &key(k), &string(v));
        }
    }
    if let Some(a) = &rule.alert_details {
        out.push_str("\n[alert_details]\n");
        for (k, v) in [
            ("name_format", &a.name_format),
            ("description_format", &a.description_format),
            ("tactics_column", &a.tactics_column),
            ("severity_column", &a.severity_column),
        ] {
            if let Some(v) = v {
                line(&mut out, k, &string(v));
            }
        }
        for (property, column) in &a.dynamic_properties {
            out.push_str("\n[[alert_details.dynamic_properties]]\n");
            line(&mut out, "property", &string(property));
            line(&mut out, "column", &string(column));
        }
    }
    for (ty, fields) in &rule.entities {
        out.push_str("\n[[entities]]\n");
        line(&mut out, "type", &string(ty));
        let pairs: Vec<String> = fields.iter().map(|(i, c)| format!("{} = {}", key(i), string(c))).collect();
        line(&mut out, "fields", &format!("{{ {} }}", pairs.join(", ")));
    }
    for (id, types) in &rule.connectors {
        out.push_str("\n[[connectors]]\n");
        line(&mut out, "id", &string(id));
        line(&mut out, "data_types", &list(types));
    }
    out
}

fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {value}");
}

/// A bare key when TOML allows one, else a quoted key.
fn key(k: &str) -> String {
    if !k.is_empty() && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
        k.to_string()
    } else {
        string(k)
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A TOML string: multi-line (`"""`) when the text has line breaks, so
/// descriptions stay readable, else a basic string.
pub fn string(text: &str) -> String {
    let multi_line = text.contains('\n');
    let mut out = String::from(if multi_line { "\"\"\"\n" } else { "\"" });
    for c in text.chars() {
        match c {
            '\n' if multi_line => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            // Escaping every quote also rules out an accidental `"""`.
            '"' => out.push_str("\\\""),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push_str(if multi_line { "\"\"\"" } else { "\"" });
    out
}

/// Placeholders Sentinel substitutes in hunting queries.
const PLACEHOLDERS: &[&str] = &["{{StartTimeISO}}", "{{EndTimeISO}}"];

/// A Tera template that renders to `query` exactly.
pub fn query_template(query: &str) -> String {
    let mut out = String::new();
    let mut rest = query;
    loop {
        let next = PLACEHOLDERS.iter().filter_map(|p| rest.find(p).map(|at| (at, *p))).min_by_key(|(at, _)| *at);
        let (text, placeholder) = match next {
            Some((at, p)) => (&rest[..at], Some(p)),
            None => (rest, None),
        };
        out.push_str(&literal_text(text));
        let Some(p) = placeholder else { break };
        let name = &p[2..p.len() - 2];
        let _ = write!(out, "{{{{ sentinel_placeholder(name=\"{name}\") }}}}");
        rest = &rest[text.len() + p.len()..];
    }
    out
}

/// Text Tera must print as is.
fn literal_text(text: &str) -> String {
    let tera_syntax = ["{{", "{%", "{#"].iter().any(|m| text.contains(m));
    if !tera_syntax {
        return text.to_string();
    }
    // A raw block ends at the first `endraw` tag: keep the word outside.
    let mut out = String::new();
    for (i, part) in text.split("endraw").enumerate() {
        if i > 0 {
            out.push_str("endraw");
        }
        if !part.is_empty() {
            let _ = write!(out, "{{% raw %}}{part}{{% endraw %}}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_back_unchanged() {
        for text in
            ["plain", "a \"quoted\" \\ path", "two\nlines\n", "ends with quote\"", "x\"\"\"y\n", "tab\there\r\n"]
        {
            let doc = format!("v = {}\n", string(text));
            let table: toml::Table = toml::from_str(&doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert_eq!(table["v"].as_str(), Some(text), "{doc}");
        }
    }

    #[test]
    fn placeholders_become_function_calls_and_tera_syntax_is_raw() {
        let t = query_template(
            "T | where TimeGenerated between (todatetime('{{StartTimeISO}}') .. now()) // {{x}} {% y %}",
        );
        assert!(t.contains("sentinel_placeholder(name=\"StartTimeISO\")"), "{t}");
        assert!(t.contains("{% raw %}') .. now()) // {{x}} {% y %}{% endraw %}"), "{t}");
        assert_eq!(query_template("T | take 10"), "T | take 10");
    }
}
