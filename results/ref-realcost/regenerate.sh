#!/bin/sh
# Regenerates every file of results/ref-realcost/ from scenarios/ref-realcost-*.yaml (seconds on 2 cores).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/ref-realcost
for p in "70b-awq-a100:gpt-4o gpt-4-turbo claude-3.5-sonnet" "70b-fp8-h200:gpt-4o gpt-4-turbo claude-3.5-sonnet" \
         "8b-4090:gpt-4o gpt-4o-mini claude-3.5-haiku"; do
  s=${p%%:*}; api=${p#*:}
  $S run scenarios/ref-realcost-$s.yaml -o $R/$s.h5 --threads 2 -q > $R/$s.run.txt
  mkdir -p $R/$s
  /usr/bin/python3 tools/plot.py $R/$s.h5 -o $R/$s
  $S report $R/$s.h5 -o $R/$s/report.md
  /usr/bin/python3 tools/ref_tables.py $R/$s.h5 --api $api > $R/$s.tables.md
done
{   # the figures of sections 1-2 of the README
  $S estimate --gpu a100-sxm-80gb --model llama-3.1-70b --weights awq --batch 8 --in 1300 --out 350
  $S estimate --gpu a100-sxm-80gb --model llama-3.1-70b --weights awq --batch 1 --in 8192
  $S estimate --gpu h200-sxm-141gb --model llama-3.1-70b --weights fp16 || true   # does not fit (exit 65)
  $S estimate --gpu h200-sxm-141gb --model llama-3.1-70b --weights fp16 --tp 2 --batch 64 --in 1300 --out 350
  $S estimate --gpu h200-sxm-141gb --model llama-3.1-70b --weights fp8 --batch 8
  $S estimate --gpu rtx-4090-24gb --model llama-3.1-8b --batch 8
  $S estimate --gpu rtx-4090-24gb --model llama-3.1-8b --in 1300 --out 350 --batch 64
} > $R/estimate.txt 2>&1
