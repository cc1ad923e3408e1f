//! SNT032: `search *` or `union *` in an analytic rule.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::span::TextRange;

use super::{find_word, scrub_kql};

crate::lint_code! {
    /// What: an analytic rule whose query uses `search *` or `union *`
    /// (also with options: `union isfuzzy=true *`, `search kind=case_sensitive *`),
    /// outside comments and string literals.
    ///
    /// Why: the service rejects rule queries that scan every table
    ///; they are also the most
    /// expensive queries a workspace can run.
    ///
    /// Example: `search * | where Computer == 'dc01'`.
    ///
    /// Fix: name the tables: `union SecurityEvent, Syslog | where …`.
    CODE = ("SNT032", "forbidden-wildcard-search", Error);
}

pub struct ForbiddenWildcardSearch;

/// Offsets (into `scrubbed`) of `search`/`union` keywords followed by `*`.
pub fn wildcard_uses(scrubbed: &str) -> Vec<(usize, &'static str)> {
    let mut hits = Vec::new();
    for kw in ["search", "union"] {
        for i in find_word(scrubbed, kw) {
            let mut rest = scrubbed[i + kw.len()..].trim_start();
            // Skip `name=value` options.
            loop {
                let tok_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let tok = &rest[..tok_end];
                if tok.contains('=') && !tok.starts_with('*') && !tok.starts_with('(') {
                    rest = rest[tok_end..].trim_start();
                } else {
                    break;
                }
            }
            if rest.starts_with('*') {
                hits.push((i, kw));
            }
        }
    }
    hits.sort();
    hits
}

impl Rule for ForbiddenWildcardSearch {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        if !doc.kind.is_rule() {
            return;
        }
        let Some(node) = doc.field(Field::Query) else { return };
        let Some(query) = node.as_str() else { return };
        for (_, kw) in wildcard_uses(&scrub_kql(query)) {
            let range = crate::lint::rules::unmapped_legacy_entity_column::locate(doc.text, node.range, kw)
                .unwrap_or(TextRange::new(node.range.start, node.range.end));
            out.push(
                Diagnostic::new(CODE, format!("`{kw} *` reads every table"))
                    .with_primary(doc.file, range, "wildcard table scan")
                    .with_help("analytic rules may not use `search *` or `union *`; list the tables"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_wildcards_with_options() {
        assert_eq!(wildcard_uses("search *").len(), 1);
        assert_eq!(wildcard_uses("union isfuzzy=true *").len(), 1);
        assert_eq!(wildcard_uses("union withsource=T SecurityEvent, Syslog").len(), 0);
        assert_eq!(wildcard_uses("T | search \"x\"").len(), 0);
        assert_eq!(wildcard_uses("union (T), (S)").len(), 0);
    }
}
