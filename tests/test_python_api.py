#!/usr/bin/python3
"""test_python_api.py: the Python binding (python/servesim) over the C API, in the build tree.

    test_python_api.py   (SERVESIM_LIBRARY = build/libservesim.so.1, PYTHONPATH = python/, SERVESIM_HWDB set)

Specifications checked:
  - run() returns an xarray.Dataset with per-replicate metrics on (point, replicate) and the /summary
    group as summary_<metric> on (point, stat), the summaries the C library holds in memory;
  - a study from YAML text equals, value for value, the same study from a file, and one run on 1 or 3
    threads (bit for bit);
  - a refused override raises ServesimError with the library's status and message, and leaves the
    scenario as it was; unknown metrics and bad scenarios raise, never return numbers.
"""
import math
import os
import sys
import tempfile

import numpy as np
import xarray as xr

import servesim

YAML = """name: py-test
seed: 11
replicates: 3
horizon: {duration_s: 60, warmup_s: 5}
deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b, engine: vllm}
workload: {arrival: {process: poisson, rate_per_s: 2}}
sweep: {workload.arrival.rate_per_s: [1, 3, 40]}
"""


def check(cond, msg):
    if not cond:
        sys.exit(f"FAIL: {msg}")


def test_run_returns_a_dataset_whose_summaries_are_the_libraries():
    db = servesim.Hwdb()
    st = servesim.Scenario(db, yaml=YAML).run(threads=2)
    ds = st.dataset()
    check(isinstance(ds, xr.Dataset), f"run gave {type(ds)}")
    check(ds["output_tok_s"].dims == ("point", "replicate"), ds["output_tok_s"].dims)
    check(ds.sizes["point"] == 3 and ds.sizes["replicate"] == 3, dict(ds.sizes))
    check(ds["summary_ttft_p99_s"].dims[0] == "point" and "stat" in ds["summary_ttft_p99_s"].dims,
          ds["summary_ttft_p99_s"].dims)
    n = 0
    for p in range(3):
        for metric in ("output_tok_s", "ttft_p99_s", "usd_per_1m_output"):
            c = st.summary(p, metric)
            for stat in ("mean", "ci95_lo", "ci95_hi", "p50"):
                h = float(ds[f"summary_{metric}"].sel(point=p, stat=stat))
                check((math.isnan(c[stat]) and math.isnan(h)) or c[stat] == h,
                      f"{metric} point {p} {stat}: C {c[stat]!r}, file {h!r}")
                n += 1
            for r in range(3):
                check(np.array_equal(st.value(p, r, metric), float(ds[metric][p, r]), equal_nan=True),
                      f"{metric}[{p},{r}]")
    check(n >= 36, f"only {n} cases")
    check(list(st.axes()) == ["workload.arrival.rate_per_s"] and st.axes()["workload.arrival.rate_per_s"] == [1, 3, 40],
          st.axes())
    check(ds.attrs["hwdb_sha256"] == db.sha256, "the file records another hwdb")
    check("h100-sxm-80gb" in db.ids("gpus"), db.ids("gpus"))


def test_file_string_and_thread_counts_give_the_same_study():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.yaml")
        with open(path, "w") as f:
            f.write(YAML)
        a = servesim.run(path, threads=1, output=os.path.join(d, "a.h5"))
        b = servesim.run(yaml=YAML, threads=3)
    for m in servesim.metrics():
        check(np.array_equal(a[m].values, b[m].values, equal_nan=True), f"{m} differs between runs")


def test_refusals_raise_with_status_and_leave_the_scenario_unchanged():
    db = servesim.Hwdb()
    sc = servesim.Scenario(db, yaml=YAML, sets=["replicates=2"])
    try:
        sc.set("deployment.tp=8.5")
        check(False, "a fractional tp was accepted")
    except servesim.ServesimError as e:
        check(e.status == 65 and "deployment.tp" in str(e) and "8.5" in str(e), f"{e.status}: {e}")
    check(sc.points == 3, sc.points)
    st = sc.run()
    check(st.replicates == 2, f"{st.replicates} replicates after a refused override")
    for call, status in ((lambda: st.summary(0, "no_such_metric"), 64),
                         (lambda: servesim.Scenario(db, yaml="name: x\nnot_a_key: 1\n"), 65),
                         (lambda: servesim.Scenario(db, path="/nonexistent.yaml"), 66)):
        try:
            call()
            check(False, "no error raised")
        except servesim.ServesimError as e:
            check(e.status == status, f"status {e.status}, want {status}: {e}")


if __name__ == "__main__":
    for name, fn in list(globals().items()):
        if name.startswith("test_"):
            fn()
            print(f"ok: {name}")
