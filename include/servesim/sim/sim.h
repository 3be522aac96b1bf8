/* sim.h: one replicate of a configuration: a cluster of replicas under stochastic traffic, simulated
 * by a discrete-event loop (binary heap ordered by (time, seq), typed events, handler table).
 * Invariant: the result depends only on (sim_config, seed, replicate), never on
 * the thread that runs it or on anything global. Arrivals and lengths use streams keyed by
 * rng_key(seed, 0, replicate): common random numbers across sweep points. */
#ifndef SERVESIM_SIM_H
#define SERVESIM_SIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "physics/perf.h"
#include "sim/metrics.h"
#include "sim/result.h"
#include "sim/simconfig.h"
#include "sim/windows.h"

/* Opt-in detail (output.requests / output.timeseries). */
typedef struct {
  double arrival_s, first_token_s, finish_s; /* NAN when not reached */
  uint32_t input_tokens, output_tokens, replica, preemptions;
  double sched_s; /* first prompt chunk scheduled (its step starts); NAN if never */
  uint64_t seq;   /* arrival order of the run (0, 1, ...; refused arrivals count too) */
} sim_request_row;

typedef struct {
  double t_s, queue_len, running, kv_occupancy; /* sums over replicas; occupancy is a fraction */
} sim_ts_row;

typedef struct {
  sim_request_row *req;
  size_t n_req, cap_req;
  sim_ts_row *ts;
  size_t n_ts, cap_ts;
  double ts_interval_s;
  sim_window_row *win; /* the hour-by-hour windows (fleet.windows on), written when the run ends */
  size_t n_win, cap_win;
  double *win_pool_gpu_h; /* multi-model: [n_win][SIM_MAX_POOLS][2] regular and spot GPU-hours per
                           * deployment, for costing (not written to files); NULL otherwise */
} sim_log;

/* Runs one replicate (of a multi-model fleet: sim/multimodel). log may be NULL; when not, rows are appended as c->log_requests,
 * c->log_timeseries and the windows (c->fleet.windows) ask. */
ss_status sim_run(const sim_config *c, uint64_t seed, uint64_t replicate, sim_result *out, sim_log *log, ss_err *err);
void sim_log_free(sim_log *log);

/* Knobs for tests and benchmarks; sim_run uses the defaults (all zero). */
typedef struct {
  bool no_fast_forward; /* push every step through the event heap (the reference behaviour) */
  /* step-time model; NULL: perf_step_time on the configured deployment */
  double (*step_time_s)(const void *ctx, const batch_shape *shape);
  const void *step_ctx;
  uint64_t kv_blocks;       /* KV blocks per replica; 0: from the memory fit */
  uint32_t max_in_flight;   /* requests in the system beyond which arrivals are refused; 0: 2^18 */
  metrics_acc *metrics_out; /* when set, receives the replicate's accumulators (sim/multimodel combines them) */
} sim_opts;

/* What happened inside one run (bookkeeping for tests and benchmarks, not results). */
typedef struct {
  uint64_t heap_events, inline_steps, steps;        /* events popped; steps run without the heap; all steps */
  uint64_t arrived, finished, rejected, unfinished; /* whole run, warm-up included */
  uint64_t lost;                                    /* failed with a lost replica (in rejected) */
  uint64_t tokens_emitted, tokens_of_finished, tokens_of_unfinished;
  uint64_t kv_peak_blocks, kv_capacity_blocks; /* worst replica; per replica */
  uint64_t peak_in_flight;                     /* request slots ever allocated */
  uint64_t preemptions;                        /* whole run */
  uint64_t itl_samples, itl_expected;          /* ITL samples; sum of (n_out - 1) of finished measured */
  double mean_in_system;                       /* time mean over the measured window (Little's L) */
  double end_s;                                /* simulated time when the run stopped */
} sim_stats;

ss_status sim_run_opts(const sim_config *c, uint64_t seed, uint64_t replicate, const sim_opts *opts, sim_result *out,
                       sim_log *log, sim_stats *stats, ss_err *err);

#endif
