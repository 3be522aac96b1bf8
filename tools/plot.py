#!/usr/bin/python3
"""plot.py: draws the figures of a servesim study or plan file as PNGs, headless.

    tools/plot.py out.h5 -o DIR [--point N] [--x KEY]      a study file (servesim run or merge)
    tools/plot.py plan.h5 -o DIR                            a plan file (servesim plan)

Writes into DIR (created if needed), under the names `servesim report` links:
  cost_vs_utilisation.png  $ per 1M output tokens against load (output tok/s over the study's highest
                           mean throughput), with API price lines
  throughput.png           output tok/s against a swept parameter (--x, default the numeric
                           one with the most values), 95% CI band, one line per other setting
  latency_p99.png          P99 TTFT and TPOT against it, 95% CI band, saturated points marked
  tornado.png              /sensitivity swings for $/1M output and P99 TTFT at one point
  cost_hist.png            $ per 1M output tokens across replicates, per point
  day_load_replicas.png    over the day (the hour-by-hour windows): arrivals per second and serving
                           replicas, mean and 95% CI band, one panel per point (at most 6)
  day_latency.png          over the day: P50 and P99 TTFT and TPOT per window with the SLO
and for a plan file:
  plan_cost.png            $/hour and $/1M output per candidate (rank order), coloured by status:
                           met, met but not priced, SLO not met, does not fit
  plan_rate.png            the arrival rate one replica sustains within the SLO, per candidate: mean
                           with its 95% CI, each replicate, the rate at plan.confidence, and the
                           rate per replica the demand needs at the chosen replica count
Every mean, CI, quantile and saturation verdict is read from the file (/summary, /sensitivity, the
plan's columns) through tools/servesim_read.py, never recomputed. A plot whose data are absent (no
sweep, no /sensitivity, all NaN) is skipped with a message on stderr; the others are still drawn.
A file it cannot plot (missing, not servesim's, another schema version, one part of a sharded
study) is refused in one line on stderr, exit status 66; 64 for a bad option; 0 otherwise.
The file is opened read-only; nothing depends on the environment but the file.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402

import servesim_read as sr  # noqa: E402


def skip(name, why):
    print(f"plot.py: {name} skipped: {why}", file=sys.stderr)


class Study:
    """The parts of a study file the plots need, as servesim_read gives them."""

    def __init__(self, s):
        self.s = s
        self.name = s.name
        self.config = yaml.safe_load(s.config_yaml) or {}
        self.n_points, self.n_reps = s.n_points, s.n_replicates
        self.axes = [a.key for a in s.axes]  # sweep order: the first key varies slowest
        self.saturated_count = s.saturated_count  # /summary/saturated_count

    def reps(self, metric):
        return self.s.reps(metric) if self.s.has(metric) else None

    def summary(self, metric, stat):
        return self.s.stat(metric, stat) if metric in self.s.summary else None

    def axis(self, key):
        return self.s.axis(key).values

    def units(self, name):
        return self.s.units.get(name, "")

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


def save(fig, path, title_in=0.0):
    """Writes fig; title_in: inches kept free at the top for a suptitle."""
    fig.tight_layout(rect=(0, 0, 1, 1 - title_in / fig.get_figheight()))
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
    cap = np.nanmax(st.summary("output_tok_s", "mean"))  # the highest point mean, from /summary
    reached = np.nansum(st.saturated_count) > 0
    u_rep = tok / cap
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for p in range(st.n_points):
        ax.scatter(u_rep[p], cost[p], s=14, alpha=0.7, label=st.point_label(p))
    full = np.nanmedian(cost * u_rep)  # idle-billed cost x load fraction = cost at full load
    u = np.linspace(0.05, 1.0, 200)
    ax.plot(u, full / u, "k--", lw=1, label=f"${full:.3g} / u (cost at capacity, median of replicates)")
    api = api_price(st)
    if np.isfinite(api):
        ax.axhline(api, color="tab:red", lw=1.5, label=f"{st.api_name()}: ${api:.3g} / 1M output")
    else:
        print("plot.py: cost_vs_utilisation.png: no API rows in the file, no API price line", file=sys.stderr)
    ax.set_xlabel(f"load: output tok/s / {cap:.4g} (the study's highest mean throughput)")
    ax.set_ylabel("USD per 1M output tokens (idle billed)")
    ax.set_yscale("log")
    ax.set_xlim(0, 1.05)
    ax.set_title(f"{st.name}: cost against load" + ("" if reached else " (sweep did not reach capacity)"))
    ax.legend(fontsize=7)
    save(fig, os.path.join(out, "cost_vs_utilisation.png"))


def api_price(st):
    """The API's $/1M output of the simulated mix: the mean over points of the file's point means."""
    api = st.summary("api_usd_per_1m_output", "mean")
    return np.nanmean(api) if api is not None and np.isfinite(api).any() else np.nan


def band(ax, st, x_key, metric, label_prefix="", mark_saturated=False):
    """Mean line with its 95% CI band against x, one line per group of the other axes."""
    mean, lo, hi = (st.summary(metric, s) for s in ("mean", "ci95_lo", "ci95_hi"))
    if mean is None or not np.isfinite(mean).any():
        return False
    x = st.axis(x_key)
    sat = st.saturated_count  # /summary/saturated_count
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
    ax.set_xlabel(f"{x_key} ({st.units('point_' + x_key)})")
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
    tok = st.summary("output_tok_s", "mean")
    ok = [p for p in range(st.n_points) if not st.saturated_count[p] > 0]
    if not ok:
        return 0
    return max(ok, key=lambda p: tok[p] if np.isfinite(tok[p]) else -np.inf)


def plot_tornado(st, out, point):
    g = st.s.sensitivity
    if g is None:
        return skip("tornado.png", "no /sensitivity group in the file")
    inputs = g.inputs
    outputs = [m for m in ("usd_per_1m_output", "ttft_p99_s") if m in g.outputs]
    if not inputs or not outputs:
        return skip("tornado.png", "no uncertain inputs or outputs in /sensitivity")
    p = default_point(st) if point is None else point
    fig, axes = plt.subplots(1, len(outputs), figsize=(6 * len(outputs), 1.2 + 0.5 * len(inputs)), squeeze=False)
    for ax, m in zip(axes[0], outputs):
        low, high, base, swing = (g.cell(m, k, p) for k in ("low", "high", "base", "swing"))
        if not np.isfinite(swing).any():
            ax.text(0.5, 0.5, "no usable replicates at this point", ha="center", transform=ax.transAxes)
            ax.set_title(m)
            continue
        order = np.argsort(np.where(np.isfinite(swing), swing, -1))  # largest on top
        b = base[np.isfinite(base)][0]  # the mean over the replicates used: the same for every input
        for row, i in enumerate(order):
            ax.barh(row, low[i] - b, left=b, color="tab:blue", label="input at p10" if row == 0 else None)
            ax.barh(row, high[i] - b, left=b, color="tab:orange", label="input at p90" if row == 0 else None)
        ax.axvline(b, color="k", lw=1)
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([inputs[i] for i in order], fontsize=8)
        ax.set_xlabel(f"{m} ({g.units[m]})")
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
    api = api_price(st)
    if np.isfinite(api):
        ax.axvline(api, color="tab:red", lw=1.5, label=f"{st.api_name()}")
    ax.set_xlabel("USD per 1M output tokens (idle billed)")
    ax.set_ylabel("replicates")
    ax.set_title(f"{st.name}: cost across replicates")
    ax.legend(fontsize=7)
    save(fig, os.path.join(out, "cost_hist.png"))


# ---- plan files ---------------------------------------------------------------------------------------

PLAN_STATUS = {  # status (and whether priced) -> legend text, colour
    ("ok", True): ("SLO met", "tab:green"),
    ("ok", False): ("SLO met, not priced", "tab:olive"),
    ("slo_not_met", False): ("SLO not met within plan.max_replicas", "tab:orange"),
    ("does_not_fit", False): ("does not fit in memory", "tab:gray"),
}


def plan_status(plan):
    """Per candidate the PLAN_STATUS key: the file's status, and for met ones whether a price exists."""
    status, usd = plan.col("status"), plan.col("usd_per_hour")
    return [(s, s == "ok" and bool(np.isfinite(u))) for s, u in zip(status, usd)]


def candidate_axis(ax, plan):
    """Candidates top to bottom in the file's rank order, labelled "rank. label"."""
    n = plan.n_candidates
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{i + 1}. {lab}" for i, lab in enumerate(plan.col("label"))], fontsize=7)
    ax.set_ylim(n - 0.5, -0.5)


def plan_height(plan):
    return max(3.0, 1.6 + 0.2 * plan.n_candidates)


def plot_plan_cost(plan, out):
    keys = plan_status(plan)
    fig, axes = plt.subplots(1, 2, figsize=(13, plan_height(plan)), sharey=True)
    for ax, col, xlabel in ((axes[0], "usd_per_hour", "USD per hour, all GPUs of the deployment (mean)"),
                            (axes[1], "usd_per_1m_output", "USD per 1M output tokens at the demand, idle billed (mean)")):
        v = plan.col(col)
        seen = set()
        for i, k in enumerate(keys):
            text, colour = PLAN_STATUS[k]
            lab = text if k not in seen else None
            seen.add(k)
            if np.isfinite(v[i]):
                ax.barh(i, v[i], color=colour, label=lab)
            else:
                ax.barh(i, 0, color=colour, label=lab)
                ax.text(0.01, i, text, va="center", fontsize=6, color=colour, transform=ax.get_yaxis_transform())
        ax.set_xlabel(xlabel, fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        candidate_axis(ax, plan)
    axes[0].legend(fontsize=7, loc="lower right")
    sc = plan.scalars
    fig.suptitle(f"{plan.name}: cost per candidate at {sc['demand_per_s']:g} req/s (p99 TTFT <= {sc['slo_ttft_p99_s']:g} s, "
                 f"p99 TPOT <= {sc['slo_tpot_p99_s']:g} s in >= {sc['confidence']:g} of replicates)", fontsize=9)
    save(fig, os.path.join(out, "plan_cost.png"), title_in=0.3)


def plot_plan_rate(plan, out):
    mean, lo, hi = (plan.col(c) for c in ("rate_mean_per_s", "rate_ci95_lo_per_s", "rate_ci95_hi_per_s"))
    conf, reps, replicas = plan.col("rate_at_confidence_per_s"), plan.rate_replicate_per_s, plan.col("replicas")
    finite = np.concatenate([x[np.isfinite(x) & (x > 0)] for x in (mean, lo, hi, conf, reps.ravel())])
    if not finite.size:
        return skip("plan_rate.png", "no finite sustainable rate in the file (no candidate fits?)")
    floor = finite.min() / 2  # a CI reaching below zero is drawn to the edge of the log axis
    fig, ax = plt.subplots(figsize=(9, plan_height(plan)))
    keys = plan_status(plan)
    seen = set()
    for i, k in enumerate(keys):
        text, colour = PLAN_STATUS[k]
        if not np.isfinite(mean[i]):
            ax.text(0.01, i, text, va="center", fontsize=6, color=colour, transform=ax.get_yaxis_transform())
            continue
        ax.errorbar(mean[i], i, xerr=[[mean[i] - max(lo[i], floor)], [max(hi[i] - mean[i], 0)]], fmt="o", ms=4,
                    color=colour, capsize=2, label=text if k not in seen else None)
        seen.add(k)
        r = reps[i][np.isfinite(reps[i]) & (reps[i] > 0)]
        ax.scatter(r, np.full(r.size, i + 0.25), s=5, color=colour, alpha=0.5)
        if np.isfinite(conf[i]) and conf[i] > 0:
            ax.scatter(conf[i], i, marker="x", s=22, color="k",
                       label="rate at plan.confidence" if "conf" not in seen else None)
            seen.add("conf")
        if replicas[i] > 0:
            need = plan.scalars["demand_per_s"] / replicas[i]
            ax.scatter(need, i, marker="|", s=60, color="tab:red",
                       label="demand / replicas" if "need" not in seen else None)
            seen.add("need")
    ax.set_xscale("log")
    ax.set_xlabel("arrival rate one replica sustains within the SLO, req/s "
                  "(mean and 95% CI; dots: replicates)", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    candidate_axis(ax, plan)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"{plan.name}: sustainable rate per replica (demand {plan.scalars['demand_per_s']:g} req/s)", fontsize=9)
    save(fig, os.path.join(out, "plan_rate.png"))


def window_band(ax, st, p, column, label, color=None, ls="-"):
    """Mean of a window column at point p with its 95% CI band (from /windows_summary), x = window middle (h)."""
    t0, t1 = st.s.window_stat("t_start_s", "mean")[p], st.s.window_stat("t_end_s", "mean")[p]
    mean, lo, hi = (st.s.window_stat(column, q)[p] for q in ("mean", "ci95_lo", "ci95_hi"))
    ok = np.isfinite(t0) & np.isfinite(mean)
    if not ok.any():
        return False
    x = (t0[ok] + t1[ok]) / 2 / 3600
    line, = ax.plot(x, mean[ok], ls, color=color, marker=".", label=label)
    band_lo = np.where(np.isfinite(lo[ok]), lo[ok], mean[ok])
    band_hi = np.where(np.isfinite(hi[ok]), hi[ok], mean[ok])
    ax.fill_between(x, np.maximum(band_lo, 0), band_hi, color=line.get_color(), alpha=0.2)
    return True


def day_points(st):
    """The points that have windows (at most 6)."""
    return [p for p in range(st.n_points) if np.isfinite(st.s.window_stat("t_start_s", "mean")[p]).any()][:6]


def plot_day_load(st, out):
    """Arrivals per second and serving replicas per window, one panel per point."""
    if not st.s.windows_summary:
        return skip("day_load_replicas.png", "no /windows_summary (no hour-by-hour windows in this study)")
    pts = day_points(st)
    fig, axes = plt.subplots(len(pts), 1, figsize=(9, 2.8 * len(pts)), squeeze=False)
    for ax, p in zip(axes[:, 0], pts):
        window_band(ax, st, p, "req_s", "arrivals / s", color="tab:blue")
        ax.set_ylabel("arrivals / s", color="tab:blue")
        ax2 = ax.twinx()
        window_band(ax2, st, p, "replicas_mean", "serving replicas", color="tab:orange")
        window_band(ax2, st, p, "replicas_billed_mean", "billed instances", color="tab:red", ls="--")
        ax2.set_ylabel("replicas (time mean)", color="tab:orange")
        ax2.set_ylim(bottom=0)
        ax.set_title(st.point_label(p), fontsize=9)
        ax2.legend(fontsize=7, loc="upper left")
    axes[-1, 0].set_xlabel("hour of the run (window middle)")
    fig.suptitle(f"{st.name}: load and replicas over the day (mean, 95% CI)")
    save(fig, os.path.join(out, "day_load_replicas.png"), title_in=0.4)


def plot_day_latency(st, out):
    """P50 and P99 TTFT and TPOT per window, with the SLO."""
    if not st.s.windows_summary:
        return skip("day_latency.png", "no /windows_summary (no hour-by-hour windows in this study)")
    slo = st.config.get("slo") or {}
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, what, slo_key in ((axes[0], "ttft", "ttft_p99_s"), (axes[1], "tpot", "tpot_p99_s")):
        for p in day_points(st):
            name = st.point_label(p) if st.n_points > 1 else ""
            window_band(ax, st, p, f"{what}_p99_s", f"P99 {name}".strip())
            window_band(ax, st, p, f"{what}_p50_s", f"P50 {name}".strip(), ls=":")
        if slo.get(slo_key) is not None:
            ax.axhline(float(slo[slo_key]), color="k", ls="--", lw=1, label=f"SLO (P99) {slo[slo_key]} s")
        ax.set_yscale("log")
        ax.set_xlabel("hour of the run (window middle)")
        ax.set_ylabel(f"{what.upper()} (s), window mean and 95% CI")
        ax.legend(fontsize=7)
    fig.suptitle(f"{st.name}: latency percentiles over the day (each window's requests)")
    save(fig, os.path.join(out, "day_latency.png"), title_in=0.4)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("h5", help="study file (servesim run or merge) or plan file (servesim plan)")
    ap.add_argument("-o", "--out", default=".", help="directory for the PNGs (default: .)")
    ap.add_argument("--point", type=int, default=None,
                    help="sweep point of the tornado (default: the most loaded point with no saturated replicate)")
    ap.add_argument("--x", default=None, help="swept key on the x axis of throughput and latency plots")
    a = ap.parse_args(argv)
    try:
        f = sr.read(a.h5)
        if f.kind == sr.STUDY_PART:
            raise sr.ServesimFileError(f"{a.h5}: one part of a sharded study (file_kind study_part) has no summary "
                                       "to plot; join the parts with `servesim merge` and plot the merged file")
    except sr.ServesimError as e:
        print(f"plot.py: {e}", file=sys.stderr)
        return 66
    if isinstance(f, sr.Plan):
        if a.point is not None or a.x is not None:
            print(f"plot.py: --point and --x apply to study files; {a.h5} is a plan file", file=sys.stderr)
            return 64
        os.makedirs(a.out, exist_ok=True)
        plot_plan_cost(f, a.out)
        plot_plan_rate(f, a.out)
        return 0
    st = Study(f)
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
    plot_day_load(st, a.out)
    plot_day_latency(st, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
