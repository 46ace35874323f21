//! Writing a chart file atomically, as PNG or SVG. It keeps its own temporary
//! file (not `crate::io`, which chart may not import): plotters' PNG encoder
//! writes to a path.

use super::*;

pub(super) fn render(path: &Path, kind: ChartFormat, spec: &Spec) -> Result<(), ChartError> {
    let plot_w = plot_w_estimate(spec.y2_desc.is_some());
    render_drawing(
        path,
        kind,
        &Lines {
            spec,
            prep: prepare(spec, plot_w),
        },
    )
}

/// Draws `d` to `path` as PNG or SVG, through a temporary file renamed into place.
pub(super) fn render_drawing(
    path: &Path,
    kind: ChartFormat,
    d: &impl Drawing,
) -> Result<(), ChartError> {
    let fail = |reason: String| ChartError::Draw {
        path: path.display().to_string(),
        reason,
    };
    ensure_font().map_err(fail)?;
    let tmp = temp_path(path, kind).map_err(fail)?;
    let result = match kind {
        ChartFormat::Png => write_png(&tmp, d),
        ChartFormat::Svg => write_svg(&tmp, d),
    }
    .and_then(|()| {
        fs::rename(&tmp, path).map_err(|e| format!("cannot rename {}: {e}", tmp.display()))
    });
    if result.is_err() {
        // Best effort: the temporary file may not exist.
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// A fresh name in the target's directory, ending in the format's extension
/// (the PNG encoder picks the format from it).
pub(super) fn temp_path(path: &Path, kind: ChartFormat) -> Result<PathBuf, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| "not a file path".to_string())?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    Ok(dir.join(format!(
        ".{}.{}-{n}.tmp.{}",
        name.to_string_lossy(),
        std::process::id(),
        kind.extension()
    )))
}

pub(super) fn write_png(tmp: &Path, d: &impl Drawing) -> Result<(), String> {
    {
        let root = BitMapBackend::new(tmp, d.size()).into_drawing_area();
        d.draw_on(&root).map_err(|e| format!("cannot draw: {e}"))?;
        root.present().map_err(|e| format!("cannot write: {e}"))?;
    }
    OpenOptions::new()
        .write(true)
        .open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))
}

pub(super) fn write_svg(tmp: &Path, d: &impl Drawing) -> Result<(), String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, d.size()).into_drawing_area();
        d.draw_on(&root).map_err(|e| format!("cannot draw: {e}"))?;
        root.present().map_err(|e| format!("cannot draw: {e}"))?;
    }
    fs::File::create(tmp)
        .and_then(|mut f| {
            f.write_all(svg.as_bytes())?;
            f.sync_all()
        })
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))
}
