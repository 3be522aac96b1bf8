#!/bin/sh
# Regenerates results/fleet/ from scenarios/fleet-70b-day.yaml (about 3 minutes of CPU, 2 on 2 cores):
#   peak-plan.txt/.h5     the static fleet: fewest replicas meeting the SLO at the 24 req/s peak (Poisson)
#   day.txt/.h5, day-report.md and the PNGs   the day: static vs autoscaled, each with and without spot
#   policy-plan.txt/.h5, policy-report.md     the cheapest autoscaling policy (plan.mode: policy)
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
D=results/fleet
SC=scenarios/fleet-70b-day.yaml
$S plan $SC --set workload.arrival.process=poisson --set horizon.duration_s=1200 --set horizon.warmup_s=120 \
  --set fleet.autoscale.policy=none --set fleet.spot.share=0 --set output.windows=off --set replicates=10 \
  --set plan.max_replicas=8 -o $D/peak-plan.h5 --threads 2 -q > $D/peak-plan.txt
$S run $SC -o $D/day.h5 --threads 2 -q > $D/day.txt
/usr/bin/python3 tools/plot.py $D/day.h5 -o $D > /dev/null
$S report $D/day.h5 -o $D/day-report.md > /dev/null
$S plan $SC --set plan.mode=policy --set fleet.autoscale.policy=target --set 'sweep.fleet.autoscale.target=[70, 90, 110, 130]' \
  --set replicates=10 --set plan.confidence=0.9 --set plan.windows_met_frac=1 -o $D/policy-plan.h5 --threads 2 -q > $D/policy-plan.txt
$S report $D/policy-plan.h5 -o $D/policy-report.md > /dev/null
