/* sensitivity.c: gathers, per sweep point, the rows a method needs from the study (inputs and one
 * metric per replicate; Saltelli blocks by role; Morris effects along trajectories) and calls the
 * estimators of study/indices with a bootstrap stream keyed by (seed, point, metric).
 * Invariant: points are independent (OpenMP over points); each writes only its own cells. */
#include "study/sensitivity.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "study/indices.h"

static const struct {
  size_t n, primary;
  bool metric_units;
  const char *names[SENSITIVITY_MAX_INDEX], *long_names[SENSITIVITY_MAX_INDEX];
  const char *text;
} METHODS[] = {
    [SC_SENS_PRCC] = {1,
                      0,
                      false,
                      {"prcc"},
                      {"partial rank correlation coefficient of the input with the metric"},
                      "partial rank correlation (PRCC, Marino et al. 2008): the correlation of the ranks of the input "
                      "and the metric once the ranks of the other inputs are regressed out, so a chance correlation "
                      "between inputs does not pass one input's effect to another; -1 to 1, monotone effects only"},
    [SC_SENS_SOBOL] = {2,
                       1,
                       false,
                       {"first_order", "total"},
                       {"first-order Sobol index: share of the variance explained by the input alone",
                        "total Sobol index: share of the variance the input is involved in, interactions included"},
                       "variance-based Sobol indices from Saltelli's A, B and AB_i blocks (N(k+2) runs; A and AB_i of "
                       "a row share their traffic), first-order by Saltelli's and total by Jansen's estimator "
                       "(Saltelli et al. 2010, Comput. Phys. Commun. 181:259, Table 2 (b), (f)); the verdict is the "
                       "total index"},
    [SC_SENS_MORRIS] = {3,
                        0,
                        true,
                        {"mu_star", "mu", "sigma"},
                        {"Morris mu*: mean absolute elementary effect (metric change per unit input quantile)",
                         "Morris mu: mean elementary effect (signed; cancels for non-monotone effects)",
                         "Morris sigma: sd of the elementary effects (interactions or non-linearity)"},
                        "Morris elementary effects (Campolongo et al. 2007) on r trajectories of k + 1 runs over a "
                        "4-level grid of quantiles (1/8, 3/8, 5/8, 7/8), each step moving one input by half its "
                        "range, with the trajectory's traffic; the verdict is mu*"},
};

size_t sensitivity_n_index(int method) { return METHODS[method].n; }
const char *sensitivity_index_name(int method, size_t x) { return METHODS[method].names[x]; }
const char *sensitivity_index_long_name(int method, size_t x) { return METHODS[method].long_names[x]; }
size_t sensitivity_primary(int method) { return METHODS[method].primary; }
bool sensitivity_in_metric_units(int method) { return METHODS[method].metric_units; }
const char *sensitivity_method_text(int method) { return METHODS[method].text; }

void sensitivity_free(sensitivity *s) {
  free(s->est), free(s->lo), free(s->hi), free(s->n_used);
  memset(s, 0, sizeof *s);
}

int sensitivity_detected(const sensitivity *s, size_t point, size_t input, size_t x) {
  size_t c = sensitivity_at(s, point, input, x);
  if (isnan(s->lo[c]) || isnan(s->hi[c])) return -1;
  return s->lo[c] > 0 || s->hi[c] < 0;
}

/* ---- rows of one point ---- */

typedef struct {
  const study *st;
  result_metric m;
  size_t p;
  bool no_latency; /* a latency metric at a point where most replicates saturated */
} point_rows;

/* The metric at replicate r of the point, NAN where the summary would leave it out. */
static double metric_at(const point_rows *pr, size_t r) {
  const sim_result *res = &pr->st->res[pr->p * pr->st->n_reps + r];
  if (result_is_latency(pr->m) && (pr->no_latency || res->v[RM_saturated] > 0.5)) return NAN;
  return res->v[pr->m];
}

static double input_at(const point_rows *pr, size_t i, size_t r) {
  return pr->st->inputs[i].value[pr->p * pr->st->n_reps + r];
}

static bool prcc_point(const point_rows *pr, gsl_rng *g, double *est, double *lo, double *hi, double *n_used) {
  const study *st = pr->st;
  size_t R = st->n_reps, k = st->n_inputs, n = 0;
  double *x = malloc((R * k + 1) * sizeof *x), *y = malloc((R + 1) * sizeof *y);
  if (!x || !y) return free(x), free(y), false;
  for (size_t r = 0; r < R; r++) {
    bool finite = isfinite(y[n] = metric_at(pr, r));
    for (size_t i = 0; i < k; i++) finite &= isfinite(x[n * k + i] = input_at(pr, i, r));
    n += finite && design_independent(&st->design, r);
  }
  *n_used = (double)n;
  bool ok = indices_prcc_ci(x, y, n, k, st->design.bootstrap, g, est, lo, hi);
  free(x), free(y);
  return ok;
}

static bool sobol_point(const point_rows *pr, gsl_rng *g, double *est, double *lo, double *hi, double *n_used) {
  size_t N = pr->st->design.samples, k = pr->st->n_inputs, n = 0;
  double *buf = malloc(((k + 2) * N + 1) * sizeof *buf);
  if (!buf) return false;
  double *fa = buf, *fb = fa + N, *fab = fb + N;
  for (size_t j = 0; j < N; j++) { /* rows with a value in every block; columns compacted below */
    bool finite = isfinite(fa[n] = metric_at(pr, j)) && isfinite(fb[n] = metric_at(pr, N + j));
    for (size_t i = 0; i < k; i++) finite &= isfinite(fab[i * N + n] = metric_at(pr, (2 + i) * N + j));
    n += finite;
  }
  for (size_t i = 1; i < k; i++) memmove(&fab[i * n], &fab[i * N], n * sizeof *fab);
  *n_used = (double)n;
  bool ok = indices_sobol_ci(fa, fb, fab, n, k, pr->st->design.bootstrap, g, est, lo, hi);
  free(buf);
  return ok;
}

/* Elementary effects of trajectory t: each step moves one input (the one whose quantile changed). */
static void trajectory_effects(const point_rows *pr, size_t t, double *ee) {
  const study_design *d = &pr->st->design;
  size_t k = d->n_inputs, R = d->n_reps, r0 = t * (k + 1);
  for (size_t i = 0; i < k; i++) ee[i] = NAN;
  for (size_t s = 1; s <= k; s++)
    for (size_t i = 0; i < k; i++) {
      double du = d->unit[i * R + r0 + s] - d->unit[i * R + r0 + s - 1];
      if (du != 0) ee[i] = (metric_at(pr, r0 + s) - metric_at(pr, r0 + s - 1)) / du;
    }
}

static bool morris_point(const point_rows *pr, gsl_rng *g, double *est, double *lo, double *hi, double *n_used) {
  size_t r = pr->st->design.samples, k = pr->st->n_inputs, full = 0;
  double *ee = malloc((r * k + 1) * sizeof *ee);
  if (!ee) return false;
  for (size_t t = 0; t < r; t++) {
    bool finite = true;
    trajectory_effects(pr, t, &ee[t * k]);
    for (size_t i = 0; i < k; i++) finite &= isfinite(ee[t * k + i]);
    full += finite;
  }
  *n_used = (double)full;
  bool ok = indices_morris_ci(ee, r, k, pr->st->design.bootstrap, g, est, lo, hi);
  free(ee);
  return ok;
}

typedef bool (*point_fn)(const point_rows *pr, gsl_rng *g, double *est, double *lo, double *hi, double *n_used);
static const point_fn POINT[] = {
    [SC_SENS_PRCC] = prcc_point, [SC_SENS_SOBOL] = sobol_point, [SC_SENS_MORRIS] = morris_point};

static bool point_no_latency(const study *st, size_t p) {
  double sat = 0;
  for (size_t r = 0; r < st->n_reps; r++)
    sat += design_independent(&st->design, r) && st->res[p * st->n_reps + r].v[RM_saturated] > 0.5;
  return 2 * sat > study_summary_reps(st);
}

ss_status sensitivity_compute(const study *st, result_metric m, sensitivity *s, ss_err *err) {
  size_t P = st->n_points, I = st->n_inputs;
  int method = st->design.method;
  memset(s, 0, sizeof *s);
  if (st->task_lo != 0 || st->task_hi != study_tasks(st))
    return ss_errorf(err, SS_EDATA,
                     "sensitivity needs a whole study, not a shard (join the parts with servesim merge)");
  s->metric = m, s->method = method, s->n_points = P, s->n_inputs = I, s->n_index = METHODS[method].n;
  size_t cells = P * I * s->n_index + 1;
  s->est = malloc(cells * sizeof *s->est), s->lo = malloc(cells * sizeof *s->lo);
  s->hi = malloc(cells * sizeof *s->hi), s->n_used = malloc((P + 1) * sizeof *s->n_used);
  int failed = !s->est || !s->lo || !s->hi || !s->n_used;
#pragma omp parallel for schedule(dynamic)
  for (size_t p = 0; p < P; p++) {
    int stop;
#pragma omp atomic read
    stop = failed;
    if (stop) continue;
    point_rows pr = {st, m, p, result_is_latency(m) && point_no_latency(st, p)};
    size_t c = sensitivity_at(s, p, 0, 0);
    gsl_rng *g = rng_stream(rng_key(st->seed, p, (uint64_t)m), RNG_BOOTSTRAP);
    bool ok = g && POINT[method](&pr, g, &s->est[c], &s->lo[c], &s->hi[c], &s->n_used[p]);
    if (g) gsl_rng_free(g);
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
  }
  if (failed) {
    sensitivity_free(s);
    return ss_errorf(err, SS_ENOMEM, "sensitivity: out of memory for %zu points x %zu inputs", P, I);
  }
  return SS_OK;
}

void sensitivity_order(const sensitivity *s, size_t point, size_t *order) {
  size_t n = s->n_inputs, x = METHODS[s->method].primary;
  double key[SC_MAX_UNCERTAIN];
  for (size_t i = 0; i < n && i < SC_MAX_UNCERTAIN; i++) {
    double w = fabs(s->est[sensitivity_at(s, point, i, x)]);
    key[i] = isnan(w) ? -1 : w; /* NAN last */
    order[i] = i;
  }
  for (size_t i = 1; i < n && i < SC_MAX_UNCERTAIN; i++) /* insertion sort, stable: ties keep input order */
    for (size_t j = i; j > 0 && key[order[j - 1]] < key[order[j]]; j--) {
      size_t t = order[j];
      order[j] = order[j - 1], order[j - 1] = t;
    }
}
