//! Which subscriptions still send Azure Activity through the legacy connector.
//!
//! Source: the write-up, "Enabling and Parsing Azure Activity Logs" (the
//! `AzureActivity` line lost by the blog's formatting is restored). The
//! diagnostic-settings pipeline fills `Claims`; the legacy one leaves it empty.

use serde::{Deserialize, Serialize};

use super::{ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `activity_connector_health`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityConnectorHealth {
    pub lookback: Timespan,
}

pub static MODEL: TypedModel<ActivityConnectorHealth> = TypedModel::new(ModelInfo {
    name: "activity_connector_health",
    summary: "Per subscription: whether Azure Activity arrives through the diagnostic-settings connector or the legacy one",
    reference: "write-up: Enabling and Parsing Azure Activity Logs",
    kinds: &[Kind::Hunting],
    template: "activity_connector_health.kql.tera",
    connectors: &[shared::AZURE_ACTIVITY],
    window: super::lookback_window,
    entities: &[],
    params: &[ParamSpec {
        name: "lookback",
        ty: ParamType::Timespan {
            min: Timespan::from_hours(1),
            max: Timespan::from_days(730),
            whole: Granularity::Second,
        },
        default: DefaultValue::Timespan(Timespan::from_days(30)),
        doc: "How far back the hunt searches.",
    }],
});
