//! The rule registry: one slice drives checking, `explain`, SARIF metadata
//! and the meta-tests (ripgrep's `FLAGS` style, no macros).

use std::path::Path;

use crate::diag::{Code, Diagnostic};
use crate::source::FileId;
use crate::span::TextRange;

use super::document::{Doc, DocKind, Format};
use super::rules::*;

/// A lint rule. Each hook has a no-op default; a rule implements the ones it needs.
pub trait Rule: Sync {
    fn code(&self) -> Code;
    /// True for rules that restate Sentinel CI's structure validation
    /// (S-1 … S-19): a template on the structure skip list has these
    /// findings suppressed.
    fn structural(&self) -> bool {
        false
    }
    /// Once per file that holds at least one Sentinel document.
    fn check_file(&self, _file: &FileCtx, _out: &mut Vec<Diagnostic>) {}
    /// Once per document.
    fn check_doc(&self, _doc: &Doc, _out: &mut Vec<Diagnostic>) {}
    /// Once per run, over every document found.
    fn check_tree(&self, _tree: &[TreeEntry], _out: &mut Vec<Diagnostic>) {}
}

/// A file with Sentinel content.
pub struct FileCtx<'a> {
    pub file: FileId,
    pub path: &'a str,
    pub fs_path: &'a Path,
    pub text: &'a str,
    pub format: Format,
    pub kinds: &'a [DocKind],
}

/// What whole-tree rules need to know of one document.
#[derive(Clone, Debug)]
pub struct TreeEntry {
    pub file: FileId,
    pub path: String,
    pub file_name: String,
    pub format: Format,
    pub kind: DocKind,
    pub id: Option<(String, TextRange)>,
    /// The display name (`name`, or `displayName` in ARM).
    pub name: Option<String>,
    /// The `generate` output tree the file is in, if any.
    pub generated_root: Option<std::path::PathBuf>,
    /// Span used for file-level findings (the first key).
    pub anchor: TextRange,
}

impl TreeEntry {
    /// The same rule as `other` in another form or place that is not a
    /// second template: one id and one name, and not two repository YAML
    /// files (which Sentinel's CI rejects) unless both are in one tree that
    /// `generate` wrote, one folder apart (`generated/yaml/x.yaml` and the
    /// environments' `generated/dev/yaml/x.yaml`, `generated/prod/yaml/x.yaml`). A YAML file and its ARM template, or a
    /// per-rule template and a combined one (`azuredeploy.json`, a
    /// solution's `mainTemplate.json`), are packagings of one rule.
    pub fn is_copy_of(&self, other: &TreeEntry) -> bool {
        let id = |e: &TreeEntry| e.id.as_ref().map(|(id, _)| id.trim().to_ascii_lowercase());
        let same_rule = id(self).is_some() && id(self) == id(other) && self.name.is_some() && self.name == other.name;
        let both_yaml = self.format == Format::Yaml && other.format == Format::Yaml;
        let environment_copies = self.generated_root.is_some()
            && self.generated_root == other.generated_root
            && one_folder_apart(&self.path, &other.path);
        same_rule && (!both_yaml || environment_copies)
    }
}

/// Whether two paths are one layout under one folder more, or under two
/// sibling folders where they part (`yaml/x.yaml`, `dev/yaml/x.yaml`,
/// `prod/yaml/x.yaml`): how environment copies are laid out.
fn one_folder_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (rest_a, rest_b) = (&a[common..], &b[common..]);
    let (short, long) = if rest_a.len() < rest_b.len() { (rest_a, rest_b) } else { (rest_b, rest_a) };
    match long.len() - short.len() {
        1 => !short.is_empty() && long[1..] == *short,
        0 => short.len() >= 2 && long[1..] == short[1..],
        _ => false,
    }
}

/// Every rule, in code order.
pub const RULES: &[&dyn Rule] = &[
    &invalid_yaml::InvalidYaml,
    &duplicate_key::DuplicateKey,
    &file_too_large::FileTooLarge,
    &unknown_kind::UnknownKind,
    &missing_required_key::MissingRequiredKey,
    &invalid_id::InvalidId,
    &non_canonical_id::NonCanonicalId,
    &text_too_long::TextTooLong,
    &query_length::QueryLength,
    &invalid_query_schedule::InvalidQuerySchedule,
    &period_shorter_than_frequency::PeriodShorterThanFrequency,
    &invalid_trigger::InvalidTrigger,
    &invalid_enum_value::InvalidEnumValue,
    &unknown_connector_id::UnknownConnectorId,
    &duplicate_template_id::DuplicateTemplateId,
    &yml_extension::YmlExtension,
    &duplicate_file_name::DuplicateFileName,
    &invalid_custom_details::InvalidCustomDetails,
    &invalid_entity_mapping::InvalidEntityMapping,
    &unmapped_legacy_entity_column::UnmappedLegacyEntityColumn,
    &invalid_alert_details_override::InvalidAlertDetailsOverride,
    &malformed_version::MalformedVersion,
    &technique_without_tactic::TechniqueWithoutTactic,
    &unknown_technique::UnknownTechnique,
    &skip_listed_template_passes::SkipListedTemplatePasses,
    &stale_threat_intel_pattern::StaleThreatIntelPattern,
    &non_ascii_content::NonAsciiContent,
    &id_changed::IdChanged,
    &suppression_too_long::SuppressionTooLong,
    &nrt_ignored_setting::NrtIgnoredSetting,
    &nrt_cross_workspace::NrtCrossWorkspace,
    &forbidden_wildcard_search::ForbiddenWildcardSearch,
    &version_not_bumped::VersionNotBumped,
    &invalid_kql::InvalidKql,
    &mapped_column_not_in_output::MappedColumnNotInOutput,
    &data_type_not_read::DataTypeNotRead,
    &table_without_data_type::TableWithoutDataType,
];

/// Look a lint rule up by code id or name (case-insensitive).
pub fn rule(query: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.code().id.eq_ignore_ascii_case(query) || r.code().name.eq_ignore_ascii_case(query))
}

#[cfg(test)]
mod tests {
    use super::one_folder_apart;

    #[test]
    fn environment_layouts_are_one_folder_apart() {
        assert!(one_folder_apart("generated/yaml/a/x.yaml", "generated/dev/yaml/a/x.yaml"));
        assert!(one_folder_apart("generated/dev/yaml/a/x.yaml", "generated/prod/yaml/a/x.yaml"));
        assert!(!one_folder_apart("Detections/AWS/x.yaml", "Solutions/AWS/Analytic Rules/x.yaml"));
        assert!(!one_folder_apart("x.yaml", "x.yaml"));
    }
}
