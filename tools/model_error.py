"""model_error.py: prediction bands from cross-validated residuals (results/validation_cv.json, written by
tools/calibrate.py --cv) and the hwdb/model_error.yaml that servesim reads them from.

A row's error is e = log(measured / predicted), predicted by a fit that never saw the row's source. Per
metric class the band is [q10, q90] of e over rows whose GPU, engine profile and weight format the fit
had seen; each kind of novelty (a GPU, an engine profile or a weight format the fold never saw) widens
the half-width by the factor that makes the band, about the same centre, hold as large a share (80%) of
that kind's rows (at least 1): novel rows can be biased as well as spread. Standard library and numpy only.
Run on its own, it rewrites hwdb/model_error.yaml from results/validation_cv.json.
"""
import datetime
import json
import os
import sys

import numpy as np

import calibration_model as cm

CLASSES = ["throughput", "latency", "tail latency"]
DIMS = [("gpu", "widen_gpu"), ("engine", "widen_engine"), ("weights", "widen_weights")]
MIN_ROWS = 10       # a class with fewer held-out rows borrows the latency rows' percentiles
MIN_NOVEL = 5       # a widening factor needs this many novel rows, else it is 1.5 (stated)
DEFAULT_WIDEN = 1.5
MAX_WIDEN = 5.0


def log_error(r):
    return float(np.log(r["measured"] / r["predicted"]))


def usable(rows):
    return [r for r in rows if not r["skipped"] and r["predicted"] and r["predicted"] > 0]


def widening(novel, centre, half):
    """The factor on the seen rows' half-width (which holds 80% of them) that holds 80% of the novel rows
    about the same centre."""
    return min(MAX_WIDEN, max(1.0, float(np.percentile(np.abs(np.array(novel) - centre), 80)) / half))


def calibrated_sets(cv_rows):
    """The GPUs, engine profiles and weight formats rows calibrated: fitted rows (not cost, not from a
    predicted-only source, not skipped) except those on GPUs that test transfer only (tools/calibration_model.py
    TRANSFER_GPUS): those shaped nothing, so an estimate on their GPU is still an extrapolation."""
    used = [r for r in cv_rows if cm.fits(r) and not r["skipped"] and r["gpu"] not in cm.TRANSFER_GPUS]
    return {k: {r[k] for r in used} for k in ("gpu", "profile", "weights")}


def offset_removed(rows, kind):
    """Errors (%) of the rows of one metric class after dividing out each source group's own median
    log(predicted / measured) in that class: what would be left if every source's set-up offset were known."""
    by = {}
    for r in rows:
        if r["kind"] == kind and not r["skipped"]:
            by.setdefault(r["group"], []).append(np.log1p(r["error_pct"] / 100))
    return [100 * np.expm1(x - np.median(v)) for v in by.values() for x in v]


def band_rows(cv_rows):
    """{class: {q10, q90, rows, widen_*, pooled}} from cross-validated rows."""
    rows = usable(cv_rows)
    out = {}
    for cls in CLASSES:
        mine = [r for r in rows if r["kind"] == cls]
        pooled = len(mine) < MIN_ROWS
        use = mine + [r for r in rows if r["kind"] == "latency"] if pooled else mine
        seen = [log_error(r) for r in use if not any(r["unseen"][d] for d, _ in DIMS)]
        if len(seen) < MIN_ROWS:
            seen = [log_error(r) for r in use]
        entry = {"q10": float(np.percentile(seen, 10)), "q90": float(np.percentile(seen, 90)), "rows": len(use),
                 "pooled": pooled}
        centre, half = 0.5 * (entry["q10"] + entry["q90"]), 0.5 * (entry["q90"] - entry["q10"])
        for dim, key in DIMS:
            novel = [log_error(r) for r in use if r["unseen"][dim]]
            entry[key] = widening(novel, centre, half) if len(novel) >= MIN_NOVEL and half > 0 else DEFAULT_WIDEN
            entry["novel_" + dim] = len(novel)
        out[cls] = entry
    return out


def band_of(entry, row):
    """(lo, hi) multipliers on a prediction for a row (its unseen flags)."""
    w = 1.0
    for dim, key in DIMS:
        if row["unseen"][dim]:
            w *= entry[key]
    centre, half = 0.5 * (entry["q10"] + entry["q90"]), 0.5 * (entry["q90"] - entry["q10"]) * w
    return float(np.exp(centre - half)), float(np.exp(centre + half))


def nested_coverage(cv_rows):
    """For each source group, bands from the other groups' rows, applied to its rows: {group: (inside, n)}
    and the totals by class (a check of the bands on rows that shaped neither fit nor band)."""
    rows = usable(cv_rows)
    by_group, by_class = {}, {c: [0, 0] for c in CLASSES}
    for g in dict.fromkeys(r["group"] for r in rows):
        bands = band_rows([r for r in cv_rows if r["group"] != g])
        for r in rows:
            if r["group"] != g or r["kind"] not in bands:
                continue
            lo, hi = band_of(bands[r["kind"]], r)
            inside = lo <= r["measured"] / r["predicted"] <= hi
            k = by_group.setdefault(g, [0, 0])
            k[0] += inside
            k[1] += 1
            by_class[r["kind"]][0] += inside
            by_class[r["kind"]][1] += 1
    return by_group, by_class


def write_yaml(path, bands, calibrated, when=None):
    """hwdb/model_error.yaml: one entry per class, with what the calibration rows used."""
    when = when or datetime.date.today().isoformat()
    q = lambda xs: "[" + ", ".join(f'"{x}"' for x in sorted(xs)) + "]"
    lines = ["# The step-time model's own error: per metric class, percentiles of log(measured / predicted) over",
             "# public rows predicted by a fit that never saw their source (leave-one-source-out cross-validation),",
             "# and how much wider it is where a configuration is extrapolation. Written by tools/calibrate.py --cv;",
             "# do not edit by hand. servesim estimate prints the band, validate reports its coverage, and",
             "# model_error: cross_validated samples it in run and plan (docs/perf.md, \"Prediction bands\").",
             "model_error:"]
    for cls in CLASSES:
        b = bands[cls]
        note = ("fewer than %d held-out rows of this class: the percentiles pool the latency rows. " % MIN_ROWS
                if b["pooled"] else "")
        note += "widening factors from %d, %d and %d held-out rows on an unseen GPU, engine profile and weight " \
                "format (%.1f where fewer than %d)" % (b["novel_gpu"], b["novel_engine"], b["novel_weights"],
                                                         DEFAULT_WIDEN, MIN_NOVEL)
        lines += [f"  - id: {cls.replace(' ', '_')}",
                  f"    kind: {cls}",
                  f"    q10: {b['q10']:.4f}",
                  f"    q90: {b['q90']:.4f}",
                  f"    rows: {b['rows']}",
                  f"    widen_gpu: {b['widen_gpu']:.3f}",
                  f"    widen_engine: {b['widen_engine']:.3f}",
                  f"    widen_weights: {b['widen_weights']:.3f}",
                  f"    gpus: {q(calibrated['gpu'])}",
                  f"    engines: {q(calibrated['profile'])}",
                  f"    weights: {q(calibrated['weights'])}",
                  '    source: "tools/calibrate.py --cv over tests/validation/calibration.csv and extra.csv '
                  '(results/validation_cv.json, results/validation.md)"',
                  f'    date: "{when}"',
                  f'    note: "{note}"']
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    with open(cm.CV_JSON) as f:
        cv = json.load(f)["rows"]
    write_yaml(os.path.join(cm.ROOT, "hwdb", "model_error.yaml"), band_rows(cv), calibrated_sets(cv))
    print("wrote hwdb/model_error.yaml", file=sys.stderr)
