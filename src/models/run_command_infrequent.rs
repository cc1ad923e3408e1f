//! Callers whose Run Command interaction with a VM lasted only briefly.
//!
//! Source: the write-up, "Hunting for Infrequent Run Command Interaction"
//! (the `AzureActivity` line lost by the blog's formatting is restored). An
//! actor pivoting into a VM uses Run Command once or twice; administrators
//! return to their machines over weeks.

use serde::{Deserialize, Serialize};

use super::{ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `run_command_infrequent`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCommandInfrequent {
    pub max_interaction: Timespan,
    pub lookback: Timespan,
}

pub static MODEL: TypedModel<RunCommandInfrequent> = TypedModel::new(ModelInfo {
    name: "run_command_infrequent",
    summary: "Callers whose Run Command use against a virtual machine spans less than a short period in the lookback",
    reference: "write-up: Hunting for Infrequent Run Command Interaction",
    kinds: &[Kind::Hunting],
    template: "run_command_infrequent.kql.tera",
    connectors: &[shared::AZURE_ACTIVITY],
    window: super::lookback_window,
    entities: &[shared::CALLER_ACCOUNT],
    params: &[
        ParamSpec {
            name: "max_interaction",
            ty: ParamType::Timespan {
                min: Timespan::from_hours(1),
                max: Timespan::from_days(365),
                whole: Granularity::Hour,
            },
            default: DefaultValue::Timespan(Timespan::from_hours(24)),
            doc: "Longest span between a caller's first and last Run Command on one VM that still counts as infrequent (whole hours).",
        },
        shared::lookback(Timespan::from_days(30)),
    ],
});
