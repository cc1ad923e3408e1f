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
    /// (S-1 … S-19): a template on the structure skip list (S-20) has these
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
    /// Span used for file-level findings (the first key).
    pub anchor: TextRange,
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
];

/// Look a lint rule up by code id or name (case-insensitive).
pub fn rule(query: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.code().id.eq_ignore_ascii_case(query) || r.code().name.eq_ignore_ascii_case(query))
}
