/* test_workload.c: arrival processes and length distributions against theory (3 sigma), file
 * parsing with file:line errors, caps, correlation and common random numbers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/rng.h"
#include "sim/workload.h"
#include "sim/fixture.h"

static wl_gen *gen(void **state, const char *const *sets) {
  scenario sc;
  sc_bound b;
  ss_err err = {{0}};
  wl_gen *g = NULL;
  if (fixture_load(state, &sc, &b, sets, &err) || wl_init(&g, &sc, rng_key(sc.seed, 0, 0), &err))
    fail_msg("%s", err.msg);
  return g;
}

/* Writes text to a new temporary file; returns its path (static buffer per slot). */
static const char *temp_file(char path[64], const char *text) {
  strcpy(path, "/tmp/servesim-wl-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  return path;
}

static void test_poisson_count_is_within_three_sigma_of_rate_times_time(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.rate_per_s=5", NULL});
  const double T = 20000, lambda = 5;
  wl_req r;
  double n = 0, prev = 0;
  while (wl_next(g, &r) && r.t_s < T) {
    assert_true(r.t_s >= prev);
    prev = r.t_s;
    n++;
  }
  assert_true(fabs(n - lambda * T) < 3 * sqrt(lambda * T));
  wl_free(g);
}

static void test_gamma_gaps_have_the_requested_mean_and_cv(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.process=gamma", "workload.arrival.rate_per_s=2",
                                          "workload.arrival.cv=2.5", NULL});
  const int n = 200000;
  const double mu = 0.5, cv = 2.5, k = 1 / (cv * cv), var = (cv * mu) * (cv * mu);
  double sum = 0, ss = 0, prev = 0;
  wl_req r;
  for (int i = 0; i < n; i++) {
    assert_true(wl_next(g, &r));
    double gap = r.t_s - prev;
    prev = r.t_s;
    sum += gap;
    ss += (gap - mu) * (gap - mu);
  }
  double mean = sum / n, s2 = ss / n;
  assert_true(fabs(mean - mu) < 3 * sqrt(var / n));
  /* variance of the sample variance about the true mean: sigma^4 (2 + 6/k) / n for a gamma */
  assert_true(fabs(s2 - var) < 3 * var * sqrt((2 + 6 / k) / n));
  wl_free(g);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static void test_lognormal_median_is_within_three_sigma(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.input_tokens.median=800", "workload.input_tokens.sigma=1.0",
                                          "workload.input_tokens.max=0", NULL});
  enum { N = 100001 };
  uint32_t *in = malloc(N * sizeof *in), out;
  for (int i = 0; i < N; i++) wl_lengths(g, &in[i], &out);
  qsort(in, N, sizeof *in, cmp_u32);
  /* sd of a sample median: 1 / (2 f(m) sqrt(n)), f(m) = 1 / (m sigma sqrt(2 pi)); +0.5 for rounding */
  double sd = 800 * 1.0 * sqrt(2 * 3.14159265358979323846) / (2 * sqrt(N));
  assert_true(fabs(in[N / 2] - 800.0) < 3 * sd + 0.5);
  free(in);
  wl_free(g);
}

static void test_diurnal_rate_follows_the_hourly_profile(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.process=diurnal", "workload.arrival.rate_per_s=0.5",
                                          "workload.arrival.profile=[1,1,1,0,1,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0.25]",
                                          NULL});
  const int days = 20;
  double per_hour[24] = {0};
  wl_req r;
  while (wl_next(g, &r) && r.t_s < days * 86400.0) per_hour[(int)fmod(floor(r.t_s / 3600), 24)]++;
  const double mult[] = {[3] = 0, [5] = 2, [0] = 1, [23] = 0.25};
  const int hours[] = {0, 3, 5, 23};
  for (int i = 0; i < 4; i++) {
    double want = 0.5 * mult[hours[i]] * 3600 * days;
    assert_true(fabs(per_hour[hours[i]] - want) <= 3 * sqrt(want));
  }
  wl_free(g);
}

static void test_offline_gives_n_requests_at_time_zero(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.process=offline", "workload.arrival.n=5", NULL});
  wl_req r;
  for (int i = 0; i < 5; i++) {
    assert_true(wl_next(g, &r));
    assert_true(r.t_s == 0);
  }
  assert_false(wl_next(g, &r));
  wl_free(g);
}

static void test_closed_loop_think_times_are_exponential_with_the_given_mean(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.process=closed", "workload.arrival.think_s=3", NULL});
  wl_req r;
  assert_true(wl_is_closed(g));
  assert_false(wl_next(g, &r)); /* arrivals come from completions */
  const int n = 100000;
  double sum = 0;
  for (int i = 0; i < n; i++) sum += wl_think_s(g);
  assert_true(fabs(sum / n - 3) < 3 * 3 / sqrt(n));
  wl_free(g);
}

static void test_trace_replay_scales_time_and_keeps_lengths(void **state) {
  char path[64], set[128];
  temp_file(path, "arrival_s,input_tokens,output_tokens\n0.0,100,10\n\n# comment\n2.0,200,20\n4.5,300,30\n");
  snprintf(set, sizeof set, "workload.arrival.file=%s", path);
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.process=trace", set, "workload.arrival.time_scale=0.5",
                                          NULL});
  wl_req r;
  const double t[] = {0, 1.0, 2.25};
  for (int i = 0; i < 3; i++) {
    assert_true(wl_next(g, &r));
    assert_true(r.t_s == t[i]);
    assert_int_equal(r.input_tokens, 100 * (i + 1));
    assert_int_equal(r.output_tokens, 10 * (i + 1));
  }
  assert_false(wl_next(g, &r));
  wl_free(g);
  unlink(path);
}

static void expect_file_error(void **state, const char *key, const char *process, const char *text, int line) {
  char path[64], set[128], want[96];
  scenario sc;
  sc_bound b;
  ss_err err = {{0}};
  wl_gen *g = NULL;
  temp_file(path, text);
  snprintf(set, sizeof set, "%s=%s", key, path);
  assert_int_equal(fixture_load(state, &sc, &b, (const char *[]){process, set, NULL}, &err), SS_OK);
  assert_int_equal(wl_init(&g, &sc, 1, &err), SS_EDATA);
  snprintf(want, sizeof want, "%s:%d:", path, line);
  if (!strstr(err.msg, want)) fail_msg("expected '%s' in: %s", want, err.msg);
  unlink(path);
}

static void test_bad_trace_rows_are_reported_with_file_and_line(void **state) {
  const char *p = "workload.arrival.process=trace";
  expect_file_error(state, "workload.arrival.file", p, "arrival_s,input_tokens,output_tokens\n0,10,5\n1,10\n", 3);
  expect_file_error(state, "workload.arrival.file", p, "0,10,5\n2,10,5\n1,10,5\n", 3);  /* out of order */
  expect_file_error(state, "workload.arrival.file", p, "0,10,5\n1,0,5\n", 2);          /* zero tokens */
  expect_file_error(state, "workload.arrival.file", p, "0,10,5\n1,abc,5\n", 2);
}

static void test_empirical_lengths_follow_the_histogram_weights(void **state) {
  char path[64], set[128];
  temp_file(path, "tokens,weight\n100,1\n200,3\n");
  snprintf(set, sizeof set, "workload.output_tokens.file=%s", path);
  wl_gen *g = gen(state, (const char *[]){"workload.output_tokens.dist=empirical", set, NULL});
  const int n = 40000;
  int n200 = 0;
  for (int i = 0; i < n; i++) {
    uint32_t in, out;
    wl_lengths(g, &in, &out);
    assert_true(out == 100 || out == 200);
    n200 += out == 200;
  }
  assert_true(fabs(n200 - 0.75 * n) < 3 * sqrt(n * 0.75 * 0.25));
  wl_free(g);
  unlink(path);
}

static void test_bad_histogram_rows_are_reported_with_file_and_line(void **state) {
  const char *d = "workload.input_tokens.dist=empirical";
  expect_file_error(state, "workload.input_tokens.file", d, "tokens,weight\n100,-1\n", 2);
  expect_file_error(state, "workload.input_tokens.file", d, "100,1\n2.5,1\n", 2);
}

static void test_lengths_respect_caps_and_uniform_bounds(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.input_tokens.max=500", "workload.output_tokens.dist=uniform",
                                          "workload.output_tokens.min=10", "workload.output_tokens.max=20", NULL});
  bool lo = false, hi = false;
  for (int i = 0; i < 20000; i++) {
    uint32_t in, out;
    wl_lengths(g, &in, &out);
    assert_true(in >= 1 && in <= 500);
    assert_true(out >= 10 && out <= 20);
    lo |= out == 10, hi |= out == 20;
  }
  assert_true(lo && hi);
  wl_free(g);
}

static void test_correlation_of_log_lengths_matches_the_setting(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.correlation=0.8", "workload.input_tokens.max=0",
                                          "workload.output_tokens.max=0", "workload.input_tokens.median=5000",
                                          "workload.output_tokens.median=5000", NULL});
  const int n = 20000;
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (int i = 0; i < n; i++) {
    uint32_t in, out;
    wl_lengths(g, &in, &out);
    double x = log(in), y = log(out);
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  double cov = sxy / n - sx / n * sy / n;
  double rho = cov / sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
  assert_true(fabs(rho - 0.8) < 3 * (1 - 0.64) / sqrt(n) + 0.005); /* + rounding to whole tokens */
  wl_free(g);
}

static void test_arrival_times_do_not_depend_on_the_length_distributions(void **state) {
  wl_gen *a = gen(state, NULL);
  wl_gen *b = gen(state, (const char *[]){"workload.output_tokens.dist=fixed", "workload.correlation=0.5", NULL});
  for (int i = 0; i < 1000; i++) {
    wl_req ra, rb;
    assert_true(wl_next(a, &ra) && wl_next(b, &rb));
    assert_true(ra.t_s == rb.t_s);
  }
  wl_free(a);
  wl_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_poisson_count_is_within_three_sigma_of_rate_times_time),
      cmocka_unit_test(test_gamma_gaps_have_the_requested_mean_and_cv),
      cmocka_unit_test(test_lognormal_median_is_within_three_sigma),
      cmocka_unit_test(test_diurnal_rate_follows_the_hourly_profile),
      cmocka_unit_test(test_offline_gives_n_requests_at_time_zero),
      cmocka_unit_test(test_closed_loop_think_times_are_exponential_with_the_given_mean),
      cmocka_unit_test(test_trace_replay_scales_time_and_keeps_lengths),
      cmocka_unit_test(test_bad_trace_rows_are_reported_with_file_and_line),
      cmocka_unit_test(test_empirical_lengths_follow_the_histogram_weights),
      cmocka_unit_test(test_bad_histogram_rows_are_reported_with_file_and_line),
      cmocka_unit_test(test_lengths_respect_caps_and_uniform_bounds),
      cmocka_unit_test(test_correlation_of_log_lengths_matches_the_setting),
      cmocka_unit_test(test_arrival_times_do_not_depend_on_the_length_distributions),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
