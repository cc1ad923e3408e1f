//! Valid `requiredDataConnectors[].connectorId` values (`ValidConnectorIds.json`).

use std::collections::HashSet;
use std::sync::OnceLock;

const IDS_JSON: &str = include_str!("../../schemas/sentinel/valid-connector-ids.json");

fn ids() -> &'static HashSet<String> {
    static IDS: OnceLock<HashSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        serde_json::from_str::<Vec<String>>(IDS_JSON).expect("embedded connector ids are JSON").into_iter().collect()
    })
}

/// True when `id` is in the list (exact, case-sensitive, as CI compares).
pub fn is_valid_connector_id(id: &str) -> bool {
    ids().contains(id)
}

/// A listed id equal to `id` ignoring case, for "did you mean" help.
pub fn suggest(id: &str) -> Option<&'static str> {
    ids().iter().find(|k| k.eq_ignore_ascii_case(id)).map(String::as_str)
}

/// Number of distinct valid ids.
pub fn count() -> usize {
    ids().len()
}
