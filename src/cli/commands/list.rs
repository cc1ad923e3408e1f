use anyhow::Context;

use crate::cli::{ExitStatus, GlobalArgs};
use crate::content;
use crate::source::SourceMap;

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// `table`: aligned columns; `json`: one object per item, for scripts
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

/// Content items as aligned columns (or JSON), sorted by file.
pub fn run(g: &GlobalArgs, args: ListArgs) -> anyhow::Result<ExitStatus> {
    let mut sources = SourceMap::new();
    let (items, diags) = content::load(&g.content, &mut sources).context("list")?;
    if args.format == ListFormat::Json {
        let list: Vec<serde_json::Value> = items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "id": i.id.value.to_string(),
                    "kind": i.kind.as_str(),
                    "model": i.model.info().name,
                    "name": i.name.value,
                    "file": sources.get(i.file).path,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list).expect("JSON serializes"));
    }
    let rows: Vec<[String; 5]> = items
        .iter()
        .map(|i| {
            [
                i.id.value.to_string(),
                i.kind.to_string(),
                i.model.info().name.to_string(),
                i.name.value.clone(),
                sources.get(i.file).path.clone(),
            ]
        })
        .collect();
    if args.format == ListFormat::Table {
        print!("{}", columns(&["ID", "KIND", "MODEL", "NAME", "FILE"], &rows));
    }
    if crate::diag::has_errors(&diags) {
        eprintln!(
            "{} file(s) with errors are not listed: run `sentinel-forge validate`",
            diags.iter().filter(|d| d.is_error()).count()
        );
        return Ok(ExitStatus::Findings);
    }
    Ok(ExitStatus::Clean)
}

/// Left-aligned columns separated by two spaces.
pub fn columns<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
