//! SNT003: a candidate file above the size limit is not parsed.

use crate::diag::Code;
use crate::lint::Rule;

crate::lint_code! {
    /// What: a `.yaml`, `.yml` or `.json` file larger than 4 MiB.
    ///
    /// Why: a Sentinel query is at most 10,000 characters and real rule files
    /// are a few KiB; the linter refuses to parse larger files so memory stays
    /// bounded on hostile input. The file is skipped, not checked.
    ///
    /// Example: a 50 MB log export saved as `.json` inside a content folder.
    ///
    /// Fix: move data files out of the content tree, or pass only the content
    /// folders to `validate`.
    CODE = ("SNT003", "file-too-large", Warning);
}

/// Reported by the engine before reading, not by a check hook.
pub struct FileTooLarge;

impl Rule for FileTooLarge {
    fn code(&self) -> Code {
        CODE
    }
}
