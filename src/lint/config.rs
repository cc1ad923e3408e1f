//! Rule selection: `--select`/`--ignore` and the `[lint]` table of
//! `sentinel-forge.toml`.

use std::path::Path;

use serde::Deserialize;

use crate::diag::Code;

/// The `[lint]` table of `sentinel-forge.toml` (other tables are ignored here).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintConfig {
    /// Codes, names or code prefixes (`SNT0`) to run; empty means all.
    #[serde(default)]
    pub select: Vec<String>,
    /// Codes, names or prefixes never reported.
    #[serde(default)]
    pub ignore: Vec<String>,
}

#[derive(Deserialize)]
struct ProjectFile {
    #[serde(default)]
    lint: Option<LintConfig>,
}

impl LintConfig {
    /// Read `[lint]` from `path` when the file exists.
    pub fn load(path: &Path) -> Result<Option<LintConfig>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let file: ProjectFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(file.lint)
    }
}

/// Which codes are reported.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
}

fn matches(selector: &str, code: &Code) -> bool {
    selector.eq_ignore_ascii_case("ALL")
        || code.name.eq_ignore_ascii_case(selector)
        || (code.id.len() >= selector.len() && code.id[..selector.len()].eq_ignore_ascii_case(selector))
}

impl Selection {
    /// Build a selection, rejecting selectors that match no known code.
    pub fn new(select: Vec<String>, ignore: Vec<String>, known: &[Code]) -> Result<Self, String> {
        for s in select.iter().chain(&ignore) {
            if !known.iter().any(|c| matches(s, c)) {
                return Err(format!("`{s}` matches no lint code (try `SNT`, a code like `SNT005` or a name)"));
            }
        }
        Ok(Self { select, ignore })
    }

    pub fn enabled(&self, code: &Code) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| matches(s, code)))
            && !self.ignore.iter().any(|s| matches(s, code))
    }
}
