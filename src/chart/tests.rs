use super::*;
use std::collections::HashSet;

const MIB: f64 = 1024.0 * 1024.0;
const T0: f64 = 1_732_521_600_000.0; // 2024-11-25 08:00 (naive local)

struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Image {
    fn has(&self, c: RGBColor) -> bool {
        self.rgb.chunks_exact(3).any(|p| p == [c.0, c.1, c.2])
    }

    /// Whether the image has at least `n` distinct colours (stops early:
    /// a full count is slow in unoptimised test builds).
    fn has_colours(&self, n: usize) -> bool {
        let mut seen: Vec<&[u8]> = Vec::with_capacity(n);
        for p in self.rgb.chunks_exact(3) {
            if !seen.contains(&p) {
                seen.push(p);
                if seen.len() >= n {
                    return true;
                }
            }
        }
        false
    }
}

fn decode(path: &Path) -> Image {
    let file = fs::File::open(path).expect("open png");
    let mut reader = png::Decoder::new(file).read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgb: buf,
    }
}

fn assert_chart_png(path: &Path) -> Image {
    let img = decode(path);
    assert_eq!((img.width, img.height), (WIDTH, HEIGHT));
    assert!(img.has_colours(40), "looks blank");
    img
}

fn noise(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    ((*state >> 33) as f64 / (1u64 << 31) as f64) - 0.5
}

/// A leak rising from 1 MiB to 10 MiB over 16 h, a flat line, a sawtooth.
fn sample_lines() -> Vec<Trace> {
    let mut s = 7;
    let xs: Vec<f64> = (0..193).map(|i| T0 + f64::from(i) * 300_000.0).collect();
    let leak = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            (
                x,
                MIB + 9.0 * MIB * i as f64 / 192.0 + 0.2 * MIB * noise(&mut s),
            )
        })
        .collect();
    let flat = xs.iter().map(|&x| (x, 4.0 * MIB)).collect();
    let saw = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, 2.0 * MIB + 4.0 * MIB * (i % 48) as f64 / 48.0))
        .collect();
    vec![
        Trace {
            label: "Leak Nonpaged [leaky.sys]".into(),
            detail: "+576 KiB/h".into(),
            points: leak,
            trends: vec![((T0, MIB), (T0 + 16.0 * 3_600_000.0, 10.0 * MIB))],
        },
        Trace {
            label: "Flat Paged".into(),
            points: flat,
            ..Trace::default()
        },
        Trace {
            label: "Saw Nonpaged".into(),
            points: saw,
            ..Trace::default()
        },
    ]
}

const REBOOT_AT: f64 = T0 + 10.0 * 3_600_000.0 + 150_000.0;

fn draw_overview(path: &Path, kind: ChartFormat) -> Result<(), ChartError> {
    overview(
        path,
        kind,
        Axis::Time,
        "Top suspects",
        &sample_lines(),
        &[REBOOT_AT],
    )
}

fn draw_pools(path: &Path, kind: ChartFormat) -> Result<(), ChartError> {
    let lines = sample_lines();
    pools(
        path,
        kind,
        Axis::Time,
        "Pool totals",
        &lines[0].points,
        &lines[1].points,
        &[REBOOT_AT],
        Some(&Budget {
            bytes: 16.0 * MIB,
            note: "Budget 16 MiB: Nonpaged reaches it in 10.4 h.".into(),
        }),
    )
}

fn draw_suspect(path: &Path, kind: ChartFormat) -> Result<(), ChartError> {
    let lines = sample_lines();
    let bytes = &lines[0].points;
    let outstanding: Vec<_> = bytes
        .iter()
        .map(|&(x, y)| (x, (y / 512.0).round()))
        .collect();
    let floor: Vec<_> = bytes.iter().step_by(16).copied().collect();
    let end = T0 + 16.0 * 3_600_000.0;
    let trends = [
        ((T0, MIB), (REBOOT_AT, 6.6 * MIB)),
        ((REBOOT_AT, 6.6 * MIB), (end, 10.0 * MIB)),
    ];
    suspect(
        path,
        kind,
        Axis::Time,
        &SuspectChart {
            title: "Leak Nonpaged [leaky.sys]",
            verdict: "leak",
            summary: "+576 KiB/h, 3.2% of the nonpaged pool",
            reason: "its floor rose in 11 of 11 windows; never fell back",
            bytes,
            outstanding: &outstanding,
            floor: &floor,
            floor_label: "floor judged: 10th percentile of 12 windows",
            trends: &trends,
            boundaries: &[REBOOT_AT],
        },
    )
}

type Draw = fn(&Path, ChartFormat) -> Result<(), ChartError>;
const CHARTS: [(&str, Draw); 3] = [
    ("overview", draw_overview),
    ("pools", draw_pools),
    ("suspect", draw_suspect),
];

#[test]
fn overview_png_has_size_detail_and_first_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("overview.png");
    draw_overview(&path, ChartFormat::Png).expect("render");
    let img = assert_chart_png(&path);
    assert!(img.has(OI_BLUE), "series colour missing");
    assert!(img.has(INK), "trend missing");
    assert!(img.has(REBOOT));
}

#[test]
fn pools_png_has_both_pools() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pools.png");
    draw_pools(&path, ChartFormat::Png).expect("render");
    let img = assert_chart_png(&path);
    assert!(img.has(VERMILLION));
    assert!(img.has(OI_BLUE));
    assert!(img.has(INK), "budget line missing");
}

#[test]
fn suspect_png_has_bytes_allocations_and_trend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("suspect.png");
    draw_suspect(&path, ChartFormat::Png).expect("render");
    let img = assert_chart_png(&path);
    assert!(img.has(OI_BLUE), "bytes line colour missing");
    assert!(img.has(VERMILLION), "allocations line colour missing");
    assert!(img.has(OI_GREEN), "floor markers missing");
    assert!(img.has(INK));
}

#[test]
fn svg_output_is_svg_with_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, draw) in CHARTS {
        let path = dir.path().join(format!("{name}.svg"));
        draw(&path, ChartFormat::Svg).expect("render");
        let text = fs::read_to_string(&path).expect("read svg");
        assert!(text.contains("<svg"), "{name}");
        assert!(text.contains("width=\"1280\""), "{name}");
        assert!(text.contains("height=\"720\""), "{name}");
        assert!(text.contains("sans-serif"), "{name}");
        assert!(text.contains("reboot"), "{name}");
    }
    let text = fs::read_to_string(dir.path().join("suspect.svg")).expect("read");
    assert!(text.contains("outstanding allocations"));
    assert!(text.contains("leak: +576 KiB/h, 3.2% of the nonpaged pool"));
    assert!(text.contains("Why: its floor rose in 11 of 11 windows; never fell back"));
    assert!(text.contains("floor judged: 10th percentile of 12 windows"));
    assert!(text.contains("fitted trend per boot"));
    let text = fs::read_to_string(dir.path().join("pools.svg")).expect("read");
    assert!(text.contains("\nbudget\n"));
    assert!(text.contains("Nonpaged reaches it in 10.4 h."));
    let text = fs::read_to_string(dir.path().join("overview.svg")).expect("read");
    assert!(text.contains("Leak Nonpaged [leaky.sys]"));
    assert!(text.contains("+576 KiB/h"));
}

#[test]
fn rendering_is_deterministic() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, draw) in CHARTS {
        for kind in [ChartFormat::Png, ChartFormat::Svg] {
            let a = dir.path().join(format!("{name}-a.{}", kind.extension()));
            let b = dir.path().join(format!("{name}-b.{}", kind.extension()));
            draw(&a, kind).expect("render a");
            draw(&b, kind).expect("render b");
            let (a, b) = (fs::read(&a).expect("a"), fs::read(&b).expect("b"));
            assert!(!a.is_empty());
            assert!(a == b, "{name} {kind:?} differs between runs");
        }
    }
}

#[test]
fn writes_atomically_and_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chart.png");
    fs::write(&path, b"old").expect("seed");
    draw_overview(&path, ChartFormat::Png).expect("render");
    assert_chart_png(&path);
    let names: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("chart.png")]);
}

#[test]
fn errors_name_the_path_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    for kind in [ChartFormat::Png, ChartFormat::Svg] {
        let path = dir.path().join("missing-dir").join("x.png");
        let err = draw_overview(&path, kind).expect_err("must fail");
        let ChartError::Draw { path: p, reason } = &err;
        assert!(p.ends_with("x.png"), "{p}");
        assert!(!reason.is_empty());
        assert!(err.to_string().starts_with(p.as_str()));
    }
    let err = draw_overview(Path::new("/"), ChartFormat::Svg).expect_err("no file name");
    assert!(err.to_string().contains("not a file path"));
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 0);
}

#[test]
fn robust_inputs_render_without_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let huge = u64::MAX as f64;
    let cases: Vec<(&str, Vec<(f64, f64)>)> = vec![
        ("empty", vec![]),
        ("single", vec![(T0, 5.0 * MIB)]),
        (
            "equal",
            vec![
                (T0, 3.0 * MIB),
                (T0 + 3.6e6, 3.0 * MIB),
                (T0 + 7.2e6, 3.0 * MIB),
            ],
        ),
        ("zeros", vec![(T0, 0.0), (T0 + 3.6e6, 0.0)]),
        ("same-x", vec![(T0, 1.0), (T0, 2.0 * MIB), (T0, 3.0)]),
        (
            "nan",
            vec![
                (T0, f64::NAN),
                (f64::NAN, 1.0),
                (T0 + 1e6, 2.0 * MIB),
                (f64::INFINITY, 3.0),
                (T0 + 2e6, f64::NEG_INFINITY),
                (T0 + 3e6, 3.0 * MIB),
            ],
        ),
        ("all-nan", vec![(f64::NAN, f64::NAN), (T0, f64::NAN)]),
        (
            "huge",
            vec![(T0, huge), (T0 + 3.6e6, huge / 2.0), (T0 + 7.2e6, 1e300)],
        ),
        ("huge-equal", vec![(T0, huge), (T0 + 3.6e6, huge)]),
        ("negative", vec![(T0, -5.0), (T0 + 3.6e6, -7.0 * MIB)]),
        (
            "unsorted",
            vec![(T0 + 7.2e6, 1.0 * MIB), (T0, 2.0 * MIB), (T0 + 3.6e6, 0.5)],
        ),
        ("tiny-span", vec![(T0, 1.0), (T0 + 1.0, 1.0 + 1e-9)]),
        ("far-x", vec![(-1e20, 1.0), (1e20, 2.0)]),
    ];
    let boundary_sets: [&[f64]; 3] = [&[], &[T0 + 1.0, f64::NAN, T0 + 1.0, 1e30], &[T0]];
    let trends = [
        ((T0, 0.0), (T0 + 3.6e6, 1e22)),
        ((f64::NAN, 0.0), (T0, 1.0)),
        ((T0, 1.0), (T0, 1.0)),
        ((-1e23, -1e23), (1e23, 1e23)),
    ];
    let kinds = [ChartFormat::Png, ChartFormat::Svg];
    let axes = [Axis::Time, Axis::Ordinal];
    for (i, (name, points)) in cases.iter().enumerate() {
        // Every input through the pure preparation with every option...
        for boundaries in boundary_sets {
            for axis in axes {
                let levels = vec![Level {
                    y: points.first().map_or(1.0, |p| p.1),
                    label: "budget".into(),
                }];
                let spec = Spec {
                    title: name,
                    axis,
                    y_desc: "bytes",
                    y2_desc: Some("allocations"),
                    series: vec![
                        SeriesSpec {
                            label: String::new(),
                            points,
                            color: OI_BLUE,
                            width: 3,
                            stroke: Stroke::Solid,
                            shape: Shape::Circle,
                            secondary: false,
                        },
                        SeriesSpec {
                            label: String::new(),
                            points,
                            color: VERMILLION,
                            width: 2,
                            stroke: Stroke::Markers,
                            shape: Shape::Square,
                            secondary: true,
                        },
                    ],
                    trends: &trends,
                    trend_label: "trend",
                    levels,
                    boundaries,
                    caption: Vec::new(),
                    x_span: None,
                    y_steps: 6,
                    tight_y: false,
                };
                let prep = prepare(&spec, 1000);
                for t in [&prep.x, &prep.y].into_iter().chain(&prep.y2) {
                    assert!(
                        t.lo.is_finite() && t.hi.is_finite() && t.hi > t.lo,
                        "{name}"
                    );
                }
            }
        }
        // ...and drawn by each chart, rotating the options per input.
        let kind = kinds[i % 2];
        let axis = axes[(i / 2) % 2];
        let boundaries = boundary_sets[i % 3];
        let ext = kind.extension();
        let line = Trace {
            label: String::new(),
            detail: name.to_string(),
            points: points.clone(),
            trends: trends.to_vec(),
        };
        let o = dir.path().join(format!("{name}-o.{ext}"));
        overview(&o, kind, axis, name, &[line.clone(), line], boundaries).expect("overview");
        let p = dir.path().join(format!("{name}-p.{ext}"));
        let budget = Budget {
            bytes: points.first().map_or(f64::NAN, |p| p.1),
            note: name.repeat(200),
        };
        pools(&p, kind, axis, name, points, &[], boundaries, Some(&budget)).expect("pools");
        let s = dir.path().join(format!("{name}-s.{ext}"));
        let c = SuspectChart {
            title: name,
            verdict: name,
            summary: "",
            reason: &"word ".repeat(i * 40),
            bytes: points,
            outstanding: points,
            floor: points,
            floor_label: "",
            trends: &trends,
            boundaries,
        };
        suspect(&s, kind, axis, &c).expect("suspect");
        if kind == ChartFormat::Png {
            for f in [&o, &p, &s] {
                assert_chart_png(f);
            }
        }
    }
    // No lines at all, and more lines than colours.
    let empty = dir.path().join("none.png");
    overview(&empty, ChartFormat::Png, Axis::Time, "", &[], &[]).expect("no lines");
    assert_chart_png(&empty);
    let many: Vec<Trace> = (0..12)
        .map(|k| Trace {
            label: format!("Tag{k} Paged"),
            points: vec![
                (T0, f64::from(k) * MIB),
                (T0 + 3.6e6, f64::from(k + 1) * MIB),
            ],
            ..Trace::default()
        })
        .collect();
    let path = dir.path().join("many.png");
    overview(
        &path,
        ChartFormat::Png,
        Axis::Time,
        &"long title ".repeat(40),
        &many,
        &[],
    )
    .expect("many lines");
    // Eight panels: four rows, taller than the usual chart.
    let img = decode(&path);
    assert_eq!((img.width, img.height), (WIDTH, panels::height(8)));
    assert!(img.height > HEIGHT);
    assert!(img.has(OI_BLUE));
}

#[test]
fn overview_caps_lines_and_notes_the_rest() {
    let lines: Vec<Trace> = (0..11)
        .map(|k| Trace {
            label: format!("L{k}"),
            points: vec![(0.0, 1.0), (1.0, 2.0)],
            ..Trace::default()
        })
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("o.svg");
    overview(&path, ChartFormat::Svg, Axis::Ordinal, "t", &lines, &[]).expect("render");
    let svg = fs::read_to_string(&path).expect("read");
    assert!(svg.contains("(+3 more not shown)"));
    assert!(svg.contains("\nL7\n"));
    assert!(!svg.contains("\nL8\n"));
}

#[test]
fn file_names_are_safe_and_reversible() {
    assert_eq!(file_name(1, "Leak", "Nonpaged"), "01-Leak-Nonpaged");
    assert_eq!(file_name(12, "Ntfx", "Paged"), "12-Ntfx-Paged");
    assert_eq!(file_name(123, "Ab", "Paged"), "123-Ab-Paged");
    assert_eq!(file_name(0, "Dh 1", "Paged"), "00-Dh_201-Paged");
    assert_eq!(file_name(3, "a/b", "Paged"), "03-a_2Fb-Paged");
    assert_eq!(file_name(3, "a\\b", "Paged"), "03-a_5Cb-Paged");
    assert_eq!(file_name(3, "C:*?", "Paged"), "03-C_3A_2A_3F-Paged");
    assert_eq!(file_name(3, "\"<>|", "Paged"), "03-_22_3C_3E_7C-Paged");
    assert_eq!(file_name(3, "é", "Paged"), "03-_C3_A9-Paged");
    assert_eq!(file_name(3, "a_b", "Paged"), "03-a_5Fb-Paged");
    assert_eq!(file_name(3, "a-b", "Paged"), "03-a-b-Paged");
    assert_eq!(file_name(3, "Tag.", "Paged"), "03-Tag_2E-Paged");
    assert_eq!(file_name(3, "Tag ", "Paged"), "03-Tag_20-Paged");
    assert_eq!(file_name(3, "", "Paged"), "03-_-Paged");
    assert_eq!(file_name(3, "x", ""), "03-x-_");
    assert_eq!(file_name(3, "x", "Non-paged"), "03-x-Non_2Dpaged");
    assert_eq!(file_name(4, "CON", "Paged"), "04-CON-Paged");
    assert_eq!(file_name(4, "\0\n", "Paged"), "04-_00_0A-Paged");

    let reserved = |stem: &str| {
        let base = stem.split('.').next().unwrap_or("").to_ascii_uppercase();
        ["CON", "PRN", "AUX", "NUL"].contains(&base.as_str())
            || ((base.starts_with("COM") || base.starts_with("LPT"))
                && base.len() == 4
                && base.as_bytes()[3].is_ascii_digit())
    };
    let tags = [
        "CON", "nul", "AUX", "PRN", "COM1", "LPT9", "", ".", "..", " ", "a.", "a ", "/", "\\", ":",
        "*", "?", "\"", "<", ">", "|", "日本", "Dh 1",
    ];
    for tag in tags {
        for pool in ["Paged", "Nonpaged", "", "CON", "a b."] {
            let name = file_name(7, tag, pool);
            assert!(!name.is_empty());
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
                "{name}"
            );
            assert!(!name.ends_with('.') && !name.ends_with(' '), "{name}");
            assert!(!reserved(&name), "{name}");
            assert!(name.starts_with("07-"), "{name}");
            // Reversible: decode the tag part back.
            let rest = &name[3..];
            let (enc, _) = rest.rsplit_once('-').expect("pool separator");
            assert_eq!(decode_part(enc), tag, "{name}");
        }
    }
}

fn decode_part(s: &str) -> String {
    if s == "_" {
        return String::new();
    }
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'_' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf8")
}

#[test]
fn human_bytes_reads_well() {
    assert_eq!(human_bytes(0.0), "0 B");
    assert_eq!(human_bytes(-0.0), "0 B");
    assert_eq!(human_bytes(1.0), "1 B");
    assert_eq!(human_bytes(512.0), "512 B");
    assert_eq!(human_bytes(1023.0), "1023 B");
    assert_eq!(human_bytes(1023.7), "1 KiB");
    assert_eq!(human_bytes(1024.0), "1 KiB");
    assert_eq!(human_bytes(4096.0), "4 KiB");
    assert_eq!(human_bytes(1536.0), "1.5 KiB");
    assert_eq!(human_bytes(9.4 * MIB), "9.4 MiB");
    assert_eq!(human_bytes(9.97 * MIB), "10 MiB");
    assert_eq!(human_bytes(123.4 * MIB), "123 MiB");
    assert_eq!(human_bytes(1023.9 * MIB), "1 GiB");
    assert_eq!(human_bytes(1.2 * 1024.0 * MIB), "1.2 GiB");
    assert_eq!(human_bytes(612.0 * 1024.0), "612 KiB");
    assert_eq!(human_bytes(-2048.0), "-2 KiB");
    assert_eq!(human_bytes(u64::MAX as f64), "16 EiB");
    assert_eq!(human_bytes(1e24), "867362 EiB");
    assert_eq!(human_bytes(f64::NAN), "NaN");
    assert_eq!(human_bytes(f64::INFINITY), "inf B");
    assert_eq!(human_bytes(f64::NEG_INFINITY), "-inf B");
}

#[test]
fn kind_extensions() {
    assert_eq!(ChartFormat::Png.extension(), "png");
    assert_eq!(ChartFormat::Svg.extension(), "svg");
}

fn labels(t: &Ticks) -> Vec<String> {
    t.ticks.iter().map(|&v| t.fmt.label(v)).collect()
}

fn assert_distinct(l: &[String]) {
    let set: HashSet<_> = l.iter().collect();
    assert_eq!(set.len(), l.len(), "duplicate labels: {l:?}");
}

#[test]
fn time_axis_picks_format_and_at_most_8_labels() {
    let h = HOUR;
    let (t, desc) = time_ticks(T0, T0 + 16.0 * h, 8);
    assert_eq!(t.fmt, TickFormat::Time { pattern: "%H:%M" });
    assert_eq!(labels(&t)[0], "09:00");
    assert_eq!(desc, "local time, 2024-11-25 to 2024-11-26");
    let (t, desc) = time_ticks(T0, T0 + 3.0 * h, 8);
    assert_eq!(labels(&t)[..2], ["08:00".to_string(), "08:30".to_string()]);
    assert_eq!(desc, "local time, 2024-11-25");
    let (t, _) = time_ticks(T0, T0 + 3.0 * DAY, 8);
    assert_eq!(
        t.fmt,
        TickFormat::Time {
            pattern: "%m-%d %H:%M"
        }
    );
    assert!(
        labels(&t).contains(&"11-26 00:00".to_string()),
        "{:?}",
        labels(&t)
    );
    let (t, desc) = time_ticks(T0, T0 + 40.0 * DAY, 8);
    assert_eq!(t.fmt, TickFormat::Time { pattern: "%m-%d" });
    assert_eq!(labels(&t)[0], "12-02"); // a Monday
    assert_eq!(desc, "local time, 2024 to 2025");
    let (t, _) = time_ticks(T0, T0 + 800.0 * DAY, 8);
    assert_eq!(
        t.fmt,
        TickFormat::Time {
            pattern: "%Y-%m-%d"
        }
    );
    // Zero span is padded.
    let (t, _) = time_ticks(T0, T0, 8);
    assert!(t.hi > t.lo);
    assert!(!t.ticks.is_empty());

    let mut span = 1.5 * SEC;
    while span < 5000.0 * DAY {
        for start in [T0, T0 + 1234.0, 0.0, -3.0 * DAY] {
            let (t, _) = time_ticks(start, start + span, 8);
            assert!(
                !t.ticks.is_empty() && t.ticks.len() <= 8,
                "{span}: {:?}",
                t.ticks
            );
            assert!(t.ticks.iter().all(|&v| v >= t.lo && v <= t.hi));
            assert_distinct(&labels(&t));
        }
        span *= 1.37;
    }
}

#[test]
fn value_axis_chooses_units_and_round_ticks() {
    let t = value_ticks(MIB, 10.0 * MIB, Scale::Bytes, 6);
    assert_eq!(
        labels(&t),
        ["0 MiB", "2 MiB", "4 MiB", "6 MiB", "8 MiB", "10 MiB", "12 MiB"]
    );
    let t = value_ticks(100.0, 900.0, Scale::Bytes, 6);
    assert!(
        labels(&t).iter().all(|l| l.ends_with(" B")),
        "{:?}",
        labels(&t)
    );
    let t = value_ticks(1.10 * 1024.0 * MIB, 1.15 * 1024.0 * MIB, Scale::Bytes, 6);
    assert!(
        labels(&t).iter().all(|l| l.ends_with(" GiB")),
        "{:?}",
        labels(&t)
    );
    assert_distinct(&labels(&t));
    let t = value_ticks(0.0, 12_345.0, Scale::Count, 6);
    assert_eq!(labels(&t)[0], "0");
    assert!(
        labels(&t).iter().skip(1).all(|l| l.ends_with('k')),
        "{:?}",
        labels(&t)
    );
    let t = value_ticks(3.0, 40.0, Scale::Count, 6);
    assert!(t.ticks.iter().all(|v| v.fract() == 0.0));

    // Constant values are padded from zero.
    let t = value_ticks(5.0 * MIB, 5.0 * MIB, Scale::Bytes, 6);
    assert!(t.lo == 0.0 && t.hi > 5.0 * MIB);
    let t = value_ticks(0.0, 0.0, Scale::Bytes, 6);
    assert!(t.hi > t.lo);

    let mut lo = 0.3;
    while lo < 1e20 {
        for ratio in [1.0, 1.001, 1.3, 2.0, 10.0, 1000.0] {
            for scale in [Scale::Bytes, Scale::Count] {
                let hi = lo * ratio;
                let t = value_ticks(lo, hi, scale, 6);
                assert!(t.lo <= lo && t.hi >= hi && t.hi > t.lo, "{lo} {hi}");
                assert!(
                    t.ticks.len() >= 2 && t.ticks.len() <= 9,
                    "{lo} {hi}: {:?}",
                    t.ticks
                );
                assert_distinct(&labels(&t));
            }
        }
        lo *= 3.7;
    }
}

#[test]
fn ordinal_axis_uses_integers() {
    let t = ordinal_ticks(1.0, 40.0, 8);
    assert_eq!(labels(&t), ["10", "20", "30", "40"]);
    let t = ordinal_ticks(0.0, 7.0, 8);
    assert_eq!(t.ticks.len(), 8);
    let t = ordinal_ticks(5.0, 5.0, 8);
    assert!(t.hi > t.lo && t.ticks.contains(&5.0));
    for n in 1..300 {
        let t = ordinal_ticks(0.0, f64::from(n), 8);
        assert!(!t.ticks.is_empty() && t.ticks.len() <= 8, "{n}");
    }
}

#[test]
fn lines_break_at_reboots() {
    let pts = [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 1.0)];
    assert_eq!(split_runs(&pts, &[]).len(), 1);
    let runs = split_runs(&pts, &[1.5]);
    assert_eq!(runs, vec![pts[..2].to_vec(), pts[2..].to_vec()]);
    // A boundary on a point starts the new epoch there.
    let runs = split_runs(&pts, &[2.0]);
    assert_eq!(runs, vec![pts[..2].to_vec(), pts[2..].to_vec()]);
    assert_eq!(split_runs(&pts, &[0.5, 0.6, 2.5]).len(), 3);
    assert!(split_runs(&[], &[1.0]).is_empty());
}

#[test]
fn clipping_keeps_segments_inside() {
    let s = ((0.0, 0.0), (10.0, 10.0));
    let c = clip(s, (2.0, 8.0), (0.0, 5.0)).expect("inside");
    assert_eq!(c, ((2.0, 2.0), (5.0, 5.0)));
    assert!(clip(s, (20.0, 30.0), (0.0, 10.0)).is_none());
    let ((x0, y0), (x1, y1)) =
        clip(((1.0, -5.0), (1.0, 50.0)), (0.0, 2.0), (0.0, 10.0)).expect("vertical");
    assert_eq!((x0, x1), (1.0, 1.0));
    assert!(y0.abs() < 1e-9 && (y1 - 10.0).abs() < 1e-9, "{y0} {y1}");
}

#[test]
fn font_is_embedded_and_registers() {
    assert!(FONT_BYTES.len() > 100_000);
    assert_eq!(ensure_font(), Ok(()));
    assert_eq!(ensure_font(), Ok(()));
}

#[test]
fn every_line_colour_keeps_3_to_1_contrast_on_white() {
    // WCAG 2.1's own examples: black on white is 21:1, a colour on itself 1:1.
    assert!((contrast(INK, BACKGROUND) - 21.0).abs() < 1e-9);
    assert!((contrast(OI_BLUE, OI_BLUE) - 1.0).abs() < 1e-12);
    assert!((contrast(OI_BLUE, BACKGROUND) - contrast(BACKGROUND, OI_BLUE)).abs() < 1e-12);
    for c in DATA_COLOURS {
        let r = contrast(c, BACKGROUND);
        assert!(r >= MIN_CONTRAST, "{c:?}: {r:.2}:1");
    }
    // The Okabe–Ito colours left out, and why: yellow (#F0E442, the issue's
    // example), orange and sky blue all fall short of 3:1 on white.
    for c in [
        RGBColor(0xF0, 0xE4, 0x42),
        RGBColor(0xE6, 0x9F, 0x00),
        RGBColor(0x56, 0xB4, 0xE9),
    ] {
        assert!(contrast(c, BACKGROUND) < MIN_CONTRAST, "{c:?}");
    }
    // Text keeps 4.5:1 (WCAG AA); verdict words (large text) 3:1.
    for c in [TEXT, MUTED, AXIS_LINE] {
        assert!(contrast(c, BACKGROUND) >= 4.5, "{c:?}");
    }
    for v in ["leak", "suspect", "ok"] {
        assert!(
            contrast(verdict_colour(v), BACKGROUND) >= MIN_CONTRAST,
            "{v}"
        );
    }
}

#[test]
fn text_stays_legible_at_phone_width() {
    // A chart shown 400 pixels wide: its smallest text is still 8 pixels.
    let shrunk = f64::from(TEXT_SIZE) * f64::from(PHONE_WIDTH) / f64::from(WIDTH);
    assert!(shrunk >= 8.0, "{shrunk}");
    const { assert!(TITLE_SIZE > TEXT_SIZE) };
}

/// (stroke, marker) of each legend entry but the text-only ones.
fn looks(p: &Prepared) -> Vec<(Stroke, Option<Shape>)> {
    p.legend.iter().map(|e| (e.stroke, e.marker)).collect()
}

#[test]
fn lines_of_one_chart_differ_in_more_than_colour() {
    // Greyscale, or any colour vision: stroke or marker tells them apart.
    let pts: Vec<(f64, f64)> = (0..100)
        .map(|i| (T0 + f64::from(i) * 6e4, f64::from(i)))
        .collect();
    let budget = Budget {
        bytes: 500.0,
        note: String::new(),
    };
    let pools = pools_spec(Axis::Time, "p", &pts, &pts, &[T0 + 3e6], Some(&budget));
    let trends = [((T0, 0.0), (T0 + 6e6, 100.0))];
    let c = SuspectChart {
        title: "t",
        verdict: "leak",
        summary: "",
        reason: "",
        bytes: &pts,
        outstanding: &pts,
        floor: &pts[..5],
        floor_label: "floor",
        trends: &trends,
        boundaries: &[T0 + 3e6],
    };
    let suspect = suspect_spec(Axis::Time, &c);
    for spec in [pools, suspect] {
        let prep = prepare(&spec, 1000);
        let l = looks(&prep);
        let distinct: HashSet<String> = l.iter().map(|x| format!("{x:?}")).collect();
        assert_eq!(distinct.len(), l.len(), "{l:?}");
        assert!(l.len() >= 4, "{l:?}");
    }
}

#[test]
fn budget_is_inside_the_y_range() {
    let pts = [(T0, 100.0 * MIB), (T0 + 3.6e6, 110.0 * MIB)];
    for bytes in [1024.0 * MIB, 50.0 * MIB] {
        let budget = Budget {
            bytes,
            note: String::new(),
        };
        let prep = prepare(
            &pools_spec(Axis::Time, "p", &pts, &[], &[], Some(&budget)),
            1000,
        );
        assert!(prep.y.lo <= bytes && bytes <= prep.y.hi, "{bytes}");
        assert_eq!(prep.levels, vec![bytes]);
    }
    let prep = prepare(&pools_spec(Axis::Time, "p", &pts, &[], &[], None), 1000);
    assert!(prep.levels.is_empty());
    assert!(prep.y.hi < 200.0 * MIB);
}

/// Rows of the image where pixels of colour `c` lie within `rect`.
fn rows_with(img: &Image, c: RGBColor, (l, t, r, b): panels::Rect) -> Vec<i32> {
    let mut rows = Vec::new();
    for y in t.max(0)..b.min(img.height as i32) {
        let hit = (l.max(0)..r.min(img.width as i32)).any(|x| {
            let i = 3 * (y as usize * img.width as usize + x as usize);
            img.rgb[i..i + 3] == [c.0, c.1, c.2]
        });
        if hit {
            rows.push(y);
        }
    }
    rows
}

#[test]
fn every_overview_panel_shows_its_own_growth() {
    // The case: a 190 KiB -> 411 KiB leak beside a 50 -> 160 MiB
    // sawtooth, a flat-ish 1 GiB tag and a falling one. On one linear axis
    // the first would be a flat line on the zero axis.
    let kib = 1024.0;
    let xs: Vec<f64> = (0..96).map(|i| T0 + f64::from(i) * 600_000.0).collect();
    let mut s = 11;
    let small: Vec<(f64, f64)> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            (
                x,
                190.0 * kib + 221.0 * kib * i as f64 / 95.0 + 3.0 * kib * noise(&mut s),
            )
        })
        .collect();
    let saw: Vec<(f64, f64)> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            (
                x,
                50.0 * MIB + 110.0 * MIB * i as f64 / 95.0 + 20.0 * MIB * (i % 12) as f64 / 12.0,
            )
        })
        .collect();
    let big: Vec<(f64, f64)> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            (
                x,
                1024.0 * MIB + 2.0 * MIB * i as f64 / 95.0 + 0.3 * MIB * noise(&mut s),
            )
        })
        .collect();
    let falling: Vec<(f64, f64)> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, 9.0 * MIB - 4.0 * MIB * i as f64 / 95.0))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    for n in [1usize, 2, 4, 5, 8] {
        let all = [&small, &saw, &big, &falling];
        let traces: Vec<Trace> = (0..n)
            .map(|k| Trace {
                label: format!("{k}. Tag{k} Nonpaged: leak"),
                detail: "detail".into(),
                points: all[k % 4].clone(),
                trends: vec![],
            })
            .collect();
        let path = dir.path().join(format!("overview-{n}.png"));
        overview(
            &path,
            ChartFormat::Png,
            Axis::Time,
            "Top suspects",
            &traces,
            &[REBOOT_AT],
        )
        .expect("render");
        let img = decode(&path);
        assert_eq!((img.width, img.height), (WIDTH, panels::height(n)));
        let rects = panels::layout(n);
        assert_eq!(rects.len(), n);
        for (k, &rect) in rects.iter().enumerate() {
            let rows = rows_with(&img, OI_BLUE, rect);
            let span = rows.last().copied().unwrap_or(0) - rows.first().copied().unwrap_or(0);
            let h = rect.3 - rect.1;
            // The line spans at least 40% of its panel (the plot is about
            // two thirds of it, under the panel's title and detail lines).
            assert!(
                span * 10 >= h * 4,
                "{n} panels, panel {k}: the line spans {span} of {h} pixels"
            );
        }
        // Panels do not overlap and stay inside the image.
        for w in rects.windows(2) {
            assert!(w[0].2 <= w[1].0 || w[0].3 <= w[1].1, "{rects:?}");
        }
        assert!(rects
            .iter()
            .all(|r| r.0 >= 0 && r.2 <= W && r.3 <= img.height as i32));
    }
}

#[test]
fn overview_grows_by_rows_beyond_four_panels() {
    assert_eq!(panels::grid(1), (1, 1));
    assert_eq!(panels::grid(2), (2, 1));
    assert_eq!(panels::grid(4), (2, 2));
    assert_eq!(panels::grid(7), (2, 4));
    for n in 0..=4 {
        assert_eq!(panels::height(n), HEIGHT, "{n}");
    }
    assert!(panels::height(5) > HEIGHT);
    assert!(panels::height(8) > panels::height(6));
}

#[test]
fn captions_wrap_and_are_cut_with_an_ellipsis() {
    ensure_font().expect("font");
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
    let style = font(TEXT_SIZE, TEXT);
    let text = "word ".repeat(300);
    let lines = wrap_text(&root, &text, &style, 600, 3).expect("wrap");
    assert_eq!(lines.len(), 3);
    assert!(lines[2].ends_with('…'), "{lines:?}");
    for l in &lines {
        assert!(text_w(&root, l, &style).expect("size") <= 600, "{l}");
    }
    let short = wrap_text(&root, "a short reason", &style, 600, 3).expect("wrap");
    assert_eq!(short, vec!["a short reason".to_string()]);
    assert!(wrap_text(&root, "", &style, 600, 3)
        .expect("wrap")
        .is_empty());
    // One word wider than the line is cut, not lost.
    let long = wrap_text(&root, &"x".repeat(500), &style, 300, 2).expect("wrap");
    assert_eq!(long.len(), 1);
    assert!(long[0].ends_with('…'));
}

#[test]
fn x_labels_are_as_many_as_fit() {
    assert_eq!(x_ticks_that_fit(1100, 5), 8);
    assert!(x_ticks_that_fit(1100, 11) < 8);
    assert!(x_ticks_that_fit(450, 5) <= 4);
    assert_eq!(x_ticks_that_fit(0, 5), 2);
    let (t, _) = x_ticks(Axis::Time, T0, T0 + 3.0 * DAY, 450);
    assert!(t.ticks.len() <= 3, "{:?}", t.ticks);
}
