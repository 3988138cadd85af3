#!/usr/bin/env bash
# Runs sbomgen's fuzz targets (fuzz/, cargo-fuzz on the nightly toolchain) from their seed
# corpora (scripts/fuzz-seed.sh, run first).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]  each target for SECONDS (default 300); all by default
#   scripts/fuzz.sh --ci                   what scripts/test.sh runs: build every target, then
#                                          run each for 2000 inputs (fixed seed), so a harness
#                                          that broke or a parser that panics on a seed fails
#
# A crash, timeout (10 s per input) or out-of-memory (2 GB) is saved under
# fuzz/artifacts/<target>/; reproduce it with
#   cargo +nightly fuzz run --debug-assertions <target> fuzz/artifacts/<target>/<file>
# and minimise it with `cargo +nightly fuzz tmin --debug-assertions <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec </dev/null
export PATH="$PWD/target/tools/bin:$PATH"

ci=0
seconds=300
if [ "${1:-}" = "--ci" ]; then
  ci=1
  shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi

# Debug assertions and overflow checks on: an overflow in a parser is a bug even where a
# release build would wrap silently. Local runs add AddressSanitizer (leaks, and memory errors
# in the C and unsafe code of dependencies); the CI run does without it and builds in its own
# directory, which leaves the local build alone.
fuzz=(cargo +nightly fuzz)
mode=(--debug-assertions)
# It also trades run speed for build speed (an unoptimised build: 1.5 min instead of about 6 on
# two cores): it runs only 2000 inputs a target.
if [ "$ci" -eq 1 ]; then
  mode+=(--dev --sanitizer none --target-dir target/ci-dev)
fi

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cd fuzz && "${fuzz[@]}" list)
fi
echo "== cargo fuzz build (${#targets[@]} targets)"
(cd fuzz && "${fuzz[@]}" build "${mode[@]}")
echo "== seed corpora"
scripts/fuzz-seed.sh

# Inputs up to 3 MiB, so that real binaries and databases are not cut at libFuzzer's default
# of 1 MiB (their section tables and pages sit at the end). The CI run keeps the default: it
# checks the harnesses, -max_total_time only guards the slowest targets.
if [ "$ci" -eq 1 ]; then
  limits=(-runs=2000 -max_total_time=8 -seed=1)
else
  limits=("-max_total_time=$seconds" -max_len=3145728)
fi
failed=()
mkdir -p fuzz/artifacts
for target in "${targets[@]}"; do
  echo "== fuzz $target (${limits[*]})"
  mkdir -p "fuzz/corpus/$target"
  log="fuzz/artifacts/$target.log"
  # The corpus grows in place; -print_final_stats gives the run's executions and peak RSS.
  if (cd fuzz && "${fuzz[@]}" run "${mode[@]}" "$target" -- "${limits[@]}" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" | tr '\n' ' '
    echo
  else
    failed+=("$target")
    tail -n 40 "$log"
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing failed for: ${failed[*]} (logs and inputs under fuzz/artifacts/)" >&2
  exit 1
fi
