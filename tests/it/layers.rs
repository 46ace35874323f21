//! The library's layering: each top-level module of `src/` imports only the
//! modules below it, so the code reads bottom-up and no two modules depend on
//! each other. The rule (also in `src/lib.rs` and the README's code map):
//!
//! ```text
//! error, units, model, stats          shared leaves
//! io -> error;  chart -> units, error (a leaf: plain points in, files out)
//! drivers -> error (a leaf: driver binaries in, tag attributions out)
//! parse -> log -> analysis -> diff, fleet -> table -> report (report::bundle last)
//! ```
//!
//! Every `crate::NAME` path outside comments and test code is checked against
//! the table below; a new module must be added to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What each top-level module may import (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("units", &[]),
    ("model", &[]),
    ("stats", &[]),
    ("io", &["error"]),
    ("capture", &["error", "parse"]),
    ("chart", &["units", "error"]),
    ("drivers", &["error"]),
    ("parse", &["error", "model", "units"]),
    ("log", &["error", "model", "units", "parse"]),
    (
        "analysis",
        &["error", "model", "units", "stats", "parse", "log"],
    ),
    ("diff", &["error", "model", "units", "parse", "log"]),
    (
        "fleet",
        &[
            "error", "model", "units", "stats", "parse", "log", "analysis",
        ],
    ),
    (
        "table",
        &[
            "error", "model", "units", "io", "parse", "log", "analysis", "fleet",
        ],
    ),
    (
        "report",
        &[
            "error", "model", "units", "io", "stats", "chart", "parse", "log", "analysis", "diff",
            "fleet", "table",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` part.
fn code(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start() == "#[cfg(test)]" {
            break;
        }
        let line = match line.find("//") {
            Some(k) => &line[..k],
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The top-level modules a piece of code names as `crate::NAME` or in
/// `use crate::{NAME, ...}`.
fn imports(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(k) = rest.find("crate::") {
        rest = &rest[k + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        } else {
            names.push(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

#[test]
fn library_imports_go_one_way_only() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    let mut broken = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix("src").unwrap();
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        let first = parts.next().unwrap().to_string();
        if first == "lib.rs" || first == "bin" || rel.file_name().unwrap() == "tests.rs" {
            continue;
        }
        let module = first.trim_end_matches(".rs").to_string();
        let Some(ok) = allowed.get(module.as_str()) else {
            panic!(
                "{}: module `{module}` is not in the layering table",
                f.display()
            );
        };
        let text = std::fs::read_to_string(f).unwrap();
        for name in imports(&code(&text)) {
            if name != module && !ok.contains(&name.as_str()) {
                broken.push(format!(
                    "{}: `{module}` imports `crate::{name}`",
                    f.display()
                ));
            }
        }
        // Inside report, only the bundle uses the bundle.
        if module == "report" && !rel.starts_with("report/bundle") {
            for name in imports(&code(&text).replace("crate::report::", "crate::")) {
                if name == "bundle" {
                    broken.push(format!("{}: report imports its bundle", f.display()));
                }
            }
        }
        checked += 1;
    }
    assert!(
        checked > 30,
        "only {checked} files checked: run from the package root"
    );
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_scanner_sees_grouped_and_plain_imports() {
    let c =
        code("use crate::{log, parse::Pool};\nlet x = crate::units::bytes(1); // crate::chart\n");
    assert_eq!(imports(&c), ["log", "parse", "units"]);
    assert_eq!(
        code("use crate::a;\n#[cfg(test)]\nuse crate::b;\n"),
        "use crate::a;\n"
    );
}
