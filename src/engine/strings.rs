//! Kusto's string operators: case rules of `=~`/`contains`/`startswith`,
//! term matching for `has` (a term is a run of letters and digits; the
//! needle must start and end on term boundaries), `matches regex`.

use std::borrow::Cow;
use std::cell::RefCell;

use regex::Regex;

use crate::engine::error::{EResult, EngineError};
use crate::engine::scope::Col;
use crate::engine::value::Value;
use crate::kql::ast::StringOp;
use crate::span::TextRange;

/// The text a string operator sees: strings as they are, other values as `tostring` writes them.
pub fn text_of(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_kusto_string()),
    }
}

pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.to_lowercase() == b.to_lowercase()
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) { Cow::Owned(s.to_lowercase()) } else { Cow::Borrowed(s) }
}

fn is_term_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// `hay has needle`: the needle occurs with term boundaries at both ends
/// (an end of the needle that is not a letter or digit needs no boundary).
pub fn has_term(hay: &str, needle: &str, case_sensitive: bool) -> bool {
    term_match(hay, needle, case_sensitive, true, true)
}

fn term_match(hay: &str, needle: &str, cs: bool, need_start: bool, need_end: bool) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        return term_match_ascii(hay.as_bytes(), needle.as_bytes(), cs, need_start, need_end);
    }
    let (h, nd) = if cs { (Cow::Borrowed(hay), Cow::Borrowed(needle)) } else { (lower(hay), lower(needle)) };
    let first_term = nd.chars().next().is_some_and(is_term_char);
    let last_term = nd.chars().next_back().is_some_and(is_term_char);
    let mut from = 0;
    while let Some(pos) = h[from..].find(nd.as_ref()) {
        let start = from + pos;
        let end = start + nd.len();
        let ok_start = !need_start || !first_term || h[..start].chars().next_back().is_none_or(|c| !is_term_char(c));
        let ok_end = !need_end || !last_term || h[end..].chars().next().is_none_or(|c| !is_term_char(c));
        if ok_start && ok_end {
            return true;
        }
        from = start + h[start..].chars().next().map_or(1, |c| c.len_utf8());
        if from > h.len() {
            break;
        }
    }
    false
}

/// [`term_match`] of ASCII text: the same rules, without lower-casing copies.
fn term_match_ascii(h: &[u8], nd: &[u8], cs: bool, need_start: bool, need_end: bool) -> bool {
    if nd.len() > h.len() {
        return false;
    }
    let first_term = nd[0].is_ascii_alphanumeric();
    let last_term = nd[nd.len() - 1].is_ascii_alphanumeric();
    let eq = |a: &[u8]| if cs { a == nd } else { a.eq_ignore_ascii_case(nd) };
    let (f0, f1) = (nd[0].to_ascii_lowercase(), nd[0].to_ascii_uppercase());
    for start in 0..=h.len() - nd.len() {
        let b = h[start];
        if !(b == nd[0] || (!cs && (b == f0 || b == f1))) {
            continue;
        }
        let end = start + nd.len();
        if !eq(&h[start..end]) {
            continue;
        }
        let ok_start = !need_start || !first_term || start == 0 || !h[start - 1].is_ascii_alphanumeric();
        let ok_end = !need_end || !last_term || end == h.len() || !h[end].is_ascii_alphanumeric();
        if ok_start && ok_end {
            return true;
        }
    }
    false
}

/// `has`, `has_cs`, `hasprefix` ... of an array of strings without
/// writing its JSON text, when that gives the same answer: the needle is
/// letters and digits only (so a match cannot reach across the `","`
/// between items) and no item needs escaping in JSON. `None` otherwise.
pub fn term_match_items(items: &[Value], needle: &str, op: StringOp, cs: bool) -> Option<bool> {
    let (need_start, need_end) = match op {
        StringOp::Has => (true, true),
        StringOp::HasPrefix => (true, false),
        StringOp::HasSuffix => (false, true),
        _ => return None,
    };
    if needle.is_empty() || !needle.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut hit = false;
    for it in items {
        let Value::String(s) = it else { return None };
        if s.bytes().any(|b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b)) {
            return None;
        }
        hit = hit || term_match_ascii(s.as_bytes(), needle.as_bytes(), cs, need_start, need_end);
    }
    Some(hit)
}

/// One string operator, with its regex compiled once when the pattern is constant.
pub struct Matcher {
    op: StringOp,
    cs: bool,
    fixed: Option<Regex>,
    last: RefCell<Option<(String, Option<Regex>)>>,
}

impl Matcher {
    pub fn new(op: StringOp, cs: bool, needles: &Col, range: TextRange) -> EResult<Matcher> {
        let mut fixed = None;
        if matches!(op, StringOp::MatchesRegex | StringOp::Like) {
            if op == StringOp::Like {
                return Err(EngineError::unsupported("`like`", range));
            }
            if let Some(first) = needles.vals.first()
                && needles.vals.iter().all(|v| v == first)
            {
                let p = text_of(first);
                fixed = Some(Regex::new(&p).map_err(|e| EngineError::invalid(format!("bad regex: {e}"), range))?);
            }
        }
        Ok(Matcher { op, cs, fixed, last: RefCell::new(None) })
    }

    pub fn matches(&self, hay: &str, needle: &str) -> bool {
        let cs = self.cs;
        match self.op {
            StringOp::Has => has_term(hay, needle, cs),
            StringOp::HasPrefix => term_match(hay, needle, cs, true, false),
            StringOp::HasSuffix => term_match(hay, needle, cs, false, true),
            StringOp::Contains | StringOp::NotContains => {
                if cs {
                    hay.contains(needle)
                } else {
                    lower(hay).contains(lower(needle).as_ref())
                }
            }
            StringOp::StartsWith => {
                if cs {
                    hay.starts_with(needle)
                } else {
                    lower(hay).starts_with(lower(needle).as_ref())
                }
            }
            StringOp::EndsWith => {
                if cs {
                    hay.ends_with(needle)
                } else {
                    lower(hay).ends_with(lower(needle).as_ref())
                }
            }
            StringOp::MatchesRegex | StringOp::Like => {
                if let Some(r) = &self.fixed {
                    return r.is_match(hay);
                }
                let mut last = self.last.borrow_mut();
                if last.as_ref().is_none_or(|(p, _)| p != needle) {
                    *last = Some((needle.to_string(), Regex::new(needle).ok()));
                }
                last.as_ref().and_then(|(_, r)| r.as_ref()).is_some_and(|r| r.is_match(hay))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_matches_whole_terms_only() {
        // Kusto docs: "North America" has "america" -> true; has "amer" -> false
        assert!(has_term("North America", "america", false));
        assert!(!has_term("North America", "amer", false));
        assert!(!has_term("RunCommand", "Command", false));
        assert!(has_term("Microsoft.Compute/virtualMachines/runCommand/action", "virtualMachines", false));
        assert!(has_term("[\"Started\",\"Succeeded\"]", "Succeeded", false));
        assert!(has_term("powershell -File script1.ps1", "-File", false));
        assert!(has_term("North America", "America", true));
        assert!(!has_term("North America", "america", true));
    }

    #[test]
    fn prefix_and_suffix_terms() {
        assert!(term_match("North America", "amer", false, true, false));
        assert!(!term_match("North America", "meri", false, true, false));
        assert!(term_match("North America", "rica", false, false, true));
    }
}
