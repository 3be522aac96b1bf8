/* engine.h: serving-engine profiles from hwdb/engines: scheduler defaults and the per-step,
 * per-layer, per-request and per-token overheads of the step-time model.
 * Invariant: `calibrated` is true only when the overheads were fitted to measurements. */
#ifndef SERVESIM_ENGINE_H
#define SERVESIM_ENGINE_H
#include <stdbool.h>
#include <stddef.h>

#include "base/keytab.h"

typedef enum { POLICY_CONTINUOUS, POLICY_STATIC, POLICY_SINGLE } engine_policy;
extern const char *const engine_policy_names[];
/* weight_only_dtype: "format" (0: the weight format's compute_dtype), else 1 + the hw_dtype its kernels use */
extern const char *const engine_wo_dtype_names[];

typedef struct {
  char id[32], name[64], version[64];
  char family[32];                         /* engine family ("trtllm"); a bare family name means its newest profile */
  char releases_from[16], releases_to[16]; /* releases this profile describes, inclusive ("0.15" .. "0.21") */
  char aliases[8][32];
  size_t n_aliases;
  char gpu_vendors[4][16]; /* GPU vendors whose kernel stack the profile describes (none listed: every vendor) */
  size_t n_gpu_vendors;
  int policy; /* engine_policy */
  double max_num_seqs, max_batched_tokens, block_size, gpu_memory_utilization;
  bool chunked_prefill;
  bool reserve_full_kv;           /* admit a request only with KV blocks for input + output reserved: no preemption */
  double num_scheduler_steps;     /* decode steps per scheduling call (vLLM multi-step); arrivals wait for the window */
  double waiting_served_ratio;    /* TGI: new requests join a running batch only when at least ratio x its size wait */
  double max_waiting_tokens;      /* TGI: ... or after this many decode steps without a join; 0 = rule off */
  double overhead_schedule_s;     /* CPU work per scheduling call, shared by the steps of a multi-step window */
  double overhead_schedule_seq_s; /* ... and per running sequence (scheduling, input preparation), shared too */
  double api_latency_s;           /* front end per request: a request reaches the scheduler this long after it
                                   * was sent (HTTP, tokenisation; first-token streaming counted here too) */
  double parallel_slots;
  double runtime_reserve_gb;    /* per GPU: CUDA context, graphs, NCCL buffers */
  bool memory_fraction_of_free; /* gpu_memory_utilization applies to memory left after weights (TRT-LLM, TGI) */
  double overhead_step_s, overhead_layer_s, overhead_request_s, overhead_token_s;
  bool host_overlap;           /* the host prepares step n+1 while the GPU runs step n: a step takes max(GPU, host) */
  double eager_layer_s;        /* host time to launch one layer's kernels one by one, in a step no CUDA graph
                                * replays (prefill, or a decode batch above cuda_graph_max_batch) */
  double cuda_graph_max_batch; /* largest step, in tokens, replayed from a captured CUDA graph; 0 = none */
  bool cuda_graph_prefill;     /* graphs cover steps with prefill tokens too (vLLM V1's piecewise graphs) */
  double moe_block_m;          /* row tile of the grouped expert GEMMs for steps above E tokens (16 at most E):
                                * each expert's token count is padded up to a whole tile; 0 = no padding */
  bool ep_quantized_dispatch;  /* expert parallel: the all-to-all dispatch sends NVFP4 activations (and their
                                * scales) where the experts run NVFP4, not 16-bit ones; the combine stays 16-bit */
  /* step-time efficiencies (perf): fractions of datasheet bandwidth / dense peak the engine's kernels reach */
  double eff_weights;              /* weight streaming of the linear layers (GEMV/GEMM memory side) */
  double eff_kv;                   /* KV-cache reads of decode attention */
  double eff_compute_16;           /* large 16-bit GEMMs and attention math, fraction of the dense peak */
  double eff_compute_8;            /* large 8-bit (fp8/int8) and 4-bit-activation GEMMs */
  double overlap_loss;             /* fraction of the smaller of math and memory time not hidden behind the larger */
  double allreduce_latency_s;      /* fixed cost of one tensor-parallel all-reduce */
  double link_efficiency;          /* fraction of NVLink's per-direction bandwidth an all-reduce reaches */
  double pcie_efficiency;          /* the same over PCIe (no NVLink: host bridges, often no peer-to-peer) */
  bool allreduce_ring;             /* NCCL ring all-reduce: allreduce_latency_s is per hop, 2(tp-1) hops */
  double weight_only_kernel_scale; /* the engine's dequantising kernels vs the format's kernel_efficiency */
  int weight_only_dtype;           /* engine_wo_dtype_names: 0 the format's compute dtype, else 1 + hw_dtype */
  double weight_stream_cap_gb_s;   /* ceiling of the small-batch weight-streaming rate, 0 = none: GEMV
                                  * kernels with few loads in flight per SM cannot use HBM's full width */
  bool calibrated;
  char source[1536], date[16], note[1536];
  char calibration[2048]; /* how the step-time parameters were fitted (perf) */
} engine_profile;

const kt_field *engine_fields(size_t *n);
/* Whether release ("0.13.0") lies in [releases_from, releases_to] of e (a bound with fewer parts covers
 * the releases it prefixes). */
bool engine_holds_release(const engine_profile *e, const char *release);
/* Whether the profile describes the engine on a GPU of this vendor ("nvidia", "amd"). */
bool engine_runs_on(const engine_profile *e, const char *vendor);
/* The vendors e describes, "nvidia or amd", into buf. */
const char *engine_vendors(const engine_profile *e, char *buf, size_t n);
/* Whether a describes newer releases than b (by releases_to). */
bool engine_newer(const engine_profile *a, const engine_profile *b);
/* Whether release is a release number newer than every release e describes (after releases_to). */
bool engine_after_release(const engine_profile *e, const char *release);
/* What a note says of a release newer than every profile, modelled with e (the family's newest), into buf:
 * "is newer than every profile of its family: modelled with ... widened as for an uncalibrated engine". */
const char *engine_beyond_text(const engine_profile *e, char *buf, size_t n);

#endif
