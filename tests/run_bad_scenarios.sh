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
shopt -s nullglob dotglob
for f in "$dir"/*.$ext; do
  n=$((n + 1))
  meta="$f"; [ -f "${f%.$ext}.expect" ] && meta="${f%.$ext}.expect"
  # one grep per case, the rest in bash: forks, not the binary, were most of this test's time
  want_rc="" sets="" wants=()
  while IFS= read -r line; do
    case $line in
      "# expect-exit:"*) [ -n "$want_rc" ] || { want_rc=${line#"# expect-exit:"}; want_rc=${want_rc// /}; } ;;
      "# args:"*) [ -n "$sets" ] || { sets=${line#"# args:"}; sets=${sets# }; } ;;
      "# expect-error:"*) msg=${line#"# expect-error:"}; wants+=("${msg#"${msg%%[! ]*}"}") ;;
    esac
  done < <(grep -a -E '^# (expect-exit|expect-error|args):' "$meta")
  # shellcheck disable=SC2086
  if [ "$cmd" = run ]; then
    out=$("$bin" run "$f" -o "$tmp/out.h5" $sets 2>&1 >/dev/null); rc=$?
  else
    out=$("$bin" "$cmd" "$f" $sets 2>&1 >/dev/null); rc=$?
  fi
  why=""
  [ -n "$want_rc" ] || why="no '# expect-exit:' line"
  [ "$rc" = "$want_rc" ] || why="exit $rc (want $want_rc)"
  for want_msg in "${wants[@]}"; do
    [[ "$out" == *"$want_msg"* ]] || why="${why:+$why; }message lacks: $want_msg"
  done
  [ ${#wants[@]} -gt 0 ] || why="${why:+$why; }no '# expect-error:' line"
  left=("$tmp"/*)
  [ ${#left[@]} -eq 0 ] || { why="${why:+$why; }left behind: ${left[*]##*/}"; rm -rf "${left[@]}"; }
  if [ -n "$why" ]; then
    echo "FAIL ${f##*/}: $why"; echo "  message: $out"; fail=$((fail + 1))
  fi
done
echo "bad inputs ($cmd): $((n - fail)) passed, $fail failed"
[ "$n" -ge 10 ] || { echo "FAIL: only $n bad inputs (want at least 10)"; exit 1; }
[ "$fail" -eq 0 ]
