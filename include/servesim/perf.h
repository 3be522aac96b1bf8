/* perf.h: the step-time model (DESIGN section 3) and the memory fit.
 * perf_init precomputes per-step coefficients from GPU, model, precision and engine, so that
 * perf_step_time is a handful of multiply-adds; the event loop calls it every iteration.
 * Invariant: a decode step is never faster than (weights/tp + KV read) / memory bandwidth. */
#ifndef SERVESIM_PERF_H
#define SERVESIM_PERF_H
#include <stdbool.h>
#include <stdint.h>

#include "servesim/err.h"
#include "servesim/scenario.h"

/* What one engine iteration on one replica holds. */
typedef struct {
  uint32_t n_decode;        /* sequences decoding one token from their cache */
  double decode_ctx;        /* sum of their context lengths (tokens already cached) */
  uint32_t n_prefill;       /* prefill chunks */
  double prefill_tokens;    /* sum of chunk lengths c_j */
  double prefill_attn;      /* sum of c_j * (P_j + c_j / 2): attention work of the chunks */
  uint32_t n_sampled;       /* sequences that emit a token this step */
} batch_shape;

typedef struct {
  uint32_t tp;              /* tensor-parallel degree */
  uint32_t pp;              /* pipeline stages (layer split), 1 = none */
  double gpu_memory_utilization;
  uint32_t block_size;
  uint32_t max_num_seqs, max_batched_tokens;
  double eff_hbm, eff_compute, overhead_step_s; /* NAN: calibrated / engine values */
} perf_opts;

/* Memory accounting per GPU, the way vLLM does it. */
typedef struct {
  double total_bytes, budget_bytes;     /* memory, and gpu_memory_utilization x memory */
  double weight_bytes, activation_bytes, reserve_bytes;
  double kv_bytes;                      /* what is left for the KV cache; < 0: does not fit */
  double kv_bytes_per_token;            /* per GPU */
  uint64_t kv_blocks, kv_tokens;        /* per replica (blocks are replica-wide) */
  bool fits;
} perf_memory;

typedef struct {
  /* private to perf.c: precomputed coefficients */
  double w_bytes_dense, w_bytes_expert, moe_layers, experts, experts_per_token;
  double flops_per_token, attn_flops_coef, kv_bytes_per_token;
  double act_bytes_per_token;
  double bw, eff_mem, peak_flops, eff_compute, t_half;
  double comm_bytes_per_token, comm_latency_s, link_bw, comm_calls;
  double ovh_step, ovh_layer_total, ovh_request, ovh_token;
  double pp;
  bool fp8_fallback, nvlink;
  int compute_dtype;
  perf_memory mem;
} perf_ctx;

/* Options from a resolved scenario. */
void perf_opts_from_scenario(const scenario *sc, perf_opts *o);
void perf_memory_fit(const sc_bound *b, const perf_opts *o, perf_memory *m);
/* Fails with SS_EDATA, needed vs available GB and a suggestion, when the model does not fit. */
ss_status perf_init(perf_ctx *ctx, const sc_bound *b, const perf_opts *o, ss_err *err);
double perf_step_time(const perf_ctx *ctx, const batch_shape *bs);
/* The bandwidth floor of a step: (weights/tp + KV read) / peak bandwidth. */
double perf_bandwidth_bound(const perf_ctx *ctx, const batch_shape *bs);

#endif
