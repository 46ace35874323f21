#!/usr/bin/env bash
# The fleet path to Spark, end to end: generates a fleet of 10 hosts, writes the
# Hive-partitioned Parquet dataset, runs examples/fleet.sql on Spark (local mode)
# and checks it, row by row, against `poolscan fleet`.
#
#   pip install pyspark pyarrow     # Spark needs Java 17 or later
#   examples/fleet_spark.sh [POOLSCAN_BIN] [SYNTH_BIN]
#
# The binaries default to the debug builds that `cargo test` leaves in target/.
# Exit status: 0 agree, 3 disagree, anything else: could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/poolscan}
SYNTH=${2:-target/debug/examples/synth}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$SYNTH" --fleet 10 --seed 5 --snapshots 96 -o "$tmp/logs"
"$BIN" export --partition-by host --format parquet -o "$tmp/data" "$tmp"/logs/*.log
"$BIN" fleet "$tmp"/logs/*.log --format json >"$tmp/fleet.json"
python3 examples/fleet_spark.py "$tmp/data" --check "$tmp/fleet.json"
