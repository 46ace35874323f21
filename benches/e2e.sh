#!/usr/bin/env bash
# End-to-end benchmark: poolscan next to wc -l, awk and a pandas script on one hot ~1 GB log.
#
#   bash benches/e2e.sh
#
# Builds the release binary and the synth example, generates a narrow PoolMon log of about
# 1 GB shaped like a real capture (`synth --machine 2500`: 2,500 series of a machine-like mix,
# rows sorted by Bytes every snapshot as `poolmon -b` prints them, so neighbours swap places;
# tags that load and unload; busy tags whose 32-bit counters pass 2^31 and wrap; one stamped
# snapshot a minute), and the same log with its rows in one fixed order (`--fixed-order`), reads
# each once into the page cache, then times on the same hot file, best of N runs each, with GNU
# time (wall clock and peak RSS):
#
#   wc -l                                      the floor: read every byte, count newlines
#   awk '{s+=$7} END {print s}'                the one-liner (sums column 7, Per Alloc)
#   poolscan export --table snapshots          reading and parsing alone (a small table out)
#   poolscan export --format parquet           parse into the samples table, write Parquet
#   poolscan analyze --format json             parse and rank every series, on 1 core and all
#   python3 benches/reference.py               regex + pandas + least-squares slope
#   (fixed order) export --table snapshots and analyze, on all cores
#
# and prints a Markdown table and PASS/FAIL for the targets of the performance issue.
#
# Environment:
#   POOLSCAN_E2E_MB=1024         size of the log in MB (10^6 bytes) as synth counts them
#   POOLSCAN_E2E_SERIES=2500     series (tag, pool) in the log
#   POOLSCAN_E2E_FIXED=1         also time the fixed-order twin of the log (0: skip it)
#   POOLSCAN_E2E_RUNS=3          runs per command; the best wall time is kept
#   POOLSCAN_E2E_PANDAS_MB=auto  run the pandas script on a prefix of this many MB and scale its
#                                time linearly to the full log (0 or >= the log: the whole log);
#                                auto: the whole log when the machine has the memory for it
#                                (pandas peaks at about 11x the log: 13x is asked), else 256
#                                (scaling flatters pandas: it grows faster than linearly)
#   POOLSCAN_E2E_EXPORT=auto     time the Parquet export (1), skip it (0), or auto: skip it when the
#                                machine has less memory available than it needs (it peaks at about
#                                1.9x the log: 2.2x is asked), as on a 10 GB log
#   POOLSCAN_E2E_PANDAS_RUNS=1   runs of the pandas script (it is slow)
#   POOLSCAN_E2E_PANDAS=0        skip the pandas script (no pip install either)
#   POOLSCAN_E2E_WAIT_IDLE=60    before each run, wait up to this many seconds for the CPUs to be
#                                idle (a busy machine is reported next to the table)
#   POOLSCAN_E2E_DIR=DIR         where the log and outputs go (default $TMPDIR/poolscan-e2e);
#                                a log generated earlier with the same settings is reused
#
# Needs: cargo, python3, GNU time at /usr/bin/time (installed with apt-get when run as root),
# pandas and numpy (installed with pip when missing).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

MB=${POOLSCAN_E2E_MB:-1024}
SERIES=${POOLSCAN_E2E_SERIES:-2500}
RUNS=${POOLSCAN_E2E_RUNS:-3}
PANDAS=${POOLSCAN_E2E_PANDAS:-1}
FIXED=${POOLSCAN_E2E_FIXED:-1}
PANDAS_MB=${POOLSCAN_E2E_PANDAS_MB:-auto}
EXPORT=${POOLSCAN_E2E_EXPORT:-auto}
PANDAS_RUNS=${POOLSCAN_E2E_PANDAS_RUNS:-1}
DIR=${POOLSCAN_E2E_DIR:-${TMPDIR:-/tmp}/poolscan-e2e}
WAIT_IDLE=${POOLSCAN_E2E_WAIT_IDLE:-60}
SEED=1
INTERVAL=60

say() { printf '%s\n' "$*" >&2; }
die() { say "e2e: $*"; exit 1; }

[[ $EXPORT == auto || $EXPORT == 0 || $EXPORT == 1 ]] ||
    die "POOLSCAN_E2E_EXPORT must be 0, 1 or auto, not '$EXPORT'"
[[ $PANDAS_MB == auto ]] || [[ $PANDAS_MB =~ ^[0-9]+$ ]] ||
    die "POOLSCAN_E2E_PANDAS_MB must be a whole number or auto, not '$PANDAS_MB'"
for v in MB SERIES RUNS PANDAS_RUNS WAIT_IDLE; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "POOLSCAN_E2E_$v must be a whole number, not '${!v}'"
done
((MB > 0 && RUNS > 0 && PANDAS_RUNS > 0)) || die "sizes and run counts must be positive"

# --- tools -----------------------------------------------------------------------------------

if ! /usr/bin/time -v true >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "e2e: installing GNU time (apt-get install -y time)"
        apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
    else
        die "GNU time is needed at /usr/bin/time for wall time and peak RSS (-v).
     Install it (Debian/Ubuntu: sudo apt-get install time; Fedora: sudo dnf install time)
     and run again; this script installs it itself only when run as root."
    fi
fi
command -v python3 >/dev/null || die "python3 is needed (the pandas reference and the report)"
if [[ $PANDAS != 0 ]] && ! python3 -c 'import pandas, numpy' 2>/dev/null; then
    say "e2e: installing pandas and numpy (python3 -m pip install pandas numpy)"
    python3 -m pip install --quiet pandas numpy ||
        die "could not install pandas; install it (pip install pandas numpy) or set POOLSCAN_E2E_PANDAS=0"
fi

say "e2e: cargo build --release --locked --bin poolscan --example synth"
cargo build --release --locked --bin poolscan --example synth
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
POOLSCAN=$TARGET/release/poolscan
SYNTH=$TARGET/release/examples/synth
[[ -x $POOLSCAN && -x $SYNTH ]] || die "built binaries not found under $TARGET/release"
# Run copies: a concurrent cargo build in the same target directory must not swap the binary
# between runs.
mkdir -p "$DIR/bin"
cp "$POOLSCAN" "$DIR/bin/poolscan"
cp "$SYNTH" "$DIR/bin/synth"
POOLSCAN=$DIR/bin/poolscan
SYNTH=$DIR/bin/synth

# --- the log -----------------------------------------------------------------------------------

mkdir -p "$DIR"
synth_id=$(cksum <"$SYNTH" | cut -d' ' -f1)
# generate FILE [FLAGS...]: a machine log of about MB MB, reused when an earlier run made it with
# the same generator binary ($FILE.size holds its byte size and the generator's hash).
generate() {
    local file=$1
    shift
    if [[ -f $file && -f $file.size ]] && [[ $(cat "$file.size") == "$(stat -c %s "$file") $synth_id" ]]; then
        say "e2e: reusing $file ($(stat -c %s "$file") bytes)"
        return
    fi
    rm -f "$file.size"
    say "e2e: generating a ${MB} MB machine log with $SERIES series into $file $*"
    "$SYNTH" --machine "$SERIES" --leaks 7 --seed "$SEED" --interval "$INTERVAL" --size-mb "$MB" "$@" -o "$file.part"
    mv "$file.part" "$file"
    echo "$(stat -c %s "$file") $synth_id" >"$file.size"
}
LOG=$DIR/machine-${MB}mb-${SERIES}s-seed${SEED}.log
generate "$LOG"
FIXED_LOG=$DIR/machine-${MB}mb-${SERIES}s-seed${SEED}-fixed.log
[[ $FIXED == 0 ]] || generate "$FIXED_LOG" --fixed-order
BYTES=$(stat -c %s "$LOG")
# Memory available (KiB), for the steps that need several times the log: pandas and the export.
AVAIL_KB=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null || true)
AVAIL_KB=${AVAIL_KB:-0}

# The pandas input: the whole log, or a prefix of PANDAS_MB cut at a line end.
if [[ $PANDAS_MB == auto ]]; then
    if ((AVAIL_KB * 1024 >= 13 * BYTES)); then
        PANDAS_MB=0
    else
        PANDAS_MB=256
        say "e2e: $((AVAIL_KB / 1024)) MiB available, pandas needs about 13x the log for the whole of it: it runs on a 256 MB prefix, its time scaled"
    fi
fi
PANDAS_LOG=$LOG
if [[ $PANDAS != 0 ]] && ((PANDAS_MB > 0 && PANDAS_MB * 1000000 < BYTES)); then
    PANDAS_LOG=$DIR/prefix-${PANDAS_MB}mb.log
    want=$((PANDAS_MB * 1000000))
    if [[ ! -f $PANDAS_LOG || $PANDAS_LOG -ot $LOG ]]; then
        head -c "$want" "$LOG" | sed '$d' >"$PANDAS_LOG.part"   # drop the cut line
        mv "$PANDAS_LOG.part" "$PANDAS_LOG"
    fi
fi
PANDAS_BYTES=$(stat -c %s "$PANDAS_LOG")
if [[ $EXPORT == auto ]]; then
    if ((AVAIL_KB * 1024 * 10 >= 22 * BYTES)); then
        EXPORT=1
    else
        EXPORT=0
        say "e2e: $((AVAIL_KB / 1024)) MiB available, the Parquet export needs about 2.2x the log: not timed"
    fi
fi

# --- timing ----------------------------------------------------------------------------------

declare -A WALL RSS INPUT
ORDER=()

# measure NAME INPUT_BYTES RUNS CMD...: best wall time (ns) of RUNS runs and the highest peak RSS
# (KiB); stdout goes to $DIR/out.NAME, stderr to $DIR/err.NAME. OTHERS[NAME] is the share of the
# machine's CPU time that other processes used during the best run (from /proc/stat, less the
# command's own user + system time).
declare -A OTHERS
measure() {
    local name=$1 input=$2 runs=$3
    shift 3
    local best=0 rss=0 i t0 t1 ns r c0 c1 others
    say "e2e: $name ($runs run(s)): $*"
    for ((i = 1; i <= runs; i++)); do
        quiet
        c0=$(cpu_ticks)
        t0=$(date +%s%N)
        if ! /usr/bin/time -v -o "$DIR/time.$name" "$@" >"$DIR/out.$name" 2>"$DIR/err.$name"; then
            tail -n 20 "$DIR/err.$name" >&2
            die "$name failed (see $DIR/err.$name)"
        fi
        t1=$(date +%s%N)
        c1=$(cpu_ticks)
        ns=$((t1 - t0))
        r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time.$name")
        others=$(awk -F': ' -v c0="$c0" -v c1="$c1" -v ns="$ns" -v cpus="$NPROC" -v hz="$HZ" '
            /User time|System time/ { own += $2 }
            END { o = ((c1 - c0) / hz - own) / (ns / 1e9 * cpus); printf "%.0f", (o > 0 ? 100 * o : 0) }' \
            "$DIR/time.$name")
        if ((best == 0 || ns < best)); then
            best=$ns
            OTHERS[$name]=$others
        fi
        ((r > rss)) && rss=$r
        say "      run $i: $(awk -v n="$ns" 'BEGIN {printf "%.3f s", n / 1e9}'), peak RSS $((r / 1024)) MiB, other processes ${others}% of the CPUs"
    done
    WALL[$name]=$best
    RSS[$name]=$rss
    INPUT[$name]=$input
    ORDER+=("$name")
}

# Busy CPU time of the whole machine so far, in clock ticks (user nice system irq softirq).
cpu_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
HZ=$(getconf CLK_TCK)

warm() { cat "$1" >/dev/null; }

# busy: share of all CPU time used (by anything) over the next half second, in percent.
busy() {
    local a b
    a=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat)
    sleep 0.5
    b=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
        t = y[2] - x[2]; printf "%.0f", (t > 0 ? 100 * (y[1] - x[1]) / t : 0) }'
}

# Before each run: write what is still to be written to disk (the logs just generated, the
# outputs of the runs before: their writeback would compete with the run), then wait up to
# WAIT_IDLE seconds for the machine to be idle (under 10% busy).
quiet() {
    local b waited=0
    sync
    b=$(busy)
    while ((b >= 10 && waited < WAIT_IDLE)); do
        ((waited == 0)) && say "e2e: machine $b% busy; waiting up to ${WAIT_IDLE}s for it to be idle"
        sleep 2
        waited=$((waited + 2))
        b=$(busy)
    done
    return 0
}

NPROC=$(nproc)
# One core: one worker thread is not enough, since the reader and the assembler run on the main
# thread next to the rayon pool; pin the whole process to one CPU as well.
if command -v taskset >/dev/null; then
    ONE_CORE=(taskset -c "$(taskset -pc $$ | awk -F': ' '{split($2, a, /[,-]/); print a[1]}')")
    ONE_CORE_LABEL='1 core (`taskset`, `RAYON_NUM_THREADS=1`)'
else
    ONE_CORE=()
    ONE_CORE_LABEL='`RAYON_NUM_THREADS=1` (no taskset: not pinned to one core)'
fi
AWK=$(readlink -f "$(command -v awk)")

warm "$LOG"
measure wc "$BYTES" "$RUNS" wc -l "$LOG"
warm "$LOG"
measure awk "$BYTES" "$RUNS" awk '{s+=$7} END {print s}' "$LOG"
warm "$LOG"
measure parse "$BYTES" "$RUNS" "$POOLSCAN" export "$LOG" --table snapshots --format csv -o "$DIR/snapshots.csv" --quiet --no-progress
if [[ $EXPORT != 0 ]]; then
    warm "$LOG"
    measure export "$BYTES" "$RUNS" "$POOLSCAN" export "$LOG" --format parquet -o "$DIR/samples.parquet" --quiet --no-progress
fi
warm "$LOG"
measure analyze1 "$BYTES" "$RUNS" "${ONE_CORE[@]}" env RAYON_NUM_THREADS=1 POLARS_MAX_THREADS=1 \
    "$POOLSCAN" analyze "$LOG" --format json --quiet --no-progress
warm "$LOG"
measure analyze "$BYTES" "$RUNS" env RAYON_NUM_THREADS="$NPROC" POLARS_MAX_THREADS="$NPROC" \
    "$POOLSCAN" analyze "$LOG" --format json --quiet --no-progress
if [[ $FIXED != 0 ]]; then
    FIXED_BYTES=$(stat -c %s "$FIXED_LOG")
    warm "$FIXED_LOG"
    measure parse_fixed "$FIXED_BYTES" "$RUNS" "$POOLSCAN" export "$FIXED_LOG" --table snapshots --format csv -o "$DIR/snapshots-fixed.csv" --quiet --no-progress
    warm "$FIXED_LOG"
    measure analyze_fixed "$FIXED_BYTES" "$RUNS" env RAYON_NUM_THREADS="$NPROC" POLARS_MAX_THREADS="$NPROC" \
        "$POOLSCAN" analyze "$FIXED_LOG" --format json --quiet --no-progress
fi
if [[ $PANDAS != 0 ]]; then
    warm "$PANDAS_LOG"
    measure pandas "$PANDAS_BYTES" "$PANDAS_RUNS" python3 "$ROOT/benches/reference.py" "$PANDAS_LOG"
fi

# --- report ----------------------------------------------------------------------------------

LINES=$(awk '{print $1}' "$DIR/out.wc")
read -r SNAPS NSERIES < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r.get("snapshots"), len(r.get("series", [])))' "$DIR/out.analyze")
# The pandas time scaled to the full log (linear in the input: one pass, one groupby).
PANDAS_SCALE=$(awk -v a="$BYTES" -v b="$PANDAS_BYTES" 'BEGIN {printf "%.6f", a / b}')

# Rows: label, measurement, scale of its wall time to the full log.
ROWS=(
    "\`wc -l\`|wc|1"
    "\`awk '{s+=\$7} END {print s}'\` ($(basename "$AWK"))|awk|1"
    "\`poolscan export --table snapshots\` (reading and parsing)|parse|1"
)
if [[ $EXPORT != 0 ]]; then
    ROWS+=("\`poolscan export --format parquet\`|export|1")
fi
ROWS+=(
    "\`poolscan analyze --format json\`, $ONE_CORE_LABEL|analyze1|1"
    "\`poolscan analyze --format json\`, $NPROC cores|analyze|1"
)
if [[ $FIXED != 0 ]]; then
    ROWS+=("fixed row order: \`poolscan export --table snapshots\`|parse_fixed|1")
    ROWS+=("fixed row order: \`poolscan analyze --format json\`, $NPROC cores|analyze_fixed|1")
fi
if [[ $PANDAS != 0 ]]; then
    if [[ $PANDAS_LOG == "$LOG" ]]; then
        ROWS+=("\`python3 benches/reference.py\` (pandas)|pandas|1")
    else
        ROWS+=("\`python3 benches/reference.py\` (pandas) ¹|pandas|$PANDAS_SCALE")
    fi
fi

cpu=$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ {print $2; exit}')
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
echo
echo "## poolscan end-to-end benchmark"
echo
echo "Log: \`$LOG\`, $BYTES bytes ($(awk -v b="$BYTES" 'BEGIN {printf "%.2f GiB", b / 2^30}')), $LINES lines, $SNAPS snapshots, $NSERIES series; page cache hot."
echo "Machine: $cpu, $NPROC cores (nproc), $mem RAM, $(uname -sr). Best of $RUNS runs (pandas: $PANDAS_RUNS)."
noisy=""
for name in "${ORDER[@]}"; do
    ((${OTHERS[$name]:-0} >= 10)) && noisy+=" $name (${OTHERS[$name]}%)"
done
if [[ -n $noisy ]]; then
    echo
    echo "**Warning:** other processes used a share of the CPUs during the best run of:$noisy; those times (and the speed-up above all) are not reliable."
fi
echo
echo "| command | wall s | MB/s | × \`wc -l\` | × \`analyze\` | peak RSS MiB | RSS / input |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for row in "${ROWS[@]}"; do
    IFS='|' read -r label name scale <<<"$row"
    awk -v label="$label" -v ns="${WALL[$name]}" -v scale="$scale" -v bytes="$BYTES" \
        -v wc="${WALL[wc]}" -v an="${WALL[analyze]}" -v rss="${RSS[$name]}" -v input="${INPUT[$name]}" '
        BEGIN {
            s = ns / 1e9 * scale
            printf "| %s | %.2f | %.0f | %.1f | %.2f | %.0f | %.2f |\n", label, s, bytes / 1e6 / s,
                s / (wc / 1e9), s / (an / 1e9), rss / 1024, rss * 1024 / (input == "" ? bytes : input)
        }'
done
if [[ $PANDAS != 0 && $PANDAS_LOG != "$LOG" ]]; then
    awk -v p="$PANDAS_BYTES" -v b="$BYTES" -v k="$PANDAS_SCALE" -v w="${WALL[pandas]}" 'BEGIN {
        printf "\n¹ pandas ran on the first %.0f MB of the log (%.1f s); its time is scaled ×%.2f to the full log (pandas grows faster than linearly, so this flatters it). Its peak RSS is that of the prefix run, and RSS / input is against the prefix.\n", p / 1e6, w / 1e9, k }'
fi

# --- targets ---------------------------------------------------------------------------------

fails=0
check() { # description, awk condition over the variables below
    local desc=$1 cond=$2 ok
    ok=$(awk -v wc="${WALL[wc]}" -v awk_="${WALL[awk]}" -v an="${WALL[analyze]}" -v an1="${WALL[analyze1]}" -v parse="${WALL[parse]}" \
        -v pd="${WALL[pandas]:-0}" -v k="$PANDAS_SCALE" -v rss="${RSS[analyze]}" -v bytes="$BYTES" \
        "BEGIN { print (($cond) ? 1 : 0) }")
    if [[ $ok == 1 ]]; then echo "- PASS: $desc"; else echo "- FAIL: $desc"; fails=$((fails + 1)); fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "Targets (\`poolscan analyze\` on all $NPROC cores):"
echo
check "parsing at least 1 GB/s: $(awk -v b="$BYTES" -v p="${WALL[parse]}" 'BEGIN {printf "%.0f", b / 1e6 / (p / 1e9)}') MB/s (\`export --table snapshots\`)" "bytes / (parse / 1e9) >= 1e9"
check "within 8× the time of \`wc -l\`: $(ratio "${WALL[analyze]}" "${WALL[wc]}")×" "an <= 8 * wc"
check "faster than the awk one-liner: $(ratio "${WALL[analyze]}" "${WALL[awk]}")× its time" "an < awk_"
if [[ $PANDAS != 0 ]]; then
    check "at least 40× faster than pandas: $(awk -v p="${WALL[pandas]}" -v k="$PANDAS_SCALE" -v a="${WALL[analyze]}" 'BEGIN {printf "%.1f", p * k / a}')×" "pd * k >= 40 * an"
else
    echo "- SKIP: at least 40× faster than pandas (POOLSCAN_E2E_PANDAS=0)"
fi
check "peak RSS at most 0.6× the input: $(awk -v r="${RSS[analyze]}" -v b="$BYTES" 'BEGIN {printf "%.2f", r * 1024 / b}')×" "rss * 1024 <= 0.6 * bytes"
if ((NPROC >= 2)); then
    check "at least 1.7× faster on $NPROC cores than on 1: $(ratio "${WALL[analyze1]}" "${WALL[analyze]}")×" "an1 >= 1.7 * an"
else
    echo "- SKIP: speed-up from one core to all (this machine has 1 core)"
fi
echo
echo "Reproduce: \`bash benches/e2e.sh\` (POOLSCAN_E2E_MB, POOLSCAN_E2E_RUNS, POOLSCAN_E2E_PANDAS_MB change the sizes). Outputs in \`$DIR\`."
((fails == 0)) || say "e2e: $fails target(s) missed"
exit 0
