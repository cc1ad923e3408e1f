//! Which directories `generate` may replace: only one it wrote itself.
//!
//! `generate` replaces its output directory as a whole, so pointed at the
//! wrong place (`--out docs`, `--out .`) it would delete files it never
//! wrote. Every tree it writes carries a marker file listing the files of
//! that run; a directory is replaced only when it is absent, empty, or
//! carries the marker (itself or in its parent, for `--env NAME` writing
//! `generated/NAME/`). Anything else needs `--force`, and the working
//! directory, the root, and directories holding the project's inputs are
//! refused even with it.

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};

/// The marker file at the top of every tree `generate` writes.
pub const MARKER: &str = ".sentinel-forge-output";

/// The marker's text: what wrote the tree and every file of that run.
pub fn marker_text<'a>(files: impl IntoIterator<Item = &'a String>) -> String {
    let mut text = String::from(
        "# Written by `sentinel-forge generate`, which replaces this directory as a whole on every run.\n\
         # Edit content/ and templates/ instead. Files of the last run:\n",
    );
    for f in files {
        text.push_str(f);
        text.push('\n');
    }
    text
}

/// What is at an output path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// Nothing there: it will be created.
    Absent,
    /// An empty directory.
    Empty,
    /// A tree this tool wrote (it or its parent has the marker).
    Ours,
    /// Files this tool did not write.
    Foreign,
}

/// Classify `dir`.
pub fn ownership(dir: &Path) -> Result<Ownership, Error> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ownership::Absent),
        Err(e) => return Err(Error::io(format!("reading `{}`", dir.display()), e)),
    };
    if !meta.is_dir() {
        return Ok(Ownership::Foreign);
    }
    if dir.join(MARKER).is_file() || dir.parent().is_some_and(|p| p.join(MARKER).is_file()) {
        return Ok(Ownership::Ours);
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(format!("reading `{}`", dir.display()), e))?;
    Ok(if entries.next().is_none() { Ownership::Empty } else { Ownership::Foreign })
}

/// Refuse an output directory that cannot be replaced whatever the flags:
/// the working directory or one of its ancestors (renaming it fails or
/// takes the project with it), and a directory that is, holds or lies
/// inside one of `inputs` (content/, templates/).
pub fn refuse_reserved(dir: &Path, inputs: &[&Path]) -> Result<(), Error> {
    let Some(abs) = absolute(dir) else { return Ok(()) };
    let refuse = |why: String| {
        Err(Error::new(
            ErrorKind::Refused,
            format!(
                "refusing to write to `{}`: {why}; the output directory is replaced as a whole, \
                 so give generate a directory of its own (default `generated`)",
                dir.display()
            ),
        ))
    };
    if abs.parent().is_none() {
        return refuse("it is the file-system root".into());
    }
    if let Some(cwd) = std::env::current_dir().ok().and_then(|c| absolute(&c))
        && cwd.starts_with(&abs)
    {
        let what = if cwd == abs { "it is the working directory" } else { "it contains the working directory" };
        return refuse(what.into());
    }
    for input in inputs {
        let Some(input_abs) = absolute(input) else { continue };
        if input_abs.starts_with(&abs) || abs.starts_with(&input_abs) {
            return refuse(format!("it overlaps the input directory `{}`", input.display()));
        }
    }
    Ok(())
}

/// `path` made absolute and normalised (symlinks resolved for the part that
/// exists), for comparisons.
fn absolute(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    // Resolve the longest existing prefix, keep the rest as written.
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        let name = existing.file_name()?.to_owned();
        rest.push(name);
        if !existing.pop() {
            return Some(abs);
        }
    }
}

/// The error for a directory this tool did not write.
pub fn foreign_error(dir: &Path) -> Error {
    Error::new(
        ErrorKind::Refused,
        format!(
            "refusing to replace `{}`: it holds files sentinel-forge did not write (no `{MARKER}` marker), \
             and the output directory is replaced as a whole; choose another --out, empty it, \
             or pass --force to replace it anyway",
            dir.display()
        ),
    )
}
