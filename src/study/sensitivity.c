/* sensitivity.c: tornado table (rank-quantile regression, see sensitivity.h) and Spearman rank
 * correlations of each uncertain input against each analysed output, per sweep point.
 * Invariant: a cell uses exactly the replicates where input and output are finite (and, for
 * latency outputs, the replicate is not saturated); everything is serial and in replicate order. */
#include "study/sensitivity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  result_metric m;
  bool skip_saturated;
} OUTPUTS[] = {
#define X(m, skip) {RM_##m, skip},
    SENSITIVITY_OUTPUTS(X)
#undef X
};

const char sensitivity_method[] =
    "per sweep point, one input at a time: least-squares line of the output on the input's rank quantile "
    "u = (rank - 0.5)/n, evaluated at u = 0.1 (low, the input's p10) and u = 0.9 (high, its p90); "
    "Spearman rho = Pearson correlation of average ranks; latency outputs leave out saturated replicates";

result_metric sensitivity_output(size_t o) { return OUTPUTS[o].m; }
bool sensitivity_skips_saturated(size_t o) { return OUTPUTS[o].skip_saturated; }

typedef struct {
  double v;
  size_t i;
} keyed;

static int keyed_cmp(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

bool sensitivity_rank(const double *x, size_t n, double *rank) {
  keyed *k = malloc((n ? n : 1) * sizeof *k);
  if (!k) return false;
  for (size_t i = 0; i < n; i++) k[i] = (keyed){x[i], i};
  qsort(k, n, sizeof *k, keyed_cmp);
  for (size_t lo = 0, hi; lo < n; lo = hi) {
    for (hi = lo + 1; hi < n && k[hi].v == k[lo].v; hi++) {}
    double mean_rank = 0.5 * (double)(lo + 1 + hi); /* ranks lo+1 .. hi */
    for (size_t j = lo; j < hi; j++) rank[k[j].i] = mean_rank;
  }
  free(k);
  return true;
}

/* Pearson's correlation, or NAN when either side has no spread. */
static double pearson(const double *x, const double *y, size_t n) {
  double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < n; i++) mx += x[i], my += y[i];
  mx /= (double)n, my /= (double)n;
  for (size_t i = 0; i < n; i++) {
    double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx, syy += dy * dy, sxy += dx * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

double sensitivity_spearman(const double *x, const double *y, size_t n) {
  double *r = malloc((n ? 2 * n : 1) * sizeof *r), rho = NAN;
  if (n >= 2 && r && sensitivity_rank(x, n, r) && sensitivity_rank(y, n, r + n)) rho = pearson(r, r + n, n);
  free(r);
  return rho;
}

void sensitivity_tornado(const double *x, const double *y, size_t n, sensitivity_cell *c) {
  *c = (sensitivity_cell){NAN, NAN, NAN, NAN, NAN, n};
  double *u = n >= SENSITIVITY_MIN_N ? malloc(n * sizeof *u) : NULL;
  if (!u || !sensitivity_rank(x, n, u)) goto done;
  double mu = 0, my = 0, suu = 0, suy = 0;
  for (size_t i = 0; i < n; i++) u[i] = (u[i] - 0.5) / (double)n, mu += u[i], my += y[i];
  mu /= (double)n, my /= (double)n;
  for (size_t i = 0; i < n; i++) suu += (u[i] - mu) * (u[i] - mu), suy += (u[i] - mu) * (y[i] - my);
  double slope = suu > 0 ? suy / suu : 0; /* a constant input moves nothing */
  double lo = y[0], hi = y[0];
  for (size_t i = 1; i < n; i++) lo = fmin(lo, y[i]), hi = fmax(hi, y[i]);
  c->base = my;
  /* the line is read inside the data: with few replicates it could otherwise leave the observed
   * range (a negative latency, say) */
  c->low = fmin(fmax(my + slope * (SENSITIVITY_P_LOW - mu), lo), hi);
  c->high = fmin(fmax(my + slope * (SENSITIVITY_P_HIGH - mu), lo), hi);
  c->swing = fabs(c->high - c->low);
  c->spearman = sensitivity_spearman(x, y, n);
done:
  free(u);
}

void sensitivity_free(sensitivity *s) {
  free(s->cell);
  s->cell = NULL;
}

ss_status sensitivity_compute(const study *st, sensitivity *s, ss_err *err) {
  size_t P = st->n_points, R = st->n_reps, I = st->n_inputs;
  memset(s, 0, sizeof *s);
  if (st->task_lo != 0 || st->task_hi != study_tasks(st))
    return ss_errorf(err, SS_EDATA,
                     "sensitivity needs a whole study, not a shard (join the parts with servesim merge)");
  s->n_points = P, s->n_inputs = I;
  for (size_t i = 0; i < I; i++) {
    snprintf(s->input_key[i], STUDY_KEY_LEN, "%s", st->inputs[i].key);
    snprintf(s->input_units[i], STUDY_UNITS_LEN, "%s", st->inputs[i].units);
  }
  size_t n_cells = (size_t)SENSITIVITY_N_OUTPUTS * P * I;
  s->cell = malloc((n_cells ? n_cells : 1) * sizeof *s->cell);
  double *x = malloc((R ? 2 * R : 1) * sizeof *x), *y = x ? x + R : NULL;
  if (!s->cell || !x) {
    free(x), sensitivity_free(s);
    return ss_errorf(err, SS_ENOMEM, "sensitivity: out of memory for %zu points x %zu inputs", P, I);
  }
  for (size_t o = 0; o < SENSITIVITY_N_OUTPUTS; o++)
    for (size_t p = 0; p < P; p++)
      for (size_t i = 0; i < I; i++) {
        size_t n = 0;
        for (size_t r = 0; r < R; r++) {
          size_t t = p * R + r;
          double xv = st->inputs[i].value[t], yv = st->res[t].v[OUTPUTS[o].m];
          if (OUTPUTS[o].skip_saturated && st->res[t].v[RM_saturated] > 0.5) continue;
          if (isfinite(xv) && isfinite(yv)) x[n] = xv, y[n] = yv, n++;
        }
        sensitivity_tornado(x, y, n, sensitivity_at(s, o, p, i));
      }
  free(x);
  return SS_OK;
}

void sensitivity_order(const sensitivity *s, size_t o, size_t point, size_t *order) {
  keyed *k = malloc((s->n_inputs ? s->n_inputs : 1) * sizeof *k);
  for (size_t i = 0; i < s->n_inputs; i++) order[i] = i;
  if (!k) return; /* unsorted, still a permutation */
  for (size_t i = 0; i < s->n_inputs; i++) {
    double w = sensitivity_at(s, o, point, i)->swing;
    k[i] = (keyed){isnan(w) ? INFINITY : -w, i}; /* ascending -swing = largest first, NAN last */
  }
  qsort(k, s->n_inputs, sizeof *k, keyed_cmp);
  for (size_t i = 0; i < s->n_inputs; i++) order[i] = k[i].i;
  free(k);
}
