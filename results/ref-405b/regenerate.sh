#!/bin/sh
# Regenerates every file of results/ref-405b/ from scenarios/ref-405b-*.yaml (seconds on 2 cores).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/ref-405b
for s in a100x8-int8 a100x4-awq h100x8-fp8; do
  $S run scenarios/ref-405b-$s.yaml -o $R/$s.h5 --threads 2 -q > $R/$s.run.txt
  mkdir -p $R/$s
  /usr/bin/python3 tools/plot.py $R/$s.h5 -o $R/$s
  $S report $R/$s.h5 -o $R/$s/report.md
  /usr/bin/python3 tools/ref_tables.py $R/$s.h5 \
    --api gpt-4o-15 llama-3.1-405b-together llama-3.1-405b-fireworks gpt-4o-mini > $R/$s.tables.md
done
{
  for w in int8 fp8 awq fp16; do $S estimate --gpu a100-sxm-80gb --model llama-3.1-405b --weights $w --tp 8 --batch 8 || true; done   # fp16 does not fit (exit 65)
  $S estimate --gpu h100-sxm-80gb --model llama-3.1-405b --weights fp8 --tp 8 --batch 8
  $S estimate --gpu h100-sxm-80gb --model llama-3.1-405b --weights fp16 --tp 8 || true   # does not fit (exit 65)
  $S estimate --gpu a100-sxm-80gb --model llama-3.1-405b --weights awq --tp 4 --batch 8
  $S estimate --gpu a100-sxm-80gb --model llama-3.1-405b --weights int8 --tp 8 --in 8192 --batch 1
} > $R/estimate.txt 2>&1
