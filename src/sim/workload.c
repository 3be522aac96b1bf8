/* workload.c: arrival processes (one function per process, in a table) and length samplers.
 * Trace and histogram data arrive loaded (sim_config); the hot path is a few gsl_ran_* calls per request. */
#include "sim/workload.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "base/rng.h"

typedef struct {
  int dist; /* sim_len_dist */
  uint32_t value, min, max, cap;
  double log_median, sigma;
  const sim_hist *hist; /* empirical */
} wl_len;

typedef bool (*arrival_fn)(wl_gen *g, double *t);

struct wl_gen {
  gsl_rng *arr, *len_in, *len_out, *think;
  arrival_fn next_t;
  double t, rate, gamma_shape, gamma_scale, think_s, pmax;
  double profile[24];
  uint32_t remaining; /* offline */
  double rho, rho_c;  /* correlation and sqrt(1 - rho^2) */
  wl_len in, out;
  const sim_trace *trace; /* replayed, arrival times multiplied by time_scale */
  double time_scale;
  size_t tr_i;
  gsl_rng *resample; /* bootstrap: rows drawn with replacement, as (gap, input, output) triples */
  double tr_t;       /* bootstrap: the arrival time so far (before time scaling) */
  bool closed;
};

static ss_status len_init(wl_len *l, const sim_lengths *s, const char *what, ss_err *err) {
  *l = (wl_len){.dist = s->dist,
                .value = s->value,
                .min = s->min,
                .max = s->max,
                .cap = s->max ? s->max : UINT32_MAX,
                .sigma = s->sigma,
                .hist = s->hist};
  l->log_median = log(s->median);
  if (l->dist == LEN_UNIFORM && (s->max == 0 || s->min > s->max))
    return ss_errorf(err, SS_EDATA, "%s: dist uniform needs 1 <= min <= max, got min %u max %u", what, s->min, s->max);
  if (l->dist == LEN_EMPIRICAL && (!l->hist || !l->hist->n))
    return ss_errorf(err, SS_EDATA, "%s: dist empirical has no histogram loaded", what);
  return SS_OK;
}

static uint32_t clamp_len(const wl_len *l, double x) {
  if (!(x >= 1)) return 1; /* also NAN */
  if (x >= l->cap) return l->cap;
  return (uint32_t)x;
}

/* One length. z is a standard normal when the draw is correlated (u = Phi(z)); otherwise NAN and
 * the sampler draws from r itself. */
static uint32_t len_sample(const wl_len *l, gsl_rng *r, double z) {
  bool corr = !isnan(z);
  switch (l->dist) {
  case LEN_FIXED: return clamp_len(l, l->value);
  case LEN_LOGNORMAL:
    if (!corr) z = gsl_ran_gaussian_ziggurat(r, 1.0);
    return clamp_len(l, floor(exp(l->log_median + l->sigma * z) + 0.5));
  case LEN_UNIFORM: {
    double u = corr ? gsl_cdf_ugaussian_P(z) : gsl_rng_uniform(r);
    double x = l->min + floor(u * (double)(l->max - l->min + 1));
    return clamp_len(l, fmin(x, l->max));
  }
  default: { /* LEN_EMPIRICAL: inverse CDF by bisection */
    double u = corr ? gsl_cdf_ugaussian_P(z) : gsl_rng_uniform(r);
    const sim_hist *h = l->hist;
    size_t lo = 0, hi = h->n - 1;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (h->cum[mid] > u)
        hi = mid;
      else
        lo = mid + 1;
    }
    return clamp_len(l, h->tokens[lo]);
  }
  }
}

void wl_lengths_with(wl_gen *g, gsl_rng *rin, gsl_rng *rout, uint32_t *in, uint32_t *out) {
  if (g->rho == 0) {
    *in = len_sample(&g->in, rin, NAN);
    *out = len_sample(&g->out, rout, NAN);
    return;
  }
  double z1 = gsl_ran_gaussian_ziggurat(rin, 1.0), z2 = gsl_ran_gaussian_ziggurat(rout, 1.0);
  *in = len_sample(&g->in, rin, z1);
  *out = len_sample(&g->out, rout, g->rho * z1 + g->rho_c * z2);
}

void wl_lengths(wl_gen *g, uint32_t *in, uint32_t *out) { wl_lengths_with(g, g->len_in, g->len_out, in, out); }

/* ---- mean lengths (closed form, for estimate) ---- */

/* E[X; a <= X < b] of a lognormal X = exp(mu + sigma Z). */
static double lognormal_partial_mean(double mu, double sigma, double a, double b) {
  double m = exp(mu + sigma * sigma / 2), pa = a > 0 ? gsl_cdf_ugaussian_P((log(a) - mu - sigma * sigma) / sigma) : 0;
  double pb = isfinite(b) ? gsl_cdf_ugaussian_P((log(b) - mu - sigma * sigma) / sigma) : 1;
  return m * (pb - pa);
}

static double len_mean(const sim_lengths *s) {
  double cap = s->max ? (double)s->max : (double)INFINITY;
  switch (s->dist) {
  case LEN_FIXED: return fmin(fmax(s->value, 1), cap);
  case LEN_UNIFORM: return (s->min + fmin(s->max, cap)) / 2.0;
  case LEN_LOGNORMAL: {
    double mu = log(s->median), sg = s->sigma;
    if (!(sg > 0)) return fmin(fmax(s->median, 1), cap);
    double below = gsl_cdf_ugaussian_P(-mu / sg), above = isfinite(cap) ? gsl_cdf_ugaussian_Q((log(cap) - mu) / sg) : 0;
    return below + lognormal_partial_mean(mu, sg, 1, cap) + (above > 0 ? cap * above : 0);
  }
  default: { /* empirical: the histogram's probabilities are the steps of its cumulative column */
    const sim_hist *h = s->hist;
    double sum = 0, prev = 0;
    for (size_t i = 0; h && i < h->n; i++)
      sum += fmin(fmax(h->tokens[i], 1), cap) * (h->cum[i] - prev), prev = h->cum[i];
    return prev > 0 ? sum / prev : NAN;
  }
  }
}

void wl_mean_lengths(const sim_traffic *w, double *in, double *out) {
  if (w->process == ARR_TRACE && w->trace && w->trace->n) {
    double si = 0, so = 0;
    for (size_t i = 0; i < w->trace->n; i++) si += w->trace->in[i], so += w->trace->out[i];
    *in = si / (double)w->trace->n, *out = so / (double)w->trace->n;
    return;
  }
  *in = len_mean(&w->input), *out = len_mean(&w->output);
}

/* ---- arrival processes ---- */

static bool next_poisson(wl_gen *g, double *t) {
  *t = g->t += gsl_ran_exponential(g->arr, 1.0 / g->rate);
  return true;
}

static bool next_gamma(wl_gen *g, double *t) {
  *t = g->t += gsl_ran_gamma(g->arr, g->gamma_shape, g->gamma_scale);
  return true;
}

/* Non-homogeneous Poisson by thinning: candidates at the peak rate, kept with probability
 * rate(t) / peak, rate piecewise constant per hour of the day. */
static bool next_diurnal(wl_gen *g, double *t) {
  if (g->pmax <= 0) return false;
  for (;;) {
    g->t += gsl_ran_exponential(g->arr, 1.0 / (g->rate * g->pmax));
    double hour = fmod(floor(g->t / 3600.0), 24.0);
    if (gsl_rng_uniform(g->arr) * g->pmax < g->profile[(int)hour]) break;
  }
  *t = g->t;
  return true;
}

static bool next_offline(wl_gen *g, double *t) {
  if (!g->remaining) return false;
  g->remaining--;
  *t = 0;
  return true;
}

static bool next_none(wl_gen *g, double *t) {
  (void)g, (void)t;
  return false;
}

static const arrival_fn ARRIVAL_FNS[] = {
    [ARR_POISSON] = next_poisson, [ARR_GAMMA] = next_gamma,     [ARR_DIURNAL] = next_diurnal,
    [ARR_CLOSED] = next_none,     [ARR_OFFLINE] = next_offline, [ARR_TRACE] = next_none,
};

bool wl_next(wl_gen *g, wl_req *r) {
  if (g->trace && g->resample) {
    const sim_trace *tr = g->trace;
    if (g->tr_i == tr->n) return false;
    size_t i = (size_t)gsl_rng_uniform_int(g->resample, tr->n);
    g->tr_t += tr->t_s[i] - (i ? tr->t_s[i - 1] : 0);
    *r = (wl_req){g->tr_t * g->time_scale, tr->in[i], tr->out[i]};
    g->tr_i++;
    return true;
  }
  if (g->trace) {
    const sim_trace *tr = g->trace;
    if (g->tr_i == tr->n) return false;
    *r = (wl_req){tr->t_s[g->tr_i] * g->time_scale, tr->in[g->tr_i], tr->out[g->tr_i]};
    g->tr_i++;
    return true;
  }
  if (!g->next_t(g, &r->t_s)) return false;
  wl_lengths(g, &r->input_tokens, &r->output_tokens);
  return true;
}

double wl_think_s(wl_gen *g) { return g->think_s > 0 ? gsl_ran_exponential(g->think, g->think_s) : 0; }
bool wl_is_closed(const wl_gen *g) { return g->closed; }

ss_status wl_init(wl_gen **out, const sim_traffic *w, uint64_t key, ss_err *err) {
  ss_status rc = SS_EINTERNAL;
  wl_gen *g = calloc(1, sizeof *g);
  *out = NULL;
  if (!g) return ss_errorf(err, SS_ENOMEM, "out of memory for the workload generator");
  g->arr = rng_stream(key, RNG_ARRIVALS);
  g->len_in = rng_stream(key, RNG_INPUT_LEN);
  g->len_out = rng_stream(key, RNG_OUTPUT_LEN);
  g->think = rng_stream(key, RNG_CLOSED_THINK);
  if (!g->arr || !g->len_in || !g->len_out || !g->think) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory for random streams");
    goto fail;
  }
  const int proc = w->process;
  g->next_t = ARRIVAL_FNS[proc];
  g->rate = w->rate_per_s;
  double cv2 = w->cv * w->cv;
  g->gamma_shape = 1.0 / cv2;
  g->gamma_scale = cv2 / g->rate;
  g->think_s = w->think_s;
  g->remaining = w->n;
  g->closed = proc == ARR_CLOSED;
  for (size_t i = 0; i < 24 && i < w->n_profile; i++) {
    g->profile[i] = w->profile[i];
    g->pmax = fmax(g->pmax, g->profile[i]);
  }
  g->rho = w->correlation;
  g->rho_c = sqrt(1 - g->rho * g->rho);
  if ((rc = len_init(&g->in, &w->input, "workload.input_tokens", err)) ||
      (rc = len_init(&g->out, &w->output, "workload.output_tokens", err)))
    goto fail;
  if (proc == ARR_TRACE) {
    if (!w->trace) { /* an empty trace is a deployment that gets no request (multi-model fleets) */
      rc = ss_errorf(err, SS_EDATA, "workload.arrival: process trace has no trace rows loaded");
      goto fail;
    }
    g->trace = w->trace;
    g->time_scale = w->time_scale;
    if (w->resample == RESAMPLE_BOOTSTRAP && !(g->resample = rng_stream(key, RNG_TRACE_RESAMPLE))) {
      rc = ss_errorf(err, SS_ENOMEM, "out of memory for a random stream");
      goto fail;
    }
  }
  *out = g;
  return SS_OK;
fail:
  wl_free(g);
  return rc;
}

void wl_free(wl_gen *g) {
  if (!g) return;
  gsl_rng *rs[] = {g->arr, g->len_in, g->len_out, g->think, g->resample};
  for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
    if (rs[i]) gsl_rng_free(rs[i]);
  free(g);
}
