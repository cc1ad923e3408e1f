//! Run Command from Azure IP ranges.
//!
//! Source: Azure-Sentinel `Solutions/Azure Activity/Hunting Queries/AzureRunCommandFromAzureIP.yaml`.

use serde::{Deserialize, Serialize};

use super::{ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `run_command_from_azure_ip`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCommandFromAzureIp {
    pub lookback: Timespan,
    pub service_tag_prefix: String,
    pub ranges_url: String,
}

pub static MODEL: TypedModel<RunCommandFromAzureIp> = TypedModel::new(ModelInfo {
    name: "run_command_from_azure_ip",
    summary: "Run Command executed from an address in an Azure service tag's ranges (e.g. Windows Virtual Desktop)",
    reference: "Azure-Sentinel: Solutions/Azure Activity/Hunting Queries/AzureRunCommandFromAzureIP.yaml (v2.1.1)",
    kinds: &[Kind::Hunting],
    template: "run_command_from_azure_ip.kql.tera",
    connectors: &[shared::AZURE_ACTIVITY],
    window: super::lookback_window,
    entities: &[shared::CALLER_ACCOUNT, shared::CALLER_IP],
    params: &[
        shared::lookback(Timespan::from_days(30)),
        ParamSpec {
            name: "service_tag_prefix",
            ty: ParamType::String { non_empty: true },
            default: DefaultValue::Str("WindowsVirtualDesktop"),
            doc: "Service tag name prefix whose address ranges count as Azure-hosted sources.",
        },
        ParamSpec {
            name: "ranges_url",
            ty: ParamType::String { non_empty: true },
            default: DefaultValue::Str(
                "https://raw.githubusercontent.com/microsoft/mstic/master/PublicFeeds/MSFTIPRanges/ServiceTags_Public.json",
            ),
            doc: "URL of the Azure service tags JSON read with `externaldata` (multijson).",
        },
    ],
});
