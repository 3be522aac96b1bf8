#!/usr/bin/python3
"""ref_study_tables.py: Markdown tables, tornadoes and cost-vs-load plots from servesim study files, for the reference-study READMEs.

    tools/ref_study_tables.py STUDY.h5 --metrics M1,M2,... [--ci]   one row per sweep point: mean [p05, p95]
        (--ci: mean [95% CI of the mean]) read from /summary (latency metrics leave saturated replicates
        out and show "saturated" where most replicates saturated: the file's /summary/point_saturated)
    tools/ref_study_tables.py STUDY.h5 --tornado METRIC [--point N]
        the file's /sensitivity of METRIC at point N: each uncertain input's indices (PRCC; Sobol
        first-order and total; Morris mu*, mu, sigma) with their bootstrap 95% CIs and the verdict
        the file gives (effect, or no detectable effect where the CI includes zero), largest first.
        A metric the file does not analyse is refused, naming the ones it does.
    tools/ref_study_tables.py STUDY.h5 --load-plot OUT.png --capacity TOK_S [--metric M] [--group KEY]
        [--api NAME=USD,...]
        per-replicate METRIC (default usd_per_1m_output) against the load fraction = output tok/s /
        TOK_S (the capacity at the SLO), log y, one colour per value of the swept KEY, with the
        curve c/load through the median full-load cost and horizontal API lines. Unlike the GPU
        busy fraction (which continuous batching keeps near 1 at any load), this load fraction is
        what the posts call utilisation; it equals servesim's `utilisation` (arrival rate / capacity
        at the SLO, docs/semantics.md) where every request is served, and is named apart from it.
Reads the study read-only, through tools/servesim_read.py; prints to stdout.
"""
import argparse
import sys

import numpy as np

import servesim_read as sr


def fmt(x):
    return "-" if not np.isfinite(x) else f"{x:.4g}"


def table(st, metrics, ci=False):
    lo_hi = ("ci95_lo", "ci95_hi") if ci else ("p05", "p95")
    print("| point | setting | " + " | ".join(metrics) + " |")
    print("|---|---|" + "---|" * len(metrics))
    for i in range(st.n_points):
        cells = []
        for m in metrics:
            mean, p05, p95 = (st.stat(m, k)[i] for k in ("mean",) + lo_hi)
            if np.isfinite(mean):
                cells.append(f"{fmt(mean)} [{fmt(p05)}, {fmt(p95)}]")
            elif st.point_saturated[i] and np.isfinite(st.reps(m)[i]).any():
                cells.append("saturated")  # the file left this metric out at a saturated point
            else:
                cells.append("-")
        print(f"| {i} | {st.point_label(i)} | " + " | ".join(cells) + " |")


def tornado(st, metric, point):
    sens = st.sensitivity
    if sens is None or metric not in sens.outputs:
        have = ", ".join(sens.outputs) if sens else "none (no uncertain inputs)"
        raise sr.ServesimFileError(f"{st.path}: /sensitivity has no {metric}; analysed outputs: {have}")
    cells = {k: [sens.cell(metric, k, point, x) for x in sens.index] for k in sr.SENSITIVITY_FIELDS}
    verdict = sens.cell(metric, "detected", point)
    key = np.abs(sens.cell(metric, "estimate", point))
    order = sorted(range(len(sens.inputs)), key=lambda i: -key[i] if np.isfinite(key[i]) else np.inf)
    print(f"`{metric}` at point {point} ({st.point_label(point)}), {sens.method}, "
          f"n = {sens.n_used[metric][point]:.0f}:\n")
    print("| input | " + " | ".join(f"{x} [95% CI]" for x in sens.index) + " | verdict |")
    print("|---|" + "---|" * (len(sens.index) + 1))
    for i in order:
        row = [f"{fmt(e[i])} [{fmt(lo[i])}, {fmt(hi[i])}]"
               for e, lo, hi in zip(cells["estimate"], cells["ci95_lo"], cells["ci95_hi"])]
        v = {1.0: "effect", 0.0: "no detectable effect"}.get(float(verdict[i]), "no CI")
        print(f"| `{sens.inputs[i]}` | " + " | ".join(row) + f" | {v} |")


def load_plot(st, out, capacity, metric, group, apis):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x = st.reps("output_tok_s") / capacity
    y = st.reps(metric)
    g = st.axis(group).values if group else np.zeros(x.shape[0])
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for v in dict.fromkeys(g.tolist()):
        rows = g == v
        ax.scatter(x[rows].ravel(), y[rows].ravel(), s=10,
                   label=f"{group.split('.')[-1]}={sr.fmt_value(v)}" if group else None)
        full = (x[rows] * y[rows]).ravel()  # cost at full load, per replicate (not in the file)
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
    ax.set_title(f"{st.attrs.get('scenario_name', '')}: cost against load fraction (grey: c / load)", fontsize=9)
    if group:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("h5")
    ap.add_argument("--metrics")
    ap.add_argument("--ci", action="store_true")
    ap.add_argument("--tornado")
    ap.add_argument("--point", type=int, default=0)
    ap.add_argument("--load-plot")
    ap.add_argument("--capacity", type=float)
    ap.add_argument("--metric", default="usd_per_1m_output")
    ap.add_argument("--group")
    ap.add_argument("--api", default="")
    a = ap.parse_args()
    if a.load_plot and not a.capacity:
        print("ref_study_tables.py: --load-plot needs --capacity TOK_S", file=sys.stderr)
        return 64
    try:
        st = sr.read_study(a.h5)
        if not 0 <= a.point < st.n_points:
            print(f"ref_study_tables.py: --point {a.point}: the file has points 0 to {st.n_points - 1}", file=sys.stderr)
            return 64
        if a.metrics:
            table(st, a.metrics.split(","), a.ci)
        if a.tornado:
            tornado(st, a.tornado, a.point)
        if a.load_plot:
            apis = [(s.split("=")[0], float(s.split("=")[1])) for s in a.api.split(",") if s]
            load_plot(st, a.load_plot, a.capacity, a.metric, a.group, apis)
    except sr.ServesimError as e:
        print(f"ref_study_tables.py: {e}", file=sys.stderr)
        return 66
    return 0


if __name__ == "__main__":
    sys.exit(main())
