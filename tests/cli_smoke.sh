#!/usr/bin/env bash
# End-to-end smoke test of the servesim command line: help, version, every `list` table, usage and
# missing-input exit codes, and every command once on the shipped inputs.
# Usage: cli_smoke.sh BIN SRCDIR. Never accepts a crash: a signal gives an exit code above 128.
set -u
bin=$1; src=$2; fail=0; n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 1

# check NAME WANT_CODES FRAGMENT... -- ARGS: run `servesim ARGS`, want one of the exit codes
# (comma-separated) and every fragment in its stdout+stderr; leaves the exit code in $rc.
check() {
  local name=$1 want=$2; shift 2
  local frags=()
  while [ "$1" != "--" ]; do frags+=("$1"); shift; done
  shift
  n=$((n + 1))
  "$bin" "$@" >"$tmp/out" 2>&1; rc=$?
  local ok=0
  [[ ",$want," == *",$rc,"* ]] || { echo "FAIL $name: exit $rc (want $want)"; ok=1; }
  for f in "${frags[@]}"; do
    grep -qF -- "$f" "$tmp/out" || { echo "FAIL $name: output lacks '$f'"; ok=1; }
  done
  if [ "$ok" -ne 0 ]; then fail=$((fail + 1)); sed 's/^/  | /' "$tmp/out" | head -20; fi
  return $ok
}

check help 0 "usage: servesim COMMAND" "run" "estimate" "list" "Exit codes" -- --help
check version 0 "servesim 0." "git" -- --version

gpus="a100-sxm-40gb a100-sxm-80gb a100-pcie-40gb a100-pcie-80gb h100-sxm-80gb h100-pcie-80gb h200-sxm-141gb
      rtx-4090-24gb l40s-48gb l4-24gb a10g-24gb b200-sxm-180gb mi300x-192gb"
models="llama-2-7b llama-2-13b llama-2-70b llama-3.1-8b llama-3.1-70b llama-3.1-405b mistral-7b qwen2.5-7b
        qwen2.5-72b gpt-j-6b mixtral-8x7b llama-4-scout llama-4-maverick llama-3.2-1b"
# shellcheck disable=SC2086
check list_gpus 0 "mem GB" "BW GB/s" $gpus -- list gpus
# every GPU row carries its memory and bandwidth, e.g. H100 SXM: 80 GB, 3350 GB/s
for row in "h100-sxm-80gb .* 80 .* 3350 " "a100-sxm-80gb .* 80 .* 2039 " "mi300x-192gb .* 192 .* 5300 " \
           "rtx-4090-24gb .* 24 .* 1008 " "l4-24gb .* 24 .* 300 "; do
  n=$((n + 1))
  grep -qE "^$row" "$tmp/out" || { echo "FAIL list_gpus: no row matching '$row'"; fail=$((fail + 1)); }
done
n=$((n + 1))
# one row per file of hwdb/gpus, each with its memory and bandwidth
want=$(find hwdb/gpus -name '*.yaml' | wc -l)
rows=$(grep -cE '^[a-z0-9.-]+ +.* [0-9.]+ +[0-9.]+ ' "$tmp/out")
[ "$rows" -eq "$want" ] || { echo "FAIL list_gpus: $rows GPU rows with memory and bandwidth (want $want, one per hwdb/gpus file)"; fail=$((fail + 1)); }
# shellcheck disable=SC2086
check list_models 0 "params B" $models -- list models
n=$((n + 1))
want=$(find hwdb/models -name '*.yaml' | wc -l)
rows=$(grep -cE '^[a-z0-9.-]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ ' "$tmp/out")
[ "$rows" -eq "$want" ] || { echo "FAIL list_models: $rows model rows (want $want, one per hwdb/models file)"; fail=$((fail + 1)); }
check list_quant 0 fp16 bf16 fp8 int8 awq gptq q4_0 q4_k_m q8_0 nvfp4 -- list quant
check list_engines 0 vllm sglang trtllm tgi llamacpp -- list engines
check list_prices 0 "gpu prices" "api prices" gpt-4o claude-3.5-haiku -- list prices
check list_unknown_table 64 "allowed: gpus, models" -- list cpus
check list_without_table 64 "list" -- list

check no_command 64 "servesim --help" --
check unknown_command 64 "unknown command 'simulate'" -- simulate scenarios/default.yaml
check unknown_option 64 "unknown option '--frobnicate'" -- run scenarios/default.yaml --frobnicate
check option_of_other_command 64 "does not apply" -- list gpus --gpu h100
check option_without_value 64 "needs a value" -- run scenarios/default.yaml --set
check bad_seed 64 "--seed" -- run scenarios/default.yaml --seed 12x
check precision_unknown_metric 64 "--precision 'ttft=0.1'" "METRIC=REL_HALFWIDTH" -- run scenarios/default.yaml --precision ttft=0.1
check precision_cap_alone 64 "--max-replicates caps a sequential run" -- run scenarios/default.yaml --max-replicates 10
check precision_with_shards 64 "without --shard" -- run scenarios/default.yaml -o "$tmp/x.h5" --precision ttft_p99_s=0.1 --shard 1/2
check compare_one_file 64 "compare: expected 2" -- compare scenarios/default.yaml
check missing_file 66 "no-such-scenario.yaml" "cannot open" -- run "$tmp/no-such-scenario.yaml" -o "$tmp/x.h5"
check missing_hwdb 66 "hwdb" "/nonexistent/hwdb" -- list gpus --hwdb /nonexistent/hwdb
n=$((n + 1))
[ ! -e "$tmp/x.h5" ] || { echo "FAIL: an output file was left by a failed run"; fail=$((fail + 1)); }

check help_scenario 0 "deployment.gpu" "deployment.tp" "workload.arrival.rate_per_s" "sweepable" "uncertain" \
  -- run --help-scenario

# Every command is built: each must work on the shipped inputs.
check estimate 0 "bandwidth bound" "modelled" "break-even" -- estimate --gpu h100 --model llama-3.1-8b
check estimate_does_not_fit 65 "does not fit" -- estimate --gpu a100 --model llama-3.1-405b --tp 8
# estimate SCENARIO.yaml: the scenario's means, SLO, price and APIs, its swept rates as utilisation rows
check estimate_scenario 0 "request shape: 1279 in / 341 out tokens (the scenario's means" "batch cap 256" \
  "utilisation = arrival rate / capacity at the SLO" "the scenario's arrival rates:" "beyond capacity" \
  "efficiency.hbm" "at its mean" "the scenario's compare_api" "claude-3.5-haiku" -- estimate scenarios/default.yaml
check estimate_scenario_set 0 "on 2 x h100-sxm-80gb" -- estimate scenarios/default.yaml --set deployment.tp=2
check estimate_scenario_flag 64 "--set deployment.gpu=VALUE" -- estimate scenarios/default.yaml --gpu a100
check estimate_scenario_sweep 64 "sweep over 'deployment.gpu'" "--set deployment.gpu=VALUE" \
  -- estimate scenarios/plan-70b-chat.yaml
check estimate_set_without_scenario 64 "needs a scenario file" -- estimate --gpu h100 --model llama-3.1-8b --set tp=2
check validate 0 "81 of 81 rows predicted" -- validate tests/validation/calibration.csv
check run_default 0 "wrote" "rate_per_s" -- run scenarios/default.yaml -o "$tmp/x.h5" --replicates 2 --quiet
n=$((n + 1))
[ -s "$tmp/x.h5" ] || { echo "FAIL run_default: no $tmp/x.h5"; fail=$((fail + 1)); }
check report_default 0 "wrote" -- report "$tmp/x.h5" -o "$tmp/x.md"
n=$((n + 1))
grep -q "## Results at a glance" "$tmp/x.md" 2>/dev/null || { echo "FAIL report_default: no results table"; fail=$((fail + 1)); }
# Every --json output parses as JSON (non-finite numbers are written as null) and holds what it lists.
json_check() { # NAME PYTHON-ASSERTION -- ARGS
  local name=$1 cond=$2; shift 3
  n=$((n + 1))
  "$bin" "$@" >"$tmp/j.json" 2>"$tmp/j.err" &&
    /usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); assert $cond, d if len(str(d)) < 400 else ''" \
      "$tmp/j.json" 2>>"$tmp/j.err" ||
    { echo "FAIL $name: $(tail -3 "$tmp/j.err")"; fail=$((fail + 1)); }
}
json_check list_gpus_json "len(d['entries']) == $(find hwdb/gpus -name '*.yaml' | wc -l) and d['table'] == 'gpus'" -- list gpus --json
json_check list_api_prices_json "len(d['entries']) >= 10" -- list api_prices --json
json_check list_prices_json "[t['table'] for t in d['tables']] == ['gpu_prices', 'api_prices'] and \
  all(len(t['entries']) >= 10 and t['fields'] for t in d['tables'])" -- list prices --json
json_check estimate_json "d['gpu'] and d['model'] and d['in_tokens'] == 512 and d['capacity']['req_s'] > 0 and \
  abs(d['utilisation'][1]['rate_req_s'] - 0.5 * d['capacity']['req_s']) < 1e-6 * d['capacity']['req_s']" \
  -- estimate --gpu h100 --model llama-3.1-8b --json
json_check validate_json "len(d['rows']) == 81" -- validate tests/validation/calibration.csv --json

for c in run estimate plan validate list merge report compare; do
  check "help_of_$c" 0 "usage: servesim $c" -- "$c" --help
done

echo "cli smoke: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
