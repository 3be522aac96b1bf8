#!/usr/bin/env bash
# servesim plan end to end on tests/plan_small.yaml: the table and the HDF5 file are the same with
# 1 and 2 threads (bit for bit, provenance attributes aside), the file says it is a plan of schema 3,
# no temporary (.NAME.servesim-*) is left beside it, a closed-loop scenario is refused with the key
# named, and an unwritable -o fails before any simulation. Downstream: tools/plot.py draws the plan
# plots from a fresh file, `servesim report` writes the plan report (linking them) with the ranked
# table, the chosen deployment and the API comparison the table printed, agreeing with the file.
set -u
bin=$1; src=$2; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 1
err() { echo "FAIL $1"; fail=$((fail + 1)); }
for t in 1 2; do
  "$bin" plan tests/plan_small.yaml -o "$tmp/t$t.h5" --threads $t --quiet > "$tmp/t$t.txt" || err "plan --threads $t: exit $?"
  left=$(find "$tmp" -maxdepth 1 -name ".t$t.h5.servesim-*")
  [ -z "$left" ] || err "plan --threads $t left $left"
done
grep -q "^   1  " "$tmp/t1.txt" || err "no ranked table: $(head -3 "$tmp/t1.txt")"
sed '$d' "$tmp/t1.txt" > "$tmp/a"; sed '$d' "$tmp/t2.txt" > "$tmp/b"  # the last line names the file
cmp -s "$tmp/a" "$tmp/b" || err "table differs between 1 and 2 threads"
/usr/bin/python3 - "$tmp/t1.h5" "$tmp/t2.h5" <<'PY' || err "HDF5 check"
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
datasets = []
a.visititems(lambda n, o: datasets.append((n, o)) if isinstance(o, h5py.Dataset) else None)
for name, ds in datasets:
    assert "units" in ds.attrs and "long_name" in ds.attrs, name
    x, y = ds[()], b[name][()]
    same = np.array_equal(x, y, equal_nan=True) if ds.dtype.kind == "f" else (np.asarray(x) == np.asarray(y)).all()
    assert same, name
assert a["replicas"].dims[0][0].name == "/candidate"
d = a["decision"]  # how sure the answer is: P(meet the SLO) with its interval, and the demand at confidence
assert 0 <= d["p_meet_ci95_lo"][()] <= d["p_meet"][()] <= d["p_meet_ci95_hi"][()] <= 1
assert d["demand_at_confidence_per_s"][()] >= a["demand_per_s"][()] * (1 - a["rate_rel_tol"][()])
assert d["demand_replicate_per_s"].dims[0][0].name == "/replicate"
assert set(s.decode() for s in a["status"][()]) <= {"ok", "slo_not_met", "does_not_fit"}
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
assert int(a.attrs["schema_version"]) == 3, a.attrs["schema_version"]
assert text(a.attrs["file_kind"]) == "plan", a.attrs["file_kind"]
assert text(a.attrs["program"]) == "servesim"
assert a.attrs["master_seed"].dtype == np.uint64
for k in ("hwdb_sha256", "input_scenario_sha256", "command_line", "git_commit"):
    assert k in a.attrs, k
PY
sed 's/process: poisson, rate_per_s: 40/process: closed, users: 4/' tests/plan_small.yaml > "$tmp/closed.yaml"
out=$("$bin" plan "$tmp/closed.yaml" -o "$tmp/c.h5" --quiet 2>&1); rc=$?
[ "$rc" = 65 ] && [[ "$out" == *"workload.arrival.process"* ]] || err "closed loop: exit $rc, $out"
out=$("$bin" plan tests/plan_small.yaml -o /nonexistent-dir/x.h5 --quiet 2>&1); rc=$?
[ "$rc" = 73 ] && [[ "$out" == *"/nonexistent-dir"* ]] || err "unwritable -o: exit $rc, $out"
/usr/bin/python3 tests/check_units.py "$tmp/t1.h5" || err "units of the plan file"
# the compare_api list is priced: in the table, the file (candidate x api) and the report
grep -q "^API comparison (compare_api)" "$tmp/t1.txt" || err "no API block in the table"
grep -q "together-llama-3.1-8b \$/1M" "$tmp/t1.txt" || err "the API block lacks an API column"
# downstream: plots and the report of a fresh plan file
/usr/bin/python3 tools/plot.py "$tmp/t1.h5" -o "$tmp" >/dev/null 2>"$tmp/plot.err" || err "plot.py: $(cat "$tmp/plot.err")"
for png in plan_cost plan_rate; do
  [ -s "$tmp/$png.png" ] && [ "$(head -c 4 "$tmp/$png.png" | od -An -tx1 | tr -d ' \n')" = "89504e47" ] ||
    err "$png.png missing or not a PNG"
done
out=$("$bin" report "$tmp/t1.h5" -o "$tmp/report.md" 2>&1); rc=$?
[ "$rc" = 0 ] || err "report of a plan file: exit $rc, $out"
for s in "# servesim plan report: plan-small" "## The question" "## The answer" "**Chosen deployment: rank 1," \
         "## Candidates, ranked" "| rank | candidate | status | replicas |" "## API comparison" "### gpt-4o-mini" \
         "### together-llama-3.1-8b" "## Method" "![" "](plan_cost.png)" "](plan_rate.png)"; do
  grep -qF -- "$s" "$tmp/report.md" || err "plan report lacks: $s"
done
/usr/bin/python3 - "$tmp/t1.h5" "$tmp/report.md" <<'PY' || err "plan report disagrees with the file"
import sys, h5py
f = h5py.File(sys.argv[1], "r"); md = open(sys.argv[2]).read()
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
labels, status = [text(x) for x in f["label"][()]], [text(x) for x in f["status"][()]]
apis = [text(x) for x in f["api"][()]]
assert f["breakeven_utilisation"].shape == (len(labels), len(apis)), f["breakeven_utilisation"].shape
assert f["breakeven_utilisation"].dims[1][0].name == "/api"
for i, (lab, st) in enumerate(zip(labels, status)):
    row = next(l for l in md.splitlines() if l.startswith(f"| {i + 1} | `{lab}` | {st} |"))
    if st == "ok":
        cells = row.split("|")
        assert cells[8].strip() == f"{f['usd_per_1m_output'][i]:.3f}", (row, f["usd_per_1m_output"][i])
        assert cells[11].strip() == f"{f['utilisation'][i]:.2f}", (row, f["utilisation"][i])
PY
# a study file is still refused by plan readers, and a plan file by merge
out=$("$bin" merge "$tmp/t1.h5" -o "$tmp/m.h5" 2>&1); rc=$?
[ "$rc" = 65 ] && [[ "$out" == *"a plan file, not a study"* ]] || err "merge of a plan file: exit $rc, $out"
# pool ratios of disaggregated serving: each prefill pool size a candidate, decode replicas searched,
# the GPUs of both pools counted (scenarios/plan-disagg-ratio.yaml, shortened)
"$bin" plan "$src/scenarios/plan-disagg-ratio.yaml" -o "$tmp/pd.h5" -q --replicates 2 --set horizon.duration_s=60 \
  --set horizon.warmup_s=10 --set 'sweep.deployment.disagg.prefill_replicas=[0, 2]' >"$tmp/pd.txt" 2>/dev/null ||
  err "plan over prefill pool sizes: exit $?"
/usr/bin/python3 - "$tmp/pd.h5" <<'PY' || err "plan over prefill pool sizes: GPUs or candidates"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
labels, status = [text(x) for x in f["label"][()]], [text(x) for x in f["status"][()]]
assert sorted(labels) == ["prefill_replicas=0", "prefill_replicas=2"], labels
for lab, st, reps, gpus in zip(labels, status, f["replicas"][()], f["gpus"][()]):
    if st == "ok":  # decode replicas of tp 1, plus the prefill pool of tp 1
        assert gpus == reps + int(lab.split("=")[1]), (lab, reps, gpus)
assert "ok" in status, status
PY
echo "plan e2e: $fail failed"
[ "$fail" -eq 0 ]
