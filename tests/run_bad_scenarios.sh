#!/usr/bin/env bash
# Every tests/bad_scenarios/NAME.yaml must make `servesim run` fail with the exit code and message
# fragment given in its first two lines:   # expect-exit: 65   and   # expect-error: <text>
# (a file whose bytes cannot hold comments, e.g. empty or not UTF-8, has NAME.expect beside it).
# No output file may be left behind.
set -u
bin=$1; dir=$2; fail=0; n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in "$dir"/*.yaml; do
  n=$((n + 1))
  meta="$f"; [ -f "${f%.yaml}.expect" ] && meta="${f%.yaml}.expect"
  want_rc=$(grep -a -m1 '^# expect-exit:' "$meta" | sed 's/^# expect-exit: *//')
  want_msg=$(grep -a -m1 '^# expect-error:' "$meta" | sed 's/^# expect-error: *//')
  sets=$(grep -a -m1 '^# args:' "$meta" | sed 's/^# args: *//')
  # shellcheck disable=SC2086
  out=$("$bin" run "$f" -o "$tmp/out.h5" $sets 2>&1 >/dev/null); rc=$?
  if [ "$rc" != "$want_rc" ] || [[ "$out" != *"$want_msg"* ]] || [ -e "$tmp/out.h5" ]; then
    echo "FAIL $(basename "$f"): exit $rc (want $want_rc), message: $out (want: $want_msg)"; fail=$((fail + 1))
  fi
done
echo "bad scenarios: $((n - fail)) passed, $fail failed"
[ "$n" -ge 20 ] || { echo "FAIL: only $n bad scenarios (want at least 20)"; exit 1; }
[ "$fail" -eq 0 ]
