//! Reading a spanned TOML table key by key, collecting diagnostics.
//!
//! Every getter records the key as known; [`TableReader::finish`] then
//! reports every other key as unknown, with a "did you mean" suggestion.

use std::collections::BTreeSet;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::content::codes;
use crate::diag::Diagnostic;
use crate::source::FileId;
use crate::span::TextRange;
use crate::timespan::Timespan;

pub type Entry<'t, 'i> = (&'t Spanned<std::borrow::Cow<'i, str>>, &'t Spanned<DeValue<'i>>);

/// A view of one TOML table that reports problems as it is read.
pub struct TableReader<'t, 'i> {
    pub file: FileId,
    table: &'t DeTable<'i>,
    /// The span of the whole table (for "missing key" diagnostics).
    table_range: TextRange,
    /// What the table is called in messages (`the content file`, `[params]`).
    what: &'static str,
    known: BTreeSet<&'static str>,
    pub diags: Vec<Diagnostic>,
}

pub fn range_of<T>(s: &Spanned<T>) -> TextRange {
    TextRange::from(s.span())
}

impl<'t, 'i> TableReader<'t, 'i> {
    pub fn new(file: FileId, table: &'t DeTable<'i>, table_range: TextRange, what: &'static str) -> Self {
        Self { file, table, table_range, what, known: BTreeSet::new(), diags: Vec::new() }
    }

    pub fn entry(&mut self, key: &'static str) -> Option<Entry<'t, 'i>> {
        self.known.insert(key);
        self.table.iter().find(|(k, _)| k.get_ref().as_ref() == key)
    }

    /// Entries not claimed by a getter so far.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'t, 'i>> {
        self.table.iter()
    }

    fn wrong_type(&mut self, key: &str, value: &Spanned<DeValue<'_>>, expected: &str) {
        self.diags.push(
            Diagnostic::new(codes::WRONG_TYPE, format!("`{key}` must be {expected}"))
                .with_primary(self.file, range_of(value), format!("found {}", value.get_ref().type_str()))
                .with_help(format!("write `{key}` as {expected}")),
        );
    }

    pub fn missing(&mut self, key: &str, example: &str) {
        self.diags.push(
            Diagnostic::new(codes::MISSING_KEY, format!("missing required key `{key}` in {}", self.what))
                .with_primary(self.file, TextRange::empty(self.table_range.start), format!("`{key}` is not set"))
                .with_help(format!("add `{key} = {example}`")),
        );
    }

    /// A string; `None` (with a diagnostic) when absent or not a string.
    pub fn string(&mut self, key: &'static str, required: bool, example: &str) -> Option<(String, TextRange)> {
        match self.entry(key) {
            None => {
                if required {
                    self.missing(key, example);
                }
                None
            }
            Some((_, v)) => match v.get_ref().as_str() {
                Some(s) => Some((s.to_string(), range_of(v))),
                None => {
                    self.wrong_type(key, v, "a string");
                    None
                }
            },
        }
    }

    /// A list of strings, each with its range.
    pub fn string_list(&mut self, key: &'static str) -> Vec<(String, TextRange)> {
        let Some((_, v)) = self.entry(key) else { return Vec::new() };
        let Some(arr) = v.get_ref().as_array() else {
            self.wrong_type(key, v, "a list of strings");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in arr.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push((s.to_string(), range_of(item))),
                None => self.wrong_type(key, item, "a list of strings"),
            }
        }
        out
    }

    /// A boolean.
    pub fn bool(&mut self, key: &'static str) -> Option<(bool, TextRange)> {
        let (_, v) = self.entry(key)?;
        match v.get_ref().as_bool() {
            Some(b) => Some((b, range_of(v))),
            None => {
                self.wrong_type(key, v, "a boolean");
                None
            }
        }
    }

    /// An integer.
    pub fn int(&mut self, key: &'static str) -> Option<(i64, TextRange)> {
        let (_, v) = self.entry(key)?;
        let parsed = v.get_ref().as_integer().and_then(|i| {
            let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
            i64::from_str_radix(&digits, i.radix()).ok()
        });
        match parsed {
            Some(n) => Some((n, range_of(v))),
            None => {
                self.wrong_type(key, v, "an integer");
                None
            }
        }
    }

    /// A timespan string (`15m`, `1h`, `14d`).
    pub fn timespan(&mut self, key: &'static str) -> Option<(Timespan, TextRange)> {
        let (text, range) = self.string(key, false, "")?;
        match text.parse::<Timespan>() {
            Ok(t) => Some((t, range)),
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(codes::INVALID_TIMESPAN, format!("`{key}` is not a timespan"))
                        .with_primary(self.file, range, e.to_string())
                        .with_help("write a timespan such as \"15m\", \"1h\" or \"14d\""),
                );
                None
            }
        }
    }

    /// One of a fixed set of strings.
    pub fn one_of(&mut self, key: &'static str, allowed: &[&'static str]) -> Option<(&'static str, TextRange)> {
        let (text, range) = self.string(key, false, "")?;
        match allowed.iter().find(|a| **a == text) {
            Some(a) => Some((a, range)),
            None => {
                self.diags.push(
                    Diagnostic::new(codes::WRONG_TYPE, format!("`{key}` must be one of: {}", allowed.join(", ")))
                        .with_primary(self.file, range, format!("`{text}` is not allowed"))
                        .with_help(format!("write one of: {}", allowed.join(", "))),
                );
                None
            }
        }
    }

    /// An array of tables (`[[entities]]`).
    pub fn table_array(&mut self, key: &'static str) -> Vec<(&'t DeTable<'i>, TextRange)> {
        let Some((_, v)) = self.entry(key) else { return Vec::new() };
        let Some(arr) = v.get_ref().as_array() else {
            self.wrong_type(key, v, "an array of tables");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in arr.iter() {
            match item.get_ref().as_table() {
                Some(t) => out.push((t, range_of(item))),
                None => self.wrong_type(key, item, "an array of tables"),
            }
        }
        out
    }

    /// Whether the key is present (it is then known, not reported as unknown).
    pub fn has(&mut self, key: &'static str) -> Option<TextRange> {
        self.entry(key).map(|(k, _)| range_of(k))
    }

    /// A sub-table.
    pub fn table(&mut self, key: &'static str) -> Option<(&'t DeTable<'i>, TextRange)> {
        let (_, v) = self.entry(key)?;
        match v.get_ref().as_table() {
            Some(t) => Some((t, range_of(v))),
            None => {
                self.wrong_type(key, v, "a table");
                None
            }
        }
    }

    /// Report keys that no getter asked for; returns the diagnostics.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        let known: Vec<&str> = self.known.iter().copied().collect();
        for (k, _) in self.table.iter() {
            let key = k.get_ref().as_ref();
            if !self.known.contains(key) {
                self.diags.push(unknown_key(self.file, key, range_of(k), self.what, &known));
            }
        }
        self.diags
    }
}

/// A CNT002 with the closest known key as a suggestion.
pub fn unknown_key(file: FileId, key: &str, range: TextRange, what: &str, known: &[&str]) -> Diagnostic {
    let best =
        known.iter().map(|k| (strsim::damerau_levenshtein(key, k), *k)).filter(|(d, k)| *d <= 2.max(k.len() / 3)).min();
    let help = match best {
        Some((_, k)) => format!("did you mean `{k}`? known keys: {}", known.join(", ")),
        None => format!("known keys: {}", known.join(", ")),
    };
    Diagnostic::new(codes::UNKNOWN_KEY, format!("unknown key `{key}` in {what}"))
        .with_primary(file, range, "not a known key")
        .with_help(help)
}
