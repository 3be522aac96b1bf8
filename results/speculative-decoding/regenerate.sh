#!/bin/sh
# Regenerates results/speculative-decoding/ from scenarios/serving-specdec.yaml (a few CPU seconds).
# The study file goes to a scratch directory (rerun to inspect it).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/speculative-decoding
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$S run scenarios/serving-specdec.yaml -o $T/specdec.h5 --threads 2 -q > $T/out; grep -v '^wrote ' $T/out > $R/specdec.run.txt
{ echo "### scenarios/serving-specdec.yaml: mean [95% CI]"; echo
  /usr/bin/python3 tools/ref_study_tables.py $T/specdec.h5 --ci \
    --metrics tpot_mean_s,tpot_p99_s,ttft_p99_s,spec_tokens_per_step,output_tok_s,capacity_req_s,usd_per_1m_output_at_capacity
} > $R/tables.md
