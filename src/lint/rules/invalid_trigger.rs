//! SNT012: `triggerOperator` spelling or `triggerThreshold` range.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind, Field, Format};

use super::at;

crate::lint_code! {
    /// What: a Scheduled rule whose `triggerOperator` is not exactly one of
    /// `gt`, `lt`, `eq`, `ne`, `GreaterThan`, `LessThan`, `Equal`, `NotEqual`
    /// (ARM: only the long forms), or whose `triggerThreshold` is not an
    /// integer in 0..10000.
    ///
    /// Why: CI's converter is case-sensitive and the model has
    /// `Range(0, 10000)`; the ARM enum is closed.
    ///
    /// Example: `triggerOperator: GT` or `triggerThreshold: -1`.
    ///
    /// Fix: `triggerOperator: gt` and `triggerThreshold: 0`.
    CODE = ("SNT012", "invalid-trigger", Error);
}

pub struct InvalidTrigger;

const YAML_OPS: &[&str] = &["gt", "lt", "eq", "ne", "GreaterThan", "LessThan", "Equal", "NotEqual"];
const ARM_OPS: &[&str] = &["GreaterThan", "LessThan", "Equal", "NotEqual"];

impl Rule for InvalidTrigger {
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
        let ops = if doc.format == Format::Arm { ARM_OPS } else { YAML_OPS };
        if let Some((op, node)) = doc.text_field(Field::TriggerOperator)
            && !ops.contains(&op)
        {
            let hint = ops
                .iter()
                .find(|o| o.eq_ignore_ascii_case(op))
                .map(|o| format!("write `{o}` (the value is case-sensitive)"));
            out.push(
                at(
                    CODE,
                    doc,
                    node,
                    format!("unknown `triggerOperator` `{op}`"),
                    format!("expected one of {}", ops.join(", ")),
                )
                .with_help(hint.unwrap_or_else(|| "use `gt` with a threshold of 0 to alert on any result".into())),
            );
        }
        if let Some((t, node)) = doc.text_field(Field::TriggerThreshold) {
            match t.trim().parse::<i64>() {
                Ok(n) if crate::sentinel::limits::TRIGGER_THRESHOLD.contains(&n) => {}
                Ok(n) => {
                    out.push(at(CODE, doc, node, format!("`triggerThreshold` {n} is outside 0..10000"), "out of range"))
                }
                Err(_) => out.push(at(
                    CODE,
                    doc,
                    node,
                    format!("`triggerThreshold` `{t}` is not an integer"),
                    "expected an integer",
                )),
            }
        }
    }
}
