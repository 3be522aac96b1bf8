#!/bin/sh
# Regenerates results/parallel/ from scenarios/serving-parallel-*.yaml: 405B FP8 on 8 x H200 (tensor
# against pipeline parallelism, throughput and batch-1 latency) and 405B FP16 / Llama 4 Maverick FP8 on
# 16 H100 (a few CPU seconds). Study files go to a scratch directory (rerun to inspect them).
# Run from the repository root after: cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
set -e
S=${SERVESIM:-build-regen/servesim}
R=results/parallel
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
H=scenarios/serving-parallel-405b-h200.yaml
LAT="--set workload.arrival.process=closed --set workload.arrival.users=1 --set horizon.duration_s=600 --set horizon.warmup_s=60"
: > $R/tables.md
for l in "tp8:8:1" "tp4pp2:4:2" "tp2pp4:2:4" "pp8:1:8"; do
  n=${l%%:*}; r=${l#*:}; tp=${r%%:*}; pp=${r#*:}
  $S run $H --set deployment.tp=$tp --set deployment.pp=$pp -o $T/$n.h5 --threads 2 -q > $T/out; grep -v '^wrote ' $T/out > $R/405b-h200-$n.run.txt
  # shellcheck disable=SC2086
  $S run $H --set deployment.tp=$tp --set deployment.pp=$pp $LAT -o $T/$n-lat.h5 --threads 2 -q > $T/out; grep -v '^wrote ' $T/out > $R/405b-h200-$n-batch1.run.txt
  { echo "### 405B FP8, 8 x H200, $n: offline 4,000 requests, then one user (batch 1): mean [95% CI]"; echo
    /usr/bin/python3 tools/ref_study_tables.py $T/$n.h5 --ci --metrics output_tok_s,tpot_mean_s,usd_per_1m_output
    echo; /usr/bin/python3 tools/ref_study_tables.py $T/$n-lat.h5 --ci --metrics tpot_mean_s,ttft_mean_s,output_tok_s; echo
  } >> $R/tables.md
done
for l in "tp8:8:1" "pp8:1:8"; do   # the same with an FP8 KV cache and 128-token answers (larger micro-batches)
  n=${l%%:*}; r=${l#*:}; tp=${r%%:*}; pp=${r#*:}
  $S run $H --set deployment.tp=$tp --set deployment.pp=$pp --set deployment.kv_cache=fp8 \
     --set workload.output_tokens.median=128 -o $T/$n-kv8.h5 --threads 2 -q > $T/out; grep -v '^wrote ' $T/out > $R/405b-h200-$n-kvfp8-out128.run.txt
  { echo "### 405B FP8, 8 x H200, $n, FP8 KV cache, answers median 128: mean [95% CI]"; echo
    /usr/bin/python3 tools/ref_study_tables.py $T/$n-kv8.h5 --ci --metrics output_tok_s,total_tok_s,tpot_mean_s; echo
  } >> $R/tables.md
done
G=scenarios/serving-parallel-16gpu.yaml
MAV="--set deployment.model=llama-4-maverick --set deployment.weights=fp8 --set deployment.tp=8 --set workload.arrival.rate_per_s=2"
for l in "405b-tp16:" "405b-tp8pp2:--set deployment.tp=8 --set deployment.pp=2" \
         "maverick-2x-tp8:$MAV --set deployment.replicas=2" "maverick-tp8pp2:$MAV --set deployment.pp=2" \
         "maverick-2x-tp8-ep:$MAV --set deployment.replicas=2 --set deployment.expert_parallel=true" \
         "maverick-2x-tp8-ep-skew1.5:$MAV --set deployment.replicas=2 --set deployment.expert_parallel=true --set deployment.ep_imbalance=1.5"; do
  n=${l%%:*}; x=${l#*:}
  # shellcheck disable=SC2086
  $S run $G $x -o $T/$n.h5 --threads 2 -q > $T/out; grep -v '^wrote ' $T/out > $R/$n.run.txt
  { echo "### 16 x H100, $n: mean [95% CI]"; echo
    /usr/bin/python3 tools/ref_study_tables.py $T/$n.h5 --ci \
      --metrics ttft_mean_s,tpot_mean_s,capacity_req_s,capacity_output_tok_s,usd_per_hour,usd_per_1m_output_at_capacity; echo
  } >> $R/tables.md
done
