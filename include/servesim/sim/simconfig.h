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
typedef enum { ROUTE_ROUND_ROBIN, ROUTE_LEAST_OUTSTANDING, ROUTE_JSQ } sim_router;
typedef enum { RESAMPLE_NONE, RESAMPLE_BOOTSTRAP } sim_resample;
/* Names as scenario files write them, NULL-terminated, indexed by the enums above. */
extern const char *const sim_arrival_names[], *const sim_len_dist_names[], *const sim_router_names[],
                                                                               *const sim_resample_names[];

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

typedef struct {
  hwdb_bound hw;
  uint32_t tp, replicas;
  int policy; /* engine_policy */
  uint32_t max_num_seqs, max_batched_tokens, block_size, parallel_slots, static_batch;
  bool chunked_prefill, reserve_full_kv;
  uint32_t num_scheduler_steps; /* decode steps per scheduling call (vLLM multi-step); 1 = every step */
  double waiting_served_ratio;  /* TGI join rule (sched.h); 0 = off */
  uint32_t max_waiting_tokens;
  double gpu_memory_utilization;
  int router;                                   /* sim_router */
  double eff_hbm, eff_compute, overhead_step_s; /* NAN: the engine profile's */
  double step_time_scale;                       /* multiplier on every step's modelled time (model error), 1 */
  double power_scale;                           /* multiplier on the modelled board power */
} sim_deployment;

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
} sim_traffic;

typedef struct {
  sim_deployment dep;
  sim_traffic wl;
  double duration_s, warmup_s; /* horizon and the part left out of the metrics */
  double slo_ttft_s, slo_tpot_s;
  bool log_requests, log_timeseries;
} sim_config;

/* The step-time model's options for c's deployment. */
void sim_config_perf_opts(const sim_config *c, perf_opts *o);

#endif
