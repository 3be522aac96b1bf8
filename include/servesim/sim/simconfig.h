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
#include "sim/result.h"

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
/* Fleet dynamics (docs/fleet.md): how the replica count is decided, what the autoscaler watches, what
 * happens to the requests of a replica that is lost, how instances are billed, when windows are kept. */
typedef enum { AS_NONE, AS_TARGET, AS_SCHEDULE } sim_autoscale_policy;
typedef enum { AS_QUEUE, AS_CONCURRENCY, AS_UTILISATION, AS_RPS } sim_autoscale_metric;
typedef enum { LOST_REQUEUE, LOST_FAIL } sim_lost_work;
typedef enum { BILL_PER_SECOND, BILL_PER_HOUR } sim_billing;
typedef enum { WIN_AUTO, WIN_ON, WIN_OFF } sim_windows_mode;
typedef enum { MR_CLASS, MR_CASCADE } sim_model_routing;
/* Names as scenario files write them, NULL-terminated, indexed by the enums above. */
extern const char *const sim_arrival_names[];
extern const char *const sim_len_dist_names[];
extern const char *const sim_router_names[];
extern const char *const sim_resample_names[];
extern const char *const sim_autoscale_policy_names[];
extern const char *const sim_autoscale_metric_names[];
extern const char *const sim_lost_work_names[];
extern const char *const sim_billing_names[];
extern const char *const sim_windows_mode_names[];
extern const char *const sim_model_routing_names[];
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
  bool attention_dp;       /* each tp rank schedules its own requests: host work per request divides by tp */
  bool prefix_caching;     /* automatic prefix caching: hashed KV blocks shared, LRU eviction (sim/prefix.h) */
  uint32_t router_balance; /* prefix_affinity: outstanding requests beyond the least loaded that override it */
  sim_spec spec;
  sim_disagg disagg;
  int policy; /* engine_policy */
  uint32_t max_num_seqs, max_batched_tokens, block_size, parallel_slots, static_batch;
  bool chunked_prefill, reserve_full_kv;
  uint32_t long_prefill_tokens;  /* chunked prefill: most tokens of one prompt per step (0: no cap) */
  uint32_t num_scheduler_steps;  /* decode steps per scheduling call (vLLM multi-step); 1 = every step */
  uint32_t cuda_graph_max_batch; /* largest step, tokens, a CUDA graph replays; 0 = none */
  double waiting_served_ratio;   /* TGI join rule (sched.h); 0 = off */
  uint32_t max_waiting_tokens;
  double gpu_memory_utilization;
  uint32_t kv_cache_tokens; /* KV cache capacity per replica as the engine was told, tokens (0: from memory) */
  int router;               /* sim_router */
  double eff_hbm, eff_compute, overhead_step_s; /* NAN: the engine profile's */
  double overhead_token_s;                      /* NAN: the engine profile's */
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
  double client_s; /* closed: a benchmark client that prepares requests one at a time, this long each (0: none) */
  double profile[24];
  size_t n_profile;
  uint32_t users, n;
  bool rounds;       /* closed: the client waits for a round's every request before it sends the next round */
  uint32_t requests; /* closed, poisson, gamma: the client stops after this many requests (0 = at the horizon) */
  const sim_trace *trace;
  int resample; /* sim_resample: a trace replayed as is, or rows drawn with replacement */
  sim_lengths input, output;
  double correlation; /* of log input and log output lengths */
  sim_sharing share;  /* shared prefixes and sessions; input lengths are each request's new tokens */
} sim_traffic;

/* The autoscaler (fleet.autoscale.*): HPA's rule desired = ceil(metric total / target) with a
 * tolerance band, stabilisation windows and bounds; or a schedule of replicas per hour of day. */
typedef struct {
  int policy, metric;    /* sim_autoscale_policy, sim_autoscale_metric */
  double target;         /* per replica, in the metric's units */
  double tolerance;      /* no change while |metric / (current x target) - 1| <= tolerance */
  double period_s;       /* control period */
  double up_window_s;    /* scale-up stabilisation: the lowest recommendation of this window */
  double down_window_s;  /* scale-down stabilisation: the highest recommendation of this window */
  uint32_t min_replicas; /* 0: scale to zero */
  uint32_t max_replicas; /* 0: deployment.replicas */
  double schedule[24];   /* replicas per hour of day (AS_SCHEDULE), or a floor on the target's (AS_TARGET) */
  size_t n_schedule;     /* 0 or 24 */
} sim_autoscale;

/* Instances: cold start, billing, spot share and interruptions, failures, standby replicas. */
typedef struct {
  sim_autoscale as;
  double provisioning_s;  /* request to a running instance (not billed) */
  double load_gb_s;       /* weights read into the GPUs, GB/s per replica */
  double engine_warmup_s; /* engine start after loading (compile, graph capture) */
  int billing;            /* sim_billing */
  double billing_min_s;   /* per-second billing: shortest billed lifetime */
  double spot_share;      /* fraction of instances above the on-demand base that are spot */
  uint32_t on_demand_base;
  double spot_per_hour; /* interruption hazard of a spot instance, per hour */
  double spot_notice_s; /* interruption notice: the replica drains this long, then is lost */
  double replace_s;     /* a lost spot instance's replacement starts provisioning this much later */
  double mtbf_gpu_h;    /* mean time between failures of one GPU, hours; 0: no failures */
  double mttr_s;        /* a failed replica's replacement starts provisioning this much later */
  uint32_t spares;      /* hot standby replicas: loaded, billed, not routed; take over a lost one at once */
  int lost_work;        /* sim_lost_work */
  int windows;          /* sim_windows_mode, resolved: WIN_ON or WIN_OFF */
  double window_s;      /* length of an hour-by-hour window */
} sim_fleet;

/* One more deployment of a multi-model fleet: its own hardware, engine, fleet policy and SLO. */
typedef struct {
  sim_deployment dep;
  sim_fleet fleet; /* windows follow the main deployment's */
  double slo_ttft_s, slo_tpot_s;
  char name[32];
} sim_pool;

/* How a multi-model fleet sends requests (models.*): by class (prompt length thresholds), or through a
 * cascade (every request to the first deployment, a fraction escalated to the next); a share of them
 * answered from a response cache. */
typedef struct {
  int mode;                               /* sim_model_routing */
  double class_tokens[SIM_MAX_POOLS - 1]; /* class: prompts above class_tokens[i] go past deployment i */
  size_t n_class_tokens;
  double escalate_frac;                   /* cascade: share of a deployment's answers passed on */
  double cache_hit_frac, cache_latency_s; /* answered from the cache, after this latency */
} sim_routing;

typedef struct {
  sim_deployment dep;
  sim_traffic wl;
  double duration_s, warmup_s; /* horizon and the part left out of the metrics */
  double slo_ttft_s, slo_tpot_s;
  bool log_requests, log_timeseries;
  double log_max_rows; /* a replicate whose request log would pass this many rows fails (0: no limit) */
  sim_fleet fleet;
  char name[32]; /* the main deployment's name (multi-model fleets) */
  sim_pool pools[SIM_MAX_POOLS - 1];
  uint32_t n_pools; /* deployments besides the main one */
  sim_routing route;
  double arrivals_until_s; /* arrivals are taken until then (0: duration_s); metrics still end at duration_s */
} sim_config;

/* The step-time model's options for c's deployment. */
void sim_config_perf_opts(const sim_config *c, perf_opts *o);
/* GPUs of one replica (tp x pp), and of the whole deployment (replicas, plus the prefill pool). */
double sim_config_gpus_per_replica(const sim_deployment *d);
double sim_config_gpus(const sim_deployment *d);
/* Whether the replica count changes during a run (autoscaling, spot, failures or standby replicas):
 * the simulator then runs instances through their lifecycle and bills their lifetimes. */
bool sim_fleet_dynamic(const sim_config *c);
/* Whether requests are shared among several deployments or a response cache (sim/multimodel). */
bool sim_multimodel(const sim_config *c);
/* Cold start of one replica: provisioning + weight bytes (all GPUs) / load bandwidth + engine warm-up. */
double sim_fleet_cold_start_s(const sim_fleet *f, double weight_bytes_per_replica);

#endif
