"""calibration_model.py: the fitted parameters of servesim's step-time model and how one evaluation of a
candidate runs: the values go into a temporary copy of hwdb/, the built binary predicts the validation
rows (`servesim validate --json`), and the residuals are log(predicted / measured).

Parameters are physical quantities of the engine profiles (efficiencies, overheads, latencies) and of
GPUs of other vendors (efficiency scales); nothing is per row. Versioned profiles form a tree (PARENT):
a child's value is its parent's times exp(theta) (log parameters) or plus theta (additive ones), and
theta carries a prior of width sigma, so a profile without rows of its own (a held-out source, an
engine generation never measured) keeps its parent's value instead of drifting, or, when the parent is
another engine, its nearest measured generation's (borrow_within_family). Imported by
tools/calibrate.py; standard library and numpy only.
"""
import csv
import functools
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CV_JSON = os.path.join(ROOT, "results", "validation_cv.json")  # every row's held-out prediction (calibrate.py --cv)
CASE_FILES = [os.path.join(ROOT, "tests", "validation", f) for f in ("calibration.csv", "extra.csv")]
TRUST = {"high": 1.0, "medium-high": 0.8, "medium": 0.6, "medium-low": 0.4, "low": 0.3}
KIND_WEIGHT = {"throughput": 1.0, "latency": 1.0, "tail latency": 0.5, "cost": 0.0}  # cost rows are not fitted
SKIP_PENALTY = 2.0  # residual of a row a candidate makes unpredictable (e.g. it no longer fits)
GGUF = ["q4_0", "q4_k_m", "q8_0"]

# Versioned continuous-batching profiles: the parent whose fitted value is a child's prior. Engines share
# GPU physics (efficiencies) first through TensorRT-LLM 0.13, the best-measured generation.
PARENT = {
    "trtllm@0.13": None, "trtllm@0.17": "trtllm@0.13", "trtllm@1.0": "trtllm@0.17",
    "lmdeploy@0.2": "trtllm@0.13",
    "vllm@0.6": "trtllm@0.13", "vllm@0.10": "vllm@0.6", "sglang@0.4": "vllm@0.6",
    "tgi@1.0": "vllm@0.6", "tgi@2": "tgi@1.0", "tgi@3": "tgi@2",
}


class Param:
    """One fitted quantity: its key, whether it is relative (log: value = base x exp(theta)) or
    additive (value = base + theta), the prior value at the root of its tree (or of its only entry),
    the prior widths (sigma at the root, child_sigma for a child relative to its parent) and bounds."""

    def __init__(self, key, log, prior, sigma, lo, hi, child_sigma=None):
        self.key, self.log, self.prior, self.sigma = key, log, prior, sigma
        self.lo, self.hi, self.child_sigma = lo, hi, child_sigma if child_sigma is not None else sigma

    def apply(self, base, theta):
        v = base * math.exp(theta) if self.log else base + theta
        return min(max(v, self.lo), self.hi)


# Priors for efficiencies from results/gpu, the reference GPU (H200: large bf16 GEMM 0.70 of peak, fp8
# 0.64, weight streaming 0.88, KV reads up to 0.93 at large batch x context); overheads around zero with
# widths of a few CPU milliseconds per step, tens of microseconds per layer or per all-reduce.
P = {p.key: p for p in [
    Param("eff_weights", True, 0.88, 0.08, 0.5, 0.97),
    Param("overlap_loss", False, 0.3, 0.3, 0.0, 1.0),
    Param("eff_kv", True, 0.8, 0.2, 0.2, 1.0, child_sigma=0.1),
    Param("eff_compute_16", True, 0.7, 0.2, 0.1, 1.0, child_sigma=0.12),
    Param("eff_compute_8", True, 0.64, 0.25, 0.1, 1.0, child_sigma=0.15),
    Param("overhead_step_s", False, 0.0, 2e-3, 0.0, 0.03),
    Param("overhead_layer_s", False, 30e-6, 30e-6, 0.0, 5e-4),
    Param("overhead_request_s", False, 5e-6, 10e-6, 0.0, 2e-4),
    Param("overhead_token_s", False, 5e-6, 30e-6, 0.0, 2e-4),
    Param("allreduce_latency_s", False, 10e-6, 15e-6, 0.0, 3e-4),
    Param("api_latency_s", False, 2e-3, 3e-3, 0.0, 0.05),
    Param("pcie_efficiency", True, 0.5, 0.5, 0.03, 1.0),
    Param("overhead_schedule_s", False, 0.0, 5e-3, 0.0, 0.05),
    Param("overhead_schedule_seq_s", False, 0.0, 30e-6, 0.0, 2e-4),
    Param("weight_only_kernel_scale", True, 1.0, 0.5, 0.05, 1.0),
    Param("eff_scale_bw", True, 1.0, 0.15, 0.2, 1.5),
    Param("eff_scale_compute", True, 1.0, 0.2, 0.2, 1.5),
    Param("layer_cost_scale", True, 1.0, 0.3, 0.3, 3.0),
    Param("link_efficiency", True, 0.8, 0.3, 0.1, 1.0),
    Param("weight_stream_cap_gb_s", True, 1000.0, 0.5, 200.0, 5000.0),
    Param("kernel_efficiency", True, 0.8, 0.2, 0.3, 1.0),
    Param("eager_layer_s", False, 300e-6, 300e-6, 50e-6, 2e-3),
]}
# llama.cpp is outside the tree: its own priors for the keys it shares with it. Its generations (by build:
# before CUDA graphs, b1..b2999, and after, b3000 on) form a chain of their own: the newer starts from the
# older's fitted value (OWN_PARENT).
LLAMACPP_PRIOR = {"eff_weights": 0.8, "eff_compute_16": 0.7, "overhead_layer_s": 30e-6}
LLAMACPP = ["llamacpp@b2000", "llamacpp@b4000"]
LLAMACPP_KEYS = ["eff_weights", "eff_compute_16", "overhead_layer_s", "weight_stream_cap_gb_s"]
# The newer generation computes GGUF prompt processing in int8 (weight_only_dtype): its 8-bit efficiency is
# its own, fitted from the prior (the older generation never computes in 8 bits).
LLAMACPP_KEYS_OF = {"llamacpp@b2000": LLAMACPP_KEYS, "llamacpp@b4000": LLAMACPP_KEYS + ["eff_compute_8"]}
OWN_PARENT = {"llamacpp@b4000": "llamacpp@b2000"}

# Keys every profile of the tree holds, inherited from the parent unless a stage fits them.
TREE_KEYS = ["eff_weights", "overlap_loss", "eff_kv", "eff_compute_16", "eff_compute_8", "overhead_step_s",
             "overhead_layer_s", "overhead_request_s", "allreduce_latency_s", "api_latency_s", "pcie_efficiency",
             "link_efficiency"]
# GPUs whose kernel stacks reach other fractions of their datasheet than the reference GPU (the H200,
# measured in results/gpu: its scales are 1 by definition): fitted with the root profile (EARLY, on its
# rows) or, for GPUs only newer sources used or whose datasheet is an estimate (the A10G: its rows would otherwise set the
# engines' efficiencies from a guessed peak), last, on every row of that GPU with the profiles fixed (LATE).
EARLY_GPUS = ["h100-sxm-80gb", "a100-sxm-80gb", "l40s-48gb"]
LATE_GPUS = ["b200-sxm-180gb", "mi300x-192gb", "a10g-24gb"]
# layer_cost_scale (the GPU's small kernels: a multiplier on the engines' fixed per-layer time) shows in decode
# latencies at small batches, which the TensorRT-LLM 0.13 stage's throughput rows barely see: an EARLY GPU's is
# fitted last, on all its rows with the profiles fixed, as a LATE GPU's scales are (GPU_KEYS_LAST).
GPU_KEYS_LAST = ["layer_cost_scale"]
GPU_KEYS = ["eff_scale_bw", "eff_scale_compute"] + GPU_KEYS_LAST
# GPUs whose rows test transfer only: they shape no stage and nothing of theirs is fitted, so they are
# predicted from the profiles the other GPUs calibrated, their datasheet and their measured GEMM rate.
# Each has one public source (the llama.cpp CUDA scoreboard; the H20 the Qwen3 speed page; the GH200 the TRT-LLM
# 0.15 perf overview; the H100 NVL one vLLM issue): a GPU scale fitted to one source's few rows would be a per-row
# constant, and the H20 page's single-GPU runs reach a third of its datasheet bandwidth where its 8-GPU runs do not,
# which no one scale reconciles. The RTX PRO 6000 has three sources: its rows shape the llama.cpp profile (its own
# scales are not fitted, like the A100 PCIe's).
TRANSFER_GPUS = ["rtx-3090-24gb", "rtx-5090-32gb", "rtx-a6000-48gb", "rtx-6000-ada-48gb", "a40-48gb", "l40-48gb",
                 "h20-96gb", "gh200-96gb", "h100-nvl-94gb"]

# Sources whose rows are predicted but fit nothing: they measure a configuration the model has no term for. Both
# are vLLM pull requests that add a tuned fused-MoE kernel configuration for Qwen3-30B-A3B; their "before" numbers
# ran the default Triton MoE tiles of a model that had no tuned ones (2.0-2.7x slower than the model on the
# MI300X, prefill a third slower on the H100: results/validation-forward.md). Fitted, they pulled vLLM 0.10's
# compute efficiency and the MI300X's compute scale down for every model. The third ran on a GPU whose state is not
# known: one A100 80GB in a shared Kubernetes pod, form factor and clocks not stated, decoding 16-20% slower at batch
# 1-10 than vLLM 0.10's other sources imply. Fitted, it tripled vLLM 0.10's per-step overhead (0.87 -> 2.8 ms) and
# took the vLLM blog's direct batch-1 step measurements on H100 and B200 from 5-7% to 36-65% off. The fourth, the SGLang
# cookbook's Llama 4 page on eight MI300X, measures SGLang's ROCm kernels for Llama 4's MoE layers, which no other source
# runs: its Scout decodes slower than its Maverick (7.4 against 6.0 ms a token at batch 1, 43 against 35 ms at 100 users)
# though both activate 17B parameters a token and Maverick, with 128 experts, streams more expert weight at 100 users.
# Fitted, it took the MI300X's bandwidth scale from 0.84 to 0.56 and ROCm vLLM's rows from 7.5% to 15.5% off.
PREDICTED_ONLY = {"vllm-pr-23151": "untuned fused-MoE kernels", "vllm-pr-17530": "untuned fused-MoE kernels",
                  "dennislee-vllm": "a GPU of unknown form factor and clocks",
                  "sgl-cookbook-llama4": "SGLang's ROCm kernels for Llama 4's MoE layers"}
PREDICTED_ONLY_GROUPS = list(PREDICTED_ONLY)

# Configurations, whatever their source, that the model has no term for, so their rows are predicted but fit
# nothing: llama.cpp running a mixture-of-experts model. Its expert matrices go through mul_mat_id kernels with a
# router, top-k and gathers around them in every MoE layer; on Qwen3-30B-A3B (RTX PRO 6000, b6413) batch-1 decode
# runs at 3.97 ms a token where its 2 GB of active weights take 1.1 ms, and pp512 at a third of the dense rate
# (the only such rows). Fitted, they pulled llama.cpp's weight-streaming efficiency down for every dense model.
# A feature is a (profile family, model kind) pair, the kind "moe" or "dense". TensorRT-LLM's pipeline stages were
# one until the host loop that drives a replica's micro-batches in turn was modelled (sim/pipeline.h): since then
# its 32 PP rows are fitted.
UNMODELLED = {("llamacpp", "moe"): "llama.cpp's MoE expert kernels"}
# TensorRT-LLM 1.x on Hopper decodes Llama 4 with the slower MMHA kernel once a request can pass the model's
# 8192-token attention chunk: its fast XQA decode kernel has no chunked attention (NVIDIA/TensorRT-LLM pull request
# 6306, 2025-07-23), a performance regression the release notes list for Hopper only (pull request 6438). The
# model reads and computes the chunked layers over the chunk on every GPU (docs/perf.md, local attention); the
# 1.1 overview's H200 rows at 1024/8192 and 1024/32768 come out about 150% and 80% too fast, its B200 rows within 5%.
HOPPER_CHUNKED = "TensorRT-LLM's Hopper decode of Llama 4 past its attention chunk (MMHA, not XQA)"
# TensorRT-LLM 1.x serving gpt-oss (MXFP4 experts): one B200 generates 59,084 tokens/s of gpt-oss-20b at 1024/1024, 2.2x
# the replica cap the profile's host cost per sampled token (overhead_token_s, 39 us) sets, a cap fitted on the pipeline
# rows and Qwen3-30B-A3B's 26,431 (results/validation-forward.md, ninth test). One constant per token cannot hold both;
# fitted, the gpt-oss rows raised it to 49 us and the per-layer cost from 32 to 64 us, took gpt-oss-20b on the B200 from
# 60% to 68% slow and the 1.1 revision's rows from 7.1% to 8.3%. Predicted, not fitted, until the cap's mechanism is.
TRTLLM_MXFP4 = "TensorRT-LLM 1.x's throughput cap on gpt-oss (2.2x the host-loop cap fitted on Qwen3 MoE)"
UNMODELLED_REASONS = list(dict.fromkeys(UNMODELLED.values())) + [HOPPER_CHUNKED, TRTLLM_MXFP4]


@functools.lru_cache(maxsize=None)
def _model_text(model):
    """The text of hwdb/models/<model>.yaml ("" when there is none)."""
    path = os.path.join(ROOT, "hwdb", "models", model + ".yaml")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return f.read()


def _is_moe(model):
    """Whether hwdb/models/<model>.yaml gives the model routed experts."""
    m = re.search(r"^experts:\s*([0-9]+)", _model_text(model), re.M)
    return bool(m and int(m.group(1)) > 0)


def _chunk(model):
    """The attention chunk of hwdb/models/<model>.yaml (local_attention: chunked), or None."""
    text = _model_text(model)
    m = re.search(r"^local_window:\s*([0-9]+)", text, re.M)
    return int(m.group(1)) if m and re.search(r"^local_attention:\s*chunked", text, re.M) else None


@functools.lru_cache(maxsize=None)
def _case_context():
    """Each case's longest context, input + output tokens, by id."""
    return {r["id"]: float(r["input_len"] or 0) + float(r["output_len"] or 0) for r in load_cases()}


def unmodelled(row):
    """The reason (UNMODELLED_REASONS) that keeps a row out of the fit, or None."""
    fam = (row.get("profile") or "").split("@")[0]
    config = "moe" if _is_moe(row.get("model", "")) else "dense"
    chunk = _chunk(row.get("model", ""))
    if (row.get("profile") == "trtllm@1.0" and chunk and _gpu_arch(row.get("gpu", "")) == "hopper"
            and _case_context().get(row.get("id"), 0) > chunk):
        return HOPPER_CHUNKED
    if row.get("profile") == "trtllm@1.0" and row.get("weights") == "mxfp4":
        return TRTLLM_MXFP4
    return UNMODELLED.get((fam, config))


def not_fitted(row):
    """Why a row takes no part in the fit (a cost row, a predicted-only source, an UNMODELLED configuration),
    or None when it does."""
    if row["kind"] == "cost":
        return "a cost row (hwdb prices GPUs, not instances)"
    return PREDICTED_ONLY.get(row["group"]) or unmodelled(row)


def fits(row):
    """Whether a row takes part in the fit (not_fitted gives the reason when it does not)."""
    return not_fitted(row) is None


def shapes_profiles(gpu):
    """Whether rows on this GPU take part in the engine profiles' stages (LATE and TRANSFER GPUs do not)."""
    return gpu not in LATE_GPUS and gpu not in TRANSFER_GPUS


@functools.lru_cache(maxsize=None)
def _gpu_arch(gpu):
    path = os.path.join(ROOT, "hwdb", "gpus", gpu + ".yaml")
    m = re.search(r"^arch:\s*(\S+)", open(path).read(), re.M) if os.path.exists(path) else None
    return m.group(1) if m else None


def _gpu_number(gpu, pattern):
    m = re.search(pattern, open(os.path.join(ROOT, "hwdb", "gpus", gpu + ".yaml")).read(), re.M)
    return float(m.group(1)) if m else None


@functools.lru_cache(maxsize=None)  # values() asks on every evaluation; the files do not change during a fit
def gemm_fraction(gpu):
    """A GPU's measured dense 16-bit GEMM throughput as a fraction of its bf16 peak (hwdb gemm_tflops), or None."""
    gemm = _gpu_number(gpu, r"^gemm_tflops: ([0-9.eE+-]+)")
    return gemm / _gpu_number(gpu, r"^peak_tflops: \{.*\bbf16: ([0-9.eE+-]+)") if gemm else None


# A GPU's compute scale is its measured GEMM fraction where hwdb holds one (gemm_tflops; the simulator
# derives it, hw_gpu_finish): fitted only where none is measured (MI300X) or where its rows run a dtype the
# bf16 benchmark does not cover (the B200's NVFP4 rows). Fitting it on rows as well let one source's
# engine quirks set a GPU property (a held-out A10G source got 0.72 from another's TGI rows; measured 1.24).
COMPUTE_FITTED_ANYWAY = ["b200-sxm-180gb"]


# GPUs no row measures that are a calibrated GPU's die under the same software stack take its fitted
# scales, rewritten on every fit: the MI325X is the MI300X's CDNA3 die (304 CUs, the same clocks) with more
# and faster HBM. Without this its compute scale would default to 1 where the MI300X's fit is about 0.34.
SIBLINGS = {"mi325x-256gb": "mi300x-192gb"}


def gpu_keys(gpu):
    measured = gemm_fraction(gpu) is not None and gpu not in COMPUTE_FITTED_ANYWAY
    return [k for k in GPU_KEYS if not (measured and k == "eff_scale_compute")]

# Keys of one entry only (not inherited): (entry kind, entry id, key)
# V0 vLLM's per-request CPU cost (Python work per sequence per step, vllm@0.6) and its scheduling call's work
# (fixed and per running sequence, shared by a multi-step window) are its own, not passed down
# the tree: the V1 engine (vllm@0.10) keeps a persistent batch and processes outputs off the step's critical
# path, and SGLang and TGI are other engines; a value fitted on V0 bursts of hundreds of requests would slow
# every large batch of theirs. vllm@0.10 fits its own from the prior.
# Launching a layer's kernels one by one from Python (a step no CUDA graph replays: eager_layer_s) is each
# engine's own: the C++ runtimes (TensorRT-LLM 0.x engines, TurboMind, llama.cpp) have no such cost beyond
# overhead_layer_s and keep 0. TGI 3, with no stage of its own rows, takes TGI 2's (PROFILE_SIBLINGS). The prior,
# 0.3 ms a layer, is a decoder layer's 15-25 PyTorch operators at 10-20 us a launch; its floor, 50 us, keeps a
# Python engine's launches above a C++ runtime's (and the key meaningful: a row that sets cuda_graph_max_batch
# is refused for an engine whose launches cost nothing).
EAGER = ["vllm@0.6", "vllm@0.10", "sglang@0.4", "tgi@1.0", "tgi@2", "trtllm@1.0"]
PROFILE_SIBLINGS = {"tgi@3": "tgi@2"}
OWN = ([("engines", "vllm@0.6", "overhead_schedule_s"), ("engines", "vllm@0.6", "overhead_schedule_seq_s"),
        ("engines", "tgi@1.0", "weight_only_kernel_scale"),
        ("engines", "vllm@0.6", "overhead_request_s"), ("engines", "vllm@0.10", "overhead_request_s"),
        ("engines", "trtllm@1.0", "overhead_token_s"),
        ("quant", "gguf", "kernel_efficiency")]
       + [("engines", e, "eager_layer_s") for e in EAGER]
       + [("engines", e, k) for e in LLAMACPP for k in LLAMACPP_KEYS_OF[e]]
       + [("gpus", g, k) for g in EARLY_GPUS + LATE_GPUS for k in gpu_keys(g)])


OWN_SLOTS = {(ident, key) for _, ident, key in OWN}


def _profile_stage(prof, keys, extra=()):
    own = [(prof, "eager_layer_s")] if prof in EAGER else []
    return (prof, ("profile", prof), [(prof, k) for k in keys] + list(extra) + own)


# Stages, fitted in order, each on its own rows with everything else fixed (a child's prior is its
# parent's fitted value). Rows on LATE_GPUS are left to their own stages at the end, rows on TRANSFER_GPUS to
# none.
STAGES = [
    _profile_stage("trtllm@0.13", ["eff_weights", "overlap_loss", "eff_kv", "eff_compute_16", "eff_compute_8",
                                   "overhead_step_s", "overhead_layer_s", "overhead_request_s", "allreduce_latency_s",
                                   "api_latency_s", "pcie_efficiency", "link_efficiency"],
                   [(g, k) for g in EARLY_GPUS for k in gpu_keys(g) if k not in GPU_KEYS_LAST]),
    _profile_stage("trtllm@0.17", ["eff_kv", "eff_compute_16", "eff_compute_8", "overhead_step_s", "overhead_layer_s",
                                   "allreduce_latency_s", "api_latency_s", "link_efficiency"]),
    # trtllm@1.0's rows are all offline throughput: its all-reduce latency and per-layer cost cannot be told
    # apart (fitted together they swung between 0 and 21 us and 118 and 27 us), so the former is trtllm@0.17's
    _profile_stage("trtllm@1.0", ["eff_kv", "eff_compute_16", "eff_compute_8", "overhead_step_s", "overhead_layer_s",
                                  "link_efficiency"], [("trtllm@1.0", "overhead_token_s")]),
    _profile_stage("lmdeploy@0.2", ["eff_kv", "eff_compute_16", "overhead_step_s", "overhead_layer_s",
                                    "allreduce_latency_s", "api_latency_s"]),
    _profile_stage("vllm@0.6", ["eff_kv", "eff_compute_16", "overhead_step_s", "overhead_layer_s",
                                "allreduce_latency_s", "api_latency_s"],
                   [("vllm@0.6", "overhead_schedule_s"), ("vllm@0.6", "overhead_schedule_seq_s"),
                    ("vllm@0.6", "overhead_request_s")]),
    _profile_stage("vllm@0.10", ["eff_kv", "eff_compute_16", "eff_compute_8", "overhead_step_s", "overhead_layer_s",
                                 "api_latency_s"], [("vllm@0.10", "overhead_request_s")]),
    _profile_stage("sglang@0.4", ["overhead_step_s", "overhead_layer_s", "allreduce_latency_s"]),
    _profile_stage("tgi@1.0", ["overhead_step_s", "overhead_layer_s", "allreduce_latency_s", "pcie_efficiency"],
                   [("tgi@1.0", "weight_only_kernel_scale")]),
    _profile_stage("tgi@2", ["overhead_step_s", "overhead_layer_s", "allreduce_latency_s"]),
] + [(g, ("gpu", g), [(g, k) for k in gpu_keys(g)]) for g in LATE_GPUS] + [
    (g, ("gpu", g), [(g, k) for k in GPU_KEYS_LAST]) for g in EARLY_GPUS] + [
    (LLAMACPP[0], ("profile", LLAMACPP[0]), [(LLAMACPP[0], k) for k in LLAMACPP_KEYS_OF[LLAMACPP[0]]]
     + [("gguf", "kernel_efficiency")]),
    (LLAMACPP[1], ("profile", LLAMACPP[1]), [(LLAMACPP[1], k) for k in LLAMACPP_KEYS_OF[LLAMACPP[1]]]),
]


def stage_rows(stage, pred, ids):
    """The rows of a stage among ids (pred: any prediction of them, for profile and gpu)."""
    field, want = stage[1]
    if field == "gpu":
        return [i for i in ids if pred[i]["gpu"] == want]
    return [i for i in ids if pred[i]["profile"] == want and shapes_profiles(pred[i]["gpu"])]


def values(theta):
    """Every written value {(file kind, id, key): value} for fitted deviations theta {(entry, key): t}
    (absent = 0: the prior, or the parent's value)."""
    vals = {}
    final = {}

    def tree_value(prof, key):
        if (prof, key) not in final:
            parent = PARENT[prof]
            base = P[key].prior if parent is None else tree_value(parent, key)
            own = (prof, key) in OWN_SLOTS  # an entry's own key: its deviation is not the tree's
            final[(prof, key)] = P[key].apply(base, 0.0 if own else theta.get((prof, key), 0.0))
        return final[(prof, key)]

    for prof in PARENT:
        for key in TREE_KEYS:
            vals[("engines", prof, key)] = tree_value(prof, key)
    for kind, ident, key in OWN:  # in order: a generation of OWN_PARENT after its parent
        prior = LLAMACPP_PRIOR.get(key, P[key].prior) if ident in LLAMACPP else P[key].prior
        if kind == "gpus":
            prior = gpu_prior(ident, key)
        if ident in OWN_PARENT and (kind, OWN_PARENT[ident], key) in vals:
            prior = vals[(kind, OWN_PARENT[ident], key)]
        v = P[key].apply(prior, theta.get((ident, key), 0.0))
        if kind == "quant":
            for q in GGUF:
                vals[("quant", q, key)] = v
        else:
            vals[(kind, ident, key)] = v
    for sibling, gpu in SIBLINGS.items():
        for key in gpu_keys(gpu):
            vals[("gpus", sibling, key)] = vals[("gpus", gpu, key)]
    for sibling, prof in PROFILE_SIBLINGS.items():
        vals[("engines", sibling, "eager_layer_s")] = vals[("engines", prof, "eager_layer_s")]
    return vals


def gpu_prior(gpu, key):
    """The prior of a GPU's efficiency scale: for compute, its measured GEMM fraction over the reference
    H200's (what the simulator takes when the key is unset, hw_gpu_finish); 1 otherwise."""
    frac = gemm_fraction(gpu) if key == "eff_scale_compute" else None
    return frac / gemm_fraction("h200-sxm-141gb") if frac else P[key].prior


def family(prof):
    return prof.split("@")[0]


def borrow_within_family(theta, fitted):
    """A profile no training row measured, whose parent is another engine (tgi@1.0 under vllm@0.6), takes
    the values of its nearest descendant of the same family that rows did measure (tgi@2): a generation of
    the same engine is a better guess than another engine. The deviation on the path down to that
    descendant moves up to the profile and every child of it gives the same back, so no other profile's
    value changes. Likewise llama.cpp's older build generation, unmeasured, takes the newer's values.
    fitted: the profiles that had training rows. Returns a new theta."""
    theta = dict(theta)
    children = {p: [c for c, q in PARENT.items() if q == p] for p in PARENT}
    for prof, parent in PARENT.items():
        if prof in fitted or parent is None or family(parent) == family(prof):
            continue
        path, frontier = None, [[c] for c in children[prof] if family(c) == family(prof)]
        while frontier and path is None:  # breadth first: the nearest measured generation
            path = next((p for p in frontier if p[-1] in fitted), None)
            frontier = [p + [c] for p in frontier for c in children[p[-1]] if family(c) == family(prof)]
        if path is None:
            continue
        for key in TREE_KEYS:
            delta = sum(theta.get((p, key), 0.0) for p in path if (p, key) not in OWN_SLOTS)
            if delta == 0.0:
                continue
            theta[(prof, key)] = theta.get((prof, key), 0.0) + delta
            for c in children[prof]:
                if (c, key) not in OWN_SLOTS:
                    theta[(c, key)] = theta.get((c, key), 0.0) - delta
    for child, parent in OWN_PARENT.items():  # llama.cpp: an unmeasured older build takes the newer's values
        if parent in fitted or child not in fitted:
            continue
        for key in LLAMACPP_KEYS:
            delta = theta.get((child, key), 0.0)
            theta[(parent, key)] = theta.get((parent, key), 0.0) + delta
            theta[(child, key)] = 0.0
    return theta


def prior_sigma(entry, key):
    return P[key].child_sigma if PARENT.get(entry) or entry in OWN_PARENT else P[key].sigma


# ---- hwdb files ----

def _fmt(v):
    v = 0.0 if abs(v) < 1e-12 else v
    text = f"{v:.6g}"
    return f"{v:.12f}".rstrip("0") if "e" in text else text  # YAML 1.1 readers take 7e-05 for a string


def set_key(path, key, value, comment=None, ids=None):
    """Replace the value of a top-level `key:` line (engines, gpus), or of the indented one inside each
    list entry whose id is in ids (quant/formats.yaml); a missing top-level key is added at the end."""
    tail = f"  # {comment}" if comment else ""
    out, cur, n = [], None, 0
    for line in open(path).read().split("\n"):
        m = re.match(r"  - id: (\S+)", line)
        if m:
            cur = m.group(1)
        m = re.match(r"^(\s*)" + re.escape(key) + r":", line)
        if m and (ids is None or cur in ids) and (ids is not None or m.group(1) == ""):
            line, n = f"{m.group(1)}{key}: {_fmt(value)}{tail}", n + 1
        out.append(line)
    if n == 0 and ids is None:
        while out and out[-1] == "":
            out.pop()
        out += [f"{key}: {_fmt(value)}{tail}", ""]
    elif n == 0:
        raise SystemExit(f"{path}: no '{key}:' line")
    open(path, "w").write("\n".join(out))


def write_values(hwdb, vals, comment=None):
    for (kind, ident, key), v in vals.items():
        if kind == "quant":
            set_key(os.path.join(hwdb, "quant", "formats.yaml"), key, v, comment, [ident])
        else:
            set_key(os.path.join(hwdb, kind, ident + ".yaml"), key, v, comment)


# ---- cases and evaluation ----

def load_cases():
    rows = []
    for path in CASE_FILES:
        with open(path) as f:
            rows += list(csv.DictReader(f))
    return rows


class Evaluator:
    """Runs `servesim validate --json` on subsets of the cases with candidate values, in up to `workers`
    scratch copies of hwdb/ at once."""

    def __init__(self, binary, cases, workers=2):
        self.binary, self.cases = binary, cases
        self.columns = list(cases[0].keys())
        self.tmp = tempfile.mkdtemp(prefix="servesim-cal-")
        self.dirs = []
        for k in range(workers):
            d = os.path.join(self.tmp, f"w{k}")
            shutil.copytree(os.path.join(ROOT, "hwdb"), os.path.join(d, "hwdb"))
            self.dirs.append(d)
        self.pool = ThreadPoolExecutor(max_workers=workers)

    def close(self):
        self.pool.shutdown()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _run(self, worker, vals, ids):
        d = self.dirs[worker]
        write_values(os.path.join(d, "hwdb"), vals)
        path = os.path.join(d, "cases.csv")
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=self.columns, lineterminator="\n")
            w.writeheader()
            w.writerows(r for r in self.cases if r["id"] in ids)
        run = subprocess.run([self.binary, "validate", "--threads", "1", "--hwdb", os.path.join(d, "hwdb"), "--json",
                              path], capture_output=True, text=True)
        # exit 65 with the rows written: every row skipped, each with its reason (a held-out group that the
        # model refuses, e.g. llama.cpp on an AMD GPU)
        if run.returncode not in (0, 65) or not run.stdout:
            raise subprocess.CalledProcessError(run.returncode, run.args, run.stdout, run.stderr)
        return {r["id"]: r for r in json.loads(run.stdout)["rows"]}

    def predict(self, vals, ids):
        return self._run(0, vals, set(ids))

    def predict_many(self, jobs):
        """[(vals, ids)] -> [predictions], spread over the workers."""
        workers = len(self.dirs)
        out = [None] * len(jobs)
        for start in range(0, len(jobs), workers):
            batch = jobs[start:start + workers]
            futs = [self.pool.submit(self._run, k, v, set(i)) for k, (v, i) in enumerate(batch)]
            for k, f in enumerate(futs):
                out[start + k] = f.result()
        return out


def row_weight(r):
    return math.sqrt(TRUST.get(r["trust"], 0.5) * KIND_WEIGHT.get(r["kind"], 1.0))


def residual(r):
    if r["skipped"]:
        return SKIP_PENALTY
    return row_weight(r) * math.log(r["predicted"] / r["measured"])
