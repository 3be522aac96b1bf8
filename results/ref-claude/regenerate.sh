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
