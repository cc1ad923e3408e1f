//! Azure Run Command linked with Defender for Endpoint.
//!
//! Source: Azure-Sentinel `Hunting Queries/MultipleDataSources/AzureRunCommandMDELinked.yaml`
//! and the write-up, "Linking Azure Activity with Endpoint Data". Upstream maps
//! entities to `AccountCustomEntity`/`IPCustomEntity`, columns its query never
//! produces; this model maps the columns the query does output.

use serde::{Deserialize, Serialize};

use super::{DataConnector, ModelInfo, TypedModel};
use crate::content::item::Kind;
use crate::content::params::{DefaultValue, ParamSpec, ParamType};

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
        DataConnector { connector_id: "AzureActivity", data_types: &["AzureActivity"] },
        DataConnector { connector_id: "MicrosoftThreatProtection", data_types: &["DeviceFileEvents", "DeviceEvents"] },
    ],
    window: super::no_window,
    entities: &[
        ("Account", &[("FullName", "Caller")]),
        ("IP", &[("Address", "CallerIpAddress")]),
        ("Host", &[("HostName", "VirtualMachineName")]),
    ],
    params: &[
        ParamSpec {
            name: "extension_process",
            ty: ParamType::String { non_empty: true },
            default: DefaultValue::Str("RunCommandExtension.exe"),
            doc: "Process that writes Run Command scripts to disk on the VM (DeviceFileEvents InitiatingProcessFileName).",
        },
        ParamSpec {
            name: "script_name_pattern",
            ty: ParamType::String { non_empty: true },
            default: DefaultValue::Str("\\-File\\s(script[0-9]{1,9}\\.ps1)"),
            doc: "Regular expression extracting the script file name from the PowerShell command line (group 1).",
        },
    ],
});
