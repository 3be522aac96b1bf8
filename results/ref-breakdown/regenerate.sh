#!/bin/sh
# Regenerates every file of results/ref-breakdown/ from scenarios/ref-breakdown-*.yaml (seconds on 2 cores).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/ref-breakdown
for s in capacity utilisation hidden diurnal; do
  $S run scenarios/ref-breakdown-$s.yaml -o $R/$s.h5 --threads 2 -q > $R/$s.run.txt
  mkdir -p $R/$s
  /usr/bin/python3 tools/plot.py $R/$s.h5 -o $R/$s
  $S report $R/$s.h5 -o $R/$s/report.md
done
$S plan scenarios/ref-breakdown-plan.yaml -o $R/plan.h5 --threads 2 -q > $R/plan.txt
/usr/bin/python3 tools/ref_study_tables.py $R/capacity.h5 --load-plot $R/cost_vs_load.png --capacity 3236 \
  --group deployment.scheduler.max_num_seqs --api "gpt-4o (mix)=15.05,gpt-4o output=10,claude-3.5-sonnet (mix)=21"
{   # the servesim estimate figures of section 1 of the README (steady state per mix, batch 1, decode only)
  $S estimate --gpu h100-sxm-80gb --model llama-3.1-70b --weights fp8 --tp 4 --batch 256 --in 800 --out 400 --price 2.50
  for m in "200 800" "512 256" "2000 200"; do
    $S estimate --gpu h100-sxm-80gb --model llama-3.1-70b --weights fp8 --tp 4 --batch 256 --in ${m% *} --out ${m#* }
  done
} > $R/estimate.txt 2>&1
