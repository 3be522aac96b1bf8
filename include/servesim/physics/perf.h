/* perf.h: the step-time model (docs/perf.md) and the memory fit.
 * perf_init precomputes per-step coefficients from GPU, model, precision and engine, so that
 * perf_step_time is a handful of multiply-adds; the event loop calls it every iteration.
 * Invariant: a decode step is never faster than (weights/tp + KV read) / memory bandwidth. */
#ifndef SERVESIM_PERF_H
#define SERVESIM_PERF_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "hwdb/hwdb.h"

/* What one engine iteration on one replica holds. */
typedef struct {
  uint32_t n_decode;         /* sequences decoding one token from their cache */
  double decode_ctx;         /* sum of their context lengths (tokens already cached) */
  double decode_ctx_local;   /* sum of what a local-attention layer reads of those (perf_local_ctx) */
  uint32_t n_prefill;        /* prefill chunks */
  double prefill_tokens;     /* sum of chunk lengths c_j */
  double prefill_attn;       /* sum of c_j * (P_j + c_j / 2): attention work of the chunks */
  double prefill_attn_local; /* the same on a local-attention layer (perf_local_chunk_attn) */
  uint32_t n_sampled;        /* sequences that emit a token this step */
  uint32_t spec_tokens;      /* speculative decoding: draft tokens verified per decoding sequence (0: none);
                          * perf_step_time ignores it, specdec_step_time (physics/specdec.h) charges it */
} batch_shape;

typedef struct {
  uint32_t tp;          /* tensor-parallel degree */
  uint32_t pp;          /* pipeline stages (layer split), 1 = none */
  bool expert_parallel; /* MoE: experts whole over the tp GPUs, all-to-all dispatch and combine */
  double ep_imbalance;  /* expert parallel: busiest GPU's routed load over the mean (0 or 1: balanced) */
  bool attention_dp;    /* each tp rank runs its own host loop over its share of the requests */
  double gpu_memory_utilization;
  uint32_t block_size;
  uint32_t kv_tokens; /* KV cache capacity per replica, tokens, as the engine was told (0: from memory) */
  uint32_t max_num_seqs, max_batched_tokens;
  double eff_hbm, eff_compute, overhead_step_s; /* NAN: calibrated / engine values */
  double overhead_token_s;                      /* NAN: the engine profile's */
  double power_scale;                           /* multiplier on the modelled board power (0: 1) */
  uint32_t num_scheduler_steps;                 /* steps sharing one scheduling call's CPU work (0: 1) */
  uint32_t cuda_graph_max_batch;                /* largest step, tokens, a CUDA graph replays (0: none) */
  double time_scale;                            /* multiplier on every step's time, the model's error (0: 1) */
} perf_opts;

/* Memory accounting per GPU, the way vLLM does it. */
typedef struct {
  double total_bytes, budget_bytes; /* memory, and gpu_memory_utilization x memory */
  double weight_bytes, activation_bytes, reserve_bytes;
  double kv_bytes;               /* what is left for the KV cache (or what kv_tokens take); < 0: does not fit */
  double room_bytes;             /* memory beside weights, activations and runtime reserve */
  double kv_bytes_per_token;     /* per GPU */
  uint64_t kv_blocks, kv_tokens; /* per replica (blocks are replica-wide) */
  bool fits;
} perf_memory;

typedef struct {
  /* private to perf.c: precomputed coefficients, so a step is a handful of multiply-adds.
   * Every *_s coefficient is seconds per unit of the batch-shape quantity it multiplies. */
  double lin_mem_s;                     /* dense linear weights (all layers, per GPU) at the reached bandwidth */
  double lin_flop_s;                    /* seconds per token of dense linear GEMMs at the reached peak */
  double overlap;                       /* overlap_loss: op time = max(math, memory) + overlap x min(math, memory) */
  double moe_layers, experts, log_miss; /* log(1 - k/E): expected distinct experts hit */
  double ep_imbalance;                  /* expert parallel: the busiest GPU's share over the mean (else 1) */
  double expert_mem_s;                  /* one expert, all MoE layers, per GPU, at the reached bandwidth */
  double expert_flop_s;                 /* seconds per routed token */
  double experts_per_token;
  double moe_block_m;                   /* engine's moe_block_m: each hit expert's rows padded to whole tiles */
  double moe_act_s;                     /* per routed token: its activations through the MoE kernels, all MoE layers */
  double head_mem_s, head_flop_s;                   /* LM head: weights, and per sampled token */
  double kv_write_s;                                /* per new token: KV written */
  double decode_attn_s;                             /* per cached token read by decode attention: max(memory, math) */
  double prefill_attn_s;                            /* per unit of sum c_j (P_j + c_j/2): flash-attention math */
  double decode_attn_local_s, prefill_attn_local_s; /* the same for the local-attention layers (else 0) */
  int local_kind;                                   /* model_local of those layers */
  double local_window;                              /* their window, tokens (0: the model has none) */
  double comm_step_s, comm_token_s;                 /* all-reduce and pipeline-hop cost: fixed, per token */
  double ovh_step_s, ovh_request_s, ovh_token_s;    /* ovh_step_s includes per-layer overhead */
  double ovh_host_s, ovh_layers_s;                  /* ovh_step_s = host loop's part + per-layer launch part */
  bool host_overlap;                                /* engine_profile.host_overlap: step = max(GPU, host) */
  double eager_s;                                   /* layers x eager_layer_s: launching a step's kernels one by
                                                  * one, which the GPU's work hides only when it is longer */
  double graph_max_tokens;                          /* perf_opts.cuda_graph_max_batch: largest graphed step */
  bool graph_prefill;                               /* engine_profile.cuda_graph_prefill */
  double host_share;                                /* of a step's requests one host loop handles: 1/tp under
                                                  * attention data parallel, else 1 */
  double time_scale;                                /* perf_opts.time_scale (1 unless model error is sampled) */
  /* floor of perf_bandwidth_bound: bytes at the datasheet bandwidth */
  double bw, w_dense_bytes, w_expert_bytes, w_head_bytes, kv_bytes_per_token;
  double kv_read_bytes, kv_read_local_bytes; /* per cached token read: global layers', local layers' */
  double pp, tp;
  double eff_weights, eff_kv, eff_compute, kernel_efficiency; /* as used, for reports */
  double eff_attn;                                            /* attention math: of the fp16 peak */
  double peak_flops;                                          /* of the linear layers' compute dtype */
  double link_bytes_per_s;                                    /* per direction, before link_efficiency */
  double max_num_seqs, max_batched_tokens;
  bool fp8_fallback, nvlink, weight_only;
  double nodes;      /* nodes the replica spans (gpus_per_node); above 1 its collectives cross the network */
  int compute_dtype; /* hw_dtype */
  perf_memory mem;
  /* the power model (perf_step_power_w): FLOP per unit of each batch-shape quantity, at the dense
   * peaks (not the reached fractions), and the GPU's power coefficients scaled by power_scale */
  double flop_lin_tok, flop_expert_tok, flop_head_tok, flop_attn_ctx, flop_attn_prefill;
  double flop_attn_local; /* per unit of decode_ctx_local and of prefill_attn_local (the attention counts
                           * also time the step's attention math, divided by the reached fp16 rate) */
  double peak_16;
  hw_power power;
} perf_ctx;

/* What a local-attention layer of the model reads and computes (model_local_ctx, model_local_chunk_attn):
 * every batch_shape filler sets decode_ctx_local and prefill_attn_local with these. */
static inline double perf_local_ctx(const perf_ctx *c, double ctx) {
  return model_local_ctx(c->local_kind, c->local_window, ctx);
}
static inline double perf_local_chunk_attn(const perf_ctx *c, double before, double chunk) {
  return model_local_chunk_attn(c->local_kind, c->local_window, before, chunk);
}

/* Bytes of one copy of the model's weights in format q: the routed experts in q, the rest in q or, for an
 * experts-only format, 16-bit. */
double perf_model_weight_bytes(const model_spec *m, const quant_format *q);
void perf_memory_fit(const hwdb_bound *b, const perf_opts *o, perf_memory *m);
/* Fails with SS_EDATA, needed vs available GB and a suggestion, when the model does not fit. */
ss_status perf_init(perf_ctx *ctx, const hwdb_bound *b, const perf_opts *o, ss_err *err);
double perf_step_time(const perf_ctx *ctx, const batch_shape *bs);
/* The part of perf_step_time spent in the engine's host loop (scheduling, sampling, per-request and
 * per-token work; not the per-layer launch overhead, which each pipeline stage pays for its own layers). */
double perf_host_time(const perf_ctx *ctx, const batch_shape *bs);
/* Whether the host loop, not the GPU, sets the step: under host_overlap, its work (with its kernel launches in
 * a step no CUDA graph replays) is the larger. */
bool perf_host_bound(const perf_ctx *ctx, const batch_shape *bs);
/* The bandwidth floor of a step: (weights/tp + KV read) / peak bandwidth. */
double perf_bandwidth_bound(const perf_ctx *ctx, const batch_shape *bs);
/* The compute floor of a step: its FLOP at the dense peaks (linears in their dtype, attention in fp16). */
double perf_compute_bound(const perf_ctx *ctx, const batch_shape *bs);
/* Board power of one GPU during a step of step_s seconds: idle + memory x (bandwidth floor / step_s)
 * + compute x (compute floor / step_s), at most the TDP (hw_power_model), times opts.power_scale. */
double perf_step_power_w(const perf_ctx *ctx, const batch_shape *bs, double step_s);

/* ---- added for estimate and validate ---- */

/* Options from an engine profile's defaults (scheduler knobs; efficiencies and overheads from the profile). */
void perf_opts_from_engine(const engine_profile *e, uint32_t tp, uint32_t pp, perf_opts *o);
/* Smallest power-of-two tensor-parallel degree (up to 64) at which the weights fit; 0 if none. */
uint32_t perf_min_tp(const hwdb_bound *b, const perf_opts *o);
/* Concurrent sequences of in + out tokens that fit: min(max_num_seqs, KV tokens / (in + out)). */
double perf_max_batch(const perf_ctx *ctx, double in_tokens, double out_tokens);
/* Time to prefill one request of `tokens` tokens alone, in chunks of at most max_batched_tokens. */
double perf_prefill_time(const perf_ctx *ctx, double tokens);
/* Sum of `steps` decode steps of `batch` sequences whose context starts at ctx0 and grows by one per step. */
double perf_decode_time(const perf_ctx *ctx, double batch, double ctx0, double steps);
/* APPROXIMATION of continuous batching in steady state: `batch` sequences decoding at the mean
 * context in + out/2, with batch x in/out prefill tokens per step (each request's prefill spread
 * over its decode steps). Returns output tokens/s; *step_s receives the mean step time. */
double perf_steady_tok_s(const perf_ctx *ctx, double batch, double in_tokens, double out_tokens, double *step_s);
/* The mean step of that steady state (what perf_steady_tok_s times), e.g. for its modelled power. */
void perf_steady_shape(const perf_ctx *ctx, double batch, double in_tokens, double out_tokens, batch_shape *bs);

#endif
