#!/usr/bin/env bash
# Runs the three fuzz targets one after the other, SECONDS each (default 600),
# seeded from the repository's fixtures. Needs cargo-fuzz (`cargo install
# cargo-fuzz`); works on a stable toolchain with -s none (no sanitizer: the
# code is safe Rust) and -a (debug assertions and overflow checks on).
# A crash stops its target and leaves the input in fuzz/artifacts/TARGET/:
# fix it, then copy it to fixtures/hostile/crashes/TARGET-what.bin.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
mkdir -p corpus/parse corpus/stamp corpus/pooltag
for f in ../fixtures/samples/*.txt; do
  case "$f" in *.src.txt) ;; *) cp -n "$f" corpus/parse/ ;; esac
done
head -c 8000 ../fixtures/synth/poolmon-demo.log > corpus/parse/demo-head.log
cp -n ../fixtures/pooltag/*.txt corpus/pooltag/
# Seed stamps: every quoted example in src/stamp.rs that has a time in it.
i=0
grep -h -o -E '("|`)[^"`]*[0-9]:[0-9][0-9][^"`]*("|`)' ../src/stamp.rs | tr -d '"`' | sort -u |
  while IFS= read -r line; do i=$((i + 1)); printf '%s\n' "$line" > "corpus/stamp/seed-$i"; done
run() {
  local target=$1 max_len=$2
  cargo fuzz run "$target" -s none -a "corpus/$target" -- \
    -max_total_time="$secs" -max_len="$max_len" -dict=dict/poolmon.dict -print_final_stats=1
}
run parse 8192
run stamp 512
run pooltag 4096
