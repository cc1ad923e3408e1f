//! The file-system operations the output sink performs, behind a trait so
//! tests can make any one of them fail (tests run as root, where read-only
//! directories do not stop a write).

use std::io;
use std::path::Path;

/// Every operation `write_tree` and the stale-directory cleanup perform.
pub trait Fs {
    fn create_dir(&self, path: &Path) -> io::Result<()>;
    fn create_dir_all(&self, path: &Path) -> io::Result<()>;
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_dir_all(&self, path: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct RealFs;

impl Fs for RealFs {
    fn create_dir(&self, path: &Path) -> io::Result<()> {
        std::fs::create_dir(path)
    }
    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        std::fs::create_dir_all(path)
    }
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        std::fs::write(path, bytes)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }
    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_dir_all(path)
    }
}

/// The real file system, except that the operations `fails` picks (by
/// index from 0, operation name and path) fail with `PermissionDenied`, as
/// in a read-only directory.
/// Picks the operations that fail: (index, operation name, path).
#[cfg(test)]
type FailWhen = Box<dyn Fn(usize, &str, &Path) -> bool>;

#[cfg(test)]
pub struct FaultyFs {
    fails: FailWhen,
    count: std::cell::Cell<usize>,
}

#[cfg(test)]
impl FaultyFs {
    /// The `fail_at`-th operation fails.
    pub fn new(fail_at: usize) -> Self {
        Self::failing(move |n, _, _| n == fail_at)
    }

    pub fn failing(fails: impl Fn(usize, &str, &Path) -> bool + 'static) -> Self {
        Self { fails: Box::new(fails), count: std::cell::Cell::new(0) }
    }

    fn step(&self, what: &str, path: &Path) -> io::Result<()> {
        let n = self.count.get();
        self.count.set(n + 1);
        if (self.fails)(n, what, path) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("injected failure of {what} `{}`", path.display()),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
impl Fs for FaultyFs {
    fn create_dir(&self, path: &Path) -> io::Result<()> {
        self.step("create_dir", path)?;
        RealFs.create_dir(path)
    }
    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        self.step("create_dir_all", path)?;
        RealFs.create_dir_all(path)
    }
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        // A failed write may leave half a file behind: write half, then fail.
        if let Err(e) = self.step("write", path) {
            RealFs.write(path, &bytes[..bytes.len() / 2])?;
            return Err(e);
        }
        RealFs.write(path, bytes)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.step("rename", from)?;
        RealFs.rename(from, to)
    }
    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        self.step("remove_dir_all", path)?;
        RealFs.remove_dir_all(path)
    }
}
