//! Tables for people (comfy-table): one per result table (titled when there
//! are several), typed cells ([`super::cell::for_terminal`]), numbers
//! right-aligned, long cells cut with `…`.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table as Comfy};

use crate::query::format::cell;
use crate::query::results::{QueryResults, Table};

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
    if options.fit_terminal {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
    }
    t.set_header(table.columns.iter().map(|c| cell::escape_controls(&c.name)));
    for row in &table.rows {
        t.add_row(row.iter().zip(&table.columns).map(|(v, c)| cell::for_terminal(v, c.ty, options.max_cell_chars)));
    }
    for (i, c) in table.columns.iter().enumerate() {
        if c.ty.is_numeric()
            && let Some(col) = t.column_mut(i)
        {
            col.set_cell_alignment(CellAlignment::Right);
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
