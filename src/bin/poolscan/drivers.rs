//! `--drivers DIR`: scanning a folder of driver binaries, for `poolscan tags` (candidates
//! with their evidence, localtag.txt) and for `analyze` and `fleet` (naming suspects).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use poolscan::drivers::{self, Query, Scan, Tag};

use crate::run::Ui;

/// Scans `dir` for `query`, with a one-line summary (and the first skip reasons) on stderr.
pub fn scan(dir: &Path, query: &Query, ui: &Ui) -> Result<Scan> {
    let start = Instant::now();
    let scan = drivers::scan(dir, query)
        .with_context(|| format!("scanning the driver folder {}", dir.display()))?;
    if !ui.quiet {
        let s = &scan.skipped;
        let mut skipped = vec![format!("{} not PE", s.not_pe)];
        for (n, what) in [
            (s.malformed, "malformed"),
            (s.unreadable, "unreadable"),
            (s.too_large, "too large"),
        ] {
            if n > 0 {
                skipped.push(format!("{n} {what}"));
            }
        }
        eprintln!(
            "{}: {} files, {} PE images ({:.1} MiB) scanned in {:.2} s; skipped {}",
            dir.display(),
            scan.files,
            scan.binaries.len(),
            scan.bytes as f64 / (1u64 << 20) as f64,
            start.elapsed().as_secs_f64(),
            skipped.join(", ")
        );
        for n in scan.notes.iter().take(5) {
            eprintln!("  skipped {n}");
        }
    }
    Ok(scan)
}

/// `tags … --drivers DIR`: the candidates of each tag, best first, at most `top` of them.
pub fn print_candidates(
    out: &mut impl Write,
    scan: &Scan,
    tags: &[String],
    top: usize,
) -> Result<()> {
    for printed in tags {
        let Some(tag) = Tag::parse(printed) else {
            writeln!(out, "{printed}: not a pool tag (longer than 4 characters)")?;
            continue;
        };
        let found = scan.candidates(tag);
        if found.is_empty() {
            writeln!(out, "{tag}: in no binary")?;
            continue;
        }
        let n = found.len();
        writeln!(out, "{tag}: {n} candidate{}", if n == 1 { "" } else { "s" })?;
        for (i, c) in found.iter().take(top).enumerate() {
            let h = c.hits;
            writeln!(
                out,
                "  {}. {}  {} {}  ({} near a pool call, {} elsewhere in code, {} in data)",
                i + 1,
                c.binary.path,
                c.confidence.name(),
                c.score,
                h.near_call,
                h.code,
                h.data
            )?;
            let imports = if c.binary.pool_imports.is_empty() {
                "no pool import".to_string()
            } else {
                format!("imports {}", c.binary.pool_imports.join(", "))
            };
            let version = c
                .binary
                .version
                .as_ref()
                .map(|v| format!("; {v}"))
                .unwrap_or_default();
            writeln!(out, "     {}; {imports}{version}", c.binary.arch.name())?;
        }
        if n > top {
            writeln!(out, "  ... and {} more (--top)", n - top)?;
        }
    }
    Ok(())
}

/// `tags --drivers DIR --write-localtag FILE`: writes the map, atomically.
pub fn write_localtag(path: &Path, scan: &Scan, ui: &Ui) -> Result<()> {
    let text = scan.localtag();
    poolscan::io::write_file(path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|source| poolscan::Error::Write {
                path: path.to_path_buf(),
                source,
            })
    })
    .with_context(|| format!("writing {}", path.display()))?;
    if !ui.quiet {
        let n = text.lines().count();
        eprintln!(
            "wrote {} ({n} line{}: tags next to a pool call, with their binaries)",
            path.display(),
            if n == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// `analyze`/`fleet --drivers`: the scan for the suspects' tags; `None` (and no scan) when
/// every suspect already has a driver.
pub fn for_suspects(dir: &Path, tags: &[String], ui: &Ui) -> Result<Option<Scan>> {
    if tags.is_empty() {
        if !ui.quiet {
            eprintln!("--drivers: every suspect already has a driver name: no scan");
        }
        return Ok(None);
    }
    scan(dir, &Query::tags(tags), ui).map(Some)
}

/// `analyze`/`fleet --drivers`: how many suspects the scan named.
pub fn named_note(series: usize, tags: usize, ui: &Ui) {
    if !ui.quiet {
        eprintln!(
            "--drivers: {series} suspect series named from the binaries ({tags} tag{} without a driver looked for)",
            if tags == 1 { "" } else { "s" }
        );
    }
}
