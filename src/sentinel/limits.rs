//! The numeric limits and name rules Sentinel and the Azure-Sentinel CI
//! apply to rules. Both the
//! content checks (`content::rule`) and the linter (`lint::rules`) use
//! these, so a limit is written once.

/// `queryFrequency` / `queryPeriod` range, in seconds: 5m ..= 14d.
pub const QUERY_WINDOW_SECONDS: std::ops::RangeInclusive<u64> = 300..=14 * 86_400;
/// A period of at least this many seconds (2d) needs a frequency of at least
/// [`MIN_FREQUENCY_FOR_LONG_PERIOD`].
pub const LONG_PERIOD_SECONDS: u64 = 2 * 86_400;
pub const MIN_FREQUENCY_FOR_LONG_PERIOD: u64 = 3600;
/// Suppression range, in seconds: 5m ..= 24h.
pub const SUPPRESSION_SECONDS: std::ops::RangeInclusive<u64> = 300..=86_400;
/// `triggerThreshold` range.
pub const TRIGGER_THRESHOLD: std::ops::RangeInclusive<i64> = 0..=10_000;
/// At most this many custom details, with keys of at most this length.
pub const CUSTOM_DETAILS_MAX: usize = 20;
pub const CUSTOM_DETAIL_KEY_MAX: usize = 20;
/// Entity mappings per rule, field mappings per entity.
pub const ENTITY_MAPPINGS_MAX: usize = 10;
pub const FIELD_MAPPINGS_MAX: usize = 3;
/// Alert details override lengths and placeholder count.
pub const ALERT_NAME_FORMAT_MAX: usize = 256;
pub const ALERT_DESCRIPTION_FORMAT_MAX: usize = 5000;
pub const ALERT_PLACEHOLDERS_MAX: usize = 3;

/// `^[a-zA-Z]+\w*$` (`underscore_first` false) or `^[a-zA-Z_]+\w*$` (true).
pub fn is_identifier(s: &str, underscore_first: bool) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || (underscore_first && c == '_') => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A query column as entity mappings and custom details name it:
/// `^[a-zA-Z_]+\w*$`, at most 500 characters.
pub fn is_column_name(s: &str) -> bool {
    s.chars().count() <= 500 && is_identifier(s, true)
}

/// A custom detail key: `^[a-zA-Z]+\w*$`, at most 20 characters.
pub fn is_custom_detail_key(s: &str) -> bool {
    s.chars().count() <= CUSTOM_DETAIL_KEY_MAX && is_identifier(s, false)
}

/// `{{Column}}` placeholders in an alert format, as CI counts them
/// (regex `{{([^{}]*)}}`).
pub fn placeholders(s: &str) -> usize {
    let mut n = 0;
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        match after.find(['{', '}']) {
            Some(j) if after[j..].starts_with("}}") => {
                n += 1;
                rest = &after[j + 2..];
            }
            Some(j) => rest = &after[j..],
            None => break,
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders() {
        assert!(is_column_name("_ResourceId") && !is_column_name("Caller Name") && !is_column_name("1a"));
        assert!(
            is_custom_detail_key("VirtualMachine")
                && !is_custom_detail_key("_x")
                && !is_custom_detail_key(&"a".repeat(21))
        );
        assert_eq!(placeholders("{{A}} x {{B}}{{C}} {{D}}"), 4);
        assert_eq!(placeholders("{{A{B}} {{}}"), 1);
    }
}
