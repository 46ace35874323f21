use super::*;

const S19A: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/pooltag/19a-pooltag-rktools2k3-head.txt"
));
const S19B: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/pooltag/19b-pooltag-rktools2k3-cache-cm.txt"
));
const S19C: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/pooltag/19c-pooltag-rktools2k3-cm-block.txt"
));
const S19D: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/pooltag/19d-pooltag-rktools2k3-dh-and-gdi.txt"
));
const S20: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/pooltag/20-pooltag-modern-header-blogcopy.txt"
));

/// A database loaded from `text`, with its warnings.
fn load(text: &str) -> (TagDb, Vec<TagFileWarning>) {
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
