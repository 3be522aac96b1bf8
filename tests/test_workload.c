/* test_workload.c: arrival processes and length distributions against theory (3 sigma), trace and
 * histogram files read at scenario load with file:line errors, caps, correlation and common random
 * numbers. */
#include <fcntl.h>
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
#include "check.h"
#include "config/datafile.h"
#include "sim/fixture.h"
#include "sim/workload.h"

/* A generator borrows its point's trace and histograms: each live generator keeps its fixture_point
 * here until gen_free. */
enum { MAX_GENS = 4 };
static struct {
  wl_gen *g;
  fixture_point *fp;
} GENS[MAX_GENS];

/* The traffic of base.yaml with overrides, keyed like replicate 0 of the scenario's seed. */
static wl_gen *gen(void **state, const char *const *sets) {
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  wl_gen *g = NULL;
  if (fixture_load(state, sets, &fp, &err) || wl_init(&g, &fp->pt.sim.wl, rng_key(fp->pt.seed, 0, 0), &err)) {
    fixture_point_free(fp);
    fail_msg("%s", err.msg);
  }
  for (size_t i = 0; i < MAX_GENS; i++)
    if (!GENS[i].g) {
      GENS[i].g = g, GENS[i].fp = fp;
      return g;
    }
  fail_msg("more than %d generators alive", MAX_GENS);
  return NULL;
}

static void gen_free(wl_gen *g) {
  for (size_t i = 0; i < MAX_GENS; i++)
    if (GENS[i].g == g) {
      wl_free(g);
      fixture_point_free(GENS[i].fp);
      GENS[i].g = NULL, GENS[i].fp = NULL;
      return;
    }
  fail_msg("gen_free of an unknown generator");
}

/* Writes text to a new temporary file; returns its path (static buffer per slot). */
static const char *temp_file(char path[64], const char *text) {
  strcpy(path, "/tmp/servesim-wl-XXXXXX");
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp %s failed", path);
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
    check_ge(r.t_s, prev);
    prev = r.t_s;
    n++;
  }
  check_near_strict(n, lambda * T, 3 * sqrt(lambda * T));
  gen_free(g);
}

static void test_gamma_gaps_have_the_requested_mean_and_cv(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.process=gamma", "workload.arrival.rate_per_s=2",
                                          "workload.arrival.cv=2.5", NULL});
  const int n = 200000;
  const double mu = 0.5, cv = 2.5, k = 1 / (cv * cv), var = (cv * mu) * (cv * mu);
  double sum = 0, ss = 0, prev = 0;
  wl_req r;
  for (int i = 0; i < n; i++) {
    check_msg(wl_next(g, &r), "the gamma process ended after %d arrivals", i);
    double gap = r.t_s - prev;
    prev = r.t_s;
    sum += gap;
    ss += (gap - mu) * (gap - mu);
  }
  double mean = sum / n, s2 = ss / n;
  check_near_strict(mean, mu, 3 * sqrt(var / n));
  /* variance of the sample variance about the true mean: sigma^4 (2 + 6/k) / n for a gamma */
  check_near_strict(s2, var, 3 * var * sqrt((2 + 6 / k) / n));
  gen_free(g);
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
  check_near_strict(in[N / 2], 800.0, 3 * sd + 0.5);
  free(in);
  gen_free(g);
}

static void test_diurnal_rate_follows_the_hourly_profile(void **state) {
  wl_gen *g = gen(
      state, (const char *[]){"workload.arrival.process=diurnal", "workload.arrival.rate_per_s=0.5",
                              "workload.arrival.profile=[1,1,1,0,1,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0.25]", NULL});
  const int days = 20;
  double per_hour[24] = {0};
  wl_req r;
  while (wl_next(g, &r) && r.t_s < days * 86400.0) per_hour[(int)fmod(floor(r.t_s / 3600), 24)]++;
  const double mult[] = {[3] = 0, [5] = 2, [0] = 1, [23] = 0.25};
  const int hours[] = {0, 3, 5, 23};
  for (int i = 0; i < 4; i++) {
    double want = 0.5 * mult[hours[i]] * 3600 * days;
    check_near(per_hour[hours[i]], want, 3 * sqrt(want));
  }
  gen_free(g);
}

static void test_offline_gives_n_requests_at_time_zero(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.process=offline", "workload.arrival.n=5", NULL});
  wl_req r;
  for (int i = 0; i < 5; i++) {
    check_msg(wl_next(g, &r), "offline gave only %d of 5 requests", i);
    check_eq(r.t_s, 0);
  }
  assert_false(wl_next(g, &r));
  gen_free(g);
}

static void test_closed_loop_think_times_are_exponential_with_the_given_mean(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.arrival.process=closed", "workload.arrival.think_s=3", NULL});
  wl_req r;
  assert_true(wl_is_closed(g));
  assert_false(wl_next(g, &r)); /* arrivals come from completions */
  const int n = 100000;
  double sum = 0;
  for (int i = 0; i < n; i++) sum += wl_think_s(g);
  check_near_strict(sum / n, 3, 3 * 3 / sqrt(n));
  gen_free(g);
}

static void test_trace_replay_scales_time_and_keeps_lengths(void **state) {
  char path[64], set[128];
  temp_file(path, "arrival_s,input_tokens,output_tokens\n0.0,100,10\n\n# comment\n2.0,200,20\n4.5,300,30\n");
  snprintf(set, sizeof set, "workload.arrival.file=%s", path);
  wl_gen *g =
      gen(state, (const char *[]){"workload.arrival.process=trace", set, "workload.arrival.time_scale=0.5", NULL});
  wl_req r;
  const double t[] = {0, 1.0, 2.25};
  for (int i = 0; i < 3; i++) {
    check_msg(wl_next(g, &r), "the trace replay ended after %d of 3 rows", i);
    check_eq(r.t_s, t[i]);
    assert_int_equal(r.input_tokens, 100 * (i + 1));
    assert_int_equal(r.output_tokens, 10 * (i + 1));
  }
  assert_false(wl_next(g, &r));
  gen_free(g);
  unlink(path);
}

/* Loading base.yaml with `process` and key=<a file holding text> fails at load (before any
 * generator exists) with a message that names the key and the file's line. */
static void expect_file_error(void **state, const char *key, const char *process, const char *text, int line) {
  char path[64], set[128], want[96];
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  temp_file(path, text);
  snprintf(set, sizeof set, "%s=%s", key, path);
  assert_int_equal(fixture_load(state, (const char *[]){process, set, NULL}, &fp, &err), SS_EDATA);
  assert_null(fp);
  unlink(path);
  snprintf(want, sizeof want, "%s:%d:", path, line);
  check_msg(strstr(err.msg, want), "expected '%s' in: %s", want, err.msg);
  snprintf(want, sizeof want, "key '%s'", key);
  check_msg(strstr(err.msg, want), "expected '%s' in: %s", want, err.msg);
}

static void test_bad_trace_rows_are_reported_with_file_and_line(void **state) {
  const char *p = "workload.arrival.process=trace";
  expect_file_error(state, "workload.arrival.file", p, "arrival_s,input_tokens,output_tokens\n0,10,5\n1,10\n", 3);
  expect_file_error(state, "workload.arrival.file", p, "0,10,5\n2,10,5\n1,10,5\n", 3); /* out of order */
  expect_file_error(state, "workload.arrival.file", p, "0,10,5\n1,0,5\n", 2);          /* zero tokens */
  expect_file_error(state, "workload.arrival.file", p, "0,10,5\n1,abc,5\n", 2);
  expect_file_error(state, "workload.arrival.file", p, "arrival,in,out\n0,10,5\n", 1); /* not the header */
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
    check_msg(out == 100 || out == 200, "length %u is not in the histogram (100, 200)", out);
    n200 += out == 200;
  }
  check_near_strict(n200, 0.75 * n, 3 * sqrt(n * 0.75 * 0.25));
  gen_free(g);
  unlink(path);
}

/* wl_mean_lengths (estimate's request shape) against the mean of the draws: 3 standard errors, plus
 * the rounding to whole tokens the closed form leaves out. */
static void expect_mean_of_draws(void **state, const char *const *sets) {
  wl_gen *g = gen(state, sets);
  const fixture_point *fp = NULL;
  for (size_t i = 0; i < MAX_GENS; i++)
    if (GENS[i].g == g) fp = GENS[i].fp;
  enum { N = 200000 };
  double sum[2] = {0, 0}, ss[2] = {0, 0}, want[2];
  wl_mean_lengths(&fp->pt.sim.wl, &want[0], &want[1]);
  for (int i = 0; i < N; i++) {
    uint32_t v[2];
    wl_lengths(g, &v[0], &v[1]);
    for (int k = 0; k < 2; k++) sum[k] += v[k], ss[k] += (double)v[k] * v[k];
  }
  for (int k = 0; k < 2; k++) {
    double mean = sum[k] / N, sd = sqrt(fmax(ss[k] / N - mean * mean, 0));
    check_near_strict(want[k], mean, 3 * sd / sqrt(N) + 0.1);
  }
  gen_free(g);
}

static void test_mean_lengths_equal_the_mean_of_the_draws(void **state) {
  char path[64], set[128];
  expect_mean_of_draws(state, (const char *[]){"workload.input_tokens.median=800", "workload.input_tokens.sigma=1.0",
                                               "workload.input_tokens.max=2048", "workload.output_tokens.max=0", NULL});
  expect_mean_of_draws(state, (const char *[]){"workload.input_tokens.median=2", "workload.input_tokens.sigma=1.5",
                                               "workload.output_tokens.dist=uniform", "workload.output_tokens.min=10",
                                               "workload.output_tokens.max=31", NULL});
  expect_mean_of_draws(state, (const char *[]){"workload.input_tokens.dist=fixed", "workload.input_tokens.value=300",
                                               "workload.output_tokens.sigma=0", NULL});
  temp_file(path, "tokens,weight\n100,1\n200,3\n5000,1\n");
  snprintf(set, sizeof set, "workload.output_tokens.file=%s", path);
  expect_mean_of_draws(
      state, (const char *[]){"workload.output_tokens.dist=empirical", set, "workload.output_tokens.max=1000", NULL});
  unlink(path);
  /* a trace: the mean of its rows, whatever the length distributions say */
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  double in, out;
  temp_file(path, "arrival_s,input_tokens,output_tokens\n0,100,10\n1,200,20\n2,600,90\n");
  snprintf(set, sizeof set, "workload.arrival.file=%s", path);
  assert_int_equal(fixture_load(state, (const char *[]){"workload.arrival.process=trace", set, NULL}, &fp, &err),
                   SS_OK);
  wl_mean_lengths(&fp->pt.sim.wl, &in, &out);
  check_eq(in, 300.0);
  check_eq(out, 40.0);
  fixture_point_free(fp);
  unlink(path);
}

static void test_bad_histogram_rows_are_reported_with_file_and_line(void **state) {
  const char *d = "workload.input_tokens.dist=empirical";
  expect_file_error(state, "workload.input_tokens.file", d, "tokens,weight\n100,-1\n", 2);
  expect_file_error(state, "workload.input_tokens.file", d, "100,1\n2.5,1\n", 2);
}

static void test_a_missing_trace_is_named_with_its_key_and_the_system_error(void **state) {
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  const char *const sets[] = {"workload.arrival.process=trace", "workload.arrival.file=/nonexistent/servesim/t.csv",
                              NULL};
  assert_int_equal(fixture_load(state, sets, &fp, &err), SS_EDATA);
  check_msg(strstr(err.msg, "(--set): key 'workload.arrival.file': value '/nonexistent/servesim/t.csv' cannot be read: "
                            "/nonexistent/servesim/t.csv: cannot open the trace: No such file or directory"),
            "message: %s", err.msg);
}

/* The readers on their own: rows kept in order, the content hash of the bytes read, weights
 * normalised to a cumulative 1, and files without data refused. */
static void test_data_files_keep_their_rows_and_content_hash(void **state) {
  (void)state;
  char path[64], sha[HASH_HEX_LEN];
  const char *trace = "arrival_s,input_tokens,output_tokens\n0.5,100,10\n# gap\n1.5, 200 ,20\n";
  datafile f;
  ss_err err = {{0}};
  temp_file(path, trace);
  assert_int_equal(datafile_load_trace(path, &f, &err), SS_OK);
  unlink(path);
  assert_int_equal(f.trace.n, 2);
  check_eq(f.trace.t_s[1], 1.5);
  assert_int_equal(f.trace.in[1], 200);
  assert_int_equal(f.trace.out[0], 10);
  hash_hex(trace, strlen(trace), sha);
  assert_string_equal(f.sha256, sha);
  assert_string_equal(f.path, path);
  datafile_free(&f);

  temp_file(path, "tokens,weight\n100,1\n200,3\n");
  assert_int_equal(datafile_load_hist(path, &f, &err), SS_OK);
  assert_int_equal(f.hist.n, 2);
  check_eq(f.hist.cum[0], 0.25);
  check_eq(f.hist.cum[1], 1.0);
  datafile_free(&f);
  unlink(path);

  temp_file(path, "tokens,weight\n# nothing yet\n");
  assert_int_equal(datafile_load_hist(path, &f, &err), SS_EDATA);
  check_msg(strstr(err.msg, "has no data rows"), "message: %s", err.msg);
  unlink(path);
  temp_file(path, "100,0\n200,0\n");
  assert_int_equal(datafile_load_hist(path, &f, &err), SS_EDATA);
  check_msg(strstr(err.msg, "weights sum to 0"), "message: %s", err.msg);
  unlink(path);
  temp_file(path, "tokens,weight\n100,1\n");
  assert_int_equal(datafile_load_trace(path, &f, &err), SS_EDATA); /* a histogram is not a trace */
  check_msg(strstr(err.msg, ":1: header 'tokens,weight' is not 'arrival_s,input_tokens,output_tokens'"), "message: %s",
            err.msg);
  unlink(path);
}

/* A trace saved with a byte-order mark, CRLF or lone-CR line ends, or quoted numbers reads the same;
 * an extra column, a mistyped header or a NUL byte is refused with its line. */
static void test_trace_files_read_the_same_however_saved_and_refuse_malformed_rows(void **state) {
  (void)state;
  static const char *const SAVED[] = {
      "arrival_s,input_tokens,output_tokens\n0.5,100,10\n1.5,200,20\n",
      "\357\273\277arrival_s,input_tokens,output_tokens\r\n0.5,100,10\r\n1.5,200,20\r\n", /* UTF-8 BOM (octal) */
      "arrival_s,input_tokens,output_tokens\r0.5,100,10\r1.5,200,20\r",
      "arrival_s, input_tokens, output_tokens\n\"0.5\",100,10\n1.5,\"200\",20\n",
  };
  char path[64];
  datafile f;
  ss_err err = {{0}};
  for (size_t i = 0; i < sizeof SAVED / sizeof SAVED[0]; i++) {
    temp_file(path, SAVED[i]);
    ss_status rc = datafile_load_trace(path, &f, &err);
    unlink(path);
    check_msg(rc == SS_OK, "file %zu: %s", i, err.msg);
    assert_int_equal(f.trace.n, 2);
    check_eq(f.trace.t_s[1], 1.5);
    assert_int_equal(f.trace.in[1], 200);
    datafile_free(&f);
  }
  static const struct {
    const char *text, *want;
  } BAD[] = {
      {"arrival_s,input_tokens,output_tokens,user\n0,1,1,7\n",
       ":1: header 'arrival_s,input_tokens,output_tokens,user' is not"},
      {"arrival_s,input_tokens,output_tokens\n0,1,1,7\n",
       ":2: expected 3 numeric columns (arrival_s,input_tokens,output_tokens), got '0,1,1,7'"},
      {"arival_s,input_tokens,output_tokens\n0,1,1\n", ":1: header 'arival_s,input_tokens,output_tokens' is not"},
      {"0,1,1\n1,\"2,\n", ":2: field 2: the quote opened here is never closed"},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    temp_file(path, BAD[i].text);
    assert_int_equal(datafile_load_trace(path, &f, &err), SS_EDATA);
    unlink(path);
    check_msg(strstr(err.msg, BAD[i].want), "case %zu: %s (want %s)", i, err.msg, BAD[i].want);
  }
  int fd = (temp_file(path, ""), open(path, O_WRONLY));
  assert_int_equal(write(fd, "0,1,1\n1,1\0,1\n", 13), 13);
  close(fd);
  assert_int_equal(datafile_load_trace(path, &f, &err), SS_EDATA);
  unlink(path);
  check_msg(strstr(err.msg, ":2: NUL byte; allowed: CSV text"), "NUL: %s", err.msg);
  /* histogram weights whose sum overflows are refused, not normalised to zeros and NaNs */
  const char *hist = "tokens,weight\n100,1e308\n200,1e308\n";
  assert_int_equal(datafile_parse_hist("h.csv", hist, strlen(hist), &f, &err), SS_EDATA);
  check_msg(strstr(err.msg, "h.csv: the histogram weights sum to inf; allowed: a positive, finite sum"), "%s", err.msg);
  /* text in memory reads like a file */
  const char *trace = "0.5,100,10\n1.5,200,20\n";
  assert_int_equal(datafile_parse_trace("t.csv", trace, strlen(trace), &f, &err), SS_OK);
  assert_int_equal(f.trace.n, 2);
  datafile_free(&f);
}

static void test_lengths_respect_caps_and_uniform_bounds(void **state) {
  wl_gen *g = gen(state, (const char *[]){"workload.input_tokens.max=500", "workload.output_tokens.dist=uniform",
                                          "workload.output_tokens.min=10", "workload.output_tokens.max=20", NULL});
  bool lo = false, hi = false;
  for (int i = 0; i < 20000; i++) {
    uint32_t in, out;
    wl_lengths(g, &in, &out);
    check_within(in, 1, 500);
    check_within(out, 10, 20);
    lo |= out == 10, hi |= out == 20;
  }
  check_msg(lo && hi, "the uniform bounds were never drawn: min %s, max %s", lo ? "seen" : "not seen",
            hi ? "seen" : "not seen");
  gen_free(g);
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
  check_near_strict(rho, 0.8, 3 * (1 - 0.64) / sqrt(n) + 0.005); /* + rounding to whole tokens */
  gen_free(g);
}

static void test_arrival_times_do_not_depend_on_the_length_distributions(void **state) {
  wl_gen *a = gen(state, NULL);
  wl_gen *b = gen(state, (const char *[]){"workload.output_tokens.dist=fixed", "workload.correlation=0.5", NULL});
  for (int i = 0; i < 1000; i++) {
    wl_req ra, rb;
    check_msg(wl_next(a, &ra) && wl_next(b, &rb), "a Poisson process ended after %d arrivals", i);
    check_eq(ra.t_s, rb.t_s);
  }
  gen_free(a);
  gen_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_poisson_count_is_within_three_sigma_of_rate_times_time),
      cmocka_unit_test(test_gamma_gaps_have_the_requested_mean_and_cv),
      cmocka_unit_test(test_lognormal_median_is_within_three_sigma),
      cmocka_unit_test(test_mean_lengths_equal_the_mean_of_the_draws),
      cmocka_unit_test(test_diurnal_rate_follows_the_hourly_profile),
      cmocka_unit_test(test_offline_gives_n_requests_at_time_zero),
      cmocka_unit_test(test_closed_loop_think_times_are_exponential_with_the_given_mean),
      cmocka_unit_test(test_trace_replay_scales_time_and_keeps_lengths),
      cmocka_unit_test(test_bad_trace_rows_are_reported_with_file_and_line),
      cmocka_unit_test(test_empirical_lengths_follow_the_histogram_weights),
      cmocka_unit_test(test_bad_histogram_rows_are_reported_with_file_and_line),
      cmocka_unit_test(test_a_missing_trace_is_named_with_its_key_and_the_system_error),
      cmocka_unit_test(test_data_files_keep_their_rows_and_content_hash),
      cmocka_unit_test(test_lengths_respect_caps_and_uniform_bounds),
      cmocka_unit_test(test_trace_files_read_the_same_however_saved_and_refuse_malformed_rows),
      cmocka_unit_test(test_correlation_of_log_lengths_matches_the_setting),
      cmocka_unit_test(test_arrival_times_do_not_depend_on_the_length_distributions),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
