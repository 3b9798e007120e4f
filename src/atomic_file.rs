//! Atomic file writes: write a temporary file beside the target, fsync it, rename it over the
//! target, fsync the directory. A crash at any point leaves either the old file or the new one,
//! never a half-written one. Every file the library or CLI writes goes through [`write()`].

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

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
    let ctx =
        |e: std::io::Error| Error::from(e).context(format!("while writing {}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::env::current_dir().map_err(ctx)?,
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
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(ctx(e));
    }
    // Persist the rename itself. Directories cannot be opened for sync everywhere; best effort.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
