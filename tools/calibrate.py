#!/usr/bin/python3
"""calibrate.py: refits servesim's step-time parameters (hwdb/engines efficiencies and overheads, the
shared dequantising-kernel efficiency of hwdb/quant) to tests/validation/calibration.csv.

The model is the built binary itself: every evaluation writes the candidate parameters into a
temporary copy of hwdb/ and runs `servesim validate --json`, so the fit uses exactly the code that
ships. Offline, closed-loop and Poisson rows go through the EVENT SIMULATOR (src/valsim.c: the case
becomes a scenario, sim_run predicts it); single rows are closed-form sums of perf_step_time.
`--analytic` fits through the old steady-state approximation instead (for comparison only).

Fits, in order (each a robust least-squares fit of log(predicted / measured), weighted by trust):
  1. trtllm   (43 offline TensorRT-LLM rows): eff_kv, eff_compute_16, eff_compute_8,
              overlap_loss, pcie_efficiency (L40S rows), overhead_step_s; eff_weights stays 0.8 (see docs/perf.md)
  2. vllm     (2 offline + 4 Poisson vLLM rows): overhead_step_s, overhead_request_s, allreduce_latency_s;
              efficiencies copied from trtllm
  3. sglang   (4 Poisson SGLang rows): overhead_step_s, allreduce_latency_s; efficiencies copied from trtllm
  4. tgi      (14 closed-loop TGI rows, TGI's own time_per_token): overhead_step_s,
              allreduce_latency_s (per ring hop: allreduce_ring), pcie_efficiency and
              weight_only_kernel_scale (TGI 1.0.3's GPTQ kernels); efficiencies copied from trtllm
  5. llamacpp (12 batch-1 rows): eff_weights, eff_compute_16, overhead_layer_s, weight_stream_cap_gb_s
              and the kernel_efficiency shared by the GGUF formats q4_0, q4_k_m, q8_0 (one number, not per
              format; awq/gptq keep the Marlin figure from hwdb/quant)

usage: tools/calibrate.py [--servesim BIN | --build DIR] [--engines e1,e2] [--write] [--analytic]
       (--write updates hwdb/ in place; default binary: $SERVESIM, else build/servesim)
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import least_squares

import servesim_read as sr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "tests", "validation", "calibration.csv")
TRUST = {"high": 1.0, "medium-high": 0.8, "medium": 0.6, "medium-low": 0.4}
GGUF = ["q4_0", "q4_k_m", "q8_0"]  # the formats whose kernel_efficiency is fitted (llama.cpp kernels)

# (engine, parameter, start, lower, upper); engine "quant" = kernel_efficiency of WEIGHT_ONLY formats
FITS = {
    "trtllm": [("trtllm", "eff_kv", 0.55, 0.2, 1.0),
               ("trtllm", "eff_compute_16", 0.7, 0.2, 1.0), ("trtllm", "eff_compute_8", 0.55, 0.1, 1.0),
               ("trtllm", "overlap_loss", 0.2, 0, 1),
               ("trtllm", "pcie_efficiency", 0.5, 0.05, 1.0), ("trtllm", "overhead_step_s", 5e-4, 0, 0.02)],
    "vllm": [("vllm", "overhead_step_s", 1.5e-3, 0, 0.02), ("vllm", "overhead_request_s", 1e-5, 0, 1e-3),
             ("vllm", "allreduce_latency_s", 1e-5, 0, 2e-4)],
    "sglang": [("sglang", "overhead_step_s", 5e-4, 0, 0.02), ("sglang", "allreduce_latency_s", 1e-5, 0, 2e-4)],
    "tgi": [("tgi", "overhead_step_s", 3e-3, 0, 0.05), ("tgi", "allreduce_latency_s", 2e-5, 0, 2e-4),
            ("tgi", "pcie_efficiency", 0.5, 0.05, 1.0), ("tgi", "weight_only_kernel_scale", 0.5, 0.05, 1.0)],
    "llamacpp": [("llamacpp", "eff_weights", 0.8, 0.6, 0.95), ("llamacpp", "eff_compute_16", 0.7, 0.2, 1.0),
                 ("llamacpp", "overhead_layer_s", 2e-5, 0, 1e-3), ("quant", "kernel_efficiency", 0.8, 0.3, 1.0),
                 ("llamacpp", "weight_stream_cap_gb_s", 1000, 300, 5000)],
}
SIM_ENGINES = ("trtllm", "vllm", "sglang", "tgi")  # their rows go through the event simulator
COPY_FROM_TRTLLM = ("vllm", "sglang", "tgi")  # engines whose efficiencies are copied from the trtllm fit
COPY_TO_VLLM = ["eff_kv", "eff_compute_16", "eff_compute_8", "overlap_loss"]


def set_key(path, key, value, comment=None, ids=None):
    """Replace the value of a top-level `key:` line (engines), or of the indented one inside each
    list entry whose id is in ids (hwdb/quant/formats.yaml)."""
    tail = f"  # {comment}" if comment else ""
    out, cur, n = [], None, 0
    for line in open(path).read().split("\n"):
        m = re.match(r"  - id: (\S+)", line)
        if m:
            cur = m.group(1)
        m = re.match(r"^(\s*)" + re.escape(key) + r":", line)
        if m and (ids is None or cur in ids):
            value = 0.0 if abs(value) < 1e-9 else value  # fitted to the bound: write 0, not 4e-15
            text = f"{value:.6g}"
            if "e" in text:  # YAML 1.1 readers (PyYAML) take 7e-05 for a string
                text = f"{value:.12f}".rstrip("0")
            line, n = f"{m.group(1)}{key}: {text}{tail}", n + 1
        out.append(line)
    if n == 0:
        raise SystemExit(f"{path}: no '{key}:' line")
    open(path, "w").write("\n".join(out))


def apply(hwdb, params, comment=None):
    for (eng, key), v in params.items():
        if eng == "quant":
            set_key(os.path.join(hwdb, "quant", "formats.yaml"), key, v, comment, GGUF)
        else:
            set_key(os.path.join(hwdb, "engines", eng + ".yaml"), key, v, comment)


ANALYTIC = []  # ["--analytic"] to fit through the steady-state approximation


def predict(binary, hwdb):
    out = subprocess.run([binary, "validate", "--hwdb", hwdb, *ANALYTIC, "--json", CASES],
                         check=True, capture_output=True, text=True).stdout
    return {r["id"]: r for r in json.loads(out)["rows"]}


def fit(binary, hwdb, engine, params):
    spec = FITS[engine]
    rows = [r for r in predict(binary, hwdb).values()]
    ids = [r["id"] for r in rows if not r["skipped"] and r_engine(r["id"]) == engine and not held_out(r["id"])]
    x0 = np.array([s[2] for s in spec])
    lo = np.array([s[3] for s in spec])
    hi = np.array([s[4] for s in spec])
    scale = np.maximum(hi - lo, 1e-9)

    # The solver works on w = 1 + (x - lo) / range in [1, 2]: its finite-difference step is relative
    # to w, so every parameter is probed by a few % of its range. (Relative to x itself, a parameter
    # starting near 0 got steps too small to move the histogram-quantised latency medians at all.)
    def resid(w):
        x = lo + (w - 1) * scale
        cur = dict(params)
        cur.update({(s[0], s[1]): v for s, v in zip(spec, x)})
        apply(hwdb, cur)
        pred = predict(binary, hwdb)
        return np.array([math.sqrt(TRUST.get(CASE[i]["trust"], 0.5)) *
                         math.log(pred[i]["predicted"] / pred[i]["measured"]) if not pred[i]["skipped"] else 1.0
                         for i in ids])

    w0 = 1 + (x0 - lo) / scale
    res = least_squares(resid, w0, bounds=(1, 2), loss="soft_l1", f_scale=0.15, diff_step=0.02, max_nfev=200)
    x = lo + (res.x - 1) * scale
    print(f"{engine}: {res.nfev} evaluations, {res.message}")
    params.update({(s[0], s[1]): v for s, v in zip(spec, x)})
    apply(hwdb, params)
    return ids


HOLDOUT = []  # --holdout: rows whose id or gpu matches one of these are left out of every fit


def held_out(row_id):
    return any(h in (row_id, CASE[row_id]["gpu"]) for h in HOLDOUT)


def r_engine(row_id):
    return CASE[row_id]["engine"]


def load_cases():
    import csv
    with open(CASES) as f:
        return {r["id"]: r for r in csv.DictReader(f)}


CASE = load_cases()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servesim", default=None, help="servesim binary (default: $SERVESIM, else build/servesim)")
    ap.add_argument("--build", default=None, help="build directory holding the servesim binary")
    ap.add_argument("--write", action="store_true", help="write the fitted values into hwdb/")
    ap.add_argument("--analytic", action="store_true",
                    help="fit through the steady-state approximation, not the simulator (comparison only)")
    ap.add_argument("--holdout", default="",
                    help="comma-separated row ids or gpu ids to leave out of the fit; their errors are "
                         "reported as out-of-sample (a check against over-fitting; never with --write)")
    ap.add_argument("--engines", default="trtllm,vllm,sglang,tgi,llamacpp",
                    help="comma-separated engines to fit, in order (vllm, sglang and tgi copy efficiencies "
                         "from trtllm, so they need it first)")
    a = ap.parse_args()
    HOLDOUT.extend(x for x in a.holdout.split(",") if x)
    if HOLDOUT and a.write:
        raise SystemExit("--holdout fits on part of the rows; it cannot --write")
    if a.analytic:
        ANALYTIC.append("--analytic")
    try:
        binary = a.servesim or (os.path.join(a.build, "servesim") if a.build else sr.find_servesim())
    except sr.ServesimError as e:
        raise SystemExit(f"calibrate.py: {e}")
    tmp = tempfile.mkdtemp(prefix="servesim-cal-")
    hwdb = os.path.join(tmp, "hwdb")
    shutil.copytree(os.path.join(ROOT, "hwdb"), hwdb)
    params = {}
    try:
        for engine in a.engines.split(","):
            if engine in COPY_FROM_TRTLLM and ("trtllm", COPY_TO_VLLM[0]) in params:
                params.update({(engine, k): params[("trtllm", k)] for k in COPY_TO_VLLM})
            ids = fit(binary, hwdb, engine, params)
            pred = predict(binary, hwdb)
            err = sorted(abs(pred[i]["error_pct"]) for i in ids if not pred[i]["skipped"])
            print(f"{engine}: {len(ids)} rows, median |error| {np.median(err):.1f}%, "
                  f"p90 {np.percentile(err, 90):.1f}%")
        if HOLDOUT:
            pred = predict(binary, hwdb)
            out = sorted((abs(pred[i]["error_pct"]), i) for i in pred if not pred[i]["skipped"] and held_out(i))
            print(f"held out: {len(out)} rows, median |error| {np.median([e for e, _ in out]):.1f}%, "
                  f"max {out[-1][0]:.1f}% ({out[-1][1]})")
            for e, i in out:
                print(f"  {i} {CASE[i]['gpu']:16s} {pred[i]['error_pct']:+.1f}%")
        for (eng, key), v in sorted(params.items()):
            print(f"  {eng:9s} {key:18s} {v:.6g}")
        if a.write:
            for (eng, key), v in params.items():
                copied = eng in COPY_FROM_TRTLLM and key in COPY_TO_VLLM
                how = "analytic" if a.analytic else "simulator" if eng in SIM_ENGINES else "batch-1 rows"
                apply(os.path.join(ROOT, "hwdb"), {(eng, key): v},
                      f"copied from trtllm fit (tools/calibrate.py, {how})" if copied
                      else f"fitted by tools/calibrate.py ({how})")
            print("hwdb/ updated")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
