#!/usr/bin/python3
"""plot.py: draws the figures of a servesim study file (DESIGN section 8) as PNGs, headless.

    tools/plot.py out.h5 -o DIR [--point N] [--x KEY]

Writes into DIR (created if needed), under the names `servesim report` links:
  cost_vs_utilisation.png  $ per 1M output tokens against load (output tok/s over the study's highest
                           mean throughput), with API price lines
  throughput.png           output tok/s against a swept parameter (--x, default the numeric
                           one with the most values), 95% CI band, one line per other setting
  latency_p99.png          P99 TTFT and TPOT against it, 95% CI band, saturated points marked
  tornado.png              /sensitivity swings for $/1M output and P99 TTFT at one point
  cost_hist.png            $ per 1M output tokens across replicates, per point
A plot whose data are absent (no sweep, no /sensitivity, all NaN) is skipped with a message on
stderr; the others are still drawn. Exit status 0 unless the file cannot be read.
The file is opened read-only; nothing depends on the environment but the file.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402

STAT = {"mean": 0, "sd": 1, "ci95_lo": 2, "ci95_hi": 3, "p05": 4, "p50": 5, "p95": 6}


def skip(name, why):
    print(f"plot.py: {name} skipped: {why}", file=sys.stderr)


class Study:
    """The parts of a study file the plots need."""

    def __init__(self, path):
        self.f = h5py.File(path, "r")
        f = self.f
        self.name = f.attrs.get("scenario_name", "study")
        if isinstance(self.name, bytes):
            self.name = self.name.decode()
        text = f["config_yaml"][()]
        self.config = yaml.safe_load(text.decode() if isinstance(text, bytes) else text) or {}
        self.n_points = f["point"].shape[0]
        self.n_reps = f["replicate"].shape[0]
        # swept axes in file (creation) order; stat names from the /stat scale
        self.axes = [k[len("point_"):] for k in f.keys() if k.startswith("point_")]
        names = [s.decode() if isinstance(s, bytes) else s for s in f["stat"][()]] if "stat" in f else list(STAT)
        self.stat = {n: i for i, n in enumerate(names)}
        self.saturated = self.reps("saturated")

    def reps(self, metric):
        return self.f[metric][()] if metric in self.f else None

    def summary(self, metric, stat):
        key = f"summary/{metric}"
        return self.f[key][()][:, self.stat[stat]] if key in self.f else None

    def axis(self, key):
        v = self.f[f"point_{key}"][()]
        return np.array([s.decode() if isinstance(s, bytes) else s for s in v]) if v.dtype.kind in "SO" else v

    def api_name(self):
        api = self.config.get("compare_api") or []
        return api[0] if api else "API"

    def numeric_axis(self):
        """The numeric swept key with the most distinct values (the later one on a tie), or None."""
        best, n_best = None, 0
        for key in self.axes:
            v = self.axis(key)
            if v.dtype.kind in "fiu" and len(np.unique(v)) >= n_best:
                best, n_best = key, len(np.unique(v))
        return best

    def groups(self, x_key):
        """Points grouped by the values of the other axes: [(label, indices)], indices sorted by x."""
        others = [k for k in self.axes if k != x_key]
        labels = [", ".join(f"{k.split('.')[-1]}={self.axis(k)[p]}" for k in others) for p in range(self.n_points)]
        x = self.axis(x_key)
        out = {}
        for p in range(self.n_points):
            out.setdefault(labels[p], []).append(p)
        return [(lab, sorted(idx, key=lambda p: x[p])) for lab, idx in out.items()]

    def point_label(self, p):
        return ", ".join(f"{k.split('.')[-1]}={self.axis(k)[p]}" for k in self.axes) or "single point"


def units(study, metric):
    u = study.f[metric].attrs.get("units", "") if metric in study.f else ""
    return u.decode() if isinstance(u, bytes) else u


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def plot_cost_vs_utilisation(st, out):
    """Cost per replicate against its load as a fraction of the study's capacity.

    Under continuous batching the GPU is "busy" almost all the time even at light load, so the busy
    fraction is no measure of utilisation. The load fraction used here is a replicate's output tok/s
    over the highest point-mean output tok/s of the study: the capacity, when the sweep reaches
    saturation (the title says when it does not)."""
    cost, tok = st.reps("usd_per_1m_output"), st.reps("output_tok_s")
    if cost is None or tok is None or not np.isfinite(cost * tok).any():
        return skip("cost_vs_utilisation.png", "no finite usd_per_1m_output and output_tok_s")
    cap = np.nanmax(np.nanmean(tok, axis=1))
    reached = st.saturated is not None and np.nansum(st.saturated) > 0
    u_rep = tok / cap
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for p in range(st.n_points):
        ax.scatter(u_rep[p], cost[p], s=14, alpha=0.7, label=st.point_label(p))
    full = np.nanmedian(cost * u_rep)  # idle-billed cost x load fraction = cost at full load
    u = np.linspace(0.05, 1.0, 200)
    ax.plot(u, full / u, "k--", lw=1, label=f"${full:.3g} / u (cost at capacity, median of replicates)")
    api = st.reps("api_usd_per_1m_output")
    if api is not None and np.isfinite(api).any():
        ax.axhline(np.nanmean(api), color="tab:red", lw=1.5, label=f"{st.api_name()}: ${np.nanmean(api):.3g} / 1M output")
    else:
        print("plot.py: cost_vs_utilisation.png: no API rows in the file, no API price line", file=sys.stderr)
    ax.set_xlabel(f"load: output tok/s / {cap:.4g} (the study's highest mean throughput)")
    ax.set_ylabel("USD per 1M output tokens (idle billed)")
    ax.set_yscale("log")
    ax.set_xlim(0, 1.05)
    ax.set_title(f"{st.name}: cost against load" + ("" if reached else " (sweep did not reach capacity)"))
    ax.legend(fontsize=7)
    save(fig, os.path.join(out, "cost_vs_utilisation.png"))


def band(ax, st, x_key, metric, label_prefix="", mark_saturated=False):
    """Mean line with its 95% CI band against x, one line per group of the other axes."""
    mean, lo, hi = (st.summary(metric, s) for s in ("mean", "ci95_lo", "ci95_hi"))
    if mean is None or not np.isfinite(mean).any():
        return False
    x = st.axis(x_key)
    sat = np.nansum(st.saturated, axis=1) if st.saturated is not None else np.zeros(st.n_points)
    for lab, idx in st.groups(x_key):
        idx = np.array(idx)
        line, = ax.plot(x[idx], mean[idx], "o-", label=(label_prefix + lab).strip(", ") or metric)
        # every plotted metric is non-negative: a CI of few replicates must not reach below zero
        ax.fill_between(x[idx], np.maximum(lo[idx], 0), hi[idx], color=line.get_color(), alpha=0.2)
        if mark_saturated:
            s_idx = idx[sat[idx] > 0]
            for p in s_idx:
                ax.axvline(x[p], color="tab:red", ls=":", lw=1)
                ax.annotate(f"{int(sat[p])}/{st.n_reps} saturated", (x[p], 0.02), xycoords=("data", "axes fraction"),
                            rotation=90, fontsize=7, color="tab:red", va="bottom", ha="right")
    ax.set_xlabel(f"{x_key} ({units(st, 'point_' + x_key)})")
    return True


def plot_throughput(st, out, x_key):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if not band(ax, st, x_key, "output_tok_s"):
        plt.close(fig)
        return skip("throughput.png", "no finite /summary/output_tok_s")
    ax.set_ylabel("output tokens / s (mean, 95% CI)")
    ax.set_title(f"{st.name}: throughput")
    ax.legend(fontsize=7)
    save(fig, os.path.join(out, "throughput.png"))


def plot_latency(st, out, x_key):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    slo = st.config.get("slo") or {}
    drawn = False
    for ax, metric, slo_key, title in ((axes[0], "ttft_p99_s", "ttft_p99_s", "P99 TTFT"),
                                       (axes[1], "tpot_p99_s", "tpot_p99_s", "P99 TPOT")):
        if band(ax, st, x_key, metric, mark_saturated=True):
            drawn = True
            if slo.get(slo_key) is not None:
                ax.axhline(float(slo[slo_key]), color="k", ls="--", lw=1, label=f"SLO {slo[slo_key]} s")
            ax.set_ylabel(f"{title} (s), mean and 95% CI")
            ax.set_title(f"{title} (saturated replicates left out)")
            ax.legend(fontsize=7)
    if not drawn:
        plt.close(fig)
        return skip("latency_p99.png", "no finite /summary/ttft_p99_s or tpot_p99_s (all saturated?)")
    fig.suptitle(st.name)
    save(fig, os.path.join(out, "latency_p99.png"))


def default_point(st):
    """The most loaded point (highest mean output tok/s) where no replicate saturated, else 0."""
    tok = st.reps("output_tok_s")
    ok = [p for p in range(st.n_points) if st.saturated is None or not np.nansum(st.saturated[p])]
    if not ok:
        return 0
    if tok is None:
        return ok[-1]
    return max(ok, key=lambda p: np.nanmean(tok[p]) if np.isfinite(tok[p]).any() else -np.inf)


def plot_tornado(st, out, point):
    if "sensitivity" not in st.f:
        return skip("tornado.png", "no /sensitivity group in the file")
    g = st.f["sensitivity"]
    inputs = [s.decode() if isinstance(s, bytes) else s for s in g["input"][()]]
    outputs = [m for m in ("usd_per_1m_output", "ttft_p99_s") if m in g]
    if not inputs or not outputs:
        return skip("tornado.png", "no uncertain inputs or outputs in /sensitivity")
    p = default_point(st) if point is None else point
    fig, axes = plt.subplots(1, len(outputs), figsize=(6 * len(outputs), 1.2 + 0.5 * len(inputs)), squeeze=False)
    for ax, m in zip(axes[0], outputs):
        low, high, base = (g[f"{m}/{k}"][()][p] for k in ("low", "high", "base"))
        swing = np.abs(high - low)
        if not np.isfinite(swing).any():
            ax.text(0.5, 0.5, "no usable replicates at this point", ha="center", transform=ax.transAxes)
            ax.set_title(m)
            continue
        order = np.argsort(np.where(np.isfinite(swing), swing, -1))  # largest on top
        b = np.nanmean(base)
        for row, i in enumerate(order):
            ax.barh(row, low[i] - b, left=b, color="tab:blue", label="input at p10" if row == 0 else None)
            ax.barh(row, high[i] - b, left=b, color="tab:orange", label="input at p90" if row == 0 else None)
        ax.axvline(b, color="k", lw=1)
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([inputs[i] for i in order], fontsize=8)
        ax.set_xlabel(f"{m} ({units(st, m)})")
        ax.set_title(f"{m} at point {p} ({st.point_label(p)})", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"{st.name}: tornado (rank-quantile fit, p10 to p90)")
    save(fig, os.path.join(out, "tornado.png"))


def plot_cost_hist(st, out):
    cost = st.reps("usd_per_1m_output")
    if cost is None or not np.isfinite(cost).any():
        return skip("cost_hist.png", "no finite usd_per_1m_output")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    finite = cost[np.isfinite(cost)]
    bins = np.linspace(finite.min(), finite.max(), 30) if finite.max() > finite.min() else 10
    for p in range(st.n_points):
        v = cost[p][np.isfinite(cost[p])]
        if v.size:
            ax.hist(v, bins=bins, alpha=0.5, label=st.point_label(p))
    api = st.reps("api_usd_per_1m_output")
    if api is not None and np.isfinite(api).any():
        ax.axvline(np.nanmean(api), color="tab:red", lw=1.5, label=f"{st.api_name()}")
    ax.set_xlabel("USD per 1M output tokens (idle billed)")
    ax.set_ylabel("replicates")
    ax.set_title(f"{st.name}: cost across replicates")
    ax.legend(fontsize=7)
    save(fig, os.path.join(out, "cost_hist.png"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("h5", help="study file written by servesim run or merge")
    ap.add_argument("-o", "--out", default=".", help="directory for the PNGs (default: .)")
    ap.add_argument("--point", type=int, default=None,
                    help="sweep point of the tornado (default: the most loaded point with no saturated replicate)")
    ap.add_argument("--x", default=None, help="swept key on the x axis of throughput and latency plots")
    a = ap.parse_args(argv)
    try:
        st = Study(a.h5)
    except (OSError, KeyError) as e:
        print(f"plot.py: {a.h5}: not a readable servesim study file ({e})", file=sys.stderr)
        return 66
    if a.point is not None and not 0 <= a.point < st.n_points:
        print(f"plot.py: --point {a.point}: the file has points 0 to {st.n_points - 1}", file=sys.stderr)
        return 64
    x_key = a.x if a.x is not None else st.numeric_axis()
    if x_key is not None and (x_key not in st.axes or st.axis(x_key).dtype.kind not in "fiu"):
        print(f"plot.py: --x {x_key}: not a numeric swept key; swept: {', '.join(st.axes) or 'none'}", file=sys.stderr)
        return 64
    os.makedirs(a.out, exist_ok=True)
    plot_cost_vs_utilisation(st, a.out)
    if x_key is None:
        skip("throughput.png and latency_p99.png", "no numeric swept parameter")
    else:
        plot_throughput(st, a.out, x_key)
        plot_latency(st, a.out, x_key)
    plot_tornado(st, a.out, a.point)
    plot_cost_hist(st, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
