//! Atomic file writes: write a temporary file beside the target, fsync it, rename it over the
//! target, fsync the directory. A crash at any point leaves either the old file or the new one,
//! never a half-written one. Every file the library or CLI writes goes through [`write()`], or
//! [`write_new()`] where an existing file must never be replaced.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `bytes` to a new, synced temporary file beside `path`; returns it and the directory.
fn stage(path: &Path, bytes: &[u8], mode: u32) -> Result<(PathBuf, PathBuf)> {
    let ctx = ctx(path);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::env::current_dir().map_err(&ctx)?,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let mut tmp_path = None;
    for attempt in 0..16u32 {
        let candidate = dir.join(format!(
            ".{name}.tmp-{}-{}-{attempt}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        match opts.open(&candidate) {
            Ok(mut f) => {
                let result = f.write_all(bytes).and_then(|_| f.sync_all());
                if let Err(e) = result {
                    let _ = fs::remove_file(&candidate);
                    return Err(ctx(e));
                }
                tmp_path = Some(candidate);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(ctx(e)),
        }
    }
    let tmp = tmp_path.ok_or_else(|| {
        Error::new(
            crate::ErrorKind::Io,
            format!("could not create a temporary file in {}", dir.display()),
        )
    })?;
    Ok((tmp, dir))
}

fn ctx(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::from(e).context(format!("while writing {}", path.display()))
}

/// Persists a rename or link in `dir`. Directories cannot be opened for sync everywhere; best
/// effort.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Atomically replaces `path` with `bytes`. On Unix the file gets `mode` permissions
/// (e.g. `0o600` for secret keys) before any byte is written.
///
/// # Example
/// ```
/// let dir = std::env::temp_dir().join(format!("ob-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("list.json");
/// openbadges::atomic_file::write(&path, b"{}", 0o644)?;
/// assert_eq!(std::fs::read(&path)?, b"{}");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let (tmp, dir) = stage(path, bytes, mode)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(ctx(path)(e));
    }
    sync_dir(&dir);
    Ok(())
}

/// Atomically creates `path` with `bytes`, never replacing an existing file: the complete file
/// appears under its name or nothing does, and if `path` exists (even when it appears while
/// writing) the error's [`crate::ErrorKind`] is `Usage` and it says so. For files that must not
/// be overwritten by mistake, such as a new secret key.
///
/// # Example
/// ```
/// let dir = std::env::temp_dir().join(format!("ob-doc-new-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("key.json");
/// openbadges::atomic_file::write_new(&path, b"{}", 0o600)?;
/// let again = openbadges::atomic_file::write_new(&path, b"[]", 0o600).unwrap_err();
/// assert!(again.to_string().contains("already exists"));
/// assert_eq!(std::fs::read(&path)?, b"{}");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let (tmp, dir) = stage(path, bytes, mode)?;
    // A hard link, unlike a rename, fails when the target exists: no check-then-write race.
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(&dir);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::new(
            crate::ErrorKind::Usage,
            format!(
                "{} already exists; it is never replaced (remove it first)",
                path.display()
            ),
        )),
        Err(e) => Err(ctx(path)(e)),
    }
}
