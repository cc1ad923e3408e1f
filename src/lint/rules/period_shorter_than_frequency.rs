//! SNT011: `queryPeriod` < `queryFrequency`, or a long period run too often.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, DocKind, Field};

use super::{at, fmt_duration, parse_duration};

crate::lint_code! {
    /// What: a Scheduled rule whose `queryPeriod` is shorter than its
    /// `queryFrequency`, or whose `queryPeriod` is 2 days or more while
    /// `queryFrequency` is under 1 hour.
    ///
    /// Why: events between runs would never be looked at; CI's
    /// `PeriodGreaterThanOrEqualFrequency` and
    /// `FrequencyLimitationForLongPeriodQuery` attributes reject both
    ///, as does the portal.
    ///
    /// Example: `queryFrequency: 1d` with `queryPeriod: 1h`; or
    /// `queryFrequency: 30m` with `queryPeriod: 14d`.
    ///
    /// Fix: make the period at least the frequency; with a period of 2 days
    /// or more run at most hourly.
    CODE = ("SNT011", "period-shorter-than-frequency", Error);
}

pub struct PeriodShorterThanFrequency;

impl Rule for PeriodShorterThanFrequency {
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
        let (Some((f_text, f_node)), Some((p_text, p_node))) =
            (doc.text_field(Field::QueryFrequency), doc.text_field(Field::QueryPeriod))
        else {
            return;
        };
        let (Some(freq), Some(period)) = (parse_duration(doc, f_text), parse_duration(doc, p_text)) else { return };
        if period < freq {
            out.push(
                at(
                    CODE,
                    doc,
                    p_node,
                    format!(
                        "`queryPeriod` {} is shorter than `queryFrequency` {}",
                        fmt_duration(period),
                        fmt_duration(freq)
                    ),
                    "shorter than the frequency",
                )
                .with_secondary(doc.file, f_node.range, "frequency set here")
                .with_help("events between two runs would never be queried; make the period at least the frequency"),
            );
        } else if period >= 2 * 86_400 && freq < 3600 {
            out.push(
                at(
                    CODE,
                    doc,
                    f_node,
                    format!(
                        "`queryFrequency` {} is under 1h with a `queryPeriod` of {}",
                        fmt_duration(freq),
                        fmt_duration(period)
                    ),
                    "run at most hourly",
                )
                .with_secondary(doc.file, p_node.range, "period of 2 days or more")
                .with_help("Sentinel requires `queryFrequency` ≥ 1h when `queryPeriod` ≥ 2d"),
            );
        }
    }
}
