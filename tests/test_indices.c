/* test_indices.c: the sensitivity estimators against functions whose indices are known: Ishigami
 * (a = 7, b = 0.1) and Sobol's g-function, whose first-order and total Sobol indices are analytic
 * (Saltelli et al. 2008, "Global Sensitivity Analysis: The Primer", sections 4.9 and 3.6), must lie
 * inside the bootstrap CIs, which must be narrow enough to mean something; PRCC equals the correlation
 * of rank residuals and does not pass an input's effect to a correlated inert one; Morris statistics
 * of a linear, an inert and a symmetric input are what the grid gives. No simulator involved. */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/rng.h"
#include "check.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "study/design.h"
#include "study/indices.h"

enum { BOOT = 300 };
static const double PI = 3.14159265358979323846;

/* A 95% CI misses the truth one time in twenty, so a test of many indices counts the misses (at most
 * a tenth of the intervals) and requires every truth within the interval widened to 99.9% (1.68 x the
 * half-widths about the estimate): robust to the luck of one seed, and still a sharp check. */
typedef struct {
  size_t n, missed;
} coverage;

static void check_index(coverage *cv, const char *what, double truth, const double *est, const double *lo,
                        const double *hi, size_t c, double max_width) {
  bool inside = lo[c] <= truth && truth <= hi[c];
  double wide = 3.29 / 1.96; /* z(0.9995) / z(0.975) */
  cv->n++, cv->missed += !inside;
  check_msg(truth >= est[c] - wide * (est[c] - lo[c]) && truth <= est[c] + wide * (hi[c] - est[c]),
            "%s: analytic %.4f far outside the CI [%.4f, %.4f] (estimate %.4f)", what, truth, lo[c], hi[c], est[c]);
  check_msg(hi[c] - lo[c] < max_width, "%s: CI [%.4f, %.4f] wider than %.2f", what, lo[c], hi[c], max_width);
  if (!inside) print_message("note: %s: analytic %.4f outside the 95%% CI [%.4f, %.4f]\n", what, truth, lo[c], hi[c]);
}

static void check_coverage(const coverage *cv) {
  check_min_cases(cv->n, 6);
  check_msg(10 * cv->missed <= cv->n, "%zu of %zu 95%% CIs miss the analytic value", cv->missed, cv->n);
}

/* ---- Ishigami, through a Saltelli design of servesim's own ---- */

/* Three uniform inputs (only their quantiles are used here) under a Sobol or Morris design. */
#define THREE_INPUTS(method, samples)                                                  \
  "name: " method "\nseed: 3\ndeployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b}\n" \
  "uncertain:\n  efficiency.hbm: {dist: uniform, min: 0.5, max: 0.9}\n"                \
  "  efficiency.compute: {dist: uniform, min: 0.5, max: 0.9}\n"                        \
  "  pricing.usd_per_kwh: {dist: uniform, min: 0.1, max: 0.2}\n"                       \
  "sensitivity: {method: " method ", samples: " samples "}\n"

/* The design of a scenario text (its own replicate count). */
static void load_design(const char *name, const char *yaml, study_design *d) {
  hwdb db;
  study_spec *spec = malloc(sizeof *spec);
  ss_err err = {{0}};
  if (hwdb_load(TEST_HWDB, &db, &err) || scenario_load_string(name, yaml, NULL, 0, &db, spec, &err) ||
      design_build(spec, spec->base.replicates, 0, d, &err))
    fail_msg("%s", err.msg);
  scenario_free(spec);
  hwdb_free(&db);
  free(spec);
}

static double ishigami(const double *x) {
  const double a = 7, b = 0.1;
  return sin(x[0]) + a * sin(x[1]) * sin(x[1]) + b * pow(x[2], 4) * sin(x[0]);
}

static void test_ishigami_indices_lie_in_their_bootstrap_cis(void **state) {
  (void)state;
  enum { N = 4096, K = 3 };
  study_design d;
  load_design("ishigami", THREE_INPUTS("sobol", "4096"), &d);
  assert_int_equal(d.n_reps, N * (K + 2));
  /* the design's quantiles, mapped to x ~ U(-pi, pi)^3, evaluated in its A, B and AB_i blocks */
  double *f = malloc(N * (K + 2) * sizeof *f), x[K], est[2 * K], lo[2 * K], hi[2 * K];
  for (size_t r = 0; r < d.n_reps; r++) {
    for (size_t i = 0; i < K; i++) x[i] = -PI + 2 * PI * d.unit[i * d.n_reps + r];
    f[r] = ishigami(x);
  }
  gsl_rng *g = rng_stream(rng_key(1, 0, 0), RNG_BOOTSTRAP);
  assert_true(indices_sobol_ci(f, f + N, f + 2 * N, N, K, BOOT, g, est, lo, hi));
  const double a = 7, b = 0.1, pi4 = pow(PI, 4), pi8 = pow(PI, 8);
  const double v = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5, v1 = 0.5 * pow(1 + b * pi4 / 5, 2);
  const double v2 = a * a / 8, v13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
  const double first[K] = {v1 / v, v2 / v, 0}, total[K] = {(v1 + v13) / v, v2 / v, v13 / v};
  coverage cv = {0, 0};
  for (size_t i = 0; i < K; i++) {
    char what[64];
    snprintf(what, sizeof what, "Ishigami S%zu", i + 1);
    check_index(&cv, what, first[i], est, lo, hi, 2 * i, 0.1);
    snprintf(what, sizeof what, "Ishigami ST%zu", i + 1);
    check_index(&cv, what, total[i], est, lo, hi, 2 * i + 1, 0.1);
  }
  check_coverage(&cv);
  check_msg(lo[4] <= 0 && hi[4] >= 0,
            "x3 acts only through its interaction with x1: its first-order CI must include 0");
  check_gt(lo[5], 0); /* and its total index is detected */
  gsl_rng_free(g);
  free(f);
  design_free(&d);
}

/* ---- Sobol's g-function, on a plain-MC and a Latin-hypercube Saltelli design ---- */

static void test_g_function_indices_lie_in_their_bootstrap_cis(void **state) {
  (void)state;
  enum { N = 2048, K = 6 };
  const double a[K] = {0, 1, 4.5, 9, 99, 99};
  const int kinds[] = {SC_DESIGN_RANDOM, SC_DESIGN_LHS};
  double vi[K], prod = 1, first[K], total[K];
  for (size_t i = 0; i < K; i++) vi[i] = 1 / (3 * (1 + a[i]) * (1 + a[i])), prod *= 1 + vi[i];
  for (size_t i = 0; i < K; i++) first[i] = vi[i] / (prod - 1), total[i] = vi[i] * prod / (1 + vi[i]) / (prod - 1);
  double *u = malloc(N * 2 * K * sizeof *u), *f = malloc(N * (K + 2) * sizeof *f), est[2 * K], lo[2 * K], hi[2 * K];
  ss_err err = {{0}};
  coverage cv = {0, 0};
  for (size_t k = 0; k < 2; k++) {
    assert_int_equal(design_unit(kinds[k], 17 + k, N, 2 * K, 0, u, &err), SS_OK);
    for (size_t role = 0; role < K + 2; role++)
      for (size_t j = 0; j < N; j++) {
        double g = 1;
        for (size_t i = 0; i < K; i++) {
          bool from_b = role == 1 || role == 2 + i;
          double x = u[j * 2 * K + i + (from_b ? K : 0)];
          g *= (fabs(4 * x - 2) + a[i]) / (1 + a[i]);
        }
        f[role * N + j] = g;
      }
    gsl_rng *r = rng_stream(rng_key(2, k, 0), RNG_BOOTSTRAP);
    assert_true(indices_sobol_ci(f, f + N, f + 2 * N, N, K, BOOT, r, est, lo, hi));
    gsl_rng_free(r);
    for (size_t i = 0; i < K; i++) {
      char what[64];
      snprintf(what, sizeof what, "design %d: g-function S%zu", kinds[k], i + 1);
      check_index(&cv, what, first[i], est, lo, hi, 2 * i, 0.15);
      snprintf(what, sizeof what, "design %d: g-function ST%zu", kinds[k], i + 1);
      check_index(&cv, what, total[i], est, lo, hi, 2 * i + 1, 0.15);
    }
  }
  check_coverage(&cv);
  free(u), free(f);
}

/* ---- PRCC ---- */

static double uniform(uint64_t *s) {
  *s = rng_splitmix64(*s);
  return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

/* Residuals of v on the columns of x (n x k) other than skip, by ordinary least squares (normal
 * equations, Gauss-Jordan): the textbook definition PRCC must agree with. */
static void residuals(const double *x, size_t n, size_t k, size_t skip, const double *v, double *res) {
  enum { MAXK = 8 };
  double a[MAXK][MAXK + 1] = {{0}};
  size_t cols[MAXK], m = 0;
  for (size_t i = 0; i < k; i++)
    if (i != skip) cols[m++] = i;
  for (size_t p = 0; p <= m; p++) /* column 0 is the intercept */
    for (size_t q = 0; q <= m + 1; q++)
      for (size_t j = 0; j < n; j++) {
        double xp = p ? x[j * k + cols[p - 1]] : 1, xq = q == m + 1 ? v[j] : q ? x[j * k + cols[q - 1]] : 1;
        a[p][q] += xp * xq;
      }
  for (size_t p = 0; p <= m; p++)
    for (size_t q = 0; q <= m; q++)
      if (q != p) {
        double f = a[q][p] / a[p][p];
        for (size_t c = 0; c <= m + 1; c++) a[q][c] -= f * a[p][c];
      }
  for (size_t j = 0; j < n; j++) {
    double fit = a[0][m + 1] / a[0][0];
    for (size_t p = 1; p <= m; p++) fit += a[p][m + 1] / a[p][p] * x[j * k + cols[p - 1]];
    res[j] = v[j] - fit;
  }
}

static void test_prcc_is_the_correlation_of_rank_residuals(void **state) {
  (void)state;
  enum { N = 60, K = 3 };
  double x[N * K], y[N], rx[N * K], ry[N], col[N], rk[N], prcc[K], e1[N], e2[N];
  uint64_t s = 9;
  for (size_t j = 0; j < N; j++) {
    for (size_t i = 0; i < K; i++) x[j * K + i] = uniform(&s);
    x[j * K + 2] = 0.5 * x[j * K] + 0.5 * x[j * K + 2]; /* correlated inputs */
    y[j] = exp(2 * x[j * K]) - 3 * x[j * K + 1] + 0.3 * uniform(&s);
  }
  assert_true(indices_prcc(x, y, N, K, prcc));
  for (size_t i = 0; i < K; i++) {
    for (size_t j = 0; j < N; j++) col[j] = x[j * K + i];
    indices_rank(col, N, rk);
    for (size_t j = 0; j < N; j++) rx[j * K + i] = rk[j];
  }
  indices_rank(y, N, ry);
  for (size_t i = 0; i < K; i++) {
    for (size_t j = 0; j < N; j++) col[j] = rx[j * K + i];
    residuals(rx, N, K, i, col, e1);
    residuals(rx, N, K, i, ry, e2);
    double s11 = 0, s22 = 0, s12 = 0;
    for (size_t j = 0; j < N; j++) s11 += e1[j] * e1[j], s22 += e2[j] * e2[j], s12 += e1[j] * e2[j];
    check_near(prcc[i], s12 / sqrt(s11 * s22), 1e-10);
  }
}

/* The confounding of issue 10: an inert input correlated with the driver. Its rank correlation with
 * the output is large, its PRCC CI includes zero; the driver's excludes it. */
static void test_prcc_does_not_pass_an_effect_to_a_correlated_inert_input(void **state) {
  (void)state;
  enum { N = 120, K = 2 };
  double x[N * K], y[N], est[K], lo[K], hi[K];
  uint64_t s = 21;
  for (size_t j = 0; j < N; j++) {
    x[j * K] = uniform(&s);
    x[j * K + 1] = 0.7 * x[j * K] + 0.3 * uniform(&s); /* inert, but correlated with the driver */
    y[j] = 1 / (0.5 + x[j * K]) + 0.2 * uniform(&s);
  }
  gsl_rng *g = rng_stream(rng_key(4, 0, 0), RNG_BOOTSTRAP);
  assert_true(indices_prcc_ci(x, y, N, K, BOOT, g, est, lo, hi));
  gsl_rng_free(g);
  double col[N];
  for (size_t j = 0; j < N; j++) col[j] = x[j * K + 1];
  check_lt(indices_spearman(col, y, N), -0.5); /* one input at a time, the inert input looks like a strong effect */
  check_lt(hi[0], 0);                          /* the driver lowers y: detected */
  check_msg(lo[1] <= 0 && hi[1] >= 0, "the inert input's PRCC CI [%.3f, %.3f] excludes zero", lo[1], hi[1]);
}

static void test_prcc_of_a_constant_input_or_too_few_rows_is_undefined(void **state) {
  (void)state;
  const double x[] = {1, 5, 2, 5, 3, 5, 4, 5, 5, 5, 6, 5}, y[] = {2, 4, 5, 4, 6, 7};
  double prcc[2];
  assert_true(indices_prcc(x, y, 6, 2, prcc));
  check_finite(prcc[0]);
  check_nan(prcc[1]);
  assert_true(indices_prcc(x, y, 3, 2, prcc)); /* 3 rows, 1 varying input: fewer than k' + 3 */
  check_nan(prcc[0]);
}

/* ---- Morris ---- */

static void test_morris_statistics_of_linear_inert_and_symmetric_inputs(void **state) {
  (void)state;
  enum { R = 40, K = 3 };
  study_design d;
  load_design("morris", THREE_INPUTS("morris", "40"), &d);
  assert_int_equal(d.n_reps, R * (K + 1));
  double ee[R * K], est[3 * K], lo[3 * K], hi[3 * K];
  size_t n = d.n_reps;
  for (size_t t = 0; t < R; t++)
    for (size_t s = 1; s <= K; s++) { /* f(u) = 3 u0 + 0 u1 + (u2 - 0.5)^2 */
      size_t r = t * (K + 1) + s;
      for (size_t i = 0; i < K; i++) {
        double a = d.unit[i * n + r - 1], b = d.unit[i * n + r];
        if (a == b) continue;
        double fa = i == 0 ? 3 * a : i == 2 ? (a - 0.5) * (a - 0.5) : 0;
        double fb = i == 0 ? 3 * b : i == 2 ? (b - 0.5) * (b - 0.5) : 0;
        ee[t * K + i] = (fb - fa) / (b - a);
      }
    }
  gsl_rng *g = rng_stream(rng_key(5, 0, 0), RNG_BOOTSTRAP);
  assert_true(indices_morris_ci(ee, R, K, BOOT, g, est, lo, hi));
  gsl_rng_free(g);
  check_near(est[0], 3, 1e-12);    /* mu* of the linear input: its slope */
  check_near(est[2], 0, 1e-12);    /* sigma 0: no interaction, no curvature */
  check_near(est[3], 0, 0);        /* the inert input: mu* 0 ... */
  check_near(hi[3], 0, 0);         /* ... with a CI [0, 0]: no detectable effect */
  check_near(est[6], 0.25, 1e-12); /* (1/8 <-> 5/8 and 3/8 <-> 7/8 both move (u - 1/2)^2 by 1/8 over 1/2) */
  check_gt(lo[6], 0);
  check_within(est[7], -0.1, 0.1); /* mu cancels: the effect is not monotone */
  check_gt(est[8], 0.2);           /* sigma shows it */
  design_free(&d);
}

static void test_percentile_ci_needs_most_resamples_finite(void **state) {
  (void)state;
  double v[] = {NAN, 3, 1, 2, NAN, 5, 4, NAN}, lo, hi;
  indices_percentile_ci(v, 8, &lo, &hi);
  check_near(lo, 1.1, 1e-12); /* 2.5% and 97.5% of 1..5, linear interpolation */
  check_near(hi, 4.9, 1e-12);
  double w[] = {NAN, NAN, 1, NAN};
  indices_percentile_ci(w, 4, &lo, &hi);
  check_nan(lo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ishigami_indices_lie_in_their_bootstrap_cis),
      cmocka_unit_test(test_g_function_indices_lie_in_their_bootstrap_cis),
      cmocka_unit_test(test_prcc_is_the_correlation_of_rank_residuals),
      cmocka_unit_test(test_prcc_does_not_pass_an_effect_to_a_correlated_inert_input),
      cmocka_unit_test(test_prcc_of_a_constant_input_or_too_few_rows_is_undefined),
      cmocka_unit_test(test_morris_statistics_of_linear_inert_and_symmetric_inputs),
      cmocka_unit_test(test_percentile_ci_needs_most_resamples_finite),
  };
  gsl_set_error_handler_off(); /* as main does */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
