//! The registry of source texts diagnostics point into.
//!
//! Content TOML files, Tera templates and rendered queries are all registered
//! here and addressed by [`FileId`], so a diagnostic can carry a compact
//! `(FileId, TextRange)` span and be rendered with a code frame later.

use crate::span::{LineIndex, TextRange};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

/// One registered text: its display path (relative to the project root when
/// possible, `/`-separated so output is identical on every OS) and contents.
#[derive(Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    index: LineIndex,
}

impl SourceFile {
    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        self.index.line_col(&self.text, offset)
    }

    /// The whole lines covering `ranges`: the byte range of that excerpt and
    /// the 1-based number of its first line. A code frame needs only these
    /// lines, so rendering a diagnostic costs the size of its excerpt, not
    /// of the file.
    pub fn excerpt(&self, ranges: impl IntoIterator<Item = TextRange>) -> (std::ops::Range<usize>, usize) {
        let len = self.text.len() as u32;
        let (mut lo, mut hi) = (u32::MAX, 0u32);
        for r in ranges {
            lo = lo.min(r.start.min(len));
            hi = hi.max(r.end.min(len));
        }
        if lo == u32::MAX {
            return (0..0, 1);
        }
        // An offset at the very end of a text that ends with a newline is
        // shown at the end of the last line, as annotate-snippets does.
        let line_of = |o: u32| {
            let o = if o == len && o > 0 && self.text.ends_with('\n') { o - 1 } else { o };
            self.index.line_of(o)
        };
        let first = line_of(lo);
        let last = line_of(hi);
        let start = self.index.line_start(first).unwrap_or(0) as usize;
        // Whole lines, with the newline that ends the last one.
        let end = self.index.line_start(last + 1).map_or(self.text.len(), |s| s as usize);
        (start..end.max(start), first + 1)
    }

    /// The source text under a range (clamped to the text).
    pub fn slice(&self, range: TextRange) -> &str {
        let end = (range.end as usize).min(self.text.len());
        let start = (range.start as usize).min(end);
        self.text.get(start..end).unwrap_or("")
    }
}

/// All texts of one run.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let index = LineIndex::new(&text);
        self.files.push(SourceFile { path: path.into(), text, index });
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Show files under `from` as under `to` (a check run on a scratch copy
    /// of a project reports the project's paths).
    pub fn replace_path_prefix(&mut self, from: &str, to: &str) {
        for f in &mut self.files {
            if let Some(rest) = f.path.strip_prefix(from) {
                f.path = format!("{to}{rest}");
            }
        }
    }

    pub fn find(&self, path: &str) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path).map(|i| FileId(i as u32))
    }
}
