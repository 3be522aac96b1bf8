#!/usr/bin/python3
"""calibrate.py: fits servesim's step-time parameters (tools/calibration_model.py: efficiencies,
overheads and latencies of the engine profiles, the efficiency scales of other vendors' GPUs, the GGUF
kernel efficiency) to every row of tests/validation/calibration.csv and extra.csv at once, and
cross-validates the fit by leaving each source group out.

The model is the built binary: every evaluation writes candidate values into a scratch copy of hwdb/
and runs `servesim validate --json`, so the fit uses exactly the code that ships (the event simulator
for offline, closed and Poisson rows). One robust (soft-L1) least-squares problem of
log(predicted / measured) over a 10% noise scale, each row weighted by trust and metric class (tail
latency half, cost rows not at all), plus the priors of calibration_model.PARAMS: a parameter that no row constrains stays at
its prior, a child profile at its parent's value.

  tools/calibrate.py                 fit on every row, print the parameters and errors
  tools/calibrate.py --write         ... and write the values into hwdb/
  tools/calibrate.py --holdout G,..  fit without these groups (or row ids, or gpus), report them
  tools/calibrate.py --cv            leave-one-source-out: for each group, fit without it from the priors
                                     and predict it; writes results/validation_cv.json (every row's held-out
                                     prediction and whether its GPU, engine or format was unseen in its fold)
                                     and hwdb/model_error.yaml (the prediction bands, tools/model_error.py)

usage: tools/calibrate.py [--servesim BIN | --build DIR] [--write] [--holdout LIST] [--cv] [--workers N]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
from scipy.optimize import least_squares

import calibration_model as cm
import model_error as me
import servesim_read as sr

# A row's residual is its log error over NOISE, the scatter one row shows beyond what any parameter
# explains (about 10%: run-to-run and setup differences between sources), so that a parameter's prior width
# and the rows weigh against each other as in a Bayesian fit; the robust loss flattens beyond 1.5 NOISE.
NOISE = 0.1
STEP = 0.2  # finite-difference step in prior widths: wide enough to average over the simulator's discreteness
CV_OUT = cm.CV_JSON


class Stage:
    """One stage's least-squares fit: its free slots over its rows, every other value fixed. The solver
    works on z = theta / sigma (the deviation in prior widths), so every variable is of order 1 and
    its prior residual is z itself."""

    def __init__(self, ev, slots, rows, theta):
        self.ev, self.slots, self.rows, self.theta = ev, slots, rows, dict(theta)
        self.sigma = np.array([cm.prior_sigma(*slot) for slot in slots])
        self.cache_x, self.cache_r, self.nfev = None, None, 0

    def _theta(self, z):
        t = dict(self.theta)
        t.update(zip(self.slots, z * self.sigma))
        return t

    def _residuals(self, pred, z):
        return np.concatenate([[cm.residual(pred[i]) / NOISE for i in self.rows], z])

    def fun(self, x):
        if self.cache_x is None or not np.array_equal(x, self.cache_x):
            self.cache_r = self._residuals(self.ev.predict(cm.values(self._theta(x)), self.rows), x)
            self.cache_x = x.copy()
            self.nfev += 1
        return self.cache_r

    def jac(self, x):
        base = self.fun(x)
        steps, jobs, here = [STEP] * len(self.slots), [], cm.values(self._theta(x))
        for j in range(len(steps)):
            xp = x.copy()
            xp[j] += steps[j]
            vals = cm.values(self._theta(xp))
            if vals == here:  # at an upper bound the forward step changes nothing: step back instead
                steps[j] = -STEP
                xp[j] = x[j] - STEP
                vals = cm.values(self._theta(xp))
            jobs.append((vals, self.rows))
        J = np.zeros((len(base), len(x)))
        for j, pred in enumerate(self.ev.predict_many(jobs)):
            xp = x.copy()
            xp[j] += steps[j]
            J[:, j] = (self._residuals(pred, xp) - base) / steps[j]
        self.nfev += len(jobs)
        return J

    def run(self, max_nfev=25):
        if not self.rows:
            return self.theta
        z0 = np.array([self.theta.get(slot, 0.0) for slot in self.slots]) / self.sigma
        res = least_squares(self.fun, z0, jac=self.jac, loss="soft_l1", f_scale=1.5, max_nfev=max_nfev)
        return self._theta(res.x)


def fit_stages(ev, base, train, label, reuse=None):
    """Fits the stages in order on the training rows; reuse: (theta, held-out group) of a fit on more
    rows, whose stages are kept while neither they nor an earlier stage lose rows."""
    theta, changed, t0, n = {}, False, time.time(), 0
    for stage in cm.STAGES:
        rows = cm.stage_rows(stage, base, train)
        if reuse and not changed and len(rows) == len(cm.stage_rows(stage, base, reuse[1])):
            theta.update({slot: reuse[0][slot] for slot in stage[2] if slot in reuse[0]})
            continue
        changed = True
        st = Stage(ev, stage[2], rows, theta)
        theta = st.run()
        n += st.nfev
    print(f"{label}: {len(train)} training rows, {n} evaluations, {time.time() - t0:.0f} s", file=sys.stderr)
    measured = {base[i]["profile"] for i in train if cm.shapes_profiles(base[i]["gpu"])}
    return cm.borrow_within_family(theta, measured)


def abs_errors(pred, ids):
    return sorted(abs(pred[i]["error_pct"]) for i in ids if not pred[i]["skipped"])


def summary(label, pred, ids):
    e = abs_errors(pred, ids)
    if e:
        print(f"{label}: {len(e)} rows, median |error| {np.median(e):.1f}%, p90 {np.percentile(e, 90):.1f}%")


def all_ids(ev):
    return [r["id"] for r in ev.cases]


def first_pass(ev):
    """Predictions at the priors: which rows exist, their groups, profiles, kinds."""
    return ev.predict(cm.values({}), all_ids(ev))


def cross_validate(ev, base, groups, full):
    """Leave each group out, refit from the priors every stage that held its rows (and the stages after
    it), predict the group: one record per row. full: (theta, training ids) of the fit on every row."""
    out = []
    for g in groups:
        test = [i for i in base if base[i]["group"] == g]
        train = [i for i in full[1] if base[i]["group"] != g]
        x = fit_stages(ev, base, train, f"fold {g}", reuse=full)
        pred = ev.predict(cm.values(x), test)
        seen = {k: {base[i][k] for i in train} for k in ("gpu", "profile", "weights", "model")}
        fams = {base[i]["profile"].split("@")[0] for i in train}
        for i in test:
            r = pred[i]
            out.append({"id": i, "group": g, "kind": r["kind"], "metric": r["metric"], "gpu": r["gpu"],
                        "model": r["model"], "profile": r["profile"], "weights": r["weights"], "measured": r["measured"],
                        "skipped": r["skipped"], "reason": r.get("reason", ""),
                        "predicted": r.get("predicted"), "error_pct": r.get("error_pct"),
                        "unseen": {"gpu": r["gpu"] not in seen["gpu"], "engine": r["profile"] not in seen["profile"],
                                   "family": r["profile"].split("@")[0] not in fams,
                                   "weights": r["weights"] not in seen["weights"],
                                   "model": r["model"] not in seen["model"]}})
        summary(f"held out {g}", pred, test)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servesim", default=None, help="servesim binary (default: $SERVESIM, else build/servesim)")
    ap.add_argument("--build", default=None, help="build directory holding the servesim binary")
    ap.add_argument("--write", action="store_true", help="write the fitted values into hwdb/")
    ap.add_argument("--holdout", default="", help="comma-separated groups, row ids or gpu ids left out of the fit")
    ap.add_argument("--cv", action="store_true", help="leave-one-source-out cross-validation (results/validation_cv.json)")
    ap.add_argument("--groups", default="", help="--cv: only these groups (comma-separated)")
    ap.add_argument("--workers", type=int, default=2, help="evaluations run at once")
    a = ap.parse_args()
    if a.holdout and a.write:
        raise SystemExit("--holdout fits on part of the rows; it cannot --write")
    try:
        binary = a.servesim or (os.path.join(a.build, "servesim") if a.build else sr.find_servesim())
    except sr.ServesimError as e:
        raise SystemExit(f"calibrate.py: {e}")
    ev = cm.Evaluator(binary, cm.load_cases(), a.workers)
    try:
        base = first_pass(ev)
        fitted = [i for i in base if cm.fits(base[i])]
        if a.cv:
            groups = [g for g in dict.fromkeys(base[i]["group"] for i in base)
                      if not a.groups or g in a.groups.split(",")]
            full = (fit_stages(ev, base, fitted, "all rows"), fitted)
            if a.write:
                cm.write_values(os.path.join(cm.ROOT, "hwdb"), cm.values(full[0]), "fitted by tools/calibrate.py")
                print("hwdb/ updated")
            rows = cross_validate(ev, base, groups, full)
            with open(CV_OUT, "w") as f:
                json.dump({"rows": rows}, f, indent=0)
            print(f"wrote {CV_OUT}")
            if not a.groups:  # bands from every source's held-out rows
                me.write_yaml(os.path.join(cm.ROOT, "hwdb", "model_error.yaml"), me.band_rows(rows), me.calibrated_sets(rows))
                print("wrote hwdb/model_error.yaml")
            return 0
        hold = set(x for x in a.holdout.split(",") if x)
        train = [i for i in fitted if not hold & {i, base[i]["group"], base[i]["gpu"]}]
        x = fit_stages(ev, base, train, "fit")
        pred = ev.predict(cm.values(x), all_ids(ev))
        summary("in-sample", pred, train)
        if hold:
            summary("held out", pred, [i for i in base if i not in train])
        for (kind, ident, key), v in sorted(cm.values(x).items()):
            print(f"  {ident:18s} {key:26s} {v:.6g}")
        if a.write:
            cm.write_values(os.path.join(cm.ROOT, "hwdb"), cm.values(x), "fitted by tools/calibrate.py")
            print("hwdb/ updated")
    finally:
        ev.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
