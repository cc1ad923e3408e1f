//! The cells of a column or of an expression's result, shared (`Arc`) so a
//! column reference, `project` or a `let` copies nothing:
//!
//! - `Plain`: one [`Value`] per row;
//! - `Dict`: a dictionary of values and one `u32` code per row (the loader
//!   interns strings this way, so equal strings share one allocation and
//!   `=~`, `tolower()` or a group key over a column of a few distinct
//!   values are worked out once per distinct value, not once per row);
//! - `Const`: one value repeated (literals, scalar `let`s).
//!
//! Every form reads the same through `vals[i]`, [`Vals::iter`] and
//! [`Vals::to_vec`]; the hot operators look at the form to take a faster
//! path. A dictionary may hold equal values under two codes (after
//! `tolower()`, say) and values no row uses; grouping canonicalises codes.

use std::ops::Index;
use std::sync::Arc;

use crate::engine::value::Value;

/// The distinct values of a dictionary column.
pub type Dictionary = Arc<Vec<Value>>;

#[derive(Clone, Debug)]
pub enum Vals {
    Plain(Arc<Vec<Value>>),
    /// `unique`: no two codes stand for equal values.
    Dict {
        codes: Arc<Vec<u32>>,
        dict: Arc<Vec<Value>>,
        unique: bool,
    },
    Const {
        value: Value,
        len: usize,
    },
}

impl Default for Vals {
    fn default() -> Self {
        Vals::Plain(Arc::new(Vec::new()))
    }
}

impl Vals {
    pub fn constant(value: Value, len: usize) -> Vals {
        Vals::Const { value, len }
    }

    pub fn len(&self) -> usize {
        match self {
            Vals::Plain(v) => v.len(),
            Vals::Dict { codes, .. } => codes.len(),
            Vals::Const { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<&Value> {
        (i < self.len()).then(|| &self[i])
    }

    pub fn first(&self) -> Option<&Value> {
        self.get(0)
    }

    pub fn iter(&self) -> ValsIter<'_> {
        ValsIter { vals: self, at: 0, end: self.len() }
    }

    /// The cells as one value per row (a copy unless `Plain`).
    pub fn to_vec(&self) -> Vec<Value> {
        match self {
            Vals::Plain(v) => v.to_vec(),
            _ => self.iter().cloned().collect(),
        }
    }

    /// The cells as one value per row, without a copy when not shared.
    pub fn into_vec(self) -> Vec<Value> {
        match self {
            Vals::Plain(v) => Arc::unwrap_or_clone(v),
            other => other.to_vec(),
        }
    }

    /// The rows `rows` (indices, in this order): codes are gathered and the
    /// dictionary shared.
    pub fn take(&self, rows: &[usize]) -> Vals {
        match self {
            Vals::Plain(v) => Vals::Plain(Arc::new(rows.iter().map(|&r| v[r].clone()).collect())),
            Vals::Dict { codes, dict, unique } => Vals::Dict {
                codes: Arc::new(rows.iter().map(|&r| codes[r]).collect()),
                dict: dict.clone(),
                unique: *unique,
            },
            Vals::Const { value, .. } => Vals::Const { value: value.clone(), len: rows.len() },
        }
    }

    /// The dictionary form: codes and dictionary.
    pub fn dict(&self) -> Option<(&Arc<Vec<u32>>, &Dictionary)> {
        match self {
            Vals::Dict { codes, dict, .. } => Some((codes, dict)),
            _ => None,
        }
    }

    pub fn as_const(&self) -> Option<&Value> {
        match self {
            Vals::Const { value, .. } => Some(value),
            _ => None,
        }
    }
}

impl Index<usize> for Vals {
    type Output = Value;

    #[inline]
    fn index(&self, i: usize) -> &Value {
        match self {
            Vals::Plain(v) => &v[i],
            Vals::Dict { codes, dict, .. } => &dict[codes[i] as usize],
            Vals::Const { value, len } => {
                assert!(i < *len, "index {i} out of range for a column of {len} rows");
                value
            }
        }
    }
}

pub struct ValsIter<'a> {
    vals: &'a Vals,
    at: usize,
    end: usize,
}

impl<'a> Iterator for ValsIter<'a> {
    type Item = &'a Value;

    fn next(&mut self) -> Option<&'a Value> {
        if self.at >= self.end {
            return None;
        }
        self.at += 1;
        Some(&self.vals[self.at - 1])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.at;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for ValsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.at >= self.end {
            return None;
        }
        self.end -= 1;
        Some(&self.vals[self.end])
    }
}

impl ExactSizeIterator for ValsIter<'_> {}

impl<'a> IntoIterator for &'a Vals {
    type Item = &'a Value;
    type IntoIter = ValsIter<'a>;

    fn into_iter(self) -> ValsIter<'a> {
        self.iter()
    }
}

impl IntoIterator for Vals {
    type Item = Value;
    type IntoIter = std::vec::IntoIter<Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl From<Vec<Value>> for Vals {
    fn from(v: Vec<Value>) -> Vals {
        Vals::Plain(Arc::new(v))
    }
}

impl From<Arc<Vec<Value>>> for Vals {
    fn from(v: Arc<Vec<Value>>) -> Vals {
        Vals::Plain(v)
    }
}

impl FromIterator<Value> for Vals {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Vals {
        Vals::Plain(Arc::new(iter.into_iter().collect()))
    }
}

impl PartialEq<Vec<Value>> for Vals {
    fn eq(&self, other: &Vec<Value>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

impl PartialEq for Vals {
    fn eq(&self, other: &Vals) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

/// Interns strings into a dictionary (the loader's per-column string table).
#[derive(Default)]
pub struct DictBuilder {
    index: foldhash::HashMap<Arc<str>, u32>,
    dict: Vec<Value>,
    codes: Vec<u32>,
}

impl DictBuilder {
    pub fn with_capacity(n: usize) -> DictBuilder {
        DictBuilder { codes: Vec::with_capacity(n), ..Default::default() }
    }

    /// Add a string cell (allocated once per distinct text).
    pub fn push_str(&mut self, s: &str) {
        let code = match self.index.get(s) {
            Some(&c) => c,
            None => {
                let c = self.dict.len() as u32;
                let shared: Arc<str> = Arc::from(s);
                self.index.insert(shared.clone(), c);
                self.dict.push(Value::String(shared));
                c
            }
        };
        self.codes.push(code);
    }

    pub fn finish(self) -> Vals {
        Vals::Dict { codes: Arc::new(self.codes), dict: Arc::new(self.dict), unique: true }
    }
}
