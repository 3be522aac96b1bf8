#!/bin/sh
# Regenerates results/default/ (report, plots, run summary) from scenarios/default.yaml, through results/default.h5
# (git-ignored: the quick start writes the same file, so it is not committed).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/default
mkdir -p $R
$S run scenarios/default.yaml -o results/default.h5 --threads 2 -q > $R/run.txt
/usr/bin/python3 tools/plot.py results/default.h5 -o $R
$S report results/default.h5 -o $R/report.md
