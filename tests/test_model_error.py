#!/usr/bin/python3
"""Prediction bands from cross-validated residuals (tools/model_error.py): a kind of novelty widens the
band until it holds 80% of that kind's held-out rows, biased or scattered; rows on GPUs that only test
transfer never make their GPU count as calibrated; a source's own offset divides out of its rows' errors."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import model_error as me  # noqa: E402


def check(cond, msg):
    if not cond:
        raise SystemExit("FAIL: " + msg)


def row(e, gpu="h100-sxm-80gb", novel_gpu=False, kind="throughput"):
    """A held-out row whose log(measured / predicted) is e."""
    return {"kind": kind, "measured": math.exp(e), "predicted": 1.0, "skipped": False, "group": "g", "gpu": gpu,
            "profile": "vllm@0.10", "weights": "bf16", "unseen": {"gpu": novel_gpu, "engine": False, "weights": False}}


def seen_rows(n=200):
    """Seen rows of every class, errors spread evenly over +-10% (tail latency pools the latency rows)."""
    return [row(-0.1 + 0.2 * i / (n - 1), kind=k) for k in ("throughput", "latency") for i in range(n)]


def test_biased_novel_rows_widen_the_band_until_it_holds_them():
    novel = [row(-0.30 - 0.01 * i, gpu="h20-96gb", novel_gpu=True) for i in range(10)]
    entry = me.band_rows(seen_rows() + novel)["throughput"]
    inside = sum(lo <= r["measured"] <= hi for r in novel for lo, hi in [me.band_of(entry, r)])
    check(inside >= 8, f"the widened band holds {inside} of 10 biased novel rows")
    check(entry["widen_gpu"] > 3, f"widen_gpu {entry['widen_gpu']:.2f}: a spread ratio would give about 1")


def test_novel_rows_like_the_seen_ones_do_not_widen_and_few_rows_get_the_stated_default():
    same = [row(-0.05 + 0.01 * i, gpu="h20-96gb", novel_gpu=True) for i in range(10)]
    check(me.band_rows(seen_rows() + same)["throughput"]["widen_gpu"] == 1.0, "no widening for rows inside the band")
    few = [row(-0.5, gpu="h20-96gb", novel_gpu=True) for _ in range(me.MIN_NOVEL - 1)]
    check(me.band_rows(seen_rows() + few)["throughput"]["widen_gpu"] == me.DEFAULT_WIDEN, "too few rows: the default")


def test_rows_on_a_transfer_gpu_leave_it_uncalibrated():
    used = me.calibrated_sets(seen_rows() + [row(0.0, gpu="rtx-3090-24gb")] + [row(0.0, gpu="a10g-24gb", kind="cost")])
    check(used["gpu"] == {"h100-sxm-80gb"}, f"calibrated GPUs {sorted(used['gpu'])}")
    check(used["profile"] == {"vllm@0.10"} and used["weights"] == {"bf16"}, "profiles and formats of fitted rows")


def test_a_sources_own_offset_divides_out_and_spread_within_it_stays():
    rows = [dict(row(0.0), group=g, error_pct=e) for g, errs in (("a", (40, 40, 40)), ("b", (-20, -20, -20)))
            for e in errs]
    check(all(abs(x) < 1e-9 for x in me.offset_removed(rows, "throughput")), "a constant offset per source is removed")
    rows += [dict(row(0.0), group="c", error_pct=e) for e in (-30, 0, 30)]
    left = sorted(round(x, 6) for x in me.offset_removed(rows, "throughput"))
    check(left[0] == -30 and left[-1] == 30 and left.count(0) == 7, f"the spread within a source stays: {left}")
    check(me.offset_removed(rows, "latency") == [], "only the rows of the asked class")


if __name__ == "__main__":
    for name, fn in sorted(globals().items()):
        if name.startswith("test_"):
            fn()
    print("ok")
