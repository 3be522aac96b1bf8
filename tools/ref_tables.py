#!/usr/bin/python3
"""Side-by-side tables for the reference studies (results/ref-*/README.md) from a servesim study file.

Prints Markdown: per sweep point the simulated throughput, load, tail latency and cost distribution;
then, per group of non-rate sweep values (a price tier, a provider), the capacity (the saturated
throughput ceiling), the highest swept rate that met the SLO, and for each API row the break-even
utilisation and monthly volume, with the API priced on output only (as the posts do) and on the
simulated request mix (input tokens priced too). Every number is computed from the file and
hwdb/prices/api.yaml; nothing is typed in.

usage: tools/ref_tables.py STUDY.h5 [--api ID ...] [--hwdb DIR] [--month-h 730]
"""
import argparse
import os
import sys

import h5py
import numpy as np
import yaml

RATE = "point_workload.arrival.rate_per_s"


def fmt(x, d=3):
    if x is None or not np.isfinite(x):
        return "-"
    if abs(x) >= 1e9:
        return f"{x / 1e9:.3g}B"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.3g}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.3g}K"
    return f"{x:.{d}g}"


def ci(v):
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return (v.mean() if len(v) else np.nan), np.nan
    return v.mean(), 1.96 * v.std(ddof=1) / np.sqrt(len(v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("h5")
    ap.add_argument("--api", nargs="*", default=[])
    ap.add_argument("--hwdb", default=os.path.join(os.path.dirname(__file__), "..", "hwdb"))
    ap.add_argument("--month-h", type=float, default=730.0)
    a = ap.parse_args()
    apis = {r["id"]: r for r in yaml.safe_load(open(os.path.join(a.hwdb, "prices", "api.yaml")))["api_prices"]}
    f = h5py.File(a.h5, "r")
    g = lambda k: f[k][()]
    rate = g(RATE)
    others = [k for k in f.keys() if k.startswith("point_") and k != RATE]
    label = lambda p: ", ".join(f"{k[len('point_'):].split('.')[-1]}={v[p].decode() if isinstance(v[p], bytes) else v[p]}"
                                for k, v in ((k, g(k)) for k in others))
    out, tot, busy, usd = g("output_tok_s"), g("total_tok_s"), g("gpu_busy_frac"), g("usd_per_1m_output")
    sat, slo, hourly = g("saturated"), g("slo_met"), g("usd_per_hour")
    lat = {k: g(k) for k in ("ttft_p50_s", "ttft_p99_s", "tpot_p99_s")}
    npt, nrep = out.shape
    print(f"Study `{os.path.basename(a.h5)}`: {npt} points x {nrep} replicates; mean [95% CI half-width]; "
          "latency over non-saturated replicates (none where most saturated); $/1M output bills idle time, p05-p95 across replicates.\n")
    print("| req/s | setting | output tok/s | GPU busy | P50 TTFT s | P99 TTFT s | P99 TPOT s | $/1M out mean | p05-p95 | saturated | SLO met |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for p in range(npt):
        m, h = ci(out[p])
        # as study_summarise: latency over non-saturated replicates, none where most saturated
        ok = (sat[p] == 0) & (2 * sat[p].sum() <= nrep)
        cells = []
        for k in ("ttft_p50_s", "ttft_p99_s", "tpot_p99_s"):
            v = lat[k][p][ok]
            cells.append(fmt(np.nanmean(v)) if len(v) else "saturated")
        u = usd[p]
        print(f"| {fmt(rate[p])} | {label(p) or '-'} | {fmt(m, 4)} ±{fmt(h, 2)} | {fmt(np.nanmean(busy[p]), 2)} | "
              + " | ".join(cells)
              + f" | {fmt(np.nanmean(u))} | {fmt(np.nanpercentile(u, 5))}-{fmt(np.nanpercentile(u, 95))} | "
              f"{int(sat[p].sum())}/{nrep} | {np.nanmean(slo[p]) * 100:.0f}% |")
    groups = {}
    for p in range(npt):
        groups.setdefault(label(p), []).append(p)
    for lab, pts in groups.items():
        pts = sorted(pts, key=lambda p: rate[p])
        top = pts[-1]
        cap = np.nanmean(out[top])
        cap_rep = out[top]
        usd_h = np.nanmean(hourly[top])
        full = hourly[top] / (cap_rep * 3600) * 1e6  # per replicate: price and capacity both vary
        ok_pts = [p for p in pts if np.nanmean(slo[p]) >= 0.95]
        best = ok_pts[-1] if ok_pts else None
        ratio = np.nanmean((tot[top] - out[top]) / out[top])
        print(f"\n**{lab or 'all points'}**: ${fmt(usd_h, 4)}/h (mean); capacity (output tok/s at the highest swept rate, "
              f"{int(sat[top].sum())}/{nrep} saturated) {fmt(cap, 4)} (p05-p95 {fmt(np.nanpercentile(cap_rep, 5), 4)}-"
              f"{fmt(np.nanpercentile(cap_rep, 95), 4)}); $/1M output at capacity {fmt(np.nanmean(full))} "
              f"(p05-p95 {fmt(np.nanpercentile(full, 5))}-{fmt(np.nanpercentile(full, 95))}); "
              f"capacity per {a.month_h:.0f}-h month {fmt(cap * 3600 * a.month_h)} output tokens; "
              + (f"highest swept rate meeting the SLO in >= 95% of replicates: {fmt(rate[best])} req/s, "
                 f"{fmt(np.nanmean(out[best]), 4)} output tok/s ({np.nanmean(out[best]) / cap * 100:.0f}% of capacity), "
                 f"$/1M output there {fmt(np.nanmean(usd[best]))}"
                 if best is not None else "no swept rate met the SLO in >= 95% of replicates")
              + f"; mean input tokens per output token of the mix {fmt(ratio)}.\n")
        if not a.api:
            continue
        print("| API | $/1M out (list) | $/1M out of the mix (input priced) | break-even utilisation, output-only | "
              "break-even utilisation, mix | break-even volume/month, output-only | break-even volume/month, mix |")
        print("|---|---|---|---|---|---|---|")
        month_usd = usd_h * a.month_h
        for aid in a.api:
            r = apis[aid]
            po = r["usd_per_1m_output"]
            pm = po + ratio * r["usd_per_1m_input"]
            be = lambda price: np.nanmean(full) / price
            bes = lambda x: f"{x * 100:.2g}%" if x <= 1 else f"never ({x:.2g}x at 100%)"
            vol = lambda price: month_usd / (price / 1e6)
            capm = cap * 3600 * a.month_h
            vs = lambda v: fmt(v) + (" (above capacity)" if v > capm else "")
            print(f"| {aid} | {po:g} | {fmt(pm)} | {bes(be(po))} | {bes(be(pm))} | {vs(vol(po))} | {vs(vol(pm))} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
