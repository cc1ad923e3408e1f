//! SNT016: a Sentinel YAML file named `*.yml`.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{DocKind, Format};
use crate::lint::engine::as_warning;
use crate::lint::registry::FileCtx;
use crate::span::TextRange;

crate::lint_code! {
    /// What: an analytic rule or hunting query in a file ending `.yml`
    /// (or any case other than `.yaml`). Error for analytic rules, warning for
    /// hunting queries.
    ///
    /// Why: CI requires every file under Detections and Solutions `Analytic
    /// Rules` to end with `.yaml`, and the packaging and
    /// KQL-validation loaders glob `*.yaml`, so a `.yml` file is never tested.
    ///
    /// Example: `Detections/AzureActivity/NewRule.yml`.
    ///
    /// Fix: `git mv NewRule.yml NewRule.yaml`.
    CODE = ("SNT016", "yml-extension", Error);
}

pub struct YmlExtension;

impl Rule for YmlExtension {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_file(&self, file: &FileCtx, out: &mut Vec<Diagnostic>) {
        if file.format != Format::Yaml {
            return;
        }
        let Some(ext) = file.fs_path.extension().and_then(|e| e.to_str()) else { return };
        if ext == "yaml" || ext.eq_ignore_ascii_case("json") {
            return;
        }
        let d = Diagnostic::new(CODE, format!("Sentinel content file has extension `.{ext}`, expected `.yaml`"))
            .with_primary(file.file, TextRange::empty(0), "rename this file")
            .with_help("Sentinel CI and the packager only pick up `*.yaml` files");
        out.push(if file.kinds.iter().all(|k| *k == DocKind::Hunting) { as_warning(d) } else { d });
    }
}
