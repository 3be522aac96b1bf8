#!/usr/bin/python3
"""plot.py: draws the figures of a servesim study or plan file (docs/architecture.md) as PNGs, headless.

    tools/plot.py out.h5 -o DIR [--point N] [--x KEY]      a study file (servesim run or merge)
    tools/plot.py plan.h5 -o DIR                            a plan file (servesim plan)
    tools/plot.py cmp.h5 -o DIR                             a compare file (servesim compare)

Writes into DIR (created if needed), under the names `servesim report` links:
  cost_vs_utilisation.png  $ per 1M output tokens against utilisation (arrival rate over the capacity
                           at the SLO, docs/semantics.md), with the cost at capacity / u and API lines
  throughput.png           output tok/s against a swept parameter (--x, default the numeric
                           one with the most values), 95% CI band, one line per other setting
  latency_p99.png          P99 TTFT and TPOT against it, 95% CI band, saturated points marked
  tornado.png              /sensitivity: PRCC (or Morris mu*) of each uncertain input with $/1M output and
                           P99 TTFT at one point, bootstrap 95% CI whiskers, grey where the CI includes 0
  sobol.png                first-order and total Sobol indices with their CIs (sensitivity.method: sobol)
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
and for a compare file:
  compare.png              B - A per point for $/1M output, P99 TTFT and TPOT, throughput: the paired
                           95% CI (common random numbers) and, wider, the one independent runs would give
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
    """Cost per replicate against its utilisation, both read from the file: utilisation is the arrival
    rate over the capacity at the SLO (docs/semantics.md), the dashed curve c / u runs through the
    median cost at capacity (usd_per_1m_output_at_capacity), and the API's price is a line."""
    cost, u_rep = st.reps("usd_per_1m_output"), st.reps("utilisation")
    if cost is None or u_rep is None or not np.isfinite(cost * u_rep).any():
        return skip("cost_vs_utilisation.png", "no finite usd_per_1m_output and utilisation (no capacity at the "
                    "SLO: closed, offline or trace traffic, or output.capacity: false)")
    finite_u = u_rep[np.isfinite(u_rep)]
    u_max = max(1.0, float(finite_u.max()))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for p in range(st.n_points):
        ax.scatter(u_rep[p], cost[p], s=14, alpha=0.7, label=st.point_label(p))
    at_cap = st.reps("usd_per_1m_output_at_capacity")
    if at_cap is not None and np.isfinite(at_cap).any():
        full = np.nanmedian(at_cap)
        u = np.linspace(0.05, u_max, 200)
        ax.plot(u, full / u, "k--", lw=1, label=f"${full:.3g} / u (cost at capacity, median of replicates)")
    api = api_price(st)
    if np.isfinite(api):
        ax.axhline(api, color="tab:red", lw=1.5, label=f"{st.api_name()}: ${api:.3g} / 1M output")
    else:
        print("plot.py: cost_vs_utilisation.png: no API rows in the file, no API price line", file=sys.stderr)
    ax.axvline(1.0, color="k", lw=0.6, ls=":")
    ax.set_xlabel("utilisation: arrival rate / capacity at the SLO")
    ax.set_ylabel("USD per 1M output tokens (idle billed)")
    ax.set_yscale("log")
    ax.set_xlim(0, 1.05 * u_max)
    ax.set_title(f"{st.name}: cost against utilisation")
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


SENS_SHOWN = ("usd_per_1m_output", "ttft_p99_s")


def sensitivity_for(st, name, point, want):
    """The file's /sensitivity, the outputs to draw and the point, or None (after saying why)."""
    g = st.s.sensitivity
    if g is None:
        return skip(name, "no /sensitivity group in the file (no uncertain inputs)")
    if not want(g.method):
        return skip(name, f"sensitivity.method is {g.method}; " + ("sensitivity.method: sobol draws Sobol indices"
                                                                    if name == "sobol.png" else "see sobol.png"))
    outputs = [m for m in SENS_SHOWN if m in g.outputs]
    if not g.inputs or not outputs:
        return skip(name, "no uncertain inputs or outputs in /sensitivity")
    return g, outputs, default_point(st) if point is None else point


def ci_whiskers(est, lo, hi):
    """Error-bar lengths below and above the estimates (0 where there is no CI)."""
    return [np.nan_to_num(est - lo), np.nan_to_num(hi - est)]


def plot_tornado(st, out, point):
    """PRCC (or Morris mu*) of each input with its bootstrap 95% CI, largest on top; grey bars: the CI
    includes zero (no detectable effect)."""
    found = sensitivity_for(st, "tornado.png", point, lambda m: m != "sobol")
    if found is None:
        return
    g, outputs, p = found
    fig, axes = plt.subplots(1, len(outputs), figsize=(6 * len(outputs), 1.4 + 0.5 * len(g.inputs)), squeeze=False)
    for ax, m in zip(axes[0], outputs):
        est, lo, hi, det = (g.cell(m, k, p) for k in ("estimate", "ci95_lo", "ci95_hi", "detected"))
        if not np.isfinite(est).any():
            ax.text(0.5, 0.5, "not estimable at this point", ha="center", transform=ax.transAxes)
            ax.set_title(m)
            continue
        order = np.argsort(np.where(np.isfinite(est), np.abs(est), -1))  # largest on top
        for row, i in enumerate(order):
            none = det[i] == 0
            ax.barh(row, est[i], color="lightgray" if none else "tab:blue",
                    label=("no detectable effect (CI includes 0)" if none else "effect (CI excludes 0)"))
            ax.errorbar(est[i], row, xerr=[[v[i]] for v in ci_whiskers(est, lo, hi)], fmt="none", ecolor="k",
                        capsize=3)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        ax.legend(unique.values(), unique.keys(), fontsize=7)
        ax.axvline(0, color="k", lw=1)
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([g.inputs[i] for i in order], fontsize=8)
        what = "PRCC" if g.method == "prcc" else f"Morris mu* ({g.units[m]})"
        if g.method == "prcc":
            ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel(f"{what} with {m}, bootstrap 95% CI")
        ax.set_title(f"{m} at point {p} ({st.point_label(p)}), n = {g.n_used[m][p]:.0f}", fontsize=9)
    fig.suptitle(f"{st.name}: sensitivity ({g.method})")
    save(fig, os.path.join(out, "tornado.png"))


def plot_sobol(st, out, point):
    """First-order and total Sobol indices of each input with their bootstrap 95% CIs."""
    found = sensitivity_for(st, "sobol.png", point, lambda m: m == "sobol")
    if found is None:
        return
    g, outputs, p = found
    fig, axes = plt.subplots(1, len(outputs), figsize=(6 * len(outputs), 1.6 + 0.6 * len(g.inputs)), squeeze=False)
    y = np.arange(len(g.inputs))
    for ax, m in zip(axes[0], outputs):
        for k, (index, colour) in enumerate((("first_order", "tab:blue"), ("total", "tab:orange"))):
            est, lo, hi, det = (g.cell(m, f, p, index) for f in ("estimate", "ci95_lo", "ci95_hi", "detected"))
            pos = y + (0.2 if k == 0 else -0.2)
            ax.barh(pos, np.nan_to_num(est), height=0.38, color=colour, label=index.replace("_", "-"))
            ax.errorbar(np.nan_to_num(est), pos, xerr=ci_whiskers(est, lo, hi), fmt="none", ecolor="k", capsize=2)
            for i in np.flatnonzero(det == 0):
                ax.text(max(np.nan_to_num(hi[i]), 0) + 0.01, pos[i], "no detectable effect", va="center", fontsize=6)
        ax.axvline(0, color="k", lw=1)
        ax.set_yticks(y)
        ax.set_yticklabels(g.inputs, fontsize=8)
        ax.set_xlabel(f"share of the variance of {m}, bootstrap 95% CI")
        ax.set_title(f"{m} at point {p} ({st.point_label(p)}), N = {g.n_used[m][p]:.0f} rows", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"{st.name}: Sobol indices (Saltelli design, Jansen estimators)")
    save(fig, os.path.join(out, "sobol.png"))


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
    title = f"{plan.name}: sustainable rate per replica (demand {plan.scalars['demand_per_s']:g} req/s)"
    d = plan.decision
    if d:  # how sure the answer is: the chosen deployment's P(meet the SLO) and the demand at plan.confidence
        lo = "-" if not np.isfinite(d["demand_ci95_lo_per_s"]) else f"{d['demand_ci95_lo_per_s']:.3g}"
        title += (f"\nchosen: {d['label']} x {d['replicas']:.0f}: P(meet SLO) {d['p_meet']:.2f} "
                  f"[{d['p_meet_ci95_lo']:.2f}, {d['p_meet_ci95_hi']:.2f}]; drops to {plan.scalars['confidence']:g} at "
                  f"{d['demand_at_confidence_per_s']:.3g} req/s [{lo}, {d['demand_ci95_hi_per_s']:.3g}] (95%)")
    ax.set_title(title, fontsize=9)
    save(fig, os.path.join(out, "plan_rate.png"))


# ---- compare files ------------------------------------------------------------------------------------

COMPARE_SHOWN = ("usd_per_1m_output", "ttft_p99_s", "tpot_p99_s", "output_tok_s")


def plot_compare(cmp, out):
    """B - A per point with the paired 95% CI (black) and the one independent runs of as many
    replicates would give (grey), for the headline metrics."""
    metrics = [m for m in COMPARE_SHOWN if m in cmp.fields and np.isfinite(cmp.field(m, "diff")).any()]
    if not metrics:
        return skip("compare.png", "no finite difference in the file")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 4), squeeze=False)
    x = np.arange(cmp.n_points)
    for ax, m in zip(axes[0], metrics):
        d, hp, hi = (cmp.field(m, k) for k in ("diff", "halfwidth_paired", "halfwidth_independent"))
        ax.errorbar(x, d, yerr=np.nan_to_num(hi), fmt="none", ecolor="lightgray", elinewidth=6,
                    label="independent runs, 95% CI")
        ax.errorbar(x, d, yerr=np.nan_to_num(hp), fmt="o", color="k", capsize=4, label="paired (CRN), 95% CI")
        ax.axhline(0, color="tab:red", lw=1)
        ax.set_xticks(x)
        ax.set_xticklabels([str(p) for p in x])
        ax.set_xlabel("sweep point")
        ax.set_ylabel(f"B - A ({cmp.units.get(m, '')})")
        ax.set_title(m, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"{cmp.name_b} minus {cmp.name_a}: {cmp.n_replicates} paired replicates", fontsize=10)
    save(fig, os.path.join(out, "compare.png"))


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
                    help="sweep point of the sensitivity plots (default: the most loaded point with no saturated "
                         "replicate)")
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
    if isinstance(f, (sr.Plan, sr.Compare)):
        if a.point is not None or a.x is not None:
            print(f"plot.py: --point and --x apply to study files; {a.h5} is a {f.kind} file", file=sys.stderr)
            return 64
        os.makedirs(a.out, exist_ok=True)
        if isinstance(f, sr.Compare):
            plot_compare(f, a.out)
        else:
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
    plot_sobol(st, a.out, a.point)
    plot_cost_hist(st, a.out)
    plot_day_load(st, a.out)
    plot_day_latency(st, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
