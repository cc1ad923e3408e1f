//! `join` (every kind, `innerunique` by default: one left row per key) and
//! `lookup`. Duplicate right column names get the suffix `1` (`x1`) as in
//! Kusto; null keys match nothing.

use foldhash::{HashMap, HashMapExt};

use crate::engine::Ctx;
use crate::engine::error::{EResult, EngineError};
use crate::engine::table::{Column, Table};
use crate::engine::value::Value;
use crate::kql::ast::{BinaryOp, Expr, ExprKind, OpParam};
use crate::span::TextRange;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftAnti,
    RightAnti,
    LeftSemi,
    RightSemi,
}

fn kind_of(params: &[OpParam], default: &str) -> EResult<Kind> {
    let mut word = default.to_string();
    for p in params {
        if p.name == "kind" {
            word = match &p.value.kind {
                ExprKind::Name(n) => n.text.to_ascii_lowercase(),
                _ => return Err(EngineError::invalid("`kind` needs a join kind", p.range)),
            };
        } else if !p.name.starts_with("hint.") && p.name != "withsource" {
            return Err(EngineError::unsupported(format!("the join parameter `{}`", p.name), p.range));
        }
    }
    Ok(match word.as_str() {
        "innerunique" => Kind::InnerUnique,
        "inner" => Kind::Inner,
        "leftouter" => Kind::LeftOuter,
        "rightouter" => Kind::RightOuter,
        "fullouter" | "outer" => Kind::FullOuter,
        "leftanti" | "anti" | "leftantisemi" => Kind::LeftAnti,
        "rightanti" | "rightantisemi" => Kind::RightAnti,
        "leftsemi" | "semi" => Kind::LeftSemi,
        "rightsemi" => Kind::RightSemi,
        other => {
            let r = params.iter().find(|p| p.name == "kind").map(|p| p.range).unwrap_or_default();
            return Err(EngineError::unsupported(format!("join kind `{other}`"), r));
        }
    })
}

/// The key pairs of `on`: `x` (both sides) or `$left.a == $right.b`.
fn key_pairs(on: &[Expr]) -> EResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for e in on {
        collect_keys(e, &mut out)?;
    }
    if out.is_empty() {
        return Err(EngineError::invalid("`on` needs at least one key", TextRange::default()));
    }
    Ok(out)
}

fn side(e: &Expr) -> Option<(&str, &str)> {
    if let ExprKind::Member { expr, name } = &e.kind
        && let ExprKind::Name(n) = &expr.kind
    {
        return Some((n.text.as_str(), name.text.as_str()));
    }
    None
}

fn collect_keys(e: &Expr, out: &mut Vec<(String, String)>) -> EResult<()> {
    match &e.kind {
        ExprKind::Name(n) => out.push((n.text.clone(), n.text.clone())),
        ExprKind::Paren(i) => collect_keys(i, out)?,
        ExprKind::Binary { op: BinaryOp::And, lhs, rhs } => {
            collect_keys(lhs, out)?;
            collect_keys(rhs, out)?;
        }
        ExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } => match (side(lhs), side(rhs)) {
            (Some(("$left", a)), Some(("$right", b))) => out.push((a.to_string(), b.to_string())),
            (Some(("$right", b)), Some(("$left", a))) => out.push((a.to_string(), b.to_string())),
            _ => return Err(EngineError::unsupported("this join condition", e.range)),
        },
        _ => return Err(EngineError::unsupported("this join condition", e.range)),
    }
    Ok(())
}

fn key_of(t: &Table, cols: &[usize], i: usize) -> Option<Vec<Value>> {
    let mut k = Vec::with_capacity(cols.len());
    for &c in cols {
        let v = &t.columns[c].data[i];
        if v.is_null() {
            return None;
        }
        k.push(v.clone());
    }
    Some(k)
}

fn key_columns(t: &Table, names: &[&str], which: &str, r: TextRange) -> EResult<Vec<usize>> {
    names
        .iter()
        .map(|n| t.index_of(n).ok_or_else(|| EngineError::unknown(format!("the {which} side has no column `{n}`"), r)))
        .collect()
}

impl Ctx<'_> {
    pub fn join(&self, left: &Table, params: &[OpParam], right: &Expr, on: &[Expr], r: TextRange) -> EResult<Table> {
        let kind = kind_of(params, "innerunique")?;
        let right = self.tabular(right)?;
        let pairs = key_pairs(on)
            .map_err(|e| if e.range == TextRange::default() { EngineError { range: r, ..e } } else { e })?;
        let lk = key_columns(left, &pairs.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), "left", r)?;
        let rk = key_columns(&right, &pairs.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(), "right", r)?;
        let mut index: HashMap<Vec<Value>, Vec<usize>> = HashMap::new();
        for i in 0..right.len {
            if let Some(k) = key_of(&right, &rk, i) {
                index.entry(k).or_default().push(i);
            }
        }
        let mut pairs_out: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        let mut right_matched = vec![false; right.len];
        let mut seen_left_keys = foldhash::HashSet::default();
        let budget = self.engine.options.max_rows;
        for i in 0..left.len {
            let key = key_of(left, &lk, i);
            if kind == Kind::InnerUnique {
                match &key {
                    Some(k) if !seen_left_keys.insert(k.clone()) => {
                        self.engine.note_nondeterministic(crate::engine::determinism::INNERUNIQUE);
                        continue;
                    }
                    _ => {}
                }
            }
            let matches = key.as_ref().and_then(|k| index.get(k));
            match kind {
                Kind::LeftSemi => {
                    if matches.is_some() {
                        pairs_out.push((Some(i), None));
                    }
                }
                Kind::LeftAnti => {
                    if matches.is_none() {
                        pairs_out.push((Some(i), None));
                    }
                }
                _ => {
                    if let Some(ms) = matches {
                        for &j in ms {
                            right_matched[j] = true;
                            if !matches!(kind, Kind::RightSemi | Kind::RightAnti) {
                                pairs_out.push((Some(i), Some(j)));
                            }
                        }
                    } else if matches!(kind, Kind::LeftOuter | Kind::FullOuter) {
                        pairs_out.push((Some(i), None));
                    }
                }
            }
            if pairs_out.len() > budget {
                return Err(self.budget(r));
            }
        }
        match kind {
            Kind::RightSemi | Kind::RightAnti => {
                let want = kind == Kind::RightSemi;
                let rows: Vec<usize> = (0..right.len).filter(|&j| right_matched[j] == want).collect();
                return Ok(right.take_rows(&rows));
            }
            Kind::RightOuter | Kind::FullOuter => {
                for (j, m) in right_matched.iter().enumerate() {
                    if !m {
                        pairs_out.push((None, Some(j)));
                    }
                }
            }
            _ => {}
        }
        if matches!(kind, Kind::LeftSemi | Kind::LeftAnti) {
            let rows: Vec<usize> = pairs_out.iter().filter_map(|p| p.0).collect();
            return Ok(left.take_rows(&rows));
        }
        Ok(combine(left, &right, &pairs_out, None))
    }

    pub fn lookup(&self, left: &Table, params: &[OpParam], right: &Expr, on: &[Expr], r: TextRange) -> EResult<Table> {
        let kind = kind_of(params, "leftouter")?;
        if !matches!(kind, Kind::LeftOuter | Kind::Inner) {
            return Err(EngineError::invalid("`lookup` takes kind=leftouter or kind=inner", r));
        }
        let right = self.tabular(right)?;
        let pairs = key_pairs(on).map_err(|e| EngineError { range: r, ..e })?;
        let lk = key_columns(left, &pairs.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), "left", r)?;
        let rk = key_columns(&right, &pairs.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(), "right", r)?;
        let mut index: HashMap<Vec<Value>, Vec<usize>> = HashMap::new();
        for j in 0..right.len {
            if let Some(k) = key_of(&right, &rk, j) {
                index.entry(k).or_default().push(j);
            }
        }
        let mut out = Vec::new();
        for i in 0..left.len {
            match key_of(left, &lk, i).and_then(|k| index.get(&k)) {
                Some(ms) => out.extend(ms.iter().map(|&j| (Some(i), Some(j)))),
                None if kind == Kind::LeftOuter => out.push((Some(i), None)),
                None => {}
            }
            if out.len() > self.engine.options.max_rows {
                return Err(self.budget(r));
            }
        }
        let same_name: Vec<usize> = pairs.iter().filter(|p| p.0 == p.1).filter_map(|p| right.index_of(&p.1)).collect();
        Ok(combine(left, &right, &out, Some(&same_name)))
    }
}

/// Left columns then right columns (renamed `x1` on clashes), rows from pairs.
fn combine(
    left: &Table,
    right: &Table,
    rows: &[(Option<usize>, Option<usize>)],
    skip_right: Option<&[usize]>,
) -> Table {
    let mut out = Table::new(Vec::new(), rows.len());
    for c in &left.columns {
        let data: Vec<Value> =
            rows.iter().map(|(l, _)| l.map_or(Value::null_of(c.ty), |i| c.data[i].clone())).collect();
        out.columns.push(Column { name: c.name.clone(), ty: c.ty, data: data.into() });
    }
    for (k, c) in right.columns.iter().enumerate() {
        if skip_right.is_some_and(|s| s.contains(&k)) {
            continue;
        }
        let data: Vec<Value> =
            rows.iter().map(|(_, r)| r.map_or(Value::null_of(c.ty), |j| c.data[j].clone())).collect();
        let name = out.unique_name(&c.name);
        out.columns.push(Column { name, ty: c.ty, data: data.into() });
    }
    out
}
