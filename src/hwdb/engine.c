/* engine.c: the engine-profile key table and the release ranges of versioned profiles.
 * Invariant: a profile holds a release only when both of its bounds and the release parse. */
#include "hwdb/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const engine_policy_names[] = {"continuous", "static", "single", NULL};
const char *const engine_wo_dtype_names[] = {"format", "fp16", "bf16", "fp8", "int8", "int4", "fp4", NULL};

static const kt_field FIELDS[] = {
    KT_ROW_STR(engine_profile, "id", id, "", KT_REQUIRED, "engine id"),
    KT_ROW_STR(engine_profile, "name", name, "", KT_REQUIRED, "display name"),
    KT_ROW_STR(engine_profile, "version", version, "", KT_REQUIRED, "versions the profile describes"),
    KT_ROW_STRLIST(engine_profile, "aliases", aliases, n_aliases, 0, "names people type"),
    KT_ROW_STR(engine_profile, "family", family, "", 0,
               "engine family; FAMILY@VERSION picks the profile whose releases hold VERSION, FAMILY alone the newest"),
    KT_ROW_STR(engine_profile, "releases_from", releases_from, "", 0, "oldest release the profile describes"),
    KT_ROW_STR(engine_profile, "releases_to", releases_to, "", 0, "newest release the profile describes"),
    KT_ROW_STRLIST(engine_profile, "gpu_vendors", gpu_vendors, n_gpu_vendors, 0,
                   "GPU vendors whose kernel stack the profile describes (nvidia, amd); none listed: every vendor"),
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
    KT_ROW_F64(engine_profile, "num_scheduler_steps", num_scheduler_steps, 1, 1, 64, 0,
               "decode steps per scheduling call (vLLM --num-scheduler-steps): new requests wait for the window"),
    KT_ROW_F64(
        engine_profile, "waiting_served_ratio", waiting_served_ratio, 0, 0, 100, 0,
        "TGI: waiting requests join a running batch only when at least ratio x its size are admissible; 0 = off"),
    KT_ROW_F64(engine_profile, "max_waiting_tokens", max_waiting_tokens, 20, 0, 1e6, 0,
               "TGI: ... or once this many decode steps ran since the last join"),
    KT_ROW_F64(engine_profile, "parallel_slots", parallel_slots, 1, 1, 4096, 0, "llama.cpp -np slots"),
    KT_ROW_F64(engine_profile, "runtime_reserve_gb", runtime_reserve_gb, 1.5, 0, 100, KT_REQUIRED,
               "per-GPU memory outside weights, KV and activations, GB"),
    KT_ROW_BOOL(engine_profile, "memory_fraction_of_free", memory_fraction_of_free, 0, 0,
                "gpu_memory_utilization is a fraction of the memory left after weights and activations"),
    KT_ROW_F64(engine_profile, "overhead_step_s", overhead_step_s, 0, 0, 10, KT_REQUIRED, "per iteration, s"),
    KT_ROW_F64(engine_profile, "api_latency_s", api_latency_s, 0, 0, 10, 0,
               "front end per request (HTTP, tokenisation, streaming): added to its TTFT and end-to-end latency, s"),
    KT_ROW_F64(engine_profile, "overhead_schedule_s", overhead_schedule_s, 0, 0, 10, 0,
               "CPU work per scheduling call, s (paid once per multi-step window)"),
    KT_ROW_F64(engine_profile, "overhead_schedule_seq_s", overhead_schedule_seq_s, 0, 0, 1, 0,
               "CPU work per scheduling call per running sequence (scheduling, input preparation), s "
               "(paid once per multi-step window)"),
    KT_ROW_F64(engine_profile, "overhead_layer_s", overhead_layer_s, 0, 0, 1, KT_REQUIRED,
               "per layer per iteration, s"),
    KT_ROW_F64(engine_profile, "overhead_request_s", overhead_request_s, 0, 0, 1, KT_REQUIRED,
               "per request in the batch per iteration, s"),
    KT_ROW_F64(engine_profile, "overhead_token_s", overhead_token_s, 0, 0, 1, KT_REQUIRED, "per output token, s"),
    KT_ROW_BOOL(engine_profile, "host_overlap", host_overlap, 0, 0,
                "the host loop prepares step n+1 while the GPU runs step n (TensorRT-LLM's overlap scheduler): "
                "a step takes max(GPU work, host work) instead of their sum; the host work is the per-step, "
                "per-request and per-token overheads"),
    KT_ROW_BOOL(engine_profile, "ep_quantized_dispatch", ep_quantized_dispatch, 0, 0,
                "expert parallel: the MoE all-to-all dispatch sends the tokens quantized to NVFP4 (0.5 byte an "
                "element and one scale byte per 16) when the experts run NVFP4 (TensorRT-LLM's post-quantisation "
                "all-to-all); the combine returns 16-bit activations"),
    KT_ROW_F64(engine_profile, "moe_block_m", moe_block_m, 64, 0, 512, 0,
               "MoE: rows of a grouped expert GEMM's tile in steps of more tokens than experts (tiles of 16 rows "
               "at most that many, as the fused-MoE kernels' default configurations): each expert's routed "
               "tokens are computed in whole tiles; 0: no padding"),
    KT_ROW_F64(engine_profile, "eager_layer_s", eager_layer_s, 0, 0, 0.01, 0,
               "host time to launch one layer's kernels one by one in a step no CUDA graph replays (one with "
               "prefill tokens, or a decode batch above cuda_graph_max_batch), s: such a step takes at least "
               "layers x this, however little the GPU has to do"),
    KT_ROW_F64(engine_profile, "cuda_graph_max_batch", cuda_graph_max_batch, 1e6, 0, 1e6, 0,
               "largest step, in tokens (a decode-only step: its batch), the engine replays from a captured CUDA "
               "graph; 0: none (eager mode)"),
    KT_ROW_BOOL(engine_profile, "cuda_graph_prefill", cuda_graph_prefill, 0, 0,
                "graphs also replay steps with prefill tokens up to that size (vLLM V1's piecewise graphs); "
                "false: every step with prefill tokens launches its kernels one by one"),
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
               "fixed cost of one tensor-parallel all-reduce on the reference GPU (the H200; a GPU's "
               "layer_cost_scale multiplies it), s"),
    KT_ROW_F64(engine_profile, "link_efficiency", link_efficiency, 0.7, 0.01, 1, 0,
               "fraction of per-direction link bandwidth an all-reduce reaches"),
    KT_ROW_F64(engine_profile, "pcie_efficiency", pcie_efficiency, 0.5, 0.01, 1, 0,
               "fraction of per-direction PCIe bandwidth an all-reduce or pipeline hop reaches"),
    KT_ROW_BOOL(engine_profile, "allreduce_ring", allreduce_ring, 0, 0,
                "all-reduces are NCCL rings (latency x 2(tp-1) hops), not one-shot custom kernels"),
    KT_ROW_F64(engine_profile, "weight_only_kernel_scale", weight_only_kernel_scale, 1, 0.05, 1, 0,
               "this engine's dequantising kernels relative to the format's kernel_efficiency (older kernels < 1)"),
    KT_ROW_ENUM(engine_profile, "weight_only_dtype", weight_only_dtype, "format", engine_wo_dtype_names, 0,
                "dtype this engine's kernels compute weight-only formats' GEMMs in, where the GPU has it "
                "(int8: activations quantised on the fly, as llama.cpp's MMQ); format: the format's compute_dtype"),
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

/* Release numbers compare component by component ("0.9" < "0.13"); a bound with fewer components
 * covers every release it is a prefix of ("0.14" holds "0.14.2"). Non-digits end a component; one
 * leading 'b' or 'v' is skipped (llama.cpp's build numbers "b4011", tags "v0.6.3"). */
static int release_parts(const char *s, long *v, int max) {
  int n = 0;
  if (*s == 'b' || *s == 'v') s++;
  while (*s && n < max) {
    if (*s < '0' || *s > '9') return n;
    v[n++] = strtol(s, (char **)&s, 10);
    if (*s != '.') break;
    s++;
  }
  return n;
}

static int release_cmp(const long *a, int na, const long *b, int nb, int upto) {
  for (int i = 0; i < upto; i++) {
    long x = i < na ? a[i] : 0, y = i < nb ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

bool engine_holds_release(const engine_profile *e, const char *release) {
  long v[4], lo[4], hi[4];
  int nv = release_parts(release, v, 4), nlo = release_parts(e->releases_from, lo, 4),
      nhi = release_parts(e->releases_to, hi, 4);
  if (!nv || !nlo || !nhi) return false;
  return release_cmp(v, nv, lo, nlo, nlo) >= 0 && release_cmp(v, nv, hi, nhi, nhi) <= 0;
}

bool engine_runs_on(const engine_profile *e, const char *vendor) {
  for (size_t i = 0; i < e->n_gpu_vendors; i++)
    if (!strcmp(e->gpu_vendors[i], vendor)) return true;
  return e->n_gpu_vendors == 0;
}

const char *engine_vendors(const engine_profile *e, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = 0;
  for (size_t i = 0; i < e->n_gpu_vendors && used < n; i++)
    used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? " or " : "", e->gpu_vendors[i]);
  return buf;
}

bool engine_after_release(const engine_profile *e, const char *release) {
  long v[4], hi[4];
  int nv = release_parts(release, v, 4), nhi = release_parts(e->releases_to, hi, 4);
  return nv && nhi && release_cmp(v, nv, hi, nhi, nhi) > 0;
}

const char *engine_beyond_text(const engine_profile *e, char *buf, size_t n) {
  snprintf(buf, n,
           "is newer than every profile of its family: modelled with the newest, %s (%s, releases %s to %s): an "
           "EXTRAPOLATION (newer releases are often faster), its model-error band widened as for an uncalibrated "
           "engine",
           e->id, e->name, e->releases_from, e->releases_to);
  return buf;
}

bool engine_newer(const engine_profile *a, const engine_profile *b) {
  long x[4], y[4];
  int nx = release_parts(a->releases_to, x, 4), ny = release_parts(b->releases_to, y, 4);
  return release_cmp(x, nx, y, ny, nx > ny ? nx : ny) > 0;
}
