use anyhow::bail;
use clap::Args;

use crate::cli::ExitStatus;
use crate::codes;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code (CNT005) or its name (out-of-range)
    pub code: String,
}

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitStatus> {
    let Some(code) = codes::lookup(&args.code) else {
        let all: Vec<String> = codes::all().iter().map(|c| c.id.to_string()).collect();
        bail!("unknown code `{}`; known codes: {}", args.code, all.join(", "));
    };
    print!("{}", explain_text(&code));
    Ok(ExitStatus::Clean)
}

pub fn explain_text(code: &crate::diag::Code) -> String {
    let severity = match code.severity {
        crate::diag::Severity::Error => "error",
        crate::diag::Severity::Warning => "warning",
    };
    let docs = code.docs.lines().map(str::trim_start).collect::<Vec<_>>().join("\n");
    format!("{} ({}) - {severity}\n\n{}\n", code.id, code.name, docs.trim_end())
}

#[cfg(test)]
mod tests {
    use super::explain_text;

    /// One style for every family: the four parts in order, no pointers to
    /// our internal notes, one final newline.
    #[test]
    fn every_explanation_has_one_style() {
        for code in crate::codes::all() {
            let text = explain_text(&code);
            assert!(text.starts_with(&format!("{} ({}) - ", code.id, code.name)), "{text}");
            let at = |part: &str| text.find(part).unwrap_or_else(|| panic!("{}: no {part}", code.id));
            assert!(at("What:") < at("Why:") && at("Why:") < at("Example:") && at("Example:") < at("Fix:"), "{text}");
            for internal in ["§", "research", "azure-apis", ".md"] {
                assert!(!text.contains(internal), "{}: `{internal}` in\n{text}", code.id);
            }
            assert!(text.ends_with(".\n") || text.ends_with("`\n") || text.ends_with(")\n"), "{}: {text:?}", code.id);
            assert!(!text.ends_with("\n\n"), "{}", code.id);
        }
    }
}
