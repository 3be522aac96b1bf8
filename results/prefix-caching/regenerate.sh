#!/bin/sh
# Regenerates results/prefix-caching/ (run summaries and tables) from scenarios/serving-prefix-*.yaml:
# about 30 CPU seconds on 2 cores. Study files go to a scratch directory (rerun to inspect them).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/prefix-caching
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
M=prefix_hit_frac,ttft_mean_s,e2e_mean_s,ttft_p99_s,tpot_p99_s,capacity_req_s,usd_per_1m_output_at_capacity
: > $R/tables.md
for s in book manyshot multiturn routing; do
  $S run scenarios/serving-prefix-$s.yaml -o $T/$s.h5 --threads 2 -q > $T/out; grep -v '^wrote ' $T/out > $R/$s.run.txt
  { echo "### $s (scenarios/serving-prefix-$s.yaml): mean [95% CI]"; echo
    /usr/bin/python3 tools/ref_study_tables.py $T/$s.h5 --ci --metrics $M; echo; } >> $R/tables.md
done
