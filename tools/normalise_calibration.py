#!/usr/bin/python3
"""Normalise the public calibration measurements into servesim's validation case format.

Input : tests/validation/raw/measurements.csv (free text as each source wrote it, 81 rows, each
        with its source)
Output: tests/validation/calibration.csv, the case format `servesim validate` reads
        (docs/architecture.md, "Validation cases":
        id,gpu,gpus,tp,model,weights,kv,engine,mode,load,input_len,output_len,metric,value)
        plus trailing columns: group, trust, input_sigma, output_sigma.

Standard library only; run with /usr/bin/python3. The output is a pure function of the input
(rows keep input order, numbers are converted with exact decimal arithmetic), so re-running it
gives a byte-identical file. Every judgement call is either a mapping table entry or a per-row
override below, each with a comment; tests/validation/README.md explains them for reviewers.

Any input text that no table or override covers is an error: rows are never dropped or guessed.

Usage:
  /usr/bin/python3 tools/normalise_calibration.py [--input PATH] [--output PATH|-]
"""

import argparse
import csv
import os
import re
import sys
from decimal import Decimal

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

OUT_COLUMNS = ["id", "gpu", "gpus", "tp", "model", "weights", "kv", "engine", "mode", "load",
               "input_len", "output_len", "metric", "value", "group", "trust", "input_sigma", "output_sigma",
               "requests", "set"]

IN_COLUMNS = ["id", "source", "gpu", "gpu_count", "tensor_parallel", "model", "weight_precision",
              "kv_precision", "framework", "scenario", "batch_concurrency_or_rate", "input_len",
              "output_len", "metric", "value", "unit", "notes", "trust"]

# ---------------------------------------------------------------------------------------------
# Allowed ids (hwdb ids and the case format's vocabulary). Output is checked against these.
# ---------------------------------------------------------------------------------------------
GPU_IDS = {"a100-sxm-40gb", "a100-sxm-80gb", "a100-pcie-40gb", "a100-pcie-80gb", "h100-sxm-80gb",
           "h100-pcie-80gb", "h200-sxm-141gb", "rtx-4090-24gb", "l40s-48gb", "l4-24gb",
           "a10g-24gb", "b200-sxm-180gb", "mi300x-192gb"}
MODEL_IDS = {"llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b",
             "llama-3.1-405b", "mistral-7b", "qwen2.5-7b", "qwen2.5-72b", "gpt-j-6b",
             "mixtral-8x7b", "llama-4-scout", "llama-4-maverick"}
WEIGHT_IDS = {"fp16", "bf16", "fp8", "int8", "w8a16", "awq", "gptq", "q4_0", "q4_k_m", "q8_0"}
KV_IDS = {"fp16", "bf16", "fp8"}
# FAMILY@RELEASE as the source ran it: servesim picks the profile whose releases hold it (hwdb/engines)
ENGINE_IDS = {"vllm@0.6.0", "sglang@0.3.0", "trtllm@0.13.0", "tgi@1.0.3", "llamacpp@b2000"}
MODE_IDS = {"offline", "static", "closed", "poisson", "single"}
METRIC_IDS = {"output_tok_s", "output_tok_s_per_gpu", "decode_tok_s_b1", "prefill_tok_s",
              "ttft_s_mean", "ttft_s_p50", "ttft_s_p99", "tpot_s_mean", "tpot_s_p50",
              "tpot_s_p99", "itl_s_mean", "e2e_s_mean", "req_s", "usd_per_1m_out"}
GROUP_IDS = {"trtllm-perf", "sglang-vllm", "tgi-sagemaker", "llamacpp-b1"}

# ---------------------------------------------------------------------------------------------
# Mapping tables: source text -> id. Keys are the exact strings found in measurements.csv.
# ---------------------------------------------------------------------------------------------
GPU_MAP = {
    # TensorRT-LLM perf-overview header says 'H200 141GB HBM3'; 141 GB HBM3e is the SXM part
    # (the only H200 in hwdb).
    "H200 (doc header: 'H200 141GB HBM3')": "h200-sxm-141gb",
    # 'H100 80GB HBM3': HBM3 is the SXM part (H100 PCIe has HBM2e).
    "H100-SXM-80GB (doc header: 'H100 80GB HBM3')": "h100-sxm-80gb",
    "A100-SXM4-80GB": "a100-sxm-80gb",
    "A100-SXM4-40GB": "a100-sxm-40gb",          # ml.p4d.24xlarge = 8x A100-SXM4-40GB
    "L40S-48GB": "l40s-48gb",
    "A10G-24GB": "a10g-24gb",
    "RTX 4090 24GB": "rtx-4090-24gb",
    "H100-PCIe-80GB": "h100-pcie-80gb",
    # Judgement: form factor not stated by the SGLang README -> assume SXM (README: form factors).
    "A100 80G (form factor not stated)": "a100-sxm-80gb",
    "H100 80G (form factor not stated)": "h100-sxm-80gb",
    # Judgement: variant not stated -> SXM by default. The only rows with this text (HO-205,
    # HO-207) are overridden to PCIe below, from the source's own notebook.
    "A100 80GB (variant not stated)": "a100-sxm-80gb",
}

MODEL_MAP = {
    "Llama-3.1-8B": "llama-3.1-8b",
    "Llama-3.1-8B-Instruct": "llama-3.1-8b",       # instruct fine-tune: same architecture
    "Llama-3.1-70B": "llama-3.1-70b",
    "Llama-3.1-70B-Instruct": "llama-3.1-70b",
    # Llama 3 and 3.1 share layer shapes, GQA and vocabulary; 3.1 only adds RoPE scaling for
    # 128k context, which does not change step time at these lengths.
    "Meta-Llama-3-8B": "llama-3.1-8b",
    "Meta-Llama-3-70B": "llama-3.1-70b",
    "Llama-2-7b-hf": "llama-2-7b",
    "Llama-2-7b": "llama-2-7b",
    "Llama-2-7b-chat": "llama-2-7b",               # chat fine-tune: same architecture
    "TheBloke/Llama-2-7B-GPTQ": "llama-2-7b",      # quantised copy; precision in `weights`
    "Llama-2-13b-hf": "llama-2-13b",
    "Llama-2-70b-hf": "llama-2-70b",
    "Llama-2-70b": "llama-2-70b",
    "TheBloke/Llama-2-70B-GPTQ": "llama-2-70b",
    # CodeLlama-7b = Llama-2-7B architecture; differs only in vocab (32016 vs 32000) and RoPE
    # theta (1e6 vs 1e4): +16 LM-head rows, no measurable step-time effect.
    "CodeLlama-7b (llama 7B arch)": "llama-2-7b",
}

WEIGHTS_MAP = {
    "FP8": "fp8",
    "FP16": "fp16",
    "BF16 (model default; not stated)": "bf16",    # HF checkpoint dtype; engines' dtype=auto
    "GPTQ 4-bit": "gptq",
    "GPTQ int4": "gptq",
    "F16 (GGUF)": "fp16",
    "Q4_K_M (GGUF)": "q4_k_m",
    "q4_0 (GGUF)": "q4_0",
    "Q4_0 (GGUF)": "q4_0",
    "Q8_0 (GGUF)": "q8_0",
}

KV_MAP = {
    "FP8": "fp8",                                   # TRT-LLM: FP8 engines use FP8 KV (notes)
    "FP16": "fp16",
    # SGLang 0.3.0 / vLLM 0.6.0 default kv_cache_dtype 'auto' = model dtype = bf16.
    "not stated (default)": "bf16",
    "FP16 (TGI default; not stated)": "fp16",
    "F16 (llama.cpp default; not stated)": "fp16",
    "F16 (default)": "fp16",
}

ENGINE_MAP = {
    "TensorRT-LLM 0.13.0 (trtllm-bench)": "trtllm@0.13.0",
    "SGLang 0.3.0": "sglang@0.3.0",
    "vLLM 0.6.0": "vllm@0.6.0",
    "TGI 1.0.3 (HF LLM DLC on SageMaker)": "tgi@1.0.3",
    # llama.cpp builds are numbered bNNNN; these rows name a month, not a build. Dec 2023 and Jan 2024
    # are builds b1xxx. Judgement: the 'May 2024' snapshot's build is taken as before b3000 (CUDA graphs
    # merged in May 2024, PR #6766; the snapshot's prompt speeds match the older builds). Written as the
    # profile's own release (llamacpp@b2000 holds b1..b2999).
    "llama.cpp (build of May 2024)": "llamacpp@b2000",
    "llama.cpp (build of Dec 2023)": "llamacpp@b2000",
    "llama.cpp (Jan 2024, ggml-backend PR)": "llamacpp@b2000",
    # Judgement: no ExLlama profile exists; ExLlama is a single-stream batch-1 CUDA engine like
    # llama.cpp, so it is validated against the llama.cpp profile of its time (2023; README: engines).
    "ExLlama (commit c16cf49)": "llamacpp@b2000",
}

SCENARIO_MODE = {
    "offline max-throughput": "offline",
    "offline max-throughput (rate=inf)": "offline",
    "online, Poisson request rate": "poisson",
    "fixed concurrency (closed loop)": "closed",
    "single stream (llama-bench)": "single",
    "single stream": "single",
}

# (source metric, source unit) -> (metric id, factor to SI)
METRIC_MAP = {
    ("output_tokens_per_s_total", "tok/s"): ("output_tok_s", Decimal(1)),
    ("prefill_tokens_per_s", "tok/s"): ("prefill_tok_s", Decimal(1)),
    ("decode_tokens_per_s_batch1", "tok/s"): ("decode_tok_s_b1", Decimal(1)),
    # sglang.bench_serving median TPOT = median over requests of (E2E - TTFT) / (out - 1).
    ("TPOT_median", "ms"): ("tpot_s_p50", Decimal("0.001")),
    # TGI router 'time_per_token' = inference_time / generated_tokens (own prefill included,
    # queue excluded); median over requests. Closest id is tpot_s_p50 (README: metrics).
    ("per_token_latency_median", "ms/token"): ("tpot_s_p50", Decimal("0.001")),
    ("cost_usd_per_1M_output_tokens", "USD per 1M generated tokens"): ("usd_per_1m_out",
                                                                        Decimal(1)),
}

# Source prefix -> group. Every source string must start with exactly one of these.
SOURCE_GROUP = [
    ("github.com/NVIDIA/TensorRT-LLM ", "trtllm-perf"),
    ("sgl-project/sglang benchmark/benchmark_vllm_060/", "sglang-vllm"),
    ("huggingface/blog llama-sagemaker-benchmark.md", "tgi-sagemaker"),
    ("XiongjieDai/GPU-Benchmarks-on-LLM-Inference ", "llamacpp-b1"),
    ("https://github.com/ggml-org/llama.cpp/pull/4766 ", "llamacpp-b1"),
    ("mlc-ai/llm-perf-bench ", "llamacpp-b1"),
]

# TensorRT-LLM perf-overview: num_requests per ISL/OSL, from the notes column ("num_requests:
# 30000 for 128/128, 3000 for 128/2048, 2048/128, ...; 1500 for ... 2048/2048 ...; 1000 for
# 20000/2000"). Offline load = number of requests, all at t=0.
TRT_NUM_REQUESTS = {
    (128, 128): 30000,
    (128, 2048): 3000,
    (2048, 128): 3000,
    (500, 2000): 3000,
    (1000, 1000): 3000,
    (128, 4096): 1500,
    (2048, 2048): 1500,
    (5000, 500): 1500,
    (20000, 2000): 1000,
}
TRT_NOTES_MARKER = ("num_requests: 30000 for 128/128, 3000 for 128/2048, 2048/128, 500/2000, "
                    "1000/1000; 1500 for 128/4096, 2048/2048, 5000/500; 1000 for 20000/2000")

# Dataset-based lengths (means, as the case format asks), keyed by (group, source text).
DATASET_LENGTHS = {
    # sglang.bench_serving --dataset-name sharegpt (seeded shuffle, filtered to input <= 1024,
    # input + output <= 2048). Outputs follow the dataset's lengths (EOS ignored: the same
    # 194 tokens/request appears for both engines and both models).
    # Output 194: derived from the source itself: offline output tok/s / req/s =
    # 4132.37/21.27 = 194.3 and 3700.64/19.04 = 194.4 (SGLang's own offline runs in the same
    # README give 194.4 too). Input 220: not given by the source; public runs of the same
    # ShareGPT sampler with the Llama-3 tokenizer average 215-248 (README: lengths).
    ("sglang-vllm", "ShareGPT (variable)", "input_len"): 220,
    ("sglang-vllm", "ShareGPT (variable)", "output_len"): 194,
    # TGI k6 script sends samples.json entries in order (samples[scenario.iterationInTest]);
    # the mean prompt_len of its first 65 entries is 235 tokens (README: lengths).
    ("tgi-sagemaker", "ShareGPT prompts (variable)", "input_len"): 235,
}

# Spread of dataset lengths: lognormal sigma around the mean above (0 = fixed lengths), by group.
# Prompts: the ShareGPT samples.json the TGI runs replay have mean 235 and median 105 tokens over
# their first 65 entries, so sigma = sqrt(2 ln(235/105)) = 1.27; the SGLang/vLLM runs sample prompts
# from the same ShareGPT conversations. Outputs of the SGLang/vLLM runs follow the dataset's
# response lengths (mean 194): their spread is not published; 1.0 is an ASSUMPTION (README: lengths).
# TGI outputs are max_new_tokens = 50 for every request: fixed.
DATASET_SIGMA = {
    ("sglang-vllm", "input_sigma"): 1.27,
    ("sglang-vllm", "output_sigma"): 1.0,
    ("tgi-sagemaker", "input_sigma"): 1.27,
}

# The source's own engine flags, by engine (scenario keys, "key=value;key=value"): the SGLang
# benchmark_vllm_060 README launches vLLM 0.6.0 with --num-scheduler-steps 10 (multi-step scheduling:
# one scheduling call per 10 decode steps, arrivals wait for the window; README: metrics).
ENGINE_SET = {
    "vllm@0.6.0": "deployment.scheduler.num_scheduler_steps=10",
}

# The dataset sampler's own length limits, by group (scenario keys). sglang.bench_serving's ShareGPT
# sampler (like vLLM's benchmark_serving and LMDeploy's profile_throughput, from which it was copied)
# drops prompts over 1024 tokens and pairs over 2048, so no prompt that ran was longer than 1024: the
# simulator's lognormal lengths are capped there (and outputs at the 2048 - 1024 left, since the case
# format has no joint limit), with the median moved so the capped mean stays the row's mean
# (src/study/valsim.c). Without it the 8 x mean default cap let 1800-token prompts set TTFT tails.
# A harness that never samples: llama-bench's generation test feeds random tokens to llama_decode and reads no
# logits, so the engine's per-token CPU time (sampling, detokenising: the profile's overhead_token_s) is not in
# what it measures (docs/perf.md).
NO_SAMPLING_SET = "overhead.token_s=0"


def harness_set(raw):
    """Scenario keys for the measuring harness named in a raw row's scenario column."""
    return NO_SAMPLING_SET if "(llama-bench)" in raw["scenario"] else ""


SHAREGPT_SAMPLER_SET = "workload.input_tokens.max=1024;workload.output_tokens.max=1024"
DATASET_SET = {
    "sglang-vllm": SHAREGPT_SAMPLER_SET,
}

# ---------------------------------------------------------------------------------------------
# Per-row overrides: only where the row's own text needs interpretation. Applied last.
# ---------------------------------------------------------------------------------------------
# XiongjieDai Dec-2023 LLaMA 2 tables ('not stated' lengths and A100 variant). The source's
# notebooks (LLaMA 2/Professional GPUs/A100_v2.ipynb and LLaMA 2/Gaming GPUs/4090_v2.ipynb at
# ce30c0703f15, run 2023-12-21/22) use
#   ./main --no-mmap -ngl 10000 --temp 1.1 --repeat_penalty 1.1 -n 1024 --ignore-eos -p "<A Tale
#   of Two Cities, opening>"
# and llama.cpp logs 'prompt eval ... / 494 tokens' and 'eval ... / 1023 runs'. So input 494,
# output 1024 (eval speed = mean over the decode steps at contexts 494..1517).
_DEC2023_LENGTHS = {"input_len": 494, "output_len": 1024}
OVERRIDES = {
    # A100 notebook nvidia-smi and llama.cpp both print 'NVIDIA A100 80GB PCIe'.
    "HO-205": dict(_DEC2023_LENGTHS, gpu="a100-pcie-80gb"),
    "HO-207": dict(_DEC2023_LENGTHS, gpu="a100-pcie-80gb"),
    "HO-209": dict(_DEC2023_LENGTHS),
    "HO-211": dict(_DEC2023_LENGTHS),
    "HO-213": dict(_DEC2023_LENGTHS),
    # llama.cpp default layer split over 2 GPUs: not tensor parallel. Recorded as gpus=2, tp=1,
    # i.e. two sequential pipeline stages of 40 layers each (README: layer split).
    "HO-203": {"tp": 1},
    # '~8 (short prompt)': 'What is the meaning of life?' = 7 Llama tokens + BOS.
    "HO-221": {"input_len": 8},
}


def die(msg):
    sys.stderr.write("normalise_calibration: " + msg + "\n")
    sys.exit(1)


def lookup(table, key, what, row_id):
    if key not in table:
        die("%s: no mapping for %s %r" % (row_id, what, key))
    return table[key]


def as_int(text, what, row_id):
    if not re.fullmatch(r"[0-9]+", text.strip()):
        die("%s: %s %r is not an integer (add a table entry or override)" % (row_id, what, text))
    return int(text)


def group_of(source, row_id):
    hits = [g for prefix, g in SOURCE_GROUP if source.startswith(prefix)]
    if len(hits) != 1:
        die("%s: source %r matches %d groups" % (row_id, source, len(hits)))
    return hits[0]


def parse_load(mode, text, group, isl, osl, notes, row_id):
    """Load per the case format: offline = #requests, closed = concurrency, poisson = req/s,
    static = batch size, single = 1."""
    if mode == "offline" and group == "trtllm-perf":
        if text != "all requests at t=0 (rate=inf)" or TRT_NOTES_MARKER not in notes:
            die("%s: unexpected TRT-LLM offline description %r" % (row_id, text))
        if (isl, osl) not in TRT_NUM_REQUESTS:
            die("%s: no num_requests for ISL/OSL %d/%d" % (row_id, isl, osl))
        return str(TRT_NUM_REQUESTS[(isl, osl)])
    patterns = {
        "offline": r"rate=inf, ([0-9]+) prompts",
        "poisson": r"rate=([0-9.]+) req/s, [0-9]+ prompts",
        "closed": r"concurrency=([0-9]+)",
        "single": r"batch=(1)",
    }
    m = re.fullmatch(patterns.get(mode, r"(?!)"), text)
    if not m:
        die("%s: cannot read load %r for mode %s" % (row_id, text, mode))
    return m.group(1)


def length(text, field, group, row_id):
    key = (group, text, field)
    if key in DATASET_LENGTHS:
        return DATASET_LENGTHS[key]
    return text  # validated as an integer after overrides


def si_value(text, factor, row_id):
    try:
        d = Decimal(text.strip())
    except Exception:
        die("%s: value %r is not a number" % (row_id, text))
    if not d.is_finite() or d <= 0:
        die("%s: value %r is not a positive finite number" % (row_id, text))
    return format(d * factor, "f")


def normalise_row(r):
    rid = r["id"]
    group = group_of(r["source"], rid)
    mode = lookup(SCENARIO_MODE, r["scenario"], "scenario", rid)
    metric, factor = lookup(METRIC_MAP, (r["metric"], r["unit"]), "metric/unit", rid)
    out = {
        "id": rid,
        "gpu": lookup(GPU_MAP, r["gpu"], "gpu", rid),
        "gpus": r["gpu_count"],
        "tp": r["tensor_parallel"],
        "model": lookup(MODEL_MAP, r["model"], "model", rid),
        "weights": lookup(WEIGHTS_MAP, r["weight_precision"], "weight precision", rid),
        "kv": lookup(KV_MAP, r["kv_precision"], "kv precision", rid),
        "engine": lookup(ENGINE_MAP, r["framework"], "framework", rid),
        "mode": mode,
        "input_len": length(r["input_len"], "input_len", group, rid),
        "output_len": length(r["output_len"], "output_len", group, rid),
        "metric": metric,
        "value": si_value(r["value"], factor, rid),
        "group": group,
        "trust": r["trust"],
    }
    out.update(OVERRIDES.get(rid, {}))
    for f in ("gpus", "tp", "input_len", "output_len"):
        out[f] = as_int(str(out[f]), f, rid)
    out["load"] = parse_load(mode, r["batch_concurrency_or_rate"], group, out["input_len"],
                             out["output_len"], r["notes"], rid)
    check_row(out)
    return out


def check_row(o):
    rid = o["id"]
    for field, allowed in (("gpu", GPU_IDS), ("model", MODEL_IDS), ("weights", WEIGHT_IDS),
                           ("kv", KV_IDS), ("engine", ENGINE_IDS), ("mode", MODE_IDS),
                           ("metric", METRIC_IDS), ("group", GROUP_IDS)):
        if o[field] not in allowed:
            die("%s: %s %r is not an allowed id" % (rid, field, o[field]))
    if o["gpus"] < 1 or o["tp"] < 1 or o["gpus"] % o["tp"] != 0:
        die("%s: gpus=%d tp=%d inconsistent" % (rid, o["gpus"], o["tp"]))
    if o["mode"] == "single" and o["load"] != "1":
        die("%s: single mode must have load 1" % rid)
    if o["input_len"] + o["output_len"] <= 0:
        die("%s: zero-length request" % rid)
    if o["trust"] not in {"high", "medium-high", "medium", "medium-low", "low"}:
        die("%s: unknown trust %r" % (rid, o["trust"]))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=os.path.join(REPO, "tests", "validation", "raw",
                                                    "measurements.csv"))
    ap.add_argument("--output", default=os.path.join(REPO, "tests", "validation",
                                                     "calibration.csv"))
    ap.add_argument("--expect-rows", type=int, default=81,
                    help="fail unless exactly this many rows are read and written (0 = any)")
    args = ap.parse_args(argv)

    with open(args.input, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != IN_COLUMNS:
            die("unexpected input columns %r" % (reader.fieldnames,))
        rows = list(reader)

    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        die("duplicate ids in input")
    unused = sorted(set(OVERRIDES) - set(ids))
    if unused:
        die("overrides for ids not in input: %s" % ", ".join(unused))
    if args.expect_rows and len(rows) != args.expect_rows:
        die("read %d rows, expected %d" % (len(rows), args.expect_rows))

    out_rows = [normalise_row(r) for r in rows]
    for r, o in zip(rows, out_rows):
        for col in ("input_sigma", "output_sigma"):
            o[col] = DATASET_SIGMA.get((o["group"], col), 0)
        o["requests"] = 0
        o["set"] = ";".join(x for x in (ENGINE_SET.get(o["engine"], ""), DATASET_SET.get(o["group"], ""), harness_set(r))
                            if x)

    if args.output == "-":
        fh = sys.stdout
    else:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        fh = open(args.output, "w", newline="", encoding="utf-8")
    try:
        w = csv.DictWriter(fh, fieldnames=OUT_COLUMNS, lineterminator="\n")
        w.writeheader()
        for o in out_rows:
            w.writerow(o)
    finally:
        if fh is not sys.stdout:
            fh.close()
    sys.stderr.write("normalise_calibration: wrote %d rows to %s\n" % (len(out_rows),
                                                                       args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
