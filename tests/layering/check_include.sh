#!/usr/bin/env bash
# check_include.sh CC STAGE SOURCE WANT: compiles SOURCE against the include path of one layer
# (STAGE, a staging directory of links to that layer and those below it). WANT=fail: the compile must
# fail because a header is not found; WANT=pass: it must succeed.
set -u
cc=$1; stage=$2; src=$3; want=$4
out=$("$cc" -std=c11 -fsyntax-only -D_POSIX_C_SOURCE=200809L -I"$stage" "$src" 2>&1)
rc=$?
if [ "$want" = pass ]; then
  [ $rc -eq 0 ] && { echo "ok: $(basename "$src") compiles against $(basename "$stage")"; exit 0; }
  echo "FAIL: $(basename "$src") should compile against $(basename "$stage"):"; echo "$out"; exit 1
fi
if [ $rc -ne 0 ] && grep -qE "No such file or directory|file not found" <<<"$out"; then # gcc | clang
  echo "ok: $(basename "$src") is refused by the $(basename "$stage") layer: $(grep -m1 'fatal error' <<<"$out")"
  exit 0
fi
echo "FAIL: $(basename "$src") should not compile against $(basename "$stage") (exit $rc):"; echo "$out"; exit 1
