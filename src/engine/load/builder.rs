//! Typed per-column builders: each field goes straight into its column —
//! strings interned (one allocation per distinct text, looked up by the
//! borrowed `&str`), other types as values — so no row of `String`s or
//! JSON trees is ever held. A column no schema declares infers its type as
//! it goes (the join of [`super::field::join`], which is what `infer` over
//! all values gives): its cells are kept in the type inferred so far and
//! widened in place when that is exact (JSON long → real); any other change
//! abandons them and the caller reads that column again with the final
//! type ([`ColumnBuilder::needs_second_pass`]), so answers never depend on
//! the order values arrive in. Builders of two halves of a file merge
//! (dictionaries by remapping codes).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::field::{Field, join};
use crate::engine::table::Column;
use crate::engine::vals::Vals;
use crate::engine::value::Value;
use crate::kql::types::ScalarType;

/// A small multiplicative hasher for the interner (the keys are our own
/// file's strings; SipHash's flood resistance buys nothing here and costs
/// a third of the load time).
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        // a final mix (murmur3's): the table indexes buckets by the low
        // bits, which a multiply alone leaves poorly mixed
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// A map with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Strings of one column: distinct texts and a code per row. The index
/// is an open-addressing table of codes that keeps each text's hash, so
/// growing it never hashes a string again.
#[derive(Default)]
pub struct Interner {
    /// `code + 1` per slot, 0 when free; the length is a power of two.
    slots: Vec<u32>,
    hashes: Vec<u64>,
    dict: Vec<Value>,
    codes: Vec<u32>,
}

fn hash_str(s: &str) -> u64 {
    let mut h = FastHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl Interner {
    pub fn push(&mut self, s: &str) {
        let code = self.code_of(s);
        self.codes.push(code);
    }

    /// The code of `s`, added to the dictionary if new.
    fn code_of(&mut self, s: &str) -> u32 {
        if self.slots.is_empty() {
            self.slots = vec![0; 64];
        }
        let h = hash_str(s);
        let mask = self.slots.len() - 1;
        let mut at = (h as usize) & mask;
        loop {
            match self.slots[at] {
                0 => break,
                c => {
                    let code = c - 1;
                    if self.hashes[code as usize] == h && self.dict[code as usize].as_str() == Some(s) {
                        return code;
                    }
                }
            }
            at = (at + 1) & mask;
        }
        let code = self.dict.len() as u32;
        self.dict.push(Value::str(s));
        self.hashes.push(h);
        self.slots[at] = code + 1;
        if self.dict.len() * 2 > self.slots.len() {
            self.grow();
        }
        code
    }

    fn grow(&mut self) {
        let mut slots = vec![0u32; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for (code, &h) in self.hashes.iter().enumerate() {
            let mut at = (h as usize) & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = code as u32 + 1;
        }
        self.slots = slots;
    }

    fn push_n(&mut self, s: &str, n: usize) {
        for _ in 0..n {
            self.push(s);
        }
    }

    /// Append `other`'s rows, its codes remapped into this dictionary.
    fn append(&mut self, other: Interner) {
        let remap: Vec<u32> = other.dict.iter().map(|v| self.code_of(v.as_str().unwrap_or_default())).collect();
        self.codes.extend(other.codes.iter().map(|&c| remap[c as usize]));
    }

    fn finish(self) -> Vals {
        Vals::Dict { codes: Arc::new(self.codes), dict: Arc::new(self.dict), unique: true }
    }
}

enum Store {
    /// Inferred, and no value seen yet: only the count of empty rows.
    Nothing(usize),
    Values(Vec<Value>),
    Strings(Interner),
    /// Inference changed its mind in a way the kept cells cannot follow.
    Abandoned,
}

/// The cells of one column being read.
pub struct ColumnBuilder {
    pub name: String,
    /// `None`: inferred from the values.
    pub declared: Option<ScalarType>,
    class: Option<ScalarType>,
    store: Store,
    /// Rows pushed.
    len: usize,
    /// Cells that do not fit, with their 1-based lines, in line order.
    pub problems: Vec<(usize, String)>,
    /// A value was refused by `accept` or did not parse (see `LoadOptions`).
    pub rejected: bool,
    /// Fed CSV text (whose numbers are not widened in place).
    text: bool,
}

/// An extra check of declared cells (the rule tests' stricter test-data
/// rules): `Err` says why a field is refused.
pub type Accept<'a> = &'a (dyn Fn(&Field<'_>, ScalarType) -> Result<(), String> + Sync);

impl ColumnBuilder {
    pub fn new(name: String, declared: Option<ScalarType>, capacity: usize) -> Self {
        let store = match declared {
            Some(ScalarType::String) => {
                Store::Strings(Interner { codes: Vec::with_capacity(capacity), ..Default::default() })
            }
            Some(_) => Store::Values(Vec::with_capacity(capacity)),
            None => Store::Nothing(0),
        };
        ColumnBuilder {
            name,
            declared,
            class: declared,
            store,
            len: 0,
            problems: Vec::new(),
            rejected: false,
            text: false,
        }
    }

    /// `n` rows with no value (a column first seen after them).
    pub fn pad(&mut self, n: usize) {
        for _ in 0..n {
            self.push(0, &Field::Missing, None);
        }
    }

    /// Add the field of the next row (from line `line`).
    pub fn push(&mut self, line: usize, f: &Field<'_>, accept: Option<Accept<'_>>) {
        self.len += 1;
        match self.declared {
            Some(ty) => {
                if let (Some(check), false) = (accept, f.is_absent())
                    && let Err(why) = check(f, ty)
                {
                    self.problems.push((line, why));
                    self.rejected = true;
                    self.push_value(Value::null_of(ty));
                    return;
                }
                self.push_typed(line, f, ty);
            }
            None => self.push_inferred(line, f),
        }
    }

    fn push_typed(&mut self, line: usize, f: &Field<'_>, ty: ScalarType) {
        if let Store::Strings(i) = &mut self.store {
            i.push(&f.string_cell());
            return;
        }
        match f.value_as(ty) {
            Ok(v) => self.push_value(v),
            Err(why) => {
                self.problems.push((line, why));
                self.rejected = true;
                self.push_value(Value::null_of(ty));
            }
        }
    }

    fn push_value(&mut self, v: Value) {
        match &mut self.store {
            Store::Values(vals) => vals.push(v),
            Store::Strings(i) => i.push(v.as_str().unwrap_or_default()),
            Store::Nothing(n) => *n += 1,
            Store::Abandoned => {}
        }
    }

    fn push_inferred(&mut self, line: usize, f: &Field<'_>) {
        self.text |= matches!(f, Field::Text(_));
        let Some((class, ticks)) = f.class() else {
            match (&mut self.store, self.class) {
                (Store::Nothing(n), _) => *n += 1,
                (_, Some(ty)) => self.push_value(Value::null_of(ty)),
                _ => {}
            }
            return;
        };
        let next = join(self.class, class);
        if Some(next) != self.class {
            self.change_class(next);
        }
        if matches!(self.store, Store::Abandoned) {
            return;
        }
        match (next, ticks) {
            (ScalarType::DateTime, Some(t)) => self.push_value(Value::DateTime(t)),
            _ => self.push_typed(line, f, next),
        }
    }

    /// The inferred type becomes `next`: keep the cells if they follow
    /// exactly, else abandon them for a second pass.
    fn change_class(&mut self, next: ScalarType) {
        let text = self.text;
        let before = self.class.replace(next);
        let store = std::mem::replace(&mut self.store, Store::Abandoned);
        self.store = match (before, store) {
            (None, Store::Nothing(n)) => Self::nulls_of(next, n),
            (Some(ScalarType::Long), Store::Values(vals)) if next == ScalarType::Real && !text => {
                Store::Values(vals.into_iter().map(|v| v.as_f64().map_or(Value::Null, Value::Real)).collect())
            }
            _ => {
                self.problems.clear();
                Store::Abandoned
            }
        };
    }

    fn nulls_of(ty: ScalarType, n: usize) -> Store {
        if ty == ScalarType::String {
            let mut i = Interner::default();
            i.push_n("", n);
            Store::Strings(i)
        } else {
            Store::Values(vec![Value::Null; n])
        }
    }

    /// Whether this column must be read again, as [`ColumnBuilder::final_type`].
    pub fn needs_second_pass(&self) -> bool {
        matches!(self.store, Store::Abandoned)
    }

    /// The column's type: declared, else inferred (`string` when no value).
    pub fn final_type(&self) -> ScalarType {
        self.class.unwrap_or(ScalarType::String)
    }

    /// Append the rows of the next part of the same file.
    pub fn append(&mut self, other: ColumnBuilder) {
        self.len += other.len;
        self.rejected |= other.rejected;
        self.text |= other.text;
        if self.declared.is_none() {
            let next = match (self.class, other.class) {
                (a, None) => a,
                (None, b) => b,
                (a, Some(b)) => Some(join(a, b)),
            };
            if next != self.class {
                self.change_class(next.unwrap_or(ScalarType::String));
            }
            let theirs = other.class;
            let mut other = other;
            if theirs != next
                && let Some(n) = next
            {
                other.text |= self.text;
                other.change_class(n);
            }
            return self.append_store(other);
        }
        self.append_store(other)
    }

    fn append_store(&mut self, other: ColumnBuilder) {
        let store = std::mem::replace(&mut self.store, Store::Abandoned);
        self.store = match (store, other.store) {
            (Store::Abandoned, _) | (_, Store::Abandoned) => {
                self.problems.clear();
                return;
            }
            (Store::Nothing(a), Store::Nothing(b)) => Store::Nothing(a + b),
            (Store::Values(mut a), Store::Values(b)) => {
                a.extend(b);
                Store::Values(a)
            }
            (Store::Strings(mut a), Store::Strings(b)) => {
                a.append(b);
                Store::Strings(a)
            }
            (Store::Nothing(n), Store::Values(b)) => {
                let mut a = vec![Value::Null; n];
                a.extend(b);
                Store::Values(a)
            }
            (Store::Nothing(n), Store::Strings(b)) => {
                let mut a = Interner::default();
                a.push_n("", n);
                a.append(b);
                Store::Strings(a)
            }
            (Store::Values(mut a), Store::Nothing(n)) => {
                a.extend(std::iter::repeat_n(Value::Null, n));
                Store::Values(a)
            }
            (Store::Strings(mut a), Store::Nothing(n)) => {
                a.push_n("", n);
                Store::Strings(a)
            }
            (Store::Values(_), Store::Strings(_)) | (Store::Strings(_), Store::Values(_)) => {
                self.problems.clear();
                return;
            }
        };
        self.problems.extend(other.problems);
    }

    /// The finished column (not for one that needs a second pass). A
    /// non-string column with no value is one shared null.
    pub fn finish(self) -> Column {
        let ty = self.final_type();
        let n = self.len;
        let data = match self.store {
            Store::Strings(i) => i.finish(),
            Store::Values(v) if v.iter().all(Value::is_null) => Vals::constant(Value::Null, n),
            Store::Values(v) => Vals::from(v),
            Store::Nothing(_) | Store::Abandoned if ty == ScalarType::String => {
                let mut i = Interner::default();
                i.push_n("", n);
                i.finish()
            }
            Store::Nothing(_) | Store::Abandoned => Vals::constant(Value::Null, n),
        };
        Column::of(self.name, ty, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::{Cell, infer};

    fn column(fields: &[Field<'_>]) -> ColumnBuilder {
        let mut b = ColumnBuilder::new("c".into(), None, 0);
        for (i, f) in fields.iter().enumerate() {
            b.push(i + 1, f, None);
        }
        b
    }

    #[test]
    fn inference_widens_in_place_or_asks_for_a_second_pass() {
        let b = column(&[Field::Null, Field::Long(1), Field::Real(2.5)]);
        assert!(!b.needs_second_pass());
        let c = b.finish();
        assert_eq!(c.ty, ScalarType::Real);
        assert_eq!(c.data.to_vec(), [Value::Null, Value::Real(1.0), Value::Real(2.5)]);
        let b = column(&[Field::Str("2021-11-22T00:00:00Z".into()), Field::Str("x".into())]);
        assert!(b.needs_second_pass());
        assert_eq!(b.final_type(), ScalarType::String);
        let cells = [Cell::Json("2021-11-22T00:00:00Z".into()), Cell::Json("x".into())];
        assert_eq!(infer::infer(cells.iter()), ScalarType::String);
        let b = column(&[Field::Text("1"), Field::Text("2.5")]);
        assert!(b.needs_second_pass(), "CSV text is read again as real (the text's own parse)");
        assert_eq!(b.final_type(), ScalarType::Real);
    }

    #[test]
    fn halves_merge_into_one_dictionary_and_one_type() {
        let mut a = column(&[Field::Str("x".into()), Field::Str("y".into())]);
        let b = column(&[Field::Str("y".into()), Field::Null, Field::Str("z".into())]);
        a.append(b);
        let c = a.finish();
        assert_eq!(c.ty, ScalarType::String);
        let (codes, dict) = c.data.dict().unwrap();
        assert_eq!(codes.as_slice(), [0, 1, 1, 2, 3]);
        assert_eq!(dict.len(), 4);
        assert_eq!(c.data[3], Value::str(""));
        let mut a = column(&[Field::Null, Field::Null]);
        a.append(column(&[Field::Long(4)]));
        let c = a.finish();
        assert_eq!((c.ty, c.data.to_vec()), (ScalarType::Long, vec![Value::Null, Value::Null, Value::Long(4)]));
    }
}
