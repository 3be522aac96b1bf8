#!/usr/bin/env bash
# Every tests/bad_scenarios/NAME.yaml must make `servesim run` fail with the exit code and message
# fragments given in its first lines:   # expect-exit: 65   and one or more   # expect-error: <text>
# (every fragment must appear; `# args: ...` adds command-line arguments). A file whose bytes cannot
# hold comments, e.g. empty or not UTF-8, has NAME.expect beside it.
# No output file may be left behind: neither the output nor a temporary (.out.h5.servesim-*) beside it.
# usage: run_bad_scenarios.sh BIN DIR [validate]: with `validate`, every DIR/NAME.csv through
# `servesim validate` instead (a case CSV's '#' lines are comments too).
set -u
bin=$1; dir=$2; cmd=${3:-run}; fail=0; n=0
ext=yaml; [ "$cmd" = validate ] && ext=csv
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in "$dir"/*.$ext; do
  n=$((n + 1))
  meta="$f"; [ -f "${f%.$ext}.expect" ] && meta="${f%.$ext}.expect"
  want_rc=$(grep -a -m1 '^# expect-exit:' "$meta" | sed 's/^# expect-exit: *//')
  sets=$(grep -a -m1 '^# args:' "$meta" | sed 's/^# args: *//')
  # shellcheck disable=SC2086
  if [ "$cmd" = run ]; then
    out=$("$bin" run "$f" -o "$tmp/out.h5" $sets 2>&1 >/dev/null); rc=$?
  else
    out=$("$bin" "$cmd" "$f" $sets 2>&1 >/dev/null); rc=$?
  fi
  why=""
  [ -n "$want_rc" ] || why="no '# expect-exit:' line"
  [ "$rc" = "$want_rc" ] || why="exit $rc (want $want_rc)"
  n_msg=0
  while IFS= read -r want_msg; do
    n_msg=$((n_msg + 1))
    [[ "$out" == *"$want_msg"* ]] || why="${why:+$why; }message lacks: $want_msg"
  done < <(grep -a '^# expect-error:' "$meta" | sed 's/^# expect-error: *//')
  [ "$n_msg" -gt 0 ] || why="${why:+$why; }no '# expect-error:' line"
  left=$(ls -A "$tmp")
  [ -z "$left" ] || { why="${why:+$why; }left behind: $left"; rm -rf "${tmp:?}"/* "$tmp"/.[!.]*; }
  if [ -n "$why" ]; then
    echo "FAIL $(basename "$f"): $why"; echo "  message: $out"; fail=$((fail + 1))
  fi
done
echo "bad inputs ($cmd): $((n - fail)) passed, $fail failed"
[ "$n" -ge 10 ] || { echo "FAIL: only $n bad inputs (want at least 10)"; exit 1; }
[ "$fail" -eq 0 ]
