//! One file: read it (when it starts with `MZ`), parse its headers, and count the evidence
//! for each tag (see the module's method).

use std::collections::HashSet;
use std::io::Read;

use super::code::{self, Immediate, Needles};
use super::pe::{self, NotScanned};
use super::*;

/// What became of one file.
#[derive(Debug)]
pub(super) enum Outcome {
    /// A PE image, with its evidence.
    Binary(Binary),
    /// Not a PE image.
    NotPe,
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// `MZ`, but not a readable PE image: `path: reason`.
    Malformed(String),
    /// Could not be read: `path: reason`.
    Unreadable(String),
}

/// Reads and examines the file `path` found under `root`.
pub(super) fn examine(root: &Path, path: &Path, needles: &Needles, discover: bool) -> Outcome {
    let rel = walk::relative(root, path);
    match read(path) {
        Ok(Some(data)) => match evidence(&rel, &data, needles, discover) {
            Ok(b) => Outcome::Binary(b),
            Err(NotScanned::NotPe) => Outcome::NotPe,
            Err(NotScanned::Malformed(why)) => Outcome::Malformed(format!("{rel}: {why}")),
        },
        Ok(None) => Outcome::NotPe,
        Err(Too::Large) => Outcome::TooLarge,
        Err(Too::Unreadable(e)) => Outcome::Unreadable(format!("{rel}: {e}")),
    }
}

/// Why a file was not read.
enum Too {
    Large,
    Unreadable(std::io::Error),
}

/// The whole file when it starts with `MZ`; `None` when it does not (only 2 bytes read).
fn read(path: &Path) -> std::result::Result<Option<Vec<u8>>, Too> {
    let mut f = std::fs::File::open(path).map_err(Too::Unreadable)?;
    let len = f.metadata().map_err(Too::Unreadable)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Too::Large);
    }
    let mut head = [0u8; 2];
    match f.read_exact(&mut head) {
        Ok(()) if &head == b"MZ" => {}
        Ok(()) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(Too::Unreadable(e)),
    }
    let mut data = Vec::with_capacity(len as usize);
    data.extend_from_slice(&head);
    // A file that grows while read is read up to the limit only.
    f.take(MAX_FILE_BYTES - 2)
        .read_to_end(&mut data)
        .map_err(Too::Unreadable)?;
    Ok(Some(data))
}

/// The evidence in one image's bytes; `path` is what [`Binary::path`] will say.
pub(super) fn evidence(
    path: &str,
    data: &[u8],
    needles: &Needles,
    discover: bool,
) -> std::result::Result<Binary, NotScanned> {
    let img = pe::parse(data)?;
    let keep = |v: u32| needles.contains(v) || (discover && Tag::from_value(v).is_plausible());
    let mut imms = Vec::new();
    let mut calls = Vec::new();
    for sec in img.sections.iter().filter(|s| s.exec) {
        code::scan_section(&img, data, sec, &keep, &mut imms, &mut calls);
    }
    calls.sort_unstable();
    let mut hits: BTreeMap<Tag, Hits> = BTreeMap::new();
    // The bytes of immediates already counted, so the byte search does not count them again.
    let mut counted: HashSet<usize> = HashSet::new();
    for (imm, near) in dedup(imms, &calls) {
        let asked = needles.contains(imm.value);
        let tag = Tag::from_value(imm.value);
        if near && (asked || tag.is_plausible()) {
            hits.entry(tag).or_default().near_call += 1;
        } else if asked {
            hits.entry(tag).or_default().code += 1;
        } else {
            continue;
        }
        if let Some(r) = imm.raw {
            counted.insert(r);
        }
    }
    if !needles.is_empty() {
        count_bytes(data, &img.sections, needles, &counted, &mut hits);
    }
    Ok(Binary {
        path: path.to_string(),
        name: path.rsplit('/').next().unwrap_or(path).to_string(),
        arch: img.arch,
        size: data.len() as u64,
        pool_imports: img.pool_imports,
        version: img.version,
        hits,
    })
}

/// The immediates once each (the same bytes can start two encodings), each with whether a
/// pool call follows it within [`NEAR_CALL_BYTES`].
fn dedup(mut imms: Vec<Immediate>, calls: &[usize]) -> Vec<(Immediate, bool)> {
    let near = |imm: &Immediate| {
        let k = calls.partition_point(|&c| c < imm.end);
        calls
            .get(k)
            .is_some_and(|&c| c - imm.end <= code::NEAR_CALL_BYTES)
    };
    imms.sort_by_key(|i| (i.raw.unwrap_or(i.at), i.raw.is_none(), i.value));
    let mut out: Vec<(Immediate, bool)> = Vec::with_capacity(imms.len());
    for imm in imms {
        let n = near(&imm);
        match out.last_mut() {
            Some((prev, prev_near))
                if prev.value == imm.value && prev.raw.is_some() && prev.raw == imm.raw =>
            {
                *prev_near |= n;
            }
            _ => out.push((imm, n)),
        }
    }
    out
}

/// Counts the asked-for tags' bytes not already counted as immediates: in code or in data.
fn count_bytes(
    data: &[u8],
    sections: &[pe::Section],
    needles: &Needles,
    counted: &HashSet<usize>,
    hits: &mut BTreeMap<Tag, Hits>,
) {
    let mut exec: Vec<(usize, usize)> = sections
        .iter()
        .filter(|s| s.exec)
        .map(|s| (s.offset, s.offset + s.len))
        .collect();
    exec.sort_unstable();
    let in_code = |i: usize| {
        let k = exec.partition_point(|&(start, _)| start <= i);
        k > 0 && i < exec[k - 1].1
    };
    for (i, w) in data.windows(4).enumerate() {
        if !needles.may_start(u16::from_le_bytes([w[0], w[1]])) {
            continue;
        }
        let v = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        if !needles.contains(v) || counted.contains(&i) {
            continue;
        }
        let h = hits.entry(Tag::from_value(v)).or_default();
        if in_code(i) {
            h.code += 1;
        } else {
            h.data += 1;
        }
    }
}
