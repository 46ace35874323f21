//! Unit tests of the decoders, the version resource, tags and scores on hand-made bytes;
//! whole generated PE images are tested in `tests/it/drivers`.

use super::code::{Immediate, Needles};
use super::pe::{Image, Section};
use super::*;

fn needles(tags: &[&str]) -> Needles {
    Needles::new(&Query::tags(tags).tags)
}

/// An image with one executable section of `code` at file offset 0, RVA 0x1000, whose
/// pool import slots are `slots`.
fn image(arch: Arch, code_len: usize, slots: &[u32]) -> (Image, Section) {
    let sec = Section {
        rva: 0x1000,
        offset: 0,
        len: code_len,
        exec: true,
    };
    let img = Image {
        arch,
        image_base: 0x10000,
        sections: vec![
            sec,
            Section {
                rva: 0x8000,
                offset: code_len,
                len: 0x100,
                exec: false,
            },
        ],
        pool_slots: slots.to_vec(),
        pool_imports: vec!["ExAllocatePool2"],
        version: None,
    };
    (img, sec)
}

fn decode(img: &Image, sec: &Section, data: &[u8]) -> (Vec<Immediate>, Vec<usize>) {
    let (mut imms, mut calls) = (Vec::new(), Vec::new());
    let keep = |v: u32| Tag::from_value(v).is_plausible();
    code::scan_section(img, data, sec, &keep, &mut imms, &mut calls);
    (imms, calls)
}

#[test]
fn tags_parse_print_and_plausibility() {
    assert_eq!(Tag::parse("WDiv"), Some(Tag(*b"WDiv")));
    assert_eq!(Tag::parse("Cc"), Some(Tag(*b"Cc  ")));
    assert_eq!(Tag::parse("Cc  "), Some(Tag(*b"Cc  ")));
    assert_eq!(Tag::parse("Dh 1"), Some(Tag(*b"Dh 1")));
    assert_eq!(Tag::parse("Toolong"), None);
    assert_eq!(Tag(*b"WDiv").value(), 0x7669_4457);
    assert_eq!(Tag::from_value(0x7669_4457), Tag(*b"WDiv"));
    assert_eq!(Tag(*b"Cc  ").to_string(), "Cc");
    assert_eq!(Tag(*b"Dh 1").to_string(), "Dh 1");
    for ok in ["WDiv", "Cc  ", "Dh 1", "Ntf?", "@GMx", "remX", "/ab/"] {
        assert!(Tag::parse(ok).unwrap().is_plausible(), "{ok}");
    }
    for bad in [
        *b" abc",
        *b"a\0bc",
        *b"\x90\x90\x90\x90",
        *b"a---",
        *b"Ab -",
        *b"@@@@",
        *b"rem ",
        *b"REM ",
        *b"//ab",
    ] {
        assert!(!Tag(bad).is_plausible(), "{bad:?}");
    }
}

#[test]
fn needles_prefilter_and_membership() {
    let n = needles(&["WDiv", "Abcd", "Cc"]);
    assert!(n.contains(Tag(*b"WDiv").value()));
    assert!(n.contains(Tag(*b"Cc  ").value()));
    assert!(!n.contains(Tag(*b"WDix").value()));
    assert!(n.may_start(u16::from_le_bytes(*b"WD")));
    assert!(!n.may_start(u16::from_le_bytes(*b"ZZ")));
    assert!(needles(&[]).is_empty());
}

#[test]
fn x64_immediates_and_rip_relative_calls() {
    // mov r8d, 'WDiv'; mov edx, 'Frea'; call [rip+disp] to slot 0x2000; mov dword [rsp+28h], 'Look'.
    let mut code = vec![0x41, 0xB8];
    code.extend(b"WDiv");
    code.push(0xBA);
    code.extend(b"Frea");
    code.extend([0xFF, 0x15]);
    let next = 0x1000 + code.len() as i64 + 4;
    code.extend(((0x2000 - next) as i32).to_le_bytes());
    code.extend([0xC7, 0x44, 0x24, 0x28]);
    code.extend(b"Look");
    let (img, sec) = image(Arch::X64, code.len(), &[0x2000]);
    let (imms, calls) = decode(&img, &sec, &code);
    assert_eq!(calls, [13]);
    let found: Vec<(Tag, usize, usize, Option<usize>)> = imms
        .iter()
        .map(|i| (Tag::from_value(i.value), i.at, i.end, i.raw))
        .collect();
    assert_eq!(
        found,
        [
            (Tag(*b"WDiv"), 1, 6, Some(2)),
            (Tag(*b"Frea"), 6, 11, Some(7)),
            (Tag(*b"Look"), 17, 25, Some(21)),
        ]
    );
}

#[test]
fn modrm_forms_of_mov_rm32_imm32() {
    // C7 /0 with: register, [rbx+8], [rsp+28h], [rbp+disp32], [rip+disp32], [sib+disp32].
    let forms: [&[u8]; 6] = [
        &[0xC7, 0xC1],
        &[0xC7, 0x43, 0x08],
        &[0xC7, 0x44, 0x24, 0x28],
        &[0xC7, 0x85, 1, 2, 3, 4],
        &[0xC7, 0x05, 1, 2, 3, 4],
        &[0xC7, 0x04, 0x25, 1, 2, 3, 4],
    ];
    for form in forms {
        let mut code = form.to_vec();
        code.extend(b"Tag1");
        let (img, sec) = image(Arch::X64, code.len(), &[]);
        let (imms, _) = decode(&img, &sec, &code);
        assert!(
            imms.iter()
                .any(|i| i.value == Tag(*b"Tag1").value() && i.raw == Some(form.len())),
            "{form:02x?}: {imms:?}"
        );
    }
    // C7 /1 is not a mov.
    let mut code = vec![0xC7, 0x48, 0x08];
    code.extend(b"Tag1");
    let (img, sec) = image(Arch::X64, code.len(), &[]);
    assert!(decode(&img, &sec, &code).0.is_empty());
}

#[test]
fn x86_push_and_absolute_calls() {
    // push 'Tag1'; push 100h; push 0; call [0x10000 + 0x3000]; mov esi, [imp]
    let mut code = vec![0x68];
    code.extend(b"Tag1");
    code.extend([0x68, 0, 1, 0, 0, 0x6A, 0, 0xFF, 0x15]);
    code.extend(0x13000u32.to_le_bytes());
    code.extend([0x8B, 0x35]);
    code.extend(0x13004u32.to_le_bytes());
    let (img, sec) = image(Arch::X86, code.len(), &[0x3000, 0x3004]);
    let (imms, calls) = decode(&img, &sec, &code);
    assert_eq!(calls, [14, 20]);
    assert_eq!(imms.len(), 1);
    assert_eq!(imms[0].value, Tag(*b"Tag1").value());
    assert_eq!((imms[0].at, imms[0].end), (0, 5));
}

#[test]
fn arm64_mov_pairs_literals_and_import_calls() {
    let v = Tag(*b"WDiv").value();
    let mut words = vec![
        0x5280_0000 | (v & 0xFFFF) << 5 | 2,           // movz w2, #lo
        0x72A0_0000 | (v >> 16) << 5 | 2,              // movk w2, #hi, lsl #16
        0x52A0_0000 | (v >> 16) << 5 | 3,              // movz w3, #hi, lsl #16
        0x7280_0000 | (v & 0xFFFF) << 5 | 3,           // movk w3, #lo
        0x9000_0000 | 1 << 29 | 16,                    // adrp x16, pc page + 0x1000
        0xF940_0000 | (0x10 / 8) << 10 | 16 << 5 | 16, // ldr x16, [x16, #0x10]
        0xD63F_0200,                                   // blr x16
        0x1800_0000 | 2 << 5 | 4,                      // ldr w4, pc + 8
        0xD503_201F,                                   // nop
    ];
    words.push(Tag(*b"Litr").value()); // the literal
    let code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    // adrp at RVA 0x1010: page 0x1000 + 0x1000 = 0x2000; slot 0x2010.
    let (img, sec) = image(Arch::Arm64, code.len(), &[0x2010]);
    let (imms, calls) = decode(&img, &sec, &code);
    assert_eq!(calls, [20]);
    let found: Vec<(Tag, usize, usize, Option<usize>)> = imms
        .iter()
        .map(|i| (Tag::from_value(i.value), i.at, i.end, i.raw))
        .collect();
    assert_eq!(
        found,
        [
            (Tag(*b"WDiv"), 0, 8, None),
            (Tag(*b"WDiv"), 8, 16, None),
            (Tag(*b"Litr"), 28, 32, Some(36)),
        ]
    );
}

#[test]
fn arm64_adrp_page_arithmetic_goes_backwards_too() {
    // adrp x16, pc page - 0x1000 from RVA 0x1000 reaches page 0; slot 0x0ff8.
    let words = [
        0x9000_0000 | 3 << 29 | 0x7_FFFF << 5 | 16, // imm = -1
        0xF940_0000 | (0xFF8 / 8) << 10 | 16 << 5 | 17,
    ];
    let code: Vec<u8> = words.iter().flat_map(|w: &u32| w.to_le_bytes()).collect();
    let (img, sec) = image(Arch::Arm64, code.len(), &[0x0FF8]);
    assert_eq!(decode(&img, &sec, &code).1, [4]);
}

#[test]
fn version_resource_strings_and_fixed_version() {
    fn node(key: &str, value: &[u8], value_len: u16, text: bool, kids: &[Vec<u8>]) -> Vec<u8> {
        let mut b = vec![0, 0];
        b.extend(value_len.to_le_bytes());
        b.extend(u16::from(text).to_le_bytes());
        b.extend(key.encode_utf16().chain([0]).flat_map(u16::to_le_bytes));
        b.resize(b.len().div_ceil(4) * 4, 0);
        b.extend(value);
        for k in kids {
            b.resize(b.len().div_ceil(4) * 4, 0);
            b.extend(k);
        }
        let len = b.len() as u16;
        b[..2].copy_from_slice(&len.to_le_bytes());
        b
    }
    let text = |s: &str| -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    };
    let strings = vec![
        node("CompanyName", &text("Basil"), 6, true, &[]),
        node(
            "FileDescription",
            &text(" WinDivert driver "),
            19,
            true,
            &[],
        ),
        node("Comments", &text("x"), 2, true, &[]),
    ];
    let table = node("040904B0", &[], 0, true, &strings);
    let sfi = node("StringFileInfo", &[], 0, true, &[table]);
    let mut fixed = vec![0u8; 52];
    fixed[..4].copy_from_slice(&0xFEEF_04BDu32.to_le_bytes());
    fixed[8..12].copy_from_slice(&0x0002_0002u32.to_le_bytes());
    fixed[12..16].copy_from_slice(&0x0000_0001u32.to_le_bytes());
    let root = node("VS_VERSION_INFO", &fixed, 52, false, &[sfi]);
    let info = version::parse(&root).unwrap();
    assert_eq!(info.company.as_deref(), Some("Basil"));
    assert_eq!(info.description.as_deref(), Some("WinDivert driver"));
    assert_eq!(
        info.version.as_deref(),
        Some("2.2.0.1"),
        "from the fixed info"
    );
    assert_eq!(info.to_string(), "Basil - WinDivert driver - 2.2.0.1");
    // Every truncation and a few corruptions: no panic, and never more than was there.
    for n in 0..root.len() {
        let _ = version::parse(&root[..n]);
    }
    let mut bad = root.clone();
    bad[..2].copy_from_slice(&0xFFFFu16.to_le_bytes());
    assert_eq!(
        version::parse(&bad).unwrap().company.as_deref(),
        Some("Basil")
    );
    assert!(version::parse(b"\x06\0\0\0\0\0").is_none());
    assert!(version::parse(&[0xFF; 64]).is_none());
}

#[test]
fn scores_and_confidence_follow_the_table() {
    let h = |near_call, code, data| Hits {
        near_call,
        code,
        data,
    };
    assert_eq!(rank::score(&h(1, 0, 0), true), 0.8);
    assert_eq!(rank::score(&h(2, 5, 5), true), 0.85);
    assert_eq!(rank::score(&h(3, 0, 0), true), 0.9);
    assert_eq!(rank::score(&h(40, 0, 0), true), 0.95);
    assert_eq!(rank::score(&h(0, 1, 9), true), 0.6);
    assert_eq!(rank::score(&h(0, 1, 0), false), 0.5);
    assert_eq!(rank::score(&h(0, 0, 1), true), 0.3);
    assert_eq!(rank::score(&h(0, 0, 1), false), 0.1);
    assert_eq!(rank::score(&h(0, 0, 0), false), 0.0);
}

#[test]
fn non_pe_and_garbage_are_not_scanned() {
    let q = Query::tags(&["Abcd"]);
    assert_eq!(inspect("a", b"", &q).unwrap_err(), NotScanned::NotPe);
    assert_eq!(inspect("a", b"Abcd", &q).unwrap_err(), NotScanned::NotPe);
    assert!(matches!(
        inspect("a", b"MZ", &q).unwrap_err(),
        NotScanned::Malformed(_)
    ));
    let mut junk = b"MZ".to_vec();
    junk.extend([0xFFu8; 200]);
    assert!(matches!(
        inspect("a", &junk, &q).unwrap_err(),
        NotScanned::Malformed(_)
    ));
}

#[test]
fn relative_paths_use_slashes() {
    let root = Path::new("/x/drivers");
    assert_eq!(
        walk::relative(root, Path::new("/x/drivers/sub/a.sys")),
        "sub/a.sys"
    );
    assert_eq!(
        walk::relative(Path::new("/x/a.sys"), Path::new("/x/a.sys")),
        "a.sys"
    );
}
