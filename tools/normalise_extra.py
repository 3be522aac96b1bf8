#!/usr/bin/python3
"""Normalise the 835 extra public measurements into servesim's validation case format.

Input : tests/validation/raw/extra_measurements.csv (EX-001..191, EX-200..261, EX-300..315, EX-400..439,
        EX-500..652, EX-700..762 (less EX-716, 730 and 737), EX-770..807, EX-810..925, EX-930..1044, EX-1045..1081 and
        EX-1082..1123 (less EX-1119) and EX-1124..1142, free text as each source wrote it)
Output: tests/validation/extra.csv, the columns of tests/validation/calibration.csv

Standard library only; run with /usr/bin/python3. Same rules as tools/normalise_calibration.py: rows
keep input order, numbers go through exact decimal arithmetic (re-running gives the same bytes), every
judgement call is a table entry (the string tables are tools/extra_tables.py) or a per-group rule with a
comment (tests/validation/README.md, "Extra rows", explains them), and any text no table covers stops the
script: rows are never dropped or guessed.

Usage:
  /usr/bin/python3 tools/normalise_extra.py [--input PATH] [--output PATH|-]
"""

import argparse
import csv
import os
import re
import sys
from decimal import Decimal

import normalise_calibration as nc
from extra_tables import ENGINE_MAP, GPU_MAP, KV_MAP, KV_NOT_STATED, MODEL_MAP, SCENARIO_MODE, WEIGHTS_MAP

REPO = nc.REPO

# Source groups (tests/validation/raw/README.md, groups A-L, M-S and T-W): a group is one publisher's document
# (one revision), the unit left out by the cross-validation (tools/calibrate.py --cv). Matched on
# (source prefix, framework prefix): the TRT-LLM perf-overview file holds five groups.
GROUPS = [
    ("github.com/NVIDIA/TensorRT-LLM docs/source/performance/perf-overview", "TensorRT-LLM 0.14", "trtllm-online"),
    ("github.com/NVIDIA/TensorRT-LLM docs/source/performance/perf-overview", "TensorRT-LLM 0.17", "trtllm-perf-0.17"),
    ("github.com/NVIDIA/TensorRT-LLM docs/source/performance/perf-overview", "TensorRT-LLM 1.0", "trtllm-perf-1.0"),
    # EX-810..869 (group AL): the revision of the 'release/1.2' note, per-GPU output throughput
    ("github.com/NVIDIA/TensorRT-LLM docs/source/performance/perf-overview", "TensorRT-LLM 1.2", "trtllm-perf-1.2"),
    # EX-870..925 (group AM): the revision between 1.0 and 1.2 (RTX data 'now included', DEP layouts on the RTX card)
    ("github.com/NVIDIA/TensorRT-LLM docs/source/performance/perf-overview", "TensorRT-LLM 1.1", "trtllm-perf-1.1"),
    ("github.com/ROCm/vllm ", "vLLM 0.10.0", "rocm-vllm"),
    ("https://docs.nvidia.com/nim/", "NVIDIA NIM", "nim"),
    ("github.com/InternLM/lmdeploy ", "LMDeploy", "lmdeploy"),
    ("github.com/dstackai/benchmarks ", "", "dstack-mi300x"),
    ("github.com/vllm-project/vllm-project.github.io ", "vLLM 0.19", "vllm-fp8kv"),
    ("github.com/turboderp/exllamav2 ", "ExLlamaV2", "exllamav2"),
    ("github.com/NVIDIA/TensorRT-LLM docs/source/blogs/", "TensorRT-LLM 0.5", "trtllm-blog-0.5"),
    ("github.com/robertgshaw2-neuralmagic/vllm-benchmarking-sample ", "vLLM", "nm-vllm-a10"),
    # Groups M-O: one author (lhl / randomfoo2), three documents, so three groups (a group is a document).
    ("github.com/lhl/intel-inference reference/reddit-localllama", "llama.cpp b4011", "lhl-llamacpp-reddit"),
    ("stored copy id 43399925705:", "llama.cpp build 1804adb0", "lhl-llamacpp-xe2"),
    ("stored copy id 43425326930:", "llama.cpp build d5cb8684", "lhl-llamacpp-mi300x"),
    # Group X: a second-hand transcription (one data file) of the llama.cpp CUDA scoreboard, discussion #15013.
    ("stored copy id 58562324721:", "llama.cpp commit", "llamacpp-cuda-scoreboard"),
    ("github.com/huggingface/text-generation-inference docs/source/conceptual/chunking.md", "TGI v3", "tgi-v3-doc"),
    ("github.com/janhq/jan docs/src/pages/post/benchmarking-nvidia-tensorrt-llm.mdx", "", "jan-4090"),
    ("stored copy id 24542244921 ", "", "a10g-llmperf"),
    ("github.com/ree2raz/inference-bench results/summary.csv", "", "l4-inference-bench"),
    ("github.com/LambdaLabsML/vllm-benchmark ", "vLLM 0.5.4", "lambda-vllm-0.5"),
    ("github.com/vllm-project/vllm issue #12315 ", "vLLM 0.6.6", "vllm-issue-a100"),
    ("github.com/arc53/llm-price-compass ", "vLLM", "arc53-compass"),
    ("https://mushfiqrahman.dev/", "vLLM", "mushfiq-4090"),
    # EX-400..439: the Qwen3 speed-benchmark page (QwenLM/Qwen2.5, now QwenLM/Qwen3), SGLang tables only
    ("github.com/QwenLM/Qwen2.5 docs/source/getting_started/speed_benchmark.md", "SGLang 0.4.6.post1", "qwen3-speed-h20"),
    # EX-500..652 (groups Z-AH, raw README): benchmark blocks quoted in vLLM pull requests and issues, raw bench_serving
    # records of one SGLang run, the 0.15 revision of the TRT-LLM perf overview and three llama-bench pages
    ("github.com/vllm-project/vllm pull request #23151 ", "vLLM", "vllm-pr-23151"),
    ("github.com/vllm-project/vllm pull request #17530 ", "vLLM", "vllm-pr-17530"),
    ("github.com/vllm-project/vllm pull request #7117 ", "vLLM", "vllm-pr-7117"),
    ("github.com/vllm-project/vllm issue #17788 ", "vLLM", "vllm-issue-17788"),
    ("github.com/datacrunch-research/h200-benchmarks ", "SGLang", "datacrunch-h200"),
    ("github.com/NVIDIA/TensorRT-LLM docs/source/performance/perf-overview", "TensorRT-LLM 0.15", "trtllm-perf-0.15"),
    ("stored copy id 43514174881 ", "llama.cpp", "lhl-pro6000"),
    ("stored copy id 63601380422:", "llama.cpp", "hpc-llamabench"),
    ("github.com/Majestic-labs-AI/benchmarks-ai ", "llama.cpp", "majestic-llamacpp"),
    # EX-700..807 (groups AI-AK): tail latency under load. Two pages of the SGLang cookbook (two documents, two
    # groups) and one person's vLLM benchmark README with its startup logs
    ("github.com/sgl-project/sgl-cookbook docs/autoregressive/Llama/Llama3.1.md", "SGLang", "sgl-cookbook-llama"),
    ("github.com/sgl-project/sgl-cookbook docs/autoregressive/Qwen/Qwen3.md", "SGLang", "sgl-cookbook-qwen3"),
    ("github.com/dennislee22/vLLM-benchmarking ", "vLLM", "dennislee-vllm"),
    # EX-930..1044 (group AN): the Qwen2.5 speed page, its vLLM tables (the Transformers tables: no servesim engine)
    ("github.com/QwenLM/Qwen2.5 docs/source/benchmark/speed_benchmark.rst", "vLLM 0.6.3", "qwen25-speed-a100"),
    # EX-1045..1081 (group AO): the SGLang cookbook's Llama 4 page, Scout and Maverick on eight MI300X
    ("github.com/sgl-project/sgl-cookbook docs/autoregressive/Llama/Llama4.md", "SGLang", "sgl-cookbook-llama4"),
]


MS = Decimal("0.001")
METRIC_MAP = {
    ("TTFT_mean", "ms"): ("ttft_s_mean", MS),
    ("ITL_mean", "ms"): ("itl_s_mean", MS),
    ("output_tokens_per_s_total", "tok/s"): ("output_tok_s", Decimal(1)),
    # Judgement: ROCm's 'Throughput (tokens/s)' (output or total not stated) read as OUTPUT tok/s; the
    # raw README's ratio argument (2048/2048 : 128/2048 = 0.56, like TRT-LLM's output ratio) favours it.
    ("throughput_tokens_per_s (output or total not stated)", "tok/s"): ("output_tok_s", Decimal(1)),
    ("batch_latency_e2e_mean", "s"): ("e2e_s_mean", Decimal(1)),
    ("TTFT (unlabelled; likely mean)", "ms"): ("ttft_s_mean", MS),   # AIPerf tables report averages
    ("ITL (unlabelled; likely mean)", "ms"): ("itl_s_mean", MS),
    ("first_token_latency_mean", "s"): ("ttft_s_mean", Decimal(1)),
    # LMDeploy per-token latency: gaps between streamed tokens pooled over all tokens = ITL quantiles
    ("per_token_latency_p50", "s"): ("itl_s_p50", Decimal(1)),
    ("per_token_latency_p99", "s"): ("itl_s_p99", Decimal(1)),
    ("TPOT_mean", "ms"): ("tpot_s_mean", MS),
    ("TTFT_median", "ms"): ("ttft_s_p50", MS),
    ("ITL_median", "ms"): ("itl_s_p50", MS),
    ("ITL_fit_intercept_conc1", "ms"): ("itl_fit_intercept_s", MS),
    ("ITL_fit_slope_conc1", "ms per input (context) token"): ("itl_fit_slope_s", MS),
    ("decode_tokens_per_s_batch1", "tok/s"): ("decode_tok_s_b1", Decimal(1)),
    # static batching: the first token of the batch comes out of its (single) prefill
    ("first_token_latency_static", "ms"): ("ttft_s_mean", MS),
    ("output_tokens_per_s_per_gpu", "tok/s/GPU"): ("output_tok_s_per_gpu", Decimal(1)),
    ("TTFT_p99", "ms"): ("ttft_s_p99", MS),
    ("TPOT_p99", "ms"): ("tpot_s_p99", MS),
    # llama-bench pp512: one 512-token prompt, tokens/s (the calibration rows' metric, HO-199)
    ("prefill_tokens_per_s", "tok/s"): ("prefill_tok_s", Decimal(1)),
    ("TTFT_mean (llmperf results_ttft_s_mean)", "ms"): ("ttft_s_mean", MS),
    ("TTFT_median", "s"): ("ttft_s_p50", Decimal(1)),
    ("TPOT_median", "s"): ("tpot_s_p50", Decimal(1)),   # (e2e - TTFT) / (out - 1), p50: bench_serving's TPOT
    ("TPOT_median", "ms"): ("tpot_s_p50", MS),
    # EX-500..652
    ("output_tokens_per_s", "tok/s"): ("output_tok_s", Decimal(1)),
    ("output_tokens_per_s", "tok/s (output only)"): ("output_tok_s", Decimal(1)),
    ("output_tokens_per_s", "tok/s (output only, whole system)"): ("output_tok_s", Decimal(1)),
    ("request_throughput", "req/s"): ("req_s", Decimal(1)),
    ("pp512", "tok/s"): ("prefill_tok_s", Decimal(1)), ("tg128", "tok/s"): ("decode_tok_s_b1", Decimal(1)),
    ("ITL_p99", "ms"): ("itl_s_p99", MS),   # EX-700..807
}

# A makespan (seconds to complete a fixed number of requests) is written as request throughput: req_s = requests /
# seconds, the rate servesim reports for a counted run (finished requests over the run). The one derived value of the
# file; rounded to 4 decimals (the source gives 2-3 significant digits). Group P (TGI v3 doc).
MAKESPAN = {("time_to_complete_all_requests", "s"): "req_s"}
MAKESPAN_QUANTUM = Decimal("0.0001")

# A batch-1 'speed' over the request's time is written as the request's end-to-end time, the quantity it measures:
# e2e_s = counted tokens / speed. The value says whether the speed counts the prompt: the Qwen3 speed page's does
# (EX-400..439, 'Speed = (tokens_prompt + tokens_generation) / time': input_len + output_len), its Qwen2.5 tables'
# count generated tokens only (EX-930..1044, their script's 2048 / time: output_len). Derived (like MAKESPAN); rounded
# to 1 ms (the sources print 4-6 significant digits, e.g. 2049 / 81.73 = 25.070 s).
SPEED = {("speed_total_tokens_per_s ((prompt + generation) / time)", "tok/s"): True,
         ("speed_generated_tokens_per_s (2048 / time)", "tok/s"): False}
SPEED_QUANTUM = Decimal("0.001")

# trtllm-bench num_requests by ISL/OSL: group B's notes ("num_requests for this ISL/OSL per the doc:
# 3000"), group C's ("num_requests 3000"), group AL's (the 1.2 revision's table of requests per length pair).
TRT_REQUESTS = {("trtllm-perf-0.17", 128, 2048): 3000, ("trtllm-perf-0.17", 2048, 128): 3000,
                ("trtllm-perf-1.0", 128, 2048): 3000, ("trtllm-perf-1.0", 2048, 128): 3000,
                ("trtllm-perf-1.0", 2048, 2048): 3000,
                ("trtllm-perf-1.2", 1024, 1024): 3000, ("trtllm-perf-1.2", 8192, 1024): 1500,
                ("trtllm-perf-1.2", 1024, 8192): 1500, ("trtllm-perf-1.2", 32768, 1024): 1000,
                ("trtllm-perf-1.2", 1024, 32768): 1000,
                # group AM prints the same table; its 1000/1000 rows take 1024/1024's 3000 (an assumption: not listed)
                ("trtllm-perf-1.1", 1024, 1024): 3000, ("trtllm-perf-1.1", 8192, 1024): 1500,
                ("trtllm-perf-1.1", 1024, 8192): 1500, ("trtllm-perf-1.1", 32768, 1024): 1000,
                ("trtllm-perf-1.1", 1024, 32768): 1000, ("trtllm-perf-1.1", 1000, 1000): 3000}
TRT_REQUEST_GROUPS = {g for g, _, _ in TRT_REQUESTS}

# Spread of dataset lengths (lognormal sigma around the mean; calibration README, "Lengths"): ShareGPT
# prompts 1.27, ShareGPT outputs 1.0 (an assumption). Group H: '+-15% variance' read as uniform +-15%,
# whose relative standard deviation is 0.15/sqrt(3) = 0.087. Group R (a10g-llmperf) ran fixed lengths
# (its scripts/benchmark.py passes --stddev-input-tokens 0 --stddev-output-tokens 0): no entry, sigma 0.
SHAREGPT_SIGMA = (Decimal("1.27"), Decimal("1.0"))
SIGMA = {"lmdeploy-sharegpt": SHAREGPT_SIGMA, "nm-vllm-a10": SHAREGPT_SIGMA,
         "vllm-fp8kv-load": (Decimal("0.087"), Decimal("0.087")),
         # ShareGPT groups T-V: the same spread as the other ShareGPT rows (group T's EOS-terminated outputs include
         # empty ones, which a lognormal cannot place: an approximation). Group W: fixed 256-token prompts; outputs stop
         # at EOS (about 100 of the 128 requested), so they vary: spread not published, ASSUMPTION 1.0 as for the other
         # EOS-terminated outputs, capped at the 128 requested (SETS). Fixed outputs would keep the closed-loop users
         # in lockstep (all prompts of a round arriving together), which the source's varying outputs do not.
         "lambda-vllm-0.5": SHAREGPT_SIGMA, "vllm-issue-a100": SHAREGPT_SIGMA, "arc53-compass": SHAREGPT_SIGMA,
         "mushfiq-4090": (Decimal(0), Decimal("1.0"))}

# The source's own engine flags (scenario keys), by group or id prefix of the rule.
SETS = {
    # perf-overview 0.17: '--kv_cache_free_gpu_mem_fraction 0.95 in most cases' (group B notes)
    "trtllm-perf-0.17": "deployment.scheduler.gpu_memory_utilization=0.95",
    # ROCm benchmark_throughput.py: --max-num-batched-tokens 131072 --max-num-seqs N (N = prompts)
    "rocm-vllm-throughput": "deployment.scheduler.max_batched_tokens=131072;deployment.scheduler.max_num_seqs={n}",
    # LMDeploy benchmark configs: max_batch_size=256 (benchmark/config/llama_*.ini)
    "lmdeploy": "deployment.scheduler.max_num_seqs=256",
    # AIPerf measures after a warm-up phase (docs.nvidia.com/aiperf, 'Warmup Phase Configuration': the
    # cold start and the first burst of a closed loop are not profiled). Judgement: one 60 s warm-up and a
    # 300 s window, longer than a request's cycle at every concurrency of the table.
    "nim": "horizon.warmup_s=60;horizon.duration_s=300",
    # TGI on MI300X: --max-input-tokens 125000 -> max_batch_prefill_tokens = 125050;
    # --max-concurrent-requests 8192
    "dstack-tgi": "deployment.scheduler.max_batched_tokens=125050;deployment.scheduler.max_num_seqs=8192",
    # ShareGPT samplers (vLLM benchmark_serving for group L, LMDeploy benchmark/profile_throughput.py
    # for group F): prompts over 1024 tokens and prompt + output over 2048 are dropped, so the
    # lognormal lengths are capped at 1024 each (the case format has no joint limit) and validate
    # keeps the row's mean under the cap (src/study/valsim.c).
    "sharegpt-sampler": nc.SHAREGPT_SAMPLER_SET,
    # vLLM V0 (0.4-0.5) without flags: max_num_batched_tokens = max(max_model_len, 2048) (SchedulerConfig, as for
    # group T), and Meta-Llama-3-8B(-Instruct)'s context is 8192 (the hwdb model is Llama 3.1, 131072: its default
    # would not be this run's). Groups L and R (vLLM 0.5.0 and 0.4.3 on Llama 3 8B).
    "vllm-v0-llama3-8b": "deployment.scheduler.max_batched_tokens=8192",
    # TGI 2.0.4 on the A10G: MAX_BATCH_PREFILL_TOKENS=8192 (group R's launch command)
    "a10g-llmperf-tgi": "deployment.scheduler.max_batched_tokens=8192",
    # Group R's client: llmperf at the run's commit builds each prompt inside its send loop (a tokenizer loaded and
    # every sonnet line encoded, one request at a time), sends a round of N, and collects all N before the next
    # round. Its cost per request, from the concurrency-1 rows (report tables and run CSVs): wall time per request
    # (mean_output_token_length / throughput) minus the request's own time (inter-token latency x
    # mean_output_token_length): vLLM 177.43 / 31.9246 - 0.0306515 x 177.43 = 0.119 s, TGI 175.47 / 32.7853 -
    # 0.0298641 x 175.47 = 0.112 s; the client's, so one value for both, their mean. The serial client spaces a
    # round's launches that far apart, which the run's TTFTs need (at concurrency 2 they are 10% above a lone
    # request's, where two prompts of a round prefilled together would take about twice as long). The rounds are
    # the client's too (token_benchmark_ray.py @5c1c321: get_next_ready() collects every request in flight before
    # the next are launched; upstream PR #59 changed that later): workload.arrival.rounds.
    "a10g-llmperf-client": "workload.arrival.client_s=0.115;workload.arrival.rounds=true",
    # SGLang on the L4: --max-running-requests 64 --mem-fraction-static 0.85 (bench_lib.py); on a GPU under 25 GB at
    # tp < 4 SGLang 0.4.x captures CUDA graphs only up to batch 8 (server_args.py cuda_graph_max_bs) and chunks
    # prompts at 2048 tokens (chunked_prefill_size)
    "l4-inference-bench": "deployment.scheduler.max_num_seqs=64;deployment.scheduler.gpu_memory_utilization=0.85;"
                          "deployment.scheduler.cuda_graph_max_batch=8;deployment.scheduler.max_batched_tokens=2048",
    # llama-server on the L4: -np 4 --parallel 4 (4 slots)
    "l4-inference-bench-llamacpp": "deployment.scheduler.parallel_slots=4",
    # Group T (benchmark.py defaults): --max-num-seqs 1024 --gpu-memory-utilization 0.95; chunked prefill off (vLLM 0.5
    # enables it only above 32k context), so max_num_batched_tokens = max(max_model_len, 2048) (vLLM V0 SchedulerConfig,
    # vllm/config.py, e.g. stored copy id 34830766855). {mbt} is 2048 for --max-model-len 2000, 8000 for 8000.
    "lambda-vllm-0.5": "deployment.scheduler.max_num_seqs=1024;deployment.scheduler.gpu_memory_utilization=0.95;"
                       "deployment.scheduler.max_batched_tokens={mbt}",
    # Group U: --max-num-seqs 256 --num-scheduler-steps {steps}; the offline LLM class keeps chunked prefill off, so the
    # token budget is max(max_model_len, 2048) = 131072 (Llama 3.3's default 128k context; same SchedulerConfig rule).
    "vllm-issue-a100": "deployment.scheduler.max_num_seqs=256;deployment.scheduler.num_scheduler_steps={steps};"
                       "deployment.scheduler.max_batched_tokens=131072",
    # Group W: max_tokens 128 ('256 input tokens -> 128 output tokens'), the cap of the EOS-terminated outputs
    "mushfiq-4090": "workload.output_tokens.max=128",
    # EX-400..439: the page's SGLang settings, mem_fraction_static=0.85 (its other flags, context_length=140000 and
    # enable_mixed_chunk, change nothing at batch 1 with inputs of at most 30720 tokens)
    "qwen3-speed-h20": "deployment.scheduler.gpu_memory_utilization=0.85",
    # EX-930..1044: the settings the row's note names (notes: 'vLLM settings'): gpu_memory_utilization, and
    # max_model_len, which with chunked prefill off (vLLM 0.6 enables it only above 32k) sets the token budget
    # max(max_model_len, 2048) (vLLM V0 SchedulerConfig, as for group T); enforce_eager: no CUDA graphs
    "qwen25-speed-a100": "deployment.scheduler.gpu_memory_utilization={util};deployment.scheduler.max_batched_tokens={mbt}",
}
# LMDeploy's benchmark scripts gave TurboMind its KV capacity as a count of blocks (cache_max_entry_count
# of 1 or more counts cache_block_seq_len = 128-token blocks in 0.1/0.2, src/turbomind/models/llama/
# BlockManager.cc): 1000 blocks for Llama 2 7B, 4000 for 70B at tp 4 (benchmark/benchmark_7b.sh and
# benchmark_70b.sh @ ebe90bc94, 2023-12-06, the v0.1.0a1 tables; benchmark/config/llama_7b.ini and
# llama_70b.ini @ 379a2d5a6, 2023-12-25, the v0.2.0 table).
LMDEPLOY_KV_TOKENS = {"llama-2-7b": 1000 * 128, "llama-2-70b": 4000 * 128}

# Group R: llmperf (at the run's commit) counts every length with the Llama 2 tokenizer, BOS included on each encode,
# not the served Llama 3 model's. Prompts: llmperf's construction (utils.randomly_sample_sonnet_lines_prompt: an
# instruction, then sonnet lines counted one encode each) to 550 counted tokens is PROMPT Llama 3 tokens, the mean
# over shuffles of the lines (tokenised with the npm packages named in raw/README.md), plus the Llama 3 chat
# template around the empty system message and the user message. Outputs: every request generates max_tokens = 150
# model tokens (the prompt asks for no EOS) and llmperf counts them as the row's mean_output_token_length, so the
# system output rate in model tokens is the row's rate x 150 / mean_output_token_length.
LLMPERF_PROMPT_LLAMA3 = Decimal(444)
LLMPERF_OUTPUT_TOKENS = Decimal(150)


def llmperf_rate(r, value):
    """Group R's output tok/s, counted by llmperf in Llama 2 tokens, in the served model's tokens."""
    counted = first_int(r["notes"], r"mean_output_token_length=([0-9]+(?:\.[0-9]+)?)", r["id"], "mean output length")
    return format((Decimal(value) * LLMPERF_OUTPUT_TOKENS / counted).quantize(Decimal("0.000001")), "f")


def group_of(r):
    hits = [g for src, fw, g in GROUPS if r["source"].startswith(src) and r["framework"].startswith(fw)]
    if len(hits) != 1:
        nc.die("%s: source/framework match %d groups" % (r["id"], len(hits)))
    return hits[0]


def first_int(text, pattern, rid, what):
    m = re.search(pattern, text)
    if not m:
        nc.die("%s: cannot read %s from %r" % (rid, what, text))
    return Decimal(m.group(1))


def load_of(group, mode, r, isl, osl):
    """Load in the case format: offline = requests, closed = users, poisson = req/s, static = batch."""
    text, rid = r["batch_concurrency_or_rate"], r["id"]
    if group in TRT_REQUEST_GROUPS:
        if text != "all requests at t=0 (rate=inf)" or (group, isl, osl) not in TRT_REQUESTS:
            nc.die("%s: no trtllm-bench request count for %s %d/%d" % (rid, group, isl, osl))
        return Decimal(TRT_REQUESTS[(group, isl, osl)])
    patterns = {"poisson": r"(?:QPS|rate)=([0-9]+(?:\.[0-9]+)?)", "closed": r"concurrency=([0-9]+)",
                "static": r"batch=([0-9]+)", "single": r"(?:batch|concurrency)=(1)\b",
                "offline": r"(?:Num Prompts|N)=([0-9]+)"}
    return first_int(text, patterns[mode], rid, "the load")


# 'U[1,1024] (mean 508.7)': SGLang's random dataset (random_range_ratio 0: lengths uniform on [1, L] / [0, L]); 'ShareGPT
# (mean 224.2)': dataset prompts; the mean is the run's total tokens over its requests.
MEAN_OF = re.compile(r"(U\[[01],([0-9]+)\]|ShareGPT) \(mean ([0-9]+(?:\.[0-9]+)?)\)")


def lengths(group, r):
    """(input_len, output_len) as means in tokens, with the rule used (README: Extra rows)."""
    rid, notes, i, o = r["id"], r["notes"], r["input_len"], r["output_len"]
    if re.fullmatch(r"[0-9]+", i) and re.fullmatch(r"[0-9]+", o):
        return Decimal(i), Decimal(o)
    if group == "lmdeploy" and i.startswith("ShareGPT"):
        # Not printed; derived from the row's own numbers: output = out tok/s / RPS; input = output x
        # (total tok/s / out tok/s - 1). 7B: 3387.419/14.556 = 232.7, x 1.0609 = 246.9; 70B: the same.
        rps = first_int(notes, r"RPS=([0-9]+(?:\.[0-9]+)?)", rid, "RPS")
        out_s = first_int(notes, r"out tok/s=([0-9]+(?:\.[0-9]+)?)", rid, "out tok/s")
        tot_s = first_int(notes, r"total tok/s=([0-9]+(?:\.[0-9]+)?)", rid, "total tok/s")
        out = out_s / rps
        return (out * (tot_s / out_s - 1)).quantize(Decimal(1)), out.quantize(Decimal(1))
    if group == "dstack-mi300x":   # 80 input tokens; outputs end at EOS: the run's mean output length
        n = first_int(o, r"over ([0-9]+) requests", rid, "requests")
        total = first_int(o, r"total ([0-9]+) tokens", rid, "generated tokens")
        return Decimal(i), (total / n).quantize(Decimal("0.1"))
    if group in ("lambda-vllm-0.5", "arc53-compass"):   # totals over the N prompts of the run (means)
        n = first_int(i, r"over ([0-9]+) prompts", rid, "prompts")
        return ((first_int(i, r"\(([0-9]+) tokens", rid, "input tokens") / n).quantize(Decimal("0.1")),
                (first_int(o, r"\(([0-9]+) tokens", rid, "output tokens") / n).quantize(Decimal("0.1")))
    if group == "vllm-issue-a100":
        # Not printed; from the row's own numbers (benchmark_throughput prints req/s, total and output tok/s):
        # output = out tok/s / RPS, input = (total - out) / RPS; 217.8 / 213.4 for both rows.
        rps = first_int(notes, r"RPS=([0-9]+(?:\.[0-9]+)?)", rid, "RPS")
        out_s = first_int(notes, r"out tok/s=([0-9]+(?:\.[0-9]+)?)", rid, "out tok/s")
        tot_s = first_int(notes, r"total tok/s=([0-9]+(?:\.[0-9]+)?)", rid, "total tok/s")
        return ((tot_s - out_s) / rps).quantize(Decimal("0.1")), (out_s / rps).quantize(Decimal("0.1"))
    if group == "mushfiq-4090":
        # 256-token prompts; outputs end at EOS below the 128 requested: mean = out tok/s / Req/s of the row
        rps = first_int(notes, r"Req/s=([0-9]+(?:\.[0-9]+)?)", rid, "Req/s")
        out_s = first_int(notes, r"out tok/s=([0-9]+(?:\.[0-9]+)?)", rid, "out tok/s")
        return Decimal(i), (out_s / rps).quantize(Decimal("0.1"))
    if group == "nm-vllm-a10":     # totals over 200 ShareGPT prompts
        return ((first_int(i, r"\(([0-9]+) tokens", rid, "input tokens") / 200).quantize(Decimal("0.1")),
                (first_int(o, r"\(([0-9]+) tokens", rid, "output tokens") / 200).quantize(Decimal("0.1")))
    if group == "vllm-fp8kv" and i.startswith("~20000"):
        return Decimal(20000), Decimal(2000)
    if group == "vllm-fp8kv" and i.startswith("swept"):
        return Decimal(0), Decimal(o)   # a fit over contexts: single mode computes it (validate.c)
    if group == "exllamav2":
        # Judgement: not stated; a short prompt and 128 generated tokens (batch-1 decode speed hardly
        # depends on them at these lengths)
        return Decimal(16), Decimal(128)
    if group == "trtllm-blog-0.5" and o == "- (first token only)":
        return Decimal(i), Decimal(1)
    if group == "l4-inference-bench":
        # short: ~45 (estimate from the prompt file, see raw README); long: the README's ~1800; outputs reach
        # max_tokens (128 / 512), checked from the row's latency, TTFT and TPOT
        return first_int(i, r"^([0-9]+) ", rid, "input"), first_int(o, r"^([0-9]+) ", rid, "output")
    if group == "a10g-llmperf":
        # 550 Llama 2 tokens as llmperf counts them, which the served Llama 3 model saw as LLMPERF_PROMPT_LLAMA3;
        # outputs: max_tokens, in the model's own tokens
        if i != "550 Llama 2 tokens (llmperf count, fixed)" or not o.startswith("150 (max_tokens, fixed"):
            nc.die("%s: no llmperf length rule for %r / %r" % (rid, i, o))
        return LLMPERF_PROMPT_LLAMA3, LLMPERF_OUTPUT_TOKENS
    if group == "tgi-v3-doc":
        # '200 requests total 8k tokens' -> 40 prompt tokens each; outputs at the max_tokens cap (50): an
        # assumption, EOS may end some earlier (trust low)
        return first_int(i, r"^([0-9]+) ", rid, "input"), first_int(o, r"^([0-9]+) ", rid, "output")
    m_in, m_out = MEAN_OF.fullmatch(i), MEAN_OF.fullmatch(o)
    if m_in and m_out:   # EX-500..652: dataset means derived from the run's printed totals (notes)
        return Decimal(m_in.group(3)), Decimal(m_out.group(3))
    nc.die("%s: no length rule for %r / %r" % (rid, i, o))


def kv_of(group, r, weights):
    kv = nc.lookup(KV_MAP, r["kv_precision"], "kv precision", r["id"])
    if kv == KV_NOT_STATED:
        if group.startswith("trtllm") or group == "nim":
            return "fp8" if weights in ("fp8", "nvfp4") else "fp16"
        nc.die("%s: KV not stated outside TRT-LLM" % r["id"])
    return kv


# EX-500..652: the sources' own flags (raw README, groups Z-AH). SGLang's random dataset is uniform, given as such (the
# case's mean stays as a record of the run); a ShareGPT row keeps the lognormal spread and the samplers' 1024-token
# limit of the other ShareGPT rows.
CHUNKED = "deployment.scheduler.chunked_prefill=true"
NEW_SETS = {
    "vllm-pr-23151": "", "vllm-pr-7117": SETS["vllm-v0-llama3-8b"],
    "vllm-pr-17530": "deployment.scheduler.gpu_memory_utilization=0.95",   # --gpu_memory_utilization 0.95
    # --max-num-seqs 32 --enable-prefix-caching (--enable-chunked-prefill is V1's default)
    "vllm-issue-17788": "deployment.scheduler.max_num_seqs=32;deployment.scheduler.prefix_caching=true",
    "datacrunch-h200": "", "trtllm-perf-0.15": "", "lhl-pro6000": "", "hpc-llamabench": "", "majestic-llamacpp": "",
    # EX-700..807: the cookbook's servers ran with default flags; the vLLM 0.10.1 server's startup log prints chunked
    # prefill with max_num_batched_tokens=2048 (V1's online default) and, per run, its --gpu-memory-utilization (new_set)
    # (SGLang 0.5's chunked_prefill_size is 16384 on GPUs of 160 GB or more, server_args.py: the B200)
    "sgl-cookbook-llama": "", "sgl-cookbook-qwen3": "deployment.scheduler.max_batched_tokens=16384",
    "sgl-cookbook-llama4": "deployment.scheduler.max_batched_tokens=16384",   # the MI300X's 192 GB, as the B200's
    "dennislee-vllm": "deployment.scheduler.max_batched_tokens=2048",
    # trtllm-bench throughput (1.1 and 1.2: '--enable_chunked_context/--disable_chunked_context', default on) chunks
    # long prompts at max_num_tokens; the layout is LAYOUT's
    "trtllm-perf-1.2": CHUNKED, "trtllm-perf-1.1": CHUNKED,
}
# EX-810..925 (trtllm-perf-1.2, -1.1): the parallel layout of the column header quoted in the notes, 'TP<t>' or
# 'DEP<t>', then ',PP<p>' where the instance spans pipeline stages. 'TP1,PP4' is one instance over TP x PP GPUs in
# pipeline stages (gpu_count = TP x PP; the case format makes gpus / (tp x pp) replicas). 'DEP4' is --tp 4 --ep 4 with
# enable_attention_dp: the experts whole over the 4 GPUs (expert_parallel), each rank its own requests, host loop and
# whole attention (attention_dp, added by set_of). The tp (and gpu_count = tp x pp) must be the row's, or the script stops.
LAYOUT_HEADER = re.compile(r"column header as printed '[^']*?\b(TP|DEP)([0-9]+)(?:,PP([0-9]+))? \(")
LAYOUT_GROUPS = ("trtllm-perf-1.2", "trtllm-perf-1.1")
UNIFORM_SET = ("workload.input_tokens.dist=uniform;workload.input_tokens.min=1;workload.input_tokens.max=%s;"
               "workload.output_tokens.dist=uniform;workload.output_tokens.min=1;workload.output_tokens.max=%s")


def new_set(group, r):
    parts = [NEW_SETS[group]] if NEW_SETS[group] else []
    if r["input_len"].startswith("ShareGPT"):
        parts.append(SETS["sharegpt-sampler"])
    elif r["input_len"].startswith("U["):
        parts.append(UNIFORM_SET % (MEAN_OF.fullmatch(r["input_len"]).group(2), MEAN_OF.fullmatch(r["output_len"]).group(2)))
    if group == "datacrunch-h200" and "--mem-frac 0.87" in r["notes"]:
        parts.append("deployment.scheduler.gpu_memory_utilization=0.87")
    util = group == "dennislee-vllm" and re.search(r"gpu_memory_utilization[ =](0\.[0-9]+)", r["notes"])
    if util:   # 0.5 (test 5) or 0.25 (test 4); test 7 (32B) left the default
        parts.append("deployment.scheduler.gpu_memory_utilization=" + util.group(1))
    if group in LAYOUT_GROUPS:
        parts.extend(layout_set(r))
    if group == "trtllm-perf-0.15" and r["gpu"].startswith("GH200"):
        # 0.15 ran the GH200 with gptManagerBenchmark --kv_cache_free_gpu_mem_fraction 0.95 --enable_chunked_context
        parts.append("deployment.scheduler.gpu_memory_utilization=0.95;deployment.scheduler.chunked_prefill=true")
    return ";".join(parts)


def layout_set(r):
    """The keys of the row's column header (LAYOUT_HEADER); stops unless TP (x PP) is the row's tensor_parallel (x
    gpu_count)."""
    gpus, tp = int(r["gpu_count"]), int(r["tensor_parallel"])
    head = LAYOUT_HEADER.search(r["notes"])
    if not head:
        nc.die("%s: no parallel layout in the quoted column header" % r["id"])
    stages = int(head.group(3) or 1)
    if int(head.group(2)) != tp or gpus != tp * stages:
        nc.die("%s: gpu_count %d / tensor_parallel %d do not match the column's layout" % (r["id"], gpus, tp))
    return (["deployment.pp=%d" % stages] if stages > 1 else []) + (
        ["deployment.expert_parallel=true"] if head.group(1) == "DEP" else [])


def set_of(group, r, load):
    """The row's scenario keys: its group's, then attention data parallelism where the notes give the TRT-LLM perf
    overviews' MoE command (--ep with enable_attention_dp: each of the tp ranks schedules its own requests), and
    their CUDA graph batch sizes where the notes quote them."""
    parts = [p for p in [group_set(group, r, load)] if p]
    if "enable_attention_dp" in r["notes"] and int(r["tensor_parallel"]) > 1:
        parts.append("deployment.attention_dp=true")
    if group.startswith("trtllm-perf-1.") and "CUDA graphs with padding" in r["notes"]:
        # the perf overviews' llm_options: cuda_graph_config batch_sizes 1..8192, padded (TensorRT-LLM's own default
        # without it, the profile's, is max_batch_size 128)
        parts.append("deployment.scheduler.cuda_graph_max_batch=8192")
    return ";".join(parts)


def group_set(group, r, load):
    if group == "rocm-vllm" and r["metric"].startswith("throughput"):
        return SETS["rocm-vllm-throughput"].format(n=load)
    if group == "dstack-mi300x" and r["framework"].startswith("TGI"):
        return SETS["dstack-tgi"]
    if group == "lmdeploy":
        kv = "deployment.scheduler.kv_cache_tokens=%d" % LMDEPLOY_KV_TOKENS[nc.lookup(MODEL_MAP, r["model"], "model",
                                                                                      r["id"])]
        sampler = ";" + SETS["sharegpt-sampler"] if r["input_len"].startswith("ShareGPT") else ""
        return SETS["lmdeploy"] + ";" + kv + sampler
    if group == "l4-inference-bench" and r["framework"].startswith("llama.cpp"):
        return SETS["l4-inference-bench-llamacpp"]
    if group == "a10g-llmperf" and r["framework"].startswith("TGI"):
        return SETS["a10g-llmperf-tgi"] + ";" + SETS["a10g-llmperf-client"]
    if group == "nm-vllm-a10":
        return SETS["vllm-v0-llama3-8b"] + ";" + SETS["sharegpt-sampler"]
    if group == "arc53-compass":
        return SETS["sharegpt-sampler"]
    if group == "a10g-llmperf" and r["framework"].startswith("vLLM"):
        return SETS["vllm-v0-llama3-8b"] + ";" + SETS["a10g-llmperf-client"]
    if group == "lambda-vllm-0.5":
        mbt = 8000 if "max-model-len 8000" in r["notes"] else 2048
        if mbt == 2048 and "max-model-len 2000" not in r["notes"]:
            nc.die("%s: no max-model-len in the notes" % r["id"])
        return SETS[group].format(mbt=mbt) + ";" + SETS["sharegpt-sampler"]
    if group in NEW_SETS:
        return new_set(group, r)
    if group == "qwen25-speed-a100":
        m = re.search(r"\(gpu_memory_utilization=([0-9.]+) max_model_len=([0-9]+) enforce_eager=(True|False)\)", r["notes"])
        if not m:
            nc.die("%s: no vLLM settings in the notes" % r["id"])
        keys = SETS[group].format(util=m.group(1), mbt=max(int(m.group(2)), 2048))
        return keys + (";deployment.scheduler.cuda_graph_max_batch=0" if m.group(3) == "True" else "")
    if group == "vllm-issue-a100":
        steps = first_int(r["notes"], r"--num-scheduler-steps ([0-9]+);", r["id"], "scheduler steps")
        return SETS[group].format(steps=steps) + ";" + SETS["sharegpt-sampler"]
    return SETS.get(group, "")


def normalise_row(r):
    rid = r["id"]
    group = group_of(r)
    mode = nc.lookup(SCENARIO_MODE, r["scenario"], "scenario", rid)
    makespan = MAKESPAN.get((r["metric"], r["unit"]))
    speed = SPEED.get((r["metric"], r["unit"]))   # a speed, written as the e2e time: whether it counts the prompt
    metric, factor = ((makespan, None) if makespan else ("e2e_s_mean", Decimal(1)) if speed is not None else
                      nc.lookup(METRIC_MAP, (r["metric"], r["unit"]), "metric/unit", rid))
    weights = nc.lookup(WEIGHTS_MAP, r["weight_precision"], "weight precision", rid)
    isl, osl = lengths(group, r)
    load = load_of(group, mode, r, int(isl), int(osl))
    sig = SIGMA.get("lmdeploy-sharegpt" if group == "lmdeploy" and r["input_len"].startswith("ShareGPT") else
                    "vllm-fp8kv-load" if group == "vllm-fp8kv" and mode == "closed" else group, (0, 0))
    requests = {"trtllm-online": 500, "nm-vllm-a10": 200, "tgi-v3-doc": 200, "l4-inference-bench": 100,
                "vllm-issue-a100": 200, "mushfiq-4090": 300,
                "vllm-pr-23151": 100}.get(group, 0)   # vllm-pr-23151: --num-prompt 100 at --max-concurrency 10
    if group in ("lambda-vllm-0.5", "arc53-compass", "dennislee-vllm"):   # the run's N prompts, all at t=0
        requests = int(load)
    if group == "lmdeploy" and mode == "closed" and r["input_len"].startswith("ShareGPT"):
        requests = 3000
    if group == "vllm-fp8kv" and mode == "closed":
        requests = 150
    if group in NEW_SETS and r["input_len"].startswith("ShareGPT"):
        sig = SHAREGPT_SIGMA   # the spread of the other ShareGPT rows
    if group in NEW_SETS and mode == "poisson":   # the run's requests (its printed 'completed')
        requests = int(first_int(r["notes"], r"completed=([0-9]+)", rid, "completed requests"))
    if group.startswith("sgl-cookbook-"):   # --num-prompts N at --max-concurrency c
        requests = int(first_int(r["notes"], r"--num-prompts ([0-9]+)", rid, "prompts"))
    if group == "a10g-llmperf":   # whole rounds of N users (the run's CSV means are multiples of 1/requests)
        requests = int(first_int(r["notes"], r"completed requests=([0-9]+)", rid, "completed requests"))
    out = {
        "id": rid, "gpu": nc.lookup(GPU_MAP, r["gpu"], "gpu", rid),
        "gpus": int(r["gpu_count"]), "tp": int(r["tensor_parallel"]),
        "model": nc.lookup(MODEL_MAP, r["model"], "model", rid), "weights": weights,
        "kv": kv_of(group, r, weights), "engine": nc.lookup(ENGINE_MAP, r["framework"], "framework", rid),
        "mode": mode, "load": format(load, "f"), "input_len": format(isl, "f"), "output_len": format(osl, "f"),
        "metric": metric, "group": group,
        "value": (format((Decimal(requests) / Decimal(nc.si_value(r["value"], Decimal(1), rid))).quantize(MAKESPAN_QUANTUM), "f")
                  if makespan else nc.si_value(r["value"], factor, rid)),
        "trust": r["trust"], "input_sigma": sig[0], "output_sigma": sig[1], "requests": requests,
        "set": ";".join(x for x in (set_of(group, r, load), nc.harness_set(r)) if x),
    }
    if group == "a10g-llmperf" and metric == "output_tok_s":
        out["value"] = llmperf_rate(r, out["value"])
    if speed is not None:   # SPEED: e2e_s = (input_len + output_len) / speed, or output_len / speed
        counted = isl + osl if speed else osl
        out["value"] = format((counted / Decimal(out["value"])).quantize(SPEED_QUANTUM), "f")
    if out["gpus"] < 1 or out["tp"] < 1 or out["gpus"] % out["tp"]:
        nc.die("%s: gpus=%d tp=%d inconsistent" % (rid, out["gpus"], out["tp"]))
    if out["trust"] not in {"high", "medium", "low"}:
        nc.die("%s: unknown trust %r" % (rid, out["trust"]))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=os.path.join(REPO, "tests", "validation", "raw", "extra_measurements.csv"))
    ap.add_argument("--output", default=os.path.join(REPO, "tests", "validation", "extra.csv"))
    ap.add_argument("--expect-rows", type=int, default=835, help="fail unless exactly this many rows (0 = any)")
    a = ap.parse_args(argv)
    with open(a.input, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != nc.IN_COLUMNS:
            nc.die("unexpected input columns %r" % (reader.fieldnames,))
        rows = list(reader)
    if len({r["id"] for r in rows}) != len(rows):
        nc.die("duplicate ids in input")
    if a.expect_rows and len(rows) != a.expect_rows:
        nc.die("read %d rows, expected %d" % (len(rows), a.expect_rows))
    out_rows = [normalise_row(r) for r in rows]
    fh = sys.stdout if a.output == "-" else open(a.output, "w", newline="", encoding="utf-8")
    try:
        w = csv.DictWriter(fh, fieldnames=nc.OUT_COLUMNS, lineterminator="\n")
        w.writeheader()
        for o in out_rows:
            w.writerow(o)
    finally:
        if fh is not sys.stdout:
            fh.close()
    sys.stderr.write("normalise_extra: wrote %d rows to %s\n" % (len(out_rows), a.output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
