#!/usr/bin/python3
"""The calibration's parameter tree (tools/calibration_model.py): a profile no row measured, under another
engine, takes its nearest measured generation's values, and no other profile's value moves."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import calibration_model as cm  # noqa: E402


def check(cond, msg):
    if not cond:
        raise SystemExit("FAIL: " + msg)


def test_an_unmeasured_generation_takes_its_measured_sibling_generation_and_nothing_else_moves():
    theta = {("vllm@0.6", "overhead_step_s"): 1e-3, ("tgi@2", "overhead_step_s"): 2e-3,
             ("tgi@2", "eff_kv"): 0.1, ("tgi@3", "overhead_step_s"): 1e-3}
    before = cm.values(theta)
    after = cm.values(cm.borrow_within_family(theta, {"trtllm@0.13", "vllm@0.6", "tgi@2"}))
    tgi1, tgi2 = ("engines", "tgi@1.0", "overhead_step_s"), ("engines", "tgi@2", "overhead_step_s")
    check(abs(after[tgi1] - before[tgi2]) < 1e-15, f"tgi@1.0 {after[tgi1]} should be tgi@2's {before[tgi2]}")
    kv1, kv2 = ("engines", "tgi@1.0", "eff_kv"), ("engines", "tgi@2", "eff_kv")
    check(abs(after[kv1] - before[kv2]) < 1e-12, "a log parameter borrows too")
    moved = [k for k in before if abs(after[k] - before[k]) > 1e-15 and k[1] != "tgi@1.0"]
    check(not moved, f"only tgi@1.0 may move: {moved}")


def test_a_measured_profile_or_one_under_its_own_family_keeps_its_value():
    theta = {("tgi@2", "overhead_step_s"): 2e-3, ("trtllm@0.17", "overhead_step_s"): 1e-3}
    before = cm.values(theta)
    after = cm.values(cm.borrow_within_family(theta, {"trtllm@0.13", "vllm@0.6", "tgi@1.0", "tgi@2"}))
    check(after == before, "tgi@1.0 was measured: nothing borrows")
    after = cm.values(cm.borrow_within_family(theta, {"trtllm@0.13", "vllm@0.6", "trtllm@0.17"}))
    check(after[("engines", "trtllm@1.0", "overhead_step_s")] == before[("engines", "trtllm@1.0", "overhead_step_s")],
          "trtllm@1.0 keeps its parent, trtllm@0.17, its own family")


def test_llamacpp_generations_chain_and_an_unmeasured_older_build_takes_the_newer():
    theta = {("llamacpp@b2000", "overhead_layer_s"): 2e-5, ("llamacpp@b4000", "overhead_layer_s"): -1e-5,
             ("llamacpp@b4000", "eff_weights"): 0.1}
    v = cm.values(theta)
    old, new = ("engines", "llamacpp@b2000", "overhead_layer_s"), ("engines", "llamacpp@b4000", "overhead_layer_s")
    check(abs(v[new] - (v[old] - 1e-5)) < 1e-15, "the newer build starts from the older's value")
    after = cm.values(cm.borrow_within_family(theta, {"llamacpp@b4000"}))
    check(abs(after[old] - v[new]) < 1e-15 and abs(after[new] - v[new]) < 1e-15,
          "an unmeasured older build takes the newer's value, which stays")
    kw = ("engines", "llamacpp@b2000", "eff_weights")
    check(abs(after[kw] - v[("engines", "llamacpp@b4000", "eff_weights")]) < 1e-12, "for every key")


def test_an_own_key_does_not_pass_down_the_tree():
    v = cm.values({("vllm@0.6", "overhead_request_s"): 5e-5})
    own, child = v[("engines", "vllm@0.6", "overhead_request_s")], v[("engines", "sglang@0.4", "overhead_request_s")]
    check(own > child and child == v[("engines", "trtllm@0.13", "overhead_request_s")],
          "V0 vLLM's per-request overhead stays its own")


def test_a_sibling_gpu_no_row_measures_takes_its_calibrated_sibling_scales():
    v = cm.values({("mi300x-192gb", "eff_scale_compute"): -1.0, ("mi300x-192gb", "eff_scale_bw"): -0.05})
    for key in ("eff_scale_compute", "eff_scale_bw"):
        mi300, mi325 = v[("gpus", "mi300x-192gb", key)], v[("gpus", "mi325x-256gb", key)]
        check(mi325 == mi300 and mi300 < 1, f"mi325x {key} {mi325} should be the mi300x's fitted {mi300}")


def test_rows_on_a_transfer_gpu_shape_no_stage():
    pred = {"a": {"profile": "llamacpp@b4000", "gpu": "rtx-4090-24gb"},
            "b": {"profile": "llamacpp@b4000", "gpu": "rtx-3090-24gb"},
            "c": {"profile": "sglang@0.4", "gpu": "h20-96gb"}}
    stages = {s[0]: s for s in cm.STAGES}
    check(cm.stage_rows(stages["llamacpp@b4000"], pred, list(pred)) == ["a"], "the RTX 3090 row shapes llama.cpp")
    check(cm.stage_rows(stages["sglang@0.4"], pred, list(pred)) == [], "the H20 row shapes SGLang")
    check(not any(s[1] == ("gpu", g) for s in cm.STAGES for g in cm.TRANSFER_GPUS), "a transfer GPU has a stage")


def test_predicted_only_sources_and_cost_rows_fit_nothing():
    check(not cm.fits({"kind": "throughput", "group": cm.PREDICTED_ONLY_GROUPS[0]}), "a predicted-only row is fitted")
    check(not cm.fits({"kind": "cost", "group": "tgi-sagemaker"}), "a cost row is fitted")
    check(cm.fits({"kind": "latency", "group": "trtllm-online"}), "an ordinary row is not fitted")
    check(cm.not_fitted({"kind": "throughput", "group": "vllm-pr-17530"}) == "untuned fused-MoE kernels",
          "a predicted-only row does not say why")


def test_llamacpp_on_a_moe_model_fits_nothing_and_other_engines_on_it_do():
    row = {"kind": "throughput", "group": "lhl-pro6000", "profile": "llamacpp@b4000", "model": "qwen3-30b-a3b"}
    check(cm.unmodelled(row) and not cm.fits(row), "llama.cpp's MoE kernels are fitted")
    check(cm.fits(dict(row, model="llama-2-7b")), "a dense llama.cpp row is not fitted")
    check(cm.fits(dict(row, profile="vllm@0.10", group="trtllm-perf")), "vLLM on the MoE model is not fitted")


def test_tensorrt_llm_pipeline_stages_are_fitted_like_its_single_stage_rows():
    row = {"kind": "throughput", "group": "trtllm-perf-1.2", "profile": "trtllm@1.0", "model": "qwen3-30b-a3b"}
    check(cm.fits(dict(row, id="EX-865")), "TRT-LLM at PP 8 is not fitted")
    check(cm.fits(dict(row, id="EX-853")), "TRT-LLM on one RTX PRO 6000 (PP 1) is not fitted")


def test_tensorrt_llm_on_hopper_past_llama_4s_chunk_fits_nothing_and_the_rest_of_llama_4_does():
    row = {"kind": "throughput", "group": "trtllm-perf-1.1", "profile": "trtllm@1.0", "model": "llama-4-maverick",
           "gpu": "h200-sxm-141gb"}
    past = dict(row, id="EX-891")  # 1024 in, 8192 out: past the 8192-token chunk
    check(cm.unmodelled(past) == cm.HOPPER_CHUNKED and not cm.fits(past), "Hopper past the chunk is fitted")
    check(cm.fits(dict(row, id="EX-890")), "Hopper at 1024/1024 (inside the chunk) is not fitted")
    check(cm.fits(dict(past, gpu="b200-sxm-180gb")), "Blackwell past the chunk is not fitted")
    check(cm.fits(dict(past, model="llama-3.1-70b")), "a model without chunks is not fitted")


if __name__ == "__main__":
    for name, fn in sorted(globals().items()):
        if name.startswith("test_"):
            fn()
    print("ok")
