//! Run Command during a suspicious login window (UEBA).
//!
//! Source: Azure-Sentinel `Detections/MultipleDataSources/RunCommandUEBABreach.yaml`
//! (v1.0.2) and the write-up, "Linking Azure Activity with User Entity
//! Behaviour Analytics". Its query has no time filter of its own: it reads
//! the rule's query period.

use serde::{Deserialize, Serialize};

use super::{DataConnector, ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `run_command_ueba_breach`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCommandUebaBreach {
    pub before: Timespan,
    pub after: Timespan,
}

pub static MODEL: TypedModel<RunCommandUebaBreach> = TypedModel::new(ModelInfo {
    name: "run_command_ueba_breach",
    summary: "Run Command executed by a user shortly before or after a UEBA alert on an unusual login",
    reference: "Azure-Sentinel: Detections/MultipleDataSources/RunCommandUEBABreach.yaml",
    kinds: &[Kind::Scheduled],
    template: "run_command_ueba_breach.kql.tera",
    connectors: &[
        shared::AZURE_ACTIVITY,
        DataConnector { connector_id: "BehaviorAnalytics", data_types: &["BehaviorAnalytics"] },
    ],
    window: super::no_window,
    entities: &[("Account", &[("FullName", "AccountCustomEntity")]), ("IP", &[("Address", "IPCustomEntity")])],
    params: &[
        ParamSpec {
            name: "before",
            ty: ParamType::Timespan {
                min: Timespan::from_days(0),
                max: Timespan::from_days(1),
                whole: Granularity::Second,
            },
            default: DefaultValue::Timespan(Timespan::from_hours(1)),
            doc: "How long before the UEBA event a Run Command still counts.",
        },
        ParamSpec {
            name: "after",
            ty: ParamType::Timespan {
                min: Timespan::from_days(0),
                max: Timespan::from_days(1),
                whole: Granularity::Second,
            },
            default: DefaultValue::Timespan(Timespan::from_hours(6)),
            doc: "How long after the UEBA event a Run Command still counts.",
        },
    ],
});
