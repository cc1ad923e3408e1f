//! Spikes of Azure Run Command executions by one caller.
//!
//! Source: the write-up, "Hunting for Anomalous Run Command spikes in Azure
//! Activity" (the `AzureActivity` line lost by the blog's formatting is
//! restored). Multiple Run Command actions in a short window suggest
//! hands-on-keyboard activity rather than scheduled administration.

use serde::{Deserialize, Serialize};

use super::{ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `run_command_spike`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCommandSpike {
    pub window: Timespan,
    pub min_resources: i64,
    pub min_commands: i64,
    pub lookback: Timespan,
}

pub static MODEL: TypedModel<RunCommandSpike> = TypedModel::new(ModelInfo {
    name: "run_command_spike",
    summary: "One caller running many Run Command operations against virtual machines within a short window",
    reference: "write-up: Hunting for Anomalous Run Command spikes in Azure Activity",
    kinds: &[Kind::Hunting],
    template: "run_command_spike.kql.tera",
    connectors: &[shared::AZURE_ACTIVITY],
    window: super::lookback_window,
    entities: &[shared::CALLER_ACCOUNT, ("IP", &[("Address", "CallerIP")])],
    params: &[
        ParamSpec {
            name: "window",
            ty: ParamType::Timespan {
                min: Timespan::from_minutes(1),
                max: Timespan::from_days(1),
                whole: Granularity::Minute,
            },
            default: DefaultValue::Timespan(Timespan::from_minutes(15)),
            doc: "Maximum time between a caller's first and last Run Command for the burst to count (whole minutes).",
        },
        ParamSpec {
            name: "min_resources",
            ty: ParamType::Int { min: 1, max: 10_000 },
            default: DefaultValue::Int(1),
            doc: "Minimum number of distinct virtual machines the caller ran commands on.",
        },
        ParamSpec {
            name: "min_commands",
            ty: ParamType::Int { min: 1, max: 100_000 },
            default: DefaultValue::Int(5),
            doc: "Minimum number of Run Command operations (distinct correlation ids) in the window.",
        },
        shared::lookback(Timespan::from_days(30)),
    ],
});
