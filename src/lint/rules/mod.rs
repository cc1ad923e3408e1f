//! One file per rule: the file is the snake_case name, the struct its
//! PascalCase form, the `CODE` constant's doc comment is what `explain` prints.
//! Shared helpers (durations, KQL scrubbing) live here.

pub mod data_type_not_read;
pub mod duplicate_file_name;
pub mod duplicate_key;
pub mod duplicate_template_id;
pub mod file_too_large;
pub mod forbidden_wildcard_search;
pub mod id_changed;
pub mod invalid_alert_details_override;
pub mod invalid_custom_details;
pub mod invalid_entity_mapping;
pub mod invalid_enum_value;
pub mod invalid_id;
pub mod invalid_kql;
pub mod invalid_query_schedule;
pub mod invalid_trigger;
pub mod invalid_yaml;
pub mod malformed_version;
pub mod mapped_column_not_in_output;
pub mod missing_required_key;
pub mod non_ascii_content;
pub mod non_canonical_id;
pub mod nrt_cross_workspace;
pub mod nrt_ignored_setting;
pub mod period_shorter_than_frequency;
pub mod query_length;
pub mod skip_listed_template_passes;
pub mod stale_threat_intel_pattern;
pub mod suppression_too_long;
pub mod table_without_data_type;
pub mod technique_without_tactic;
pub mod text_too_long;
pub mod unknown_connector_id;
pub mod unknown_kind;
pub mod unknown_technique;
pub mod unmapped_legacy_entity_column;
pub mod version_not_bumped;
pub mod yml_extension;

use crate::diag::{Code, Diagnostic};

use super::document::{Doc, DocKind, Format};
use super::engine::as_warning;
use super::yaml::Node;

/// A diagnostic at a node of `doc`.
pub fn at(code: Code, doc: &Doc, node: &Node, message: impl Into<String>, label: impl Into<String>) -> Diagnostic {
    Diagnostic::new(code, message).with_primary(doc.file, node.range, label)
}

/// Hunting queries get warnings for checks Sentinel CI applies to analytic rules only.
pub fn for_kind(d: Diagnostic, doc: &Doc) -> Diagnostic {
    if doc.kind == DocKind::Hunting { as_warning(d) } else { d }
}

/// Repository YAML duration: `<n>m`, `<n>h`, `<n>d`, or .NET TimeSpan text
/// `hh:mm[:ss]` / `d.hh:mm[:ss]`. ISO-8601 is rejected (CI rejects it). Seconds.
pub fn parse_yaml_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(unit) = s.chars().last().filter(|c| matches!(c, 'm' | 'h' | 'd')) {
        let n: u64 = s[..s.len() - 1].parse().ok()?;
        let mult = match unit {
            'm' => 60,
            'h' => 3600,
            _ => 86_400,
        };
        return n.checked_mul(mult);
    }
    let (days, rest) = match s.split_once('.') {
        Some((d, r)) if s.find('.') < s.find(':') => (d.parse::<u64>().ok()?, r),
        _ => (0, s),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts.iter().any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u64> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    let (h, m, sec) = (n[0], n[1], n.get(2).copied().unwrap_or(0));
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

/// ISO-8601 duration (`PT5M`, `P1D`, `P2DT1H30M`, `PT1H30M15S`) in seconds.
pub fn parse_iso_duration(s: &str) -> Option<u64> {
    let rest = s.trim().strip_prefix('P')?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total: u64 = 0;
    let mut eat = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut num = String::new();
        let mut idx = 0;
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                let pos = units.iter().position(|(u, _)| *u == c)?;
                if pos < idx || num.is_empty() {
                    return None;
                }
                idx = pos + 1;
                total = total.checked_add(num.parse::<u64>().ok()?.checked_mul(units[pos].1)?)?;
                num.clear();
            }
        }
        num.is_empty().then_some(())
    };
    eat(date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(t) = time {
        eat(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    Some(total)
}

/// A duration in the document's own format.
pub fn parse_duration(doc: &Doc, s: &str) -> Option<u64> {
    match doc.format {
        Format::Yaml => parse_yaml_duration(s),
        Format::Arm => parse_iso_duration(s),
    }
}

/// `90` → `1m30s`-style text for messages.
pub fn fmt_duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    for (n, u) in [(d, "d"), (h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{u}"));
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

/// The query with `//` comments removed and string literal contents blanked,
/// so text searches do not match inside them. Byte offsets are preserved.
pub fn scrub_kql(q: &str) -> String {
    let b = q.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'"' || c == b'\'' {
            let verbatim = i > 0 && matches!(b[i - 1], b'@' | b'h' | b'H');
            out.push(c);
            i += 1;
            while i < b.len() && b[i] != c && b[i] != b'\n' {
                if b[i] == b'\\' && !verbatim && i + 1 < b.len() {
                    out.push(b' ');
                    i += 1;
                }
                out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
            if i < b.len() {
                out.push(b[i]);
                i += 1;
            }
        } else {
            out.push(if c.is_ascii() { c } else { b' ' });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Does `s` contain `word` as a whole identifier (ASCII word boundaries)?
pub fn find_word(s: &str, word: &str) -> Vec<usize> {
    let b = s.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    s.match_indices(word)
        .map(|(i, _)| i)
        .filter(|&i| (i == 0 || !ident(b[i - 1])) && b.get(i + word.len()).is_none_or(|&c| !ident(c)))
        .collect()
}

/// Compare `X.Y.Z` versions numerically; `None` when either is malformed.
pub fn cmp_versions(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let p = |s: &str| s.split('.').map(|x| x.parse::<u64>().ok()).collect::<Option<Vec<_>>>();
    Some(p(a)?.cmp(&p(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_yaml_duration("5m"), Some(300));
        assert_eq!(parse_yaml_duration("14d"), Some(14 * 86_400));
        assert_eq!(parse_yaml_duration("01:00:00"), Some(3600));
        assert_eq!(parse_yaml_duration("1.00:00:00"), Some(86_400));
        assert_eq!(parse_yaml_duration("PT1H"), None);
        assert_eq!(parse_yaml_duration("5 m"), None);
        assert_eq!(parse_iso_duration("PT5M"), Some(300));
        assert_eq!(parse_iso_duration("P2DT1H30M"), Some(2 * 86_400 + 5400));
        assert_eq!(parse_iso_duration("P1D"), Some(86_400));
        assert_eq!(parse_iso_duration("PT"), None);
        assert_eq!(parse_iso_duration("5m"), None);
        assert_eq!(fmt_duration(5400), "1h30m");
    }

    #[test]
    fn scrub_blanks_comments_and_strings() {
        let q = "T // search *\n| where a == \"union *\" | search *";
        let s = scrub_kql(q);
        assert_eq!(s.len(), q.len());
        assert_eq!(find_word(&s, "search").len(), 1);
        assert_eq!(find_word(&s, "union").len(), 0);
    }
}
