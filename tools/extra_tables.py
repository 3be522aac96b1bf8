"""extra_tables.py: the string tables of tools/normalise_extra.py: every GPU, model, weight format, KV format,
engine release and load description as the extra sources wrote them, mapped to servesim's ids. A string no table
holds stops the normaliser (rows are never guessed); each judgement call is an entry with its comment
(tests/validation/README.md, "Extra rows"). Standard library only."""

GPU_MAP = {
    "H100 80GB HBM3": "h100-sxm-80gb",                       # HBM3 is the SXM part (same rule as calibration)
    "H200 (printed 'H200 131GB HBM3')": "h200-sxm-141gb",     # a typo for the 141 GB H200 (raw README)
    "H200 141GB HBM3": "h200-sxm-141gb",
    "A100-SXM4-80GB": "a100-sxm-80gb",
    "L40S": "l40s-48gb",
    "H100 SXM 80GB (DGX H100)": "h100-sxm-80gb",
    "H200 SXM 141GB (DGX H200)": "h200-sxm-141gb",
    "B200 180GB (DGX B200)": "b200-sxm-180gb",
    "AMD Instinct MI300X (192GiB, 750W)": "mi300x-192gb",
    # Judgement: form factor not read -> SXM, the calibration rule for unstated H100s.
    "H100 80G (form factor not in the section read)": "h100-sxm-80gb",
    # LMDeploy 'A100-80G x8 node': an 8-GPU node is the SXM (HGX) board.
    "A100-80G": "a100-sxm-80gb",
    "AMD Instinct MI300X (OAM 192GB, 750W)": "mi300x-192gb",
    "H100 (form factor not stated)": "h100-sxm-80gb",        # Judgement: unstated -> SXM
    "B200": "b200-sxm-180gb",
    "RTX 4090 (column '4090')": "rtx-4090-24gb",
    "H100 SXM 80GB": "h100-sxm-80gb",
    "A100 SXM 80GB": "a100-sxm-80gb",
    "H200 (preliminary, 141 GB HBM3e)": "h200-sxm-141gb",
    "A10 (stated: 'on an A10'; 24 GB, 150 W, not the A10G)": "a10-24gb",
    "A10 (inferred: same README and FP16 comparison run as the A10 result)": "a10-24gb",
    "RTX 4090 (post's table: 'RTX 4090', CUDA)": "rtx-4090-24gb",
    "NVIDIA GeForce RTX 4090 (llama-bench device line)": "rtx-4090-24gb",
    "AMD Instinct MI300X (llama-bench device line)": "mi300x-192gb",
    "L4 (24GB)": "l4-24gb", "L4 (24GB), 4 GPUs ('4xL4')": "l4-24gb",
    "H100 80GB (form factor not stated), 8 GPUs ('8xH100')": "h100-sxm-80gb",   # Judgement: unstated -> SXM
    "NVIDIA GeForce RTX 4090 (desktop, PCIe4.0 x16)": "rtx-4090-24gb",
    "NVIDIA A10G (EC2 g5.2xlarge)": "a10g-24gb",
    "NVIDIA L4 (24 GB, Modal)": "l4-24gb",
    # Group T: Lambda's folder names say SXM ('1xH100-80GB-SXM').
    "H100-80GB-SXM (folder '1xH100-80GB-SXM')": "h100-sxm-80gb",
    "H100-80GB-SXM (folder '2xH100-80GB-SXM')": "h100-sxm-80gb",
    "H100-80GB-SXM (folder '4xH100-80GB-SXM')": "h100-sxm-80gb",
    # Group U judgement: variant not stated -> SXM 80 GB (the calibration rule for unstated A100s; 40 GB cannot hold
    # 35 GB of BF16 70B weights per GPU plus the KV cache at the default 0.9 memory fraction).
    "A100 (printed '4 x A100'; variant not stated)": "a100-sxm-80gb",
    "NVIDIA L4": "l4-24gb",
    "NVIDIA A10G (AWS g5.12xlarge, 2 of its 4 GPUs)": "a10g-24gb",   # g5 instances carry the A10G
    "RTX 4090 (24GB)": "rtx-4090-24gb",
    # Group X (llama.cpp CUDA scoreboard): llama-bench device names as the file gives them.
    "NVIDIA GeForce RTX 5090 (scoreboard device name)": "rtx-5090-32gb",
    # Judgement: the 300 W Max-Q edition mapped to the 600 W Workstation Edition in hwdb (same GB202, 96 GB GDDR7,
    # 1792 GB/s; only the power limit differs, so pp512 is expected below a 600 W card). Trust low says so.
    "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition (scoreboard device name)": "rtx-pro-6000-96gb",
    "NVIDIA GeForce RTX 4090 (scoreboard device name)": "rtx-4090-24gb",
    "NVIDIA RTX 6000 Ada Generation (scoreboard device name)": "rtx-6000-ada-48gb",
    "NVIDIA GeForce RTX 3090 (scoreboard device name)": "rtx-3090-24gb",
    "NVIDIA L40 (scoreboard device name)": "l40-48gb",
    "NVIDIA RTX A6000 (scoreboard device name)": "rtx-a6000-48gb",
    "NVIDIA A40 (scoreboard device name)": "a40-48gb",
    "NVIDIA H20 96GB": "h20-96gb",   # EX-400..439: the page's 'Hardware: NVIDIA H20 96GB'
    # EX-500..652. Judgement: an H100 or H200 whose form factor is not stated -> SXM (the rule above); DataCrunch's
    # H200 nodes are HGX boards. The 0.15 perf overview prints one GPU header blank: the 0.14 revision has
    # 'H100 80GB HBM3' FP16 in that place and the values fit (trust medium).
    "H100": "h100-sxm-80gb", "H200 141GB": "h200-sxm-141gb", "H100 80GB HBM3 (unlabelled column)": "h100-sxm-80gb",
    "A100-PCIE-80GB": "a100-pcie-80gb", "GH200 96GB HBM3 CG1": "gh200-96gb", "H100 NVL 95GB": "h100-nvl-94gb",
    "MI300X": "mi300x-192gb", "NVIDIA A100-SXM4-40GB (nvidia-smi; GCP a2-highgpu-1g)": "a100-sxm-40gb",
    "NVIDIA L4 (nvidia-smi 'NVIDIA Tesla L4 24 GiB'; GCP g2-standard-8)": "l4-24gb",
    # the Workstation (600 W) and Server editions: the same GB202 with 96 GB GDDR7 at 1792 GB/s
    "NVIDIA RTX PRO 6000 Blackwell Workstation Edition (llama-bench device line)": "rtx-pro-6000-96gb",
    "NVIDIA RTX PRO 6000 Blackwell Server Edition (llama-bench device line)": "rtx-pro-6000-96gb",
    # EX-700..807 (groups AI-AK, raw README). Judgement: the SGLang cookbook's 'NVIDIA A100 GPU (8x)' states neither
    # memory nor form factor; an 8-GPU TP8 box is the SXM board (as for the unstated H100), and its batch-1 TPOT of
    # 18.6 ms for 70B at TP8 fits the 2 TB/s 80 GB part (the 1.56 TB/s 40 GB part streams the weights alone in 11.9).
    # The Kubernetes pod's 'A100 80GB': form factor unstated, SXM by the same rule (the PCIe card streams 5% slower).
    "NVIDIA A100 (memory and form factor not stated)": "a100-sxm-80gb", "NVIDIA B200": "b200-sxm-180gb",
    "NVIDIA A100 80GB": "a100-sxm-80gb",
    # EX-810..869 (TRT-LLM 1.2 perf overview): its hardware list's name; the Server Edition resolves to the hwdb
    # entry as above (same GB202 and 96 GB / 1792 GB/s memory). Its GB200, B300 and GB300 columns were not taken (no
    # hwdb entry; raw README, judgement 29).
    "RTX 6000 Pro Blackwell Server Edition": "rtx-pro-6000-96gb",
    # EX-930..1044 (group AN, the Qwen2.5 speed page): 'NVIDIA A100 80GB', form factor not stated; SXM by the rule for
    # unstated A100s (its 72B rows ran tensor parallel over 2 and 4 GPUs of one server)
    "NVIDIA A100 80GB (form factor not stated)": "a100-sxm-80gb",
    # EX-1045..1081 (group AO, the SGLang cookbook's Llama 4 page): 'AMD MI300x GPU', 8 of them; 192 GB is the only MI300X
    "AMD MI300X ('AMD MI300x GPU' as printed; 8 GPUs)": "mi300x-192gb",
}

MODEL_MAP = {
    "LLaMA 3.1 8B": "llama-3.1-8b", "LLaMA v3.1 8B": "llama-3.1-8b", "Llama 3.1 8B": "llama-3.1-8b",
    "Llama-3.1-8B": "llama-3.1-8b",
    "meta-llama/Meta-Llama-3-8B-Instruct": "llama-3.1-8b",          # Llama 3 = 3.1 shapes (calibration rule)
    "nm-testing/Meta-Llama-3-8B-Instruct-GPTQ": "llama-3.1-8b",     # quantised copy; precision in weights
    "LLaMA 3.1 70B": "llama-3.1-70b", "LLaMA v3.1 70B": "llama-3.1-70b",
    "Llama 3.1 70B (amd/Llama-3.1-70B-Instruct-FP8-KV)": "llama-3.1-70b",
    # Llama 3.3 70B has the Llama 3.1 70B architecture (same shapes, GQA, vocabulary); a new fine-tune.
    "Llama 3.3 70B": "llama-3.1-70b", "Llama-3.3-70b-instruct": "llama-3.1-70b",
    "LLaMA v3.1 405B": "llama-3.1-405b", "Llama 3.1 405B": "llama-3.1-405b",
    "Llama 3.1 405B (amd/Llama-3.1-405B-Instruct-FP8-KV)": "llama-3.1-405b",
    "meta-llama/Llama-3.1-405B-Instruct": "llama-3.1-405b",
    "Mixtral 8x7B": "mixtral-8x7b", "Mistral 7B": "mistral-7b",
    "Llama 4 Scout": "llama-4-scout", "Llama 4 Maverick": "llama-4-maverick",
    "llama2-7b (Llama-2-7b)": "llama-2-7b", "llama2-70b (Llama-2-70b)": "llama-2-70b",
    # LLaMA-1 7B/13B have the Llama 2 7B/13B layer shapes (context 2048 instead of 4096).
    "Llama (LLaMA-1) 7B": "llama-2-7b", "Llama (LLaMA-1) 13B": "llama-2-13b",
    "Llama2 7B": "llama-2-7b", "Llama2 70B": "llama-2-70b",
    "GPT-J 6B": "gpt-j-6b",
    "Llama 2 13B (printed 'llama_13b')": "llama-2-13b", "Llama 2 70B (printed 'llama_70b')": "llama-2-70b",
    "Llama-2-7B (TheBloke/Llama-2-7B-GGUF)": "llama-2-7b", "Llama-2-7B (llama-2-7b.Q4_0.gguf)": "llama-2-7b",
    # Mistral 7B v0.3 = the v0.1 shapes (hwdb aliases it) with a 32768-token vocabulary (+6.3M parameters,
    # <0.1% of the weight bytes) and no sliding window (irrelevant at 512 tokens).
    "Mistral-7B-Instruct-v0.3 (lmstudio-community GGUF)": "mistral-7b",
    "meta-llama/Meta-Llama-3.1-8B-Instruct": "llama-3.1-8b", "meta-llama/Meta-Llama-3.1-70B-Instruct": "llama-3.1-70b",
    # Mistral 7B v0.2 = the v0.1 shapes and vocabulary without the sliding window (hwdb aliases it)
    "Mistral 7B v0.2 GGUF Q4_K_M": "mistral-7b",
    "Mistral 7B v0.2 AWQ (TensorRT-LLM engine for Ada, single GPU)": "mistral-7b",
    "Qwen/Qwen2.5-7B-Instruct": "qwen2.5-7b", "Qwen/Qwen2.5-7B-Instruct-GGUF (q4_k_m)": "qwen2.5-7b",
    # Mistral 7B v0.3 is an alias of the v0.1 shapes in hwdb (vocabulary 32768 vs 32000, no sliding window: see the
    # model file's note).
    "mistralai/Mistral-7B-Instruct-v0.3": "mistral-7b",
    "neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8": "llama-3.1-70b",   # FP8 copy; precision in weights
    "neuralmagic/Meta-Llama-3.1-8B-FP8": "llama-3.1-8b",              # FP8 copy of the base model
    "meta-llama/Llama-3.3-70B-Instruct": "llama-3.1-70b",              # Llama 3.3 = 3.1 70B shapes
    # Group V: a proprietary fine-tune of Llama 3 8B; the architecture is the Llama 3 (= 3.1) 8B's.
    "meta-llama/Meta-Llama-3.1-8B-Instruct (json); issue: 'a proprietary fine-tuned version of meta-llama/Meta-Llama-3-8B'":
        "llama-3.1-8b",
    # EX-400..439 (Qwen3 speed page): the table's model names; the FP8 rows ran Qwen's FP8 release of the same model
    # (the precision goes in weights). hwdb's Qwen3 entries hold the native 40960-token context: only inputs up to
    # 30720 (+ 2048 out) were taken, not the page's 63488 / 129042 rows (run with YaRN, context_length=140000).
    "Qwen3-8B": "qwen3-8b", "Qwen3-14B": "qwen3-14b", "Qwen3-32B": "qwen3-32b",
    "Qwen3-30B-A3B": "qwen3-30b-a3b", "Qwen3-235B-A22B": "qwen3-235b-a22b",
    # EX-500..652. Llama 3 8B = the 3.1 shapes (the rule above; a V0 token budget from its 8K context in SETS); the
    # shisa-v2 checkpoints are fine-tunes with their bases' architectures (llama.cpp prints 70.55 B / 12.25 B)
    "Meta-Llama-3-8B": "llama-3.1-8b", "meta-llama/Llama-3.3-70B-Instruct": "llama-3.1-70b",
    "Llama-3-8B (meta-llama/Meta-Llama-3-8B converted with convert_hf_to_gguf.py)": "llama-3.1-8b",
    "Llama-3.1-70B-Instruct (bartowski Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf)": "llama-3.1-70b",
    "Llama-3.3-70B fine-tune (shisa-v2-llama3.3-70b, i1 GGUF)": "llama-3.1-70b",
    "Mistral-Nemo-12B fine-tune (shisa-v2-mistral-nemo-12b, i1 GGUF)": "mistral-nemo-12b",
    "Qwen3-30B-A3B (Qwen3-30B-A3B-Q4_K_M.gguf)": "qwen3-30b-a3b",
    # EX-700..807: the cookbook's base 70B; the 2507 refresh of Qwen3-235B-A22B (same shapes); Qwen2-7B has Qwen2.5-7B's
    # shapes (28 layers, hidden 3584, 28 query and 4 KV heads, the same vocabulary)
    "Llama-3.1-70B (base)": "llama-3.1-70b", "Qwen3-235B-A22B-Instruct-2507": "qwen3-235b-a22b",
    "Qwen2-7B-Instruct": "qwen2.5-7b", "Qwen2.5-32B": "qwen2.5-32b",
    # EX-810..869: the TRT-LLM 1.2 tables' headings (checkpoints nvidia/*-FP4 and -FP8 of these models; precision in
    # weights); Llama 3.3 = the 3.1 70B shapes (the rule above)
    "LLaMA v3.3 70B": "llama-3.1-70b", "Qwen3 235B A22B": "qwen3-235b-a22b", "Qwen3 30B A3B": "qwen3-30b-a3b",
    # EX-1124..1142: the same page's GPT-OSS tables (OpenAI's checkpoints)
    "GPT-OSS 120B": "gpt-oss-120b", "GPT-OSS 20B": "gpt-oss-20b",
    # EX-930..1044: the Qwen2.5 Instruct checkpoints (their GPTQ/AWQ copies: precision in weights)
    "Qwen2.5-0.5B-Instruct": "qwen2.5-0.5b", "Qwen2.5-1.5B-Instruct": "qwen2.5-1.5b", "Qwen2.5-3B-Instruct": "qwen2.5-3b",
    "Qwen2.5-7B-Instruct": "qwen2.5-7b", "Qwen2.5-14B-Instruct": "qwen2.5-14b", "Qwen2.5-32B-Instruct": "qwen2.5-32b",
    "Qwen2.5-72B-Instruct": "qwen2.5-72b",
    # EX-1045..1081: the cookbook's Llama 4 checkpoints (BF16 repositories, not their -FP8 copies)
    "Llama-4-Scout-17B-16E-Instruct": "llama-4-scout", "Llama-4-Maverick-17B-128E-Instruct": "llama-4-maverick",
}

WEIGHTS_MAP = {
    "BF16": "bf16", "FP8": "fp8", "fp8": "fp8", "FP16": "fp16",
    "FP4 (NVFP4)": "nvfp4",
    # EX-1124..1142: gpt-oss's own checkpoint on both GPUs; the column's FP4/FP8 label is the activations' path
    "MXFP4 routed experts, BF16 elsewhere (the openai/gpt-oss checkpoint; column label FP4)": "mxfp4",
    "MXFP4 routed experts, BF16 elsewhere (the openai/gpt-oss checkpoint; column label FP8)": "mxfp4",
    "FP8 (Quark w_fp8_a_fp8)": "fp8",                 # FP8 weights and activations (W8A8)
    "BF16 (model default; not stated)": "bf16",
    "GPTQ 4-bit, group size 128, act-order no": "gptq",
    "GPTQ 4-bit (Marlin kernels)": "gptq",
    "EXL2 4.0 bpw": "exl2-4.0", "EXL2 2.5 bpw": "exl2-2.5",
    "Q4_0 (GGUF)": "q4_0", "Q4_K_M (GGUF)": "q4_k_m",      # the calibration rule for GGUF names
    "AWQ int4": "awq",
    "FP16 (TGI default; not stated)": "fp16",       # the calibration rule for TGI
    # group S: --dtype auto loads the checkpoint's torch_dtype (bfloat16); the README's "FP16" means 16-bit
    "BF16 (dtype auto; README says FP16)": "bf16",
    "FP8 (neuralmagic FP8 checkpoint: weights and activations FP8)": "fp8",   # W8A8 FP8
    # EX-500..652. TRT-LLM 0.15's 'Mixed' columns (no quantization) are labelled FP16 in the 0.14 revision.
    "'Mixed' as printed (no quantization; FP16/BF16 weights, inferred: the 0.14 revision labels these columns FP16)":
        "fp16",
    "BF16 (dtype auto)": "bf16", "BF16 (script comment 'bf16')": "bf16", "F16 (GGUF; 14.96 GiB)": "fp16",
    "bf16": "bf16", "bf16 (assumed)": "bf16",   # EX-770..807: the startup log's dtype; the 32B run's is assumed
    "FP8 (Qwen/Qwen3-30B-A3B-FP8, --quantization fp8)": "fp8", "FP8 (trtllm-bench build --quantization FP8)": "fp8",
    "Q4_0 (GGUF; 3.56 GiB)": "q4_0", "Q4_K_M (GGUF; printed 'Q4_K - Medium', 17.28 GiB)": "q4_k_m",
    "Q4_K_M (GGUF; printed 'Q4_K - Medium', 39.59 GiB)": "q4_k_m", "Q4_K_M (GGUF; printed 'Q4_K - Medium', 6.96 GiB)": "q4_k_m",
    # EX-930..1044: Qwen's GPTQ-Int8 checkpoints are 8-bit weight-only (vLLM 0.6 runs them with its gptq_marlin W8A16
    # kernels on an A100); GPTQ-Int4 and AWQ are the 4-bit group-128 formats
    "GPTQ-Int8": "w8a16", "GPTQ-Int4": "gptq", "AWQ": "awq",
}

# KV format. "FP8 engines": TRT-LLM's rule ("If you specify FP8 quantization, the KV cache will
# automatically be set to FP8", quoted in group B's notes; NVIDIA's ModelOpt FP8/NVFP4 checkpoints also
# quantise the KV cache), so an unstated KV with FP8 or NVFP4 weights on TRT-LLM is fp8.
KV_NOT_STATED = "not stated"  # resolved from the weights (FP8 engines above; kv_of)
KV_MAP = {
    "not stated (BF16 engine; TRT-LLM default KV = model dtype)": "bf16",
    "FP8": "fp8", "FP16": "fp16", "BF16": "bf16",
    "FP8 (--kv-cache-dtype fp8)": "fp8",
    "FP8 (--kv-cache-dtype fp8, e4m3, FA3)": "fp8",
    # benchmark_latency.py runs --dtype float16 without --kv-cache-dtype: 'auto' = the model dtype, fp16
    "not set in the latency command (kv_cache_dtype auto; checkpoint is the -FP8-KV export)": "fp16",
    "not stated (default = BF16)": "bf16",
    "not stated (FP16 default)": "fp16",
    "not stated (default = FP16)": "fp16",
    "F16 (llama.cpp default; not stated)": "fp16",   # llama.cpp's KV cache is f16 unless -ctk/-ctv say otherwise
    # TRT-LLM 0.7 AWQ engines keep activations and the KV cache in FP16 unless an int8/fp8 KV cache is requested
    "not stated (TensorRT-LLM default = FP16 for an FP16 AWQ engine)": "fp16",
    # EX-400..439: SGLang's kv_cache_dtype 'auto' stores KV in the model's dtype, BF16 also for the FP8 checkpoints
    # (their torch_dtype is bfloat16; no --kv-cache-dtype on the page)
    "not stated (SGLang kv_cache_dtype auto = model dtype, BF16)": "bf16",
    "F16 (llama.cpp default; not printed)": "fp16", "auto (BF16)": "bf16", "fp8": "fp8",
    "not stated (default = model dtype BF16)": "bf16",
    "FP8 (the doc: kv_cache_config dtype fp8)": "fp8", "BF16 (the doc: kv_cache_config dtype auto on Hopper)": "bf16",
    "BF16 (default auto, not stated)": "bf16", "auto (= bf16; kv_cache_dtype=auto in the startup log)": "bf16",
    "auto (not logged; default = bf16)": "bf16",
    "not stated (TRT-LLM default for the build)": KV_NOT_STATED, KV_NOT_STATED: KV_NOT_STATED,
    # EX-930..1044: vLLM's kv_cache_dtype 'auto' is the model's dtype: BF16, and FP16 for Qwen's GPTQ/AWQ checkpoints
    # (their config.json torch_dtype); both 2 bytes
    "not stated (vLLM kv_cache_dtype auto = the model dtype, BF16)": "bf16",
    "not stated (vLLM kv_cache_dtype auto = the checkpoint's dtype, FP16 for Qwen's GPTQ/AWQ checkpoints)": "fp16",
}

# Engine as FAMILY@RELEASE (hwdb/engines picks the profile whose releases hold it).
ENGINE_MAP = {
    "TensorRT-LLM 0.14.0 (Triton tensorrtllm_backend)": "trtllm@0.14.0",
    "TensorRT-LLM 0.17 (trtllm-bench, engine flow)": "trtllm@0.17",
    "TensorRT-LLM 1.0 (PyTorch backend, trtllm-bench)": "trtllm@1.0",
    "vLLM 0.10.0 (ROCm build, docker rocm/vllm-dev:main, benchmark_throughput.py)": "vllm@0.10.0",
    "vLLM 0.10.0 (ROCm build, docker rocm/vllm-dev:main, benchmark_latency.py)": "vllm@0.10.0",
    # NIM 1.8.0 runs TensorRT-LLM (version not stated): hwdb maps the container to its backend profile.
    "NVIDIA NIM 1.8.0 (llama-3.3-70b-instruct container; TensorRT-LLM backend, version not stated)": "nim@1.8",
    "LMDeploy v0.2.0 (TurboMind engine)": "lmdeploy@0.2.0",
    "LMDeploy v0.1.0a1 (TurboMind engine)": "lmdeploy@0.1.0",
    "vLLM 0.6.3.dev116+g151ef4ef (ROCm 6.1 build from source)": "vllm@0.6.3",
    "TGI 2.3.1-dev0 (ROCm image sha-11d7af7)": "tgi@2.3.1",
    "vLLM 0.19.1 (FlashAttention-3 backend)": "vllm@0.19.1",
    "vLLM 0.19.1 (FlashInfer backend)": "vllm@0.19.1",
    # Judgement (as for ExLlama v1, HO-221): no ExLlamaV2 profile; a single-stream batch-1 CUDA engine
    # with W4A16 kernels is validated against the llama.cpp single-stream profile of its time (Aug 2024).
    "ExLlamaV2 0.1.8": "llamacpp@b4000",
    "TensorRT-LLM 0.5.0 (TensorRT 9.1)": "trtllm@0.5.0",
    "TensorRT-LLM 0.5.0 (TensorRT 9.1.0.4)": "trtllm@0.5.0",
    # 'pip install vllm' on or before 2024-06-14 installed 0.5.0 (raw README, group L: an inference)
    "vLLM (pip release of mid-June 2024, version not printed; likely 0.5.0)": "vllm@0.5.0",
    # llama.cpp profiles go by build number (b1..b2999, b3000+). Judgement: -fa 1 (flash attention) is the newer
    # builds' usual flag, not a profile of its own; the ROCm/HIP backend is not modelled (the profiles describe the
    # CUDA build: validate refuses the MI300X rows with the reason); the rows keep both in their notes (raw README,
    # groups M-O).
    "llama.cpp b4011 (CUDA, -fa 1)": "llamacpp@b4011",
    "llama.cpp build 1804adb0 (4006) (CUDA, -fa 1)": "llamacpp@b4006",
    "llama.cpp build d5cb8684 (3891) (ROCm/HIP)": "llamacpp@b3891",
    "llama.cpp build d5cb8684 (3891) (ROCm/HIP, -fa 1)": "llamacpp@b3891",
    # The TGI v3 doc (2024-12-10) names only 'TGI v3'; its revision is 3.0.1-dev0, just after the v3.0.0 tag.
    "TGI v3 (3.0.0 era; doc revision 3.0.1-dev0)": "tgi@3.0.0",
    # Jan's llama.cpp build: commit 15499eb (Feb/Mar 2024); Jan's TRT-LLM extension runs TensorRT-LLM 0.7.1
    # commit 15499eb is of Feb/Mar 2024: a build b2xxx (no number printed), the profile's own release
    "llama.cpp commit 15499eb (CUDA, Windows, via Jan)": "llamacpp@b2000",
    "TensorRT-LLM 0.7.1 (Windows build, via Jan's nitro-tensorrt-llm)": "trtllm@0.7.1",
    "TGI 2.0.4 (ghcr.io/huggingface/text-generation-inference:2.0.4)": "tgi@2.0.4",
    "vLLM 0.4.3 (vllm/vllm-openai:v0.4.3)": "vllm@0.4.3",
    "SGLang 0.4.6 (lmsysorg/sglang:v0.4.6-cu124)": "sglang@0.4.6",
    "llama.cpp b5540 (llama-server, 4 slots)": "llamacpp@b5540",
    # Group X judgement: the file gives commit hashes only, no build numbers. The scoreboard thread opened in Aug 2025
    # at build 6060 (9c35706 (6060) in its first replies), so every entry is taken as b6060; all llama.cpp builds
    # from b3000 on share one profile, so the exact number does not change the prediction. -fa 0 is the scoreboard's
    # no-flash-attention table.
    "llama.cpp commit 8cf6b42 (CUDA, -fa 0)": "llamacpp@b6060",
    "llama.cpp commit d2462f8 (CUDA, -fa 0)": "llamacpp@b6060",
    "llama.cpp commit 2241453 (CUDA, -fa 0)": "llamacpp@b6060",
    "llama.cpp commit b8e09f0 (CUDA, -fa 0)": "llamacpp@b6060",
    "llama.cpp commit c76b420 (CUDA, -fa 0)": "llamacpp@b6060",
    "llama.cpp commit ee09828 (CUDA, -fa 0)": "llamacpp@b6060",
    "llama.cpp commit 4795c91 (CUDA, -fa 0)": "llamacpp@b6060",
    "llama.cpp commit 3470a5c (CUDA, -fa 0)": "llamacpp@b6060",
    "vLLM 0.5.4 (docker vllm/vllm-openai:v0.5.4)": "vllm@0.5.4",
    "vLLM 0.6.6 (benchmark_throughput.py, offline LLM class)": "vllm@0.6.6",
    # Judgement (group V, an inference): no version recorded; 0.5.4 was the PyPI release on the run dates.
    "vLLM (version not printed; run of 2024-08-13, pip release then 0.5.4)": "vllm@0.5.4",
    "vLLM (version not printed; run of 2024-08-19/20, pip release then 0.5.4)": "vllm@0.5.4",
    # Judgement (group W): no version stated. The --max-concurrency sweep needs benchmark_serving 0.6.2 or later and
    # the post is from the V1 era (it frames agentic workloads); taken as the V1 profile. Trust low says so.
    "vLLM (OpenAI-compatible server, --tokenizer-mode mistral; version not stated)": "vllm@0.10",
    # EX-400..439: the page's SGLang environment, 'SGLang 0.4.6.post1' (a post-release of 0.4.6: the 0.4.6 release)
    "SGLang 0.4.6.post1 (offline engine; sgl-kernel 0.1.0, PyTorch 2.6.0+cu124)": "sglang@0.4.6",
    # EX-500..652. Versions pinned by dates where the text prints none (raw README, groups Z-AH): main between two
    # releases takes the earlier release; DataCrunch's 'lmsysorg/sglang:latest' of 2024-12-12..14 was 0.4.0.post1;
    # llama.cpp cloned in mid-July 2024 was build b3400 or so (all b3000+ builds share one profile); the HPC page's
    # b8083 is its text's (the binary printed 'build: unknown (0)').
    "vLLM main as of 2025-08-19 (between v0.10.1 and v0.10.2; V1 engine)": "vllm@0.10.1",
    "vLLM main as of 2025-05-01 (just after v0.8.5), ROCm build": "vllm@0.8.5",
    "vLLM main as of 2024-08-04 (between v0.5.3.post1 and v0.5.4; V0 engine, single-step scheduling)": "vllm@0.5.3",
    "vLLM 0.8.5.post1 (V1 engine default)": "vllm@0.8.5",
    "SGLang (Docker lmsysorg/sglang:latest, Dec 2024; version not recorded, v0.4.0.post1 inferred from date)":
        "sglang@0.4.0",
    "TensorRT-LLM 0.15.0": "trtllm@0.15.0",
    "llama.cpp build 233d773d0 (6413) (CUDA, -fa 1)": "llamacpp@b6413",
    "llama.cpp b8083 (EasyBuild module, CUDA 12.8.0; binary prints 'build: unknown (0)')": "llamacpp@b8083",
    "llama.cpp master cloned mid-July 2024 (build not recorded; CUDA)": "llamacpp@b3400",
    "SGLang 0.5.6": "sglang@0.5.6", "vLLM 0.10.1.1 (V1 engine)": "vllm@0.10.1",   # EX-700..807, as printed
    # EX-810..869: 1.2 is inferred from the revision's 'As of release/1.2' note (as 1.0 from its 'NEW for v1.0'); the
    # trtllm@1.0 profile's releases run 1.0 to 1.9, so trtllm@1.2 resolves to it (inside its range, not beyond it)
    "TensorRT-LLM 1.2 (PyTorch backend, trtllm-bench)": "trtllm@1.2",
    "TensorRT-LLM 1.1 (PyTorch backend, trtllm-bench)": "trtllm@1.1",
    "vLLM 0.6.3 (offline LLM class; PyTorch 2.4.0, Flash Attention 2.6.3)": "vllm@0.6.3",   # EX-930..1044
    "SGLang 0.5.9": "sglang@0.5.9",   # EX-1045..1081, as printed (its ROCm build: the page runs on MI300X)
}

SCENARIO_MODE = {
    "online serving at fixed QPS, 500 requests": "poisson",     # Judgement: arrival process not stated
    "offline max-throughput": "offline",
    "offline max-throughput (benchmark_throughput.py, random fixed-length prompts)": "offline",
    "static batch (benchmark_latency.py)": "static",
    "closed loop, fixed concurrency (AIPerf)": "closed",
    "closed loop, ShareGPT, 3000 prompts": "closed",
    "closed loop, fixed lengths (profile_generation.py)": "closed",
    "burst: N prompts at t=0 (benchmark_serving.py, request_rate=inf)": "offline",  # all at t=0
    "closed loop, fixed concurrency, 150 requests (vllm bench serve)": "closed",
    "single request (concurrency 1), input-length sweep": "single",
    "single stream": "single",
    "static batch": "static",
    "static batch, max throughput": "static",
    "online, Poisson arrivals, 200 prompts ShareGPT": "poisson",
    "single stream (llama-bench)": "single",   # batch 1; pp512: input 512, output 0; tg128: input 0, output 128
    # k6 shared-iterations: 100 VUs share 200 iterations, each VU sends its next request when the last returns
    "closed loop, k6 shared-iterations, 100 VUs, 200 requests (prompts cached by a 1st run)": "closed",
    # one request at a time: prefill of 2048 tokens, then 512 decode steps (decode speed over contexts 2048..2560)
    "single stream (Jan app, batch_size 1)": "single",
    "closed loop, llmperf fixed concurrency": "closed",   # llmperf keeps N requests in flight
    # an asyncio semaphore of N over 100 requests: N in flight until the queue drains (requests = 100)
    "closed loop, N concurrent, 100 measured requests after a 2N warm-up": "closed",
    "offline max-throughput (benchmark_throughput.py, ShareGPT)": "offline",
    # benchmark_serving --max-concurrency c with request rate inf: c users, each sends its next prompt when the last ends
    "closed loop, fixed concurrency, 300 prompts (max concurrency, request rate inf)": "closed",
    # EX-400..439: one request at a time ('batch size of 1'): prefill of the input, then 2048 generated tokens
    "single request, batch size 1, 2048 generated tokens (SGLang engine, input_ids)": "single",
    # EX-500..652 (vLLM's and SGLang's random datasets: ignore_eos; --max-concurrency with rate inf: c users)
    "fixed concurrency (closed loop), random dataset, 100 prompts": "closed",
    "offline burst (benchmark_throughput), fixed lengths": "offline",
    "offline burst (random dataset, all requests at t=0)": "offline",
    "offline burst (sharegpt dataset, all requests at t=0)": "offline",
    "offline burst via serving benchmark, ShareGPT, 1000 prompts at rate inf": "offline",
    "offline max throughput (infinite request rate), uniform synthetic lengths": "offline",
    "online Poisson arrivals (random dataset)": "poisson", "online Poisson arrivals (sharegpt dataset)": "poisson",
    # EX-700..807: bench_serving --max-concurrency c at rate inf (c users); benchmark_serving without a rate or a
    # concurrency limit: every prompt at t=0, a single request too (a burst of one)
    "closed-loop max-concurrency, random dataset": "closed",
    "offline burst (request rate inf), random 1024/1024": "offline",
    "single stream (one request, random 1024/1024)": "offline",
    "single request, batch size 1, 2048 generated tokens (vLLM offline LLM.generate)": "single",   # EX-930..1044
}
