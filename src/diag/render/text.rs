//! rustc-style rendering with code frames (annotate-snippets).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Render diagnostics as text. `color` follows the caller's TTY / `NO_COLOR`
/// decision.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for diag in diags {
        out.push_str(&render_one(diag, sources, &renderer));
        out.push_str("\n\n");
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
        let mut snippet = Snippet::source(src.text.as_str()).path(src.path.as_str()).fold(true);
        if let Some(p) = diag.primary.as_ref().filter(|p| p.file == file) {
            snippet =
                snippet.annotation(AnnotationKind::Primary.span(clamp(p.range, &src.text)).label(p.message.as_str()));
        }
        for s in diag.secondary.iter().filter(|s| s.file == file) {
            snippet =
                snippet.annotation(AnnotationKind::Context.span(clamp(s.range, &src.text)).label(s.message.as_str()));
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

/// annotate-snippets wants a byte range on char boundaries inside the text.
fn clamp(range: crate::span::TextRange, text: &str) -> std::ops::Range<usize> {
    let mut end = (range.end as usize).min(text.len());
    let mut start = (range.start as usize).min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}
