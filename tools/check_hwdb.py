#!/usr/bin/python3
"""check_hwdb.py: the conventions of servesim's hardware/model/price database (hwdb/), checked on the
C loader's own view of it.

Run:  /usr/bin/python3 tools/check_hwdb.py [HWDB_DIR] [--servesim BIN]
      (default: hwdb/ next to this script's parent; servesim: $SERVESIM, else build/servesim)

The schema is not copied here. Every table is read with `servesim list --json TABLE --hwdb DIR`
(tools/servesim_read.py), so the C key tables decide: known keys only, required keys present,
types, number ranges, allowed values, ids equal to file names. A table the loader rejects is
reported with the loader's message (file and line). The key table itself ("fields") comes from the
same JSON. The parameter counts are the loader's derived_params_total / derived_params_active.

On top of that, the project's conventions, which the loader does not enforce:
  - every entry has a non-empty source and a date "YYYY-MM-DD", written quoted in the YAML file
    (PyYAML, which other readers use, takes an unquoted date for a date, not text);
  - GPUs: vendor and arch among the known ones; peak_tflops has fp16 and bf16; fp4 only on
    Blackwell, no fp8 on Ampere;
  - aliases unique within a category, compared the way servesim matches names: case-insensitive,
    ignoring spaces, '-' and '_' (ids count as names too);
  - the required ids exist;
  - models: the derived parameter counts, total and active, printed next to the published figures
    (active less the input embedding table where the entry says its published figure leaves it out);
    a gap above 2% is an error; MoE fields consistent; heads a multiple of kv_heads;
  - quant: kv_ok true exactly for fp16, bf16 and fp8;
  - engines: the single policy runs no more sequences than parallel slots;
  - prices: row ids unique, gpu ids exist; purchase rows have usd_per_hour 0 and usd_purchase > 0,
    rented rows the reverse.
Exit status 0 when everything passes, 1 otherwise (also when servesim cannot be run).
"""
import argparse
import os
import re
import sys

import servesim_read as sr

VENDORS = ["nvidia", "amd"]
ARCHS = ["ampere", "ada", "hopper", "blackwell", "cdna3"]
REQUIRED_IDS = {
    "gpus": ["a100-sxm-40gb", "a100-sxm-80gb", "a100-pcie-40gb", "a100-pcie-80gb", "h100-sxm-80gb",
             "h100-pcie-80gb", "h200-sxm-141gb", "rtx-4090-24gb", "l40s-48gb", "l4-24gb", "a10g-24gb",
             "a10-24gb", "b200-sxm-180gb", "mi300x-192gb"],
    "models": ["llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b",
               "llama-3.1-405b", "mistral-7b", "qwen2.5-7b", "qwen2.5-72b", "gpt-j-6b", "mixtral-8x7b",
               "llama-4-scout", "llama-4-maverick"],
    "quant": ["fp16", "bf16", "fp8", "int8", "w8a16", "awq", "gptq", "q4_0", "q4_k_m", "q8_0", "nvfp4"],
    # versioned profiles (FAMILY@RELEASE, docs/perf.md "Engine versions"): the generations the issue names
    "engines": ["vllm@0.6", "vllm@0.10", "sglang@0.4", "trtllm@0.13", "trtllm@0.17", "trtllm@1.0", "tgi@1.0",
                "tgi@2", "tgi@3", "lmdeploy@0.2", "llamacpp@b2000", "llamacpp@b4000"],
}
KV_FORMATS = {"fp16", "bf16", "fp8"}  # project rule: only these may hold the KV cache
MAX_PARAM_GAP = 0.02
# where each table's entries live under hwdb/: a directory of one file per entry, or one list file
FILES = {"gpus": "gpus/", "models": "models/", "engines": "engines/", "quant": "quant/formats.yaml",
         "gpu_prices": "prices/gpu.yaml", "api_prices": "prices/api.yaml", "model_error": "model_error.yaml"}

DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
DATE_LINE = re.compile(r"^\s*(?:-\s+)?date:\s*(\S.*?)\s*(?:#.*)?$")


class Report:
    def __init__(self):
        self.errors, self.warnings, self.n_checked = [], [], 0

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))

    def warn(self, where, msg):
        self.warnings.append("%s: %s" % (where, msg))


def norm(name):
    return re.sub(r"[\s\-_]", "", str(name)).lower()


def where_of(table, e):
    f = FILES[table]
    return "%s%s.yaml" % (f, e.get("id")) if f.endswith("/") else "%s[%s]" % (f, e.get("id"))


def load_tables(root, servesim):
    """Every table as the loader reads it. The loader reads the whole hwdb at once, so one rejected
    file fails every table: ServesimError then, with the loader's message."""
    return {t: sr.hwdb(t, servesim, root)["entries"] for t in sr.HWDB_TABLES}


def check_source_date(rep, table, entries):
    for e in entries:
        w = where_of(table, e)
        if not str(e.get("source") or "").strip():
            rep.err(w, "empty or missing source")
        if not DATE_RE.match(str(e.get("date") or "")):
            rep.err(w, "date %r is not YYYY-MM-DD" % (e.get("date"),))
        rep.n_checked += 1


def check_date_quoting(rep, root):
    """Every date: line of every hwdb YAML file holds a quoted value."""
    for table, rel in FILES.items():
        path = os.path.join(root, rel)
        files = ([os.path.join(path, f) for f in sorted(os.listdir(path)) if f.endswith(".yaml")]
                 if rel.endswith("/") and os.path.isdir(path) else [path] if os.path.isfile(path) else [])
        for fn in files:
            with open(fn, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = DATE_LINE.match(line)
                    if m and m.group(1)[0] not in "\"'":
                        rep.err("%s:%d" % (os.path.relpath(fn, root), n),
                                "date %s is not quoted (write \"%s\")" % (m.group(1), m.group(1)))


def check_aliases(rep, table, entries):
    seen = {}
    for e in entries:
        names = [e["id"]] + list(e.get("aliases") or [])
        mine = set()
        for n in names:
            key = norm(n)
            w = where_of(table, e)
            if not key:
                rep.err(w, "empty alias")
                continue
            if key in seen and seen[key] != e["id"]:
                rep.err(w, "name '%s' collides with %s (matching ignores case, spaces, '-', '_')" % (n, seen[key]))
            elif key in mine and n != e["id"]:
                rep.warn(w, "alias '%s' is redundant (same as another name of this entry)" % n)
            seen.setdefault(key, e["id"])
            mine.add(key)


def check_required(rep, table, entries):
    have = {e.get("id") for e in entries}
    for rid in REQUIRED_IDS[table]:
        if rid not in have:
            rep.err(table, "required id '%s' missing" % rid)


def check_gpus(rep, gpus):
    for g in gpus:
        w = where_of("gpus", g)
        if g.get("vendor") not in VENDORS:
            rep.err(w, "vendor '%s' not one of %s" % (g.get("vendor"), VENDORS))
        if g.get("arch") not in ARCHS:
            rep.err(w, "arch '%s' not one of %s" % (g.get("arch"), ARCHS))
        peak = lambda dt: g.get("peak_tflops." + dt)  # noqa: E731 (None: not given)
        for need in ("fp16", "bf16"):
            if peak(need) is None:
                rep.err(w, "peak_tflops.%s missing" % need)
        if peak("fp4") is not None and g.get("arch") != "blackwell":
            rep.err(w, "fp4 peak on a non-Blackwell GPU")
        if peak("fp8") is not None and g.get("arch") == "ampere":
            rep.err(w, "fp8 peak on an Ampere GPU")


def check_models(rep, models):
    print("Model parameter counts (billions): derived by servesim (src/hwdb/model.c) vs published")
    print("  %-18s %10s %10s %7s   %10s %10s %7s" % ("model", "derived", "published", "gap",
                                                      "active", "published", "gap"))
    for m in models:
        w = where_of("models", m)
        if m.get("experts", 0) and not m.get("moe_every", 0):
            rep.err(w, "experts > 0 but moe_every is 0")
        if m.get("experts", 0) and m.get("experts_per_token", 0) > m.get("experts", 0):
            rep.err(w, "experts_per_token > experts")
        if m.get("heads", 0) % max(1, m.get("kv_heads", 1)):
            rep.err(w, "heads not a multiple of kv_heads")
        tot, act = m["derived_params_total"] / 1e9, m["derived_params_active"] / 1e9
        if m.get("published_active_without_embedding"):  # compare like with like: the card leaves the table out
            act -= m.get("vocab", 0) * m.get("hidden", 0) / 1e9
        pt, pa = m.get("published_params_b", 0), m.get("published_active_params_b", 0)
        gt = (tot - pt) / pt if pt else float("inf")
        ga = (act - pa) / pa if pa else float("inf")
        flag = ""
        if abs(gt) > MAX_PARAM_GAP:
            rep.err(w, "derived total %.3fB vs published %gB: gap %.1f%% > 2%%" % (tot, pt, 100 * gt))
            flag += " TOTAL>2%"
        if abs(ga) > MAX_PARAM_GAP:
            rep.err(w, "derived active %.3fB vs published %gB: gap %.1f%% > 2%%" % (act, pa, 100 * ga))
            flag += " ACTIVE>2%"
        print("  %-18s %10.3f %10g %+6.1f%%   %10.3f %10g %+6.1f%%%s"
              % (m["id"], tot, pt, 100 * gt, act, pa, 100 * ga, flag))


def check_quant(rep, quants):
    for f in quants:
        if bool(f.get("kv_ok", False)) != (f["id"] in KV_FORMATS):
            rep.err(where_of("quant", f), "kv_ok must be true exactly for %s" % sorted(KV_FORMATS))


def check_engines(rep, engines):
    for e in engines:
        if "@" in e["id"] and not (e.get("family") and e.get("releases_from") and e.get("releases_to")):
            rep.err(where_of("engines", e), "a versioned id needs family, releases_from and releases_to")
        if e.get("policy") == "single" and e.get("max_num_seqs", 1) > e.get("parallel_slots", 1):
            rep.err(where_of("engines", e), "single policy: max_num_seqs exceeds parallel_slots")


def check_prices(rep, tables):
    gpu_ids = {g["id"] for g in tables["gpus"]}
    for t in ("gpu_prices", "api_prices"):
        ids = set()
        for r in tables[t]:
            if r["id"] in ids:
                rep.err(where_of(t, r), "duplicate row id")
            ids.add(r["id"])
    for r in tables["gpu_prices"]:
        w = where_of("gpu_prices", r)
        if r.get("gpu") not in gpu_ids:
            rep.err(w, "gpu '%s' is not a hwdb gpu id" % r.get("gpu"))
        if r.get("tier") == "purchase":
            if r.get("usd_per_hour", 0) != 0 or not r.get("usd_purchase", 0) > 0:
                rep.err(w, "purchase rows need usd_per_hour 0 and usd_purchase > 0")
        elif not r.get("usd_per_hour", 0) > 0 or r.get("usd_purchase", 0) != 0:
            rep.err(w, "rented rows need usd_per_hour > 0 and usd_purchase 0")


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("hwdb", nargs="?", default=os.path.join(os.path.dirname(here), "hwdb"))
    ap.add_argument("--servesim", default=None, help="servesim binary (default: $SERVESIM, else build/servesim)")
    a = ap.parse_args(argv)
    try:
        servesim = a.servesim or sr.find_servesim()
    except sr.ServesimError as e:
        print("check_hwdb.py: %s" % e, file=sys.stderr)
        return 1
    rep = Report()
    print("hwdb: %s  (read by %s list --json)" % (a.hwdb, servesim))
    try:
        tables = load_tables(a.hwdb, servesim)
    except sr.ServesimError as e:
        print("FAILED: servesim's loader rejects the hwdb, so its conventions were not checked:\n  %s" % e)
        return 1
    for t in sr.HWDB_TABLES:
        check_source_date(rep, t, tables[t])
    check_date_quoting(rep, a.hwdb)
    for t in ("gpus", "models", "engines", "quant"):
        check_required(rep, t, tables[t])
        check_aliases(rep, t, tables[t])
    check_gpus(rep, tables["gpus"])
    check_engines(rep, tables["engines"])
    check_quant(rep, tables["quant"])
    check_prices(rep, tables)
    check_models(rep, tables["models"])

    print("checked %d entries: %d gpus, %d models, %d quant formats, %d engines, %d gpu prices, "
          "%d api prices" % (rep.n_checked, len(tables["gpus"]), len(tables["models"]), len(tables["quant"]),
                             len(tables["engines"]), len(tables["gpu_prices"]), len(tables["api_prices"])))
    for w in rep.warnings:
        print("warning: " + w)
    if rep.errors:
        print("FAILED: %d problem(s)" % len(rep.errors))
        for e in rep.errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
