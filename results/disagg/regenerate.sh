#!/bin/sh
# Regenerates results/disagg/ from scenarios/serving-disagg.yaml: co-located (with and without chunked
# prefill) and three decode+prefill splits of the same 8 GPUs (a few CPU seconds). Study files go to a
# scratch directory (rerun to inspect them).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/disagg
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
M=ttft_p99_s,tpot_p99_s,kv_transfer_mean_s,capacity_req_s,capacity_output_tok_s,usd_per_1m_output_at_capacity
: > $R/tables.md
for l in "colocated:4:0" "colocated-unchunked:4:0:--set deployment.scheduler.chunked_prefill=false --set deployment.scheduler.max_batched_tokens=18432" \
         "3d1p:3:1" "2d2p:2:2" "1d3p:1:3"; do
  n=$(echo "$l" | cut -d: -f1); d=$(echo "$l" | cut -d: -f2); p=$(echo "$l" | cut -d: -f3); x=$(echo "$l" | cut -d: -f4)
  # shellcheck disable=SC2086
  $S run scenarios/serving-disagg.yaml --set deployment.replicas=$d --set deployment.disagg.prefill_replicas=$p $x \
     -o $T/$n.h5 --threads 2 -q > $T/out; grep -v '^wrote ' $T/out > $R/$n.run.txt
  { echo "### $n: $d decode + $p prefill replicas of tp 2 $x: mean [95% CI]"; echo
    /usr/bin/python3 tools/ref_study_tables.py $T/$n.h5 --ci --metrics $M; echo; } >> $R/tables.md
done
