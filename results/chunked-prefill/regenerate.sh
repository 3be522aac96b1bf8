#!/bin/sh
# Regenerates results/chunked-prefill/ from scenarios/serving-chunked-prefill.yaml: chunked prefill at
# three token budgets, whole-prompt prefill, and a per-prompt chunk cap (about a CPU second). Study files
# go to a scratch directory (rerun to inspect them).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/chunked-prefill
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
F=scenarios/serving-chunked-prefill.yaml
M=ttft_p50_s,ttft_p99_s,itl_p99_s,tpot_p99_s,capacity_req_s,usd_per_1m_output_at_capacity
: > $R/tables.md
for l in "chunked:" \
         "whole-prompt:--set deployment.scheduler.chunked_prefill=false --set deployment.scheduler.max_batched_tokens=18432" \
         "cap512:--set deployment.scheduler.max_batched_tokens=8192 --set deployment.scheduler.long_prefill_tokens=512"; do
  n=${l%%:*}; x=${l#*:}
  # shellcheck disable=SC2086
  $S run $F $x -o $T/$n.h5 --threads 2 -q > $T/out; grep -v '^wrote ' $T/out > $R/$n.run.txt
  { echo "### $n $x: mean [95% CI]"; echo
    /usr/bin/python3 tools/ref_study_tables.py $T/$n.h5 --ci --metrics $M; echo; } >> $R/tables.md
done
