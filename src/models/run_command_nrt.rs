//! NRT: Run Command by an unapproved caller.
//!
//! NRT rules see each minute of newly ingested data only, so a per-caller
//! history ("IP mask never seen for the caller") cannot be computed in one;
//! that baseline lives in `anomalous_operation_model`. This rule alerts at
//! once on any successful Run Command by a caller not on the approved list.

use serde::{Deserialize, Serialize};

use super::{ModelInfo, TypedModel, shared};
use crate::kind::Kind;
use crate::params::{DefaultValue, ParamSpec, ParamType};

/// Parameters of `run_command_nrt`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCommandNrt {
    pub approved_callers: Vec<String>,
    pub success_statuses: Vec<String>,
}

pub static MODEL: TypedModel<RunCommandNrt> = TypedModel::new(ModelInfo {
    name: "run_command_nrt",
    summary: "Near-real-time alert on every successful Run Command by a caller outside the approved list",
    reference: "write-up: Run Command Extension Deep Dive (no published NRT query)",
    kinds: &[Kind::Nrt],
    template: "run_command_nrt.kql.tera",
    connectors: &[shared::AZURE_ACTIVITY],
    window: super::no_window,
    entities: &[shared::CALLER_ACCOUNT, shared::CALLER_IP, shared::VM_HOST],
    params: &[
        ParamSpec {
            name: "approved_callers",
            ty: ParamType::StringList { min_items: 0 },
            default: DefaultValue::List(&[]),
            doc: "Callers (UPNs or object ids) expected to use Run Command; compared case-insensitively. Empty: every caller alerts.",
        },
        ParamSpec {
            name: "success_statuses",
            ty: ParamType::StringList { min_items: 1 },
            default: DefaultValue::List(&["Success", "Succeeded"]),
            doc: "ActivityStatusValue values that mean the command ran.",
        },
    ],
});
