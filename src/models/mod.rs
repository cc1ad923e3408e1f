//! The built-in hunt models and their registry.
//!
//! A model is a typed parameter struct (serde), a table of parameter specs
//! (type, default, range, documentation), a Tera template under
//! `templates/`, and the data connectors its query reads. Adding a model is
//! adding one file here and one line to [`REGISTRY`].

mod activity_connector_health;
mod anomalous_operation_model;
mod caller_activity_summary;
mod dormant_service_principal_creds;
mod dormant_user_mfa_logon;
mod operation_watch;
mod run_command_from_azure_ip;
mod run_command_infrequent;
mod run_command_mde_linked;
mod run_command_nrt;
mod run_command_script_volatility;
mod run_command_spike;
mod run_command_ueba_breach;
mod run_command_unique_script;
pub mod shared;

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::kind::Kind;
use crate::params::{ParamSpec, ParamValue, ParamValues};
use crate::sentinel::entities::EntityMapping;
use crate::timespan::Timespan;

/// A data connector and the tables of it that a query reads
/// (`requiredDataConnectors` in Sentinel YAML).
#[derive(Clone, Copy, Debug)]
pub struct DataConnector {
    pub connector_id: &'static str,
    pub data_types: &'static [&'static str],
}

/// Everything static about a model.
#[derive(Debug)]
pub struct ModelInfo {
    /// The name content files use in `template = "..."`.
    pub name: &'static str,
    /// One line: what the query finds.
    pub summary: &'static str,
    /// Where the query comes from (write-up section, Azure-Sentinel file).
    pub reference: &'static str,
    /// Kinds of content the query is written for.
    pub kinds: &'static [Kind],
    /// Template path relative to `templates/`.
    pub template: &'static str,
    pub params: &'static [ParamSpec],
    pub connectors: &'static [DataConnector],
    /// How far back the query looks, for the rule's `queryPeriod` (derived
    /// from it, or checked against it). `None`: the query has no window of
    /// its own and runs over whatever period the rule gives it.
    pub window: fn(&ParamValues) -> Option<Timespan>,
    /// Entity mappings for the columns the query outputs:
    /// (entity type, [(identifier, column)]).
    pub entities: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

impl ModelInfo {
    pub fn default_entities(&self) -> Vec<EntityMapping> {
        self.entities
            .iter()
            .map(|(ty, fields)| EntityMapping {
                entity_type: ty.to_string(),
                fields: fields.iter().map(|(i, c)| (i.to_string(), c.to_string())).collect(),
            })
            .collect()
    }

    /// The timespan parameter `name` (for `window` functions).
    pub fn timespan_param(params: &ParamValues, name: &str) -> Option<Timespan> {
        match params.values.get(name) {
            Some(ParamValue::Timespan(t)) => Some(*t),
            _ => None,
        }
    }

    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// A model as the pipeline sees it.
pub trait Model: Sync {
    fn info(&self) -> &ModelInfo;

    /// Build the template's `params` context from checked values, through
    /// the model's typed struct (so a template can only see typed fields).
    fn context(&self, params: &ParamValues) -> Result<serde_json::Value, serde_json::Error>;

    /// How far back the query looks with these parameters (see [`ModelInfo::window`]).
    fn window(&self, params: &ParamValues) -> Option<Timespan> {
        (self.info().window)(params)
    }

    /// Declared by a content item (`template = "custom"`) rather than built in.
    fn is_custom(&self) -> bool {
        false
    }
}

/// A [`Model`] whose parameters are the struct `P`.
pub struct TypedModel<P> {
    pub info: ModelInfo,
    _params: PhantomData<fn() -> P>,
}

impl<P> TypedModel<P> {
    pub const fn new(info: ModelInfo) -> Self {
        Self { info, _params: PhantomData }
    }
}

impl<P: DeserializeOwned + Serialize> Model for TypedModel<P> {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn context(&self, params: &ParamValues) -> Result<serde_json::Value, serde_json::Error> {
        let typed: P = serde_json::from_value(params.to_json())?;
        serde_json::to_value(&typed)
    }
}

/// Every built-in model, sorted by name.
pub static REGISTRY: &[&dyn Model] = &[
    &activity_connector_health::MODEL,
    &anomalous_operation_model::MODEL,
    &caller_activity_summary::MODEL,
    &dormant_service_principal_creds::MODEL,
    &dormant_user_mfa_logon::MODEL,
    &operation_watch::MODEL,
    &run_command_from_azure_ip::MODEL,
    &run_command_infrequent::MODEL,
    &run_command_mde_linked::MODEL,
    &run_command_nrt::MODEL,
    &run_command_script_volatility::MODEL,
    &run_command_spike::MODEL,
    &run_command_ueba_breach::MODEL,
    &run_command_unique_script::MODEL,
];

/// The model called `name`.
pub fn find(name: &str) -> Option<&'static dyn Model> {
    REGISTRY.iter().copied().find(|m| m.info().name == name)
}

/// For models whose query has no window of its own.
pub fn no_window(_: &ParamValues) -> Option<Timespan> {
    None
}

/// For models whose window is their `lookback` parameter.
pub fn lookback_window(params: &ParamValues) -> Option<Timespan> {
    ModelInfo::timespan_param(params, "lookback")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        let names: Vec<_> = REGISTRY.iter().map(|m| m.info().name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn defaults_deserialize_into_every_typed_struct() {
        for model in REGISTRY {
            let mut values = ParamValues::default();
            for spec in model.info().params {
                // Required parameters (no default) get a sample value of their type.
                let v = spec.default_value().unwrap_or(ParamValue::String("user@contoso.com".into()));
                values.values.insert(spec.name, v);
            }
            let ctx = model.context(&values);
            assert!(ctx.is_ok(), "{}: {:?}", model.info().name, ctx.err());
        }
    }

    #[test]
    fn every_param_is_documented_and_defaults_are_in_range() {
        for model in REGISTRY {
            for spec in model.info().params {
                assert!(spec.doc.len() > 20, "{}.{} needs a real doc", model.info().name, spec.name);
                if let Some(v) = spec.default_value() {
                    let toml_text = format!("v = {v}");
                    let table = toml::de::DeTable::parse(&toml_text).unwrap();
                    let value = table.get_ref().iter().next().unwrap().1;
                    assert_eq!(spec.check(value.get_ref()).as_ref(), Ok(&v), "{}.{}", model.info().name, spec.name);
                }
            }
        }
    }
}
