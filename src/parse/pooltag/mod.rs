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
//!   and reported as [`Warning`]s instead of failing the whole file;
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

/// At most this many characters of an offending text are quoted in a [`Warning`].
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
pub struct Warning {
    /// 1-based line number.
    pub line: usize,
    /// Why the line was skipped.
    pub reason: String,
}

impl fmt::Display for Warning {
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
    pub fn add_text(&mut self, source: &str, bytes: &[u8]) -> Vec<Warning> {
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
                Parsed::Invalid(reason) => warnings.push(Warning { line, reason }),
            }
        }
        warnings
    }

    /// Reads the file at `path` and adds its entries, as [`TagDb::add_text`] does.
    ///
    /// # Errors
    ///
    /// [`PoolTagError::Io`] when the file cannot be read.
    pub fn add_file(&mut self, path: &Path) -> Result<Vec<Warning>, PoolTagError> {
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
mod tests {
    use super::*;

    const S19A: &[u8] = include_bytes!("../fixtures/pooltag/19a-pooltag-rktools2k3-head.txt");
    const S19B: &[u8] = include_bytes!("../fixtures/pooltag/19b-pooltag-rktools2k3-cache-cm.txt");
    const S19C: &[u8] = include_bytes!("../fixtures/pooltag/19c-pooltag-rktools2k3-cm-block.txt");
    const S19D: &[u8] = include_bytes!("../fixtures/pooltag/19d-pooltag-rktools2k3-dh-and-gdi.txt");
    const S20: &[u8] = include_bytes!("../fixtures/pooltag/20-pooltag-modern-header-blogcopy.txt");

    /// A database loaded from `text`, with its warnings.
    fn load(text: &str) -> (TagDb, Vec<Warning>) {
        let mut db = TagDb::new();
        let warnings = db.add_text("test", text.as_bytes());
        (db, warnings)
    }

    fn describe(db: &TagDb, tag: &str) -> String {
        db.describe(tag).unwrap_or_default()
    }

    fn patterns(found: &[&Entry]) -> Vec<String> {
        found.iter().map(|e| e.pattern.clone()).collect()
    }

    #[test]
    fn sample_19a_rem_header_wildcards_and_padding() {
        let mut db = TagDb::new();
        let warnings = db.add_text("19a", S19A);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(db.len(), 16);
        // 13 rem lines and 3 blank lines come first.
        assert_eq!(db.lookup("8042")[0].line, 17);
        assert_eq!(describe(&db, "8042"), "[i8042prt.sys - PS/2 kb and mouse]");
        assert_eq!(describe(&db, "ARPC"), "[atmarpc.sys - ATM ARP Client]");
        assert_eq!(describe(&db, "Atom"), "[Atom Tables]");
        // `ACPI - acpi.sys - ACPI` (narrow padding); `Acp*` does not match: case-sensitive.
        assert_eq!(describe(&db, "ACPI"), "[acpi.sys - ACPI]");
        assert_eq!(describe(&db, "Acpx"), "[acpi.sys - ACPI Pooltags]");
        // Indented child description, then its `Afd?` parent.
        assert_eq!(
            describe(&db, "AfdA"),
            "[afd.sys - Afd EA buffer][afd.sys - AFD objects]"
        );
        assert_eq!(describe(&db, "AfdZ"), "[afd.sys - AFD objects]");
        // `?` also matches the padding space of the 3-character tag `Afd `.
        assert_eq!(describe(&db, "Afd"), "[afd.sys - AFD objects]");
        assert_eq!(db.describe("Af"), None);
        assert_eq!(db.describe("rem"), None);
    }

    #[test]
    fn sample_19b_case_sensitive_and_short_tag() {
        let mut db = TagDb::new();
        assert!(db.add_text("19b", S19B).is_empty());
        assert_eq!(db.len(), 5);
        assert_eq!(
            describe(&db, "Call"),
            "[nt!ex - kernel callback object signature]"
        );
        assert_eq!(describe(&db, "call"), "[debugging call tables]");
        assert_eq!(db.describe("CALL"), None);
        let cc = db.lookup("Cc");
        assert_eq!(patterns(&cc), ["Cc  "]);
        assert_eq!(cc[0].line, 4);
        assert_eq!(
            describe(&db, "Cc  "),
            "[nt!cc - Cache Manager allocations (catch-all)]"
        );
        assert_eq!(
            describe(&db, "CcBc"),
            "[nt!cc - Cache Manager Bcb from pool]"
        );
    }

    #[test]
    fn sample_19c_cm_wildcard_and_irregular_separators() {
        let mut db = TagDb::new();
        assert!(db.add_text("19c", S19C).is_empty());
        assert_eq!(db.len(), 24);
        // `CMSb - nt!cm       - …` (one space less before the dash).
        assert_eq!(
            describe(&db, "CMSb"),
            "[nt!cm - internal stash buffer pool tag][nt!cm - Internal Configuration manager allocations]"
        );
        // `CMAl - nt!cm        -internal …` (no space after the dash).
        let cmal = db.lookup("CMAl");
        assert_eq!(cmal[0].binary, "nt!cm");
        assert_eq!(
            cmal[0].description,
            "internal registry memory allocator pool tag"
        );
        assert_eq!(patterns(&cmal), ["CMAl", "CM??"]);
        // `CM??` also covers the padded `CM  ` tag, after the exact entry.
        assert_eq!(patterns(&db.lookup("CM")), ["CM  ", "CM??"]);
        assert_eq!(
            describe(&db, "CMzz"),
            "[nt!cm - Internal Configuration manager allocations]"
        );
        // `CmcD` is not `CM??` (case-sensitive).
        assert_eq!(patterns(&db.lookup("CmcD")), ["CmcD"]);
        assert_eq!(
            describe(&db, "COMX"),
            "[serial.sys - serial driver allocations]"
        );
    }

    #[test]
    fn sample_19d_inner_space_tags_stray_line_and_gdi() {
        let mut db = TagDb::new();
        let warnings = db.add_text("19d", S19D);
        assert_eq!(db.len(), 10);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].line, 9);
        assert!(warnings[0].reason.contains("<unknown>"), "{warnings:?}");
        for (tag, what) in [
            ("Dh 0", "default"),
            ("Dh 1", "DirectDraw"),
            ("Dh 5", "MotionComp"),
        ] {
            assert_eq!(
                describe(&db, tag),
                format!("[DirectDraw/3D {what} object]"),
                "{tag}"
            );
        }
        assert_eq!(db.describe("Dh"), None);
        assert_eq!(describe(&db, "FtV"), "[Fault tolerance driver]");
        assert_eq!(describe(&db, "G"), "[Gdi Generic allocations][Gdi Objects]");
        assert_eq!(describe(&db, "Gcac"), "[Gdi glyph cache][Gdi Objects]");
        assert_eq!(describe(&db, "Gh05"), "[Gdi Objects]");
        assert_eq!(db.lookup("Gcac")[0].line, 12);
    }

    #[test]
    fn sample_20_modern_header() {
        let mut db = TagDb::new();
        assert!(db.add_text("20", S20).is_empty());
        assert_eq!(db.len(), 1);
        let found = db.lookup("AdSv");
        assert_eq!(found[0].line, 15);
        assert_eq!(
            describe(&db, "AdSv"),
            "[vmsrvc.sys - Virtual Machines Additions Service]"
        );
    }

    #[test]
    fn all_samples_in_one_db_keep_sources_and_lines() {
        let mut db = TagDb::new();
        let mut warnings = 0;
        for (name, bytes) in [
            ("19a", S19A),
            ("19b", S19B),
            ("19c", S19C),
            ("19d", S19D),
            ("20", S20),
        ] {
            warnings += db.add_text(name, bytes).len();
        }
        assert_eq!(db.len(), 16 + 5 + 24 + 10 + 1);
        assert_eq!(warnings, 1);
        assert_eq!(db.sources(), ["19a", "19b", "19c", "19d", "20"]);
        // Lines are per source: `CM  ` is line 1 of 19c.
        assert_eq!(db.lookup("CM")[0].line, 1);
        assert_eq!(describe(&db, "Gcac"), "[Gdi glyph cache][Gdi Objects]");
    }

    #[test]
    fn rem_and_comment_lines_any_case() {
        let (db, warnings) = load(
            "rem\nREM upper\nRem    Mixed - a - b\n   rem indented\n\
             rem\tTab - x.sys - y\n// slashes - a - b\nremX - rx.sys - real tag\n",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(db.len(), 1);
        assert_eq!(describe(&db, "remX"), "[rx.sys - real tag]");
        assert_eq!(db.lookup("remX")[0].line, 7);
    }

    #[test]
    fn blank_and_whitespace_lines_are_silent() {
        let (db, warnings) = load("\n   \n\t\n\r\n");
        assert!(db.is_empty());
        assert!(warnings.is_empty());
    }

    #[test]
    fn irregular_padding_and_tabs() {
        let (db, warnings) = load(
            "Abcd    -    a.sys    -    desc   \n\
             Tabs\t-\tt.sys\t-\tTabbed\n\
             Nosp -b.sys -c\n\
             Wide - w.sys - two  inner  gaps\n",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(describe(&db, "Abcd"), "[a.sys - desc]");
        assert_eq!(describe(&db, "Tabs"), "[t.sys - Tabbed]");
        assert_eq!(describe(&db, "Nosp"), "[b.sys - c]");
        assert_eq!(describe(&db, "Wide"), "[w.sys - two  inner  gaps]");
    }

    #[test]
    fn dash_inside_words_is_not_a_separator() {
        let (db, warnings) = load("Ip-x - foo-bar.sys - one - two\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        let found = db.lookup("Ip-x");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].binary, "foo-bar.sys");
        assert_eq!(found[0].description, "one - two");
    }

    #[test]
    fn tags_with_inner_spaces() {
        let (db, warnings) = load(
            "Dh 0 - <unknown>    - DirectDraw/3D default object\n\
             A  B - ab.sys - spaced\n",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(patterns(&db.lookup("Dh 0")), ["Dh 0"]);
        assert_eq!(patterns(&db.lookup("Dh 0   ")), ["Dh 0"]);
        assert!(db.lookup("Dh").is_empty());
        assert!(db.lookup("Dh0").is_empty());
        assert_eq!(describe(&db, "A  B"), "[ab.sys - spaced]");
    }

    #[test]
    fn short_tags_are_space_padded() {
        let (db, _) = load("Cc   - nt!cc - cache\nG - g.sys - gee\nIo - io.sys\n");
        for query in ["Cc", "Cc ", "Cc  ", "Cc      "] {
            assert_eq!(describe(&db, query), "[nt!cc - cache]", "{query:?}");
        }
        assert_eq!(db.lookup("G")[0].pattern, "G   ");
        assert_eq!(describe(&db, "Io  "), "[io.sys]");
        assert!(db.lookup("Cc x").is_empty());
        assert!(
            db.lookup(" Cc").is_empty(),
            "leading spaces are significant"
        );
    }

    #[test]
    fn wildcard_match_rules() {
        assert!(wildcard_match("Afd?", "AfdA"));
        assert!(
            wildcard_match("Afd?", "Afd"),
            "`?` matches the padding space"
        );
        assert!(wildcard_match("Afd?", "Afd "));
        assert!(!wildcard_match("Afd?", "Af"));
        assert!(!wildcard_match("Afd?", "afdA"), "case-sensitive");
        assert!(wildcard_match("G???", "Gh05"));
        assert!(wildcard_match("G???", "G"));
        assert!(wildcard_match("Acp*", "Acpi"));
        assert!(
            wildcard_match("Acp*", "Acp"),
            "`*` matches the padding space"
        );
        assert!(wildcard_match("A*", "A   "));
        assert!(!wildcard_match("A*", "Abcd"), "`A*` is padded to `A*  `");
        assert!(wildcard_match("A*  ", "Ab  "));
        assert!(!wildcard_match("A*d", "Abcd"), "`A*d` is padded to `A*d `");
        assert!(wildcard_match("A**d", "Abcd"));
        assert!(wildcard_match("*", "    "));
        assert!(wildcard_match("****", "wxyz"));
        assert!(!wildcard_match("*cd", "abcd"), "`*cd` is padded to `*cd `");
        assert!(wildcard_match("**cd", "abcd"));
        assert!(wildcard_match("*?c?", "abcd"));
        assert!(!wildcard_match("*x", "abcd"));
        assert!(wildcard_match("Cc", "Cc  "));
        assert!(!wildcard_match("Cc", "Ccx "));
        assert!(wildcard_match("Ab*d", "Ab*d"), "a literal `*` in the tag");
        assert!(wildcard_match("", ""));
    }

    #[test]
    fn wildcard_entries_sorted_by_specificity_then_file_order() {
        let (db, warnings) = load(
            "A??c - two1.sys\n\
             Ab** - two2.sys\n\
             ???? - four.sys\n\
             Ab?c - one.sys\n\
             Abxc - exact1.sys\n\
             Ab*c - one2.sys\n\
             Abxc - exact2.sys\n",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            patterns(&db.lookup("Abxc")),
            ["Abxc", "Abxc", "Ab?c", "Ab*c", "A??c", "Ab**", "????"]
        );
        assert_eq!(
            describe(&db, "Abxc"),
            "[exact1.sys][exact2.sys][one.sys][one2.sys][two1.sys][two2.sys][four.sys]"
        );
        assert_eq!(patterns(&db.lookup("zzzz")), ["????"]);
    }

    #[test]
    fn duplicates_concatenate_in_file_order() {
        // S 05: `poolmon /c /g` shows the localtag.txt entry, then the pooltag.txt entry.
        let mut db = TagDb::new();
        assert!(db
            .add_text("localtag.txt", b"IpEQ   -     ipsec\n")
            .is_empty());
        assert!(db
            .add_text("pooltag.txt", b"IpEQ - ipsec.sys    -  event queue\n")
            .is_empty());
        assert_eq!(describe(&db, "IpEQ"), "[ipsec][ipsec.sys - event queue]");
        let (db, _) = load("Dup  - a.sys - first\nOthr - o.sys\nDup  - b.sys - second\n");
        assert_eq!(describe(&db, "Dup"), "[a.sys - first][b.sys - second]");
        assert_eq!(
            db.lookup("Dup").iter().map(|e| e.line).collect::<Vec<_>>(),
            [1, 3]
        );
    }

    #[test]
    fn localtag_lines() {
        // poolmon /c writes "%s   -     %s\n".
        let text = format!("{}   -     {}\n", "el90", "el90xbc5");
        assert_eq!(text, "el90   -     el90xbc5\n");
        let (db, warnings) = load(&text);
        assert!(warnings.is_empty());
        let found = db.lookup("el90");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].binary, "el90xbc5");
        assert_eq!(found[0].description, "");
        assert_eq!(describe(&db, "el90"), "[el90xbc5]");
    }

    #[test]
    fn describe_formats() {
        let (db, _) = load(
            "Unkd - <unknown> - Only description\n\
             Unkn - <unknown>\n\
             Upcs - <UNKNOWN> - Upper\n\
             Bin  - bin.sys\n\
             Both - both.sys - Full\n\
             NoBn -  - description only\n",
        );
        assert_eq!(describe(&db, "Unkd"), "[Only description]");
        assert_eq!(describe(&db, "Unkn"), "[<unknown>]");
        assert_eq!(describe(&db, "Upcs"), "[Upper]");
        assert_eq!(describe(&db, "Bin"), "[bin.sys]");
        assert_eq!(describe(&db, "Both"), "[both.sys - Full]");
        assert_eq!(describe(&db, "NoBn"), "[description only]");
        assert_eq!(db.describe("None"), None);
    }

    #[test]
    fn crlf_line_ends() {
        let (db, warnings) = load("rem header\r\n\r\nAbcd - a.sys - desc\r\nEl90   -     el90\r\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        let found = db.lookup("Abcd");
        assert_eq!(found[0].line, 3);
        assert_eq!(found[0].description, "desc");
        assert_eq!(db.lookup("El90")[0].binary, "el90");
    }

    #[test]
    fn utf8_bom() {
        let mut db = TagDb::new();
        let warnings = db.add_text("bom", b"\xEF\xBB\xBFrem x\r\nAbcd - a.sys - d\r\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(describe(&db, "Abcd"), "[a.sys - d]");
        // A BOM before a tag must not become part of the tag.
        let mut db = TagDb::new();
        assert!(db.add_text("bom", b"\xEF\xBB\xBFWxyz - w.sys\n").is_empty());
        assert_eq!(describe(&db, "Wxyz"), "[w.sys]");
    }

    #[test]
    fn utf16_with_bom() {
        let text = "rem u16\r\nUtfA - u.sys - wide\r\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        for bytes in [le, be] {
            let mut db = TagDb::new();
            assert!(db.add_text("u16", &bytes).is_empty());
            assert_eq!(describe(&db, "UtfA"), "[u.sys - wide]");
            assert_eq!(db.lookup("UtfA")[0].line, 2);
        }
        // Odd length and unpaired surrogate: no panic.
        let mut db = TagDb::new();
        db.add_text("u16", &[0xFF, 0xFE, 0x00, 0xD8, 0x41]);
    }

    #[test]
    fn ansi_bytes_are_decoded_lossily() {
        let mut db = TagDb::new();
        let warnings = db.add_text("ansi", b"Adbe - <unknown> - Adobe\x92s font driver\n");
        assert!(warnings.is_empty());
        assert_eq!(describe(&db, "Adbe"), "[Adobe\u{FFFD}s font driver]");
    }

    #[test]
    fn overlong_tags_are_skipped_with_a_warning() {
        let (db, warnings) = load(
            "ABCDE - x.sys - five\n\
             Okay - ok.sys\n\
             Dh 0x - y.sys - five with a space\n\
             Overlongtagtextthatgoesonandonandonandon - z.sys\n",
        );
        assert_eq!(db.len(), 1);
        assert_eq!(
            warnings.iter().map(|w| w.line).collect::<Vec<_>>(),
            [1, 3, 4]
        );
        assert!(warnings.iter().all(|w| w.reason.contains("longer than 4")));
        assert!(warnings[0].reason.contains("\"ABCDE\""));
        assert!(warnings[2].reason.contains('…'), "long text is cut");
        assert!(db.lookup("ABCD").is_empty());
        assert_eq!(
            warnings[0].to_string(),
            format!("line 1: {}", warnings[0].reason)
        );
    }

    #[test]
    fn malformed_lines_warn_without_panic() {
        let lines = [
            "       <unknown>",
            "- orphan description",
            "   -     indented orphan",
            "ABCD",
            "ABCD -",
            "ABCD -   -   ",
            "-----",
            "ABCD-x.sys-desc",
        ];
        for line in lines {
            let (db, warnings) = load(line);
            assert!(db.is_empty(), "{line:?} gave {:?}", db.lookup("ABCD"));
            assert_eq!(warnings.len(), 1, "{line:?}");
            assert_eq!(warnings[0].line, 1);
        }
    }

    #[test]
    fn overlong_queries_match_nothing() {
        let (db, _) = load("???? - any.sys\n");
        assert!(db.lookup("ABCDE").is_empty());
        assert_eq!(db.describe("ABCDE"), None);
        assert_eq!(describe(&db, "ABCD"), "[any.sys]");
        assert_eq!(describe(&db, ""), "[any.sys]", "empty = four spaces");
    }

    #[test]
    fn empty_db() {
        let db = TagDb::new();
        assert!(db.is_empty());
        assert_eq!(db.len(), 0);
        assert!(db.lookup("Abcd").is_empty());
        assert_eq!(db.describe("Abcd"), None);
        assert!(db.sources().is_empty());
        let mut db = TagDb::default();
        assert!(db.add_text("empty", b"").is_empty());
        assert!(db.is_empty());
        assert_eq!(db.sources(), ["empty"]);
    }

    #[test]
    fn add_file_reads_and_reports_missing_files() {
        let dir = std::env::temp_dir().join(format!("poolscan-pooltag-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pooltag.txt");
        std::fs::write(
            &path,
            b"rem x\r\nFile - f.sys - from disk\r\n       <unknown>\r\n",
        )
        .unwrap();
        let mut db = TagDb::new();
        let warnings = db.add_file(&path).unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 3);
        assert_eq!(describe(&db, "File"), "[f.sys - from disk]");
        assert_eq!(db.sources(), [path.display().to_string()]);

        let missing = dir.join("missing.txt");
        let err = db.add_file(&missing).unwrap_err();
        let PoolTagError::Io {
            path: shown,
            source,
        } = &err;
        assert_eq!(shown, &missing.display().to_string());
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        assert!(err.to_string().starts_with(&missing.display().to_string()));
        assert!(std::error::Error::source(&err).is_some());
        assert_eq!(db.len(), 1, "a failed read adds nothing");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// xorshift64: deterministic pseudo-random bytes without extra crates.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn arbitrary_bytes_do_not_panic() {
        const ALPHABET: &[u8] =
            b" -\t\r\n?*remREM/<>unknown.sysAbCd0\xEF\xBB\xBF\xFF\xFE\x00\x92\xC3\xA9\xE2\x80";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let len = (rng.next() % 200) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = rng.next();
                    if round % 3 == 0 {
                        r as u8
                    } else {
                        ALPHABET[(r % ALPHABET.len() as u64) as usize]
                    }
                })
                .collect();
            let mut db = TagDb::new();
            let warnings = db.add_text("fuzz", &bytes);
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(warnings.len() + db.len() <= lines.max(bytes.len()));
            for entry in &db.entries {
                assert_eq!(entry.pattern.chars().count(), TAG_LEN, "{entry:?}");
                assert!(entry.line >= 1);
                assert!(!entry.binary.is_empty() || !entry.description.is_empty());
                assert!(!db.lookup(&entry.pattern).is_empty(), "{entry:?}");
                assert!(db.describe(&entry.pattern).is_some());
            }
            let query = String::from_utf8_lossy(&bytes[..len.min(4)]).into_owned();
            let _ = db.describe(&query);
            let _ = wildcard_match(&query, &query);
        }
    }

    #[test]
    fn parse_line_cases() {
        assert_eq!(parse_line(""), Parsed::Skip);
        assert_eq!(parse_line("rem"), Parsed::Skip);
        assert_eq!(
            parse_line("  AfdA - afd.sys      -     Afd EA buffer  "),
            Parsed::Entry {
                pattern: "AfdA".into(),
                binary: "afd.sys".into(),
                description: "Afd EA buffer".into(),
            }
        );
        assert!(matches!(parse_line("       <unknown>"), Parsed::Invalid(_)));
    }
}
