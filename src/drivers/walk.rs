//! The regular files under a folder, recursively, in a stable order.

use super::*;

/// Folders deeper than this under the root are not entered (a `System32\drivers` copy is
/// 3 deep; the DriverStore about 5).
const MAX_DEPTH: usize = 32;

/// Every regular file under `root` (or `root` itself when it is a file), sorted by path.
///
/// Links to files are followed, links to directories are not (no cycles). Entries that
/// cannot be listed below the root are left out; the root itself must be readable.
pub(super) fn files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(root)?;
    if meta.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    let mut first = true;
    while let Some((dir, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if first => return Err(e),
            Err(_) => continue,
        };
        first = false;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if depth < MAX_DEPTH {
                    stack.push((path, depth + 1));
                }
            } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `path` relative to `root`, with `/` between components (the whole path when it is not
/// under `root`, as when `root` is the file itself: then its file name).
pub(super) fn relative(root: &Path, path: &Path) -> String {
    let rel = match path.strip_prefix(root) {
        Ok(r) if !r.as_os_str().is_empty() => r,
        _ => path.file_name().map(Path::new).unwrap_or(path),
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
