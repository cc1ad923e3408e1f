//! The one shape every import source is read into: a Sentinel analytic rule
//! or hunting query, independent of how it was written (repository YAML,
//! portal ARM export, solution package, live workspace).

use crate::content::item::Kind;
use crate::timespan::Timespan;

/// An imported rule or hunting query, with values already normalised to the
/// content format (lower-case id, `Timespan`s, `gt`-style operators).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportedRule {
    pub kind: Option<Kind>,
    pub id: String,
    pub name: String,
    pub description: String,
    pub severity: Option<String>,
    pub enabled: Option<bool>,
    /// `(connector id, data types)`.
    pub connectors: Vec<(String, Vec<String>)>,
    pub frequency: Option<Timespan>,
    pub period: Option<Timespan>,
    /// `(operator as content writes it: gt, lt, eq, ne; threshold)`.
    pub trigger: Option<(String, i64)>,
    /// Suppression after an alert, when enabled.
    pub suppression: Option<Timespan>,
    pub tactics: Vec<String>,
    pub techniques: Vec<String>,
    pub query: String,
    /// `(entity type, [(identifier, column)])`.
    pub entities: Vec<(String, Vec<(String, String)>)>,
    pub custom_details: Vec<(String, String)>,
    pub alert_details: Option<ImportedAlertDetails>,
    pub event_grouping: Option<String>,
    pub incident: Option<ImportedIncident>,
    pub version: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportedAlertDetails {
    pub name_format: Option<String>,
    pub description_format: Option<String>,
    pub tactics_column: Option<String>,
    pub severity_column: Option<String>,
    /// `(alert property, column)`.
    pub dynamic_properties: Vec<(String, String)>,
}

impl ImportedAlertDetails {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedIncident {
    pub create: bool,
    pub grouping_enabled: bool,
    pub reopen: bool,
    pub lookback: Option<Timespan>,
    pub matching: Option<String>,
    pub entities: Vec<String>,
    pub details: Vec<String>,
    pub custom_details: Vec<String>,
}

/// Why a document was not imported. Each is something the user can act on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, thiserror::Error)]
pub enum ImportProblem {
    #[error("not a Sentinel analytic rule or hunting query ({0})")]
    NotSentinelContent(String),
    #[error("cannot be read: {0}")]
    Unreadable(String),
    #[error("missing `{0}`")]
    Missing(&'static str),
    #[error("`{field}`: {why}")]
    BadValue { field: String, why: String },
    #[error("`{0}` is not part of the content format and would be lost")]
    Unsupported(String),
}

/// `GreaterThan`/`gt`/`>` → the content's operator spelling.
pub fn trigger_operator(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "gt" | "greaterthan" | ">" => Some("gt"),
        "lt" | "lessthan" | "<" => Some("lt"),
        "eq" | "equal" | "=" | "==" => Some("eq"),
        "ne" | "notequal" | "!=" => Some("ne"),
        _ => None,
    }
}

/// A duration written either way (`1h`, `PT1H`), as a problem of `field`
/// when it is neither.
pub fn duration(field: &str, text: &str) -> Result<Timespan, ImportProblem> {
    Timespan::parse_any(text).map_err(|e| ImportProblem::BadValue {
        field: field.to_string(),
        why: format!("`{text}` is not a duration: {e}"),
    })
}

/// A GUID in any case, or with braces, as the content's lower-case form.
pub fn guid(field: &str, text: &str) -> Result<String, ImportProblem> {
    let t = text.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase();
    if crate::content::item::is_lower_guid(&t) {
        Ok(t)
    } else {
        Err(ImportProblem::BadValue { field: field.to_string(), why: format!("`{text}` is not a GUID") })
    }
}

/// The first GUID inside a text (ARM resource names such as
/// `[concat(parameters('workspace'),'/Microsoft.SecurityInsights/<guid>')]`).
pub fn find_guid(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(35)).find_map(|i| {
        let candidate = text.get(i..i + 36)?;
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_hexdigit();
        let after_ok = bytes.get(i + 36).is_none_or(|b| !b.is_ascii_hexdigit());
        (before_ok && after_ok).then(|| guid("id", candidate).ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_found_and_normalised() {
        assert_eq!(
            guid("id", "{6A150FA1-B1CC-4A21-8D95-6433846CA167}").unwrap(),
            "6a150fa1-b1cc-4a21-8d95-6433846ca167"
        );
        assert!(guid("id", "not-a-guid").is_err());
        let name =
            "[concat(parameters('workspace'),'/Microsoft.SecurityInsights/6a150fa1-b1cc-4a21-8d95-6433846ca167')]";
        assert_eq!(find_guid(name).as_deref(), Some("6a150fa1-b1cc-4a21-8d95-6433846ca167"));
        assert_eq!(find_guid("no guid here"), None);
    }

    #[test]
    fn operators_and_durations_in_both_spellings() {
        assert_eq!(trigger_operator("GreaterThan"), Some("gt"));
        assert_eq!(trigger_operator("gt"), Some("gt"));
        assert_eq!(trigger_operator("between"), None);
        assert_eq!(duration("queryPeriod", "PT5H").unwrap(), Timespan::from_hours(5));
        assert_eq!(duration("queryPeriod", "5h").unwrap(), Timespan::from_hours(5));
        assert!(duration("queryPeriod", "five hours").is_err());
    }
}
