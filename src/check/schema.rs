//! The rows in scope at a point of a query: columns with (possibly unknown)
//! types, and whether the column list is complete.

use crate::kql::types::ScalarType;

/// A type the checker may not know (`None`): nothing is reported about it.
pub type Ty = Option<ScalarType>;

/// Columns of a tabular value. An *open* schema may have more columns than
/// listed (after `evaluate bag_unpack`, a `search`, an unknown function...):
/// names not in it are not errors, because the checker cannot know.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    pub columns: Vec<(String, Ty)>,
    pub open: bool,
    /// Dynamic columns known to hold arrays or bags (see `Value::Shaped`).
    pub shaped: Vec<String>,
}

impl Schema {
    /// A schema about which nothing is known.
    pub fn unknown() -> Schema {
        Schema { columns: Vec::new(), open: true, shaped: Vec::new() }
    }

    pub fn closed(columns: Vec<(String, Ty)>) -> Schema {
        Schema { columns, open: false, shaped: Vec::new() }
    }

    pub fn get(&self, name: &str) -> Option<Ty> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
    }

    pub fn has(&self, name: &str) -> bool {
        self.columns.iter().any(|(n, _)| n == name)
    }

    /// Add a column, or replace the type of an existing one in place (`extend` shadowing).
    pub fn set(&mut self, name: &str, ty: Ty) {
        self.shaped.retain(|n| n != name);
        match self.columns.iter_mut().find(|(n, _)| n == name) {
            Some(col) => col.1 = ty,
            None => self.columns.push((name.to_string(), ty)),
        }
    }

    /// Set a column from a value: its type, and whether it is a known array or bag.
    pub fn set_value(&mut self, name: &str, ty: Ty, shaped: bool) {
        self.set(name, ty);
        if shaped {
            self.shaped.push(name.to_string());
        }
    }

    pub fn is_shaped(&self, name: &str) -> bool {
        self.shaped.iter().any(|n| n == name)
    }

    pub fn remove(&mut self, name: &str) {
        self.columns.retain(|(n, _)| n != name);
    }

    /// Append `name`, or `name1`, `name2`, ... if taken (join's right columns).
    pub fn push_unique(&mut self, name: &str, ty: Ty) {
        if !self.has(name) {
            self.columns.push((name.to_string(), ty));
            return;
        }
        for i in 1.. {
            let candidate = format!("{name}{i}");
            if !self.has(&candidate) {
                self.columns.push((candidate, ty));
                return;
            }
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(n, _)| n.as_str())
    }
}

/// Whether `name` matches a `project-away`/`union` wildcard pattern such as `Prefix*`.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(at) = rest.find(part) {
            rest = &rest[at + part.len()..];
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_unique_renames_like_join_and_wildcards_match() {
        let mut s = Schema::closed(vec![("A".into(), None), ("A1".into(), None)]);
        s.push_unique("A", Some(ScalarType::Long));
        assert_eq!(s.columns.last().unwrap().0, "A2");
        assert!(wildcard_match("Event*", "EventID"));
        assert!(wildcard_match("*Id", "TenantId"));
        assert!(wildcard_match("*", "x"));
        assert!(!wildcard_match("Event*", "TimeGenerated"));
    }
}
