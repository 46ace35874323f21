//! Which driver owns a pool tag: `pooltag.txt` and `localtag.txt` style files.
//!
//! Two kinds of file map a 4-character pool tag to the binary that allocates with it:
//!
//! * `pooltag.txt`, shipped in the Debugging Tools `triage` folder, with lines of the form
//!   `Tag - binary - description`;
//! * `localtag.txt`, written by `poolmon /c` as `TAG   -     drivername` (no description).
//!
//! Both are read by [`TagDb::add_text`] / [`TagDb::add_file`], which tolerate what real copies
//! contain:
//!
//! * `rem` comment lines (any case; `//` lines are treated as comments too) and blank lines;
//! * irregular padding around the separators (`ACPI - acpi.sys - ACPI`,
//!   `CMSb - nt!cm       - …`, `CMAl - nt!cm        -internal …`, tabs);
//! * indented descriptions, used as a visual hierarchy (`AfdA - afd.sys      -     Afd EA buffer`);
//!   the indentation is dropped;
//! * `<unknown>` as the binary;
//! * wildcard tags (`Afd?`, `Acp*`, `CM??`, `G???`), matched with [`wildcard_match`];
//! * short tags, which mean padded with spaces (`Cc` is the tag `Cc  `);
//! * tags with inner spaces (`Dh 0`). PoolMon's own reader ends the tag at the first space, so it
//!   never maps such tags; this module does: the tag is everything before the first separator;
//! * several entries for one tag (all kept, in file order);
//! * stray lines such as `       <unknown>` and tags longer than 4 characters, which are skipped
//!   and reported as [`TagFileWarning`]s instead of failing the whole file;
//! * ANSI, UTF-8 (with or without BOM) or UTF-16 (with BOM) text and CRLF line ends; invalid
//!   bytes are decoded lossily, so any input is accepted.
//!
//! A *separator* is a `-` preceded by whitespace: ` - `, `   -     `, ` -internal`. A `-` inside a
//! word (`Ip-x`, `foo-bar.sys`) is not a separator.
//!
//! ```text
//! rem <PoolTag> - <binary-name> - <Description>
//! Afd? - afd.sys      - AFD objects
//! AfdA - afd.sys      -     Afd EA buffer
//! Dh 0 - <unknown>    - DirectDraw/3D default object
//! el90   -     el90xbc5
//! ```
//!
//! [`TagDb::describe`] renders the matches the way PoolMon's `Mapped_Driver` column does, one
//! bracket group per entry: `[afd.sys - Afd EA buffer][afd.sys - AFD objects]`. Every matching
//! entry is shown, exact entries first, then wildcard entries from the most to the least specific
//! (PoolMon itself is reported to pick the best wildcard match only).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// Number of characters in a pool tag.
const TAG_LEN: usize = 4;

/// At most this many characters of an offending text are quoted in a [`TagFileWarning`].
const PREVIEW_LEN: usize = 32;

/// One mapping line of a tag file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The tag, padded with spaces to 4 characters; may hold the wildcards `?` and `*`.
    pub pattern: String,
    /// The owning binary as written (`ntfs.sys`, `nt!cm`, `<unknown>`, `el90xbc5`).
    pub binary: String,
    /// The description, trimmed; empty when the line has none (as in `localtag.txt`).
    pub description: String,
    /// 1-based line number in the source it came from.
    pub line: usize,
}

/// A line of a tag file that was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFileWarning {
    /// 1-based line number.
    pub line: usize,
    /// Why the line was skipped.
    pub reason: String,
}

impl fmt::Display for TagFileWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Errors from loading tag files.
#[derive(Debug, thiserror::Error)]
pub enum PoolTagError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// A wildcard entry, with its pattern pre-split for matching.
#[derive(Debug, Clone)]
struct WildEntry {
    /// Index into [`TagDb::entries`].
    index: usize,
    /// Number of `?` and `*` in the pattern; fewer means more specific.
    wildcards: usize,
    /// The pattern's characters.
    chars: Vec<char>,
}

/// Tag-to-driver mappings loaded from one or more tag files.
///
/// Entries from all sources are kept in load order ("file order"). Exact tags are found through a
/// hash map; wildcard entries are scanned linearly.
#[derive(Debug, Default, Clone)]
pub struct TagDb {
    /// Every entry, in load order.
    entries: Vec<Entry>,
    /// Exact (wildcard-free) pattern to indices into `entries`, in load order.
    exact: HashMap<String, Vec<usize>>,
    /// Wildcard entries, in load order.
    wild: Vec<WildEntry>,
    /// The names passed to [`TagDb::add_text`], in load order.
    sources: Vec<String>,
}

impl TagDb {
    /// An empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the tag-file text `bytes` and adds its entries.
    ///
    /// `source` is a path or name recorded in [`TagDb::sources`]. Returns a warning (line number
    /// and reason) for every line that was skipped because it is not a valid entry; comments and
    /// blank lines are skipped silently. The number of entries added is the change in
    /// [`TagDb::len`]. Never fails: undecodable bytes become U+FFFD.
    pub fn add_text(&mut self, source: &str, bytes: &[u8]) -> Vec<TagFileWarning> {
        self.sources.push(source.to_owned());
        let text = decode(bytes);
        let mut warnings = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = index + 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            match parse_line(raw) {
                Parsed::Skip => {}
                Parsed::Entry {
                    pattern,
                    binary,
                    description,
                } => self.push(Entry {
                    pattern,
                    binary,
                    description,
                    line,
                }),
                Parsed::Invalid(reason) => warnings.push(TagFileWarning { line, reason }),
            }
        }
        warnings
    }

    /// Reads the file at `path` and adds its entries, as [`TagDb::add_text`] does.
    ///
    /// # Errors
    ///
    /// [`PoolTagError::Io`] when the file cannot be read.
    pub fn add_file(&mut self, path: &Path) -> Result<Vec<TagFileWarning>, PoolTagError> {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => Ok(self.add_text(&name, &bytes)),
            Err(source) => Err(PoolTagError::Io { path: name, source }),
        }
    }

    /// Number of entries loaded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no entry has been loaded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The source names given to [`TagDb::add_text`] (paths for [`TagDb::add_file`]), in load
    /// order.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// All entries matching `tag`.
    ///
    /// `tag` is given as printed; trailing spaces are optional (`Cc`, `Cc  ` and `Cc    ` are the
    /// same tag), other characters, including leading and inner spaces, are significant and
    /// case-sensitive. A tag longer than 4 characters matches nothing.
    ///
    /// Exact entries come first, in file order, then wildcard entries: fewer wildcard characters
    /// first, file order among equals.
    pub fn lookup(&self, tag: &str) -> Vec<&Entry> {
        let Some(key) = normalize_query(tag) else {
            return Vec::new();
        };
        let mut found: Vec<&Entry> = self
            .exact
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(|&index| self.entries.get(index))
            .collect();
        if !self.wild.is_empty() {
            let key_chars: Vec<char> = key.chars().collect();
            let mut wild: Vec<(usize, &Entry)> = self
                .wild
                .iter()
                .filter(|w| glob(&w.chars, &key_chars))
                .filter_map(|w| Some((w.wildcards, self.entries.get(w.index)?)))
                .collect();
            // Stable: file order is kept among patterns of equal specificity.
            wild.sort_by_key(|&(wildcards, _)| wildcards);
            found.extend(wild.into_iter().map(|(_, entry)| entry));
        }
        found
    }

    /// The driver text poolscan shows for `tag`: one `[…]` group per entry of
    /// [`TagDb::lookup`], e.g. `[ntfs.sys - NTFS stuff][other.sys - x]`; `None` when nothing
    /// matches.
    ///
    /// A group is `binary - description`, or `binary` when the description is empty; when the
    /// binary is `<unknown>` (or empty) and a description exists, the description alone.
    pub fn describe(&self, tag: &str) -> Option<String> {
        let found = self.lookup(tag);
        if found.is_empty() {
            return None;
        }
        let mut out = String::new();
        for entry in found {
            out.push('[');
            push_label(&mut out, entry);
            out.push(']');
        }
        Some(out)
    }

    /// Adds one parsed entry to the entry list and the matching index.
    fn push(&mut self, entry: Entry) {
        let index = self.entries.len();
        let wildcards = wildcard_count(&entry.pattern);
        if wildcards == 0 {
            self.exact
                .entry(entry.pattern.clone())
                .or_default()
                .push(index);
        } else {
            self.wild.push(WildEntry {
                index,
                wildcards,
                chars: entry.pattern.chars().collect(),
            });
        }
        self.entries.push(entry);
    }
}

/// Glob match of a pool-tag pattern against a tag.
///
/// `?` matches exactly one character, `*` any run of characters including none; everything else
/// matches itself, case-sensitively (pool tags are case-sensitive). Both sides are first padded
/// with spaces to 4 characters, so the pattern `Cc` matches only the tag `Cc  `, and `Ac*`
/// (padded to `Ac* `) matches `Ac  ` or `Acx ` but not `Acpi`; `Acp*` matches `Acpi` and `Acp `.
pub fn wildcard_match(pattern: &str, tag: &str) -> bool {
    let pattern: Vec<char> = pad_tag(pattern).chars().collect();
    let tag: Vec<char> = pad_tag(tag).chars().collect();
    glob(&pattern, &tag)
}

/// Glob match on characters: `?` one character, `*` any run. Linear backtracking on the last
/// `*`, so it cannot blow up on long input.
fn glob(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Position of the last `*` seen and the text position it currently absorbs up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, t));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Number of wildcard characters (`?`, `*`) in a pattern.
fn wildcard_count(pattern: &str) -> usize {
    pattern.chars().filter(|&c| c == '?' || c == '*').count()
}

/// `tag` right-padded with spaces to 4 characters (unchanged when already 4 or longer).
fn pad_tag(tag: &str) -> String {
    let mut padded = tag.to_owned();
    for _ in tag.chars().count()..TAG_LEN {
        padded.push(' ');
    }
    padded
}

/// The lookup key for a tag as printed: trailing spaces dropped, then padded to 4; `None` when
/// longer than 4 characters.
fn normalize_query(tag: &str) -> Option<String> {
    let trimmed = tag.trim_end_matches(' ');
    (trimmed.chars().count() <= TAG_LEN).then(|| pad_tag(trimmed))
}

/// Appends the bracket contents for `entry` (see [`TagDb::describe`]).
fn push_label(out: &mut String, entry: &Entry) {
    let unknown = entry.binary.is_empty() || entry.binary.eq_ignore_ascii_case("<unknown>");
    if entry.description.is_empty() {
        out.push_str(&entry.binary);
    } else if unknown {
        out.push_str(&entry.description);
    } else {
        out.push_str(&entry.binary);
        out.push_str(" - ");
        out.push_str(&entry.description);
    }
}

/// Decodes a tag file: UTF-16 when it starts with a UTF-16 BOM, otherwise UTF-8 (BOM dropped)
/// with invalid bytes (ANSI text) replaced by U+FFFD.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        Cow::Owned(decode_utf16(rest, u16::from_le_bytes))
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        Cow::Owned(decode_utf16(rest, u16::from_be_bytes))
    } else {
        String::from_utf8_lossy(bytes)
    }
}

/// Lossy UTF-16 decoding with the given byte order; an odd trailing byte becomes U+FFFD.
fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if bytes.len() % 2 == 1 {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// What one line of a tag file holds.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    /// A blank or comment line.
    Skip,
    /// A mapping.
    Entry {
        pattern: String,
        binary: String,
        description: String,
    },
    /// Not a valid mapping; the reason.
    Invalid(String),
}

/// Parses one line (without its line end).
fn parse_line(raw: &str) -> Parsed {
    let rest = raw.trim_start();
    if rest.is_empty() || is_comment(rest) {
        return Parsed::Skip;
    }
    if rest.starts_with('-') {
        return Parsed::Invalid(format!("no tag before `-`: {}", preview(rest)));
    }
    let Some(sep) = find_separator(rest) else {
        return Parsed::Invalid(format!(
            "not a `Tag - binary - description` line (no ` - ` separator): {}",
            preview(rest)
        ));
    };
    let tag = rest.get(..sep).unwrap_or_default().trim_end();
    if tag.chars().count() > TAG_LEN {
        return Parsed::Invalid(format!(
            "tag {} is longer than {TAG_LEN} characters",
            preview(tag)
        ));
    }
    // The separator `-` is one byte, so `sep + 1` is a character boundary.
    let after = rest.get(sep + 1..).unwrap_or_default();
    let (binary, description) = match find_separator(after) {
        Some(next) => (
            after.get(..next).unwrap_or_default().trim(),
            after.get(next + 1..).unwrap_or_default().trim(),
        ),
        None => (after.trim(), ""),
    };
    if binary.is_empty() && description.is_empty() {
        return Parsed::Invalid(format!(
            "no binary or description after tag {}",
            preview(tag)
        ));
    }
    Parsed::Entry {
        pattern: pad_tag(tag),
        binary: binary.to_owned(),
        description: description.to_owned(),
    }
}

/// True for `rem` (any case) followed by whitespace or the line end, and for `//` lines.
/// `rest` starts with a non-whitespace character.
fn is_comment(rest: &str) -> bool {
    if rest.starts_with("//") {
        return true;
    }
    match (rest.get(..3), rest.get(3..)) {
        (Some(head), Some(tail)) => {
            head.eq_ignore_ascii_case("rem") && tail.chars().next().is_none_or(char::is_whitespace)
        }
        _ => false,
    }
}

/// Byte offset of the first `-` that follows a whitespace character.
fn find_separator(text: &str) -> Option<usize> {
    let mut after_space = false;
    for (offset, c) in text.char_indices() {
        if c == '-' && after_space {
            return Some(offset);
        }
        after_space = c.is_whitespace();
    }
    None
}

/// The start of `text`, quoted and escaped, for a warning.
fn preview(text: &str) -> String {
    let mut shown: String = text.chars().take(PREVIEW_LEN).collect();
    if text.chars().nth(PREVIEW_LEN).is_some() {
        shown.push('…');
    }
    format!("{shown:?}")
}

#[cfg(test)]
mod tests;
