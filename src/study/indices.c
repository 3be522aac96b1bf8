/* indices.c: PRCC, Jansen's Sobol estimators and Morris statistics on arrays, and their percentile
 * bootstraps (rows, or trajectories, resampled with replacement from the generator given).
 * Invariant: an estimate is computed from exactly the values passed, in their order; resample b uses
 * the b-th draws of the generator, so the same generator state gives the same intervals. */
#include "study/indices.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- ranks ---- */

typedef struct {
  double v;
  size_t i;
} keyed;

static int keyed_cmp(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

bool indices_rank(const double *x, size_t n, double *rank) {
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

/* ---- PRCC ---- */

static bool varies(const double *x, size_t n) {
  for (size_t j = 1; j < n; j++)
    if (x[j] != x[0]) return true;
  return false;
}

static double pearson(const double *a, const double *b, size_t n) {
  double ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
  for (size_t j = 0; j < n; j++) ma += a[j], mb += b[j];
  ma /= (double)n, mb /= (double)n;
  for (size_t j = 0; j < n; j++) {
    double da = a[j] - ma, db = b[j] - mb;
    saa += da * da, sbb += db * db, sab += da * db;
  }
  return sab / sqrt(saa * sbb);
}

double indices_spearman(const double *a, const double *b, size_t n) {
  double *r = malloc((2 * n + 1) * sizeof *r), rho = NAN;
  if (r && n >= 2 && indices_rank(a, n, r) && indices_rank(b, n, r + n) && varies(r, n) && varies(r + n, n))
    rho = pearson(r, r + n, n);
  free(r);
  return rho;
}

/* PRCC works on row counts: a row drawn c times counts c times (the point estimate counts every row
 * once; a bootstrap resample counts the draws). Each column is sorted once; a resample's average
 * ranks are then a walk through that order, and its rank correlations weighted sums over the rows,
 * so no resample copies or sorts anything. */
typedef struct {
  size_t n, k;
  double *val;     /* [k + 1][n]: the inputs' columns, then y */
  size_t *order;   /* [k + 1][n]: each column's rows in ascending order of value */
  double *rank;    /* [k + 1][n]: each row's average rank in the current counts */
  unsigned *count; /* [n] */
  gsl_matrix *corr[64];
} prcc_work;

static void prcc_work_free(prcc_work *w) {
  free(w->val), free(w->order), free(w->rank), free(w->count);
  for (size_t m = 0; m < 64; m++)
    if (w->corr[m]) gsl_matrix_free(w->corr[m]);
}

static bool prcc_work_init(prcc_work *w, const double *x, const double *y, size_t n, size_t k) {
  size_t cols = k + 1;
  memset(w, 0, sizeof *w);
  w->n = n, w->k = k;
  w->val = malloc((cols * n + 1) * sizeof *w->val), w->rank = malloc((cols * n + 1) * sizeof *w->rank);
  w->order = malloc((cols * n + 1) * sizeof *w->order), w->count = malloc((n + 1) * sizeof *w->count);
  if (k >= 63 || !w->val || !w->rank || !w->order || !w->count) return prcc_work_free(w), false;
  for (size_t j = 0; j < n; j++) {
    for (size_t i = 0; i < k; i++) w->val[i * n + j] = x[j * k + i];
    w->val[k * n + j] = y[j], w->count[j] = 1;
  }
  for (size_t c = 0; c < cols; c++) gsl_sort_index(&w->order[c * n], &w->val[c * n], 1, n);
  return true;
}

/* Average ranks of column c under the current counts (rows counted 0 times get none). */
static void count_ranks(prcc_work *w, size_t c) {
  const size_t *order = &w->order[c * w->n];
  const double *v = &w->val[c * w->n];
  double *rank = &w->rank[c * w->n], pos = 0;
  for (size_t lo = 0, hi; lo < w->n; lo = hi) {
    double tied = 0;
    for (hi = lo; hi < w->n && v[order[hi]] == v[order[lo]]; hi++) tied += w->count[order[hi]];
    for (size_t j = lo; j < hi; j++) rank[order[j]] = pos + (tied + 1) / 2; /* ranks pos+1 .. pos+tied */
    pos += tied;
  }
}

/* Counted covariance of the ranks of columns a and b (means ma, mb). */
static double counted_cov(const prcc_work *w, size_t a, size_t b, double ma, double mb) {
  double s = 0;
  for (size_t j = 0; j < w->n; j++)
    if (w->count[j]) s += w->count[j] * (w->rank[a * w->n + j] - ma) * (w->rank[b * w->n + j] - mb);
  return s;
}

/* PRCC of every input under the current counts; columns without spread are NAN and left out. */
static void prcc_counted(prcc_work *w, double *prcc) {
  size_t k = w->k, act[64], m = 0, total = 0;
  double mean[64], var[64];
  for (size_t j = 0; j < w->n; j++) total += w->count[j];
  for (size_t i = 0; i < k; i++) prcc[i] = NAN;
  for (size_t c = 0; c <= k; c++) {
    count_ranks(w, c);
    mean[c] = ((double)total + 1) / 2; /* average ranks always average (N + 1) / 2 */
    var[c] = counted_cov(w, c, c, mean[c], mean[c]);
    if (c < k && var[c] > 0) act[m++] = c;
  }
  if (!m || total < m + 3 || !(var[k] > 0)) return;
  act[m] = k;
  gsl_matrix *cr = w->corr[m + 1];
  if (!cr && !(cr = w->corr[m + 1] = gsl_matrix_alloc(m + 1, m + 1))) return;
  for (size_t a = 0; a <= m; a++)
    for (size_t b = 0; b <= a; b++) {
      double r =
          a == b ? 1 : counted_cov(w, act[a], act[b], mean[act[a]], mean[act[b]]) / sqrt(var[act[a]] * var[act[b]]);
      gsl_matrix_set(cr, a, b, r), gsl_matrix_set(cr, b, a, r);
    }
  size_t exact = 0;
  double r_y[64];
  for (size_t a = 0; a < m; a++) r_y[a] = gsl_matrix_get(cr, a, m), exact += fabs(r_y[a]) >= 1 - 1e-12;
  if (exact) {
    /* the metric's ranks are those of one input: that input's partial correlation is +-1, and no
     * variation is left for the others to explain (their partial correlation is 0) */
    for (size_t a = 0; a < m; a++) prcc[act[a]] = fabs(r_y[a]) >= 1 - 1e-12 ? (r_y[a] > 0 ? 1 : -1) : 0;
  } else if (gsl_linalg_cholesky_decomp1(cr) == 0 && gsl_linalg_cholesky_invert(cr) == 0) {
    /* P = C^-1: PRCC_i = -P_iy / sqrt(P_ii P_yy) */
    for (size_t a = 0; a < m; a++) {
      double v = -gsl_matrix_get(cr, a, m) / sqrt(gsl_matrix_get(cr, a, a) * gsl_matrix_get(cr, m, m));
      prcc[act[a]] = fmax(-1, fmin(1, v));
    }
  }
}

bool indices_prcc(const double *x, const double *y, size_t n, size_t k, double *prcc) {
  prcc_work w;
  if (!prcc_work_init(&w, x, y, n, k)) return false;
  prcc_counted(&w, prcc);
  prcc_work_free(&w);
  return true;
}

/* ---- Sobol (Jansen) ---- */

void indices_sobol(const double *fa, const double *fb, const double *fab, size_t n, size_t k, double *first,
                   double *total) {
  for (size_t i = 0; i < k; i++) first[i] = total[i] = NAN;
  if (n < 2) return;
  double mean = 0, v = 0;
  for (size_t j = 0; j < n; j++) mean += fa[j] + fb[j];
  mean /= (double)(2 * n);
  for (size_t j = 0; j < n; j++) v += (fa[j] - mean) * (fa[j] - mean) + (fb[j] - mean) * (fb[j] - mean);
  v /= (double)(2 * n - 1);
  if (!(v > 0)) return;
  for (size_t i = 0; i < k; i++) {
    double s1 = 0, sa = 0;
    for (size_t j = 0; j < n; j++) {
      double da = fab[i * n + j] - fa[j];
      s1 += (fb[j] - mean) * da, sa += da * da;
    }
    first[i] = s1 / (double)n / v;
    total[i] = sa / (double)(2 * n) / v;
  }
}

/* ---- Morris ---- */

void indices_morris(const double *ee, size_t r, size_t k, double *mu_star, double *mu, double *sigma) {
  for (size_t i = 0; i < k; i++) {
    double s = 0, sabs = 0, ss = 0;
    size_t m = 0;
    for (size_t t = 0; t < r; t++) {
      double e = ee[t * k + i];
      if (isnan(e)) continue;
      s += e, sabs += fabs(e), m++;
    }
    mu_star[i] = mu[i] = sigma[i] = NAN;
    if (m < 2) continue;
    mu_star[i] = sabs / (double)m, mu[i] = s / (double)m;
    for (size_t t = 0; t < r; t++)
      if (!isnan(ee[t * k + i])) ss += (ee[t * k + i] - mu[i]) * (ee[t * k + i] - mu[i]);
    sigma[i] = sqrt(ss / (double)(m - 1));
  }
}

/* ---- bootstrap ---- */

void indices_percentile_ci(double *v, size_t b, double *lo, double *hi) {
  size_t m = 0;
  for (size_t i = 0; i < b; i++)
    if (isfinite(v[i])) v[m++] = v[i];
  *lo = *hi = NAN;
  if (m == 0 || 2 * m < b) return;
  gsl_sort(v, 1, m);
  *lo = gsl_stats_quantile_from_sorted_data(v, 1, m, (1 - INDICES_CI_LEVEL) / 2);
  *hi = gsl_stats_quantile_from_sorted_data(v, 1, m, (1 + INDICES_CI_LEVEL) / 2);
}

/* The CIs of n_idx indices per input from boot[(i * n_idx + x) * n_boot + b]. */
static void finish_ci(double *boot, size_t k, size_t n_idx, size_t n_boot, double *lo, double *hi) {
  for (size_t c = 0; c < k * n_idx; c++) {
    lo[c] = hi[c] = NAN;
    if (n_boot) indices_percentile_ci(&boot[c * n_boot], n_boot, &lo[c], &hi[c]);
  }
}

static void draw_rows(gsl_rng *g, size_t n, size_t *idx) {
  for (size_t j = 0; j < n; j++) idx[j] = gsl_rng_uniform_int(g, n);
}

bool indices_prcc_ci(const double *x, const double *y, size_t n, size_t k, size_t n_boot, gsl_rng *g, double *est,
                     double *lo, double *hi) {
  prcc_work w;
  double *boot = malloc((k * n_boot + 1) * sizeof *boot), v[64];
  bool any = false;
  if (!boot || !prcc_work_init(&w, x, y, n, k)) return free(boot), false;
  prcc_counted(&w, est);
  for (size_t i = 0; i < k; i++) any |= !isnan(est[i]);
  for (size_t b = 0; any && b < n_boot; b++) { /* nothing to resample when no index is defined */
    memset(w.count, 0, n * sizeof *w.count);
    for (size_t j = 0; j < n; j++) w.count[gsl_rng_uniform_int(g, n)]++;
    prcc_counted(&w, v);
    for (size_t i = 0; i < k; i++) boot[i * n_boot + b] = v[i];
  }
  finish_ci(boot, k, 1, any ? n_boot : 0, lo, hi);
  prcc_work_free(&w);
  free(boot);
  return true;
}

bool indices_sobol_ci(const double *fa, const double *fb, const double *fab, size_t n, size_t k, size_t n_boot,
                      gsl_rng *g, double *est, double *lo, double *hi) {
  double *buf = malloc(((k + 2) * n + 2 * k * (n_boot + 1) + 1) * sizeof *buf);
  size_t *idx = malloc((n + 1) * sizeof *idx);
  if (!buf || !idx) return free(buf), free(idx), false;
  double *a = buf, *b = a + n, *ab = b + n, *first = ab + k * n, *total = first + k, *boot = total + k;
  indices_sobol(fa, fb, fab, n, k, first, total);
  for (size_t i = 0; i < k; i++) est[2 * i] = first[i], est[2 * i + 1] = total[i];
  for (size_t r = 0; r < n_boot; r++) {
    draw_rows(g, n, idx);
    for (size_t j = 0; j < n; j++) {
      a[j] = fa[idx[j]], b[j] = fb[idx[j]];
      for (size_t i = 0; i < k; i++) ab[i * n + j] = fab[i * n + idx[j]];
    }
    indices_sobol(a, b, ab, n, k, first, total);
    for (size_t i = 0; i < k; i++) boot[(2 * i) * n_boot + r] = first[i], boot[(2 * i + 1) * n_boot + r] = total[i];
  }
  finish_ci(boot, k, 2, n_boot, lo, hi);
  free(buf), free(idx);
  return true;
}

bool indices_morris_ci(const double *ee, size_t r, size_t k, size_t n_boot, gsl_rng *g, double *est, double *lo,
                       double *hi) {
  double *eb = malloc((r * k + 3 * k * (n_boot + 1) + 1) * sizeof *eb);
  size_t *idx = malloc((r + 1) * sizeof *idx);
  if (!eb || !idx) return free(eb), free(idx), false;
  double *stat = eb + r * k, *boot = stat + 3 * k;
  indices_morris(ee, r, k, stat, stat + k, stat + 2 * k);
  for (size_t i = 0; i < k; i++)
    for (size_t x = 0; x < 3; x++) est[3 * i + x] = stat[x * k + i];
  for (size_t b = 0; b < n_boot; b++) {
    draw_rows(g, r, idx);
    for (size_t t = 0; t < r; t++) memcpy(&eb[t * k], &ee[idx[t] * k], k * sizeof *ee);
    indices_morris(eb, r, k, stat, stat + k, stat + 2 * k);
    for (size_t i = 0; i < k; i++)
      for (size_t x = 0; x < 3; x++) boot[(3 * i + x) * n_boot + b] = stat[x * k + i];
  }
  finish_ci(boot, k, 3, n_boot, lo, hi);
  free(eb), free(idx);
  return true;
}
