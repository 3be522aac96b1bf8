#!/usr/bin/env bash
# ecosys_e2e.sh BIN SOURCE_DIR CASE: the commands that fit servesim into its users' tools, end to end.
#   import   an Azure trace imported and replayed (bootstrap resampling: replicates differ); a Hugging
#            Face config imported into a copy of hwdb, listed and estimated; errors name the column
#   html     report --html: one self-contained file (no URL, no external script, style, font or image),
#            sortable tables, inline SVG plots; rendered by headless chromium into a PNG screenshot
#            (exit 77, a ctest skip, when chromium is not installed: tools/quickstart.sh test installs it)
#   docs     man pages render without groff warnings; bash completion completes commands, options,
#            scenario keys and hwdb ids
set -uo pipefail
bin=$1; src=$2; case_=$3; py=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }
attr() { $py -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs[sys.argv[2]])" "$1" "$2"; }

case_import() {
  "$bin" import-trace "$src/tests/import/azure.csv" --time-scale 2 -o "$tmp/trace.csv" > "$tmp/imp.txt" ||
    die "import-trace: $(cat "$tmp/imp.txt")"
  grep -q "azure trace .*: 5 requests read, 1 dropped .* 4 written spanning 10.000 s" "$tmp/imp.txt" ||
    die "import-trace summary: $(cat "$tmp/imp.txt")"
  cat > "$tmp/replay.yaml" <<YAML
name: replay
seed: 3
replicates: 3
horizon: {duration_s: 30, warmup_s: 0}
deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b, engine: vllm}
workload: {arrival: {process: trace, file: trace.csv, resample: bootstrap}}
YAML
  "$bin" run "$tmp/replay.yaml" -q -o "$tmp/replay.h5" >/dev/null 2>"$tmp/run.err" || die "replay: $(cat "$tmp/run.err")"
  $py - "$tmp/replay.h5" <<'PY' || die "bootstrap replicates of the imported trace are identical"
import sys, h5py, numpy as np
x = h5py.File(sys.argv[1], "r")["total_tok_s"][0]
sys.exit(0 if len(set(np.round(x, 9))) > 1 else 1)
PY
  [ "$(attr "$tmp/replay.h5" input_trace_sha256 2>/dev/null | wc -c)" -eq 65 ] || die "the trace's hash is not recorded"
  out=$("$bin" import-trace "$src/tests/import/azure_bad_value.csv" -o "$tmp/x.csv" 2>&1)
  [ $? -eq 65 ] && grep -q "azure_bad_value.csv:3: column 'GeneratedTokens': value '12x'" <<<"$out" || die "bad value: $out"
  [ ! -e "$tmp/x.csv" ] || die "a failed import left its output"

  cp -r "$src/hwdb" "$tmp/hwdb"
  "$bin" import-model "$src/tests/import/hf/mixtral-8x7b.json" --id mixtral-imported --source "HF config.json (test)" \
    --date 2023-12-11 --params-b 46.7 --active-params-b 12.9 -o "$tmp/hwdb/models/mixtral-imported.yaml" > "$tmp/m.txt" ||
    die "import-model: $(cat "$tmp/m.txt")"
  grep -q "derived 46.703 B parameters, published 46.700 B" "$tmp/m.txt" || die "import-model summary: $(cat "$tmp/m.txt")"
  "$bin" list models --hwdb "$tmp/hwdb" | grep "mixtral-imported" >/dev/null || die "the imported model is not listed"
  "$bin" estimate --hwdb "$tmp/hwdb" --gpu h100-sxm-80gb --model mixtral-imported --tp 2 --weights fp8 >/dev/null ||
    die "estimate with the imported model"
  out=$("$bin" import-model "$src/tests/import/hf/llama-3.1-8b.json" --id x --source s --date 2024-07-23 \
        --params-b 70 -o "$tmp/x.yaml" 2>&1)
  [ $? -eq 65 ] && grep -q "differs from the published 70.000 B" <<<"$out" || die "mismatch not refused: $out"
}

case_html() {
  "$bin" run "$src/scenarios/default.yaml" --replicates 3 --set horizon.duration_s=150 --set horizon.warmup_s=15 -q \
    -o "$tmp/d.h5" >/dev/null 2>&1 || die "run"
  "$bin" report "$tmp/d.h5" --html -o "$tmp/report.html" >/dev/null || die "report --html"
  h=$tmp/report.html
  for s in "<!DOCTYPE html>" "<table class=\"sortable\">" "<svg " "Output throughput" "P99 time to first token" \
           "Results at a glance" "<script>" "</html>"; do
    grep -qF -- "$s" "$h" || die "report.html lacks: $s"
  done
  [ "$(grep -c "<svg " "$h")" -eq 4 ] || die "expected 4 inline SVG charts, found $(grep -c "<svg " "$h")"
  # nothing outside the file: no URL scheme, no src= or href= or url() pointing anywhere, no @import
  bad=$(grep -noiE "https?:|file:/|ftp:|//[a-z0-9.-]+\.[a-z]{2,}|<link|src=|href=|url\(|@import" "$h" | head -5)
  [ -z "$bad" ] || die "report.html references outside itself: $bad"
  grep -q "tools/plot.py" "$h" && die "report.html still points at PNGs drawn by tools/plot.py"
  "$bin" report "$tmp/d.h5" --html -o "$tmp/d.h5" >/dev/null 2>&1 && die "report --html overwrote its study"
  browser=$(command -v chromium || command -v chromium-browser || true)
  if [ -z "$browser" ]; then
    echo "SKIP: chromium is not installed (tools/quickstart.sh test installs it); the render check did not run"
    [ $fail -eq 0 ] && exit 77
    return
  fi
  HOME=$tmp timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --hide-scrollbars --window-size=1200,2400 --screenshot="$tmp/shot.png" "file://$h" >"$tmp/chromium.log" 2>&1 ||
    die "chromium failed: $(tail -3 "$tmp/chromium.log")"
  $py - "$tmp/shot.png" <<'PY' || die "the screenshot is not a rendered page"
import sys
import matplotlib.image as mpimg
img = mpimg.imread(sys.argv[1])
h, w = img.shape[:2]
colours = len({tuple(p) for p in (img[::8, ::8, :3] * 255).astype(int).reshape(-1, 3)})
ok = w == 1200 and h == 2400 and colours > 20 and (img[..., :3] < 0.5).any()  # text and charts, not blank
print(f"screenshot {w}x{h}, {colours} colours")
sys.exit(0 if ok else 1)
PY
  [ -n "${SERVESIM_KEEP_SCREENSHOT:-}" ] && cp "$tmp/shot.png" "$SERVESIM_KEEP_SCREENSHOT"
}

case_docs() {
  for page in "" run import-trace; do
    "$bin" man $page > "$tmp/p.1" || die "servesim man $page"
    warn=$(LC_ALL=C.UTF-8 groff -man -ww -z "$tmp/p.1" 2>&1)
    [ -z "$warn" ] || die "servesim man $page: groff warns: $warn"
  done
  "$bin" man run | grep -F ".B workload.arrival.rate_per_s" >/dev/null ||
    die "servesim-run(1) lacks the scenario keys"
  "$bin" completion bash > "$tmp/c.bash" || die "completion bash"
  "$bin" completion zsh > "$tmp/_servesim" || die "completion zsh"
  if command -v zsh >/dev/null; then zsh -n "$tmp/_servesim" || die "zsh: syntax"; fi
  # bash: what a user gets after typing these words and TAB
  complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _servesim; printf "%s\n" "${COMPREPLY[@]}"' \
      _ "$tmp/c.bash" "$@"
  }
  check() { local want=$1; shift; grep -qx -- "$want" <<<"$(complete_words "$@")" || die "completing '$*' gives no '$want'"; }
  check import-trace servesim imp
  check --set servesim run x.yaml --se
  check deployment.tp= servesim run x.yaml --set deployment.t
  check h100-sxm-80gb servesim estimate --gpu h100
  check llama-3.1-70b servesim estimate --model llama-3.1-7
  check mooncake servesim import-trace --format moo
  check models servesim list mo
  check --html servesim report x.h5 --ht
  grep -q -- --html <<<"$(complete_words servesim estimate --ht)" && die "--html offered for estimate"
}

case "$case_" in
  import) case_import ;;
  html) case_html ;;
  docs) case_docs ;;
  *) echo "usage: ecosys_e2e.sh BIN SOURCE_DIR import|html|docs" >&2; exit 64 ;;
esac
[ $fail -eq 0 ] && echo "ok: $case_"
exit $fail
