//! SNT027: a non-ASCII character in a content file (O-1).

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::registry::FileCtx;
use crate::span::TextRange;

crate::lint_code! {
    /// What: any character outside U+0000..U+007F anywhere in an analytic
    /// rule, hunting query or ARM file: smart quotes, non-breaking spaces,
    /// zero-width characters, a byte-order mark, accented letters. One
    /// finding per line (at most 20 per file).
    ///
    /// Why: Sentinel CI's non-ASCII test fails the whole file; invisible characters also break KQL in ways the portal does not
    /// show (a non-breaking space is not whitespace to the KQL parser).
    ///
    /// Example: `description: 'Detects the attacker’s foothold'` (U+2019).
    ///
    /// Fix: replace with the ASCII equivalent (`'`, `"`, a space) or delete
    /// the character; `grep -nP '[^\x00-\x7F]' FILE` lists them.
    CODE = ("SNT027", "non-ascii-content", Error);
}

pub struct NonAsciiContent;

const MAX_PER_FILE: usize = 20;

impl Rule for NonAsciiContent {
    fn code(&self) -> Code {
        CODE
    }
    fn check_file(&self, file: &FileCtx, out: &mut Vec<Diagnostic>) {
        if file.text.is_ascii() {
            return;
        }
        let mut count = 0;
        let mut offset = 0usize;
        let lines_with: usize = file.text.split('\n').filter(|l| !l.is_ascii()).count();
        for line in file.text.split('\n') {
            if let Some((i, c)) = line.char_indices().find(|(_, c)| !c.is_ascii()) {
                count += 1;
                let start = (offset + i) as u32;
                let mut d =
                    Diagnostic::new(CODE, format!("non-ASCII character U+{:04X} `{}`", c as u32, c.escape_default()))
                        .with_primary(file.file, TextRange::new(start, start + c.len_utf8() as u32), "not ASCII")
                        .with_help("Sentinel CI rejects files with any character outside U+0000..U+007F");
                if count == MAX_PER_FILE && lines_with > MAX_PER_FILE {
                    d = d.with_note(format!(
                        "{} more lines with non-ASCII characters are not reported",
                        lines_with - MAX_PER_FILE
                    ));
                }
                out.push(d);
                if count == MAX_PER_FILE {
                    return;
                }
            }
            offset += line.len() + 1;
        }
    }
}
