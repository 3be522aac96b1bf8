/* test_precision.c: sequential precision. A run stops at the first batch after which every target
 * holds at every point (and not a batch earlier), or at the cap with the target reported missed; its
 * replicates and results are bit-identical for 1 and 3 threads; with plain Monte Carlo points its data
 * equal those of a plain run of as many replicates (batching and the final shrink lose nothing);
 * what cannot be run sequentially is refused. */
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
#include "hwdb/hwdb.h"
#include "study/precision.h"
#include "study/study.h"

#define BASE                                                                 \
  "name: precision\n"                                                        \
  "seed: 5\n"                                                                \
  "replicates: 4\n"                                                          \
  "horizon: {duration_s: 40, warmup_s: 5}\n"                                 \
  "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b}\n"                  \
  "workload:\n"                                                              \
  "  arrival: {process: poisson, rate_per_s: 4}\n"                           \
  "  input_tokens: {dist: lognormal, median: 400, sigma: 0.8, max: 4096}\n"  \
  "  output_tokens: {dist: lognormal, median: 200, sigma: 0.8, max: 2048}\n" \
  "output: {capacity: false}\n"                                              \
  "uncertain:\n"                                                             \
  "  efficiency.hbm: {dist: uniform, min: 0.5, max: 0.9}\n"                  \
  "sweep: {workload.arrival.rate_per_s: [2, 5]}\n"

static hwdb db;

static int setup(void **state) {
  ss_err err = {{0}};
  (void)state;
  return hwdb_load(TEST_HWDB, &db, &err) ? -1 : 0;
}

static int teardown(void **state) {
  (void)state;
  hwdb_free(&db);
  return 0;
}

/* Runs BASE with one --set override (or none) and the targets given. */
static ss_status run(const char *set, const study_target *t, size_t n_t, size_t cap, int threads, unsigned shards,
                     study *st, ss_err *err) {
  study_spec *spec = malloc(sizeof *spec);
  const char *sets[] = {set};
  study_opts o = {.threads = threads,
                  .shard_index = shards ? 1 : 0,
                  .shard_count = shards,
                  .targets = t,
                  .n_targets = n_t,
                  .max_replicates = cap};
  ss_status rc = scenario_load_string("precision", BASE, sets, set != NULL, &db, spec, err);
  if (!rc) rc = study_run(spec, &db, &o, st, err), scenario_free(spec);
  free(spec);
  return rc;
}

static void test_a_run_stops_at_the_first_batch_that_meets_every_target(void **state) {
  (void)state;
  study st;
  ss_err err = {{0}};
  const study_target t[] = {{RM_ttft_p99_s, 0.08}, {RM_output_tok_s, 0.04}};
  if (run(NULL, t, 2, 200, 2, 0, &st, &err)) fail_msg("%s", err.msg);
  size_t R = st.n_reps;
  assert_true(st.precision.met);
  check_gt(R, 4); /* the first batch was not enough ... */
  assert_int_equal(R % 4, 0);
  assert_int_equal(st.precision.rounds, R / 4);
  for (size_t k = 0; k < 2; k++)
    for (size_t p = 0; p < st.n_points; p++) check_le(st.precision.rel[k * st.n_points + p], t[k].rel);
  assert_false(precision_reached(&st, R - 4)); /* ... and one batch fewer would not have been */
  study_free(&st);
}

static void test_an_unreachable_target_stops_at_the_cap_and_says_so(void **state) {
  (void)state;
  study st;
  ss_err err = {{0}};
  const study_target t[] = {{RM_ttft_p99_s, 1e-4}};
  if (run(NULL, t, 1, 10, 2, 0, &st, &err)) fail_msg("%s", err.msg);
  assert_int_equal(st.n_reps, 10); /* batches of 4, 4, then the 2 the cap leaves */
  assert_int_equal(st.precision.rounds, 3);
  assert_false(st.precision.met);
  study_free(&st);
}

static void test_a_sequential_run_is_bit_identical_for_any_thread_count(void **state) {
  (void)state;
  study a, b;
  ss_err err = {{0}};
  const study_target t[] = {{RM_tpot_p99_s, 0.03}};
  if (run(NULL, t, 1, 100, 1, 0, &a, &err) || run(NULL, t, 1, 100, 3, 0, &b, &err)) fail_msg("%s", err.msg);
  assert_int_equal(a.n_reps, b.n_reps);
  assert_memory_equal(a.res, b.res, study_tasks(&a) * sizeof *a.res);
  assert_memory_equal(a.inputs[0].value, b.inputs[0].value, study_tasks(&a) * sizeof(double));
  study_free(&a), study_free(&b);
}

/* Plain Monte Carlo points do not depend on how many follow: the sequential run's data are those of a
 * plain run of the replicates it ended with. */
static void test_batches_and_the_final_shrink_lose_nothing(void **state) {
  (void)state;
  study seq, plain;
  ss_err err = {{0}};
  char set[64];
  const study_target t[] = {{RM_ttft_p99_s, 0.06}};
  if (run("study.design=random", t, 1, 200, 2, 0, &seq, &err)) fail_msg("%s", err.msg);
  study_spec *spec = malloc(sizeof *spec);
  const char *sets[] = {"study.design=random", set};
  snprintf(set, sizeof set, "replicates=%zu", seq.n_reps);
  study_opts o = {.threads = 2};
  if (scenario_load_string("precision", BASE, sets, 2, &db, spec, &err) || study_run(spec, &db, &o, &plain, &err))
    fail_msg("%s", err.msg);
  assert_int_equal(plain.n_reps, seq.n_reps);
  assert_memory_equal(plain.res, seq.res, study_tasks(&seq) * sizeof *seq.res);
  assert_memory_equal(plain.slo_met, seq.slo_met, study_tasks(&seq) * sizeof *seq.slo_met);
  assert_memory_equal(plain.inputs[0].value, seq.inputs[0].value, study_tasks(&seq) * sizeof(double));
  assert_memory_equal(plain.design.traffic, seq.design.traffic, seq.n_reps * sizeof *seq.design.traffic);
  for (size_t p = 0; p < seq.n_points; p++)
    assert_memory_equal(plain.summary[p], seq.summary[p], sizeof plain.summary[p]);
  scenario_free(spec);
  free(spec);
  study_free(&seq), study_free(&plain);
}

static void test_what_cannot_run_sequentially_is_refused(void **state) {
  (void)state;
  study st;
  ss_err err = {{0}};
  const study_target t[] = {{RM_ttft_p99_s, 0.05}};
  assert_int_equal(run(NULL, t, 1, 100, 2, 2, &st, &err), SS_EUSAGE);
  check_msg(strstr(err.msg, "without --shard"), "%s", err.msg);
  assert_int_equal(run(NULL, t, 1, 3, 2, 0, &st, &err), SS_EUSAGE);
  check_msg(strstr(err.msg, "--max-replicates 3 is below the first batch of 4"), "%s", err.msg);
  study_target parsed;
  assert_int_equal(precision_parse("ttft_p99=0.05", &parsed, &err), SS_EUSAGE);
  assert_int_equal(precision_parse("ttft_p99_s=0", &parsed, &err), SS_EUSAGE);
  assert_int_equal(precision_parse("ttft_p99_s=0.05", &parsed, &err), SS_OK);
  assert_int_equal(parsed.metric, RM_ttft_p99_s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_run_stops_at_the_first_batch_that_meets_every_target),
      cmocka_unit_test(test_an_unreachable_target_stops_at_the_cap_and_says_so),
      cmocka_unit_test(test_a_sequential_run_is_bit_identical_for_any_thread_count),
      cmocka_unit_test(test_batches_and_the_final_shrink_lose_nothing),
      cmocka_unit_test(test_what_cannot_run_sequentially_is_refused),
  };
  gsl_set_error_handler_off(); /* as main does */
  return cmocka_run_group_tests(tests, setup, teardown);
}
