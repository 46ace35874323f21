//! The version resource (`VS_VERSIONINFO`): company, description and file version.
//!
//! The resource is a tree of nodes, each `wLength, wValueLength, wType, szKey` (UTF-16),
//! padding to 4 bytes, the value, padding, then its children up to `wLength`:
//!
//! ```text
//! VS_VERSION_INFO (value: VS_FIXEDFILEINFO)
//!   StringFileInfo
//!     040904B0          (a string table per language and code page)
//!       CompanyName = "…", FileDescription = "…", FileVersion = "…", …
//!   VarFileInfo
//! ```
//!
//! Lengths that run past their parent are cut to it, a node shorter than its header ends
//! the list, and only three levels below the root are read: any input ends in linear time.

use super::*;

/// `VS_FIXEDFILEINFO.dwSignature`.
const FIXED_SIGNATURE: u32 = 0xFEEF_04BD;
/// Children read per node, at most.
const MAX_CHILDREN: usize = 256;
/// Characters kept of a key or value.
const MAX_CHARS: usize = 256;

/// What a binary's version resource says about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// `CompanyName`.
    pub company: Option<String>,
    /// `FileDescription`.
    pub description: Option<String>,
    /// `FileVersion` (the string, else the fixed version `a.b.c.d`).
    pub version: Option<String>,
}

impl VersionInfo {
    /// True when no field is known.
    pub fn is_empty(&self) -> bool {
        self.company.is_none() && self.description.is_none() && self.version.is_none()
    }
}

impl fmt::Display for VersionInfo {
    /// The known fields, ` - `-separated: `Basil - WinDivert 2.2 driver - 2.2.0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = [&self.company, &self.description, &self.version]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        f.write_str(&parts.join(" - "))
    }
}

/// One node of the tree.
struct Node {
    key: String,
    /// Byte range of the value.
    value: (usize, usize),
    /// Byte range of the children.
    children: (usize, usize),
    /// Where the next sibling starts.
    next: usize,
}

/// Reads the resource; `None` when it is not a `VS_VERSION_INFO` or says nothing.
pub(super) fn parse(b: &[u8]) -> Option<VersionInfo> {
    let root = node(b, 0, b.len())?;
    if root.key != "VS_VERSION_INFO" {
        return None;
    }
    let mut info = VersionInfo::default();
    for child in children(b, root.children) {
        if child.key != "StringFileInfo" {
            continue;
        }
        for table in children(b, child.children) {
            for s in children(b, table.children) {
                let slot = match s.key.as_str() {
                    "CompanyName" => &mut info.company,
                    "FileDescription" => &mut info.description,
                    "FileVersion" => &mut info.version,
                    _ => continue,
                };
                if slot.is_none() {
                    let text = utf16z(b, s.value.0, s.children.1).0;
                    let text = text.trim();
                    if !text.is_empty() {
                        *slot = Some(text.to_string());
                    }
                }
            }
        }
    }
    if info.version.is_none() {
        info.version = fixed_version(b, root.value);
    }
    (!info.is_empty()).then_some(info)
}

/// `a.b.c.d` from the `VS_FIXEDFILEINFO` value, when it has the signature.
fn fixed_version(b: &[u8], (start, end): (usize, usize)) -> Option<String> {
    let v = b.get(start..end)?;
    if u32_at(v, 0)? != FIXED_SIGNATURE {
        return None;
    }
    let (ms, ls) = (u32_at(v, 8)?, u32_at(v, 12)?);
    Some(format!(
        "{}.{}.{}.{}",
        ms >> 16,
        ms & 0xFFFF,
        ls >> 16,
        ls & 0xFFFF
    ))
}

/// The node at `at`, cut to `end`.
fn node(b: &[u8], at: usize, end: usize) -> Option<Node> {
    let len = usize::from(u16_at(b, at)?);
    let value_len = usize::from(u16_at(b, at + 2)?);
    let text = u16_at(b, at + 4)? == 1;
    if len < 6 {
        return None;
    }
    let node_end = (at + len).min(end).min(b.len());
    let (key, after_key) = utf16z(b, at + 6, node_end);
    let value_start = align4(after_key).min(node_end);
    let value_bytes = if text { value_len * 2 } else { value_len };
    let value_end = (value_start + value_bytes).min(node_end);
    Some(Node {
        key,
        value: (value_start, value_end),
        children: (align4(value_end).min(node_end), node_end),
        next: align4(at + len),
    })
}

/// The nodes in a byte range, in order.
fn children(b: &[u8], (start, end): (usize, usize)) -> Vec<Node> {
    let mut out = Vec::new();
    let mut at = start;
    while at + 6 <= end && out.len() < MAX_CHILDREN {
        let Some(n) = node(b, at, end) else {
            break;
        };
        // `next` is at least `at + 8`: a node is 6 bytes or more, rounded up to 4.
        at = n.next;
        out.push(n);
    }
    out
}

/// UTF-16LE text from `start` to the first NUL (or `end`), at most [`MAX_CHARS`]
/// characters, and the offset after its NUL.
fn utf16z(b: &[u8], start: usize, end: usize) -> (String, usize) {
    let mut units = Vec::new();
    let mut at = start;
    while at + 2 <= end {
        let Some(u) = u16_at(b, at) else {
            break;
        };
        at += 2;
        if u == 0 {
            break;
        }
        if units.len() < MAX_CHARS {
            units.push(u);
        }
    }
    (String::from_utf16_lossy(&units), at)
}

fn align4(x: usize) -> usize {
    x.saturating_add(3) & !3
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
