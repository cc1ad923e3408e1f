//! Volatility of Run Command script sizes per caller and VM.
//!
//! Source: the write-up: the MDE-linked query up to the file join, plus the
//! volatility lines (the write-up's stray `~` after `* 100` is dropped).

use serde::{Deserialize, Serialize};

use super::{DataConnector, ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, ParamSpec, ParamType};

/// Parameters of `run_command_script_volatility`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCommandScriptVolatility {
    pub extension_process: String,
    pub percent_different: i64,
    pub min_commands: i64,
}

pub static MODEL: TypedModel<RunCommandScriptVolatility> = TypedModel::new(ModelInfo {
    name: "run_command_script_volatility",
    summary: "Callers whose Run Command scripts on one VM differ in size most of the time: hands-on-keyboard reconnaissance",
    reference: "write-up: Linking Azure Activity with Endpoint Data (file size volatility)",
    kinds: &[Kind::Hunting],
    template: "run_command_script_volatility.kql.tera",
    connectors: &[
        shared::AZURE_ACTIVITY,
        DataConnector { connector_id: "MicrosoftThreatProtection", data_types: &["DeviceFileEvents"] },
    ],
    window: super::no_window,
    entities: &[shared::CALLER_ACCOUNT, shared::CALLER_IP, shared::VM_HOST],
    params: &[
        shared::EXTENSION_PROCESS,
        ParamSpec {
            name: "percent_different",
            ty: ParamType::Int { min: 0, max: 100 },
            default: DefaultValue::Int(80),
            doc: "Alert when more than this percentage of the caller's scripts on a VM have distinct sizes.",
        },
        ParamSpec {
            name: "min_commands",
            ty: ParamType::Int { min: 0, max: 100000 },
            default: DefaultValue::Int(1),
            doc: "Alert only when the caller ran more than this many scripts on the VM.",
        },
    ],
});
