/* metrics.h: what one replicate measures. Latencies go into log-linear histograms (64 linear
 * sub-buckets per power of two from 2^-20 s to 2^21 s: relative error of a quantile <= 1/128, memory
 * fixed whatever the request count); busy time, power, KV occupancy and queue length are time integrals
 * over the measured window [warmup, duration].
 * Invariant: only requests that arrived inside the measured window enter the latency histograms;
 * time integrals only count the part of an interval that lies inside the window. */
#ifndef SERVESIM_METRICS_H
#define SERVESIM_METRICS_H
#include <stdbool.h>
#include <stdint.h>

#include "sim/result.h"

enum {
  METRICS_SUB = 64,
  METRICS_MIN_EXP = -20,
  METRICS_MAX_EXP = 21,
  METRICS_BUCKETS = 1 + (METRICS_MAX_EXP - METRICS_MIN_EXP) * METRICS_SUB
};

/* Bucket 0 holds values below 2^-20 s (about 1 us), reported as 0; values above 2^21 s are clamped. */
typedef struct {
  uint64_t count[METRICS_BUCKETS];
  uint64_t n;
  double sum, min, max;
} metrics_hist;

void metrics_hist_clear(metrics_hist *h);
void metrics_hist_add(metrics_hist *h, double v, uint64_t weight);
void metrics_hist_merge(metrics_hist *into, const metrics_hist *from);
/* Nearest-rank quantile (q in [0,1]): the midpoint of the bucket holding rank ceil(q n), clamped to
 * the observed [min, max]; NAN when empty. */
double metrics_hist_quantile(const metrics_hist *h, double q);
double metrics_hist_mean(const metrics_hist *h);

/* One finished request, as the metrics see it. */
typedef struct {
  double arrival_s, sched_s, first_token_s, finish_s; /* as the engine sees them */
  uint32_t output_tokens;
  double front_s; /* the front end's time (HTTP, tokenisation) before arrival_s: part of TTFT and E2E */
} metrics_req;

typedef struct {
  double lo_s, hi_s; /* measured window */
  double slo_ttft_s, slo_tpot_s;
  metrics_hist ttft, tpot, itl, e2e, queue;
  double tpot_incl_sum;
  uint64_t finished, good, arrived; /* arrivals and completions of requests arriving in the window */
  uint64_t finished_in_window;      /* completions (any arrival time) inside the window */
  double out_tokens, in_tokens;     /* emitted / first-prefilled inside the window */
  double busy_s, kv_block_s, queue_area, in_system_area;
  double busy_gpu_s, kv_frac_s; /* busy time x GPUs, and x the replica's KV occupancy (unlike replicas) */
  double step_energy_j;         /* modelled GPU energy of the steps (all GPUs of the replicas) */
  double queue_len_max;
  uint64_t preemptions;
  double q_last_s, q_now; /* queue-length integral bookkeeping */
  double n_last_s, n_now; /* requests-in-system integral bookkeeping */
} metrics_acc;

void metrics_init(metrics_acc *m, double lo_s, double hi_s, double slo_ttft_s, double slo_tpot_s);
static inline bool metrics_in_window(const metrics_acc *m, double t) { return t >= m->lo_s && t < m->hi_s; }
/* A request that arrived at t (counted when t is inside the window). */
void metrics_arrival(metrics_acc *m, double t);
/* A request finished at r->finish_s; latencies are kept when it arrived inside the window. */
void metrics_finish(metrics_acc *m, const metrics_req *r);
/* One engine step on one replica of `gpus` GPUs and kv_capacity blocks over [t0, t1] holding kv_blocks
 * blocks, its GPUs drawing watts together. */
void metrics_step(metrics_acc *m, double t0, double t1, double kv_blocks, double watts, double gpus,
                  double kv_capacity);
/* Tokens emitted at time t (output) and prompts whose first prefill completed at t (input). */
void metrics_tokens(metrics_acc *m, double t, double out_tokens, double in_tokens);
/* The queue length (waiting requests, all replicas) becomes q at time t; likewise requests in system. */
void metrics_queue(metrics_acc *m, double t, double q);
void metrics_in_system(metrics_acc *m, double t, double n);

typedef struct {
  double replicas;           /* serving replicas (a changing fleet: time mean over the window) */
  double replicas_billed;    /* instances drawing power (serving, booting, standby): time mean */
  double gpus_per_replica;   /* tensor-parallel degree */
  double gpus_total;         /* replicas of different sizes (disaggregated pools): all GPUs; 0: alike */
  double idle_w;             /* board power of a GPU between steps */
  double kv_capacity_blocks; /* per replica */
  double kv_occupancy_max;   /* max over replicas and time */
  double measured_s;         /* length the rates and time means are taken over */
  uint64_t unfinished;       /* arrived in the window and did not finish: refused, or in the system at the end */
  bool saturated;
} metrics_final;

/* Fills every performance row of out (cost rows stay NAN). */
void metrics_finalize(metrics_acc *m, const metrics_final *f, sim_result *out);
/* Time mean of requests in system over the window (Little's L). */
double metrics_mean_in_system(const metrics_acc *m, double measured_s);

#endif
