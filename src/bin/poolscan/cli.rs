//! The command line, with clap's derive API. Only the binary knows clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  --fail-on was given and a series reached that verdict
  2  usage or input error (the message names the file and, where it applies, the line)";

/// Find kernel pool leaks in Windows PoolMon logs.
#[derive(Debug, Parser)]
#[command(name = "poolscan", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print nothing on stderr but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Never show the progress bar (shown on a terminal while a large input is read).
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse logs, rank leak suspects, print a report; with --out also write the bug-report bundle.
    #[command(after_help = "Examples:
  poolscan analyze poolmon.log
  poolscan analyze poolmon.log --top 20 --pooltag pooltag.txt
  poolscan analyze logs/ --format json > report.json
  poolscan analyze poolsnap.log --interval 10m --start '2026-11-25 08:00'
  poolscan analyze poolmon.log --out report --fail-on leak
  poolscan analyze poolmon.log --drivers drivers/

Exit status: 0 success; 1 --fail-on matched; 2 usage or input error.")]
    Analyze(AnalyzeArgs),
    /// Write the parsed data as a table (samples or snapshots).
    #[command(after_help = "Examples:
  poolscan export poolmon.log -o samples.parquet
  poolscan export poolmon.log --table snapshots --format csv -o -
  poolscan export a.log b.log.gz -o all.ndjson")]
    Export(ExportArgs),
    /// Two-point comparison (like UMDH): change per tag and pool between the last snapshot of each input.
    #[command(after_help = "Examples:
  poolscan diff before.log after.log
  poolscan diff before.log after.log --format csv > change.csv")]
    Diff(DiffArgs),
    /// Many hosts at once: rank each host's log, then weigh agreement across hosts.
    #[command(
        after_help = "Each input is one host: a file (the host is its name without .log/.txt/.gz/.zst)
or a directory of that host's logs (the host is the directory's name).

A (tag, pool) is a fleet `leak` when hosts agree: with w = hosts with `leak` + half the
hosts with `suspect`, w >= 2 and w >= a tenth of the hosts that have the tag; `suspect`
when w >= 1. One noisy host is never a fleet leak.

Examples:
  poolscan fleet logs/*.log
  poolscan fleet lab/host-*/ --format json > fleet.json
  poolscan fleet runs/*/poolmon.log --host-from 'runs/([^/]+)/' --out fleet-report

Exit status: 0 success; 1 --fail-on matched; 2 usage or input error."
    )]
    Fleet(FleetArgs),
    /// Run SQL over a dataset written by `export --partition-by host` (polars' SQL engine).
    #[command(
        after_help = "The dataset's tables are `samples`, `snapshots` and `analysis`, each with a
`host` column from its host=NAME directories.

Examples:
  poolscan export --partition-by host logs/*.log -o fleet-data
  poolscan sql fleet-data examples/fleet.sql
  poolscan sql fleet-data \"SELECT host, count(*) AS n FROM samples GROUP BY host\" --format json"
    )]
    Sql(SqlArgs),
    /// Which driver owns a tag: from pooltag.txt / localtag.txt style files, or from the driver binaries.
    #[command(
        after_help = "With --drivers, each candidate binary is ranked by where the tag occurs in it: as an
immediate right before a call through its import of a pool function (ExAllocatePool2,
ExAllocatePoolWithTag, ExFreePoolWithTag, ...; confidence high), elsewhere in code
(medium), or only as bytes in data (low: what `findstr /m /l /s Tag *.sys` finds).

Examples:
  poolscan tags Ntfx 'Dh 1' --pooltag pooltag.txt
  poolscan tags WDiv --drivers drivers/
  poolscan tags --drivers drivers/ --write-localtag localtag.txt"
    )]
    Tags(TagsArgs),
    /// Windows: append snapshots of every pool tag to a log, in PoolMon's wide /n form (no WDK needed).
    #[command(
        after_help = "Each snapshot is the kernel's pool-tag table (NtQuerySystemInformation, as PoolMon
reads it) and the memory summary, after an ISO 8601 timestamp line, written whole and flushed.
Ctrl-C stops between snapshots. Without --count or --duration it runs until stopped.

Examples:
  poolscan capture -o poolmon.log --interval 5m --duration 24h
  poolscan capture -o poolmon.log --interval 30s --count 20 --pooltag pooltag.txt
  poolscan analyze poolmon.log --out report

Exit status: 0 success; 2 usage or capture error (also on systems other than Windows)."
    )]
    Capture(CaptureArgs),
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout.
    Man,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Log files, directories (their *.log and *.txt files), or - for stdin. gzip and zstd are read as is.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Fail (exit 2) on the first line that cannot be read.
    #[arg(long)]
    pub strict: bool,
    /// Time between snapshots, for logs without timestamp lines (10m, 30s, 1h).
    #[arg(long, value_name = "DURATION")]
    pub interval: Option<String>,
    /// Time of the first snapshot, for logs without timestamp lines (2026-11-25T08:00:00).
    #[arg(long, value_name = "DATETIME", requires = "interval")]
    pub start: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Leak,
    Suspect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartFormat {
    Png,
    Svg,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Rows shown in table and markdown output.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Also write the bug-report bundle (report.md, report.json, charts/) to DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace a non-empty --out DIR.
    #[arg(long)]
    pub force: bool,
    /// Chart format in the bundle.
    #[arg(long, value_enum, default_value_t = ChartFormat::Png)]
    pub chart_format: ChartFormat,
    /// pooltag.txt / localtag.txt style file for driver names (repeatable).
    #[arg(long, value_name = "FILE")]
    pub pooltag: Vec<PathBuf>,
    /// A folder of driver binaries: name the drivers of suspects that the log and pooltag.txt
    /// leave unnamed, marked `[scan: foo.sys 0.85]` (see `poolscan tags --drivers`).
    #[arg(long, value_name = "DIR")]
    pub drivers: Option<PathBuf>,
    /// Exit 1 when a series reaches this verdict.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// A pool size limit (512MiB, 2G): estimate when the pools reach it at the current rate.
    #[arg(long, value_name = "SIZE")]
    pub budget: Option<String>,
    /// A `leak` grows at least this much over the log (64KiB, 1MiB), or per hour (16KiB/h).
    #[arg(long, value_name = "SIZE", default_value = "64KiB")]
    pub min_growth: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableChoice {
    Samples,
    Snapshots,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Parquet,
    Json,
    Ndjson,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Which table.
    #[arg(long, value_enum, default_value_t = TableChoice::Samples)]
    pub table: TableChoice,
    /// Format (default: from the extension of --output).
    #[arg(long, short, value_enum)]
    pub format: Option<ExportFormat>,
    /// Output file, or - for stdout (csv, ndjson, json); a directory with --partition-by.
    #[arg(long, short, value_name = "PATH")]
    pub output: PathBuf,
    /// Write a Hive-partitioned Parquet dataset: one host per input, the tables samples,
    /// snapshots and analysis under PATH/TABLE/host=NAME/part-0.parquet.
    #[arg(long, value_enum, value_name = "COLUMN")]
    pub partition_by: Option<PartitionBy>,
    /// With --partition-by: the host name is this regular expression's first group in each input.
    #[arg(long, value_name = "REGEX", requires = "partition_by")]
    pub host_from: Option<String>,
    /// With --partition-by: replace a non-empty output directory.
    #[arg(long, requires = "partition_by")]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PartitionBy {
    Host,
}

#[derive(Debug, Args)]
pub struct FleetArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The host name is this regular expression's first group (or whole match) in each input.
    #[arg(long, value_name = "REGEX")]
    pub host_from: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Rows shown in table and markdown output.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Also write the fleet bundle (fleet.md, fleet.json, charts/) to DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace a non-empty --out DIR.
    #[arg(long)]
    pub force: bool,
    /// Chart format in the bundle.
    #[arg(long, value_enum, default_value_t = ChartFormat::Png)]
    pub chart_format: ChartFormat,
    /// pooltag.txt / localtag.txt style file for driver names (repeatable).
    #[arg(long, value_name = "FILE")]
    pub pooltag: Vec<PathBuf>,
    /// A folder of driver binaries: name the drivers of fleet suspects left unnamed, marked
    /// `[scan: foo.sys 0.85]` (see `poolscan tags --drivers`).
    #[arg(long, value_name = "DIR")]
    pub drivers: Option<PathBuf>,
    /// Exit 1 when a fleet series reaches this verdict.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// A host's `leak` grows at least this much over its log (64KiB), or per hour (16KiB/h).
    #[arg(long, value_name = "SIZE", default_value = "64KiB")]
    pub min_growth: String,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The dataset directory (written by `poolscan export --partition-by host`).
    pub dataset: PathBuf,
    /// The query, or a file holding it (such as examples/fleet.sql).
    pub query: String,
    /// Format (default: from the extension of --output, else csv).
    #[arg(long, short, value_enum)]
    pub format: Option<ExportFormat>,
    /// Output file, or - for stdout.
    #[arg(long, short, value_name = "PATH", default_value = "-")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The log before (its last snapshot is used).
    pub before: String,
    /// The log after (its last snapshot is used).
    pub after: String,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Rows shown in table and markdown output.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// pooltag.txt / localtag.txt style file for driver names (repeatable).
    #[arg(long, value_name = "FILE")]
    pub pooltag: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TagsArgs {
    /// Tags to look up (quote tags with spaces: 'Dh 1'); none needed with --write-localtag.
    #[arg(required_unless_present = "write_localtag")]
    pub tags: Vec<String>,
    /// pooltag.txt / localtag.txt style file (repeatable; needed without --drivers).
    #[arg(long, value_name = "FILE", required_unless_present = "drivers")]
    pub pooltag: Vec<PathBuf>,
    /// A folder of driver binaries (a copy of System32\drivers; searched recursively):
    /// which of them allocate each tag, with the evidence.
    #[arg(long, value_name = "DIR")]
    pub drivers: Option<PathBuf>,
    /// With --drivers: write every tag found next to a pool call, with its binaries, as a
    /// localtag.txt-style file (which --pooltag reads).
    #[arg(long, value_name = "FILE", requires = "drivers")]
    pub write_localtag: Option<PathBuf>,
    /// With --drivers: candidate binaries shown per tag.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The log to append to (created when missing).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Time between snapshots (30s, 5m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub interval: String,
    /// Stop after this many snapshots.
    #[arg(long, value_name = "N", conflicts_with = "duration")]
    pub count: Option<u64>,
    /// Stop after this long (24h, 7d).
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// pooltag.txt / localtag.txt style file: adds the Mapped_Driver column (repeatable).
    #[arg(long, value_name = "FILE")]
    pub pooltag: Vec<PathBuf>,
}
