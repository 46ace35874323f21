#!/usr/bin/env bash
# Runs the four fuzz targets one after the other, SECONDS each (default 600),
# seeded from the repository's fixtures (and, for `drivers`, from the driver images
# the test suite generates, plus WinDivert64.sys when POOLSCAN_WINDIVERT names it). Needs cargo-fuzz (`cargo install
# cargo-fuzz`); works on a stable toolchain with -s none (no sanitizer: the
# code is safe Rust) and -a (debug assertions and overflow checks on).
# A crash stops its target and leaves the input in fuzz/artifacts/TARGET/:
# fix it, then copy it to fixtures/hostile/crashes/TARGET-what.bin.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
mkdir -p corpus/parse corpus/stamp corpus/pooltag corpus/drivers
for f in ../fixtures/samples/*.txt; do
  case "$f" in *.src.txt) ;; *) cp -n "$f" corpus/parse/ ;; esac
done
head -c 8000 ../fixtures/synth/poolmon-demo.log > corpus/parse/demo-head.log
cp -n ../fixtures/pooltag/*.txt corpus/pooltag/
# Seed stamps: every quoted example in src/stamp.rs that has a time in it.
i=0
grep -h -o -E '("|`)[^"`]*[0-9]:[0-9][0-9][^"`]*("|`)' ../src/stamp.rs | tr -d '"`' | sort -u |
  while IFS= read -r line; do i=$((i + 1)); printf '%s\n' "$line" > "corpus/stamp/seed-$i"; done
# Seed drivers: generated x64, x86 and ARM64 images (tests/it/drivers), a real driver if given.
(cd .. && POOLSCAN_WRITE_DRIVERS="$PWD/fuzz/corpus/drivers" cargo test -q --test it write_generated_drivers >/dev/null)
if [ -n "${POOLSCAN_WINDIVERT:-}" ] && [ -f "$POOLSCAN_WINDIVERT" ]; then
  cp -n "$POOLSCAN_WINDIVERT" corpus/drivers/
fi
run() {
  local target=$1 max_len=$2 dict=${3:-poolmon}
  cargo fuzz run "$target" -s none -a "corpus/$target" -- \
    -max_total_time="$secs" -max_len="$max_len" -dict="dict/$dict.dict" -print_final_stats=1
}
run parse 8192
run stamp 512
run pooltag 4096
run drivers 131072 pe
