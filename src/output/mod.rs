//! The files sink: atomic, deterministic writes, and `--check`.
//!
//! The whole output tree is written to a staging directory beside the
//! target and swapped in with renames, so a failed or interrupted run leaves
//! the previous `generated/` exactly as it was. Only a directory this tool
//! wrote is ever replaced ([`ownership`]); every operation goes through
//! [`fs::Fs`] so tests can make any one of them fail.

pub mod fs;
pub mod ownership;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};
use fs::{Fs, RealFs};
use ownership::{MARKER, Ownership};
/// What `--check` found: files to create, change or delete.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Staleness {
    pub created: Vec<String>,
    pub changed: Vec<String>,
    pub deleted: Vec<String>,
}

impl Staleness {
    pub fn is_clean(&self) -> bool {
        self.created.is_empty() && self.changed.is_empty() && self.deleted.is_empty()
    }
}

/// Every file under `dir`, relative, `/`-separated (markers excluded).
fn existing_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>, Error> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| Error::new(ErrorKind::Io, format!("reading `{}`: {e}", dir.display())))?;
        if entry.file_type().is_file() && entry.file_name() != MARKER {
            let rel = entry.path().strip_prefix(dir).expect("under dir").to_string_lossy().replace('\\', "/");
            out.insert(rel, entry.into_path());
        }
    }
    Ok(out)
}

/// Compare the files a run would write with what is on disk.
pub fn check(dir: &Path, files: &BTreeMap<String, String>) -> Result<Staleness, Error> {
    let existing = existing_files(dir)?;
    let mut report = Staleness::default();
    for (rel, text) in files {
        match existing.get(rel) {
            None => report.created.push(rel.clone()),
            Some(path) => {
                let current = std::fs::read(path).map_err(|e| Error::io(format!("reading `{}`", path.display()), e))?;
                if current != text.as_bytes() {
                    report.changed.push(rel.clone());
                }
            }
        }
    }
    report.deleted = existing.keys().filter(|k| !files.contains_key(*k)).cloned().collect();
    Ok(report)
}

/// What a tree write may do beyond replacing its own output.
#[derive(Debug, Clone, Copy, Default)]
pub struct TreeOptions {
    /// Replace a directory this tool did not write.
    pub force: bool,
    /// Replace a non-empty output with an empty tree (zero items).
    pub allow_empty: bool,
}

/// A tree write that succeeded, with what could not be tidied afterwards
/// (the new tree is in place; the leftovers are removed by the next run).
#[derive(Debug, Default)]
pub struct Written {
    pub warnings: Vec<String>,
}

/// Replace `dir` with exactly `files` (plus the ownership marker),
/// atomically from the reader's view: the new tree is complete before it
/// takes the old one's place. `inputs` are the project's input directories,
/// which the output must not overlap.
pub fn write_tree(
    dir: &Path,
    files: &BTreeMap<String, String>,
    options: TreeOptions,
    inputs: &[&Path],
) -> Result<Written, Error> {
    ownership::refuse_reserved(dir, inputs)?;
    write_tree_with(&RealFs, dir, files, options)
}

/// The staging and backup directories of `dir`: `.NAME.new-*` and `.NAME.old-*` beside it.
fn side_prefixes(dir: &Path) -> (PathBuf, String, String) {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "generated".into());
    (parent, format!(".{name}.new-"), format!(".{name}.old-"))
}

/// A fresh directory `parent/prefixN` (created, so two runs never share one).
fn fresh_dir(fs: &dyn Fs, parent: &Path, prefix: &str) -> Result<PathBuf, Error> {
    let base = std::process::id();
    for n in 0..1000u32 {
        let path = parent.join(format!("{prefix}{base}-{n}"));
        match fs.create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(format!("creating `{}`", path.display()), e)),
        }
    }
    Err(Error::new(ErrorKind::Io, format!("no free `{prefix}*` name in `{}`", parent.display())))
}

/// Remove staging and backup directories an earlier run left behind (a
/// crash, or a backup it could not delete). Only directories carrying the
/// marker, or empty ones, are removed. Failures are warnings.
fn clean_leftovers(fs: &dyn Fs, dir: &Path, warnings: &mut Vec<String>) {
    let (parent, new_prefix, old_prefix) = side_prefixes(dir);
    let Ok(entries) = std::fs::read_dir(&parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(&new_prefix) || name.starts_with(&old_prefix)) {
            continue;
        }
        let path = entry.path();
        if !path.is_dir() || !(path.join(MARKER).is_file() || is_empty_dir(&path)) {
            continue;
        }
        if let Err(e) = fs.remove_dir_all(&path) {
            warnings.push(format!("could not remove the leftover `{}`: {e}", path.display()));
        }
    }
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut e| e.next().is_none())
}

/// [`write_tree`] through `fs`, without the reserved-path check.
///
/// The order makes every failure harmless: (1) stage the whole new tree
/// beside `dir` (any failure: remove the staging, `dir` untouched);
/// (2) move `dir` aside (failure: same); (3) move the staging in (failure:
/// move `dir` back); (4) remove the old tree — the new one is in place, so
/// a failure here is a warning and the next run removes it.
pub fn write_tree_with(
    fs: &dyn Fs,
    dir: &Path,
    files: &BTreeMap<String, String>,
    options: TreeOptions,
) -> Result<Written, Error> {
    let mut written = Written::default();
    clean_leftovers(fs, dir, &mut written.warnings);
    match ownership::ownership(dir)? {
        Ownership::Foreign if !options.force => return Err(ownership::foreign_error(dir)),
        Ownership::Ours | Ownership::Foreign
            if files.is_empty() && !options.allow_empty && !existing_files(dir)?.is_empty() =>
        {
            return Err(Error::new(
                ErrorKind::Refused,
                format!(
                    "refusing to replace `{}` with an empty tree: there is nothing to write (no content items), \
                     and the directory has files; check --content, or pass --allow-empty to empty it",
                    dir.display()
                ),
            ));
        }
        _ => {}
    }
    let (parent, new_prefix, old_prefix) = side_prefixes(dir);
    fs.create_dir_all(&parent).map_err(|e| Error::io(format!("creating `{}`", parent.display()), e))?;

    // (1) Stage. The marker goes first, so a half-staged tree is
    // recognisably ours and the next run removes it.
    let staged = fresh_dir(fs, &parent, &new_prefix)?;
    if let Err(e) = stage(fs, &staged, files) {
        if let Err(rm) = fs.remove_dir_all(&staged) {
            written.warnings.push(format!("could not remove `{}`: {rm}", staged.display()));
        }
        return Err(with_warnings(e, &written));
    }
    if std::fs::symlink_metadata(dir).is_err() {
        if let Err(e) = fs.rename(&staged, dir) {
            let _ = fs.remove_dir_all(&staged);
            return Err(Error::io(format!("moving the new output into `{}`", dir.display()), e));
        }
        return Ok(written);
    }
    // (2) Move the old tree aside, to a name no other run uses.
    let old = match fresh_dir(fs, &parent, &old_prefix) {
        Ok(old) => old,
        Err(e) => {
            let _ = fs.remove_dir_all(&staged);
            return Err(e);
        }
    };
    // `rename` onto an empty directory works on Unix only; remove it first.
    if let Err(e) = std::fs::remove_dir(&old).and_then(|()| fs.rename(dir, &old)) {
        let _ = fs.remove_dir_all(&staged);
        let _ = std::fs::remove_dir(&old);
        return Err(Error::io(format!("moving `{}` aside", dir.display()), e));
    }
    // (3) Swap in.
    if let Err(e) = fs.rename(&staged, dir) {
        let restored = fs.rename(&old, dir);
        let _ = fs.remove_dir_all(&staged);
        let mut message = format!("moving the new output into `{}`: {e}", dir.display());
        if let Err(r) = restored {
            message.push_str(&format!("; the previous output is in `{}` ({r})", old.display()));
        }
        return Err(Error::new(ErrorKind::Io, message));
    }
    // (4) The new tree is in: nothing after this is an error.
    if let Err(e) = fs.remove_dir_all(&old) {
        written.warnings.push(format!(
            "the new output is in `{}`, but the previous one could not be removed from `{}`: {e} \
             (the next run removes it)",
            dir.display(),
            old.display()
        ));
    }
    Ok(written)
}

/// Write the marker and every file into the staging directory.
fn stage(fs: &dyn Fs, staged: &Path, files: &BTreeMap<String, String>) -> Result<(), Error> {
    let marker = staged.join(MARKER);
    fs.write(&marker, ownership::marker_text(files.keys()).as_bytes())
        .map_err(|e| Error::io(format!("writing `{}`", marker.display()), e))?;
    for (rel, text) in files {
        let path = staged.join(rel);
        if let Some(p) = path.parent() {
            fs.create_dir_all(p).map_err(|e| Error::io(format!("creating `{}`", p.display()), e))?;
        }
        fs.write(&path, text.as_bytes()).map_err(|e| Error::io(format!("writing `{}`", path.display()), e))?;
    }
    Ok(())
}

/// An error with the warnings gathered before it, so none is lost.
fn with_warnings(mut e: Error, written: &Written) -> Error {
    for w in &written.warnings {
        e.message.push_str(&format!("\nwarning: {w}"));
    }
    e
}

/// May `write_file` replace `path`? A directory never; an existing file
/// only with `force` (it may be anything: a report, a content file), so a
/// mistyped `--output` cannot overwrite what the user did not ask to lose.
pub fn check_file_target(path: &Path, force: bool) -> Result<(), Error> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(Error::new(
            ErrorKind::Refused,
            format!("refusing to write `{}`: it is a directory; name a file", path.display()),
        )),
        Ok(_) if !force => Err(Error::new(
            ErrorKind::Refused,
            format!("refusing to replace `{}`: the file exists; pass --force to replace it", path.display()),
        )),
        _ => Ok(()),
    }
}

/// Write one file atomically: the text goes to a temporary file beside it,
/// which is renamed over `path`, so a reader sees the old file or the whole
/// new one (results of `run --output`). The file gets the permissions of
/// the one it replaces, else the usual ones for a new file (not the
/// owner-only ones of temporary files).
pub fn write_file(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".sentinel-forge-");
    match std::fs::metadata(path) {
        Ok(existing) => {
            builder.permissions(existing.permissions());
        }
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                // 0666 minus the umask, as for any file a program creates.
                builder.permissions(std::fs::Permissions::from_mode(0o666));
            }
        }
    }
    let mut tmp = builder
        .tempfile_in(parent)
        .map_err(|e| Error::io(format!("creating a temporary file in `{}`", parent.display()), e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("writing `{}`", tmp.path().display()), e))?;
    tmp.persist(path).map_err(|e| Error::io(format!("writing `{}`", path.display()), e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests;
