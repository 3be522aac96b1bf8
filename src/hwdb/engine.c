/* engine.c: the engine-profile key table. */
#include "hwdb/engine.h"

const char *const engine_policy_names[] = {"continuous", "static", "single", NULL};

static const kt_field FIELDS[] = {
    KT_ROW_STR(engine_profile, "id", id, "", KT_REQUIRED, "engine id"),
    KT_ROW_STR(engine_profile, "name", name, "", KT_REQUIRED, "display name"),
    KT_ROW_STR(engine_profile, "version", version, "", KT_REQUIRED, "versions the profile describes"),
    KT_ROW_STRLIST(engine_profile, "aliases", aliases, n_aliases, 0, "names people type"),
    KT_ROW_ENUM(engine_profile, "policy", policy, "continuous", engine_policy_names, KT_REQUIRED, "batching policy"),
    KT_ROW_F64(engine_profile, "max_num_seqs", max_num_seqs, 256, 1, 1e6, KT_REQUIRED, "max running sequences"),
    KT_ROW_F64(engine_profile, "max_batched_tokens", max_batched_tokens, 8192, 1, 1e7, KT_REQUIRED,
               "token budget per iteration"),
    KT_ROW_F64(engine_profile, "block_size", block_size, 16, 1, 4096, KT_REQUIRED, "KV block size, tokens"),
    KT_ROW_F64(engine_profile, "gpu_memory_utilization", gpu_memory_utilization, 0.9, 0.05, 1.0, KT_REQUIRED,
               "fraction of GPU memory the engine may use"),
    KT_ROW_BOOL(engine_profile, "chunked_prefill", chunked_prefill, 1, KT_REQUIRED, "split long prefills"),
    KT_ROW_BOOL(engine_profile, "reserve_full_kv", reserve_full_kv, 0, 0,
                "admission reserves KV for input + output (TRT-LLM GUARANTEED_NO_EVICT, TGI): never preempts"),
    KT_ROW_F64(engine_profile, "parallel_slots", parallel_slots, 1, 1, 4096, 0, "llama.cpp -np slots"),
    KT_ROW_F64(engine_profile, "runtime_reserve_gb", runtime_reserve_gb, 1.5, 0, 100, KT_REQUIRED,
               "per-GPU memory outside weights, KV and activations, GB"),
    KT_ROW_BOOL(engine_profile, "memory_fraction_of_free", memory_fraction_of_free, 0, 0,
                "gpu_memory_utilization is a fraction of the memory left after weights and activations"),
    KT_ROW_F64(engine_profile, "overhead_step_s", overhead_step_s, 0, 0, 10, KT_REQUIRED, "per iteration, s"),
    KT_ROW_F64(engine_profile, "overhead_layer_s", overhead_layer_s, 0, 0, 1, KT_REQUIRED,
               "per layer per iteration, s"),
    KT_ROW_F64(engine_profile, "overhead_request_s", overhead_request_s, 0, 0, 1, KT_REQUIRED,
               "per request in the batch per iteration, s"),
    KT_ROW_F64(engine_profile, "overhead_token_s", overhead_token_s, 0, 0, 1, KT_REQUIRED, "per output token, s"),
    KT_ROW_F64(engine_profile, "eff_weights", eff_weights, 0.8, 0.05, 1, 0,
               "fraction of HBM bandwidth reached streaming weights"),
    KT_ROW_F64(engine_profile, "eff_kv", eff_kv, 0.6, 0.05, 1, 0,
               "fraction of HBM bandwidth reached reading KV in decode"),
    KT_ROW_F64(engine_profile, "eff_compute_16", eff_compute_16, 0.6, 0.01, 1, 0,
               "fraction of the dense 16-bit peak reached by large GEMMs"),
    KT_ROW_F64(engine_profile, "eff_compute_8", eff_compute_8, 0.5, 0.01, 1, 0,
               "fraction of the dense 8-bit peak reached by large GEMMs"),
    KT_ROW_F64(engine_profile, "overlap_loss", overlap_loss, 0.2, 0, 1, 0,
               "fraction of the smaller of math and memory time of a GEMM not hidden behind the larger"),
    KT_ROW_F64(engine_profile, "allreduce_latency_s", allreduce_latency_s, 1e-5, 0, 1, 0,
               "fixed cost of one tensor-parallel all-reduce, s"),
    KT_ROW_F64(engine_profile, "link_efficiency", link_efficiency, 0.7, 0.01, 1, 0,
               "fraction of per-direction link bandwidth an all-reduce reaches"),
    KT_ROW_F64(engine_profile, "pcie_efficiency", pcie_efficiency, 0.5, 0.01, 1, 0,
               "fraction of per-direction PCIe bandwidth an all-reduce or pipeline hop reaches"),
    KT_ROW_BOOL(engine_profile, "allreduce_ring", allreduce_ring, 0, 0,
                "all-reduces are NCCL rings (latency x 2(tp-1) hops), not one-shot custom kernels"),
    KT_ROW_F64(engine_profile, "weight_only_kernel_scale", weight_only_kernel_scale, 1, 0.05, 1, 0,
               "this engine's dequantising kernels relative to the format's kernel_efficiency (older kernels < 1)"),
    KT_ROW_F64(engine_profile, "weight_stream_cap_gb_s", weight_stream_cap_gb_s, 0, 0, 1e5, 0,
               "highest rate its small-batch kernels stream weights at, whatever the memory, GB/s; 0 = none"),
    KT_ROW_BOOL(engine_profile, "calibrated", calibrated, 0, KT_REQUIRED, "overheads fitted to measurements"),
    KT_ROW_STR(engine_profile, "source", source, "", KT_REQUIRED, "where the defaults come from"),
    KT_ROW_STR(engine_profile, "date", date, "", KT_REQUIRED, "date of the source"),
    KT_ROW_STR(engine_profile, "note", note, "", 0, "caveats"),
    KT_ROW_STR(engine_profile, "calibration", calibration, "", 0, "how the step-time parameters were fitted"),
};

const kt_field *engine_fields(size_t *n) {
  *n = sizeof FIELDS / sizeof FIELDS[0];
  return FIELDS;
}
