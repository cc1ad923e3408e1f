//! Anomalous Azure operations: new callers, IP masks and rare
//! caller/resource-type pairs, scored with `pair_probabilities_fl`.
//!
//! Source: the write-up, "Proactively Hunting for Suspicious Operations",
//! as published in Azure-Sentinel
//! `Solutions/Azure Activity/Hunting Queries/AnomalousAzureOperationModel.yaml`
//! (v2.0.0). Training data is the `training` span before the detection
//! window; the six anomaly flags are the write-up's.

use serde::{Deserialize, Serialize};

use super::{ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `anomalous_operation_model`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalousOperationModel {
    pub detect_window: Timespan,
    pub detect_end: Timespan,
    pub training: Timespan,
    pub monitored_operations: Vec<String>,
    pub monitored_resource_types: Vec<String>,
    pub ip_mask_bits: i64,
    pub jaccard_threshold: f64,
    pub conditional_probability_threshold: f64,
    pub success_statuses: Vec<String>,
    pub focus_monitored_operation: bool,
    pub focus_monitored_resource: bool,
}

const ANY_SPAN: ParamType =
    ParamType::Timespan { min: Timespan::from_seconds(0), max: Timespan::from_days(730), whole: Granularity::Second };

pub static MODEL: TypedModel<AnomalousOperationModel> = TypedModel::new(ModelInfo {
    name: "anomalous_operation_model",
    summary: "Anomalies around a monitored Azure operation: new caller, new IP mask, new operation on the subscription, rare caller on the resource type",
    reference: "Azure-Sentinel: Solutions/Azure Activity/Hunting Queries/AnomalousAzureOperationModel.yaml",
    kinds: &[Kind::Hunting],
    template: "anomalous_operation_model.kql.tera",
    connectors: &[shared::AZURE_ACTIVITY],
    window: anomalous_window,
    entities: &[shared::CALLER_ACCOUNT, ("IP", &[("Address", "ClientIP")])],
    params: &[
        ParamSpec {
            name: "detect_window",
            ty: ParamType::Timespan {
                min: Timespan::from_hours(1),
                max: Timespan::from_days(365),
                whole: Granularity::Second,
            },
            default: DefaultValue::Timespan(Timespan::from_days(3)),
            doc: "How long before now the detection window starts (`startDetectDate`); training data ends there.",
        },
        ParamSpec {
            name: "detect_end",
            ty: ANY_SPAN,
            default: DefaultValue::Timespan(Timespan::from_days(0)),
            doc: "How long before now the detection window ends (`endDetectDate`); 0d means now.",
        },
        ParamSpec {
            name: "training",
            ty: ParamType::Timespan {
                min: Timespan::from_days(1),
                max: Timespan::from_days(730),
                whole: Granularity::Second,
            },
            default: DefaultValue::Timespan(Timespan::from_days(30)),
            doc: "Length of the training period before the detection window, from which the model learns normal behaviour.",
        },
        ParamSpec {
            name: "monitored_operations",
            ty: ParamType::StringList { min_items: 1 },
            default: DefaultValue::List(&["microsoft.compute/virtualmachines/runcommand/action"]),
            doc: "Operation names (OperationNameValue, lower case) whose executions are scored (`monitoredOps`).",
        },
        ParamSpec {
            name: "monitored_resource_types",
            ty: ParamType::StringList { min_items: 1 },
            default: DefaultValue::List(&["microsoft.compute/virtualmachines"]),
            doc: "Resource types (operation name prefixes, lower case) whose callers are modelled (`monitoredResource`).",
        },
        ParamSpec {
            name: "ip_mask_bits",
            ty: ParamType::Int { min: 1, max: 32 },
            default: DefaultValue::Int(16),
            doc: "Prefix length of the IPv4 mask grouping caller addresses (`format_ipv4_mask`); 16 groups by /16 network.",
        },
        ParamSpec {
            name: "jaccard_threshold",
            ty: ParamType::Real { min: 0.0, max: 1.0 },
            default: DefaultValue::Real(0.1),
            doc: "A caller whose Jaccard index with the monitored resource type is at or below this is anomalous.",
        },
        ParamSpec {
            name: "conditional_probability_threshold",
            ty: ParamType::Real { min: 0.0, max: 1.0 },
            default: DefaultValue::Real(0.1),
            doc: "A caller whose conditional probability of working on the monitored resource type is at or below this is anomalous.",
        },
        ParamSpec {
            name: "success_statuses",
            ty: ParamType::StringList { min_items: 1 },
            default: DefaultValue::List(&["Success", "Succeeded"]),
            doc: "ActivityStatusValue values counted as successful requests; only those train and trigger the model.",
        },
        ParamSpec {
            name: "focus_monitored_operation",
            ty: ParamType::Bool,
            default: DefaultValue::Bool(true),
            doc: "Keep only monitored operations in the detection window (the write-up's optional focus line).",
        },
        ParamSpec {
            name: "focus_monitored_resource",
            ty: ParamType::Bool,
            default: DefaultValue::Bool(false),
            doc: "Keep only operations on the monitored resource types in the detection window.",
        },
    ],
});

/// Training plus detection: everything the query reads.
fn anomalous_window(params: &crate::params::ParamValues) -> Option<Timespan> {
    let p = |n| ModelInfo::timespan_param(params, n);
    Some(Timespan::from_seconds(p("detect_window")?.seconds() + p("training")?.seconds()))
}
