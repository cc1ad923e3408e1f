//! Tables for people (comfy-table): one per result table (titled when there
//! are several), typed cells ([`super::cell::for_terminal`]), numbers
//! right-aligned, long cells cut with `…`. On a terminal, text columns wrap
//! to its width; elsewhere (a file, a pipe) nothing wraps.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table as Comfy, Width};

use crate::query::format::cell;
use crate::query::results::{ColumnType, QueryResults, Table};

/// Narrower terminals get unwrapped tables.
const MIN_TERMINAL_WIDTH: u16 = 40;

/// Text columns wrap to no fewer characters than this.
const MIN_TEXT_WIDTH: u16 = 16;

#[derive(Clone, Copy, Debug, Default)]
pub struct TableOptions {
    /// Cut cells longer than this many characters (`None`: never).
    pub max_cell_chars: Option<usize>,
    /// Wrap columns to the terminal's width (stdout is a terminal).
    pub fit_terminal: bool,
}

pub fn render(results: &QueryResults, options: &TableOptions) -> String {
    let mut out = String::new();
    let titled = results.tables.len() > 1;
    for table in &results.tables {
        if titled {
            out.push_str(&format!("{}:\n", table.name));
        }
        out.push_str(&render_one(table, options));
        out.push('\n');
    }
    out
}

fn render_one(table: &Table, options: &TableOptions) -> String {
    if table.columns.is_empty() {
        return "(no columns)".into();
    }
    let mut t = Comfy::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    // A terminal that reports no usable width (some pseudo-terminals say 0)
    // would squeeze every column to one character: no wrapping then.
    if !options.fit_terminal || t.width().is_none_or(|w| w < MIN_TERMINAL_WIDTH) {
        t.force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
    }
    let header: Vec<String> = table.columns.iter().map(|c| cell::escape_controls(&c.name)).collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            row.iter().zip(&table.columns).map(|(v, c)| cell::for_terminal(v, c.ty, options.max_cell_chars)).collect()
        })
        .collect();
    let widest: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| &r[i]).chain([&header[i]]).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    t.set_header(header);
    for row in rows {
        t.add_row(row);
    }
    for (i, c) in table.columns.iter().enumerate() {
        let Some(col) = t.column_mut(i) else { continue };
        if c.ty.is_numeric() {
            col.set_cell_alignment(CellAlignment::Right);
        }
        // On a narrow terminal only free text wraps (a datetime, a number or
        // a GUID cut in two reads as two values), and never below
        // MIN_TEXT_WIDTH: past that the table is wider than the terminal.
        if matches!(c.ty, ColumnType::String | ColumnType::Dynamic | ColumnType::Other) {
            // The width includes the cell padding (one space each side).
            let floor = u16::try_from(widest[i]).unwrap_or(u16::MAX).min(MIN_TEXT_WIDTH) + 2;
            col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(floor)));
        } else {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_several_tables() {
        let body = br#"{"tables":[{"name":"PrimaryResult","columns":[],"rows":[]},
            {"name":"Other","columns":[{"name":"n","type":"int"}],"rows":[]}]}"#;
        let r = QueryResults::from_json(body).unwrap();
        insta::assert_snapshot!(render(&r, &TableOptions::default()), @"
        PrimaryResult:
        (no columns)
        Other:
        ┌───┐
        │ n │
        ╞═══╡
        └───┘
        ");
    }

    #[test]
    fn numbers_right_aligned_cells_cut_and_escaped() {
        let body = br#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"Caller","type":"string"},
            {"name":"count_","type":"long"},{"name":"Last","type":"datetime"},{"name":"Ips","type":"dynamic"}],
            "rows":[["alice@contoso.com",5,"2026-09-01T10:00:00Z","[\"10.0.0.1\", \"10.0.0.2\"]"],
                    ["a-very-long-caller-name-that-goes-on@contoso.com",12345,null,"{}"],
                    ["evil\u001b[31m",1,"2026-09-01T10:00:00.5Z","null"]]}]}"#;
        let r = QueryResults::from_json(body).unwrap();
        let text = render(&r, &TableOptions { max_cell_chars: Some(24), fit_terminal: false });
        insta::assert_snapshot!(text, @r#"
        ┌──────────────────────────┬────────┬────────────────────────┬─────────────────────────┐
        │ Caller                   ┆ count_ ┆ Last                   ┆ Ips                     │
        ╞══════════════════════════╪════════╪════════════════════════╪═════════════════════════╡
        │ alice@contoso.com        ┆      5 ┆ 2026-09-01T10:00:00Z   ┆ ["10.0.0.1","10.0.0.2"] │
        │ a-very-long-caller-name… ┆  12345 ┆                        ┆ {}                      │
        │ evil\u{1b}[31m           ┆      1 ┆ 2026-09-01T10:00:00.5Z ┆ null                    │
        └──────────────────────────┴────────┴────────────────────────┴─────────────────────────┘
        "#);
    }
}
