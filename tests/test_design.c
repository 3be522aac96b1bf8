/* test_design.c: the designs of uncertain inputs have the marginals they promise (Latin hypercube and
 * scrambled Sobol strata hold one point each, random and Halton columns pass a Kolmogorov-Smirnov
 * test, the inverse CDFs invert GSL's CDFs), scrambled Sobol keeps its net property in two dimensions,
 * Iman-Conover reaches a stated rank correlation and removes chance ones, sequences extend without
 * changing their start, and the Saltelli and Morris structures are what their estimators assume. */
#include <gsl/gsl_cdf.h>
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

#include "check.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "study/design.h"
#include "study/indices.h"

/* Kolmogorov-Smirnov distance of x[0..n) (sorted here) from the uniform distribution on (0, 1). */
static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double ks_uniform(double *x, size_t n) {
  qsort(x, n, sizeof *x, cmp_double);
  double d = 0;
  for (size_t i = 0; i < n; i++) d = fmax(d, fmax((double)(i + 1) / (double)n - x[i], x[i] - (double)i / (double)n));
  return d;
}

static void column(const double *u, size_t n, size_t dim, size_t i, double *out) {
  for (size_t r = 0; r < n; r++) out[r] = u[r * dim + i];
}

/* Every one of the n strata [k/n, (k+1)/n) holds exactly one of x[0..n). */
static void check_one_per_stratum(const double *x, size_t n) {
  int *hits = calloc(n, sizeof *hits);
  for (size_t r = 0; r < n; r++) {
    check_msg(x[r] > 0 && x[r] < 1, "point %zu is %.17g, outside (0, 1)", r, x[r]);
    hits[(size_t)(x[r] * (double)n)]++;
  }
  for (size_t k = 0; k < n; k++) check_msg(hits[k] == 1, "stratum %zu of %zu holds %d points", k, n, hits[k]);
  free(hits);
}

static void test_latin_hypercube_puts_one_point_in_every_stratum_of_every_block(void **state) {
  (void)state;
  enum { N = 50, DIM = 4, BLOCK = 20 };
  double u[N * DIM], col[N];
  ss_err err = {{0}};
  assert_int_equal(design_unit(SC_DESIGN_LHS, 7, N, DIM, BLOCK, u, &err), SS_OK);
  size_t blocks = 0;
  for (size_t b0 = 0; b0 < N; b0 += BLOCK, blocks++)
    for (size_t i = 0; i < DIM; i++) {
      size_t m = N - b0 < BLOCK ? N - b0 : BLOCK;
      column(u + b0 * DIM, m, DIM, i, col);
      check_one_per_stratum(col, m);
    }
  check_min_cases(blocks, 3); /* 20 + 20 + a last block of 10 */
}

static void test_scrambled_sobol_columns_are_stratified_and_pairs_form_a_net(void **state) {
  (void)state;
  enum { M = 8, N = 1 << M, DIM = 5 };
  double *u = malloc(N * DIM * sizeof *u), col[N];
  ss_err err = {{0}};
  assert_int_equal(design_unit(SC_DESIGN_SOBOL, 99, N, DIM, 0, u, &err), SS_OK);
  for (size_t i = 0; i < DIM; i++) column(u, N, DIM, i, col), check_one_per_stratum(col, N);
  /* dimensions 0 and 1 of Sobol's sequence are a (0, m, 2)-net: every box of 2^-a x 2^-(m-a) holds one
   * point; Owen's scrambling keeps that, a bad scramble (or a missing point 0) would not */
  size_t boxes = 0;
  for (int a = 0; a <= M; a++) {
    int *hits = calloc(N, sizeof *hits);
    for (size_t r = 0; r < N; r++) {
      size_t bx = (size_t)(u[r * DIM] * (1 << a)), by = (size_t)(u[r * DIM + 1] * (1 << (M - a)));
      hits[bx * (1u << (M - a)) + by]++;
    }
    for (size_t b = 0; b < N; b++, boxes++) check_msg(hits[b] == 1, "a = %d: box %zu holds %d points", a, b, hits[b]);
    free(hits);
  }
  check_min_cases(boxes, (M + 1) * N);
  free(u);
}

static void test_random_and_halton_columns_pass_a_kolmogorov_smirnov_test(void **state) {
  (void)state;
  enum { N = 2000, DIM = 3 };
  const int kinds[] = {SC_DESIGN_RANDOM, SC_DESIGN_HALTON};
  double *u = malloc(N * DIM * sizeof *u), *col = malloc(N * sizeof *col);
  ss_err err = {{0}};
  for (size_t k = 0; k < 2; k++) {
    assert_int_equal(design_unit(kinds[k], 5, N, DIM, 0, u, &err), SS_OK);
    for (size_t i = 0; i < DIM; i++) {
      column(u, N, DIM, i, col);
      check_lt(ks_uniform(col, N), 1.63 / sqrt((double)N)); /* the 1% critical value */
    }
  }
  free(u), free(col);
}

static void test_inverse_cdfs_invert_the_distributions(void **state) {
  (void)state;
  const sc_uncertain d[] = {
      {.dist = UNC_UNIFORM, .min = 0.6, .max = 0.9},
      {.dist = UNC_NORMAL, .mean = 5, .sd = 2},
      {.dist = UNC_LOGNORMAL, .median = 500, .sigma = 0.3},
      {.dist = UNC_TRIANGULAR, .min = 2, .mode = 2.5, .max = 4},
  };
  size_t n = 0;
  for (double p = 0.001; p < 1; p += 0.0371, n++) {
    double x[4];
    for (int i = 0; i < 4; i++) x[i] = design_quantile(&d[i], p);
    check_near(gsl_cdf_flat_P(x[0], 0.6, 0.9), p, 1e-12);
    check_near(gsl_cdf_gaussian_P(x[1] - 5, 2), p, 1e-12);
    check_near(gsl_cdf_lognormal_P(x[2], log(500), 0.3), p, 1e-12);
    double tri = x[3] < 2.5 ? (x[3] - 2) * (x[3] - 2) / ((4 - 2) * (2.5 - 2)) : 1 - (4 - x[3]) * (4 - x[3]) / (2 * 1.5);
    check_near(tri, p, 1e-12);
  }
  check_min_cases(n, 20);
}

static void test_iman_conover_reaches_the_target_and_keeps_each_column(void **state) {
  (void)state;
  enum { N = 400, DIM = 3 };
  const double target[DIM * DIM] = {1, 0.7, 0, 0.7, 1, -0.3, 0, -0.3, 1};
  double *u = malloc(N * DIM * sizeof *u), *before = malloc(N * DIM * sizeof *u), c[DIM][N], b[N];
  ss_err err = {{0}};
  assert_int_equal(design_unit(SC_DESIGN_LHS, 3, N, DIM, 0, u, &err), SS_OK);
  memcpy(before, u, N * DIM * sizeof *u);
  assert_true(design_iman_conover(u, N, DIM, target));
  for (size_t i = 0; i < DIM; i++) {
    column(u, N, DIM, i, c[i]), column(before, N, DIM, i, b);
    qsort(b, N, sizeof *b, cmp_double);
    double sorted[N];
    memcpy(sorted, c[i], sizeof sorted);
    qsort(sorted, N, sizeof *sorted, cmp_double);
    assert_memory_equal(sorted, b, sizeof b); /* the same values, re-paired: the marginals are untouched */
  }
  check_near(indices_spearman(c[0], c[1], N), 0.7, 0.03);
  check_near(indices_spearman(c[1], c[2], N), -0.3, 0.03);
  check_near(indices_spearman(c[0], c[2], N), 0, 0.03);
  assert_false(design_iman_conover(u, DIM, DIM, target)); /* n <= dim: no pairing possible */
  free(u), free(before);
}

/* With 16 replicates, independent draws of two inputs correlate by chance (|rho| above 0.3 in about a
 * quarter of seeds); Latin hypercubes re-paired by Iman-Conover keep it near zero in every seed. */
static void test_paired_latin_hypercubes_have_no_chance_correlation(void **state) {
  (void)state;
  enum { N = 16, DIM = 2, SEEDS = 40 };
  const double identity[DIM * DIM] = {1, 0, 0, 1};
  double u[N * DIM], a[N], b[N], worst_paired = 0;
  size_t big_random = 0;
  ss_err err = {{0}};
  for (uint64_t s = 0; s < SEEDS; s++) {
    assert_int_equal(design_unit(SC_DESIGN_RANDOM, s, N, DIM, 0, u, &err), SS_OK);
    column(u, N, DIM, 0, a), column(u, N, DIM, 1, b);
    big_random += fabs(indices_spearman(a, b, N)) > 0.3;
    assert_int_equal(design_unit(SC_DESIGN_LHS, s, N, DIM, 0, u, &err), SS_OK);
    assert_true(design_iman_conover(u, N, DIM, identity));
    column(u, N, DIM, 0, a), column(u, N, DIM, 1, b);
    worst_paired = fmax(worst_paired, fabs(indices_spearman(a, b, N)));
  }
  check_ge(big_random, 3);
  check_lt(worst_paired, 0.1);
}

static void test_sequences_extend_without_changing_their_start(void **state) {
  (void)state;
  enum { DIM = 3 };
  const int kinds[] = {SC_DESIGN_RANDOM, SC_DESIGN_SOBOL, SC_DESIGN_HALTON, SC_DESIGN_LHS};
  double s[40 * DIM], l[80 * DIM];
  ss_err err = {{0}};
  for (size_t k = 0; k < 4; k++) { /* Latin hypercubes extend block by block (blocks of 20) */
    assert_int_equal(design_unit(kinds[k], 11, 40, DIM, 20, s, &err), SS_OK);
    assert_int_equal(design_unit(kinds[k], 11, 80, DIM, 20, l, &err), SS_OK);
    assert_memory_equal(s, l, sizeof s);
    assert_int_equal(design_unit(kinds[k], 12, 40, DIM, 20, l, &err), SS_OK);
    check_msg(memcmp(s, l, sizeof s) != 0, "design %d: seeds 11 and 12 give the same points", kinds[k]);
  }
}

/* ---- replicate structures, from scenarios ---- */

#define BASE                                                \
  "name: design\nseed: 5\n"                                 \
  "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b}\n" \
  "uncertain:\n"                                            \
  "  efficiency.hbm: {dist: uniform, min: 0.6, max: 0.9}\n" \
  "  pricing.usd_per_gpu_hour: {dist: normal, mean: 3, sd: 0.5}\n"

/* The design of a scenario text for n replicates (n = 0: the scenario's own count). */
static void load_design(const char *yaml, size_t n, study_design *d) {
  hwdb db;
  study_spec *spec = malloc(sizeof *spec);
  ss_err err = {{0}};
  if (hwdb_load(TEST_HWDB, &db, &err) || scenario_load_string("design test", yaml, NULL, 0, &db, spec, &err) ||
      design_build(spec, n ? n : spec->base.replicates, 0, d, &err))
    fail_msg("%s", err.msg);
  d->kind = spec->base.uq.design; /* what the scenario asked for (sobol when a Sobol analysis leaves it unset) */
  scenario_free(spec);
  hwdb_free(&db);
  free(spec);
}

static void test_saltelli_blocks_swap_one_column_and_share_traffic_with_a(void **state) {
  (void)state;
  study_design d;
  load_design(BASE "sensitivity: {method: sobol, samples: 8}\n", 0, &d);
  assert_int_equal(d.n_reps, 8 * (2 + 2));   /* N(k+2) */
  assert_int_equal(d.kind, SC_DESIGN_SOBOL); /* Sobol points unless the user chose a design */
  size_t N = 8, R = d.n_reps, checked = 0;
  for (size_t j = 0; j < N; j++)
    for (size_t i = 0; i < 2; i++) {
      size_t a = j, b = N + j, ab = (2 + i) * N + j;
      for (size_t c = 0; c < 2; c++, checked++) check_eq(d.unit[c * R + ab], d.unit[c * R + (c == i ? b : a)]);
      check_eq(d.traffic[ab], d.traffic[a]);
      check_msg(d.traffic[b] != d.traffic[a], "row %zu: B shares A's traffic", j);
      assert_true(design_independent(&d, a) && design_independent(&d, b) && !design_independent(&d, ab));
    }
  check_min_cases(checked, 2 * 2 * N);
  design_free(&d);
}

static void test_morris_steps_move_one_input_by_half_its_range(void **state) {
  (void)state;
  study_design d;
  load_design(BASE "sensitivity: {method: morris, samples: 6}\n", 0, &d);
  size_t steps = 0, R = d.n_reps;
  for (size_t t = 0; t < 6; t++)
    for (size_t s = 1; s <= 2; s++, steps++) {
      size_t r = t * 3 + s, moved = 0;
      for (size_t i = 0; i < 2; i++) {
        double du = d.unit[i * R + r] - d.unit[i * R + r - 1];
        if (du == 0) continue;
        check_near(fabs(du), 0.5, 1e-15);
        moved++;
      }
      assert_int_equal(moved, 1);
      check_eq(d.traffic[r], (int64_t)t);
    }
  check_min_cases(steps, 12);
  design_free(&d);
}

static void test_stated_rank_correlation_holds_in_the_sampled_values(void **state) {
  (void)state;
  study_design d;
  load_design(BASE "replicates: 300\nuncertain_correlation:\n  keys: [pricing.usd_per_gpu_hour, efficiency.hbm]\n"
                   "  matrix: [[1, -0.6], [-0.6, 1]]\n",
              0, &d);
  assert_true(d.paired);
  check_near(indices_spearman(d.value, d.value + 300, 300), -0.6, 0.03);
  design_free(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_latin_hypercube_puts_one_point_in_every_stratum_of_every_block),
      cmocka_unit_test(test_scrambled_sobol_columns_are_stratified_and_pairs_form_a_net),
      cmocka_unit_test(test_random_and_halton_columns_pass_a_kolmogorov_smirnov_test),
      cmocka_unit_test(test_inverse_cdfs_invert_the_distributions),
      cmocka_unit_test(test_iman_conover_reaches_the_target_and_keeps_each_column),
      cmocka_unit_test(test_paired_latin_hypercubes_have_no_chance_correlation),
      cmocka_unit_test(test_sequences_extend_without_changing_their_start),
      cmocka_unit_test(test_saltelli_blocks_swap_one_column_and_share_traffic_with_a),
      cmocka_unit_test(test_morris_steps_move_one_input_by_half_its_range),
      cmocka_unit_test(test_stated_rank_correlation_holds_in_the_sampled_values),
  };
  gsl_set_error_handler_off(); /* as main does: library code reports GSL failures through statuses */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
