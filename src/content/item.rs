//! A loaded content item: one content TOML file, checked and typed.

use std::fmt;

pub use crate::kind::Kind;
use crate::models::Model;
use crate::params::ParamValues;
use crate::source::FileId;
use crate::span::TextRange;

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub range: TextRange,
}

/// A lower-case GUID identifying an item forever.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContentId(pub String);

impl fmt::Display for ContentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One checked content item.
#[derive(Clone)]
pub struct Item {
    pub file: FileId,
    /// The content file's stem: names every output file of the item.
    pub slug: String,
    pub id: Located<ContentId>,
    pub name: Located<String>,
    pub kind: Kind,
    pub model: &'static dyn Model,
    pub description: String,
    pub tactics: Vec<String>,
    pub techniques: Vec<String>,
    /// `MAJOR.MINOR.PATCH` as written; Sentinel reads an absent version as 1.0.0.
    pub version: Option<String>,
    /// Free-form `tags` carried into the YAML (upstream files use them for campaigns and solutions).
    pub tags: Vec<String>,
    /// The informational `severity` some hunting queries carry (rules have theirs in `rule`).
    pub hunting_severity: Option<&'static str>,
    pub params: ParamValues,
    /// Entity mappings: the content's `[[entities]]`, or the model's defaults.
    pub entities: Vec<crate::content::rule::EntityMapping>,
    /// Analytic-rule settings (`None` for hunting queries).
    pub rule: Option<crate::content::rule::RuleSettings>,
    /// Where each explicitly set parameter was written (defaults have none).
    pub param_ranges: std::collections::BTreeMap<&'static str, TextRange>,
    /// The `[[tests]]` cases, run by `test`.
    pub tests: Vec<crate::content::rule_tests::RuleTest>,
}

impl Item {
    /// The version Sentinel sees (`1.0.0` when none is written).
    pub fn version(&self) -> &str {
        self.version.as_deref().unwrap_or("1.0.0")
    }
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Item")
            .field("slug", &self.slug)
            .field("id", &self.id.value)
            .field("kind", &self.kind)
            .field("model", &self.model.info().name)
            .finish_non_exhaustive()
    }
}

pub use crate::sentinel::tactics::TACTICS;
pub use crate::sentinel::techniques::is_technique_id;

/// A file stem for an item called `name` (outputs are named after it):
/// lower-case ASCII words joined by `-`, at most 80 characters;
/// `Run Command spike (prod)` → `run-command-spike-prod`.
pub fn file_stem_for(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut stem: String = out.chars().take(80).collect();
    while stem.ends_with('-') {
        stem.pop();
    }
    if stem.is_empty() { "item".to_string() } else { stem }
}

/// `MAJOR.MINOR.PATCH`, at most 20 characters.
pub fn is_version(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    text.len() <= 20 && parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
}

/// A lower-case GUID in 8-4-4-4-12 form.
pub fn is_lower_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_technique_id("T1651"));
        assert!(is_technique_id("T1078.004"));
        assert!(!is_technique_id("T1078.04"));
        assert!(!is_technique_id("1651"));
        assert_eq!(file_stem_for("Azure VM Run Command (suspicious) - v2"), "azure-vm-run-command-suspicious-v2");
        assert_eq!(file_stem_for("***"), "item");
        assert!(is_version("1.0.0"));
        assert!(!is_version("1.0"));
        assert!(!is_version("1.0.x"));
        assert!(is_lower_guid("43cb0347-bdcc-4e83-af5a-cebbd03971d8"));
        assert!(!is_lower_guid("43CB0347-bdcc-4e83-af5a-cebbd03971d8"));
        assert!(!is_lower_guid("43cb0347bdcc4e83af5acebbd03971d8"));
    }
}
