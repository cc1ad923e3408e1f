//! Where in a template a Tera error comes from.
//!
//! Tera reports render errors without a position ("Filter 'x' not found",
//! "Variable `params.y` not found") and an unclosed block at the end of
//! the file. These functions read the template's tags themselves so a
//! diagnostic can point at the tag, the filter, or the block that was
//! opened and never closed.

use crate::span::TextRange;

/// One `{{ … }}` or `{% … %}` tag: its whole range and its inner text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag<'a> {
    pub range: TextRange,
    /// Byte offset of `inner` in the template.
    pub inner_start: usize,
    pub inner: &'a str,
    pub is_block: bool,
}

/// Every tag of a template, in order; `{# #}` comments and the bodies of
/// `{% raw %}` blocks are skipped (they are not Tera code).
pub fn tags(template: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut in_raw = false;
    while let Some(open) = template[at..].find('{').map(|o| at + o) {
        let rest = &template[open..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            "#}"
        } else {
            at = open + 1;
            continue;
        };
        let Some(end) = template[open + 2..].find(close).map(|e| open + 2 + e + 2) else { break };
        at = end;
        if close == "#}" {
            continue;
        }
        let inner_start = open + 2;
        let inner = &template[inner_start..end - 2];
        let is_block = close == "%}";
        let word = first_word(inner);
        if in_raw {
            if !(is_block && word == "endraw") {
                continue;
            }
            in_raw = false;
        }
        if is_block && word == "raw" {
            in_raw = true;
        }
        out.push(Tag { range: TextRange::new(open as u32, end as u32), inner_start, inner, is_block });
    }
    out
}

/// The first word of a tag's inner text, whitespace-control dashes skipped.
fn first_word(inner: &str) -> &str {
    let s = inner.trim_start_matches('-').trim_start();
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// A block tag that is opened and never closed (`{% if %}` without
/// `{% endif %}`): its keyword and range. The innermost unclosed one.
pub fn unclosed_block(template: &str) -> Option<(String, TextRange)> {
    const OPENERS: &[&str] = &["if", "for", "macro", "block", "filter", "raw"];
    let mut stack: Vec<(String, TextRange)> = Vec::new();
    for tag in tags(template).into_iter().filter(|t| t.is_block) {
        let word = first_word(tag.inner);
        if OPENERS.contains(&word) {
            stack.push((word.to_string(), tag.range));
        } else if let Some(closed) = word.strip_prefix("end")
            && stack.last().is_some_and(|(open, _)| open == closed)
        {
            stack.pop();
        }
    }
    stack.pop()
}

/// Every use of filter `name` (`| name`): the range of the name and the
/// expression it filters (the text between the tag's start, or the
/// previous `|`, and this one).
pub fn filter_uses<'a>(template: &'a str, name: &str) -> Vec<(TextRange, &'a str)> {
    let mut out = Vec::new();
    for tag in tags(template) {
        let mut prev = 0;
        for (bar, _) in tag.inner.match_indices('|') {
            let after = &tag.inner[bar + 1..];
            let lead = after.len() - after.trim_start().len();
            let word = first_word(after.trim_start());
            if word == name {
                let start = tag.inner_start + bar + 1 + lead;
                let input = tag.inner[prev..bar].trim().trim_start_matches('-').trim();
                out.push((TextRange::new(start as u32, (start + name.len()) as u32), input));
            }
            prev = bar + 1;
        }
    }
    out
}

/// Every `params.NAME` a template's tags read, with the range of the name.
pub fn param_refs(template: &str) -> Vec<(&str, TextRange)> {
    let mut out = Vec::new();
    for tag in tags(template) {
        for (at, _) in tag.inner.match_indices("params.") {
            let before = tag.inner[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let rest = &tag.inner[at + "params.".len()..];
            let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            if len > 0 {
                let start = tag.inner_start + at;
                out.push((&rest[..len], TextRange::new(start as u32, (start + "params.".len() + len) as u32)));
            }
        }
    }
    out
}

/// The closest of `candidates` to `name`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unclosed_block_is_the_innermost_opener_left() {
        let t = "{% if a %}x{% endif %}\n{% for x in y %}\n{% if b %}\n{% endfor %}";
        let (word, range) = unclosed_block(t).unwrap();
        assert_eq!(word, "if");
        assert_eq!(&t[range.start as usize..range.end as usize], "{% if b %}");
        assert_eq!(unclosed_block("{%- if a -%}{%- endif -%}"), None);
        // A tag inside raw is text, not a block.
        assert_eq!(unclosed_block("{% raw %}{% if %}{% endraw %}"), None);
    }

    #[test]
    fn filter_uses_give_the_name_and_its_input() {
        let t = "let a = {{ params.window | kql_minutes }};\n{{ params.x | default(value=1) | kql_minutes }}";
        let uses = filter_uses(t, "kql_minutes");
        assert_eq!(uses.len(), 2);
        assert_eq!(&t[uses[0].0.start as usize..uses[0].0.end as usize], "kql_minutes");
        assert_eq!(uses[0].1, "params.window");
        assert_eq!(uses[1].1, "default(value=1)");
        assert!(filter_uses("{# {{ a | kql_minutes }} #}", "kql_minutes").is_empty());
    }

    #[test]
    fn param_refs_are_read_from_tags_only() {
        let t = "// params.nope in KQL text\n{{ params.min_count | kql_int }} {% if params.flag %}{% endif %}";
        let names: Vec<&str> = param_refs(t).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["min_count", "flag"]);
        assert_eq!(did_you_mean("min_comands", ["min_commands", "window"]), Some("min_commands"));
        assert_eq!(did_you_mean("zzz", ["min_commands", "window"]), None);
    }
}
