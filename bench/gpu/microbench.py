#!/usr/bin/python3
"""microbench.py: kernel-level measurements of one NVIDIA GPU for servesim's step-time and power models.

Not part of the build or the tests: it needs a CUDA GPU and PyTorch, which servesim itself does not
use. It measures, with CUDA events (median of repeats after warm-up) and NVML power readings:

- HBM bandwidth: a device-to-device copy of 4 GiB (bytes read + written);
- linear layers as the engines run them: y = x W^T for the projection shapes of Llama 3.1 8B and 70B,
  bf16 (torch.matmul) and fp8 (torch._scaled_mm, e4m3, per-tensor scales), tokens per step M = 1..8192:
  achieved TFLOP/s and the fraction of the weight-streaming time (weights / copy bandwidth), which is
  what servesim's eff_weights, eff_compute_16/8 and overlap_loss describe;
- decode attention (one query token per sequence against a KV cache, GQA) as bytes of KV per second;
- prefill attention (causal, one sequence) as TFLOP/s;
- board power while idle, copying, and running bf16/fp8 GEMMs, GEMV (decode) and decode attention.

usage: python3 microbench.py [--out DIR] [--quick]   (writes DIR/microbench.json; prints a summary)
Results of a run are recorded under results/gpu/ with the date, driver and torch versions.
"""
import argparse
import json
import os
import statistics
import threading
import time

import torch

SHAPES = {  # (K, N): input features, output features of each projection
    "llama-3.1-8b": {"qkv": (4096, 6144), "o": (4096, 4096), "gate_up": (4096, 28672), "down": (14336, 4096)},
    "llama-3.1-70b": {"qkv": (8192, 10240), "o": (8192, 8192), "gate_up": (8192, 57344), "down": (28672, 8192)},
}
TOKENS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]


class Power:
    """Samples board power (W) and SM clock every 50 ms in a thread, through NVML."""

    def __init__(self):
        self.samples, self.ok = [], False
        try:
            import pynvml
            pynvml.nvmlInit()
            self.nv, self.h = pynvml, pynvml.nvmlDeviceGetHandleByIndex(0)
            self.ok = True
        except Exception as e:  # noqa: BLE001
            self.error = repr(e)
        self.stop = False
        if self.ok:
            self.t = threading.Thread(target=self.run, daemon=True)
            self.t.start()

    def run(self):
        while not self.stop:
            try:
                w = self.nv.nvmlDeviceGetPowerUsage(self.h) / 1000.0
                clk = self.nv.nvmlDeviceGetClockInfo(self.h, self.nv.NVML_CLOCK_SM)
                self.samples.append((time.time(), w, clk))
            except Exception:  # noqa: BLE001
                pass
            time.sleep(0.05)

    def window(self, t0, t1):
        """Mean power and SM clock over [t0 + 1 s, t1] (NVML power is averaged over about a second)."""
        s = [x for x in self.samples if t0 + 1.0 <= x[0] <= t1]
        if not s:
            return None
        return {"watts_mean": statistics.mean(x[1] for x in s), "watts_max": max(x[1] for x in s),
                "sm_mhz_mean": statistics.mean(x[2] for x in s), "samples": len(s)}


def timed(fn, min_ms=20.0, reps=7):
    """Median milliseconds of fn() over `reps` timings of enough calls to last min_ms."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    e0.record(); fn(); e1.record(); torch.cuda.synchronize()
    one = max(e0.elapsed_time(e1), 1e-3)
    n = max(1, min(1000, int(min_ms / one)))
    out = []
    for _ in range(reps):
        e0.record()
        for _ in range(n):
            fn()
        e1.record()
        torch.cuda.synchronize()
        out.append(e0.elapsed_time(e1) / n)
    return statistics.median(out)


def hold(fn, seconds):
    """Runs fn repeatedly for about `seconds` (for power windows); returns (t0, t1)."""
    t0 = time.time()
    while time.time() - t0 < seconds:
        for _ in range(20):
            fn()
        torch.cuda.synchronize()
    return t0, time.time()


def copy_bandwidth(res, gib=4):
    n = gib * (1 << 30) // 2
    a = torch.empty(n, dtype=torch.bfloat16, device="cuda").uniform_()
    b = torch.empty_like(a)
    ms = timed(lambda: b.copy_(a))
    res["copy"] = {"bytes": 2 * a.numel() * 2, "ms": ms, "gb_s": 2 * a.numel() * 2 / ms / 1e6}
    return a, b


def gemm_sweep(res, dtype, quick):
    out = {}
    fp8 = dtype == "fp8"
    for model, shapes in SHAPES.items():
        for name, (K, N) in shapes.items():
            nbuf = max(1, int(200e6 // (K * N * (1 if fp8 else 2))) + 1)  # rotate weights past the 60 MB L2
            if fp8:
                ws = [torch.randn(N, K, device="cuda").to(torch.float8_e4m3fn) for _ in range(min(nbuf, 4))]
            else:
                ws = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(min(nbuf, 4))]
            one = torch.tensor(1.0, device="cuda")
            for M in (TOKENS if not quick else [1, 64, 1024, 8192]):
                if fp8 and M % 16:  # _scaled_mm wants multiples of 16
                    continue
                x = torch.randn(M, K, device="cuda").to(torch.float8_e4m3fn if fp8 else torch.bfloat16)
                i = [0]

                def step():
                    w = ws[i[0] % len(ws)]
                    i[0] += 1
                    if fp8:
                        return torch._scaled_mm(x, w.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
                    return x @ w.t()
                try:
                    ms = timed(step, min_ms=10.0, reps=5)
                except Exception as e:  # noqa: BLE001
                    out[f"{model}/{name}/M{M}"] = {"error": repr(e)[:200]}
                    continue
                flops = 2.0 * M * K * N
                wbytes = K * N * (1 if fp8 else 2)
                out[f"{model}/{name}/M{M}"] = {"model": model, "op": name, "M": M, "K": K, "N": N, "ms": ms,
                                               "tflops": flops / ms / 1e9, "weight_gb_s": wbytes / ms / 1e6}
            del ws
            torch.cuda.empty_cache()
    res[f"gemm_{dtype}"] = out


def decode_attention(res, quick):
    out = {}
    for model, (H, Hkv) in {"llama-3.1-8b": (32, 8), "llama-3.1-70b": (64, 8)}.items():
        for B in ([1, 8, 64] if not quick else [8]):
            for L in ([512, 2048, 8192, 32768] if not quick else [8192]):
                if B * L > 64 * 32768:
                    continue
                q = torch.randn(B, H, 1, 128, device="cuda", dtype=torch.bfloat16)
                k = torch.randn(B, Hkv, L, 128, device="cuda", dtype=torch.bfloat16)
                v = torch.randn_like(k)
                f = lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True)  # noqa: E731
                try:
                    ms = timed(f, min_ms=10.0, reps=5)
                except Exception as e:  # noqa: BLE001
                    out[f"{model}/B{B}/L{L}"] = {"error": repr(e)[:200]}
                    continue
                kv_bytes = 2 * B * Hkv * L * 128 * 2
                out[f"{model}/B{B}/L{L}"] = {"model": model, "B": B, "L": L, "ms": ms, "kv_gb_s": kv_bytes / ms / 1e6}
                del q, k, v
    res["decode_attention"] = out


def prefill_attention(res, quick):
    out = {}
    for L in ([512, 2048, 8192] if not quick else [2048]):
        H = 32
        q = torch.randn(1, H, L, 128, device="cuda", dtype=torch.bfloat16)
        k, v = torch.randn_like(q), torch.randn_like(q)
        f = lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)  # noqa: E731
        ms = timed(f, min_ms=10.0, reps=5)
        flops = 4.0 * H * 128 * L * L / 2
        out[f"L{L}"] = {"L": L, "heads": H, "ms": ms, "tflops": flops / ms / 1e9}
    res["prefill_attention"] = out


def power_windows(res, pw, seconds):
    out = {}
    time.sleep(seconds)
    t1 = time.time()
    out["idle"] = pw.window(t1 - seconds, t1)
    n = (2 << 30) // 2
    a = torch.empty(n, dtype=torch.bfloat16, device="cuda").uniform_()
    b = torch.empty_like(a)
    out["copy"] = pw.window(*hold(lambda: b.copy_(a), seconds))
    del a, b
    K, N = SHAPES["llama-3.1-8b"]["gate_up"]
    ws = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
    x1 = torch.randn(1, K, device="cuda", dtype=torch.bfloat16)
    xb = torch.randn(8192, K, device="cuda", dtype=torch.bfloat16)
    out["gemv_bf16_M1"] = pw.window(*hold(lambda: [x1 @ w.t() for w in ws], seconds))
    out["gemm_bf16_M8192"] = pw.window(*hold(lambda: xb @ ws[0].t(), seconds))
    try:
        one = torch.tensor(1.0, device="cuda")
        w8 = ws[0].to(torch.float8_e4m3fn)
        x8 = xb.to(torch.float8_e4m3fn)
        out["gemm_fp8_M8192"] = pw.window(*hold(
            lambda: torch._scaled_mm(x8, w8.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16), seconds))
    except Exception as e:  # noqa: BLE001
        out["gemm_fp8_M8192"] = {"error": repr(e)[:200]}
    q = torch.randn(64, 32, 1, 128, device="cuda", dtype=torch.bfloat16)
    k = torch.randn(64, 8, 8192, 128, device="cuda", dtype=torch.bfloat16)
    v = torch.randn_like(k)
    out["decode_attention_B64_L8192"] = pw.window(*hold(
        lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True), seconds))
    res["power"] = out


def device_info():
    p = torch.cuda.get_device_properties(0)
    info = {"name": p.name, "sms": p.multi_processor_count, "memory_bytes": p.total_memory,
            "torch": torch.__version__, "cuda": torch.version.cuda, "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        import pynvml
        pynvml.nvmlInit()
        h = pynvml.nvmlDeviceGetHandleByIndex(0)
        info["driver"] = pynvml.nvmlSystemGetDriverVersion()
        info["power_limit_w"] = pynvml.nvmlDeviceGetPowerManagementLimit(h) / 1000.0
        info["max_sm_mhz"] = pynvml.nvmlDeviceGetMaxClockInfo(h, pynvml.NVML_CLOCK_SM)
        info["max_mem_mhz"] = pynvml.nvmlDeviceGetMaxClockInfo(h, pynvml.NVML_CLOCK_MEM)
    except Exception as e:  # noqa: BLE001
        info["nvml_error"] = repr(e)
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    ap.add_argument("--quick", action="store_true", help="a few sizes only (a smoke test)")
    ap.add_argument("--power-seconds", type=float, default=5.0)
    a = ap.parse_args()
    torch.manual_seed(20261204)
    res = {"device": device_info()}
    path = os.path.join(a.out, "microbench.json")

    def save():
        with open(path, "w") as f:
            json.dump(res, f, indent=1)
    pw = Power()
    steps = [("power", lambda: power_windows(res, pw, a.power_seconds)), ("copy", lambda: copy_bandwidth(res)),
             ("gemm_bf16", lambda: gemm_sweep(res, "bf16", a.quick)),
             ("gemm_fp8", lambda: gemm_sweep(res, "fp8", a.quick)),
             ("decode_attention", lambda: decode_attention(res, a.quick)),
             ("prefill_attention", lambda: prefill_attention(res, a.quick))]
    for name, fn in steps:
        t0 = time.time()
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            res[f"{name}_error"] = repr(e)[:500]
        torch.cuda.empty_cache()
        print(f"{name}: {time.time() - t0:.1f} s", flush=True)
        save()
    pw.stop = True
    print(json.dumps(res["device"]))
    print("copy GB/s", round(res.get("copy", {}).get("gb_s", 0)))
    for key in ("gemm_bf16", "gemm_fp8"):
        for k, v in res.get(key, {}).items():
            if k.startswith("llama-3.1-70b/gate_up") and "tflops" in v:
                print(f"{key} {k}: {v['tflops']:.0f} TFLOP/s, weights at {v['weight_gb_s']:.0f} GB/s")
    for k, v in res.get("decode_attention", {}).items():
        if "kv_gb_s" in v:
            print(f"decode attention {k}: {v['kv_gb_s']:.0f} GB/s")
    for k, v in res.get("power", {}).items():
        print(f"power {k}: {v}")


if __name__ == "__main__":
    main()
