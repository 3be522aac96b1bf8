#!/usr/bin/python3
"""ref_study_tables.py: Markdown tables, tornadoes of any metric and cost-vs-load plots from servesim study files, for the reference-study READMEs.

    tools/ref_study_tables.py STUDY.h5 --metrics M1,M2,...    one row per sweep point: mean [p05, p95]
    tools/ref_study_tables.py STUDY.h5 --tornado METRIC [--point N]
        swing of METRIC over each uncertain input (/input_*) at point N, by the method of the
        `sensitivity` module (OLS of the output on the input's rank quantile, read at u = 0.1 and
        0.9; Spearman's rho), for metrics the sensitivity module does not analyse, such as
        usd_per_1m_output_tco. Saturated replicates are left out of latency metrics.
    tools/ref_study_tables.py STUDY.h5 --load-plot OUT.png --capacity TOK_S [--metric M] [--group KEY]
        [--api NAME=USD,...]
        per-replicate METRIC (default usd_per_1m_output) against the load fraction = output tok/s /
        TOK_S (the capacity at the SLO), log y, one colour per value of the swept KEY, with the
        curve c/load through the median full-load cost and horizontal API lines. Unlike the GPU
        busy fraction (which continuous batching keeps near 1 at any load), this is the
        utilisation the posts mean.
Reads the study read-only; prints to stdout.
"""
import argparse
import sys

import h5py
import numpy as np

LATENCY = ("ttft", "tpot", "itl", "e2e", "queue_mean", "queue_p99")


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def point_label(f, i):
    keys = [k for k in f.keys() if k.startswith("point_")]
    return ", ".join(f"{k[6:].split('.')[-1]}={text(f[k][i]) if f[k].dtype.kind in 'OS' else f'{f[k][i]:g}'}"
                     for k in keys)


def usable(f, metric, i):
    v = f[metric][i, :].astype(float)
    if metric.startswith(LATENCY):
        v = np.where(f["saturated"][i, :] > 0, np.nan, v)
    return v


def fmt(x):
    return "-" if not np.isfinite(x) else f"{x:.4g}"


def table(f, metrics):
    print("| point | setting | " + " | ".join(metrics) + " |")
    print("|---|---|" + "---|" * len(metrics))
    for i in range(f["point"].shape[0]):
        cells = []
        for m in metrics:
            v = usable(f, m, i)
            v = v[np.isfinite(v)]
            cells.append("-" if v.size == 0 else
                         f"{fmt(v.mean())} [{fmt(np.percentile(v, 5))}, {fmt(np.percentile(v, 95))}]")
        print(f"| {i} | {point_label(f, i)} | " + " | ".join(cells) + " |")


def ranks(x):
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):  # average ranks for ties
        tie = x == v
        r[tie] = r[tie].mean()
    return r


def tornado(f, metric, point):
    y_all = usable(f, metric, point)
    rows = []
    for k in [k for k in f.keys() if k.startswith("input_")]:
        x = f[k][point, :].astype(float)
        ok = np.isfinite(x) & np.isfinite(y_all)
        x, y = x[ok], y_all[ok]
        if len(x) < 3:
            continue
        u = (ranks(x) - 0.5) / len(x)
        slope, icpt = np.polyfit(u, y, 1)
        lo, hi = icpt + slope * 0.1, icpt + slope * 0.9
        rho = np.corrcoef(ranks(x), ranks(y))[0, 1]
        rows.append((abs(hi - lo), k[6:], np.percentile(x, 10), lo, np.percentile(x, 90), hi, rho, len(x)))
    rows.sort(reverse=True)
    print(f"`{metric}` at point {point} ({point_label(f, point)}), mean {fmt(np.nanmean(y_all))}:\n")
    print("| input | p10 | output at p10 | p90 | output at p90 | swing | Spearman rho | n |")
    print("|---|---|---|---|---|---|---|---|")
    for s, k, x10, lo, x90, hi, rho, n in rows:
        print(f"| `{k}` | {fmt(x10)} | {fmt(lo)} | {fmt(x90)} | {fmt(hi)} | {fmt(s)} | {rho:.2f} | {n} |")


def load_plot(f, out, capacity, metric, group, apis):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x = f["output_tok_s"][()] / capacity
    y = f[metric][()]
    g = f["point_" + group][()] if group else np.zeros(x.shape[0])
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for v in dict.fromkeys(g.tolist()):
        rows = g == v
        lab = text(v) if not isinstance(v, float) else f"{v:g}"
        ax.scatter(x[rows].ravel(), y[rows].ravel(), s=10, label=f"{group.split('.')[-1]}={lab}" if group else None)
        full = (x[rows] * y[rows]).ravel()
        c = np.nanmedian(full[np.isfinite(full)])
        u = np.linspace(0.03, 1.2, 200)
        ax.plot(u, c / u, "--", lw=0.8, color="grey")
    for name, usd in apis:
        ax.axhline(usd, color="red", lw=1)
        ax.text(0.02, usd * 1.05, f"{name} ${usd:g}", color="red", fontsize=7)
    ax.axvline(1.0, color="k", lw=0.6, ls=":")
    ax.set_yscale("log")
    ax.set_xlabel(f"load / capacity at the SLO ({capacity:g} output tok/s)")
    ax.set_ylabel(f"{metric} (USD per 1M output tokens)")
    ax.set_title(f"{text(f.attrs.get('scenario_name', ''))}: cost against utilisation (grey: c / load)", fontsize=9)
    if group:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("h5")
    ap.add_argument("--metrics")
    ap.add_argument("--tornado")
    ap.add_argument("--point", type=int, default=0)
    ap.add_argument("--load-plot")
    ap.add_argument("--capacity", type=float)
    ap.add_argument("--metric", default="usd_per_1m_output")
    ap.add_argument("--group")
    ap.add_argument("--api", default="")
    a = ap.parse_args()
    try:
        f = h5py.File(a.h5, "r")
    except OSError as e:
        print(f"ref_study_tables.py: {a.h5}: {e}", file=sys.stderr)
        return 66
    if a.metrics:
        table(f, a.metrics.split(","))
    if a.tornado:
        tornado(f, a.tornado, a.point)
    if a.load_plot:
        apis = [(s.split("=")[0], float(s.split("=")[1])) for s in a.api.split(",") if s]
        load_plot(f, a.load_plot, a.capacity, a.metric, a.group, apis)
    return 0


if __name__ == "__main__":
    sys.exit(main())
