//! SNT026: `ThreatIntelligenceIndicator |` without the latest-indicator pattern (K-2).

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};

use super::unmapped_legacy_entity_column::locate;

crate::lint_code! {
    /// What: a query that pipes `ThreatIntelligenceIndicator` (`ThreatIntelligenceIndicator |`)
    /// without all three parts of the latest-indicator pattern:
    /// `where TimeGenerated >= ago(…)`,
    /// `summarize LatestIndicatorTime = arg_max(TimeGenerated, *) by IndicatorId`,
    /// and `where ExpirationDateTime > now() and Active == true` (either order
    /// of the two conditions). Whitespace is ignored when matching.
    ///
    /// Why: the table keeps every revision of an indicator; without the
    /// pattern the rule matches expired or deactivated indicators and
    /// floods the SOC with false positives. Sentinel CI's
    /// `ValidateKqlForLatestTI` rejects the query.
    ///
    /// Example: `ThreatIntelligenceIndicator | where Active == true | join …`.
    ///
    /// Fix: start with
    /// `ThreatIntelligenceIndicator | where TimeGenerated >= ago(14d) | summarize LatestIndicatorTime = arg_max(TimeGenerated, *) by IndicatorId | where ExpirationDateTime > now() and Active == true`.
    CODE = ("SNT026", "stale-threat-intel-pattern", Error);
}

pub struct StaleThreatIntelPattern;

/// Which parts of the pattern are missing from `query` (empty when it is fine
/// or does not pipe the table).
pub fn missing_parts(query: &str) -> Vec<&'static str> {
    let squashed: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    if !squashed.contains("ThreatIntelligenceIndicator|") {
        return Vec::new();
    }
    let mut missing = Vec::new();
    if !squashed.contains("whereTimeGenerated>=ago(") {
        missing.push("where TimeGenerated >= ago(…)");
    }
    if !squashed.contains("summarizeLatestIndicatorTime=arg_max(TimeGenerated,*)byIndicatorId") {
        missing.push("summarize LatestIndicatorTime = arg_max(TimeGenerated, *) by IndicatorId");
    }
    if !squashed.contains("whereExpirationDateTime>now()andActive==true")
        && !squashed.contains("whereActive==trueandExpirationDateTime>now()")
    {
        missing.push("where ExpirationDateTime > now() and Active == true");
    }
    missing
}

impl Rule for StaleThreatIntelPattern {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(node) = doc.field(Field::Query) else { return };
        let Some(query) = node.as_str() else { return };
        let missing = missing_parts(query);
        if missing.is_empty() {
            return;
        }
        let range = locate(doc.text, node.range, "ThreatIntelligenceIndicator").unwrap_or(node.range);
        let mut d = Diagnostic::new(CODE, "`ThreatIntelligenceIndicator` is read without the latest-indicator pattern")
            .with_primary(doc.file, range, "all revisions of every indicator, including expired ones")
            .with_help("summarize to the latest revision per IndicatorId and keep active, unexpired indicators");
        for m in missing {
            d = d.with_note(format!("missing: `{m}`"));
        }
        out.push(d);
    }
}
