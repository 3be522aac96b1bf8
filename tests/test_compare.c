/* test_compare.c: paired comparisons on common random numbers. A scenario compared with itself
 * differs by exactly zero in every metric (the streams of A and B align bit for bit); a real change
 * is measured with a paired CI narrower than the one two independent runs of the same budget give;
 * scenarios whose streams cannot align are refused; the compare file reads back as written. */
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
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "hwdb/hwdb.h"
#include "io/comparefile.h"
#include "study/compare.h"

#define BASE                                                                 \
  "name: cmp\n"                                                              \
  "seed: 7\n"                                                                \
  "replicates: 8\n"                                                          \
  "horizon: {duration_s: 60, warmup_s: 10}\n"                                \
  "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b}\n"                  \
  "workload:\n"                                                              \
  "  arrival: {process: poisson, rate_per_s: 6}\n"                           \
  "  input_tokens: {dist: lognormal, median: 400, sigma: 0.8, max: 4096}\n"  \
  "  output_tokens: {dist: lognormal, median: 200, sigma: 0.8, max: 2048}\n" \
  "output: {capacity: false}\n"                                              \
  "uncertain:\n"                                                             \
  "  efficiency.hbm: {dist: uniform, min: 0.5, max: 0.9}\n"

typedef struct {
  hwdb db;
  study_spec a, b;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  ss_err err = {{0}};
  if (!f || hwdb_load(TEST_HWDB, &f->db, &err)) return free(f), -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  hwdb_free(&f->db);
  free(f);
  return 0;
}

/* The base scenario with up to two --set overrides (NULL: none). */
static void load(fixture *f, study_spec *s, const char *name, const char *set0, const char *set1) {
  const char *sets[] = {set0, set1};
  ss_err err = {{0}};
  if (scenario_load_string(name, BASE, sets, (size_t)(set0 != NULL) + (set1 != NULL), &f->db, s, &err))
    fail_msg("%s", err.msg);
}

/* A is the base scenario, B the base with set0 and set1. */
static void run_compare(fixture *f, const char *set0, const char *set1, compare *c) {
  ss_err err = {{0}};
  study_opts o = {.threads = 2};
  load(f, &f->a, "A", NULL, NULL), load(f, &f->b, "B", set0, set1);
  if (compare_run(&f->a, &f->b, &f->db, &o, c, &err)) fail_msg("%s", err.msg);
  scenario_free(&f->a), scenario_free(&f->b);
}

static void test_a_scenario_compared_with_itself_differs_by_exactly_zero(void **state) {
  fixture *f = *state;
  compare c;
  run_compare(f, "pricing.usd_per_gpu_hour=9", "pricing.price_gpu=any", &c); /* a bill, not a system */
  size_t checked = 0;
  for (int m = 0; m < RM_COUNT; m++) {
    const double *v = compare_at(&c, (result_metric)m, 0);
    bool cost = strstr(result_name((result_metric)m), "usd") != NULL;
    if (cost || isnan(v[CMP_diff])) continue;
    check_msg(v[CMP_diff] == 0 && v[CMP_halfwidth_paired] == 0, "%s: B - A = %g +- %g, want exactly 0",
              result_name((result_metric)m), v[CMP_diff], v[CMP_halfwidth_paired]);
    checked++;
  }
  check_min_cases(checked, 20);
  check_gt(compare_at(&c, RM_usd_per_1m_output, 0)[CMP_ci95_lo], 0); /* the price did change the bill */
  compare_free(&c);
}

/* Welch half-width of B - A from two independent sets of n replicates. */
static double independent_halfwidth(const study *a, const study *b, result_metric m) {
  double sa = 0, sb = 0, qa = 0, qb = 0, n = (double)a->n_reps;
  for (size_t r = 0; r < a->n_reps; r++) sa += a->res[r].v[m], sb += b->res[r].v[m];
  for (size_t r = 0; r < a->n_reps; r++) qa += pow(a->res[r].v[m] - sa / n, 2), qb += pow(b->res[r].v[m] - sb / n, 2);
  double va = qa / (n - 1), vb = qb / (n - 1), df = (va + vb) * (va + vb) * (n - 1) / (va * va + vb * vb);
  return gsl_cdf_tdist_Pinv(0.975, df) * sqrt((va + vb) / n);
}

/* One replica more, at the same budget of 8 replicates each: the paired CI is narrower than what
 * independent runs give, measured both ways (from the same replicates, and from a second run of B
 * on other random numbers). */
static void test_common_random_numbers_give_a_narrower_ci_than_independent_runs(void **state) {
  fixture *f = *state;
  compare c;
  run_compare(f, "deployment.replicas=2", NULL, &c);
  study sa, sb;
  ss_err err = {{0}};
  study_opts o = {.threads = 2};
  load(f, &f->a, "A", NULL, NULL), load(f, &f->b, "B, other random numbers", "deployment.replicas=2", "seed=1007");
  if (study_run(&f->a, &f->db, &o, &sa, &err) || study_run(&f->b, &f->db, &o, &sb, &err)) fail_msg("%s", err.msg);
  const result_metric metrics[] = {RM_output_tok_s, RM_tpot_p99_s, RM_usd_per_1m_output};
  for (size_t i = 0; i < 3; i++) {
    const double *v = compare_at(&c, metrics[i], 0);
    double indep = independent_halfwidth(&sa, &sb, metrics[i]);
    assert_int_equal(v[CMP_n_used], 8);
    check_msg(v[CMP_halfwidth_paired] < v[CMP_halfwidth_independent] && v[CMP_halfwidth_paired] < indep,
              "%s: paired +-%g, independent +-%g (same replicates) and +-%g (other random numbers)",
              result_name(metrics[i]), v[CMP_halfwidth_paired], v[CMP_halfwidth_independent], indep);
    check_gt(v[CMP_variance_ratio], 1.5);
  }
  check_lt(compare_at(&c, RM_tpot_p99_s, 0)[CMP_ci95_hi], 0); /* two replicas: shorter batches, faster tokens */
  study_free(&sa), study_free(&sb);
  scenario_free(&f->a), scenario_free(&f->b);
  compare_free(&c);
}

static void expect_refusal(fixture *f, const char *set_b, const char *want) {
  ss_err err = {{0}};
  load(f, &f->a, "A", NULL, NULL), load(f, &f->b, "B", set_b, NULL);
  assert_int_equal(compare_check(&f->a, &f->b, &err), SS_EDATA);
  check_msg(strstr(err.msg, want) != NULL, "message lacks '%s': %s", want, err.msg);
  scenario_free(&f->a), scenario_free(&f->b);
}

static void test_scenarios_whose_streams_cannot_align_are_refused(void **state) {
  fixture *f = *state;
  expect_refusal(f, "seed=8", "the seeds differ: A has seed 7, B has seed 8");
  expect_refusal(f, "replicates=9", "the replicate counts differ");
  expect_refusal(f, "sweep.workload.arrival.rate_per_s=[2, 4]", "the sweeps differ");
  expect_refusal(f, "uncertain.efficiency.compute={dist: uniform, min: 0.4, max: 0.6}", "the uncertain inputs differ");
  expect_refusal(f, "study.design=sobol", "the designs differ: A has lhs, B has sobol");
}

static void test_a_compare_file_reads_back_as_written(void **state) {
  fixture *f = *state;
  compare c, back;
  ss_err err = {{0}};
  run_compare(f, "deployment.tp=2", NULL, &c);
  char path[] = "/tmp/servesim_test_compare_XXXXXX";
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp failed");
  close(fd);
  char *argv[] = {"servesim", "compare"};
  if (comparefile_write(&c, path, 2, argv, NULL, 0, &err) || comparefile_read(path, &back, &err))
    fail_msg("%s", err.msg);
  assert_int_equal(back.n_points, 1);
  assert_int_equal(back.n_reps, 8);
  assert_memory_equal(back.v, c.v, (size_t)RM_COUNT * CMP_COUNT * sizeof *c.v);
  assert_memory_equal(back.rep_b, c.rep_b, (size_t)RM_COUNT * 8 * sizeof *c.rep_b);
  assert_string_equal(back.config_b, c.config_b);
  compare_free(&c), compare_free(&back);
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_scenario_compared_with_itself_differs_by_exactly_zero),
      cmocka_unit_test(test_common_random_numbers_give_a_narrower_ci_than_independent_runs),
      cmocka_unit_test(test_scenarios_whose_streams_cannot_align_are_refused),
      cmocka_unit_test(test_a_compare_file_reads_back_as_written),
  };
  gsl_set_error_handler_off(); /* as main does */
  return cmocka_run_group_tests(tests, setup, teardown);
}
