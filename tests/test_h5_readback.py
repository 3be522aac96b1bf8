#!/usr/bin/python3
"""End-to-end checks of `servesim run` / `servesim merge` through the files they write.

usage: test_h5_readback.py --servesim BIN --scenario YAML [--mpiexec MPIEXEC] CASE
CASE: threads    same datasets for OMP_NUM_THREADS=1, 2, 4
      shards     --shard 1/1 equals 3 shards merged (parts given out of order)
      mpi        mpiexec -np 2 equals a serial run (MPI build only)
      readback   xarray/h5py/pandas read the file: named dims, float dtypes (no timedeltas),
                 units and long_name on every dataset, provenance attributes (schema 3, file kind,
                 hwdb and input-file hashes)
      unwritable an unusable output directory gives exit 73, a message naming it, and no file
"""
import hashlib
import argparse
import os
import random
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SMALL = ["--set", "horizon.duration_s=60", "--set", "horizon.warmup_s=10", "--replicates", "3", "-q"]
LOGS = ["--set", "output.requests=true", "--set", "output.timeseries=true"]


def run(args, cmd, env=None, expect=0):
    full = [args.servesim] + cmd
    p = subprocess.run(full, capture_output=True, text=True, env=env)
    if p.returncode != expect:
        sys.exit(f"FAIL: {' '.join(full)} exited {p.returncode}, expected {expect}\n{p.stdout}\n{p.stderr}")
    return p


def datasets(path):
    """Every dataset's dtype and raw bytes (strings by value): what 'same data' means."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                v = obj[()]
                out[name] = (obj.dtype.str, obj.shape, repr(v) if obj.dtype.kind == "O" else v.tobytes())
        f.visititems(visit)
    return out


def assert_same(a, b):
    da, db = datasets(a), datasets(b)
    diff = sorted(k for k in set(da) | set(db) if da.get(k) != db.get(k))
    if diff:
        sys.exit(f"FAIL: {a} and {b} differ in {len(diff)} datasets: {diff[:8]}")
    if len(da) < 40:
        sys.exit(f"FAIL: {a} holds only {len(da)} datasets")
    print(f"ok: {os.path.basename(a)} == {os.path.basename(b)} ({len(da)} datasets)")


def case_threads(args, tmp):
    files = []
    for n in (1, 2, 4):
        env = dict(os.environ, OMP_NUM_THREADS=str(n))
        files.append(os.path.join(tmp, f"t{n}.h5"))
        run(args, ["run", args.scenario, "-o", files[-1]] + SMALL + LOGS, env=env)
    assert_same(files[0], files[1])
    assert_same(files[0], files[2])
    other = os.path.join(tmp, "seed.h5")
    run(args, ["run", args.scenario, "-o", other, "--seed", "7"] + SMALL + LOGS)
    with h5py.File(files[0]) as a, h5py.File(other) as b:
        if np.array_equal(a["output_tok_s"][()], b["output_tok_s"][()], equal_nan=True):
            sys.exit("FAIL: a different seed gave identical output_tok_s")
    print("ok: a different seed gives different results")


def case_shards(args, tmp):
    whole = os.path.join(tmp, "whole.h5")
    run(args, ["run", args.scenario, "-o", whole, "--shard", "1/1"] + SMALL + LOGS)
    parts = []
    for i in (1, 2, 3):
        parts.append(os.path.join(tmp, f"part{i}.h5"))
        p = run(args, ["run", args.scenario, "-o", parts[-1], "--shard", f"{i}/3"] + SMALL + LOGS)
        if "wrote part" not in p.stdout:
            sys.exit(f"FAIL: a shard run does not say it wrote a part:\n{p.stdout}")
    random.Random(1).shuffle(parts)
    merged = os.path.join(tmp, "merged.h5")
    p = run(args, ["merge"] + parts + ["-o", merged])
    if "95%" not in p.stdout or merged not in p.stdout:
        sys.exit(f"FAIL: merge does not print the summary and where it wrote:\n{p.stdout}")
    assert_same(whole, merged)
    other = os.path.join(tmp, "other_seed.h5")
    run(args, ["run", args.scenario, "-o", other, "--shard", "2/3", "--seed", "9"] + SMALL + LOGS)
    p = run(args, ["merge", parts[0], other, "-o", os.path.join(tmp, "bad.h5")], expect=65)
    if "different seeds" not in p.stderr:
        sys.exit(f"FAIL: merging parts of different seeds: unclear message: {p.stderr}")
    print("ok: parts of different seeds are refused:", p.stderr.strip())


def case_mpi(args, tmp):
    serial, ranks = os.path.join(tmp, "serial.h5"), os.path.join(tmp, "np2.h5")
    run(args, ["run", args.scenario, "-o", serial] + SMALL + LOGS)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    cmd = [args.mpiexec, "--oversubscribe", "-np", "2", args.servesim, "run", args.scenario, "-o", ranks] + SMALL + LOGS
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    assert_same(serial, ranks)


def case_readback(args, tmp):
    import pandas as pd
    import xarray as xr
    path = os.path.join(tmp, "readback.h5")
    p = run(args, ["run", args.scenario, "-o", path] + SMALL + LOGS)
    for want in ("95%", "out tok/s", "TTFT p99", "TPOT p99", "utilisation", "TCO $/1M out", "saturated", "SLO met", path):
        if want not in p.stdout:
            sys.exit(f"FAIL: the summary lacks {want!r}:\n{p.stdout}")
    with h5py.File(path, "r") as f:
        for a in ("title", "program", "program_version", "git_commit", "created_utc", "master_seed",
                  "schema_version", "command_line", "file_kind", "scenario_name", "compiler", "build_flags",
                  "gsl_version", "hdf5_version", "libyaml_version", "random123_version", "openmp_version",
                  "hwdb_dir", "hwdb_sha256", "hwdb_matches_build", "dirty", "input_scenario_path",
                  "input_scenario_sha256", "notes", "shard_index", "shard_count", "task_lo", "task_hi"):
            if a not in f.attrs:
                sys.exit(f"FAIL: root attribute {a} missing")
        if f.attrs["master_seed"].dtype != np.uint64:
            sys.exit(f"FAIL: master_seed is {f.attrs['master_seed'].dtype}, not uint64")
        text = lambda a: f.attrs[a].decode() if isinstance(f.attrs[a], bytes) else str(f.attrs[a])
        if int(f.attrs["schema_version"]) != 3 or text("file_kind") != "study" or text("program") != "servesim":
            sys.exit(f"FAIL: schema_version {f.attrs['schema_version']}, file_kind {text('file_kind')!r}, "
                     f"program {text('program')!r}; want 3, 'study', 'servesim'")
        with open(args.scenario, "rb") as sc:
            want = hashlib.sha256(sc.read()).hexdigest()
        if text("input_scenario_sha256") != want:
            sys.exit(f"FAIL: input_scenario_sha256 {text('input_scenario_sha256')} is not the sha256 of "
                     f"{args.scenario} ({want})")
        if len(text("hwdb_sha256")) != 64:
            sys.exit(f"FAIL: hwdb_sha256 {text('hwdb_sha256')!r} is not a SHA-256")
        if not isinstance(f["config_yaml"][()].decode("utf-8"), str) or "seed:" not in f["config_yaml"][()].decode():
            sys.exit("FAIL: /config_yaml is not the scenario text")
        missing = []
        f.visititems(lambda n, o: missing.append(n) if isinstance(o, h5py.Dataset) and
                     ("units" not in o.attrs or "long_name" not in o.attrs) else None)
        if missing:
            sys.exit(f"FAIL: datasets without units/long_name: {missing}")
        bad_units = []
        f.visititems(lambda n, o: bad_units.append(n) if isinstance(o, h5py.Dataset) and
                     o.attrs["units"] in ("seconds", "second", "sec") else None)
        if bad_units:
            sys.exit(f"FAIL: units spelled out (xarray decodes them as timedeltas): {bad_units}")
        if f["output_tok_s"].compression != "gzip" or not f["output_tok_s"].shuffle:
            sys.exit("FAIL: metrics are not shuffled + deflated")
    ds = xr.open_dataset(path, engine="h5netcdf")
    for dim in ("point", "replicate", "stat", "quantile"):
        if dim not in ds.dims:
            sys.exit(f"FAIL: xarray sees no dimension {dim}: {dict(ds.dims)}")
    if ds["ttft_p99_s"].dims != ("point", "replicate"):
        sys.exit(f"FAIL: ttft_p99_s has dims {ds['ttft_p99_s'].dims}")
    # every compare_api entry (default.yaml names two) is an /api coordinate of the per-API rows
    if ds.sizes.get("api", 0) < 2 or ds["api_usd_per_1m_output"].dims != ("point", "replicate", "api"):
        sys.exit(f"FAIL: the API rows read as {ds['api_usd_per_1m_output'].dims} over {ds['api'].values}")
    for name, var in ds.variables.items():
        if var.dtype.kind == "m":
            sys.exit(f"FAIL: xarray decoded {name} as a timedelta")
        if name in ("ttft_p99_s", "output_tok_s", "usd_per_1m_output") and var.dtype.kind != "f":
            sys.exit(f"FAIL: {name} is {var.dtype}, not a float")
    df = ds[["output_tok_s", "ttft_p99_s"]].to_dataframe()
    if not isinstance(df, pd.DataFrame) or list(df.index.names) != ["point", "replicate"] or \
            len(df) != ds.sizes["point"] * ds.sizes["replicate"]:
        sys.exit(f"FAIL: DataFrame via xarray has index {df.index.names} and {len(df)} rows")
    summ = xr.open_dataset(path, engine="h5netcdf", group="summary")
    if summ["output_tok_s"].dims != ("point", "stat") or summ["output_tok_s"].dtype.kind != "f":
        sys.exit(f"FAIL: summary/output_tok_s is {summ['output_tok_s'].dims} {summ['output_tok_s'].dtype}")
    sens = xr.open_dataset(path, engine="h5netcdf", group="sensitivity/ttft_p99_s")
    if sens["estimate"].dims != ("point", "input", "index") or sens.sizes["point"] != ds.sizes["point"]:
        sys.exit(f"FAIL: /sensitivity/ttft_p99_s reads as {sens}")
    design = xr.open_dataset(path, engine="h5netcdf", group="design")
    if design["unit"].dims != ("input", "replicate") or not ((design["unit"] > 0) & (design["unit"] < 1)).all():
        sys.exit(f"FAIL: /design reads as {design}")
    req = xr.open_dataset(path, engine="h5netcdf", group="requests")
    if "request" not in req.dims or req["arrival_s"].dtype.kind != "f" or \
            not np.array_equal(req["request"].values, np.arange(req.sizes["request"])) or \
            np.any(np.diff(req["task"].values) < 0):
        sys.exit(f"FAIL: /requests reads as {req}")
    ts = xr.open_dataset(path, engine="h5netcdf", group="timeseries")
    if "time" not in ts.dims or ts["time"].dtype.kind != "f":
        sys.exit(f"FAIL: /timeseries reads as {ts}")
    print(f"ok: xarray reads {len(ds.data_vars)} variables; DataFrame {df.shape}; summary, requests and "
          "timeseries groups read")


def case_unwritable(args, tmp):
    blocker = os.path.join(tmp, "a_file")
    open(blocker, "w").close()
    targets = [os.path.join(blocker, "out.h5"), os.path.join(tmp, "no", "such", "dir", "out.h5")]
    if os.geteuid() != 0:  # root ignores directory permissions
        ro = os.path.join(tmp, "readonly")
        os.mkdir(ro, 0o555)
        targets.append(os.path.join(ro, "out.h5"))
    for target in targets:
        p = run(args, ["run", args.scenario, "-o", target] + SMALL, expect=73)
        if "cannot create" not in p.stderr or os.path.dirname(target) not in p.stderr:
            sys.exit(f"FAIL: unclear message for {target} (want 'cannot create' and its directory): {p.stderr}")
        if os.path.exists(target):
            sys.exit(f"FAIL: {target} exists after a failed run")
    # a directory where the file should go is refused before anything runs
    p = run(args, ["run", args.scenario, "-o", tmp] + SMALL, expect=73)
    if "is a directory" not in p.stderr:
        sys.exit(f"FAIL: unclear message for a directory as the output: {p.stderr}")
    print("ok: exit 73 with:", p.stderr.strip())


CASES = {"threads": case_threads, "shards": case_shards, "mpi": case_mpi, "readback": case_readback,
         "unwritable": case_unwritable}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servesim", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--mpiexec", default="mpiexec")
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="servesim_e2e_") as d:
        CASES[a.case](a, d)
