//! What each command does, with anyhow context on every error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::CommandFactory;
use poolscan::analysis::{self, Verdict};
use poolscan::log::{Log, ReadOptions};
use poolscan::parse::input;
use poolscan::parse::pooltag::TagDb;
use poolscan::table::{self, export};
use poolscan::{fleet, report, units};

use crate::cli::{self, Cli, Command};
use crate::{drivers, progress};

pub fn run(cli: Cli) -> Result<ExitCode> {
    let color = match cli.color {
        cli::ColorChoice::Always => true,
        cli::ColorChoice::Never => false,
        cli::ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
                && console_takes_ansi()
        }
    };
    let ui = Ui {
        quiet: cli.quiet,
        color,
        progress: !cli.quiet && !cli.no_progress && std::io::stderr().is_terminal(),
    };
    match cli.command {
        Command::Analyze(a) => analyze(a, &ui),
        Command::Export(a) => export_cmd(a, &ui),
        Command::Diff(a) => diff(a, &ui),
        Command::Fleet(a) => fleet(a, &ui),
        Command::Sql(a) => sql(a, &ui),
        Command::Tags(a) => tags(a, &ui),
        Command::Capture(a) => capture(a, &ui),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "poolscan", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let man = clap_mangen::Man::new(Cli::command());
            let mut out = Vec::new();
            man.render(&mut out).context("rendering the man page")?;
            std::io::stdout()
                .write_all(&out)
                .context("writing the man page")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Whether the console shows ANSI colours: on Windows, once virtual-terminal
/// processing is turned on (a console that refuses gets no colour codes).
fn console_takes_ansi() -> bool {
    if cfg!(windows) {
        anstyle_query::windows::enable_ansi_colors().unwrap_or(false)
    } else {
        true
    }
}

/// How to talk to the user on stderr.
pub struct Ui {
    pub quiet: bool,
    pub color: bool,
    /// Draw a progress bar on stderr while reading (a terminal, not --quiet or --no-progress).
    pub progress: bool,
}

fn read_opts(a: &cli::InputArgs) -> Result<ReadOptions> {
    let interval = match &a.interval {
        None => None,
        Some(s) => Some(duration_arg("--interval", s)?),
    };
    let start = match &a.start {
        None => None,
        Some(s) => Some(parse_start(s).with_context(|| {
            format!("--start {s:?}: expected a date and time such as 2026-11-25T08:00:00")
        })?),
    };
    Ok(ReadOptions {
        strict: a.strict,
        start,
        interval,
        progress: None,
    })
}

fn parse_start(s: &str) -> Option<chrono::NaiveDateTime> {
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s.trim(), f) {
            return Some(t);
        }
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

fn load(a: &cli::InputArgs, ui: &Ui) -> Result<Log> {
    let mut opts = read_opts(a)?;
    let inputs = input::expand(&a.inputs).context("reading the inputs")?;
    let display = ui.progress.then(|| {
        let p = poolscan::log::Progress::default();
        opts.progress = Some(p.clone());
        progress::Display::start(&p)
    });
    let log = poolscan::log::read(&inputs, &opts);
    if let Some(d) = display {
        d.finish();
    }
    let log = log?;
    if !ui.quiet {
        diagnostics(&log);
    }
    Ok(log)
}

/// A path made absolute with its links resolved, also when it does not exist yet
/// (then its parent is resolved).
fn resolved(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = std::fs::canonicalize(p) {
        return Some(c);
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
}

/// Inputs are never written to: refuses an output that is one of the inputs,
/// or (`dir`, the bundle directory, which `--force` replaces whole) holds one.
fn guard_inputs(out: &Path, inputs: &[String], dir: bool) -> Result<()> {
    let Some(target) = resolved(out) else {
        return Ok(());
    };
    // The arguments themselves, and the files a directory argument stands for.
    let mut named: Vec<PathBuf> = inputs
        .iter()
        .filter(|a| a.as_str() != "-")
        .map(PathBuf::from)
        .collect();
    if let Ok(files) = input::expand(inputs) {
        named.extend(files.into_iter().filter_map(|i| match i {
            input::Input::File(p) => Some(p),
            input::Input::Stdin => None,
        }));
    }
    for p in named {
        let Ok(input) = std::fs::canonicalize(&p) else {
            continue;
        };
        if input == target || (dir && input.starts_with(&target)) {
            bail!(
                "{}: would overwrite the input {}: poolscan never writes to its inputs, choose another output",
                out.display(),
                p.display()
            );
        }
    }
    Ok(())
}

/// Per input: lines, snapshots, skipped lines with the first reasons.
fn diagnostics(log: &Log) {
    let mut err = std::io::stderr().lock();
    for i in &log.inputs {
        let _ = writeln!(
            err,
            "{}: {} snapshots, {} rows, {} lines, {} skipped{}",
            i.path,
            i.snapshots,
            i.rows,
            i.lines,
            i.skipped_lines,
            i.date_order
                .as_deref()
                .map(|d| format!("; dates read {d}"))
                .unwrap_or_default()
        );
        for w in i.warnings.iter().take(5) {
            let _ = writeln!(err, "  line {}: {}", w.line, w.reason);
        }
        if i.skipped_lines > 0 {
            let by_reason: Vec<String> = i
                .reasons
                .iter()
                .map(|(reason, n)| format!("{n} x {reason}"))
                .collect();
            let _ = writeln!(err, "  skipped lines by reason: {}", by_reason.join("; "));
        }
        if i.warning_count > 5 {
            let _ = writeln!(
                err,
                "  ... and {} more warnings (all in the JSON output)",
                i.warning_count - 5
            );
        }
    }
}

fn tagdb(files: &[std::path::PathBuf], ui: &Ui) -> Result<Option<TagDb>> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut db = TagDb::new();
    for f in files {
        let warnings = db
            .add_file(f)
            .with_context(|| format!("reading pooltag file {}", f.display()))?;
        if !ui.quiet && !warnings.is_empty() {
            eprintln!(
                "{}: {} lines skipped (first: {})",
                f.display(),
                warnings.len(),
                warnings[0]
            );
        }
    }
    Ok(Some(db))
}

/// `--min-growth SIZE` or `SIZE/h`.
fn min_growth(s: &str) -> Result<analysis::MinGrowth> {
    let t = s.trim();
    let (size, per_hour) = match t.strip_suffix("/h").or_else(|| t.strip_suffix("/H")) {
        Some(size) => (size, true),
        None => (t, false),
    };
    let b = units::parse_size(size).with_context(|| {
        format!(
            "--min-growth {s:?}: expected a size such as 64KiB or 1MiB, or a rate such as 16KiB/h"
        )
    })? as f64;
    Ok(if per_hour {
        analysis::MinGrowth::PerHour(b)
    } else {
        analysis::MinGrowth::Bytes(b)
    })
}

fn analyze(a: cli::AnalyzeArgs, ui: &Ui) -> Result<ExitCode> {
    let budget = match &a.budget {
        None => None,
        Some(s) => Some(
            units::parse_size(s)
                .with_context(|| format!("--budget {s:?}: expected a size such as 512MiB or 2G"))?,
        ),
    };
    let db = tagdb(&a.pooltag, ui)?;
    if let Some(dir) = &a.out {
        guard_inputs(dir, &a.input.inputs, true)?;
        poolscan::io::check_target(dir, a.force)?;
    }
    let log = load(&a.input, ui)?;
    let opts = analysis::Options {
        budget,
        min_growth: min_growth(&a.min_growth)?,
    };
    let mut result = analysis::analyze(&log, &opts, db.as_ref())?;
    if let Some(dir) = &a.drivers {
        let tags = result.unnamed_suspects();
        if let Some(scan) = drivers::for_suspects(dir, &tags, ui)? {
            let named = result.name_drivers(|t| scan.label(t));
            drivers::named_note(named, tags.len(), ui);
        }
    }
    let fmt = report_format(a.format);
    let opts = report::Style {
        top: a.top,
        color: ui.color,
        width: terminal_width(),
    };
    let text = report::render(&result, fmt, &opts)?;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing the report")?;
    if let Some(dir) = &a.out {
        let chart = chart_kind(a.chart_format);
        poolscan::report::bundle::write(dir, &log, &result, chart, a.force)
            .with_context(|| format!("writing the bundle to {}", dir.display()))?;
        if !ui.quiet {
            eprintln!("wrote {}", dir.join("report.md").display());
        }
    }
    let code = exit_for(a.fail_on, result.series.iter().map(|s| s.verdict));
    // The process ends here: the system takes back the log's memory at
    // once, faster than freeing it column by column.
    std::mem::forget(log);
    Ok(code)
}

/// The width to fit tables to: the terminal's, or no limit when stdout is a file or a pipe.
fn terminal_width() -> usize {
    if let Some(c) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return c;
    }
    if !std::io::stdout().is_terminal() {
        return usize::MAX / 4;
    }
    terminal_size::terminal_size()
        .map(|(w, _)| usize::from(w.0))
        .unwrap_or(120)
}

fn export_cmd(a: cli::ExportArgs, ui: &Ui) -> Result<ExitCode> {
    let format = match a.format {
        Some(cli::ExportFormat::Csv) => export::TableFormat::Csv,
        Some(cli::ExportFormat::Parquet) => export::TableFormat::Parquet,
        Some(cli::ExportFormat::Json) => export::TableFormat::Json,
        Some(cli::ExportFormat::Ndjson) => export::TableFormat::Ndjson,
        None if a.output.as_os_str() == "-" => export::TableFormat::Csv,
        None => match export::TableFormat::from_path(&a.output) {
            Some(f) => f,
            None => bail!("{}: cannot tell the format from the extension: give --format csv|parquet|json|ndjson", a.output.display()),
        },
    };
    if a.partition_by.is_some() {
        return export_dataset(a, format, ui);
    }
    if a.output.as_os_str() != "-" {
        guard_inputs(&a.output, &a.input.inputs, false)?;
    }
    let log = load(&a.input, ui)?;
    let table = match a.table {
        cli::TableChoice::Samples => table::Table::Samples,
        cli::TableChoice::Snapshots => table::Table::Snapshots,
    };
    let mut df = table::table(log, table)?;
    export::write(&mut df, format, &a.output)
        .with_context(|| format!("writing {}", a.output.display()))?;
    if !ui.quiet && a.output.as_os_str() != "-" {
        eprintln!("wrote {} rows to {}", df.height(), a.output.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(a: cli::DiffArgs, ui: &Ui) -> Result<ExitCode> {
    let db = tagdb(&a.pooltag, ui)?;
    let opts = ReadOptions::default();
    let before = poolscan::log::read(&input::expand(&[a.before.as_str()])?, &opts)?;
    let after = poolscan::log::read(&input::expand(&[a.after.as_str()])?, &opts)?;
    if !ui.quiet {
        diagnostics(&before);
        diagnostics(&after);
    }
    let d = poolscan::diff::compare(&before, &after, db.as_ref());
    let fmt = report_format(a.format);
    let opts = report::Style {
        top: a.top,
        color: ui.color,
        width: terminal_width(),
    };
    let text = report::render_diff(&d, fmt, &opts)?;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing the comparison")?;
    Ok(ExitCode::SUCCESS)
}

fn tags(a: cli::TagsArgs, ui: &Ui) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if !a.pooltag.is_empty() {
        pooltag_lines(&mut out, &a, ui)?;
    }
    if let Some(dir) = &a.drivers {
        let query = poolscan::drivers::Query {
            discover: a.write_localtag.is_some(),
            ..poolscan::drivers::Query::tags(&a.tags)
        };
        let scan = drivers::scan(dir, &query, ui)?;
        drivers::print_candidates(&mut out, &scan, &a.tags, a.top)?;
        if let Some(path) = &a.write_localtag {
            drivers::write_localtag(path, &scan, ui)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A duration option (`--interval 10m`), or an error naming the option.
fn duration_arg(flag: &str, s: &str) -> Result<chrono::Duration> {
    units::parse_duration(s)
        .with_context(|| format!("{flag} {s:?}: expected a duration such as 10m, 30s or 1h"))
}

/// `capture`: snapshots of the running system appended to a log.
fn capture(a: cli::CaptureArgs, ui: &Ui) -> Result<ExitCode> {
    // parse_duration's durations are positive: to_std cannot fail.
    let dur = |flag: &str, s: &str| -> Result<std::time::Duration> {
        Ok(duration_arg(flag, s)?.to_std().unwrap_or_default())
    };
    let plan = poolscan::capture::Plan {
        interval: dur("--interval", &a.interval)?,
        count: a.count,
        duration: a
            .duration
            .as_deref()
            .map(|d| dur("--duration", d))
            .transpose()?,
    };
    let db = tagdb(&a.pooltag, ui)?;
    let mut source = poolscan::capture::system()?;
    static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    poolscan::capture::stop_on_ctrl_c(&STOP)?;
    let out = a.output.display().to_string();
    let n = poolscan::capture::run(
        &mut *source,
        &a.output,
        plan,
        db.as_ref(),
        &STOP,
        |i, rows| {
            if !ui.quiet {
                eprintln!("poolscan: snapshot {i}: {rows} tags appended to {out}");
            }
        },
    )
    .with_context(|| format!("capturing to {out}"))?;
    if !ui.quiet {
        eprintln!("poolscan: {n} snapshots in {out}; next: poolscan analyze {out}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `tags … --pooltag FILE`: the entries of each tag.
fn pooltag_lines(out: &mut impl Write, a: &cli::TagsArgs, ui: &Ui) -> Result<()> {
    let db = tagdb(&a.pooltag, ui)?.unwrap_or_default();
    for t in &a.tags {
        let hits = db.lookup(t);
        if hits.is_empty() {
            writeln!(out, "{t:<4}  (no entry)")?;
        }
        for e in hits {
            writeln!(
                out,
                "{t:<4}  {:<4}  {:<20} {}",
                e.pattern, e.binary, e.description
            )?;
        }
    }
    Ok(())
}

fn host_regex(r: &Option<String>) -> Result<Option<regex::Regex>> {
    r.as_deref()
        .map(|r| regex::Regex::new(r).with_context(|| format!("--host-from {r:?}")))
        .transpose()
}

/// Reads the hosts one per worker at a time (no progress bar: the hosts are the progress).
fn fleet_hosts(
    a: &cli::InputArgs,
    host_from: &Option<String>,
) -> Result<(Vec<fleet::Host>, ReadOptions)> {
    let re = host_regex(host_from)?;
    let hosts = fleet::hosts(&a.inputs, re.as_ref()).context("reading the inputs")?;
    Ok((hosts, read_opts(a)?))
}

fn chart_kind(c: cli::ChartFormat) -> poolscan::chart::ChartFormat {
    match c {
        cli::ChartFormat::Png => poolscan::chart::ChartFormat::Png,
        cli::ChartFormat::Svg => poolscan::chart::ChartFormat::Svg,
    }
}

/// Exit 1 when `--fail-on` was given and a verdict reaches it, else 0.
fn exit_for(fail_on: Option<cli::FailOn>, mut verdicts: impl Iterator<Item = Verdict>) -> ExitCode {
    let least = match fail_on {
        None => return ExitCode::SUCCESS,
        Some(cli::FailOn::Leak) => Verdict::Leak,
        Some(cli::FailOn::Suspect) => Verdict::Suspect,
    };
    if verdicts.any(|v| v >= least) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn report_format(f: cli::ReportFormat) -> report::ReportFormat {
    match f {
        cli::ReportFormat::Table => report::ReportFormat::Table,
        cli::ReportFormat::Json => report::ReportFormat::Json,
        cli::ReportFormat::Csv => report::ReportFormat::Csv,
        cli::ReportFormat::Markdown => report::ReportFormat::Markdown,
    }
}

fn fleet(a: cli::FleetArgs, ui: &Ui) -> Result<ExitCode> {
    let db = tagdb(&a.pooltag, ui)?;
    if let Some(dir) = &a.out {
        guard_inputs(dir, &a.input.inputs, true)?;
        poolscan::io::check_target(dir, a.force)?;
    }
    let (hosts, read) = fleet_hosts(&a.input, &a.host_from)?;
    let opts = analysis::Options {
        min_growth: min_growth(&a.min_growth)?,
        ..Default::default()
    };
    let mut f = fleet::run(&hosts, &read, &opts, db.as_ref())?;
    if let Some(dir) = &a.drivers {
        let tags = f.unnamed_suspects();
        if let Some(scan) = drivers::for_suspects(dir, &tags, ui)? {
            let named = f.name_drivers(|t| scan.label(t));
            drivers::named_note(named, tags.len(), ui);
        }
    }
    if !ui.quiet {
        for h in &f.hosts {
            if h.skipped_lines > 0 {
                eprintln!(
                    "host {}: {} lines could not be read (run `poolscan analyze` on its logs for the details)",
                    h.name, h.skipped_lines
                );
            }
        }
    }
    let style = report::Style {
        top: a.top,
        color: ui.color,
        width: terminal_width(),
    };
    let text = report::render_fleet(&f, report_format(a.format), &style)?;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing the report")?;
    if let Some(dir) = &a.out {
        let chart = chart_kind(a.chart_format);
        report::bundle::fleet::write_bundle(
            dir,
            &f,
            &hosts,
            &read,
            &opts,
            db.as_ref(),
            chart,
            a.force,
        )
        .with_context(|| format!("writing the fleet bundle to {}", dir.display()))?;
        if !ui.quiet {
            eprintln!("wrote {}", dir.join("fleet.md").display());
        }
    }
    Ok(exit_for(a.fail_on, f.series.iter().map(|s| s.verdict)))
}

fn export_dataset(a: cli::ExportArgs, format: export::TableFormat, ui: &Ui) -> Result<ExitCode> {
    if format != export::TableFormat::Parquet {
        bail!("--partition-by writes a Parquet dataset: use --format parquet (or no --format)");
    }
    guard_inputs(&a.output, &a.input.inputs, true)?;
    let (hosts, read) = fleet_hosts(&a.input, &a.host_from)?;
    let reports = table::dataset::write_dataset(
        &a.output,
        &hosts,
        &read,
        &analysis::Options::default(),
        None,
        a.force,
    )
    .with_context(|| format!("writing the dataset to {}", a.output.display()))?;
    if !ui.quiet {
        let snaps: usize = reports.iter().map(|r| r.snapshots).sum();
        eprintln!(
            "wrote {} hosts ({} snapshots) to {}/{{{}}}/host=NAME/",
            reports.len(),
            snaps,
            a.output.display(),
            table::dataset::TABLES.join(",")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `poolscan sql` in a build without polars' SQL engine: say how to get one.
#[cfg(not(feature = "sql"))]
fn sql(_: cli::SqlArgs, _: &Ui) -> Result<ExitCode> {
    eprintln!(
        "poolscan: error: this poolscan was built without SQL (the cargo feature `sql`); \
         build one with: cargo install --locked --path . --features sql"
    );
    Ok(ExitCode::from(2))
}

#[cfg(feature = "sql")]
fn sql(a: cli::SqlArgs, ui: &Ui) -> Result<ExitCode> {
    let query = if std::path::Path::new(&a.query).is_file() {
        std::fs::read_to_string(&a.query).with_context(|| format!("reading {}", a.query))?
    } else {
        a.query.clone()
    };
    let format = match a.format {
        Some(cli::ExportFormat::Csv) => export::TableFormat::Csv,
        Some(cli::ExportFormat::Parquet) => export::TableFormat::Parquet,
        Some(cli::ExportFormat::Json) => export::TableFormat::Json,
        Some(cli::ExportFormat::Ndjson) => export::TableFormat::Ndjson,
        None => export::TableFormat::from_path(&a.output).unwrap_or(export::TableFormat::Csv),
    };
    let mut df = table::dataset::query(&a.dataset, &query)
        .with_context(|| format!("running the query on {}", a.dataset.display()))?;
    export::write(&mut df, format, &a.output)
        .with_context(|| format!("writing {}", a.output.display()))?;
    if !ui.quiet && a.output.as_os_str() != "-" {
        eprintln!("wrote {} rows to {}", df.height(), a.output.display());
    }
    Ok(ExitCode::SUCCESS)
}
