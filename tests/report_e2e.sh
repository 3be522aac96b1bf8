#!/usr/bin/env bash
# End to end: servesim run -> tools/plot.py -> servesim report, on the default scenario (swept, with an
# uncertain input) and on a one-point study without sweep or uncertain inputs. Checks the Markdown has
# its sections and tables, that saturated points show no latency, that every PNG drawn is a non-empty
# PNG and linked from the report, and that plots without data are skipped, not failed.
set -u
bin=$1; src=$2; py=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }
need() { grep -qF -- "$2" "$1" || die "$(basename "$1") lacks: $2"; }
is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

# 1. the default scenario
"$bin" run "$src/scenarios/default.yaml" -o "$tmp/d.h5" --replicates 4 --quiet >/dev/null || die "run default"
$py "$src/tools/plot.py" "$tmp/d.h5" -o "$tmp" 2>"$tmp/plot.err" >/dev/null || die "plot.py default: $(cat "$tmp/plot.err")"
"$bin" report "$tmp/d.h5" -o "$tmp/report.md" >/dev/null || die "report default"
md="$tmp/report.md"
for s in "# servesim report: default-llama8b-h100" "## Scenario" "## Method" "## Results at a glance" \
         "## Results per sweep point" "### Point 0: rate_per_s = 1" "### Point 5: rate_per_s = 16" \
         "| metric | units | mean [95% CI] | p05 | p50 | p95 | n |" "| ttft_p99_s | s |" "| usd_per_1m_output | USD |" \
         "## Saturated points" "## Cost and API comparison" "## Sensitivity" "Method (\`sensitivity.method: prcc\`)" \
         "| input | \`prcc\` [95% CI] | verdict |" '| `efficiency.hbm` |' "Latin hypercube" \
         "4 replicates" "## Plots"; do
  need "$md" "$s"
done
for png in cost_vs_utilisation throughput latency_p99 cost_hist; do
  is_png "$tmp/$png.png" || die "$png.png missing, empty or not a PNG"
done
# a whole study with uncertain inputs carries /sensitivity, and the tornado is drawn from it
$py -c "import h5py,sys; sys.exit(0 if 'sensitivity' in h5py.File(sys.argv[1],'r') else 1)" "$tmp/d.h5" ||
  die "no /sensitivity in a study with uncertain inputs"
is_png "$tmp/tornado.png" || die "tornado.png missing although /sensitivity exists"
# every PNG on disk is linked, every link resolves
for f in "$tmp"/*.png; do need "$md" "]($(basename "$f"))"; done
for l in $(grep -o '](\S*\.png)' "$md" | sed 's/^](//; s/)$//'); do [ -s "$tmp/$l" ] || die "dead link $l"; done
# saturated points: where most replicates saturated (docs/report.md), no latency number; the table rows
# agree with the file
$py - "$tmp/d.h5" "$md" <<'PY' || die "saturation rows disagree with the file"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); md = open(sys.argv[2]).read()
sat = f["saturated"][()]
for p in range(sat.shape[0]):
    block = md.split(f"### Point {p}:")[1].split("###")[0]
    row = next(l for l in block.splitlines() if l.startswith("| ttft_p99_s |"))
    if 2 * np.nansum(sat[p]) > sat.shape[1]:
        assert "saturated: not stable" in row, row
        assert f"**{int(np.nansum(sat[p]))} of {sat.shape[1]} replicates saturated**" in block, block
    else:
        mean = np.nanmean(np.where(sat[p] > 0.5, np.nan, f["ttft_p99_s"][()][p]))
        assert row.split("|")[3].strip().startswith(f"{mean:.4g}"), (row, mean)
PY

# 2. one point, no sweep, no uncertain inputs
mkdir "$tmp/one"
"$bin" run "$src/tests/report_single_point.yaml" -o "$tmp/one/o.h5" --quiet >/dev/null || die "run single point"
$py "$src/tools/plot.py" "$tmp/one/o.h5" -o "$tmp/one" >/dev/null 2>"$tmp/one/plot.err" || die "plot.py single point"
"$bin" report "$tmp/one/o.h5" -o "$tmp/one/r.md" >/dev/null || die "report single point"
need "$tmp/one/r.md" "No uncertain inputs in this study"
need "$tmp/one/r.md" "### Point 0: single point"
need "$tmp/one/r.md" "| input lengths (tokens) | fixed, 800 |"   # not the default median 512
need "$tmp/one/r.md" "| output lengths (tokens) | fixed, 250 |"
need "$md" "| input lengths (tokens) | lognormal, median 800, sigma 1, at most 8192 |"
is_png "$tmp/one/cost_hist.png" || die "cost_hist.png of the single point"
[ ! -e "$tmp/one/throughput.png" ] || die "throughput.png drawn without a sweep"
grep -q "no numeric swept parameter" "$tmp/one/plot.err" || die "plot.py did not say why the sweep plots were skipped"

# 3. Sobol indices and Morris effects: the replicate structure from sensitivity.samples, the indices
#    with CIs in the report, sobol.png (Sobol) and the mu* tornado (Morris)
#    (the file says replicates: 3, so the count N(k+2) = 48 or r(k+1) = 36 is given to match)
for m in sobol:48 morris:36; do
  reps=${m#*:}; m=${m%:*}
  mkdir "$tmp/$m"
  "$bin" run "$src/tests/report_single_point.yaml" -o "$tmp/$m/s.h5" --quiet --replicates "$reps" \
    --set 'uncertain.efficiency.hbm={dist: uniform, min: 0.5, max: 0.9}' \
    --set 'uncertain.overhead.step_s={dist: uniform, min: 0.002, max: 0.008}' \
    --set sensitivity.method=$m --set sensitivity.samples=12 >/dev/null || die "run $m"
  $py "$src/tools/plot.py" "$tmp/$m/s.h5" -o "$tmp/$m" >/dev/null 2>"$tmp/$m/plot.err" || die "plot.py $m"
  "$bin" report "$tmp/$m/s.h5" -o "$tmp/$m/r.md" >/dev/null || die "report $m"
  need "$tmp/$m/r.md" "Method (\`sensitivity.method: $m\`)"
done
need "$tmp/sobol/r.md" "| input | \`first_order\` [95% CI] | \`total\` [95% CI] | verdict |"
is_png "$tmp/sobol/sobol.png" || die "sobol.png missing for a Sobol study"
need "$tmp/morris/r.md" "| input | \`mu_star\` [95% CI] | \`mu\` [95% CI] | \`sigma\` [95% CI] | verdict |"
is_png "$tmp/morris/tornado.png" || die "tornado.png missing for a Morris study"

# 4. a comparison on common random numbers: compare -> plot.py -> report
sed 's/  replicas: 1/  replicas: 2/' "$src/tests/report_single_point.yaml" > "$tmp/one/two_replicas.yaml"
"$bin" compare "$src/tests/report_single_point.yaml" "$tmp/one/two_replicas.yaml" -o "$tmp/one/cmp.h5" --quiet \
  > "$tmp/one/cmp.txt" || die "compare"
grep -q "B - A \[95% CI\]" "$tmp/one/cmp.txt" || die "compare printed no paired table: $(head -5 "$tmp/one/cmp.txt")"
$py "$src/tools/plot.py" "$tmp/one/cmp.h5" -o "$tmp/one" >/dev/null 2>"$tmp/one/cmp.err" || die "plot.py compare: $(cat "$tmp/one/cmp.err")"
is_png "$tmp/one/compare.png" || die "compare.png missing, empty or not a PNG"
"$bin" report "$tmp/one/cmp.h5" -o "$tmp/one/cmp.md" >/dev/null || die "report of a compare file"
for s in "# servesim comparison" "paired Student-t 95% CI" "| \`tpot_p99_s\` | s |" "](compare.png)"; do
  need "$tmp/one/cmp.md" "$s"
done

# 5. refusals: a missing file (66), no input (64), the study file as its own report (64); no
#    half-written report left behind, neither under its name nor as a temporary (.x.md.servesim-*)
"$bin" report "$tmp/missing.h5" -o "$tmp/x.md" >/dev/null 2>&1; rc=$?
[ "$rc" = 66 ] || die "missing file: exit $rc, want 66"
[ ! -e "$tmp/x.md" ] || die "a report was left for a missing file"
[ -z "$(find "$tmp" -maxdepth 1 -name '.x.md.servesim-*')" ] || die "a temporary report file was left behind"
cp "$tmp/d.h5" "$tmp/keep.h5"
"$bin" report "$tmp/d.h5" -o "$tmp/d.h5" >/dev/null 2>&1; rc=$?
[ "$rc" = 64 ] || die "report over its own study file: exit $rc, want 64"
cmp -s "$tmp/d.h5" "$tmp/keep.h5" || die "the study file changed when its report was refused"
"$bin" report >/dev/null 2>&1; rc=$?
[ "$rc" = 64 ] || die "no input: exit $rc, want 64"
$py "$src/tools/plot.py" "$tmp/missing.h5" -o "$tmp" >/dev/null 2>&1; rc=$?
[ "$rc" = 66 ] || die "plot.py missing file: exit $rc, want 66"

[ $fail = 0 ] && echo "report end to end: ok"
exit $fail
