#!/bin/sh
# Regenerates every shipped result under results/ from the current binary: the default study, the 70B
# capacity plan and the five reference-post studies, each through its own regenerate.sh (a few minutes on 2 cores).
# Usage, from the repository root: tools/regen_results.sh [STUDY ...]   (default: all; names as listed below)
# The binary is $SERVESIM, else build-regen/servesim:
#   cmake -S . -B build-regen -DCMAKE_BUILD_TYPE=Release && cmake --build build-regen -j2
# The READMEs' prose quotes these files; after a regeneration, check them against the new numbers.
set -e
cd "$(dirname "$0")/.."
SERVESIM=${SERVESIM:-build-regen/servesim}
export SERVESIM
[ -x "$SERVESIM" ] || { echo "regen_results: no binary at $SERVESIM (build it, or set SERVESIM)" >&2; exit 66; }
echo "regen_results: $($SERVESIM --version)"
ALL="default plan-70b-chat ref-405b ref-realcost ref-tco ref-breakdown ref-claude prefix-caching speculative-decoding disagg parallel chunked-prefill fleet"
for r in ${*:-$ALL}; do
  case $r in
    plan-70b-chat) script=results/plan-70b-chat.regenerate.sh ;;
    *) script=results/$r/regenerate.sh ;;
  esac
  [ -f "$script" ] || { echo "regen_results: unknown study $r (one of: $ALL)" >&2; exit 64; }
  t0=$(date +%s)
  sh "$script"
  echo "regen_results: $r done in $(( $(date +%s) - t0 )) s"
done
