#!/usr/bin/python3
"""Side-by-side tables for the reference studies (results/ref-*/README.md) from a servesim study file.

Prints Markdown: per sweep point the simulated throughput, load, tail latency and cost distribution;
then, per group of non-rate sweep values (a price tier, a provider), the capacity (the saturated
throughput ceiling), the highest swept rate that met the SLO, and for each API row the break-even
utilisation and monthly volume, with the API priced on output only (as the posts do) and on the
simulated request mix (input tokens priced too). Every number comes from the file and from
`servesim list --json api_prices`; nothing is typed in. Means, Student-t 95% CIs, p05/p95, the
saturated count, the SLO-met fraction and the saturation verdict are read from /summary (through
tools/servesim_read.py), never recomputed; only quantities the file does not hold (the cost at
capacity per replicate, the input/output token ratio of the mix) are computed here.

usage: tools/ref_tables.py STUDY.h5 [--api ID ...] [--hwdb DIR] [--servesim BIN] [--month-h 730]
"""
import argparse
import os
import sys

import numpy as np

import servesim_read as sr

RATE = "workload.arrival.rate_per_s"


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("h5")
    ap.add_argument("--api", nargs="*", default=[])
    ap.add_argument("--hwdb", default=None, help="hwdb directory (default: servesim's own)")
    ap.add_argument("--servesim", default=None, help="servesim binary (default: $SERVESIM, else build/servesim)")
    ap.add_argument("--month-h", type=float, default=730.0)
    a = ap.parse_args()
    try:
        st = sr.read_study(a.h5)
        st.stat("output_tok_s", "mean")  # a whole study: parts have no /summary
        apis = {r["id"]: r for r in sr.hwdb("api_prices", a.servesim, a.hwdb)["entries"]} if a.api else {}
        rate = st.axis(RATE).values
    except sr.ServesimError as e:
        print(f"ref_tables.py: {e}", file=sys.stderr)
        return 66
    unknown = [x for x in a.api if x not in apis]
    if unknown:
        print(f"ref_tables.py: --api {' '.join(unknown)}: not an api_prices id of the hwdb", file=sys.stderr)
        return 64
    others = [ax for ax in st.axes if ax.key != RATE]
    label = lambda p: ", ".join(f"{ax.short}={sr.fmt_value(ax.values[p]) if ax.is_text else ax.values[p]}"
                                for ax in others)
    mean = lambda m: st.stat(m, "mean")
    out, tot, hourly = st.reps("output_tok_s"), st.reps("total_tok_s"), st.reps("usd_per_hour")
    out_lo, out_hi = st.stat("output_tok_s", "ci95_lo"), st.stat("output_tok_s", "ci95_hi")
    sat_n, slo_frac, sat_point = st.saturated_count, st.slo_met_frac, st.point_saturated
    npt, nrep = st.n_points, st.n_replicates
    print(f"Study `{os.path.basename(a.h5)}`: {npt} points x {nrep} replicates; mean [95% CI half-width, Student t]; "
          "latency over non-saturated replicates (none where most saturated); $/1M output bills idle time, p05-p95 across replicates.\n")
    print("| req/s | setting | output tok/s | GPU busy | P50 TTFT s | P99 TTFT s | P99 TPOT s | $/1M out mean | p05-p95 | saturated | SLO met |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for p in range(npt):
        h = (out_hi[p] - out_lo[p]) / 2  # the file's Student-t interval, symmetric about the mean
        # /summary leaves saturated replicates out of latency and is NaN where the point saturated
        cells = ["saturated" if sat_point[p] else fmt(mean(k)[p]) for k in ("ttft_p50_s", "ttft_p99_s", "tpot_p99_s")]
        print(f"| {fmt(rate[p])} | {label(p) or '-'} | {fmt(mean('output_tok_s')[p], 4)} ±{fmt(h, 2)} | "
              f"{fmt(mean('gpu_busy_frac')[p], 2)} | " + " | ".join(cells)
              + f" | {fmt(mean('usd_per_1m_output')[p])} | {fmt(st.stat('usd_per_1m_output', 'p05')[p])}-"
              f"{fmt(st.stat('usd_per_1m_output', 'p95')[p])} | {int(sat_n[p])}/{nrep} | {slo_frac[p] * 100:.0f}% |")
    groups = {}
    for p in range(npt):
        groups.setdefault(label(p), []).append(p)
    for lab, pts in groups.items():
        pts = sorted(pts, key=lambda p: rate[p])
        top = pts[-1]
        cap = mean("output_tok_s")[top]
        usd_h = mean("usd_per_hour")[top]
        full = hourly[top] / (out[top] * 3600) * 1e6  # per replicate: price and capacity both vary (not in the file)
        ok_pts = [p for p in pts if slo_frac[p] >= 0.95]
        best = ok_pts[-1] if ok_pts else None
        ratio = np.nanmean((tot[top] - out[top]) / out[top])
        print(f"\n**{lab or 'all points'}**: ${fmt(usd_h, 4)}/h (mean); capacity (output tok/s at the highest swept rate, "
              f"{int(sat_n[top])}/{nrep} saturated) {fmt(cap, 4)} (p05-p95 {fmt(st.stat('output_tok_s', 'p05')[top], 4)}-"
              f"{fmt(st.stat('output_tok_s', 'p95')[top], 4)}); $/1M output at capacity {fmt(np.nanmean(full))} "
              f"(p05-p95 {fmt(np.nanpercentile(full, 5))}-{fmt(np.nanpercentile(full, 95))}); "
              f"capacity per {a.month_h:.0f}-h month {fmt(cap * 3600 * a.month_h)} output tokens; "
              + (f"highest swept rate meeting the SLO in >= 95% of replicates: {fmt(rate[best])} req/s, "
                 f"{fmt(mean('output_tok_s')[best], 4)} output tok/s ({mean('output_tok_s')[best] / cap * 100:.0f}% of capacity), "
                 f"$/1M output there {fmt(mean('usd_per_1m_output')[best])}"
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
