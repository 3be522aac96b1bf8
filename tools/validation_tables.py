#!/usr/bin/python3
"""validation_tables.py: rewrites the generated tables of results/validation.md (the error tables
by group/mode/metric and by group, and the per-row table) from `servesim validate --json`, through
the simulator and through --analytic, so the page cannot drift from the binary.

The error statistics of all throughput and all latency rows are the binary's own (the JSON's
"throughput" and "latency" objects); the per-group ones are medians and 90th percentiles of
|error_pct| over the JSON's rows, which the JSON does not summarise.

usage: tools/validation_tables.py [--servesim BIN | --build DIR] [--page results/validation.md]
       (default binary: $SERVESIM, else build/servesim)
"""
import argparse
import json
import os
import subprocess

import numpy as np

import servesim_read as sr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "tests", "validation", "calibration.csv")
KIND = {"usd_per_1m_out": "cost"}


def kind(metric, row=None):
    """throughput, latency or cost: the row's own "kind" when the JSON gives it, else the metric name
    read as src/study/validate.c's VALIDATE_METRICS table classifies it (checked against the JSON's
    throughput and latency counts in tables())."""
    if row and row.get("kind"):
        return row["kind"]
    if metric in KIND:
        return KIND[metric]
    return "latency" if metric.endswith(("_p50", "_p99", "_mean")) and "_s_" in metric + "_" else "throughput"


def run(binary, *extra):
    out = subprocess.run([binary, "validate", *extra, "--json", CASES], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def stat(rows):
    e = [abs(r["error_pct"]) for r in rows]
    return len(e), np.median(e), np.percentile(e, 90)


def fmt(x):
    return f"{x:.5g}"


def tables(sim_doc, ana_doc, cases):
    sim, ana = sim_doc["rows"], ana_doc["rows"]
    done = [r for r in sim if not r["skipped"]]
    groups = list(dict.fromkeys(r["group"] for r in done))
    out1 = ["| group | mode | metric | kind | rows | median abs error % | p90 abs error % |", "|---|---|---|---|---|---|---|"]
    for g in groups:
        combos = list(dict.fromkeys((r["mode"], r["metric"]) for r in done if r["group"] == g))
        for mode, metric in combos:
            n, med, p90 = stat([r for r in done if (r["group"], r["mode"], r["metric"]) == (g, mode, metric)])
            out1.append(f"| {g} | {mode} | {metric} | {kind(metric, next(r for r in done if r['metric'] == metric))} | {n} | {med:.1f} | {p90:.1f} |")
    out2 = ["| group | rows | median abs error % | p90 abs error % |", "|---|---|---|---|"]
    for g in groups:
        n, med, p90 = stat([r for r in done if r["group"] == g])
        out2.append(f"| {g} | {n} | {med:.1f} | {p90:.1f} |")
    for k in ("throughput", "latency", "cost"):
        n, med, p90 = stat([r for r in done if kind(r["metric"], r) == k])
        if k in sim_doc:  # the binary's own summary of the kind
            c = sim_doc[k]
            if c["n"] != n:
                raise SystemExit(f"validation_tables.py: {n} {k} rows here, {c['n']} by servesim validate: "
                                 "the metric kinds of kind() are out of step with src/study/validate.c")
            med, p90 = c["median_abs_pct"], c["p90_abs_pct"]
        out2.append(f"| **all {k} rows** | {n} | **{med:.1f}** | {p90:.1f} |")
    an = {r["id"]: r for r in ana}
    out3 = ["| id | group | mode | load | metric | measured | simulator | error % | analytic error % |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in sim:
        a = an.get(r["id"])
        a_err = f"{a['error_pct']:+.1f}" if a and not a["skipped"] and a.get("approximate") else ""
        pred, err = ("skipped", "") if r["skipped"] else (fmt(r["predicted"]), f"{r['error_pct']:+.1f}")
        out3.append(f"| {r['id']} | {r['group']} | {r['mode']} | {cases[r['id']]['load']} | {r['metric']} | "
                    f"{fmt(r['measured'])} | {pred} | {err} | {a_err} |")
    return "\n".join(out1), "\n".join(out2), "\n".join(out3)


def replace_table(page, header, new):
    """Replace the Markdown table that starts with the line `header`."""
    i = page.index(header)
    j = i
    lines = page[i:].split("\n")
    k = 0
    while k < len(lines) and lines[k].startswith("|"):
        k += 1
    j = i + len("\n".join(lines[:k]))
    return page[:i] + new + page[j:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servesim", default=None, help="servesim binary (default: $SERVESIM, else build/servesim)")
    ap.add_argument("--build", default=None, help="build directory holding the servesim binary")
    ap.add_argument("--page", default=os.path.join(ROOT, "results", "validation.md"))
    a = ap.parse_args()
    try:
        binary = a.servesim or (os.path.join(a.build, "servesim") if a.build else sr.find_servesim())
    except sr.ServesimError as e:
        raise SystemExit(f"validation_tables.py: {e}")
    import csv
    with open(CASES) as f:
        cases = {r["id"]: r for r in csv.DictReader(f)}
    t1, t2, t3 = tables(run(binary), run(binary, "--analytic"), cases)
    page = open(a.page).read()
    page = replace_table(page, "| group | mode | metric | kind |", t1)
    page = replace_table(page, "| group | rows | median abs error % |", t2)
    page = replace_table(page, "| id | group | mode | load | metric |", t3)
    open(a.page, "w").write(page)
    print(f"{a.page}: tables rewritten")


if __name__ == "__main__":
    main()
