#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer harnesses of fuzz/ (build-fuzz, clang, ASan/UBSan) and runs each on
# its seed corpus for a time box. The seeds are the project's own inputs, good and bad: scenarios and
# tests/bad_scenarios (scenario), fuzz/seeds/set (--set lines), traces and histograms (fuzz/seeds,
# tests/bad_scenarios/data), case CSVs (tests/validation, tests/bad_cases), and edit programs for a
# real results file (fuzz/seeds/results: the classes of tests/bad_h5.py). Every input in
# fuzz/regressions/<target>/ (a crash found earlier, kept as a test) is replayed first and must pass.
# A new crash is saved under build-fuzz/crashes/<target>/ and the run fails: fix it, then copy the
# input to fuzz/regressions/<target>/. New corpus entries persist in build-fuzz/corpus/<target>.
# usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 3600 s, every target)
#        SERVESIM_FUZZ_BUILD=build-san tools/fuzz.sh 2       the short run of tools/quickstart.sh test
# fuzz/seeds/results is kept minimal (libFuzzer -merge=1 of the corpus: every feature, fewest files): each
# of its inputs costs a results file's worth of HDF5 edits and a full read
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER=${1:-3600}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_results fuzz_scenario fuzz_cases fuzz_set fuzz_trace fuzz_hist) # slowest first
B=${SERVESIM_FUZZ_BUILD:-build-fuzz} # $SERVESIM_FUZZ_BUILD: a build already configured with SERVESIM_FUZZ=ON
JOBS=$(nproc 2>/dev/null || echo 2)

command -v clang >/dev/null || { echo "fuzz.sh: clang is missing (tools/quickstart.sh installs it)" >&2; exit 1; }
if [ -z "${SERVESIM_FUZZ_BUILD:-}" ]; then
  CC=clang cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSERVESIM_FUZZ=ON -DSERVESIM_TESTS=OFF >/dev/null
fi
# $SERVESIM_FUZZ_BUILT=1: the caller has just built every target (tools/quickstart.sh test); make's
# no-op walk over the tree costs seconds
[ "${SERVESIM_FUZZ_BUILT:-0}" = 1 ] || cmake --build "$B" -j "$JOBS" --target "${TARGETS[@]}" >&2

seed() { # seed TARGET FILE...: copies the files that exist into the target's seed directory
  local t=$1; shift
  mkdir -p "$B/seeds/$t"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$B/seeds/$t/$(echo "$f" | tr '/' '_')"; done
  return 0
}
seed fuzz_scenario scenarios/*.yaml tests/bad_scenarios/*.yaml bench/reference.yaml
seed fuzz_set fuzz/seeds/set/*
seed fuzz_trace fuzz/seeds/trace/* tests/bad_scenarios/data/*.csv
seed fuzz_hist fuzz/seeds/hist/* tests/bad_scenarios/data/*.csv
seed fuzz_cases tests/validation/calibration.csv tests/bad_cases/*.csv
seed fuzz_results fuzz/seeds/results/*

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fuzz_one() { # fuzz_one TARGET: replays its kept regressions, then fuzzes it; status 1 on a failure
  local t=$1 bin="$B/fuzz/$1" rc=0
  mkdir -p "$B/corpus/$t" "$B/crashes/$t"
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then # replayed, not mutated
    "$bin" fuzz/regressions/"$t"/* >"$B/$t.replay.log" 2>&1 || {
      echo "fuzz.sh: $t: a kept regression input fails again (see $B/$t.replay.log)" >&2
      rc=1
    }
  fi
  "$bin" "$B/corpus/$t" "$B/seeds/$t" -max_total_time="$SECONDS_PER" -timeout=30 -rss_limit_mb=4096 \
    -artifact_prefix="$B/crashes/$t/" -print_final_stats=1 >"$B/$t.log" 2>&1 || {
    echo "fuzz.sh: $t found a crash (input in $B/crashes/$t/, log $B/$t.log):" >&2
    grep -m3 -E "ERROR|SUMMARY|runtime error" "$B/$t.log" >&2 || tail -5 "$B/$t.log" >&2
    rc=1
  }
  return $rc
}

# the targets run JOBS at a time (each is one process); their summaries follow in target order
echo "fuzz.sh: ${#TARGETS[@]} targets, ${SECONDS_PER} s each, $JOBS at a time" >&2
fail=0 pids=() names=()
for t in "${TARGETS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  fuzz_one "$t" & pids+=($!) names+=("$t")
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || fail=1
  grep -E "stat::number_of_executed_units|cov: " "$B/${names[$i]}.log" | tail -2 | sed "s/^/  ${names[$i]}: /" >&2 || true
done
exit $fail
