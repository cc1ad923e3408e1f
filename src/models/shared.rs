//! Parameters, connectors and entity mappings several models share, written
//! once so their documentation and ranges cannot drift apart.

use super::DataConnector;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// `lookback`: how far back a hunt reads, with a model-specific default.
pub const fn lookback(default: Timespan) -> ParamSpec {
    ParamSpec {
        name: "lookback",
        ty: ParamType::Timespan {
            min: Timespan::from_hours(1),
            max: Timespan::from_days(730),
            whole: Granularity::Second,
        },
        default: DefaultValue::Timespan(default),
        doc: "How far back the hunt searches.",
    }
}

/// The process that writes Run Command scripts on a VM (MDE-linked models).
pub const EXTENSION_PROCESS: ParamSpec = ParamSpec {
    name: "extension_process",
    ty: ParamType::String { non_empty: true },
    default: DefaultValue::Str("RunCommandExtension.exe"),
    doc: "Process that writes Run Command scripts to disk on the VM (DeviceFileEvents InitiatingProcessFileName).",
};

/// The script name in the PowerShell command line (MDE-linked models).
pub const SCRIPT_NAME_PATTERN: ParamSpec = ParamSpec {
    name: "script_name_pattern",
    ty: ParamType::String { non_empty: true },
    default: DefaultValue::Str("\\-File\\s(script[0-9]{1,9}\\.ps1)"),
    doc: "Regular expression extracting the script file name from the PowerShell command line (group 1).",
};

pub const AZURE_ACTIVITY: DataConnector =
    DataConnector { connector_id: "AzureActivity", data_types: &["AzureActivity"] };

/// Entity mapping tuples: (entity type, [(identifier, column)]).
pub type Entity = (&'static str, &'static [(&'static str, &'static str)]);
pub const CALLER_ACCOUNT: Entity = ("Account", &[("FullName", "Caller")]);
pub const CALLER_IP: Entity = ("IP", &[("Address", "CallerIpAddress")]);
pub const VM_HOST: Entity = ("Host", &[("HostName", "VirtualMachineName")]);
