//! Atomic output: every file is written to a temporary file beside its
//! target, flushed, then renamed into place, so a crash or a full disk never
//! leaves half a report where the report should be.
//!
//! A target that is a symbolic link is written through: the file it points
//! to is replaced, the link is kept. A target that exists and is not a
//! regular file (`/dev/null`, `/dev/stdout` on a pipe, a FIFO) is opened and
//! written directly: renaming over it would replace a device node.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

fn temp_beside(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = format!(".{name}.{}.{suffix}", std::process::id());
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(tmp),
        _ => PathBuf::from(tmp),
    }
}

/// Writes `path` atomically: `f` writes into a temporary file in the same
/// directory, which is renamed over `path` only when `f` and the flush succeed.
pub fn write_file<F>(path: &Path, f: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let special = fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if special {
        let file = fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(werr)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        f(&mut w)?;
        return w.flush().map_err(werr);
    }
    let resolved = if is_link {
        fs::canonicalize(path).ok()
    } else {
        None
    };
    let target = resolved.as_deref().unwrap_or(path);
    let tmp = temp_beside(target, "tmp");
    let file = File::create(&tmp).map_err(werr)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let res = f(&mut w)
        .and_then(|_| w.flush().map_err(werr))
        .and_then(|_| w.get_ref().sync_all().map_err(werr));
    drop(w);
    match res {
        Ok(()) => fs::rename(&tmp, target).map_err(|source| {
            let _ = fs::remove_file(&tmp);
            Error::Write {
                path: path.to_path_buf(),
                source,
            }
        }),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes bytes to `path` atomically.
pub(crate) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file(path, |w| {
        w.write_all(bytes).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Creates a fresh temporary directory beside `dir`, for a bundle that is
/// renamed into place by [`commit_dir`].
pub(crate) fn temp_dir_beside(dir: &Path) -> Result<PathBuf> {
    let tmp = temp_beside(dir, "partial");
    if tmp.exists() {
        let _ = fs::remove_dir_all(&tmp);
    }
    fs::create_dir_all(&tmp).map_err(|source| Error::Write {
        path: tmp.clone(),
        source,
    })?;
    Ok(tmp)
}

/// Writes a whole directory atomically: `fill` writes into a fresh temporary
/// directory beside `dir`, which then replaces `dir`; on an error the
/// temporary directory is removed and `dir` is left as it was.
pub fn write_dir<T>(dir: &Path, fill: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let tmp = temp_dir_beside(dir)?;
    match fill(&tmp) {
        Ok(v) => {
            commit_dir(&tmp, dir)?;
            Ok(v)
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Moves a finished temporary directory to `dir`, replacing an existing one.
pub(crate) fn commit_dir(tmp: &Path, dir: &Path) -> Result<()> {
    if dir.exists() {
        let old = temp_beside(dir, "old");
        let _ = fs::remove_dir_all(&old);
        fs::rename(dir, &old).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        if let Err(source) = fs::rename(tmp, dir) {
            // Put the old directory back rather than leave neither.
            let _ = fs::rename(&old, dir);
            return Err(Error::Write {
                path: dir.to_path_buf(),
                source,
            });
        }
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(tmp, dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

/// What poolscan writes at the top of an output directory: an `analyze`
/// bundle, a `fleet` bundle, or an `export --partition-by` dataset.
const OUTPUT_MARKERS: [&str; 7] = [
    "report.json",
    "report.md",
    "fleet.json",
    "fleet.md",
    "samples",
    "snapshots",
    "analysis",
];

/// Refuses an existing non-empty DIR unless `force`; even with `force`, only
/// a directory that poolscan wrote (it holds `report.json`, `fleet.json` or a
/// dataset table) is replaced, so a mistyped `--out ~ --force` deletes nothing.
pub fn check_target(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::Invalid(format!(
                "{}: exists and is not a directory",
                dir.display()
            )));
        }
        let empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !force {
            return Err(Error::Invalid(format!(
                "{}: directory is not empty (use --force to replace it)",
                dir.display()
            )));
        }
        if !empty && !OUTPUT_MARKERS.iter().any(|m| dir.join(m).exists()) {
            return Err(Error::Invalid(format!(
                "{}: not a directory poolscan wrote (no report.json, fleet.json or dataset tables): \
                 --force only replaces poolscan's own output; remove it yourself or choose another directory",
                dir.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt;

    #[test]
    fn failed_write_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.csv");
        let r = write_file(&p, |_| Err(Error::Invalid("boom".into())));
        assert!(r.is_err());
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 0);
        write_bytes(&p, b"ok").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"ok");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_in_place_and_links_through() {
        write_bytes(Path::new("/dev/null"), b"gone").unwrap();
        assert!(fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        let full = write_bytes(Path::new("/dev/full"), &[b'x'; 4096]);
        assert!(matches!(full, Err(Error::Write { .. })), "{full:?}");
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.csv");
        let link = d.path().join("link.csv");
        fs::write(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_bytes(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 2);
    }
}
