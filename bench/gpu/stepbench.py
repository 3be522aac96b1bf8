#!/usr/bin/python3
"""stepbench.py: whole transformer steps (decode and prefill) of Llama-shaped models on one GPU.

Not part of the build or the tests: it needs a CUDA GPU and PyTorch. Where microbench.py times single
kernels, this times what servesim's step-time model predicts: one forward step of every layer plus
the LM head, for a batch of sequences, in bf16 with random weights.

- decode: B sequences, one new token each, attending over a KV cache of L tokens (GQA through
  torch SDPA), the whole step captured in a CUDA graph as vLLM and TensorRT-LLM run decode; also
  eager (no graph) at a few points, which shows the per-kernel launch cost a graph removes;
- prefill: one sequence of T prompt tokens (causal attention), eager as vLLM runs prefill.

One layer's weights and one KV tensor are allocated and run `layers` times: each layer's weights
(436 MB for 8B, 1.7 GB for 70B) and KV are far larger than the 50-60 MB L2 cache, so every layer
streams them from HBM as the real model does, while memory stays small. RoPE is an elementwise
multiply-add of the same cost; sampling is an argmax over the vocabulary.

usage: python3 stepbench.py [--out DIR] [--quick]   (writes DIR/stepbench.json; prints a table)
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

MODELS = {  # hidden, heads, kv_heads, head_dim, ffn, vocab, layers
    "llama-3.1-8b": (4096, 32, 8, 128, 14336, 128256, 32),
    "llama-3.1-70b": (8192, 64, 8, 128, 28672, 128256, 80),
}


class Layer:
    def __init__(self, m, dev):
        h, nh, kvh, d, ffn, vocab, _ = m
        w = lambda k, n: torch.randn(n, k, device=dev, dtype=torch.bfloat16) * 0.02  # noqa: E731
        self.m = m
        self.qkv = w(h, (nh + 2 * kvh) * d)
        self.o = w(nh * d, h)
        self.gate_up = w(h, 2 * ffn)
        self.down = w(ffn, h)
        self.norm = torch.ones(h, device=dev, dtype=torch.bfloat16)
        self.head = w(h, vocab)

    def forward(self, x, k_cache, v_cache, causal):
        """x: (B, T, h); k_cache, v_cache: (B, kvh, L, d) or None (prefill: attend to own tokens)."""
        h, nh, kvh, d, ffn, _, layers = self.m
        B, T, _ = x.shape
        for _ in range(layers):
            r = x
            x = F.rms_norm(x, (h,), self.norm)
            q, k, v = (x @ self.qkv.t()).split([nh * d, kvh * d, kvh * d], dim=-1)
            q = q.view(B, T, nh, d).transpose(1, 2)
            k = k.view(B, T, kvh, d).transpose(1, 2)
            v = v.view(B, T, kvh, d).transpose(1, 2)
            q = q * 1.0001 + 0.0001  # RoPE stand-in: one elementwise pass
            if k_cache is None:
                a = F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)
            else:
                a = F.scaled_dot_product_attention(q, k_cache, v_cache, enable_gqa=True)
            x = r + a.transpose(1, 2).reshape(B, T, nh * d) @ self.o.t()
            r = x
            x = F.rms_norm(x, (h,), self.norm)
            g, u = (x @ self.gate_up.t()).split([ffn, ffn], dim=-1)
            x = r + (F.silu(g) * u) @ self.down.t()
        return (F.rms_norm(x[:, -1], (h,), self.norm) @ self.head.t()).argmax(-1)


def timed(fn, reps):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b))
    return statistics.median(ts)


def decode(layer, B, L, graph, reps, dev):
    h, nh, kvh, d = layer.m[:4]
    x = torch.randn(B, 1, h, device=dev, dtype=torch.bfloat16)
    kc = torch.randn(B, kvh, L, d, device=dev, dtype=torch.bfloat16)
    vc = torch.randn(B, kvh, L, d, device=dev, dtype=torch.bfloat16)
    step = lambda: layer.forward(x, kc, vc, False)  # noqa: E731
    if graph:
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(2):
                step()
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            step()
        ms = timed(g.replay, reps)
        del g
    else:
        ms = timed(step, reps)
    del x, kc, vc
    return ms


def prefill(layer, T, reps, dev):
    x = torch.randn(1, T, layer.m[0], device=dev, dtype=torch.bfloat16)
    ms = timed(lambda: layer.forward(x, None, None, True), reps)
    del x
    return ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=".")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    dev = "cuda"
    torch.backends.cuda.matmul.allow_tf32 = False
    p = torch.cuda.get_device_properties(0)
    meta = {"gpu": p.name, "sms": p.multi_processor_count, "memory_gb": p.total_memory / 1e9,
            "torch": torch.__version__, "cuda": torch.version.cuda, "date": time.strftime("%Y-%m-%d"),
            "dtype": "bfloat16", "note": "one layer's weights and KV run `layers` times (see docstring)"}
    rows = []
    grid = {
        "llama-3.1-8b": ([1, 8, 32, 64, 128, 256], [512, 2048, 8192], [128, 512, 2048, 8192]),
        "llama-3.1-70b": ([1, 8, 32, 128], [512, 4096], [128, 2048]),
    }
    if a.quick:
        grid = {"llama-3.1-8b": ([1, 32], [512], [512])}
    t0 = time.time()
    for name, (batches, ctxs, prompts) in grid.items():
        layer = Layer(MODELS[name], dev)
        reps = 10 if name.endswith("70b") else 20
        for L in ctxs:
            for B in batches:
                kv_gb = 2 * B * MODELS[name][2] * L * MODELS[name][3] * 2 / 1e9
                if kv_gb > 40:
                    continue
                ms = decode(layer, B, L, True, reps, dev)
                row = {"model": name, "kind": "decode", "batch": B, "context": L, "ms_graph": ms}
                if L == ctxs[0] and B in (1, 32):
                    row["ms_eager"] = decode(layer, B, L, False, reps, dev)
                rows.append(row)
                print(json.dumps(row), flush=True)
        for T in prompts:
            row = {"model": name, "kind": "prefill", "batch": 1, "tokens": T, "ms_eager": prefill(layer, T, reps, dev)}
            rows.append(row)
            print(json.dumps(row), flush=True)
        del layer
        torch.cuda.empty_cache()
    meta["seconds"] = time.time() - t0
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "stepbench.json"), "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
