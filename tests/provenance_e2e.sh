#!/usr/bin/env bash
# Provenance and units of a study file, end to end: a study records per sweep point what it resolved
# to (/resolved: hwdb ids with aliases resolved, the price row used with its provider, tier, date and
# source, the efficiencies and overheads applied), equal to what `servesim list --json` says of those
# rows; shards merged keep it; a damaged /resolved is refused; and every dataset carries CF-like units
# that match its name (tests/check_units.py; plan files: tests/plan_e2e.sh).
set -u
bin=$1; src=$2; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 1
err() { echo "FAIL $1"; fail=$((fail + 1)); }
run() { "$bin" run scenarios/default.yaml --replicates 2 --quiet --set deployment.gpu=H100 \
          --set 'pricing.usd_per_gpu_hour=~' --set 'sweep.deployment.weights=[fp16, fp8]' \
          --set workload.arrival.rate_per_s=2 "$@" >/dev/null 2>"$tmp/notes"; }
run -o "$tmp/s.h5" || err "run: exit $?"
for i in 1 2; do run --shard $i/2 -o "$tmp/p$i.h5" || err "run --shard $i/2: exit $?"; done
"$bin" merge "$tmp/p1.h5" "$tmp/p2.h5" -o "$tmp/m.h5" >/dev/null || err "merge: exit $?"
"$bin" list gpu_prices --json > "$tmp/prices.json" || err "list gpu_prices --json"
"$bin" list engines --json > "$tmp/engines.json" || err "list engines --json"
"$bin" list gpus --json > "$tmp/gpus.json" || err "list gpus --json"
/usr/bin/python3 - "$tmp" <<'PY' || err "provenance or units"
import json, sys, h5py, numpy as np
d = sys.argv[1]
s, m = (h5py.File(f"{d}/{n}.h5", "r") for n in ("s", "m"))
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
g = s["resolved"]
col = lambda k: [text(x) for x in g[k][()]]
# hwdb ids, the alias H100 resolved, one value per point along /point
assert col("gpu") == ["h100-sxm-80gb"] * 2, col("gpu")
assert col("weights") == ["fp16", "fp8"] and col("model") == ["llama-3.1-8b"] * 2, (col("weights"), col("model"))
assert all(g[k].dims[0][0].name == "/point" for k in g), "a /resolved dataset is not attached to /point"
# the price row used, as hwdb lists it
rows = {e["id"]: e for e in json.load(open(f"{d}/prices.json"))["entries"]}
row = rows[col("price_row")[0]]
assert col("price_origin")[0] == "hwdb price row", col("price_origin")
assert (col("price_provider")[0], col("price_tier")[0], col("price_date")[0], col("price_source")[0]) == \
    (row["provider"], row["tier"], row["date"], row["source"]), row
assert row["gpu"] == "h100-sxm-80gb" and np.allclose(g["usd_per_gpu_hour"][()], row["derived_usd_per_gpu_hour"])
# the efficiencies applied: the resolved engine profile's (the family alone: its newest generation), in
# the compute dtype of each point's weights, times the GPU's fitted efficiency scales
assert col("engine") == ["vllm@0.10"] * 2, col("engine")
vllm = next(e for e in json.load(open(f"{d}/engines.json"))["entries"] if e["id"] == col("engine")[0])
h100 = next(e for e in json.load(open(f"{d}/gpus.json"))["entries"] if e["id"] == "h100-sxm-80gb")
bw, fl = h100["eff_scale_bw"], h100["eff_scale_compute"]
assert np.allclose(g["eff_weights"][()], min(1, vllm["eff_weights"] * bw)), g["eff_weights"][()]
assert np.allclose(g["eff_compute"][()], [min(1, vllm["eff_compute_16"] * fl), min(1, vllm["eff_compute_8"] * fl)]), g["eff_compute"][()]
assert np.allclose(g["overhead_token_s"][()], vllm["overhead_token_s"])
# shards merged keep it
for k in g:
    a, b = g[k][()], m["resolved"][k][()]
    assert (np.array_equal(a, b, equal_nan=True) if a.dtype.kind == "f" else (a == b).all()), k
for name in ("breakeven_output_tok_per_month", "summary/breakeven_output_tok_per_month"):
    assert text(s[name].attrs["units"]) == "1/month", name
PY
/usr/bin/python3 tests/check_units.py "$tmp/s.h5" || err "units of the study file"
# the reader checks /resolved like every dataset: a damaged one is refused, naming it
cp "$tmp/p1.h5" "$tmp/bad.h5"
/usr/bin/python3 -c "
import sys, h5py
with h5py.File(sys.argv[1], 'r+') as f:
    del f['resolved/gpu']
    f['resolved'].create_dataset('gpu', data=[b'a', b'b', b'c'], dtype=h5py.string_dtype())
" "$tmp/bad.h5" || err "crafting bad.h5"
out=$("$bin" merge "$tmp/bad.h5" "$tmp/p2.h5" -o "$tmp/bad-m.h5" 2>&1); rc=$?
[ "$rc" = 65 ] && [[ "$out" == *"/resolved/gpu: expected array of 2, found array of 3"* ]] || err "damaged /resolved: exit $rc, $out"
echo "provenance e2e: $fail failed"
[ "$fail" -eq 0 ]
