/* windows.c: per-window accumulators and the column table of windows.h. Latency goes into one pair of log-linear histograms
 * per window (metrics.h), so a window's P99 is as exact as the replicate's; everything else is a sum. */
#include "sim/windows.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name, *units, *long_name;
  size_t off;
} COLS[WC_COUNT] = {
#define X(name, units, long_name) {#name, units, long_name, offsetof(sim_window_row, name)},
    WINDOW_COLUMNS(X)
#undef X
};

const char *win_column_name(win_column c) { return COLS[c].name; }
const char *win_column_units(win_column c) { return COLS[c].units; }
const char *win_column_long_name(win_column c) { return COLS[c].long_name; }
double win_column_value(const sim_window_row *row, win_column c) {
  double v;
  memcpy(&v, (const char *)row + COLS[c].off, sizeof v);
  return v;
}

typedef struct {
  metrics_hist ttft, tpot;
  uint64_t arrived, finished, good;
  double v[WF_COUNT];
} win_acc;

struct win_set {
  double width_s, horizon_s, slo_ttft_s, slo_tpot_s, gpus;
  size_t n;
  win_acc *w;
};

ss_status win_init(win_set **out, double width_s, double horizon_s, double slo_ttft_s, double slo_tpot_s,
                   double gpus_per_replica, ss_err *err) {
  *out = NULL;
  double n = ceil(horizon_s / width_s);
  if (!(width_s > 0) || n > WIN_MAX)
    return ss_errorf(err, SS_EDATA, "%.0f windows of %g s over a horizon of %g s; allowed: at most %d", n, width_s,
                     horizon_s, WIN_MAX);
  win_set *w = calloc(1, sizeof *w);
  if (w) w->w = calloc((size_t)n, sizeof *w->w);
  if (!w || !w->w) {
    free(w);
    return ss_errorf(err, SS_ENOMEM, "out of memory for %.0f windows", n);
  }
  *w = (win_set){width_s, horizon_s, slo_ttft_s, slo_tpot_s, gpus_per_replica, (size_t)n, w->w};
  for (size_t k = 0; k < w->n; k++) metrics_hist_clear(&w->w[k].ttft), metrics_hist_clear(&w->w[k].tpot);
  *out = w;
  return SS_OK;
}

void win_free(win_set *w) {
  if (!w) return;
  free(w->w);
  free(w);
}

size_t win_count(const win_set *w) { return w->n; }

/* The window holding t, or NULL outside [0, horizon). */
static win_acc *at(win_set *w, double t) {
  if (!(t >= 0 && t < w->horizon_s)) return NULL;
  size_t k = (size_t)(t / w->width_s);
  return &w->w[k < w->n ? k : w->n - 1];
}

void win_arrival(win_set *w, double t) {
  win_acc *a = at(w, t);
  if (a) a->arrived++;
}

void win_finish(win_set *w, const metrics_req *r) {
  win_acc *a = at(w, r->arrival_s);
  if (!a) return;
  double ttft = r->first_token_s - r->arrival_s;
  bool good = ttft <= w->slo_ttft_s;
  a->finished++;
  metrics_hist_add(&a->ttft, ttft, 1);
  if (r->output_tokens > 1) {
    double tpot = (r->finish_s - r->first_token_s) / (r->output_tokens - 1);
    metrics_hist_add(&a->tpot, tpot, 1);
    good = good && tpot <= w->slo_tpot_s;
  }
  a->good += good;
}

void win_add(win_set *w, win_field f, double t, double v) {
  win_acc *a = at(w, t);
  if (a) a->v[f] += v;
}

void win_add_interval(win_set *w, win_field f, double a, double b, double rate) {
  a = fmax(a, 0), b = fmin(b, w->horizon_s);
  for (size_t k = (size_t)(a / w->width_s); a < b && k < w->n; k++) {
    double end = fmin(b, (double)(k + 1) * w->width_s);
    w->w[k].v[f] += rate * (end - a);
    a = end;
  }
}

static bool met(const win_acc *a, double slo_ttft_s, double slo_tpot_s) {
  double tpot = metrics_hist_quantile(&a->tpot, 0.99);
  return metrics_hist_quantile(&a->ttft, 0.99) <= slo_ttft_s && (isnan(tpot) || tpot <= slo_tpot_s);
}

void win_row(const win_set *w, size_t k, sim_window_row *row) {
  const win_acc *a = &w->w[k];
  double t0 = (double)k * w->width_s, t1 = fmin(w->horizon_s, t0 + w->width_s), len = t1 - t0;
  const double *v = a->v;
  *row = (sim_window_row){
      .t_start_s = t0,
      .t_end_s = t1,
      .arrivals = (double)a->arrived,
      .finished = (double)a->finished,
      .req_s = (double)a->arrived / len,
      .output_tok_s = v[WF_OUT_TOKENS] / len,
      .ttft_p50_s = metrics_hist_quantile(&a->ttft, 0.50),
      .ttft_p99_s = metrics_hist_quantile(&a->ttft, 0.99),
      .tpot_p50_s = metrics_hist_quantile(&a->tpot, 0.50),
      .tpot_p99_s = metrics_hist_quantile(&a->tpot, 0.99),
      .goodput_frac = a->finished ? (double)a->good / (double)a->finished : NAN,
      .slo_met = a->finished ? met(a, w->slo_ttft_s, w->slo_tpot_s) : NAN,
      .replicas_mean = v[WF_SERVING_S] / len,
      .replicas_billed_mean = v[WF_BILLED_S] / len,
      .billed_gpu_hours = v[WF_BILLED_S] * w->gpus / 3600.0,
      .billed_gpu_hours_spot = v[WF_BILLED_SPOT_S] * w->gpus / 3600.0,
      .busy_frac = v[WF_SERVING_S] > 0 ? v[WF_BUSY_S] / v[WF_SERVING_S] : NAN,
      .cold_starts = v[WF_COLD_STARTS],
      .spot_interruptions = v[WF_INTERRUPTIONS],
      .failures = v[WF_FAILURES],
      .requests_lost = v[WF_LOST],
      .usd = NAN,
      .usd_per_1m_output = NAN,
  };
}

double win_slo_met_frac(const win_set *w) {
  size_t n = 0, ok = 0;
  for (size_t k = 0; k < w->n; k++) {
    if (!w->w[k].finished) continue;
    n++;
    ok += met(&w->w[k], w->slo_ttft_s, w->slo_tpot_s);
  }
  return n ? (double)ok / (double)n : NAN;
}
