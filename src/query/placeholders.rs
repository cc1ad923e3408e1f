//! Sentinel's `{{StartTimeISO}}` and `{{EndTimeISO}}` placeholders.
//!
//! The hunting blade replaces them with its time range before running a
//! query; templates emit them through `sentinel_placeholder(...)`. `run`
//! does what the blade does, with the interval of `--timespan`, so a
//! hunting query runs from the command line exactly as it would in Sentinel.

use crate::query::timespan::Interval;

pub const START: &str = "{{StartTimeISO}}";
pub const END: &str = "{{EndTimeISO}}";

/// The query with both placeholders replaced by the interval's bounds.
pub fn substitute(query: &str, interval: &Interval) -> String {
    if !query.contains("{{") {
        return query.to_string();
    }
    query.replace(START, &interval.start_iso()).replace(END, &interval.end_iso())
}

#[cfg(test)]
mod tests {
    use azure_core::time::OffsetDateTime;

    use super::*;
    use crate::timespan::Timespan;

    #[test]
    fn both_placeholders_are_replaced_everywhere_and_nothing_else() {
        let end = OffsetDateTime::from_unix_timestamp(1_788_220_800).unwrap();
        let i = Interval::ending_at(end, Timespan::from_hours(4));
        let q = "let s = todatetime('{{StartTimeISO}}');\nlet e = todatetime('{{EndTimeISO}}');\nT | where t between (s .. e) | extend x = '{{StartTimeISO}}', y = '{{Other}}'";
        let out = substitute(q, &i);
        assert_eq!(
            out,
            "let s = todatetime('2026-08-31T20:00:00Z');\nlet e = todatetime('2026-09-01T00:00:00Z');\nT | where t between (s .. e) | extend x = '2026-08-31T20:00:00Z', y = '{{Other}}'"
        );
        assert_eq!(substitute("T | take 1", &i), "T | take 1");
    }
}
