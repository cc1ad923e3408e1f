//! `run … --local DIR`: the query runs on the embedded engine over the
//! tables of DIR and prints in the same formats as a workspace run (the
//! engine's result is built as a query API response first).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use azure_core::time::OffsetDateTime;

use crate::cli::ExitStatus;
use crate::cli::commands::run::{RunArgs, render, write_stdout};
use crate::diag::Diagnostic;
use crate::diag::render::text;
use crate::engine::load::{KnownSchemas, load_dir};
use crate::engine::{Engine, Options, codes, datetime, output};
use crate::query::placeholders;
use crate::query::results::QueryResults;
use crate::query::timespan::Interval;
use crate::source::SourceMap;
use crate::timespan::Timespan;

/// What `run` prepared: the query and how to name it.
pub struct Prepared<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub text: &'a str,
    pub window: Option<Timespan>,
}

pub fn run(
    dir: &Path,
    q: Prepared,
    args: &RunArgs,
    sources: &mut SourceMap,
    color: bool,
) -> anyhow::Result<ExitStatus> {
    let now = match &args.now {
        Some(iso) => {
            datetime::parse_datetime(iso).with_context(|| format!("--now `{iso}` is not an ISO 8601 datetime"))?
        }
        None => crate::engine::now_ticks(),
    };
    let now_time = OffsetDateTime::from_unix_timestamp_nanos(((now - datetime::UNIX_EPOCH) as i128) * 100)
        .context("--now is out of range")?;
    let span = args.timespan.or(q.window).unwrap_or(Timespan::from_days(1));
    let interval = Interval::ending_at(now_time, span);
    let sent = placeholders::substitute(q.text, &interval);
    let file = sources.add(q.path.to_string(), sent.clone());
    if !dir.is_dir() {
        bail!("--local `{}` is not a directory", dir.display());
    }
    let loaded = load_dir(dir, &KnownSchemas::new())?;
    for p in &loaded.problems {
        eprintln!("warning[{}]: {p}", codes::DATA.id);
    }
    let mut external = std::collections::HashMap::new();
    for m in &args.externaldata {
        let Some((url, file)) = m.rsplit_once('=') else { bail!("--externaldata `{m}` is not URL=FILE") };
        external.insert(url.to_string(), std::path::PathBuf::from(file));
    }
    let engine = Engine::new(&loaded.db, Options { now, max_rows: args.max_rows, external, ..Options::default() });
    let started = Instant::now();
    let table = match engine.run_text(&sent) {
        Ok(t) => t,
        Err(e) => {
            let d = Diagnostic::new(codes::code_of(e.kind), e.message.clone()).with_primary(file, e.range, "here");
            eprint!("{}", text::render(&[d], sources, color));
            eprintln!("nothing ran: {} could not run locally", q.name);
            return Ok(ExitStatus::Findings);
        }
    };
    let elapsed = started.elapsed();
    let body = serde_json::to_vec(&output::response_json(&table)).context("serialize the result")?;
    let results = QueryResults::from_json(&body).map_err(anyhow::Error::msg)?;
    let rendered = render(&results, args);
    match &args.output {
        Some(path) => crate::output::write_file(path, &rendered)?,
        None => write_stdout(&rendered)?,
    }
    eprintln!("{} row(s) in {} ms (local, {})", table.len, elapsed.as_millis(), dir.display());
    if let Some(why) = table.nondeterministic {
        eprintln!(
            "note: Kusto does not define which rows (or their order) this query returns: {why}; compare it as a set"
        );
    }
    Ok(ExitStatus::Clean)
}
