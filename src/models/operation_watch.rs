//! Watch a set of sensitive Azure operations.
//!
//! Source: the write-up: the Recovery Services vault deletion query, and the
//! list of operations worth watching during a suspected compromise (storage
//! `listKeys`, `functions/listsecrets`, `virtualMachines/delete` in quantity,
//! `backupPolicies/write`).

use serde::{Deserialize, Serialize};

use super::{ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `operation_watch`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationWatch {
    pub lookback: Timespan,
    pub operations: Vec<String>,
    pub min_count: i64,
    pub count_operations: Vec<String>,
}

pub static MODEL: TypedModel<OperationWatch> = TypedModel::new(ModelInfo {
    name: "operation_watch",
    summary: "Executions of watched Azure operations, optionally only when one caller performs them often enough",
    reference: "write-up: Enabling and Parsing Azure Activity Logs (vault deletion) and Analysing User Interactions (sensitive operations)",
    kinds: &[Kind::Hunting],
    template: "operation_watch.kql.tera",
    connectors: &[shared::AZURE_ACTIVITY],
    window: super::lookback_window,
    entities: &[shared::CALLER_ACCOUNT],
    params: &[
        shared::lookback(Timespan::from_days(3)),
        ParamSpec {
            name: "operations",
            ty: ParamType::StringList { min_items: 1 },
            default: DefaultValue::List(&["Microsoft.RecoveryServices/vaults/delete"]),
            doc: "Operation names (OperationNameValue) to watch; compared case-insensitively.",
        },
        ParamSpec {
            name: "min_count",
            ty: ParamType::Int { min: 1, max: 100000 },
            default: DefaultValue::Int(1),
            doc: "Minimum executions by one caller of one operation; above 1 the results are summarized per caller and operation.",
        },
        ParamSpec {
            name: "count_operations",
            ty: ParamType::StringList { min_items: 0 },
            default: DefaultValue::List(&[]),
            doc: "Operations the `min_count` threshold applies to; the others are reported from their first execution. Empty: the threshold applies to all.",
        },
    ],
});
