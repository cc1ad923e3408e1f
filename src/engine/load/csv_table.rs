//! CSV (a header row, then records) into typed columns: fields are
//! borrowed from the text ([`super::csv::Records`]) and go straight into
//! their columns' builders. The text after the header is cut into one part
//! per core at newlines; a cut that falls inside a quoted field (the part
//! before it ends in quotes) is undone and the rest read as one part.

use std::borrow::Cow;
use std::path::Path;

use super::LoadProblem;
use super::builder::{Accept, ColumnBuilder};
use super::csv::Records;
use super::field::Field;
use super::parts;
use crate::engine::table::Table;
use crate::kql::types::ScalarType;

/// What one part gave (columns, rows, problems, newlines read), or the
/// line of a quoted field left open.
type PartResult = Result<(Vec<ColumnBuilder>, usize, Vec<LoadProblem>, usize), usize>;

pub fn read(
    text: &str,
    path: &Path,
    schema: Option<&[(String, ScalarType)]>,
    accept: Option<Accept<'_>>,
    problems: &mut Vec<LoadProblem>,
) -> Option<Table> {
    let unclosed = |problems: &mut Vec<LoadProblem>, line: usize| {
        problems.push(LoadProblem {
            file: path.into(),
            line,
            column: None,
            message: "a quoted field is not closed".into(),
        });
    };
    let mut head = Records::new(text, 1);
    let mut fields: Vec<Cow<'_, str>> = Vec::new();
    let header: Vec<String> = match head.next_into(&mut fields)? {
        Ok(_) => fields.iter().map(|f| f.to_string()).collect(),
        Err(line) => {
            unclosed(problems, line);
            return None;
        }
    };
    let (rest, first_line) = head.rest();
    let declared: Vec<Option<ScalarType>> =
        header.iter().map(|n| schema.and_then(|s| s.iter().find(|c| c.0 == *n).map(|c| c.1))).collect();
    let plan: Vec<(usize, Option<ScalarType>)> = declared.iter().copied().enumerate().collect();
    let pieces = parts::split_lines(rest);
    let (columns, rows, mut row_problems, _) = match read_parts(&pieces, first_line, &header, &plan, path, accept) {
        Ok(r) => r,
        Err(line) => {
            unclosed(problems, line);
            return None;
        }
    };
    let mut columns = columns;
    let again: Vec<(usize, Option<ScalarType>)> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.needs_second_pass())
        .map(|(k, c)| (k, Some(c.final_type())))
        .collect();
    if !again.is_empty()
        && let Ok((redone, ..)) = read_parts(&pieces, first_line, &header, &again, path, None)
    {
        for ((k, _), c) in again.iter().zip(redone) {
            columns[*k] = c;
        }
    }
    problems.append(&mut row_problems);
    Some(super::jsonl::finish(columns, rows, path, problems))
}

/// The parts in parallel, merged in order, lines numbered from
/// `first_line`; one part when a cut fell inside quotes.
fn read_parts(
    pieces: &[&str],
    first_line: usize,
    header: &[String],
    plan: &[(usize, Option<ScalarType>)],
    path: &Path,
    accept: Option<Accept<'_>>,
) -> PartResult {
    let results = parts::map(pieces, |piece| read_part(piece, header, plan, path, accept));
    let n = results.len();
    let mut acc: Option<(Vec<ColumnBuilder>, usize, Vec<LoadProblem>, usize)> = None;
    let mut by = first_line - 1;
    for (k, r) in results.into_iter().enumerate() {
        let (mut cols, rows, mut probs, newlines) = match r {
            Ok(part) => part,
            Err(_) if k + 1 < n => {
                let whole = read_part(&pieces.concat(), header, plan, path, accept);
                return whole.map(|(mut c, r, mut p, l)| {
                    super::jsonl::shift_lines(&mut c, &mut p, first_line - 1);
                    (c, r, p, l)
                });
            }
            Err(line) => return Err(line + by),
        };
        super::jsonl::shift_lines(&mut cols, &mut probs, by);
        by += newlines;
        match &mut acc {
            None => acc = Some((cols, rows, probs, newlines)),
            Some((a, r, p, l)) => {
                for (mine, theirs) in a.iter_mut().zip(cols) {
                    mine.append(theirs);
                }
                *r += rows;
                *l += newlines;
                p.append(&mut probs);
            }
        }
    }
    Ok(acc.unwrap_or_else(|| {
        (plan.iter().map(|&(k, ty)| ColumnBuilder::new(header[k].clone(), ty, 0)).collect(), 0, Vec::new(), 0)
    }))
}

fn read_part(
    text: &str,
    header: &[String],
    plan: &[(usize, Option<ScalarType>)],
    path: &Path,
    accept: Option<Accept<'_>>,
) -> PartResult {
    let width = header.len();
    let mut columns: Vec<ColumnBuilder> =
        plan.iter().map(|&(k, ty)| ColumnBuilder::new(header[k].clone(), ty, 1024)).collect();
    let mut problems = Vec::new();
    let mut rows = 0usize;
    let mut records = Records::new(text, 1);
    let mut fields: Vec<Cow<'_, str>> = Vec::new();
    while let Some(next) = records.next_into(&mut fields) {
        let line = next?;
        if fields.len() != width {
            problems.push(LoadProblem {
                file: path.into(),
                line,
                column: None,
                message: format!("{} fields for {} columns; the row is skipped", fields.len(), width),
            });
            continue;
        }
        for (c, &(k, _)) in columns.iter_mut().zip(plan) {
            c.push(line, &Field::Text(&fields[k]), accept);
        }
        rows += 1;
    }
    Ok((columns, rows, problems, records.rest().1 - 1))
}
