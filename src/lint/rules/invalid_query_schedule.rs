//! SNT010: `queryFrequency`/`queryPeriod` malformed or outside 5m..14d.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind, Field, Format};

use super::{at, fmt_duration, parse_duration};

crate::lint_code! {
    /// What: a Scheduled rule's `queryFrequency` or `queryPeriod` that is not
    /// `<n>m`, `<n>h`, `<n>d` or .NET TimeSpan text (`hh:mm:ss`,
    /// `d.hh:mm:ss`) in YAML, or not an ISO-8601 duration in ARM, or that lies
    /// outside 5 minutes … 14 days.
    ///
    /// Why: CI's converter rejects other spellings (ISO `PT1H` in YAML fails)
    /// and its range attribute is 00:05:00 … 14.00:00:00;
    /// the service enforces the same range.
    ///
    /// Example: `queryFrequency: PT1H` in YAML, or `queryPeriod: 30d`.
    ///
    /// Fix: `queryFrequency: 1h`, `queryPeriod: 14d`.
    CODE = ("SNT010", "invalid-query-schedule", Error);
}

pub struct InvalidQuerySchedule;

/// `3600` → `1h`, `90000` → `25h`, `300` → `5m`.
fn yaml_spelling(secs: u64) -> String {
    if secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else {
        format!("{}m", secs / 60)
    }
}

impl Rule for InvalidQuerySchedule {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if !matches!(doc.kind, DocKind::Scheduled | DocKind::OtherRule) {
            return;
        }
        for field in [Field::QueryFrequency, Field::QueryPeriod] {
            let Some(node) = doc.field(field) else { continue };
            if node.is_null() {
                continue;
            }
            let key = field.yaml_key();
            let text = node.as_str().unwrap_or("");
            match parse_duration(doc, text) {
                None => {
                    let expected = match doc.format {
                        Format::Yaml => "expected `<n>m`, `<n>h` or `<n>d`",
                        Format::Arm => "expected an ISO-8601 duration such as `PT1H`",
                    };
                    let mut d = at(CODE, doc, node, format!("`{key}` value `{text}` is not a duration"), expected);
                    if doc.format == Format::Yaml {
                        d = d.with_help(match super::parse_iso_duration(text) {
                            Some(secs) => {
                                format!("ISO-8601 is the ARM spelling; rule YAML writes `{}`", yaml_spelling(secs))
                            }
                            None => "write a number and a unit: `5m`, `1h`, `14d`".to_string(),
                        });
                    }
                    out.push(d);
                }
                Some(secs) if !crate::sentinel::limits::QUERY_WINDOW_SECONDS.contains(&secs) => {
                    out.push(
                        at(
                            CODE,
                            doc,
                            node,
                            format!("`{key}` is {}, outside 5m..14d", fmt_duration(secs)),
                            "out of range",
                        )
                        .with_help(
                            "Sentinel runs scheduled queries every 5 minutes to 14 days, over 5 minutes to 14 days",
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }
}
