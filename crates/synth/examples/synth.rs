//! Writes a synthetic PoolMon log (and optionally its ground truth) with `poolscan::synth`.
//!
//! ```text
//! cargo run --release --example synth -- --seed 7 --snapshots 200 --reboots 1 -o log.txt --truth truth.tsv
//! cargo run --release --example synth -- --machine 3000 --leaks 7 --snapshots 500 -o machine.log --truth truth.tsv
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Instant;

use poolscan_synth::{
    self as synth, Config, Encoding, Family, Form, LineEnding, MachineConfig, StampStyle,
};

const USAGE: &str = "\
usage: synth [--seed N] [--snapshots N] [--series N] [--leak-share F]
             [--families NAME,NAME,...] [--form narrow|wide|interactive] [--driver]
             [--no-summary] [--stamp none|us|dayfirst|clue|powershell|iso]
             [--encoding ascii|utf16|mixed|utf8bom] [--eol crlf|lf|cr] [--reboots N]
             [--interval SECS] [--jitter F] [--gap F] [--size-mb N] -o LOG [--truth TSV]
       synth --fleet HOSTS [--seed N] [--snapshots N] -o DIR
       synth --machine TAGS [--leaks N] [--seed N] [--snapshots N] [--form narrow|wide]
             [--stamp STYLE] [--interval SECS] [--reboots N] [--jitter F] [--gap F]
             [--encoding ENC] [--eol EOL] [--driver] [--no-summary] [--size-mb N]
             [--hot N] [--fixed-order] -o LOG [--truth TSV]

  --fleet HOSTS one log per host (DIR/host01.log, …, and DIR/truth.tsv): the same tags on every
                host, leaks on some hosts only (poolscan_synth::fleet)

  --machine TAGS a log that looks like a real machine (poolscan_synth::generate_machine): TAGS
                (tag, pool) series sorted by bytes, mostly healthy, --leaks N planted leaks
                (default 7; 0 for a clean log); defaults 96 snapshots at --interval 300, jitter
                0.1, gap 0.01; the truth TSV adds level_bytes and growth_bytes columns
  --hot N       machine logs: N busy series whose 32-bit counters pass 2^31 or wrap past 2^32
                mid-capture (default 2)
  --fixed-order machine logs: rows in one fixed order every snapshot instead of by bytes (for
                comparison with the order poolmon -b prints)

  --size-mb N   grow the number of snapshots until the log is about N MB (overrides --snapshots)
  --families    one series per listed family (snake_case names), then Flat/BigNoisy background
";

struct Args {
    fleet: Option<usize>,
    machine: Option<usize>,
    leaks: Option<usize>,
    hot: Option<usize>,
    fixed_order: bool,
    /// Flags given on the command line (machine logs take only those from `cfg`).
    seen: Vec<String>,
    cfg: Config,
    size_mb: Option<f64>,
    out: String,
    truth: Option<String>,
}

fn parse_num<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
    let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
    v.parse::<T>()
        .map_err(|_| format!("{flag}: cannot parse {v:?}"))
}

fn parse_args() -> Result<Args, String> {
    let mut cfg = Config::default();
    let mut size_mb = None;
    let mut out = None;
    let mut truth = None;
    let mut fleet = None;
    let mut machine = None;
    let mut leaks = None;
    let mut hot = None;
    let mut fixed_order = false;
    let mut seen = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        seen.push(a.clone());
        match a.as_str() {
            "--machine" => machine = Some(parse_num(&a, it.next())?),
            "--leaks" => leaks = Some(parse_num(&a, it.next())?),
            "--seed" => cfg.seed = parse_num(&a, it.next())?,
            "--snapshots" => cfg.snapshots = parse_num(&a, it.next())?,
            "--series" => cfg.series = parse_num(&a, it.next())?,
            "--leak-share" => cfg.leak_share = parse_num(&a, it.next())?,
            "--reboots" => cfg.reboots = parse_num(&a, it.next())?,
            "--interval" => cfg.interval_secs = parse_num(&a, it.next())?,
            "--jitter" => cfg.jitter = parse_num(&a, it.next())?,
            "--gap" => cfg.gap_prob = parse_num(&a, it.next())?,
            "--size-mb" => size_mb = Some(parse_num::<f64>(&a, it.next())?),
            "--fleet" => fleet = Some(parse_num(&a, it.next())?),
            "--hot" => hot = Some(parse_num(&a, it.next())?),
            "--fixed-order" => fixed_order = true,
            "--driver" => cfg.driver = true,
            "--no-summary" => cfg.summary = false,
            "--families" => {
                let v = it.next().ok_or("--families needs a value")?;
                let fams = v
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| Family::from_name(s).ok_or_else(|| format!("unknown family {s:?}")))
                    .collect::<Result<Vec<_>, _>>()?;
                cfg.families = Some(fams);
            }
            "--form" => {
                cfg.form = match it.next().as_deref() {
                    Some("narrow") => Form::Narrow,
                    Some("wide") => Form::Wide,
                    Some("interactive") => Form::Interactive,
                    other => return Err(format!("--form: bad value {other:?}")),
                }
            }
            "--stamp" => {
                cfg.stamp = match it.next().as_deref() {
                    Some("none") => StampStyle::None,
                    Some("us") => StampStyle::UsCmd,
                    Some("dayfirst") => StampStyle::DayFirstMarker,
                    Some("clue") => StampStyle::Clue,
                    Some("powershell") => StampStyle::PowerShell,
                    Some("iso") => StampStyle::Iso,
                    other => return Err(format!("--stamp: bad value {other:?}")),
                }
            }
            "--encoding" => {
                cfg.encoding = match it.next().as_deref() {
                    Some("ascii") => Encoding::Ascii,
                    Some("utf16") => Encoding::Utf16Le,
                    Some("mixed") => Encoding::MixedUtf16,
                    Some("utf8bom") => Encoding::Utf8Bom,
                    other => return Err(format!("--encoding: bad value {other:?}")),
                }
            }
            "--eol" => {
                cfg.line_ending = match it.next().as_deref() {
                    Some("crlf") => LineEnding::Crlf,
                    Some("lf") => LineEnding::Lf,
                    Some("cr") => LineEnding::Cr,
                    other => return Err(format!("--eol: bad value {other:?}")),
                }
            }
            "-o" | "--output" => out = Some(it.next().ok_or("-o needs a path")?),
            "--truth" => truth = Some(it.next().ok_or("--truth needs a path")?),
            "-h" | "--help" => return Err("help".to_string()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let out = out.ok_or("missing -o LOG")?;
    Ok(Args {
        fleet,
        machine,
        leaks,
        hot,
        fixed_order,
        seen,
        cfg,
        size_mb,
        out,
        truth,
    })
}

/// A writer that only counts bytes.
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Number of snapshots for a log of about `mb` MB, from the size of a short probe log.
fn snapshots_for(cfg: &Config, mb: f64) -> io::Result<usize> {
    let probe_n = 16;
    let mut probe = cfg.clone();
    probe.snapshots = probe_n;
    let mut count = Count(0);
    synth::write_log(&probe, &mut count)?;
    let per = (count.0 as f64 / probe_n as f64).max(1.0);
    Ok(((mb * 1e6 / per).ceil() as usize).max(1))
}

/// Number of snapshots for a machine log of about `mb` MB, from a short probe log.
fn machine_snapshots_for(m: &MachineConfig, mb: f64) -> io::Result<usize> {
    let probe_n = 16;
    let mut probe = m.clone();
    probe.snapshots = probe_n;
    let mut count = Count(0);
    synth::write_machine(&probe, &mut count)?;
    let per = (count.0 as f64 / probe_n as f64).max(1.0);
    Ok(((mb * 1e6 / per).ceil() as usize).max(1))
}

/// `--fleet`: one log per host and a truth file with a `host` column.
fn run_fleet(hosts: usize, cfg: &Config, dir: &str) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tsv = String::from("host\ttag\tpool\tfamily\tleak\n");
    for h in synth::fleet(cfg.seed, hosts, cfg.snapshots) {
        std::fs::write(format!("{dir}/{}.log", h.name), &h.log)?;
        for s in &h.series {
            tsv.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\n",
                h.name,
                s.tag,
                s.pool,
                s.family.name(),
                u8::from(s.leak)
            ));
        }
    }
    std::fs::write(format!("{dir}/truth.tsv"), tsv)?;
    eprintln!(
        "synth: wrote {hosts} host logs of {} snapshots to {dir}/",
        cfg.snapshots
    );
    Ok(())
}

/// `--machine`: a machine-like log and its truth.
fn run_machine(tags: usize, args: &Args) -> io::Result<()> {
    let c = &args.cfg;
    let given = |flag: &str| args.seen.iter().any(|s| s == flag);
    let mut m = MachineConfig {
        seed: c.seed,
        tags,
        form: c.form,
        stamp: c.stamp,
        encoding: c.encoding,
        line_ending: c.line_ending,
        driver: c.driver,
        summary: c.summary,
        reboots: c.reboots,
        ..MachineConfig::default()
    };
    if let Some(n) = args.leaks {
        m.leaks = n;
    }
    if given("--snapshots") {
        m.snapshots = c.snapshots;
    }
    if given("--interval") {
        m.interval_secs = c.interval_secs;
    }
    if given("--jitter") {
        m.jitter = c.jitter;
    }
    if given("--gap") {
        m.gap_prob = c.gap_prob;
    }
    if let Some(n) = args.hot {
        m.hot_counters = n;
    }
    m.fixed_order = args.fixed_order;
    if let Some(mb) = args.size_mb {
        m.snapshots = machine_snapshots_for(&m, mb)?;
    }
    let t0 = Instant::now();
    let mut count = Count(0);
    let file = File::create(&args.out)?;
    let truth = synth::write_machine(&m, Tee(file, &mut count))?;
    let secs = t0.elapsed().as_secs_f64();
    if let Some(path) = &args.truth {
        std::fs::write(path, synth::machine_truth_tsv(&truth))?;
    }
    let leaks = truth.series.iter().filter(|s| s.leak).count();
    eprintln!(
        "synth: wrote {} bytes to {}: machine log, {} snapshots, {} series ({} leaks), {} epoch(s), {:.2} s",
        count.0,
        args.out,
        m.snapshots,
        truth.series.len(),
        leaks,
        truth.epochs.last().map_or(0, |&e| e + 1),
        secs
    );
    Ok(())
}

fn run(args: Args) -> io::Result<()> {
    if let Some(hosts) = args.fleet {
        return run_fleet(hosts, &args.cfg, &args.out);
    }
    if let Some(tags) = args.machine {
        return run_machine(tags, &args);
    }
    let mut cfg = args.cfg;
    if let Some(mb) = args.size_mb {
        cfg.snapshots = snapshots_for(&cfg, mb)?;
    }
    let t0 = Instant::now();
    let mut count = Count(0);
    let file = File::create(&args.out)?;
    let truth = synth::write_log(&cfg, Tee(file, &mut count))?;
    let secs = t0.elapsed().as_secs_f64();
    if let Some(path) = &args.truth {
        std::fs::write(path, synth::truth_tsv(&truth))?;
    }
    let leaks = truth.series.iter().filter(|s| s.leak).count();
    let epochs = truth.epochs.last().map_or(0, |&e| e + 1);
    eprintln!(
        "synth: wrote {} bytes to {}: {} snapshots, {} series ({} leaks), {} epoch(s), {:.2} s ({:.0} MB/s)",
        count.0,
        args.out,
        cfg.snapshots,
        truth.series.len(),
        leaks,
        epochs,
        secs,
        count.0 as f64 / 1e6 / secs.max(1e-9)
    );
    Ok(())
}

/// Writes to a file and counts the bytes.
struct Tee<'a>(File, &'a mut Count);

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1 .0 += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

fn main() -> ExitCode {
    match parse_args() {
        Ok(args) => match run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("synth: {e}");
                ExitCode::FAILURE
            }
        },
        Err(msg) if msg == "help" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("synth: {msg}");
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
