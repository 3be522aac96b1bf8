/* windows.h: the hour-by-hour view of one replicate: the horizon cut into windows of fixed length
 * (an hour by default), each with its arrivals, completions, latency histograms, tokens, busy time,
 * serving and billed replica-seconds and fleet events.
 * Invariant: a request belongs to the window of its arrival (latency, goodput, SLO), tokens and
 * replica-time to the window in which they happen; an interval is split exactly at window edges. */
#ifndef SERVESIM_WINDOWS_H
#define SERVESIM_WINDOWS_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/metrics.h"

enum { WIN_MAX = 1000 }; /* windows per replicate (histograms: about 42 KB each) */

/* One window as written to the study file; the cost columns are filled by costing (NAN from sim). */
typedef struct {
  double t_start_s, t_end_s;
  double arrivals, finished;     /* requests arriving in the window; of those, finished */
  double req_s, output_tok_s;    /* arrivals per second; tokens emitted in the window per second */
  double ttft_p50_s, ttft_p99_s; /* of requests arriving in the window */
  double tpot_p50_s, tpot_p99_s; /* of requests arriving in the window */
  double goodput_frac;           /* finished arrivals meeting both per-request SLOs */
  double slo_met;                /* 1 when the window's P99 TTFT and TPOT met the SLO; NAN: no request */
  double replicas_mean;          /* serving replicas, time mean */
  double replicas_billed_mean;   /* billed instances, time mean */
  double billed_gpu_hours;       /* all billed GPU-hours (rounding of lifetimes included) */
  double billed_gpu_hours_spot;  /* of which at the spot price */
  double busy_frac;              /* replica busy time over serving replica time */
  double cold_starts, spot_interruptions, failures, requests_lost;
  double usd, usd_per_1m_output; /* costing */
} sim_window_row;

/* What a window accumulates besides requests (win_add, win_add_interval). */
typedef enum {
  WF_OUT_TOKENS,
  WF_BUSY_S,
  WF_SERVING_S,     /* replica-seconds serving */
  WF_BILLED_S,      /* instance-seconds billed */
  WF_BILLED_SPOT_S, /* of which spot */
  WF_COLD_STARTS,
  WF_INTERRUPTIONS,
  WF_FAILURES,
  WF_LOST,
  WF_COUNT
} win_field;

typedef struct win_set win_set; /* opaque */

/* Windows of width_s over [0, horizon_s) (the last one may be shorter); fails beyond WIN_MAX. */
ss_status win_init(win_set **out, double width_s, double horizon_s, double slo_ttft_s, double slo_tpot_s,
                   double gpus_per_replica, ss_err *err);
void win_free(win_set *w);
size_t win_count(const win_set *w);

void win_arrival(win_set *w, double t);
void win_finish(win_set *w, const metrics_req *r);
/* Adds v to field f of the window holding time t (nothing outside the horizon). */
void win_add(win_set *w, win_field f, double t, double v);
/* Adds rate x (the part of [a, b) inside each window) to field f. */
void win_add_interval(win_set *w, win_field f, double a, double b, double rate);

/* Window k as a row (cost columns NAN). */
void win_row(const win_set *w, size_t k, sim_window_row *row);
/* Fraction of windows with finished requests whose P99 TTFT and TPOT met the SLO; NAN when none had any. */
double win_slo_met_frac(const win_set *w);

#endif
