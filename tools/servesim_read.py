#!/usr/bin/python3
"""servesim_read: the one Python reader of servesim's HDF5 files and of its hwdb.

Every tool under tools/ imports this module instead of opening files itself, so that no Python code
re-derives what the C code computed: summary statistics (mean, sd, Student-t 95% CI, p05/p50/p95),
the saturation verdict of a point and the sensitivity analysis are read from the file, never
recomputed. Standard library, numpy and h5py only.

Files (schema_version 3; the writers are src/io/studyfile.c, src/io/planfile.c and src/io/h5.c):

    s = read_study("out.h5")        # file_kind "study" (or "study_part", which has no /summary)
    s.axes[0].key, s.axes[0].values # sweep axes /point_<key>, in sweep order (first varies slowest)
    s.reps("output_tok_s")          # per-replicate metric, shape (points, replicates)
    s.stat("ttft_p99_s", "ci95_lo") # /summary/<metric> at one statistic of the /stat scale, (points,)
    s.point_saturated               # /summary/point_saturated as bool: most replicates saturated
    s.sensitivity                   # /sensitivity or None: indices with bootstrap CIs per metric
    s.design                        # /design attributes: design, sensitivity_method, samples, ...
    s.window_stat("ttft_p99_s", "mean")  # /windows_summary/<column>: (points, windows) at one statistic
    s.pools, s.pool_metrics["pool_usd"]  # multi-model fleets: deployment names, (points, replicates, pools)
    p = read_plan("plan.h5")        # file_kind "plan": one column per candidate (rank order)
    p.col("usd_per_hour"), p.col("status"), p.rate_replicate_per_s, p.scalars["demand_per_s"]
    c = read_compare("cmp.h5")      # file_kind "compare" (servesim compare A.yaml B.yaml)
    c.field("ttft_p99_s", "diff")   # B - A per point; also ci95_lo/hi, halfwidth_paired, variance_ratio ...
    read(path)                      # any of them, by the file's own file_kind

hwdb (the C loader's view, with its derived values):

    hwdb("models")["entries"][0]["derived_params_total"]    # runs `servesim list --json models`
    find_servesim()                                         # $SERVESIM, else <repo>/build/servesim

Errors are ServesimError (ServesimFileError for a file, HwdbError for `servesim list`); their
message names the file or command and what was expected, in one line, for tools to print as is.
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import h5py
import numpy as np

SCHEMA_VERSION = 3  # H5_SCHEMA_VERSION of include/servesim/io/h5.h: the files this module reads
STUDY, STUDY_PART, PLAN, COMPARE = "study", "study_part", "plan", "compare"
FILE_KINDS = (STUDY, STUDY_PART, PLAN, COMPARE)
# The per-metric fields of a compare file (COMPARE_FIELDS of include/servesim/study/compare.h).
COMPARE_FIELDS = ("mean_a", "mean_b", "diff", "ci95_lo", "ci95_hi", "halfwidth_paired", "halfwidth_independent",
                  "variance_ratio", "n_used")
STATS = ("mean", "sd", "ci95_lo", "ci95_hi", "p05", "p50", "p95")  # the /stat scale must hold these
PLAN_STATUSES = ("ok", "slo_not_met", "does_not_fit")
# The per-candidate columns of a plan file (COLS of src/io/planfile.c) and its scalars (SCALARS there).
PLAN_COLUMNS = ("label", "point", "gpu", "weights", "engine", "tier", "tp", "status", "reason", "replicas", "gpus",
                "slo_met_frac", "usd_per_gpu_hour", "usd_per_hour", "usd_per_1m_output", "ttft_p99_s", "tpot_p99_s",
                "output_tok_s", "rate_mean_per_s", "rate_ci95_lo_per_s", "rate_ci95_hi_per_s",
                "rate_at_confidence_per_s", "headroom")
# The compare_api rows of a plan file, (candidate, api) when it has an /api scale (costing_api's table).
PLAN_API_METRICS = ("api_usd_per_1m_output", "tco_over_api", "breakeven_utilisation", "breakeven_output_tok_per_month")
PLAN_DECISION = ("replicas", "p_meet", "p_meet_ci95_lo", "p_meet_ci95_hi", "demand_at_confidence_per_s",
                 "demand_ci95_lo_per_s", "demand_ci95_hi_per_s", "need_for_lower")  # /decision scalars
PLAN_SCALARS = ("demand_per_s", "slo_ttft_p99_s", "slo_tpot_p99_s", "confidence", "max_replicas", "rate_rel_tol")
SENSITIVITY_FIELDS = ("estimate", "ci95_lo", "ci95_hi", "detected")  # (points, inputs, indices) per metric
DESIGN_ATTRS = ("design", "sensitivity_method", "samples", "block", "bootstrap", "paired")
HWDB_TABLES = ("gpus", "models", "quant", "engines", "gpu_prices", "api_prices", "model_error")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ServesimError(Exception):
    """Something servesim wrote (a file, `servesim list` output) is not what a reader expected."""


class ServesimFileError(ServesimError):
    """An HDF5 file that is missing, not servesim's, of another schema or kind, or lacking a dataset."""


class HwdbError(ServesimError):
    """`servesim list --json` failed or printed something other than its JSON table."""


# ---- small helpers ----------------------------------------------------------------------------------


def _text(v: Any) -> Any:
    """An attribute value as plain Python: bytes -> str, numpy scalars -> int/float."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.generic):
        return v.item()
    return v


def _attr(obj: Union[h5py.Dataset, h5py.Group], name: str) -> str:
    return str(_text(obj.attrs.get(name, "")))


def _shape(shape: tuple) -> str:
    if not shape:
        return "scalar"
    return ("array of %d" % shape[0]) if len(shape) == 1 else "%d-D array of %s" % (
        len(shape), " x ".join(str(n) for n in shape))


def _creation_order(g: h5py.Group) -> list[str]:
    """Names of g's links in creation (= writing) order, as the C reader iterates them; h5py's own
    iteration is alphabetical, which would reorder the sweep axes."""
    names: list[str] = []
    try:
        g.id.links.iterate(lambda n: names.append(n.decode()), idx_type=h5py.h5.INDEX_CRT_ORDER)
    except (KeyError, ValueError, RuntimeError):  # creation order not tracked: fall back to names
        names = list(g.keys())
    return names


def _dataset(f: h5py.File, name: str, kind: str) -> h5py.Dataset:
    if name not in f or not isinstance(f[name], h5py.Dataset):
        raise ServesimFileError(f"{f.filename}: dataset /{name} is missing (expected in a {kind} file)")
    return f[name]


def _numbers(f: h5py.File, name: str, shape: tuple, kind: str) -> np.ndarray:
    """Dataset name as float64, checked to be numeric and of the given shape."""
    d = _dataset(f, name, kind)
    if d.dtype.kind not in "fiu":
        raise ServesimFileError(f"{f.filename}: /{name}: expected numbers, found {d.dtype}")
    if d.shape != shape:
        raise ServesimFileError(f"{f.filename}: /{name}: expected {_shape(shape)}, found {_shape(d.shape)}")
    return np.asarray(d[()], dtype=float)


def _strings(f: h5py.File, name: str, shape: tuple, kind: str) -> np.ndarray:
    """Text dataset name as a numpy str array (a str for a scalar), checked for its shape."""
    d = _dataset(f, name, kind)
    if d.dtype.kind not in "OS" or h5py.check_string_dtype(d.dtype) is None:
        raise ServesimFileError(f"{f.filename}: /{name}: expected text, found {d.dtype}")
    if d.shape != shape:
        raise ServesimFileError(f"{f.filename}: /{name}: expected {_shape(shape)}, found {_shape(d.shape)}")
    v = d.asstr()[()]
    return v if not shape else np.array(list(v), dtype=str)


def _column(f: h5py.File, name: str, n: int, kind: str) -> np.ndarray:
    """A 1-D dataset of n values, text or numeric."""
    d = _dataset(f, name, kind)
    return _strings(f, name, (n,), kind) if d.dtype.kind in "OS" else _numbers(f, name, (n,), kind)


def open_h5(path: str) -> tuple[h5py.File, str]:
    """Opens a servesim file read-only after checking program, schema_version and file_kind;
    returns the open file and its kind (one of FILE_KINDS)."""
    if not os.path.isfile(path):
        raise ServesimFileError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError):
        raise ServesimFileError(f"{path}: cannot open as HDF5 (unreadable or not an HDF5 file)") from None
    try:
        if _text(f.attrs.get("program")) != "servesim":
            raise ServesimFileError(f"{path}: not a servesim file (no program attribute 'servesim')")
        schema = _text(f.attrs.get("schema_version"))
        if schema != SCHEMA_VERSION:
            raise ServesimFileError(f"{path}: schema version {schema}; this reader reads {SCHEMA_VERSION} "
                                    "(files of this servesim version; rerun the study with it)")
        kind = _text(f.attrs.get("file_kind"))
        if kind not in FILE_KINDS:
            raise ServesimFileError(f"{path}: file_kind {kind!r}; expected one of {', '.join(FILE_KINDS)}")
    except BaseException:
        f.close()
        raise
    return f, kind


def file_kind(path: str) -> str:
    """The file_kind attribute of a servesim file ("study", "study_part", "plan" or "compare"), checked."""
    f, kind = open_h5(path)
    f.close()
    return kind


def provenance(f: h5py.File) -> dict[str, Any]:
    """Every root attribute (title, program_version, git_commit, created_utc, master_seed,
    command_line, hwdb_sha256, input_<role>_path/_sha256, ...) as plain Python values."""
    return {k: _text(v) for k, v in f.attrs.items()}


# ---- studies ----------------------------------------------------------------------------------------


@dataclass
class Axis:
    """A swept scenario key: /point_<key>, one value per point."""
    key: str
    values: np.ndarray  # float64, or str for a text key
    units: str
    long_name: str

    @property
    def is_text(self) -> bool:
        return self.values.dtype.kind == "U"

    @property
    def short(self) -> str:
        """The last part of the key (rate_per_s of workload.arrival.rate_per_s), for labels."""
        return self.key.split(".")[-1]


@dataclass
class Input:
    """An uncertain scenario key: /input_<key>, its sampled value per point and replicate."""
    key: str
    values: np.ndarray  # (points, replicates)
    units: str
    long_name: str


@dataclass
class Sensitivity:
    """/sensitivity: per output metric and field (SENSITIVITY_FIELDS) a (points, inputs, indices) array;
    index names in `index` (prcc; first_order, total; mu_star, mu, sigma), the one that gives an
    input's verdict in `verdict_index`; `detected` is 1 where the 95% CI excludes zero, 0 where it
    includes zero (no detectable effect), NaN without a CI."""
    method: str
    method_text: str
    inputs: list[str]
    index: list[str]
    verdict_index: str
    outputs: dict[str, dict[str, np.ndarray]]
    n_used: dict[str, np.ndarray]  # metric -> (points,)
    units: dict[str, str]  # metric -> units of its estimates ("1" except Morris)

    def cell(self, metric: str, fld: str, point: int, index: Optional[str] = None) -> np.ndarray:
        """Field fld of metric at one point and index (default: the verdict's): one value per input."""
        if metric not in self.outputs:
            raise ServesimFileError(f"/sensitivity has no {metric}; it has: {', '.join(self.outputs)}")
        x = self.index.index(index or self.verdict_index)
        return self.outputs[metric][fld][point, :, x]


@dataclass
class Study:
    """A study file (whole, or one part of a sharded study: then summary fields are None)."""
    path: str
    kind: str
    attrs: dict[str, Any]
    config_yaml: str
    n_points: int
    n_replicates: int
    axes: list[Axis]
    inputs: list[Input]
    metrics: dict[str, np.ndarray]  # per-replicate, (points, replicates), incl. saturated and slo_met
    units: dict[str, str]
    long_names: dict[str, str]
    stats: list[str] = field(default_factory=list)  # the /stat scale
    summary: Optional[dict[str, np.ndarray]] = None  # metric -> (points, stats)
    saturated_count: Optional[np.ndarray] = None
    replicates_used: Optional[np.ndarray] = None
    slo_met_frac: Optional[np.ndarray] = None
    point_saturated: Optional[np.ndarray] = None  # bool per point
    sensitivity: Optional[Sensitivity] = None
    resolved: dict[str, np.ndarray] = field(default_factory=dict)  # /resolved: per point, what it resolved to
    design: dict[str, Any] = field(default_factory=dict)  # /design attributes (DESIGN_ATTRS)
    windows_summary: Optional[dict[str, np.ndarray]] = None  # column -> (points, windows, stats); None: no windows
    pools: list[str] = field(default_factory=list)  # /pool: deployments of a multi-model fleet
    pool_metrics: dict[str, np.ndarray] = field(default_factory=dict)  # /pool_<row>: (points, replicates, pools)

    @property
    def name(self) -> str:
        return str(self.attrs.get("scenario_name", "study"))

    def axis(self, key: str) -> Axis:
        for a in self.axes:
            if a.key == key:
                return a
        raise ServesimFileError(f"{self.path}: no sweep axis {key} (swept: {', '.join(a.key for a in self.axes) or 'none'})")

    def has(self, metric: str) -> bool:
        return metric in self.metrics

    def reps(self, metric: str) -> np.ndarray:
        """Per-replicate values of metric, (points, replicates)."""
        if metric not in self.metrics:
            raise ServesimFileError(f"{self.path}: no per-replicate metric /{metric}; the file has: "
                                    + ", ".join(sorted(self.metrics)))
        return self.metrics[metric]

    def _need_summary(self) -> dict[str, np.ndarray]:
        if self.summary is None:
            raise ServesimFileError(f"{self.path}: a {self.kind} file has no /summary "
                                    "(merge the parts with `servesim merge` first)")
        return self.summary

    def stat(self, metric: str, stat: str) -> np.ndarray:
        """/summary/<metric> at one statistic (mean, sd, ci95_lo, ci95_hi, p05, p50, p95), (points,).
        Latency metrics are NaN at saturated points and leave saturated replicates out (the C rule)."""
        summary = self._need_summary()
        if metric not in summary:
            raise ServesimFileError(f"{self.path}: no /summary/{metric}")
        if stat not in self.stats:
            raise ServesimFileError(f"{self.path}: /stat has no {stat!r} (it has {', '.join(self.stats)})")
        return summary[metric][:, self.stats.index(stat)]

    def window_stat(self, column: str, stat: str) -> np.ndarray:
        """/windows_summary/<column> at one statistic, (points, windows): the hour-by-hour view across
        replicates (NaN where a point has fewer windows)."""
        if not self.windows_summary:
            raise ServesimFileError(f"{self.path}: no /windows_summary (the study kept no hour-by-hour windows)")
        if column not in self.windows_summary:
            raise ServesimFileError(f"{self.path}: no /windows_summary/{column}")
        if stat not in self.stats:
            raise ServesimFileError(f"{self.path}: /stat has no {stat!r} (it has {', '.join(self.stats)})")
        return self.windows_summary[column][:, :, self.stats.index(stat)]

    def point_label(self, p: int) -> str:
        """"rate_per_s=4, model=llama-3.1-8b" for point p (sweep order), "single point" without sweep."""
        return ", ".join(f"{a.short}={fmt_value(a.values[p])}" for a in self.axes) or "single point"


def fmt_value(v: Any) -> str:
    """An axis value as text: numbers with %g, text as is."""
    return f"{v:g}" if isinstance(v, (float, int, np.floating, np.integer)) else str(v)


def _read_sensitivity(f: h5py.File, n_points: int, kind: str) -> Optional[Sensitivity]:
    if "sensitivity" not in f:
        return None
    g = f["sensitivity"]
    inputs = list(_strings(f, "sensitivity/input", g["input"].shape, kind)) if "input" in g else []
    index = list(_strings(f, "sensitivity/index", g["index"].shape, kind)) if "index" in g else []
    outputs: dict[str, dict[str, np.ndarray]] = {}
    n_used: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    for name in _creation_order(g):
        if not isinstance(g[name], h5py.Group):
            continue
        outputs[name] = {k: _numbers(f, f"sensitivity/{name}/{k}", (n_points, len(inputs), len(index)), kind)
                         for k in SENSITIVITY_FIELDS}
        n_used[name] = _numbers(f, f"sensitivity/{name}/n_used", (n_points,), kind)
        units[name] = _attr(g[f"{name}/estimate"], "units")
    verdict = _attr(g, "verdict_index")
    if verdict not in index:
        raise ServesimFileError(f"{f.filename}: /sensitivity: verdict_index {verdict!r} is not one of {index}")
    return Sensitivity(_attr(g, "method"), _attr(g, "method_text"), inputs, index, verdict, outputs, n_used, units)


def _read_design(f: h5py.File, kind: str) -> dict[str, Any]:
    if "design" not in f or not isinstance(f["design"], h5py.Group):
        raise ServesimFileError(f"{f.filename}: group /design is missing (expected in a {kind} file)")
    g = f["design"]
    missing = [a for a in DESIGN_ATTRS if a not in g.attrs]
    if missing:
        raise ServesimFileError(f"{f.filename}: /design lacks the attributes {', '.join(missing)}")
    return {a: _text(g.attrs[a]) for a in DESIGN_ATTRS}


def read_study(path: str) -> Study:
    """Reads a study or study_part file (not its request and time-series logs)."""
    f, kind = open_h5(path)
    with f:
        if kind == PLAN:
            raise ServesimFileError(f"{path}: a plan file, not a study (read it with read_plan)")
        P, R = _dataset(f, "point", kind).shape[0], _dataset(f, "replicate", kind).shape[0]
        names = _creation_order(f)
        axes, inputs, metrics, units, long_names = [], [], {}, {}, {}
        for n in names:
            d = f[n]
            if not isinstance(d, h5py.Dataset):
                continue
            units[n], long_names[n] = _attr(d, "units"), _attr(d, "long_name")
            if n.startswith("point_"):
                axes.append(Axis(n[6:], _column(f, n, P, kind), units[n], long_names[n]))
            elif n.startswith("input_"):
                inputs.append(Input(n[6:], _numbers(f, n, (P, R), kind), units[n], long_names[n]))
            elif d.ndim == 2:
                metrics[n] = _numbers(f, n, (P, R), kind)
        for need in ("saturated", "slo_met"):  # every study has them; name them when they are not there
            metrics.setdefault(need, _numbers(f, need, (P, R), kind))
        s = Study(path, kind, provenance(f), str(_strings(f, "config_yaml", (), kind)), P, R, axes, inputs,
                  metrics, units, long_names)
        if "resolved" in f:  # hwdb ids, price row, efficiencies applied (src/study/provenance.c)
            for n in _creation_order(f["resolved"]):
                key = f"resolved/{n}"
                units[key], long_names[key] = _attr(f[key], "units"), _attr(f[key], "long_name")
                s.resolved[n] = _column(f, key, P, kind)
        s.design = _read_design(f, kind)
        if "pool" in f:
            s.pools = list(_strings(f, "pool", f["pool"].shape, kind))
            s.pool_metrics = {n: _numbers(f, n, (P, R, len(s.pools)), kind) for n in names
                              if n.startswith("pool_") and isinstance(f[n], h5py.Dataset)}
        if kind == STUDY_PART:
            return s
        s.stats = list(_strings(f, "stat", _dataset(f, "stat", kind).shape, kind))
        missing = [k for k in STATS if k not in s.stats]
        if missing:
            raise ServesimFileError(f"{path}: /stat lacks {', '.join(missing)} (has {', '.join(s.stats)})")
        g = f["summary"] if "summary" in f else None
        if g is None:
            raise ServesimFileError(f"{path}: group /summary is missing (expected in a study file)")
        s.summary = {}
        for n in _creation_order(g):
            d = g[n]
            key = f"summary/{n}"
            units[key], long_names[key] = _attr(d, "units"), _attr(d, "long_name")
            if d.ndim == 2:
                s.summary[n] = _numbers(f, key, (P, len(s.stats)), kind)
        s.saturated_count = _numbers(f, "summary/saturated_count", (P,), kind)
        s.replicates_used = _numbers(f, "summary/replicates_used", (P,), kind)
        s.slo_met_frac = _numbers(f, "summary/slo_met_frac", (P,), kind)
        s.point_saturated = _numbers(f, "summary/point_saturated", (P,), kind) > 0.5
        s.sensitivity = _read_sensitivity(f, P, kind)
        if "windows_summary" in f:
            g = f["windows_summary"]
            W = _dataset(f, "windows_summary/window", kind).shape[0]
            s.windows_summary = {n: _numbers(f, f"windows_summary/{n}", (P, W, len(s.stats)), kind)
                                 for n in _creation_order(g) if isinstance(g[n], h5py.Dataset) and g[n].ndim == 3}
        return s


# ---- plans ------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """A plan file: one value per candidate (rank order: 0 is the cheapest meeting the SLO)."""
    path: str
    kind: str
    attrs: dict[str, Any]
    config_yaml: str
    candidate_keys: list[str]  # the scenario keys that tell candidates apart
    n_candidates: int
    n_replicates: int
    scalars: dict[str, float]  # PLAN_SCALARS
    columns: dict[str, np.ndarray]  # PLAN_COLUMNS (and any other /candidate dataset)
    units: dict[str, str]
    long_names: dict[str, str]
    rate_replicate_per_s: np.ndarray  # (candidates, replicates)
    apis: list[str] = field(default_factory=list)  # /api: the compare_api ids (empty: none compared)
    api: dict[str, np.ndarray] = field(default_factory=dict)  # PLAN_API_METRICS -> (candidates, apis)
    decision: Optional[dict[str, Any]] = None  # /decision: P(meet the SLO) and the demand at confidence, or None

    @property
    def name(self) -> str:
        return str(self.attrs.get("scenario_name", "plan"))

    def col(self, name: str) -> np.ndarray:
        if name not in self.columns:
            raise ServesimFileError(f"{self.path}: no plan column /{name}; the file has: {', '.join(self.columns)}")
        return self.columns[name]


def read_plan(path: str) -> Plan:
    """Reads a plan file written by `servesim plan`."""
    f, kind = open_h5(path)
    with f:
        if kind != PLAN:
            raise ServesimFileError(f"{path}: a {kind} file, not a plan (read it with read_study)")
        n, R = _dataset(f, "candidate", kind).shape[0], _dataset(f, "replicate", kind).shape[0]
        units, long_names, columns = {}, {}, {}
        for name in _creation_order(f):
            d = f[name]
            if isinstance(d, h5py.Dataset):
                units[name], long_names[name] = _attr(d, "units"), _attr(d, "long_name")
        for c in PLAN_COLUMNS:
            columns[c] = _column(f, c, n, kind)
        bad = sorted(set(columns["status"]) - set(PLAN_STATUSES))
        if bad:
            raise ServesimFileError(f"{path}: /status holds {', '.join(bad)}; expected {', '.join(PLAN_STATUSES)}")
        for name in _creation_order(f):  # other per-candidate datasets a newer writer may add
            d = f[name]
            if (name not in columns and isinstance(d, h5py.Dataset) and d.ndim == 1 and d.shape == (n,)
                    and name not in ("candidate", "replicate") and d.dims[0] and d.dims[0][0].name == "/candidate"):
                columns[name] = _column(f, name, n, kind)
        scalars = {s: float(_numbers(f, s, (), kind)) for s in PLAN_SCALARS}
        keys = str(_text(f.attrs.get("candidate_keys", ""))).split()
        apis = list(_strings(f, "api", f["api"].shape, kind)) if "api" in f else []
        api = {m: _numbers(f, m, (n, len(apis)), kind) for m in PLAN_API_METRICS} if apis else {}
        decision = None
        if "decision" in f:  # the chosen deployment's decision uncertainty (src/study/decision.c)
            g = f["decision"]
            decision = {k: _text(v) for k, v in g.attrs.items()}
            decision.update({k: float(_numbers(f, f"decision/{k}", (), kind)) for k in PLAN_DECISION})
            decision["demand_replicate_per_s"] = _numbers(f, "decision/demand_replicate_per_s", (R,), kind)
        return Plan(path, kind, provenance(f), str(_strings(f, "config_yaml", (), kind)), keys, n, R, scalars,
                    columns, units, long_names, _numbers(f, "rate_replicate_per_s", (n, R), kind), apis, api, decision)


# ---- comparisons -------------------------------------------------------------------------------------


@dataclass
class Compare:
    """A compare file: per metric, the paired statistics of B - A per point (COMPARE_FIELDS) and the
    paired per-replicate values of A and B (points, replicates)."""
    path: str
    kind: str
    attrs: dict[str, Any]
    name_a: str
    name_b: str
    labels_a: list[str]
    labels_b: list[str]
    n_points: int
    n_replicates: int
    fields: dict[str, dict[str, np.ndarray]]  # metric -> field -> (points,)
    replicates: dict[str, tuple[np.ndarray, np.ndarray]]  # metric -> (A, B), each (points, replicates)
    units: dict[str, str]  # metric -> its units

    @property
    def name(self) -> str:
        return f"{self.name_a} vs {self.name_b}"

    def field(self, metric: str, fld: str) -> np.ndarray:
        if metric not in self.fields:
            raise ServesimFileError(f"{self.path}: no compared metric {metric}; it has: {', '.join(self.fields)}")
        return self.fields[metric][fld]


def read_compare(path: str) -> Compare:
    """Reads a compare file written by `servesim compare`."""
    f, kind = open_h5(path)
    with f:
        if kind != COMPARE:
            raise ServesimFileError(f"{path}: a {kind} file, not a comparison")
        P, R = _dataset(f, "point", kind).shape[0], _dataset(f, "replicate", kind).shape[0]
        fields, reps, units = {}, {}, {}
        for name in _creation_order(f):
            if not isinstance(f[name], h5py.Group):
                continue
            fields[name] = {k: _numbers(f, f"{name}/{k}", (P,), kind) for k in COMPARE_FIELDS}
            reps[name] = tuple(_numbers(f, f"{name}/replicate_{s}", (P, R), kind) for s in "ab")
            units[name] = _attr(f[name], "metric_units")
        a = provenance(f)
        return Compare(path, kind, a, str(a.get("name_a", "A")), str(a.get("name_b", "B")),
                       list(_strings(f, "label_a", (P,), kind)), list(_strings(f, "label_b", (P,), kind)), P, R,
                       fields, reps, units)


def read(path: str) -> Union[Study, Plan, Compare]:
    """A study, study_part, plan or compare file, by its own file_kind."""
    kind = file_kind(path)
    return read_plan(path) if kind == PLAN else read_compare(path) if kind == COMPARE else read_study(path)


# ---- hwdb -------------------------------------------------------------------------------------------


def find_servesim() -> str:
    """The servesim binary: $SERVESIM if set, else build/servesim in the repository of this module."""
    env = os.environ.get("SERVESIM")
    path = env or os.path.join(REPO, "build", "servesim")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        how = f"$SERVESIM is {env!r}, not an executable file" if env else f"no executable {path}"
        raise ServesimError(f"servesim binary not found: {how} (build it: cmake -S {REPO} -B {REPO}/build && "
                            f"cmake --build {REPO}/build, or set SERVESIM)")
    return path


def hwdb(table: str, servesim: Optional[str] = None, hwdb: Optional[str] = None) -> dict[str, Any]:
    """The hwdb table as servesim loads it: `servesim list --json TABLE [--hwdb DIR]`, parsed.

    Keys: hwdb_dir, hwdb_sha256, table, fields (the key table: key, required, help) and entries
    (every field of every entry, nested keys flattened as peak_tflops.fp16, plus derived_* values:
    derived_params_total/derived_params_active for models, derived_bytes_per_weight for quant,
    derived_usd_per_gpu_hour for gpu_prices). The C loader has validated the files (types, ranges,
    allowed values, required and unknown keys, id = file name) before printing anything."""
    if table not in HWDB_TABLES:
        raise ValueError(f"hwdb table {table!r}: expected one of {', '.join(HWDB_TABLES)}")
    binary = servesim or find_servesim()
    cmd = [binary, "list", "--json", table] + (["--hwdb", hwdb] if hwdb else [])
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise HwdbError(f"{' '.join(cmd)}: cannot run: {e}") from None
    if p.returncode != 0:
        msg = " ".join((p.stderr or p.stdout).split()) or "no message"
        raise HwdbError(f"{' '.join(cmd)} failed (exit {p.returncode}): {msg}")
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise HwdbError(f"{' '.join(cmd)}: output is not JSON ({e})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("fields"), list) or not isinstance(doc.get("entries"), list):
        raise HwdbError(f"{' '.join(cmd)}: expected a JSON object with 'fields' and 'entries' lists")
    return doc


if __name__ == "__main__":  # a quick look at a file: its kind, provenance and contents
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: servesim_read.py FILE.h5")
    try:
        x = read(sys.argv[1])
    except ServesimError as e:
        sys.exit(f"servesim_read.py: {e}")
    print(f"{x.path}: {x.kind} '{x.name}', servesim {x.attrs.get('program_version')} ({x.attrs.get('git_commit')})")
    if isinstance(x, Plan):
        print(f"  {x.n_candidates} candidates x {x.n_replicates} replicates; columns: {', '.join(x.columns)}")
    elif isinstance(x, Compare):
        print(f"  {x.n_points} points x {x.n_replicates} paired replicates; metrics: {len(x.fields)}")
    else:
        print(f"  {x.n_points} points x {x.n_replicates} replicates; swept: "
              f"{', '.join(a.key for a in x.axes) or 'nothing'}; uncertain: {', '.join(i.key for i in x.inputs) or 'nothing'}")
        if x.point_saturated is not None:
            print(f"  saturated points: {', '.join(str(p) for p in np.flatnonzero(x.point_saturated)) or 'none'}")
