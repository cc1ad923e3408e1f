//! JSON Lines into typed columns without a JSON tree per row: each line is
//! read by a serde visitor that maps keys to column indices and hands each
//! value to its column's builder as a borrowed [`Field`] (only objects and
//! arrays become trees). A line is committed only once it parsed whole, so
//! a bad line is skipped as before. The text is cut at line boundaries into
//! one part per core; parts are read in parallel and merged in order.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::LoadProblem;
use super::builder::{Accept, ColumnBuilder, FastMap};
use super::field::Field;
use super::parts;
use crate::engine::table::Table;
use crate::kql::types::ScalarType;

/// A key this part does not build (second pass).
const SKIP: usize = usize::MAX;

/// What one part of the text gave.
struct Part {
    columns: Vec<ColumnBuilder>,
    rows: usize,
    problems: Vec<LoadProblem>,
    /// Newlines in the part (its lines are numbered from 1 until merged).
    newlines: usize,
}

/// Renumber a part's lines as lines of the whole file.
pub fn shift_lines(columns: &mut [ColumnBuilder], problems: &mut [LoadProblem], by: usize) {
    if by == 0 {
        return;
    }
    for c in columns {
        for (line, _) in &mut c.problems {
            *line += by;
        }
    }
    for p in problems {
        p.line += by;
    }
}

/// Read `text` (the whole file) as JSON Lines: the schema's columns first,
/// then every other key in first-seen order, typed by inference.
pub fn read(
    text: &str,
    path: &Path,
    schema: Option<&[(String, ScalarType)]>,
    accept: Option<Accept<'_>>,
    problems: &mut Vec<LoadProblem>,
) -> Table {
    let schema = schema.unwrap_or(&[]);
    let pieces = parts::split_lines(text);
    let read_parts: Vec<Part> = parts::map(&pieces, |piece| read_part(piece, path, Plan::First { schema }, accept));
    let mut merged = merge(read_parts, schema);
    // Columns whose inferred type changed in a way their cells could not
    // follow are read again, as their final type.
    let again: Vec<(String, ScalarType)> =
        merged.columns.iter().filter(|c| c.needs_second_pass()).map(|c| (c.name.clone(), c.final_type())).collect();
    if !again.is_empty() {
        let redo: Vec<Part> =
            parts::map(&pieces, |piece| read_part(piece, path, Plan::Again { columns: &again }, None));
        let redone = merge(redo, &again);
        for c in redone.columns {
            if let Some(slot) = merged.columns.iter_mut().find(|m| m.name == c.name) {
                *slot = c;
            }
        }
    }
    problems.append(&mut merged.problems);
    finish(merged.columns, merged.rows, path, problems)
}

/// The finished table; cell problems by column, then line (as the loader
/// always reported them).
pub fn finish(columns: Vec<ColumnBuilder>, rows: usize, path: &Path, problems: &mut Vec<LoadProblem>) -> Table {
    let mut out = Vec::with_capacity(columns.len());
    for mut c in columns {
        for (line, message) in std::mem::take(&mut c.problems) {
            problems.push(LoadProblem { file: path.to_path_buf(), line, column: Some(c.name.clone()), message });
        }
        out.push(c.finish());
    }
    Table::new(out, rows)
}

/// Parts in order into one: every column of any part, in first-seen
/// order, padded with empty cells where a part lacks it.
fn merge(parts: Vec<Part>, schema: &[(String, ScalarType)]) -> Part {
    let offsets = parts::offsets(parts.iter().map(|p| p.newlines));
    let mut it = parts.into_iter().zip(offsets);
    let Some((mut acc, _)) = it.next() else {
        return Part { columns: Vec::new(), rows: 0, problems: Vec::new(), newlines: 0 };
    };
    for (part, by) in it {
        let Part { mut columns, rows, mut problems, newlines } = part;
        shift_lines(&mut columns, &mut problems, by);
        acc.newlines += newlines;
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let mut theirs: HashMap<String, ColumnBuilder> = columns.into_iter().map(|c| (c.name.clone(), c)).collect();
        // the later part's new columns, in its first-seen order
        for name in names {
            if acc.columns.iter().all(|c| c.name != name) {
                let declared = schema.iter().find(|(n, _)| *n == name).map(|c| c.1);
                let mut fresh = ColumnBuilder::new(name, declared, 0);
                fresh.pad(acc.rows);
                acc.columns.push(fresh);
            }
        }
        for c in &mut acc.columns {
            let next = match theirs.remove(&c.name) {
                Some(b) => b,
                None => {
                    let mut fresh = ColumnBuilder::new(c.name.clone(), c.declared, 0);
                    fresh.pad(rows);
                    fresh
                }
            };
            c.append(next);
        }
        acc.rows += rows;
        acc.problems.append(&mut problems);
    }
    acc
}

/// What a part builds.
#[derive(Clone, Copy)]
enum Plan<'p> {
    /// Every key: the schema's columns, then new keys as inferred columns.
    First { schema: &'p [(String, ScalarType)] },
    /// Only these columns, as these types; other keys are skipped.
    Again { columns: &'p [(String, ScalarType)] },
}

fn read_part(text: &str, path: &Path, plan: Plan<'_>, accept: Option<Accept<'_>>) -> Part {
    let mut index: FastMap<String, usize> = FastMap::default();
    let mut columns: Vec<ColumnBuilder> = Vec::new();
    let (known, register) = match plan {
        Plan::First { schema } => (schema, true),
        Plan::Again { columns } => (columns, false),
    };
    for (name, ty) in known {
        index.entry(name.clone()).or_insert(columns.len());
        columns.push(ColumnBuilder::new(name.clone(), Some(*ty), 1024));
    }
    let mut scratch: Vec<Option<Field<'_>>> = vec![None; columns.len()];
    let mut touched: Vec<usize> = Vec::new();
    // the columns of the previous line's keys, in order: most lines of a
    // file list the same keys in the same order, so a key is one compare
    let mut guess: Vec<usize> = Vec::new();
    let mut extra: Vec<(Cow<'_, str>, Field<'_>)> = Vec::new();
    let mut problems = Vec::new();
    let mut rows = 0usize;
    let mut newlines = 0usize;
    for (i, line) in text.split('\n').enumerate() {
        newlines = i;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let line_no = 1 + i;
        let mut de = serde_json::Deserializer::from_str(line);
        let parsed = RowSeed {
            index: &index,
            columns: &columns,
            guess: &mut guess,
            scratch: &mut scratch,
            touched: &mut touched,
            extra: &mut extra,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if parsed.is_err() {
            for &t in &touched {
                scratch[t] = None;
            }
            touched.clear();
            extra.clear();
            // the message serde_json gives for the whole line
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(serde_json::Value::Object(o)) => {
                    extra.extend(o.into_iter().map(|(k, v)| (Cow::Owned(k), Field::of_json(v))));
                }
                Ok(_) => {
                    problems.push(LoadProblem {
                        file: path.into(),
                        line: line_no,
                        column: None,
                        message: "not a JSON object".into(),
                    });
                    continue;
                }
                Err(e) => {
                    problems.push(LoadProblem {
                        file: path.into(),
                        line: line_no,
                        column: None,
                        message: format!("not JSON: {e}"),
                    });
                    continue;
                }
            }
        }
        for (key, f) in extra.drain(..) {
            let at = match index.get(key.as_ref()) {
                Some(&at) => at,
                None if register => {
                    let at = columns.len();
                    let mut b = ColumnBuilder::new(key.to_string(), None, 0);
                    b.pad(rows);
                    columns.push(b);
                    scratch.push(None);
                    index.insert(key.into_owned(), at);
                    at
                }
                None => SKIP,
            };
            if at != SKIP {
                scratch[at] = Some(f);
            }
        }
        touched.clear();
        for (c, slot) in columns.iter_mut().zip(scratch.iter_mut()) {
            match slot.take() {
                Some(f) => c.push(line_no, &f, accept),
                None => c.push(line_no, &Field::Missing, accept),
            }
        }
        rows += 1;
    }
    Part { columns, rows, problems, newlines }
}

/// One line: an object whose members go to their columns' slots.
struct RowSeed<'s, 'a> {
    index: &'s FastMap<String, usize>,
    columns: &'s [ColumnBuilder],
    guess: &'s mut Vec<usize>,
    scratch: &'s mut Vec<Option<Field<'a>>>,
    touched: &'s mut Vec<usize>,
    /// Members whose key has no column yet (registered once the line parsed).
    extra: &'s mut Vec<(Cow<'a, str>, Field<'a>)>,
}

impl<'a> DeserializeSeed<'a> for RowSeed<'_, 'a> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'a> Visitor<'a> for RowSeed<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        let mut k = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let guessed = self.guess.get(k).copied().filter(|&g| self.columns[g].name == key.as_ref());
            let found = guessed.or_else(|| self.index.get(key.as_ref()).copied());
            if let Some(at) = found.filter(|&at| at != SKIP) {
                match self.guess.get_mut(k) {
                    Some(g) => *g = at,
                    None => self.guess.push(at),
                }
                k += 1;
            }
            match found.as_ref() {
                Some(&SKIP) => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(&at) => {
                    self.scratch[at] = Some(map.next_value_seed(FieldSeed)?);
                    self.touched.push(at);
                }
                None => {
                    let v = map.next_value_seed(FieldSeed)?;
                    self.extra.push((key, v));
                }
            }
        }
        Ok(())
    }
}

/// A key, borrowed from the line unless it has escapes.
struct KeySeed;

impl<'a> DeserializeSeed<'a> for KeySeed {
    type Value = Cow<'a, str>;

    fn deserialize<D: de::Deserializer<'a>>(self, d: D) -> Result<Cow<'a, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'a> Visitor<'a> for KeySeed {
    type Value = Cow<'a, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'a str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// A member's value as a [`Field`].
struct FieldSeed;

impl<'a> DeserializeSeed<'a> for FieldSeed {
    type Value = Field<'a>;

    fn deserialize<D: de::Deserializer<'a>>(self, d: D) -> Result<Field<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for FieldSeed {
    type Value = Field<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Field::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Field::Long(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).map_or(Field::BigUnsigned(v), Field::Long))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Field::Real(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'a str) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Owned(v)))
    }

    fn visit_map<A: MapAccess<'a>>(self, map: A) -> Result<Self::Value, A::Error> {
        let v: serde_json::Value = de::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Field::Tree(v))
    }

    fn visit_seq<A: SeqAccess<'a>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let v: serde_json::Value = de::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Field::Tree(v))
    }
}
