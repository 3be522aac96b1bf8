#!/usr/bin/env python3
"""check_hwdb.py: sanity checks for the servesim hardware/model/price database (hwdb/).

Run:  /usr/bin/python3 tools/check_hwdb.py [HWDB_DIR]      (default: hwdb/ next to this script's parent)

Checks, mirroring what the C loader (src/*.c key tables) enforces plus the database conventions:
  - every file parses (PyYAML if importable, else a small parser for the flat hwdb subset of YAML);
  - only known keys, required keys present, enum values valid, numbers in range;
  - ids equal file names (gpus/, models/, engines/), row ids unique (quant, prices);
  - every entry has a non-empty source and a date "YYYY-MM-DD";
  - aliases unique within a category, compared the way servesim matches names: case-insensitive,
    ignoring spaces, '-' and '_' (ids count as names too);
  - the required ids exist;
  - models: parameter count derived with exactly the formula of src/model.c, total and active,
    printed next to the published figures; a gap above 2% is an error;
  - prices: gpu ids exist; purchase rows have usd_per_hour 0 and usd_purchase > 0, rented rows the reverse.
Exit status 0 when everything passes, 1 otherwise. Standard library only (+ PyYAML when present).
"""
import os
import re
import sys

try:
    import yaml  # type: ignore
except ImportError:  # pragma: no cover - exercised only where python3-yaml is missing
    yaml = None

# ---------------------------------------------------------------------------------------------
# Schema (keep in step with src/hw.c, src/model.c, src/quant.c, src/engine.c, src/price.c)
# ---------------------------------------------------------------------------------------------
NUM, STR, BOOL, LIST, MAP = "num", "str", "bool", "list", "map"
DTYPES = ["fp16", "bf16", "fp8", "int8", "int4", "fp4"]

GPU_KEYS = {
    "id": (STR, True), "name": (STR, True), "vendor": (STR, True), "arch": (STR, True),
    "aliases": (LIST, False), "memory_gb": (NUM, True), "mem_bw_gb_s": (NUM, True),
    "peak_tflops": (MAP, True), "nvlink_gb_s": (NUM, True), "pcie_gb_s": (NUM, True),
    "tdp_w": (NUM, True), "source": (STR, True), "date": (STR, True), "note": (STR, False),
}
MODEL_KEYS = {
    "id": (STR, True), "name": (STR, True), "aliases": (LIST, False),
    "layers": (NUM, True), "hidden": (NUM, True), "heads": (NUM, True), "kv_heads": (NUM, True),
    "head_dim": (NUM, True), "ffn": (NUM, True), "mlp": (STR, False), "vocab": (NUM, True),
    "tied_embeddings": (BOOL, False), "max_context": (NUM, True), "experts": (NUM, False),
    "experts_per_token": (NUM, False), "expert_ffn": (NUM, False), "shared_experts": (NUM, False),
    "moe_every": (NUM, False), "published_params_b": (NUM, True),
    "published_active_params_b": (NUM, True), "source": (STR, True), "date": (STR, True),
    "note": (STR, False),
}
QUANT_KEYS = {
    "id": (STR, True), "name": (STR, True), "aliases": (LIST, False),
    "bits_per_weight": (NUM, True), "group_size": (NUM, False), "compute_dtype": (STR, True),
    "fallback_dtype": (STR, False), "weight_only": (BOOL, False), "kv_ok": (BOOL, False),
    "kernel_efficiency": (NUM, False), "source": (STR, True), "date": (STR, True), "note": (STR, False),
}
ENGINE_KEYS = {
    "id": (STR, True), "name": (STR, True), "version": (STR, True), "aliases": (LIST, False),
    "policy": (STR, True), "max_num_seqs": (NUM, True), "max_batched_tokens": (NUM, True),
    "block_size": (NUM, True), "gpu_memory_utilization": (NUM, True),
    "chunked_prefill": (BOOL, True), "parallel_slots": (NUM, False),
    "runtime_reserve_gb": (NUM, True), "overhead_step_s": (NUM, True),
    "overhead_layer_s": (NUM, True), "overhead_request_s": (NUM, True),
    "overhead_token_s": (NUM, True), "calibrated": (BOOL, True), "source": (STR, True),
    "date": (STR, True), "note": (STR, False),
    # step-time efficiencies (perf), added by the calibration work
    "memory_fraction_of_free": (BOOL, False), "eff_weights": (NUM, False), "eff_kv": (NUM, False),
    "eff_compute_16": (NUM, False), "eff_compute_8": (NUM, False), "overlap_loss": (NUM, False),
    "allreduce_latency_s": (NUM, False), "link_efficiency": (NUM, False), "pcie_efficiency": (NUM, False),
    "weight_stream_cap_gb_s": (NUM, False), "allreduce_ring": (BOOL, False),
    "weight_only_kernel_scale": (NUM, False), "calibration": (STR, False),
    # scheduler admission (sched), added by the simulator validation work
    "reserve_full_kv": (BOOL, False),
}
GPU_PRICE_KEYS = {
    "id": (STR, True), "gpu": (STR, True), "provider": (STR, True), "offering": (STR, False),
    "tier": (STR, True), "gpus": (NUM, True), "usd_per_hour": (NUM, True),
    "usd_purchase": (NUM, False), "source": (STR, True), "date": (STR, True), "note": (STR, False),
}
API_PRICE_KEYS = {
    "id": (STR, True), "model": (STR, True), "provider": (STR, True),
    "usd_per_1m_input": (NUM, True), "usd_per_1m_output": (NUM, True), "source": (STR, True),
    "date": (STR, True), "note": (STR, False),
}

RANGES = {  # key: (lo, hi) as in the C key tables
    "memory_gb": (1, 1e4), "mem_bw_gb_s": (1, 1e5), "nvlink_gb_s": (0, 1e5), "pcie_gb_s": (1, 1e4),
    "tdp_w": (1, 1e5), "layers": (1, 1024), "hidden": (1, 1e6), "heads": (1, 1024),
    "kv_heads": (1, 1024), "head_dim": (1, 4096), "ffn": (0, 1e6), "vocab": (1, 1e7),
    "max_context": (1, 1e8), "experts": (0, 1024), "experts_per_token": (0, 1024),
    "expert_ffn": (0, 1e6), "shared_experts": (0, 64), "moe_every": (0, 64),
    "published_params_b": (0.01, 1e5), "published_active_params_b": (0.01, 1e5),
    "bits_per_weight": (1, 64), "group_size": (0, 1e6), "max_num_seqs": (1, 1e6),
    "max_batched_tokens": (1, 1e7), "block_size": (1, 4096), "gpu_memory_utilization": (0.05, 1.0),
    "parallel_slots": (1, 4096), "runtime_reserve_gb": (0, 100), "overhead_step_s": (0, 10),
    "overhead_layer_s": (0, 1), "overhead_request_s": (0, 1), "overhead_token_s": (0, 1),
    "gpus": (1, 1024), "usd_per_hour": (0, 1e5), "usd_purchase": (0, 1e8),
    "usd_per_1m_input": (0, 1e4), "usd_per_1m_output": (0, 1e4),
    "kernel_efficiency": (0.05, 1), "eff_weights": (0.05, 1), "eff_kv": (0.05, 1), "eff_compute_16": (0.01, 1),
    "eff_compute_8": (0.01, 1), "overlap_loss": (0, 1), "allreduce_latency_s": (0, 1),
    "link_efficiency": (0.01, 1), "pcie_efficiency": (0.01, 1), "weight_stream_cap_gb_s": (0, 1e5),
    "weight_only_kernel_scale": (0.05, 1),
}
ENUMS = {
    "vendor": ["nvidia", "amd"], "arch": ["ampere", "ada", "hopper", "blackwell", "cdna3"],
    "mlp": ["gated", "plain"], "compute_dtype": DTYPES, "fallback_dtype": DTYPES,
    "policy": ["continuous", "static", "single"], "tier": ["on_demand", "spot", "reserved", "purchase"],
}

REQUIRED_IDS = {
    "gpus": ["a100-sxm-40gb", "a100-sxm-80gb", "a100-pcie-40gb", "a100-pcie-80gb", "h100-sxm-80gb",
             "h100-pcie-80gb", "h200-sxm-141gb", "rtx-4090-24gb", "l40s-48gb", "l4-24gb", "a10g-24gb",
             "b200-sxm-180gb", "mi300x-192gb"],
    "models": ["llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b",
               "llama-3.1-405b", "mistral-7b", "qwen2.5-7b", "qwen2.5-72b", "gpt-j-6b", "mixtral-8x7b",
               "llama-4-scout", "llama-4-maverick"],
    "quant": ["fp16", "bf16", "fp8", "int8", "w8a16", "awq", "gptq", "q4_0", "q4_k_m", "q8_0", "nvfp4"],
    "engines": ["vllm", "sglang", "trtllm", "tgi", "llamacpp"],
}
KV_FORMATS = {"fp16", "bf16", "fp8"}  # project rule: only these may hold the KV cache
MAX_PARAM_GAP = 0.02

DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")

# ---------------------------------------------------------------------------------------------
# Minimal YAML subset parser (used only when PyYAML is unavailable): block maps, a top-level key
# holding a block list of maps, flow lists ["a", b] and flow maps {k: v}, quoted/plain scalars,
# '#' comments outside quotes. This is all hwdb uses.
# ---------------------------------------------------------------------------------------------


def _strip_comment(line):
    out, q = [], None
    for i, ch in enumerate(line):
        if q:
            out.append(ch)
            if ch == q and line[i - 1] != "\\":
                q = None
        elif ch in "\"'":
            q = ch
            out.append(ch)
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        else:
            out.append(ch)
    return "".join(out).rstrip()


def _split_flow(s):
    parts, depth, q, cur = [], 0, None, []
    for i, ch in enumerate(s):
        if q:
            cur.append(ch)
            if ch == q and s[i - 1] != "\\":
                q = None
            continue
        if ch in "\"'":
            q = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def _scalar(s):
    s = s.strip()
    if s.startswith("[") and s.endswith("]"):
        return [_scalar(p) for p in _split_flow(s[1:-1])]
    if s.startswith("{") and s.endswith("}"):
        d = {}
        for p in _split_flow(s[1:-1]):
            k, v = p.split(":", 1)
            d[_scalar(k)] = _scalar(v)
        return d
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        body = s[1:-1]
        return body.replace('\\"', '"').replace("\\\\", "\\") if s[0] == '"' else body.replace("''", "'")
    if s in ("true", "True"):
        return True
    if s in ("false", "False"):
        return False
    if s in ("null", "~", ""):
        return None
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        return s


def _key_value(text):
    # split "key: value" at the first ': ' (or trailing ':') outside quotes
    q = None
    for i, ch in enumerate(text):
        if q:
            if ch == q:
                q = None
        elif ch in "\"'":
            q = ch
        elif ch == ":" and (i + 1 == len(text) or text[i + 1] == " "):
            return text[:i].strip(), text[i + 1:].strip()
    raise ValueError("expected 'key: value' in %r" % text)


def mini_yaml_load(text):
    lines = [l for l in (_strip_comment(x) for x in text.splitlines()) if l.strip()]
    root, i = {}, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(" "):
            raise ValueError("unexpected indentation: %r" % line)
        k, v = _key_value(line)
        if v:
            root[k] = _scalar(v)
            i += 1
            continue
        items, i = [], i + 1  # a block list of maps follows
        while i < len(lines) and lines[i].startswith(" "):
            stripped = lines[i].lstrip()
            if not stripped.startswith("- "):
                raise ValueError("expected '- ' list item: %r" % lines[i])
            indent = len(lines[i]) - len(stripped) + 2
            item = {}
            kk, vv = _key_value(stripped[2:])
            item[kk] = _scalar(vv)
            i += 1
            while i < len(lines) and len(lines[i]) - len(lines[i].lstrip()) == indent:
                kk, vv = _key_value(lines[i].strip())
                item[kk] = _scalar(vv)
                i += 1
            items.append(item)
        root[k] = items
    return root


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if yaml is not None:
        return yaml.safe_load(text)
    return mini_yaml_load(text)


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------
class Report:
    def __init__(self):
        self.errors, self.warnings, self.n_checked = [], [], 0

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))

    def warn(self, where, msg):
        self.warnings.append("%s: %s" % (where, msg))


def norm(name):
    return re.sub(r"[\s\-_]", "", str(name)).lower()


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_entry(rep, where, entry, keys):
    if not isinstance(entry, dict):
        rep.err(where, "entry is not a mapping")
        return False
    for k in entry:
        if k not in keys:
            rep.err(where, "unknown key '%s'" % k)
    for k, (kind, required) in keys.items():
        if k not in entry:
            if required:
                rep.err(where, "missing required key '%s'" % k)
            continue
        v = entry[k]
        if kind == NUM:
            if not is_num(v):
                rep.err(where, "'%s' must be a number, got %r" % (k, v))
            elif k in RANGES and not (RANGES[k][0] <= v <= RANGES[k][1]):
                rep.err(where, "'%s' = %r outside [%g, %g]" % (k, v, RANGES[k][0], RANGES[k][1]))
        elif kind == STR:
            if not isinstance(v, str):
                rep.err(where, "'%s' must be a string, got %r" % (k, v))
            elif k in ENUMS and v not in ENUMS[k]:
                rep.err(where, "'%s' = '%s' not one of %s" % (k, v, ENUMS[k]))
        elif kind == BOOL:
            if not isinstance(v, bool):
                rep.err(where, "'%s' must be true/false, got %r" % (k, v))
        elif kind == LIST:
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                rep.err(where, "'%s' must be a list of strings" % k)
        elif kind == MAP and not isinstance(v, dict):
            rep.err(where, "'%s' must be a mapping" % k)
    src, date = entry.get("source"), entry.get("date")
    if not (isinstance(src, str) and src.strip()):
        rep.err(where, "empty or missing source")
    if not (isinstance(date, str) and DATE_RE.match(date)):
        rep.err(where, "date %r is not a quoted YYYY-MM-DD string" % (date,))
    rep.n_checked += 1
    return True


def check_aliases(rep, cat, entries):
    seen = {}
    for e in entries:
        if not isinstance(e, dict) or "id" not in e:
            continue
        names = [e["id"]] + [a for a in e.get("aliases", []) or [] if isinstance(a, str)]
        mine = set()
        for n in names:
            key = norm(n)
            if not key:
                rep.err("%s/%s" % (cat, e["id"]), "empty alias")
                continue
            if key in seen and seen[key] != e["id"]:
                rep.err("%s/%s" % (cat, e["id"]),
                        "name '%s' collides with %s (matching ignores case, spaces, '-', '_')"
                        % (n, seen[key]))
            elif key in mine and n != e["id"]:
                rep.warn("%s/%s" % (cat, e["id"]), "alias '%s' is redundant (same as another name of this entry)" % n)
            seen.setdefault(key, e["id"])
            mine.add(key)


def check_dir_of_files(rep, root, cat, keys):
    d = os.path.join(root, cat)
    entries = []
    if not os.path.isdir(d):
        rep.err(cat, "directory missing")
        return entries
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".yaml"):
            continue
        where = "%s/%s" % (cat, fn)
        try:
            e = load(os.path.join(d, fn))
        except Exception as ex:  # parse error
            rep.err(where, "does not parse: %s" % ex)
            continue
        if not check_entry(rep, where, e, keys):
            continue
        if e.get("id") != fn[:-5]:
            rep.err(where, "id '%s' differs from the file name" % e.get("id"))
        entries.append(e)
    return entries


def check_required(rep, cat, entries):
    have = {e.get("id") for e in entries}
    for rid in REQUIRED_IDS[cat]:
        if rid not in have:
            rep.err(cat, "required id '%s' missing" % rid)


def check_gpus(rep, gpus):
    for g in gpus:
        where = "gpus/%s" % g["id"]
        pk = g.get("peak_tflops") or {}
        for k, v in pk.items():
            if k not in DTYPES:
                rep.err(where, "peak_tflops key '%s' not one of %s" % (k, DTYPES))
            elif not is_num(v) or not (0 <= v <= 1e5):
                rep.err(where, "peak_tflops.%s = %r invalid" % (k, v))
        for need in ("fp16", "bf16"):
            if need not in pk:
                rep.err(where, "peak_tflops.%s missing" % need)
        if "fp4" in pk and g.get("arch") != "blackwell":
            rep.err(where, "fp4 peak on a non-Blackwell GPU")
        if "fp8" in pk and g.get("arch") == "ampere":
            rep.err(where, "fp8 peak on an Ampere GPU")


# --- parameter count: exactly src/model.c -----------------------------------------------------
def model_counts(m):
    g = lambda k: float(m.get(k, 0) or 0)  # noqa: E731
    layers, hidden = g("layers"), g("hidden")
    experts, moe_every = g("experts"), g("moe_every")
    is_moe = experts > 0 and moe_every > 0
    moe_layers = float(int(layers / moe_every)) if is_moe else 0.0
    dense_layers = layers - moe_layers
    attn = hidden * g("head_dim") * (2 * g("heads") + 2 * g("kv_heads"))
    per_layer_common = attn + 2 * hidden
    mult = 3 if m.get("mlp", "gated") == "gated" else 2
    dense_mlp = mult * hidden * g("ffn")
    expert = 3 * hidden * g("expert_ffn")
    embed = g("vocab") * hidden * (1 if m.get("tied_embeddings", False) else 2)

    def count(experts_counted):
        moe_layer = (experts_counted + g("shared_experts")) * expert + hidden * experts
        return (embed + hidden + layers * per_layer_common + dense_layers * dense_mlp
                + moe_layers * moe_layer)

    total = count(experts)
    active = count(g("experts_per_token") if is_moe else 0)
    return total / 1e9, active / 1e9


def check_models(rep, models):
    print("Model parameter counts (billions): derived with the src/model.c formula vs published")
    print("  %-18s %10s %10s %7s   %10s %10s %7s" % ("model", "derived", "published", "gap",
                                                      "active", "published", "gap"))
    for m in models:
        where = "models/%s" % m["id"]
        if m.get("experts", 0) and not m.get("moe_every", 0):
            rep.err(where, "experts > 0 but moe_every is 0")
        if m.get("experts", 0) and m.get("experts_per_token", 0) > m.get("experts", 0):
            rep.err(where, "experts_per_token > experts")
        if m.get("heads", 0) % max(1, m.get("kv_heads", 1)):
            rep.err(where, "heads not a multiple of kv_heads")
        tot, act = model_counts(m)
        pt, pa = m.get("published_params_b", 0), m.get("published_active_params_b", 0)
        gt = (tot - pt) / pt if pt else float("inf")
        ga = (act - pa) / pa if pa else float("inf")
        flag = ""
        if abs(gt) > MAX_PARAM_GAP:
            rep.err(where, "derived total %.3fB vs published %gB: gap %.1f%% > 2%%" % (tot, pt, 100 * gt))
            flag += " TOTAL>2%"
        if abs(ga) > MAX_PARAM_GAP:
            rep.err(where, "derived active %.3fB vs published %gB: gap %.1f%% > 2%%" % (act, pa, 100 * ga))
            flag += " ACTIVE>2%"
        print("  %-18s %10.3f %10g %+6.1f%%   %10.3f %10g %+6.1f%%%s"
              % (m["id"], tot, pt, 100 * gt, act, pa, 100 * ga, flag))


def check_quant(rep, root):
    where = "quant/formats.yaml"
    path = os.path.join(root, "quant", "formats.yaml")
    try:
        doc = load(path)
    except Exception as ex:
        rep.err(where, "does not parse: %s" % ex)
        return []
    if not isinstance(doc, dict) or set(doc) != {"formats"} or not isinstance(doc["formats"], list):
        rep.err(where, "top level must be exactly 'formats: [...]'")
        return []
    out, ids = [], set()
    for i, f in enumerate(doc["formats"]):
        w = "%s[%s]" % (where, f.get("id", i) if isinstance(f, dict) else i)
        if not check_entry(rep, w, f, QUANT_KEYS):
            continue
        if f["id"] in ids:
            rep.err(w, "duplicate id")
        ids.add(f["id"])
        if bool(f.get("kv_ok", False)) != (f["id"] in KV_FORMATS):
            rep.err(w, "kv_ok must be true exactly for %s" % sorted(KV_FORMATS))
        out.append(f)
    return out


def check_prices(rep, root, gpu_ids):
    gp_path = os.path.join(root, "prices", "gpu.yaml")
    api_path = os.path.join(root, "prices", "api.yaml")
    rows_g, rows_a = [], []
    for path, top, keys, sink in ((gp_path, "gpu_prices", GPU_PRICE_KEYS, rows_g),
                                  (api_path, "api_prices", API_PRICE_KEYS, rows_a)):
        where = "prices/%s" % os.path.basename(path)
        try:
            doc = load(path)
        except Exception as ex:
            rep.err(where, "does not parse: %s" % ex)
            continue
        if not isinstance(doc, dict) or set(doc) != {top} or not isinstance(doc[top], list):
            rep.err(where, "top level must be exactly '%s: [...]'" % top)
            continue
        ids = set()
        for i, r in enumerate(doc[top]):
            w = "%s[%s]" % (where, r.get("id", i) if isinstance(r, dict) else i)
            if not check_entry(rep, w, r, keys):
                continue
            if r["id"] in ids:
                rep.err(w, "duplicate row id")
            ids.add(r["id"])
            sink.append(r)
    for r in rows_g:
        w = "prices/gpu.yaml[%s]" % r["id"]
        if r.get("gpu") not in gpu_ids:
            rep.err(w, "gpu '%s' is not a hwdb gpu id" % r.get("gpu"))
        if r.get("tier") == "purchase":
            if r.get("usd_per_hour", 0) != 0 or not r.get("usd_purchase", 0) > 0:
                rep.err(w, "purchase rows need usd_per_hour 0 and usd_purchase > 0")
        else:
            if not r.get("usd_per_hour", 0) > 0 or r.get("usd_purchase", 0) != 0:
                rep.err(w, "rented rows need usd_per_hour > 0 and usd_purchase 0")
    return rows_g, rows_a


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(here), "hwdb")
    rep = Report()
    print("hwdb: %s  (YAML parser: %s)" % (root, "PyYAML " + yaml.__version__ if yaml else "built-in subset"))

    gpus = check_dir_of_files(rep, root, "gpus", GPU_KEYS)
    models = check_dir_of_files(rep, root, "models", MODEL_KEYS)
    engines = check_dir_of_files(rep, root, "engines", ENGINE_KEYS)
    quants = check_quant(rep, root)
    for cat, entries in (("gpus", gpus), ("models", models), ("engines", engines), ("quant", quants)):
        check_required(rep, cat, entries)
        check_aliases(rep, cat, entries)
    check_gpus(rep, gpus)
    for e in engines:
        if e.get("policy") == "single" and e.get("max_num_seqs", 1) > e.get("parallel_slots", 1):
            rep.err("engines/%s" % e["id"], "single policy: max_num_seqs exceeds parallel_slots")
    rows_g, rows_a = check_prices(rep, root, {g["id"] for g in gpus})
    check_models(rep, models)

    print("checked %d entries: %d gpus, %d models, %d quant formats, %d engines, %d gpu prices, "
          "%d api prices" % (rep.n_checked, len(gpus), len(models), len(quants), len(engines),
                             len(rows_g), len(rows_a)))
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
    sys.exit(main(sys.argv))
