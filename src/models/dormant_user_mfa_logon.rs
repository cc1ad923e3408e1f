//! Dormant user registers MFA and signs in.
//!
//! Source: Azure-Sentinel `Hunting Queries/MultipleDataSources/DormantUserUpdateMFAandLogsIn.yaml`.

use serde::{Deserialize, Serialize};

use super::{DataConnector, ModelInfo, TypedModel};
use crate::kind::Kind;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `dormant_user_mfa_logon`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DormantUserMfaLogon {
    pub lookback: Timespan,
    pub operation: String,
}

pub static MODEL: TypedModel<DormantUserMfaLogon> = TypedModel::new(ModelInfo {
    name: "dormant_user_mfa_logon",
    summary: "A user without sign-ins in the lookback registers MFA security info and signs in",
    reference: "Azure-Sentinel: Hunting Queries/MultipleDataSources/DormantUserUpdateMFAandLogsIn.yaml",
    kinds: &[Kind::Hunting],
    template: "dormant_user_mfa_logon.kql.tera",
    connectors: &[DataConnector { connector_id: "AzureActiveDirectory", data_types: &["AuditLogs", "SigninLogs"] }],
    window: super::no_window,
    entities: &[("Account", &[("FullName", "AccountCustomEntity")]), ("IP", &[("Address", "IPCustomEntity")])],
    params: &[
        ParamSpec {
            name: "lookback",
            ty: ParamType::Timespan {
                min: Timespan::from_days(1),
                max: Timespan::from_days(365),
                whole: Granularity::Second,
            },
            default: DefaultValue::Timespan(Timespan::from_days(14)),
            doc: "Period before the hunt's window without a successful sign-in that makes a user dormant.",
        },
        ParamSpec {
            name: "operation",
            ty: ParamType::String { non_empty: true },
            default: DefaultValue::Str("User registered security info"),
            doc: "AuditLogs operation recording an MFA registration.",
        },
    ],
});
