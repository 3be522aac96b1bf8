/* simconfig.h: what one simulation runs: a deployment of resolved hwdb entries with its scheduler
 * knobs, the traffic (arrival process, length distributions, trace or histogram data loaded by the
 * caller), the measured window and the SLO. Plain data, about 1 KB; it knows nothing of sweeps,
 * uncertain inputs, prices or files, so the physics and the simulator depend on it alone.
 * Invariant: pointers (hwdb entries, trace, histograms) are borrowed, never owned; a sim_config that
 * sim_config_check accepted describes a layout and workload the model can run. */
#ifndef SERVESIM_SIMCONFIG_H
#define SERVESIM_SIMCONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "hwdb/hwdb.h"
#include "physics/perf.h"

typedef enum { ARR_POISSON, ARR_GAMMA, ARR_DIURNAL, ARR_CLOSED, ARR_OFFLINE, ARR_TRACE } sim_arrival;
typedef enum { LEN_FIXED, LEN_UNIFORM, LEN_LOGNORMAL, LEN_EMPIRICAL } sim_len_dist;
/* prefix_affinity and session_affinity need the request's content (sim/prefix.h, docs/sim.md) */
typedef enum {
  ROUTE_ROUND_ROBIN,
  ROUTE_LEAST_OUTSTANDING,
  ROUTE_JSQ,
  ROUTE_PREFIX_AFFINITY,
  ROUTE_SESSION_AFFINITY
} sim_router;
typedef enum { RESAMPLE_NONE, RESAMPLE_BOOTSTRAP } sim_resample;
typedef enum { TURNS_GEOMETRIC, TURNS_FIXED } sim_turns_dist;
typedef enum { THINK_EXPONENTIAL, THINK_LOGNORMAL } sim_think_dist;
typedef enum { SPEC_NONE, SPEC_DRAFT, SPEC_HEADS } sim_spec_method;
/* Names as scenario files write them, NULL-terminated, indexed by the enums above. */
extern const char *const sim_arrival_names[], *const sim_len_dist_names[], *const sim_router_names[],
                                                                               *const sim_resample_names[];
extern const char *const sim_turns_dist_names[], *const sim_think_dist_names[], *const sim_spec_method_names[];

/* An empirical length distribution: cumulative weights (normalised to 1) over token counts. */
typedef struct {
  uint32_t *tokens;
  double *cum;
  size_t n;
} sim_hist;

/* A trace: arrival time (before time scaling) and lengths of each request, in time order. */
typedef struct {
  double *t_s;
  uint32_t *in, *out;
  size_t n;
  uint32_t max_total; /* longest request, input + output tokens */
} sim_trace;

typedef struct {
  int dist;                 /* sim_len_dist */
  uint32_t value, min, max; /* fixed value; uniform bounds; max is also the cap (0 = none) */
  double median, sigma;     /* lognormal */
  const sim_hist *hist;     /* empirical */
} sim_lengths;

/* Speculative decoding (physics/specdec.h): k draft tokens per step, each accepted with probability
 * accept (independently, until the first rejection); off when method is SPEC_NONE. */
typedef struct {
  int method;              /* sim_spec_method */
  uint32_t k;              /* draft tokens per step */
  double accept;           /* per-token acceptance probability */
  uint32_t max_batch;      /* decoding sequences above which a step runs without drafting (0: never) */
  uint32_t head_layers;    /* SPEC_HEADS: decoder layers of the drafting head (EAGLE: 1) */
  const model_spec *draft; /* SPEC_DRAFT: the draft model (borrowed from hwdb) */
} sim_spec;

/* Disaggregated prefill and decode (sim/disagg.h): `replicas` prefill replicas of tp GPUs each (the
 * deployment's GPU type) send each prompt's KV to the decode pool (the deployment's replicas) over a link.
 * Off when replicas is 0. */
typedef struct {
  uint32_t replicas, tp;
  double link_gb_s, link_latency_s; /* one transfer's bandwidth (GB/s) and latency (s) */
} sim_disagg;

typedef struct {
  hwdb_bound hw;
  uint32_t tp, replicas;
  uint32_t pp;             /* pipeline stages per replica, micro-batched (1 = none) */
  bool expert_parallel;    /* MoE experts spread whole over the tp GPUs, all-to-all dispatch (perf.h) */
  double ep_imbalance;     /* busiest GPU's routed load over the mean (>= 1) */
  bool prefix_caching;     /* automatic prefix caching: hashed KV blocks shared, LRU eviction (sim/prefix.h) */
  uint32_t router_balance; /* prefix_affinity: outstanding requests beyond the least loaded that override it */
  sim_spec spec;
  sim_disagg disagg;
  int policy; /* engine_policy */
  uint32_t max_num_seqs, max_batched_tokens, block_size, parallel_slots, static_batch;
  bool chunked_prefill, reserve_full_kv;
  uint32_t long_prefill_tokens; /* chunked prefill: most tokens of one prompt per step (0: no cap) */
  uint32_t num_scheduler_steps; /* decode steps per scheduling call (vLLM multi-step); 1 = every step */
  double waiting_served_ratio;  /* TGI join rule (sched.h); 0 = off */
  uint32_t max_waiting_tokens;
  double gpu_memory_utilization;
  int router;                                   /* sim_router */
  double eff_hbm, eff_compute, overhead_step_s; /* NAN: the engine profile's */
  double step_time_scale;                       /* multiplier on every step's modelled time (model error), 1 */
  double power_scale;                           /* multiplier on the modelled board power */
} sim_deployment;

/* Shared prompt content (sim/session.h): a system prompt in front of a fraction of the requests, one of
 * n_templates few-shot templates after it, and multi-turn sessions whose turns resend the whole
 * conversation so far. All zero (turns_mean 1): every request is a single, unrelated prompt. */
typedef struct {
  uint32_t system_tokens;   /* system prompt length (0: none) */
  double system_frac;       /* fraction of sessions that start with it */
  uint32_t template_tokens; /* few-shot template length (0: none) */
  uint32_t n_templates;
  double template_frac, template_zipf; /* fraction using a template; popularity exponent (0: uniform) */
  double turns_mean;                   /* turns per session (1: single requests) */
  int turns_dist;                      /* sim_turns_dist */
  double think_s, think_sigma;         /* time between a turn's answer and the next question: mean or median, s */
  int think_dist;                      /* sim_think_dist */
} sim_sharing;

typedef struct {
  int process; /* sim_arrival */
  double rate_per_s, cv, think_s, time_scale;
  double profile[24];
  size_t n_profile;
  uint32_t users, n;
  uint32_t requests; /* closed, poisson, gamma: the client stops after this many requests (0 = at the horizon) */
  const sim_trace *trace;
  int resample; /* sim_resample: a trace replayed as is, or rows drawn with replacement */
  sim_lengths input, output;
  double correlation; /* of log input and log output lengths */
  sim_sharing share;  /* shared prefixes and sessions; input lengths are each request's new tokens */
} sim_traffic;

typedef struct {
  sim_deployment dep;
  sim_traffic wl;
  double duration_s, warmup_s; /* horizon and the part left out of the metrics */
  double slo_ttft_s, slo_tpot_s;
  bool log_requests, log_timeseries;
  double log_max_rows; /* a replicate whose request log would pass this many rows fails (0: no limit) */
} sim_config;

/* The step-time model's options for c's deployment. */
void sim_config_perf_opts(const sim_config *c, perf_opts *o);
/* GPUs of one replica (tp x pp), and of the whole deployment (replicas, plus the prefill pool). */
double sim_config_gpus_per_replica(const sim_deployment *d);
double sim_config_gpus(const sim_deployment *d);

#endif
