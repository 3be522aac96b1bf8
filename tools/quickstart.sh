#!/usr/bin/env bash
# quickstart.sh: the two README commands. Installs missing Debian packages (apt-get update first;
# sudo when not root), configures and builds with CMake, then either runs the default scenario
# (`run`) or the whole test suite (`test`, which also installs chromium for the HTML report's render
# check): a gcc build with static analysis of the library (-fanalyzer, warnings are errors) and every
# test, then a clang build under ASan/UBSan that runs the suite again and a few seconds of each
# libFuzzer harness (fuzz/, tools/fuzz.sh, every kept crash input replayed first). `test` first checks that every Python module the tools and tests import has its
# package in tools/requirements-debian.txt. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# the C toolchain and libraries, then the Python packages of tools/requirements-debian.txt
PACKAGES=(build-essential cmake ninja-build pkg-config libgsl-dev libhdf5-dev libcmocka-dev libyaml-dev librandom123-dev)
# the fuzz harnesses: clang, its libFuzzer runtime (libclang_rt.fuzzer*: libclang-rt-dev) and OpenMP for clang
PACKAGES+=(clang libclang-rt-dev libomp-dev lld) # lld links the ~55 sanitizer executables 3x faster than ld.bfd
mapfile -t PY_PACKAGES < <(sed 's/#.*//; s/[[:space:]]//g; /^$/d' tools/requirements-debian.txt)
PACKAGES+=("${PY_PACKAGES[@]}")
[ "${SERVESIM_MPI:-OFF}" = ON ] && PACKAGES+=(libopenmpi-dev openmpi-bin)
# test only: headless chromium renders the HTML report into a screenshot (tests/ecosys_e2e.sh html)
TEST_PACKAGES=(chromium)
JOBS=$(nproc 2>/dev/null || echo 2)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "quickstart: installing missing packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

build() { # build DIR [cmake options...]
  local dir=$1; shift
  # Ninja: on 2 cores it builds the sanitizer tree in 32 s where make takes 46 (make's per-target
  # recursion); a build directory configured earlier with another generator keeps it
  local gen=(-G Ninja)
  [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt" && gen=()
  cmake "${gen[@]}" -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DSERVESIM_MPI="${SERVESIM_MPI:-OFF}" "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS" >&2
}

case "${1:-run}" in
  run)
    install_missing
    build build -DSERVESIM_ANALYZE=OFF -DCMAKE_C_FLAGS= # the test command's -Werror stays with the test
    mkdir -p results  # results/default.h5 is git-ignored: the quick start never dirties the tree
    build/servesim run scenarios/default.yaml -o results/default.h5
    ;;
  test)
    PACKAGES+=("${TEST_PACKAGES[@]}")
    install_missing
    /usr/bin/python3 tools/check_python_deps.py --installed
    build build -DSERVESIM_ANALYZE=ON -DCMAKE_C_FLAGS=-Werror # gcc, with -fanalyzer on the library; any warning fails the test
    (cd build && ctest --output-on-failure -j "$JOBS")
    # clang, ASan/UBSan everywhere and libFuzzer coverage in the readers: the unit tests and the bad case
    # files once more, then each fuzzer (its seeds are the bad scenarios, traces and results files)
    build build-san -DCMAKE_C_COMPILER=clang -DCMAKE_C_FLAGS=-Werror -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_C_FLAGS_DEBUG=-O1 -gline-tables-only" \
      -DSERVESIM_FUZZ=ON -DSERVESIM_BENCH=OFF -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld
    # a 16 MB quarantine (default 256) still catches a use of memory freed shortly before, and spares each
    # of the ~50 test processes the page faults of a big one: the sanitizer pass runs about a quarter faster
    (cd build-san && ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --output-on-failure -j "$JOBS" -L "unit|san" -LE slow)
    SERVESIM_FUZZ_BUILD=build-san SERVESIM_FUZZ_BUILT=1 tools/fuzz.sh "${SERVESIM_FUZZ_SECONDS:-2}" # s per target; 3600 for a real run
    ;;
  *) echo "usage: tools/quickstart.sh [run|test]" >&2; exit 64 ;;
esac
