//! Dormant service principal gets credentials and signs in.
//!
//! Source: Azure-Sentinel `Hunting Queries/MultipleDataSources/DormantServicePrincipalUpdateCredsandLogsIn.yaml`.

use serde::{Deserialize, Serialize};

use super::{DataConnector, ModelInfo, TypedModel};
use crate::kind::Kind;
use crate::params::{DefaultValue, Granularity, ParamSpec, ParamType};
use crate::timespan::Timespan;

/// Parameters of `dormant_service_principal_creds`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DormantServicePrincipalCreds {
    pub dormancy: Timespan,
    pub operations: Vec<String>,
}

pub static MODEL: TypedModel<DormantServicePrincipalCreds> = TypedModel::new(ModelInfo {
    name: "dormant_service_principal_creds",
    summary: "A service principal without sign-ins in the dormancy period gets new credentials and then signs in",
    reference: "Azure-Sentinel: Hunting Queries/MultipleDataSources/DormantServicePrincipalUpdateCredsandLogsIn.yaml",
    kinds: &[Kind::Hunting],
    template: "dormant_service_principal_creds.kql.tera",
    connectors: &[DataConnector {
        connector_id: "AzureActiveDirectory",
        data_types: &["AuditLogs", "SigninLogs", "AADServicePrincipalSignInLogs"],
    }],
    window: super::no_window,
    entities: &[("Account", &[("AadUserId", "AccountCustomEntity")]), ("IP", &[("Address", "IPCustomEntity")])],
    params: &[
        ParamSpec {
            name: "dormancy",
            ty: ParamType::Timespan {
                min: Timespan::from_days(1),
                max: Timespan::from_days(365),
                whole: Granularity::Second,
            },
            default: DefaultValue::Timespan(Timespan::from_days(14)),
            doc: "Period before the hunt's window without a successful service principal sign-in.",
        },
        ParamSpec {
            name: "operations",
            ty: ParamType::StringList { min_items: 1 },
            default: DefaultValue::List(&[
                "Add service principal credentials",
                "Update application - Certificates and secrets management",
            ]),
            doc: "AuditLogs operations that add credentials to a service principal.",
        },
    ],
});
