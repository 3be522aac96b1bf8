#!/bin/sh
# Regenerates every file of results/ref-claude/ from scenarios/ref-claude-*.yaml (seconds on 2 cores).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/ref-claude
for p in 4090:rtx4090 a10g:a10g 70b:70b 4090-onprem:rtx4090-onprem; do
  f=${p%%:*}; o=${p##*:}
  $S run scenarios/ref-claude-$f.yaml -o $R/$o.h5 --threads 2 -q > $R/$o.run.txt
  mkdir -p $R/$o
  /usr/bin/python3 tools/plot.py $R/$o.h5 -o $R/$o
  $S report $R/$o.h5 -o $R/$o/report.md
done
$S plan scenarios/ref-claude-plan.yaml -o $R/plan.h5 --threads 2 -q > $R/plan.txt
$S plan scenarios/ref-claude-plan-70b.yaml -o $R/plan-70b.h5 --threads 2 -q > $R/plan-70b.txt
{   # the servesim estimate figures of section 1 of the README (bounds, single-user rates, memory fit)
  for g in a10g-24gb rtx-4090-24gb; do
    $S estimate --gpu $g --model llama-3.1-8b --batch 1 --in 800 --out 400
  done
  $S estimate --gpu a10g-24gb --model llama-3.1-8b --weights awq --batch 1 --in 800 --out 400
  $S estimate --gpu rtx-4090-24gb --model mistral-7b --batch 1 --in 800 --out 400
  $S estimate --gpu rtx-4090-24gb --model qwen2.5-7b --batch 1 --in 800 --out 400
  $S estimate --gpu rtx-4090-24gb --model qwen2.5-7b --weights q8_0 --engine llamacpp --batch 1 --in 800 --out 400
  $S estimate --gpu rtx-4090-24gb --model qwen2.5-7b --weights fp8 --batch 1 --in 800 --out 400
  for g in a100-sxm-80gb h100-sxm-80gb; do
    for w in fp16 fp8; do
      $S estimate --gpu $g --model llama-3.1-70b --weights $w --tp 2 --batch 1 --in 800 --out 400 || true   # exit 65 where a format does not fit
    done
  done
  $S estimate --gpu a100-sxm-80gb --model llama-3.1-70b --weights awq --in 800 --out 400
  $S estimate --gpu a100-sxm-80gb --model llama-3.1-70b --weights awq --batch 1 --in 800 --out 400
} > $R/estimate.txt 2>&1
