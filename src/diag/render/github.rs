//! GitHub Actions workflow commands: one `::error`/`::warning` line per
//! diagnostic, which the runner turns into annotations on the pull request.

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Escape a message (`%`, CR, LF) as the runner expects.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Render every diagnostic as one workflow-command line.
pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(p) = &d.primary {
            let src = sources.get(p.file);
            let (line, col) = src.line_col(p.range.start);
            let (end_line, end_col) = src.line_col(p.range.end);
            props.push(format!("file={}", escape_property(&src.path)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            props.push(format!("endLine={end_line}"));
            props.push(format!("endColumn={end_col}"));
        }
        props.push(format!("title={}", escape_property(&format!("{} {}", d.code.id, d.code.name))));
        let mut message = d.message.clone();
        if let Some(p) = &d.primary
            && !p.message.is_empty()
        {
            message.push_str(&format!(" ({})", p.message));
        }
        for note in &d.notes {
            message.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!("::{level} {}::{}\n", props.join(","), escape_data(&message)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(escape_data("x: y, z"), "x: y, z");
    }
}
