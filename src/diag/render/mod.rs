//! Output formats for diagnostics: one renderer per file.

pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// rustc-style code frames
    #[default]
    Text,
    /// one JSON document with every diagnostic and a summary
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, Azure DevOps, IDEs)
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::…` annotations)
    Github,
}

/// Print diagnostics in `format`: the human form to stderr, machine forms
/// to stdout (so they can be piped while progress and summaries stay on the
/// terminal). `limit` caps the text form only: machine forms list everything.
/// `rules` are the codes SARIF describes (the caller's registry: `diag` does
/// not know which codes exist).
pub fn print(
    format: Format,
    diags: &[super::Diagnostic],
    sources: &crate::source::SourceMap,
    color: bool,
    limit: text::Limit,
    rules: &[super::Code],
) {
    match format {
        Format::Text => eprint!("{}", text::render_limited(diags, sources, color, limit)),
        Format::Json => print!("{}", json::render(diags, sources)),
        Format::Sarif => print!("{}", sarif::render_with_rules(diags, sources, rules)),
        Format::Github => print!("{}", github::render(diags, sources)),
    }
}
