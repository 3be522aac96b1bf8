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

/* The columns of one window, as written to the study file: X(name, units, long_name). The cost columns
 * are filled by costing (NAN from sim). */
#define WINDOW_COLUMNS(X)                                                                                  \
  X(t_start_s, "s", "start of the window since the start of the replicate")                                \
  X(t_end_s, "s", "end of the window")                                                                     \
  X(arrivals, "1", "requests that arrived in the window")                                                  \
  X(finished, "1", "of those, requests that finished (whenever)")                                          \
  X(req_s, "1/s", "arrivals per second")                                                                   \
  X(output_tok_s, "1/s", "output tokens emitted in the window per second")                                 \
  X(ttft_p50_s, "s", "time to first token of the window's arrivals, median")                               \
  X(ttft_p99_s, "s", "time to first token of the window's arrivals, 99th percentile")                      \
  X(tpot_p50_s, "s", "time per output token of the window's arrivals, median")                             \
  X(tpot_p99_s, "s", "time per output token of the window's arrivals, 99th percentile")                    \
  X(goodput_frac, "1", "fraction of the window's finished arrivals meeting both per-request SLOs")         \
  X(slo_met, "1", "1 when the window's P99 TTFT and TPOT met the SLO (NaN: no finished request)")          \
  X(replicas_mean, "1", "serving replicas, time mean over the window")                                     \
  X(replicas_billed_mean, "1", "billed instances, time mean over the window (lifetime rounding included)") \
  X(billed_gpu_hours, "h", "GPU-hours billed in the window")                                               \
  X(billed_gpu_hours_spot, "h", "of which at the spot price")                                              \
  X(busy_frac, "1", "replica busy time over serving replica time")                                         \
  X(cold_starts, "1", "instances launched in the window")                                                  \
  X(spot_interruptions, "1", "spot interruption notices in the window")                                    \
  X(failures, "1", "replica failures in the window")                                                       \
  X(requests_lost, "1", "requests failed with a lost replica in the window")                               \
  X(usd, "USD", "bill of the window: its GPU-hours at their prices")                                       \
  X(usd_per_1m_output, "USD", "the window's bill per million output tokens emitted in it")

typedef struct {
#define X(name, units, long_name) double name;
  WINDOW_COLUMNS(X)
#undef X
} sim_window_row;

typedef enum {
#define X(name, units, long_name) WC_##name,
  WINDOW_COLUMNS(X)
#undef X
      WC_COUNT
} win_column;

const char *win_column_name(win_column c);
const char *win_column_units(win_column c);
const char *win_column_long_name(win_column c);
/* Column c of a row. */
double win_column_value(const sim_window_row *row, win_column c);

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
