#!/bin/sh
# Regenerates results/plan-70b-chat.h5 and the printed plan results/plan-70b-chat.txt from scenarios/plan-70b-chat.yaml
# (about half a minute on 2 cores), the price rows each tier resolves to (results/plan-70b-chat.prices.txt), and the
# plan's plots and report (results/plan-70b-chat/: plan_cost.png, plan_rate.png, report.md).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
$S plan scenarios/plan-70b-chat.yaml -o results/plan-70b-chat.h5 --threads 2 -q > results/plan-70b-chat.txt
$S list prices | sed 's#^sources and dates: .*/hwdb/prices#sources and dates: hwdb/prices#' > results/plan-70b-chat.prices.txt
mkdir -p results/plan-70b-chat
/usr/bin/python3 tools/plot.py results/plan-70b-chat.h5 -o results/plan-70b-chat
$S report results/plan-70b-chat.h5 -o results/plan-70b-chat/report.md
