#!/usr/bin/env bash
# install_e2e.sh BUILD_DIR SOURCE_DIR: `cmake --install` into a temporary prefix, then everything a user
# of the prefix does, from another directory and with SERVESIM_HWDB unset: the installed servesim runs
# the default scenario and records the installed hwdb (also after the prefix is moved); man finds
# servesim(1) and servesim-run(1); a C program builds against the prefix with pkg-config (shared) and
# with find_package (static) and runs; libservesim.so has SONAME libservesim.so.1 and exports only
# servesim_* symbols; `import servesim` from the prefix runs a study into an xarray Dataset.
set -euo pipefail
build=$(cd "$1" && pwd); src=$(cd "$2" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unset SERVESIM_HWDB SERVESIM_LIBRARY
fail() { echo "FAIL: $*" >&2; exit 1; }
attr() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs[sys.argv[2]])" "$1" "$2"; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
mkdir "$tmp/elsewhere" && cd "$tmp/elsewhere"
short=(replicates=2 'sweep.workload.arrival.rate_per_s=[1, 4]' horizon.duration_s=120 horizon.warmup_s=10)
scenario=(-q); for s in "${short[@]}"; do scenario+=(--set "$s"); done

# 1. The installed binary finds the installed hwdb, and still does after the prefix moves.
for prefix in "$tmp/prefix" "$tmp/moved"; do
  [ "$prefix" = "$tmp/moved" ] && mv "$tmp/prefix" "$tmp/moved"
  "$prefix/bin/servesim" run "$src/scenarios/default.yaml" "${scenario[@]}" -o run.h5 >/dev/null
  got=$(attr run.h5 hwdb_dir)
  [ "$(cd "$got" && pwd -P)" = "$(cd "$prefix/share/servesim/hwdb" && pwd -P)" ] ||
    fail "the run from $prefix recorded hwdb $got"
  [ ${#got} -gt 0 ] && [ "$(attr run.h5 hwdb_sha256 | wc -c)" -eq 65 ] || fail "no hwdb content hash recorded"
done
prefix=$tmp/moved
echo "ok: the installed servesim runs from another directory with its installed hwdb, before and after a move"

# 2. man pages from the prefix.
MANPATH=$prefix/share/man MANPAGER=cat man servesim 2>/dev/null | grep "discrete-event simulator" >/dev/null ||
  fail "man servesim"
MANPATH=$prefix/share/man MANPAGER=cat man servesim-run 2>/dev/null | grep "deployment.tp" >/dev/null ||
  fail "man servesim-run lacks the scenario keys"
[ -s "$prefix/share/bash-completion/completions/servesim" ] && [ -s "$prefix/share/zsh/vendor-completions/_servesim" ] ||
  fail "completions not installed"
echo "ok: man servesim, man servesim-run, completions installed"

# 3. The shared library: SONAME and exported symbols.
lib=$prefix/lib/libservesim.so.1
objdump -p "$lib" | grep "SONAME *libservesim.so.1" >/dev/null || fail "SONAME of $lib"
other=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBR]/ && $3 !~ /^servesim_/ {print $3}')
[ -z "$other" ] || fail "libservesim.so exports non-API symbols: $(echo $other | head -c 300)"
echo "ok: $lib: SONAME libservesim.so.1, exports $(nm -D --defined-only "$lib" | grep -c ' T servesim_') servesim_* functions only"

# 4. A C program: pkg-config (shared) and find_package (static).
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -std=c11 -Wall -Wextra -Werror "$src/tests/api_example.c" $(pkg-config --cflags --libs servesim) \
  -Wl,-rpath,"$(pkg-config --variable=libdir servesim)" -o api_example
./api_example "$src/scenarios/default.yaml" example.h5 "${short[@]}" > example.txt
grep -q "^point 1: output" example.txt || fail "api_example printed: $(cat example.txt)"
cmake -S "$src/tests/install_consumer" -B consumer -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build consumer >/dev/null
consumer/api_example_static "$src/scenarios/default.yaml" static.h5 "${short[@]}" >/dev/null
ldd consumer/api_example_static | grep libservesim >/dev/null && fail "the static example links libservesim.so"
echo "ok: a C program builds with pkg-config (shared) and find_package (static) and runs"

# 5. Python from the prefix: import servesim, a study into an xarray Dataset.
PYTHONPATH=$prefix/lib/python3/dist-packages /usr/bin/python3 - "$src/scenarios/default.yaml" "$prefix" <<'PY'
import os, sys
import xarray as xr
import servesim
ds = servesim.run(sys.argv[1], sets=["replicates=2", "sweep.workload.arrival.rate_per_s=[1, 4]",
                                     "horizon.duration_s=120", "horizon.warmup_s=10"])
assert isinstance(ds, xr.Dataset), type(ds)
assert ds["output_tok_s"].dims == ("point", "replicate") and ds.sizes["point"] == 2, ds["output_tok_s"]
installed = os.path.realpath(os.path.join(sys.argv[2], "share/servesim/hwdb"))
assert os.path.realpath(ds.attrs["hwdb_dir"]) == installed, (ds.attrs["hwdb_dir"], installed)
print("ok: import servesim from the prefix runs a study into an xarray Dataset with the installed hwdb")
PY
