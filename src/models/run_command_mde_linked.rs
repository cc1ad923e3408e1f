//! Azure Run Command linked with Defender for Endpoint.
//!
//! Source: Azure-Sentinel `Hunting Queries/MultipleDataSources/AzureRunCommandMDELinked.yaml`
//! and the write-up, "Linking Azure Activity with Endpoint Data". Upstream maps
//! entities to `AccountCustomEntity`/`IPCustomEntity`, columns its query never
//! produces; this model maps the columns the query does output.

use serde::{Deserialize, Serialize};

use super::{DataConnector, ModelInfo, TypedModel, shared};
use crate::kind::Kind;

/// Parameters of `run_command_mde_linked`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCommandMdeLinked {
    pub extension_process: String,
    pub script_name_pattern: String,
}

pub static MODEL: TypedModel<RunCommandMdeLinked> = TypedModel::new(ModelInfo {
    name: "run_command_mde_linked",
    summary: "Run Command executions linked to the script file MDE saw written and the PowerShell commands it ran, with a script fingerprint",
    reference: "Azure-Sentinel: Hunting Queries/MultipleDataSources/AzureRunCommandMDELinked.yaml",
    kinds: &[Kind::Hunting],
    template: "run_command_mde_linked.kql.tera",
    connectors: &[
        shared::AZURE_ACTIVITY,
        DataConnector { connector_id: "MicrosoftThreatProtection", data_types: &["DeviceFileEvents", "DeviceEvents"] },
    ],
    window: super::no_window,
    entities: &[shared::CALLER_ACCOUNT, shared::CALLER_IP, shared::VM_HOST],
    params: &[shared::EXTENSION_PROCESS, shared::SCRIPT_NAME_PATTERN],
});
