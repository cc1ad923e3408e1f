//! The files sink: atomic, deterministic writes, and `--check`.
//!
//! The whole output tree is written to a temporary directory beside the
//! target and swapped in with renames, so a failed or interrupted run leaves
//! the previous `generated/` exactly as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};

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

/// Every file under `dir`, relative, `/`-separated.
fn existing_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>, Error> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| Error::new(ErrorKind::Io, format!("reading `{}`: {e}", dir.display())))?;
        if entry.file_type().is_file() {
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

/// Replace `dir` with exactly `files`, atomically from the reader's view:
/// the new tree is complete before it takes the old one's place.
pub fn write_tree(dir: &Path, files: &BTreeMap<String, String>) -> Result<(), Error> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("creating `{}`", parent.display()), e))?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "generated".into());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(parent)
        .map_err(|e| Error::io(format!("creating a staging directory in `{}`", parent.display()), e))?;
    for (rel, text) in files {
        let path = staging.path().join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io(format!("creating `{}`", p.display()), e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(format!("writing `{}`", path.display()), e))?;
    }
    let staged = staging.keep();
    if dir.exists() {
        let old = tempfile::Builder::new()
            .prefix(&format!(".{name}.old-"))
            .tempdir_in(parent)
            .map_err(|e| Error::io("creating a backup directory", e))?
            .keep();
        // `rename` onto an existing empty directory works on Unix; remove it
        // first for portability.
        std::fs::remove_dir(&old).map_err(|e| Error::io("preparing the backup directory", e))?;
        std::fs::rename(dir, &old).map_err(|e| Error::io(format!("moving `{}` aside", dir.display()), e))?;
        if let Err(e) = std::fs::rename(&staged, dir) {
            // Put the previous output back before reporting.
            let _ = std::fs::rename(&old, dir);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(Error::io(format!("moving the new output into `{}`", dir.display()), e));
        }
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(format!("removing `{}`", old.display()), e))?;
    } else {
        std::fs::rename(&staged, dir)
            .map_err(|e| Error::io(format!("moving the new output into `{}`", dir.display()), e))?;
    }
    Ok(())
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
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn write_file_replaces_whole_files_and_leaves_no_temporary() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("out.csv");
        write_file(&path, "a\n").unwrap();
        write_file(&path, "b,c\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b,c\n");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            // The mode any new file gets under this umask, not tempfile's 0600.
            let usual = tmp.path().join("usual");
            std::fs::write(&usual, "").unwrap();
            assert_eq!(mode(&path), mode(&usual));
            std::fs::remove_file(&usual).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
            write_file(&path, "d\n").unwrap();
            assert_eq!(mode(&path), 0o640, "kept on replace");
        }
        assert!(write_file(&tmp.path().join("missing/out.csv"), "x").is_err());
    }

    #[test]
    fn write_then_check_is_clean_and_detects_every_change() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("generated");
        let v1 = files(&[("kql/a.kql", "A\n"), ("yaml/hunting/a.yaml", "id: 1\n")]);
        write_tree(&out, &v1).unwrap();
        assert!(check(&out, &v1).unwrap().is_clean());

        let v2 = files(&[("kql/a.kql", "A2\n"), ("kql/b.kql", "B\n")]);
        let report = check(&out, &v2).unwrap();
        assert_eq!(report.created, vec!["kql/b.kql"]);
        assert_eq!(report.changed, vec!["kql/a.kql"]);
        assert_eq!(report.deleted, vec!["yaml/hunting/a.yaml"]);

        write_tree(&out, &v2).unwrap();
        assert!(check(&out, &v2).unwrap().is_clean());
        assert!(!out.join("yaml/hunting/a.yaml").exists(), "stale files are removed");
        // No staging or backup directory is left behind.
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("generated")]);
    }
}
