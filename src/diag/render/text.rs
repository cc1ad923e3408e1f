//! rustc-style rendering with code frames (annotate-snippets).
//!
//! Linear in the number of diagnostics: each code frame is cut from the
//! source's line index to the lines it shows (annotate-snippets would
//! otherwise split the whole file for every diagnostic), and what is
//! printed is capped ([`Limit`]), with the count of what was left out.

use std::collections::HashMap;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;

/// How many diagnostics the text form prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// At most this many in all (`None`: no cap).
    pub total: Option<usize>,
    /// At most this many per file, so one broken file leaves room for the others.
    pub per_file: Option<usize>,
}

/// Default of `--max-diagnostics`.
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 200;

impl Limit {
    /// No cap (tests, and `--max-diagnostics 0`).
    pub const NONE: Limit = Limit { total: None, per_file: None };

    /// `--max-diagnostics N`: N in all and a quarter of it (at least one)
    /// per file; 0 prints everything.
    pub fn from_max(max: usize) -> Self {
        if max == 0 { Self::NONE } else { Limit { total: Some(max), per_file: Some((max / 4).max(1)) } }
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self::from_max(DEFAULT_MAX_DIAGNOSTICS)
    }
}

/// Render diagnostics as text, every one of them. `color` follows the
/// caller's TTY / `NO_COLOR` decision.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    render_limited(diags, sources, color, Limit::NONE)
}

/// Render at most `limit` diagnostics, then one line with how many were
/// left out (per file and in all).
pub fn render_limited(diags: &[Diagnostic], sources: &SourceMap, color: bool, limit: Limit) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    let mut shown = 0usize;
    let mut per_file: HashMap<Option<FileId>, usize> = HashMap::new();
    // Files whose diagnostics were cut, in first-seen order, with how many.
    let mut cut: Vec<(Option<FileId>, usize)> = Vec::new();
    for diag in diags {
        let file = diag.primary.as_ref().map(|p| p.file);
        let n = per_file.entry(file).or_default();
        let over_file = limit.per_file.is_some_and(|max| *n >= max);
        let over_total = limit.total.is_some_and(|max| shown >= max);
        if over_file || over_total {
            match cut.iter_mut().find(|(f, _)| *f == file) {
                Some((_, c)) => *c += 1,
                None => cut.push((file, 1)),
            }
            continue;
        }
        *n += 1;
        shown += 1;
        out.push_str(&render_one(diag, sources, &renderer));
        out.push_str("\n\n");
    }
    if !cut.is_empty() {
        let hidden: usize = cut.iter().map(|(_, c)| c).sum();
        let places: Vec<String> = cut
            .iter()
            .map(|(f, c)| match f {
                Some(f) => format!("{c} in {}", sources.get(*f).path),
                None => format!("{c} without a location"),
            })
            .collect();
        out.push_str(&format!(
            "... and {hidden} more diagnostic(s) not shown ({}); {} in total, `--max-diagnostics 0` shows all, \
             `--format json` lists all\n\n",
            places.join(", "),
            diags.len()
        ));
    }
    out
}

fn render_one(diag: &Diagnostic, sources: &SourceMap, renderer: &Renderer) -> String {
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = format!("{} [{}]", diag.message, diag.code.name);
    let mut group = Group::with_title(level.primary_title(title.as_str()).id(diag.code.id));

    // One snippet per file: the primary label's file first, then secondary files.
    let mut files = Vec::new();
    if let Some(p) = &diag.primary {
        files.push(p.file);
    }
    for s in &diag.secondary {
        if !files.contains(&s.file) {
            files.push(s.file);
        }
    }
    for file in files {
        let src = sources.get(file);
        let labels = diag.primary.iter().chain(&diag.secondary).filter(|l| l.file == file);
        let (window, first_line) = src.excerpt(labels.map(|l| l.range));
        let excerpt = &src.text[window.clone()];
        let mut snippet = Snippet::source(excerpt).line_start(first_line).path(src.path.as_str()).fold(true);
        if let Some(p) = diag.primary.as_ref().filter(|p| p.file == file) {
            snippet = snippet
                .annotation(AnnotationKind::Primary.span(clamp(p.range, &src.text, &window)).label(p.message.as_str()));
        }
        for s in diag.secondary.iter().filter(|s| s.file == file) {
            snippet = snippet
                .annotation(AnnotationKind::Context.span(clamp(s.range, &src.text, &window)).label(s.message.as_str()));
        }
        group = group.element(snippet);
    }
    for note in &diag.notes {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    if let Some(help) = &diag.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    renderer.render(&[group])
}

/// annotate-snippets wants a byte range on char boundaries inside the
/// excerpt, relative to it. A range may end just past the excerpt (on the
/// newline ending its last line), which annotate-snippets accepts.
fn clamp(range: TextRange, text: &str, window: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut end = (range.end as usize).min(text.len());
    let mut start = (range.start as usize).min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let start = start.clamp(window.start, window.end);
    let end = end.clamp(start, window.end);
    (start - window.start)..(end - window.start)
}
