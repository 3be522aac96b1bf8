#!/usr/bin/python3
"""Crafted and damaged results files for `servesim report` and `servesim merge`: each must be refused
with a clear message (exit 65 or 66), never a crash, a sanitizer report or a merged file that mixes
studies.

usage: bad_h5.py --servesim BIN --scenario YAML make DIR   write the corpus and DIR/manifest.json
       bad_h5.py --servesim BIN --scenario YAML check DIR  run every case of DIR/manifest.json
       bad_h5.py --servesim BIN --scenario YAML run        both, in a temporary directory

The corpus starts from files servesim writes (a whole study and its three shards, small) and changes
one thing in each copy: a dataset's extent, rank or type, an attribute's class or dataspace, the task
range, or the file's bytes. Every class of issue 18 is here: metric, axis, input and text datasets
longer than the points, log columns longer than the task range, string and scalar attributes stored as
arrays, config_yaml as an array, merge parts with ranges beyond the others, fewer points, a smaller
part first, the same part twice, another scenario; plus extents a few bytes claim (a compression
bomb), truncated files and files from another program.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SMALL = ["--set", "horizon.duration_s=30", "--set", "horizon.warmup_s=5", "--replicates", "2", "-q",
         "--set", "output.requests=true", "--set", "output.timeseries=true", "--set", "output.capacity=false"]
SANITIZER_WORDS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


def servesim(args, cmd):
    return subprocess.run([args.servesim] + cmd, capture_output=True, text=True, errors="replace")


def good_files(args, d):
    """A whole study, its three shards, and a study of another scenario (another seed)."""
    files = {"whole": os.path.join(d, "good.h5"), "other": os.path.join(d, "good_other.h5")}
    base = ["run", args.scenario] + SMALL
    for name, extra in (("whole", []), ("other", ["--seed", "7"])):
        p = servesim(args, base + extra + ["-o", files[name]])
        if p.returncode:
            sys.exit(f"FAIL: making {name}: {p.stderr}")
    for i in (1, 2, 3):
        files[f"part{i}"] = os.path.join(d, f"good_part{i}.h5")
        p = servesim(args, base + ["--shard", f"{i}/3", "-o", files[f"part{i}"]])
        if p.returncode:
            sys.exit(f"FAIL: making part {i}: {p.stderr}")
    return files


# ---- mutations: each takes an open h5py.File (r+) ----

def replace_dataset(f, name, data, dtype=None):
    attrs = {}
    if name in f:
        attrs = {k: v for k, v in f[name].attrs.items() if k in ("units", "long_name")}
        del f[name]
    ds = f.create_dataset(name, data=data, dtype=dtype)
    for k, v in attrs.items():
        ds.attrs[k] = v


def longer(name, n):
    return lambda f: replace_dataset(f, name, np.arange(n, dtype="f8"))


def text_longer(name, n):
    return lambda f: replace_dataset(f, name, np.array([f"s{i}" for i in range(n)], dtype=object),
                                     dtype=h5py.string_dtype())


def attr_array_of_strings(name):
    def m(f):
        del f.attrs[name]
        f.attrs.create(name, np.array(["a" * 40] * 64, dtype=object), dtype=h5py.string_dtype())
    return m


def attr_array_of_u64(name):
    def m(f):
        del f.attrs[name]
        f.attrs.create(name, np.arange(64, dtype="u8"))
    return m


def attr_set(name, value, dtype=None):
    def m(f):
        if name in f.attrs:
            del f.attrs[name]
        f.attrs.create(name, value, dtype=dtype)
    return m


def sparse_huge(name, n):
    """A chunked dataset claiming n values with no chunk written: a few bytes of file."""
    def m(f):
        attrs = {k: v for k, v in f[name].attrs.items() if k in ("units", "long_name")}
        del f[name]
        ds = f.create_dataset(name, shape=(n,), maxshape=(None,), chunks=(1 << 16,), dtype="f8")
        for k, v in attrs.items():
            ds.attrs[k] = v
    return m


def sparse_huge_2d(name, shape):
    def m(f):
        del f[name]
        f.create_dataset(name, shape=shape, maxshape=(None, None), chunks=(256, 256), dtype="f8")
    return m


def retype(name, data, dtype=None):
    return lambda f: replace_dataset(f, name, data, dtype)


def remove(name):
    def m(f):
        del f[name]
    return m


def config_as_array(f):
    replace_dataset(f, "config_yaml", np.array(["name: x"] * 8, dtype=object), dtype=h5py.string_dtype())


def task_range(lo, hi):
    def m(f):
        f.attrs.modify("task_lo", np.uint64(lo))
        f.attrs.modify("task_hi", np.uint64(hi))
    return m


def many(*ms):
    def m(f):
        for x in ms:
            x(f)
    return m


def add_point_axes(n, keylen=10):
    def m(f):
        for i in range(n):
            f.create_dataset("point_" + ("k" * keylen) + str(i), data=np.zeros(f["point"].shape[0]))
    return m


def log_tasks(values):
    def m(f):
        t = f["requests/task"]
        v = t[()].astype("f8")
        v[: len(values)] = values  # stored as floats: NaN and 1e9 are what a foreign writer could put there
        replace_dataset(f, "requests/task", v)
    return m


# (name, source, mutation, fragment the message must hold)
REPORT_CASES = [
    ("metric_more_values", "whole", retype("ttft_p99_s", np.zeros((100, 12))), "/ttft_p99_s: expected 2-D array of"),
    ("metric_1d_1200", "whole", longer("ttft_p99_s", 1200), "/ttft_p99_s: expected 2-D array"),
    ("metric_3d", "whole", retype("output_tok_s", np.zeros((6, 2, 2))), "/output_tok_s: expected 2-D array"),
    ("metric_text", "whole", retype("output_tok_s", np.array(["x"] * 12, dtype=object).reshape(6, 2),
                                    h5py.string_dtype()), "/output_tok_s: expected 2-D array of numbers"),
    ("metric_compound", "whole", retype("req_s", np.zeros((6, 2), dtype=[("a", "f8"), ("b", "i4")])), "/req_s"),
    ("metric_missing", "whole", remove("slo_met"), "/slo_met is missing"),
    ("axis_longer", "whole", longer("point_workload.arrival.rate_per_s", 5000), "point_workload.arrival.rate_per_s"),
    ("input_longer", "whole", retype("input_efficiency.hbm", np.zeros((600, 2))), "input_efficiency.hbm"),
    ("text_axis_5000", "whole", many(remove("point_workload.arrival.rate_per_s"),
                                     text_longer("point_deployment.engine_x", 5000)), "point_deployment.engine_x"),
    ("point_sparse_2_40", "whole", sparse_huge("point", 1 << 40), "/point"),
    ("replicate_sparse_1e6", "whole", sparse_huge("replicate", 1000000), "/replicate"),
    ("metric_sparse_bomb", "whole", sparse_huge_2d("output_tok_s", (1 << 20, 1 << 20)), "/output_tok_s"),
    ("requests_arrival_longer", "whole", longer("requests/arrival_s", 50000), "/requests/arrival_s"),
    ("requests_task_out_of_range", "whole", log_tasks([1e9, -1, float("nan")]), "/requests/task"),
    ("requests_task_sparse", "whole", sparse_huge("requests/task", 1 << 33), "/requests/task"),
    ("timeseries_time_longer", "whole", longer("timeseries/time", 70000), "/timeseries/time"),
    ("requests_not_group", "whole", many(remove("requests"), lambda f: f.create_dataset("requests", data=1.0)),
     "/requests"),
    ("attr_program_array", "whole", attr_array_of_strings("program"), "not a servesim file"),
    ("attr_scenario_name_array", "whole", attr_array_of_strings("scenario_name"),
     "attribute scenario_name: expected scalar variable-length text, found array of 64"),
    ("attr_program_version_array", "whole", attr_array_of_strings("program_version"),
     "attribute program_version: expected scalar variable-length text, found array of 64"),
    ("attr_notes_array", "whole", attr_array_of_strings("notes"), "attribute notes: expected scalar"),
    ("attr_shard_index_array", "whole", attr_array_of_u64("shard_index"),
     "attribute shard_index: expected scalar unsigned integer, found array of 64"),
    ("attr_master_seed_array", "whole", attr_array_of_u64("master_seed"), "attribute master_seed: expected scalar"),
    ("attr_task_lo_array", "whole", attr_array_of_u64("task_lo"), "attribute task_lo: expected scalar"),
    ("attr_master_seed_float", "whole", attr_set("master_seed", 1.5), "attribute master_seed: expected scalar"),
    ("attr_schema_text", "whole", attr_set("schema_version", "2"), "attribute schema_version"),
    ("attr_schema_future", "whole", attr_set("schema_version", np.uint32(99)), "schema version 99"),
    ("attr_task_hi_huge", "whole", task_range(0, (1 << 64) - 1), "task range"),
    ("attr_shard_23", "whole", attr_set("shard_count", np.uint32(23)), "task range"),
    ("attr_notes_1mb", "whole", attr_set("notes", "n" * (1 << 20), h5py.string_dtype()),
     "attribute notes: expected text of at most 5120 bytes, found 1048576"),
    ("attr_kind_fixed_text", "whole", attr_set("file_kind", np.bytes_(b"study")), "attribute file_kind"),
    ("config_yaml_array", "whole", config_as_array, "/config_yaml: expected scalar"),
    ("config_yaml_not_yaml", "whole", retype("config_yaml", "a: [unclosed\n", h5py.string_dtype()), "/config_yaml"),
    ("config_yaml_alias_bomb", "whole", retype("config_yaml", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [" + ",".join(
        ["*a"] * 10) + "]\nc: &c [" + ",".join(["*b"] * 10) + "]\nd: &d [" + ",".join(["*c"] * 10) + "]\ne: &e [" +
        ",".join(["*d"] * 10) + "]\nf: &f [" + ",".join(["*e"] * 10) + "]\ng: [" + ",".join(["*f"] * 20) + "]\n",
        h5py.string_dtype()), "/config_yaml"),
    ("too_many_axes", "whole", add_point_axes(40), "more than 8 sweep axes"),
    ("axis_key_too_long", "whole", add_point_axes(1, 300), "longer than 95 bytes"),
    ("api_many", "whole", text_longer("api", 100), "/api"),
    ("part_given_to_report", "part2", lambda f: None, "part 2/3 of a study; join the parts first"),
]
MERGE_CASES = [
    # (name, [sources, each a file name or (source, mutation)], fragment)
    ("merge_same_part_twice", ["part1", "part1", "part2", "part3"], "both hold task"),
    ("merge_missing_part", ["part1", "part3"], "are in none of the 2 parts"),
    ("merge_other_scenario", ["part1", "part2", ("part3", attr_set("master_seed", np.uint64(7)))],
     "different seeds"),
    ("merge_other_config", ["part1", ("part2", retype("config_yaml", "name: another\n", h5py.string_dtype())),
                            "part3"], "different scenarios"),
    ("merge_other_hwdb", ["part1", ("part2", attr_set("hwdb_sha256", "f" * 64, h5py.string_dtype())), "part3"],
     "different hwdb contents"),
    ("merge_range_beyond", ["part1", ("part2", task_range(20, 40)), "part3"], "task range"),
    ("merge_range_reversed", ["part1", ("part2", task_range(8, 4)), "part3"], "task range"),
    ("merge_fewer_points", ["part1", ("part2", many(*[remove(n) for n in ("point",)])), "part3"], "/point"),
    ("merge_smaller_first", [("part1", task_range(0, 1)), "part2", "part3"], "none of the"),
    ("merge_whole_with_part", ["whole", "part2"], "cannot merge parts of different splits"),
    ("merge_two_studies", ["part1", "part2", ("part3", retype("config_yaml", "x: 1\n", h5py.string_dtype()))],
     "different scenarios"),
]
RAW_CASES = [
    # (name, bytes or a function of the good file's bytes, fragment)
    ("truncated_half", lambda b: b[: len(b) // 2], ""),
    ("truncated_superblock", lambda b: b[:40], "cannot open as HDF5"),
    ("empty", lambda b: b"", "cannot open as HDF5"),
    ("not_hdf5", lambda b: b"id,gpu\n1,h100\n" * 100, "cannot open as HDF5"),
    ("bit_flips", lambda b: bytes(x ^ (0x5A if 2000 <= i < 2400 and i % 7 == 0 else 0) for i, x in enumerate(b)), ""),
]


def make(args, d):
    os.makedirs(d, exist_ok=True)
    good = good_files(args, os.path.join(d))
    manifest = []
    for name, src, mutate, frag in REPORT_CASES:
        path = os.path.join(d, name + ".h5")
        shutil.copy(good[src], path)
        with h5py.File(path, "r+") as f:
            mutate(f)
        manifest.append({"name": name, "cmd": "report", "files": [path], "want": frag})
    with h5py.File(os.path.join(d, "foreign.h5"), "w") as f:  # another program's file
        f.create_dataset("data", data=np.arange(10))
        f.attrs["program"] = "not-servesim"
    manifest.append({"name": "foreign", "cmd": "report", "files": [os.path.join(d, "foreign.h5")],
                     "want": "not a servesim file"})
    raw = open(good["whole"], "rb").read()
    for name, fn, frag in RAW_CASES:
        path = os.path.join(d, name + ".h5")
        with open(path, "wb") as f:
            f.write(fn(raw))
        manifest.append({"name": name, "cmd": "report", "files": [path], "want": frag})
        manifest.append({"name": name + "_merged", "cmd": "merge", "files": [good["part1"], path], "want": frag})
    for name, parts, frag in MERGE_CASES:
        files = []
        for k, part in enumerate(parts):
            if isinstance(part, tuple):
                path = os.path.join(d, f"{name}_{k}.h5")
                shutil.copy(good[part[0]], path)
                with h5py.File(path, "r+") as f:
                    part[1](f)
                files.append(path)
            else:
                files.append(good[part])
        manifest.append({"name": name, "cmd": "merge", "files": files, "want": frag})
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def check(args, d):
    manifest = json.load(open(os.path.join(d, "manifest.json")))
    fails = []
    for case in manifest:
        out = os.path.join(d, "out_" + case["name"] + (".md" if case["cmd"] == "report" else ".h5"))
        p = servesim(args, [case["cmd"]] + case["files"] + ["-o", out])
        why = []
        if p.returncode not in (65, 66):
            why.append(f"exit {p.returncode} (want 65 or 66)")
        if not p.stderr.startswith("servesim: "):
            why.append("no 'servesim: ' message")
        if case["want"] and case["want"] not in p.stderr:
            why.append(f"message lacks '{case['want']}'")
        if any(w in p.stderr for w in SANITIZER_WORDS):
            why.append("sanitizer report")
        if os.path.exists(out):
            why.append(f"{out} was written")
        if why:
            fails.append(f"{case['name']}: {'; '.join(why)}\n  {p.stderr.strip()[:600]}")
    for f in fails:
        print("FAIL", f)
    print(f"bad results files: {len(manifest) - len(fails)} of {len(manifest)} refused cleanly")
    if len(manifest) < 50:
        sys.exit(f"FAIL: only {len(manifest)} cases")
    return not fails


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servesim", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("action", choices=["make", "check", "run"])
    ap.add_argument("dir", nargs="?")
    a = ap.parse_args()
    if a.action == "run":
        with tempfile.TemporaryDirectory(prefix="servesim_bad_h5_") as tmp:
            make(a, tmp)
            sys.exit(0 if check(a, tmp) else 1)
    if not a.dir:
        sys.exit("make and check need DIR")
    if a.action == "make":
        print(f"{len(make(a, a.dir))} cases in {a.dir}")
    else:
        sys.exit(0 if check(a, a.dir) else 1)
