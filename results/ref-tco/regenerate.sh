#!/bin/sh
# Regenerates every file of results/ref-tco/ from scenarios/ref-tco-*.yaml (seconds on 2 cores).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/ref-tco
$S run scenarios/ref-tco-scout-h100x2.yaml -o $R/scout-h100x2.h5 --threads 2 -q > $R/scout-h100x2.run.txt
$S run scenarios/ref-tco-70b-h100x2.yaml -o $R/70b-h100x2.h5 --threads 2 -q > $R/70b-h100x2.run.txt
$S run scenarios/ref-tco-scout-h100x2.yaml --set pricing.ops_overhead_frac=0.3 --set pricing.redundancy_n_plus_1=true \
  -o $R/scout-h100x2-tco.h5 --threads 2 -q > $R/scout-h100x2-tco.run.txt
for s in scout-h100x2 70b-h100x2 scout-h100x2-tco; do
  mkdir -p $R/$s
  /usr/bin/python3 tools/plot.py $R/$s.h5 -o $R/$s
  $S report $R/$s.h5 -o $R/$s/report.md
done
/usr/bin/python3 tools/ref_tables.py $R/scout-h100x2.h5 --api llama-4-scout-bedrock llama-4-maverick-bedrock > $R/scout-h100x2.tables.md
/usr/bin/python3 tools/ref_tables.py $R/70b-h100x2.h5 --api llama-4-maverick-bedrock llama-4-scout-bedrock > $R/70b-h100x2.tables.md
/usr/bin/python3 tools/ref_tables.py $R/scout-h100x2-tco.h5 --api llama-4-scout-bedrock llama-4-maverick-bedrock > $R/scout-h100x2-tco.tables.md
$S estimate --gpu h100-sxm-80gb --model llama-4-scout --weights fp8 --tp 2 --batch 256 --in 1300 --out 350 --price 3 \
  > $R/estimate.txt 2>&1
