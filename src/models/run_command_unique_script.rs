//! Unique Run Command script detection.
//!
//! Source: the write-up's closing detection: raise an alert when a unique
//! PowerShell script is executed through Run Command. Fingerprints are the
//! MDE-linked query's `ScriptFingerprintHash`.

use serde::{Deserialize, Serialize};

use super::{DataConnector, ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `run_command_unique_script`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCommandUniqueScript {
    pub baseline: Timespan,
    pub detection: Timespan,
    pub extension_process: String,
    pub script_name_pattern: String,
}

pub static MODEL: TypedModel<RunCommandUniqueScript> = TypedModel::new(ModelInfo {
    name: "run_command_unique_script",
    summary: "Alert when a Run Command PowerShell script whose fingerprint was never seen in the baseline runs",
    reference: "write-up: the detection built on the MDE-linked query (unique PowerShell script executed via Run Command); no published query text",
    kinds: &[Kind::Scheduled],
    template: "run_command_unique_script.kql.tera",
    connectors: &[
        shared::AZURE_ACTIVITY,
        DataConnector { connector_id: "MicrosoftThreatProtection", data_types: &["DeviceFileEvents", "DeviceEvents"] },
    ],
    window: baseline_window,
    entities: &[shared::CALLER_ACCOUNT, shared::CALLER_IP, shared::VM_HOST],
    params: &[
        ParamSpec {
            name: "baseline",
            ty: ParamType::Timespan {
                min: Timespan::from_days(1),
                max: Timespan::from_days(14),
                whole: Granularity::Second,
            },
            default: DefaultValue::Timespan(Timespan::from_days(14)),
            doc: "Period whose script fingerprints count as known (includes the detection window); also the rule's query period.",
        },
        ParamSpec {
            name: "detection",
            ty: ParamType::Timespan {
                min: Timespan::from_minutes(5),
                max: Timespan::from_days(7),
                whole: Granularity::Second,
            },
            default: DefaultValue::Timespan(Timespan::from_days(1)),
            doc: "Window in which a new fingerprint alerts; use it as the rule's frequency.",
        },
        shared::EXTENSION_PROCESS,
        shared::SCRIPT_NAME_PATTERN,
    ],
});

/// The baseline, which includes the detection window, is everything the
/// query reads: the rule's period must cover it.
fn baseline_window(params: &crate::params::ParamValues) -> Option<Timespan> {
    ModelInfo::timespan_param(params, "baseline")
}
