/* test_stats.c: replicate statistics: mean, sd, t-based 95% CI, interpolated quantiles, NaN
 * handling, and the coverage of the confidence interval on samples with a known mean. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/rng.h"
#include "base/stats.h"
#include "check.h"

static void summarise(const double *x, size_t n, stats_summary *s) {
  double scratch[64];
  check_le(n, 64);
  stats_summarise(x, n, 1, -INFINITY, scratch, s);
}

static void test_mean_sd_and_ci_match_hand_computed_values(void **state) {
  (void)state;
  const double x[] = {5, 1, 4, 2, 3};
  stats_summary s;
  summarise(x, 5, &s);
  double half = 2.7764451051977987 * sqrt(2.5) / sqrt(5.0); /* t(0.975, 4) x sd / sqrt(n) */
  assert_int_equal(s.n, 5);
  check_near(s.v[ST_mean], 3.0, 1e-12);
  check_near(s.v[ST_sd], sqrt(2.5), 1e-12);
  check_near(s.v[ST_ci95_lo], 3.0 - half, 1e-9);
  check_near(s.v[ST_ci95_hi], 3.0 + half, 1e-9);
}

static void test_quantiles_interpolate_between_order_statistics_like_numpy(void **state) {
  (void)state;
  const double x[] = {5, 1, 4, 2, 3};
  stats_summary s;
  summarise(x, 5, &s);
  check_near(s.v[ST_p05], 1.2, 1e-12); /* numpy.percentile([1..5], 5) */
  check_near(s.v[ST_p50], 3.0, 1e-12);
  check_near(s.v[ST_p95], 4.8, 1e-12);
  check_eq(stats_quantile_prob(ST_p95), 0.95);
  check_lt(stats_quantile_prob(ST_mean), 0);
}

static void test_nan_values_are_skipped_not_counted(void **state) {
  (void)state;
  const double x[] = {NAN, 2, NAN, 4};
  stats_summary s;
  summarise(x, 4, &s);
  assert_int_equal(s.n, 2);
  check_near(s.v[ST_mean], 3.0, 1e-12);
  check_near(s.v[ST_p50], 3.0, 1e-12);
}

static void test_one_value_has_a_mean_but_no_spread_or_interval(void **state) {
  (void)state;
  const double x[] = {7.5};
  stats_summary s;
  summarise(x, 1, &s);
  check_eq(s.v[ST_mean], 7.5);
  check_eq(s.v[ST_p05], 7.5);
  check_nan(s.v[ST_sd]);
  check_nan(s.v[ST_ci95_lo]);
  check_nan(s.v[ST_ci95_hi]);
}

static void test_no_values_give_nan_everywhere(void **state) {
  (void)state;
  const double x[] = {NAN, NAN};
  stats_summary s;
  summarise(x, 2, &s);
  assert_int_equal(s.n, 0);
  for (int i = 0; i < ST_COUNT; i++) check_nan(s.v[i]);
}

static void test_stride_reads_one_column_and_inputs_keep_their_order(void **state) {
  (void)state;
  double x[] = {3, 100, 1, 200, 2, 300}; /* column 0 is 3, 1, 2 */
  double copy[6], scratch[3];
  memcpy(copy, x, sizeof x);
  stats_summary s;
  stats_summarise(x, 3, 2, -INFINITY, scratch, &s);
  check_near(s.v[ST_mean], 2.0, 1e-12);
  check_near(s.v[ST_p50], 2.0, 1e-12);
  assert_memory_equal(x, copy, sizeof x);
}

/* A P99 of 0.1, 0.1, 0.1 and 9 s: mean 2.3, t half-width 7.1. For a time the interval is [0, 9.4],
 * never a negative latency; for a signed quantity it stays symmetric. */
static void test_ci_of_a_quantity_that_cannot_be_negative_never_goes_below_zero(void **state) {
  (void)state;
  const double x[] = {0.1, 0.1, 0.1, 9};
  double scratch[4];
  stats_summary time, signed_;
  stats_summarise(x, 4, 1, 0, scratch, &time);
  stats_summarise(x, 4, 1, -INFINITY, scratch, &signed_);
  double half = signed_.v[ST_ci95_hi] - signed_.v[ST_mean];
  assert_true(signed_.v[ST_ci95_lo] < 0);
  check_near(signed_.v[ST_ci95_lo], signed_.v[ST_mean] - half, 1e-12);
  assert_true(time.v[ST_ci95_lo] == 0);
  check_near(time.v[ST_ci95_hi], signed_.v[ST_ci95_hi], 1e-12);
  check_near(time.v[ST_mean], 2.325, 1e-12);
}

static void test_ci_covers_the_true_mean_about_95_percent_of_the_time(void **state) {
  (void)state;
  gsl_rng *r = rng_stream(rng_key(2024, 0, 0), RNG_UNCERTAIN);
  int trials = 4000, covered = 0;
  for (int i = 0; i < trials; i++) {
    double x[8];
    for (int j = 0; j < 8; j++) x[j] = 10 + gsl_ran_gaussian(r, 3);
    stats_summary s;
    summarise(x, 8, &s);
    covered += s.v[ST_ci95_lo] <= 10 && 10 <= s.v[ST_ci95_hi];
  }
  gsl_rng_free(r);
  double frac = (double)covered / trials; /* binomial sd is 0.0034 */
  check_within(frac, 0.935, 0.965);
}

static void test_every_statistic_has_a_name_and_a_long_name(void **state) {
  (void)state;
  for (int s = 0; s < ST_COUNT; s++) {
    check_gt(strlen(stats_name((stats_stat)s)), 0);
    check_gt(strlen(stats_long_name((stats_stat)s)), 5);
  }
  assert_string_equal(stats_name(ST_ci95_hi), "ci95_hi");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mean_sd_and_ci_match_hand_computed_values),
      cmocka_unit_test(test_quantiles_interpolate_between_order_statistics_like_numpy),
      cmocka_unit_test(test_nan_values_are_skipped_not_counted),
      cmocka_unit_test(test_one_value_has_a_mean_but_no_spread_or_interval),
      cmocka_unit_test(test_no_values_give_nan_everywhere),
      cmocka_unit_test(test_stride_reads_one_column_and_inputs_keep_their_order),
      cmocka_unit_test(test_ci_of_a_quantity_that_cannot_be_negative_never_goes_below_zero),
      cmocka_unit_test(test_ci_covers_the_true_mean_about_95_percent_of_the_time),
      cmocka_unit_test(test_every_statistic_has_a_name_and_a_long_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
