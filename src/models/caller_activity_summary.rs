//! A caller's interaction with Azure during a suspected compromise.
//!
//! Source: the write-up, "Analysing User Interactions". The write-up's
//! dates are US-formatted literals and its caller is redacted; here both are
//! parameters, defaulting to the hunting blade's time range.

use serde::{Deserialize, Serialize};

use super::{ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, ParamSpec, ParamType};

/// Parameters of `caller_activity_summary`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerActivitySummary {
    pub caller: String,
    pub start: String,
    pub end: String,
}

pub static MODEL: TypedModel<CallerActivitySummary> = TypedModel::new(ModelInfo {
    name: "caller_activity_summary",
    summary: "What one caller did in Azure during a time window: per-operation counts, distinct IPs, first and last execution",
    reference: "write-up: Analysing User Interactions",
    kinds: &[Kind::Hunting],
    template: "caller_activity_summary.kql.tera",
    connectors: &[shared::AZURE_ACTIVITY],
    window: super::no_window,
    entities: &[shared::CALLER_ACCOUNT],
    params: &[
        ParamSpec {
            name: "caller",
            ty: ParamType::String { non_empty: true },
            default: DefaultValue::Required,
            doc: "The caller (UPN or object id) whose activity is summarized; compared case-insensitively.",
        },
        ParamSpec {
            name: "start",
            ty: ParamType::Datetime { optional: true },
            default: DefaultValue::Str(""),
            doc: "Start of the window (ISO 8601); empty: the hunting blade's time range start ({{StartTimeISO}}).",
        },
        ParamSpec {
            name: "end",
            ty: ParamType::Datetime { optional: true },
            default: DefaultValue::Str(""),
            doc: "End of the window (ISO 8601); empty: the hunting blade's time range end ({{EndTimeISO}}).",
        },
    ],
});
