/* test_api.c: the stable C API as an embedding program uses it: a scenario from a string, overrides
 * that are checked (a refused one leaves the scenario as it was), a study run into memory whose
 * summaries are the statistics of its replicate values and do not depend on the thread count or the
 * shard split, the file it writes, and errors returned with their status and message. */
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

#include "api/servesim.h"
#include "check.h"

static const char *const YAML = "name: api-test\nseed: 7\nreplicates: 4\nhorizon: {duration_s: 60, warmup_s: 5}\n"
                                "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b, engine: vllm}\n"
                                "workload: {arrival: {process: poisson, rate_per_s: 2}}\n"
                                "sweep: {workload.arrival.rate_per_s: [1, 3]}\n";

static servesim_hwdb *db;

static int setup(void **state) {
  servesim_error e;
  (void)state;
  if (servesim_hwdb_load(TEST_HWDB, &db, &e)) fail_msg("%s", e.message);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  servesim_hwdb_free(db);
  return 0;
}

static servesim_study *run(servesim_scenario *sc, int threads, unsigned shard, unsigned shards) {
  servesim_run_options o = SERVESIM_RUN_OPTIONS_INIT;
  servesim_study *st;
  servesim_error e;
  o.threads = threads, o.shard_index = shard, o.shard_count = shards;
  if (servesim_study_run(sc, &o, &st, &e)) fail_msg("%s", e.message);
  return st;
}

static void test_versions_and_hwdb_are_reported(void **state) {
  (void)state;
  assert_int_equal(servesim_api_version(), SERVESIM_API_VERSION);
  assert_string_equal(servesim_version(), SERVESIM_VERSION);
  assert_int_equal(strlen(servesim_hwdb_sha256(db)), 64);
  check_msg(servesim_hwdb_count(db, "gpus") > 5, "%zu gpus", servesim_hwdb_count(db, "gpus"));
  assert_non_null(servesim_hwdb_id(db, "models", 0));
  assert_null(servesim_hwdb_id(db, "models", servesim_hwdb_count(db, "models")));
  assert_int_equal(servesim_hwdb_count(db, "nonsense"), 0);
}

static void test_summaries_are_the_statistics_of_the_replicate_values(void **state) {
  (void)state;
  servesim_scenario *sc;
  servesim_error e;
  servesim_summary s;
  if (servesim_scenario_load_string(db, "api.yaml", YAML, NULL, 0, &sc, &e)) fail_msg("%s", e.message);
  assert_int_equal(servesim_scenario_points(sc), 2);
  servesim_study *st = run(sc, 1, 0, 0);
  assert_int_equal(servesim_study_points(st), 2);
  assert_int_equal(servesim_study_replicates(st), 4);
  assert_string_equal(servesim_study_axis_key(st, 0), "workload.arrival.rate_per_s");
  check_eq(servesim_study_axis_value(st, 0, 1), 3.0);
  assert_null(servesim_study_axis_text(st, 0, 1));
  size_t n = 0;
  for (size_t p = 0; p < 2; p++, n++) {
    double sum = 0;
    if (servesim_study_summary(st, p, "output_tok_s", &s, &e)) fail_msg("%s", e.message);
    for (size_t r = 0; r < 4; r++) sum += servesim_study_value(st, p, r, "output_tok_s");
    check_rel(s.mean, sum / 4, 1e-12);
    check_le(s.ci95_lo, s.mean);
    check_ge(s.ci95_hi, s.mean);
    assert_int_equal(s.n, 4);
  }
  check_min_cases(n, 2);
  assert_int_equal(servesim_study_summary(st, 0, "no_such_metric", &s, &e), SERVESIM_EUSAGE);
  check_msg(strstr(e.message, "unknown metric 'no_such_metric'") != NULL, "%s", e.message);
  assert_int_equal(servesim_study_summary(st, 2, "output_tok_s", &s, &e), SERVESIM_EUSAGE);
  check_nan(servesim_study_value(st, 0, 4, "output_tok_s"));
  servesim_study_free(st);
  servesim_scenario_free(sc);
}

static void test_results_do_not_depend_on_threads_or_shards(void **state) {
  (void)state;
  servesim_scenario *sc;
  servesim_error e;
  if (servesim_scenario_load_string(db, "api.yaml", YAML, NULL, 0, &sc, &e)) fail_msg("%s", e.message);
  servesim_study *one = run(sc, 1, 0, 0), *three = run(sc, 3, 0, 0), *part = run(sc, 2, 2, 2);
  unsigned i, k;
  size_t lo, hi, tasks;
  assert_true(servesim_study_part(part, &i, &k, &lo, &hi, &tasks));
  assert_false(servesim_study_part(one, NULL, NULL, NULL, NULL, NULL));
  assert_int_equal(tasks, 8);
  size_t n = 0;
  for (size_t m = 0; m < servesim_metric_count(); m++)
    for (size_t t = 0; t < 8; t++, n++) {
      const char *name = servesim_metric_name(m);
      double a = servesim_study_value(one, t / 4, t % 4, name), b = servesim_study_value(three, t / 4, t % 4, name);
      check_msg(memcmp(&a, &b, sizeof a) == 0, "%s task %zu: %.17g at 1 thread, %.17g at 3", name, t, a, b);
      if (t >= lo && t < hi) {
        double c = servesim_study_value(part, t / 4, t % 4, name);
        check_msg(memcmp(&a, &c, sizeof a) == 0, "%s task %zu: %.17g whole, %.17g in part 2/2", name, t, a, c);
      }
    }
  check_min_cases(n, 8 * 20);
  servesim_summary s;
  assert_int_equal(servesim_study_summary(part, 0, "output_tok_s", &s, &e), SERVESIM_EUSAGE); /* no summaries */
  servesim_study_free(one), servesim_study_free(three), servesim_study_free(part);
  servesim_scenario_free(sc);
}

static void test_a_refused_override_leaves_the_scenario_as_it_was(void **state) {
  (void)state;
  servesim_scenario *sc;
  servesim_error e;
  const char *sets[] = {"replicates=2"};
  if (servesim_scenario_load_string(db, "api.yaml", YAML, sets, 1, &sc, &e)) fail_msg("%s", e.message);
  assert_int_equal(servesim_scenario_set(sc, "deployment.tp=8.5", &e), SERVESIM_EDATA);
  check_msg(strstr(e.message, "deployment.tp") && strstr(e.message, "8.5"), "%s", e.message);
  assert_int_equal(e.status, SERVESIM_EDATA);
  if (servesim_scenario_set(sc, "sweep.workload.arrival.rate_per_s=[1, 2, 4]", &e)) fail_msg("%s", e.message);
  assert_int_equal(servesim_scenario_points(sc), 3);
  servesim_study *st = run(sc, 0, 0, 0);
  assert_int_equal(servesim_study_replicates(st), 2); /* the first override still holds */
  servesim_study_free(st);
  servesim_scenario_free(sc);
  assert_int_equal(servesim_scenario_load(db, "/nonexistent/s.yaml", NULL, 0, &sc, &e), SERVESIM_ENOINPUT);
  assert_null(sc);
}

static void test_the_study_file_is_written_and_inputs_are_never_overwritten(void **state) {
  (void)state;
  char dir[] = "/tmp/servesim-api-XXXXXX", yaml[600], out[600];
  assert_non_null(mkdtemp(dir));
  snprintf(yaml, sizeof yaml, "%s/s.yaml", dir), snprintf(out, sizeof out, "%s/s.h5", dir);
  FILE *f = fopen(yaml, "w");
  assert_non_null(f);
  fputs(YAML, f);
  fclose(f);
  servesim_scenario *sc;
  servesim_error e;
  if (servesim_scenario_load(db, yaml, NULL, 0, &sc, &e)) fail_msg("%s", e.message);
  assert_int_equal(servesim_scenario_check_output(sc, yaml, &e), SERVESIM_EUSAGE);
  check_msg(strstr(e.message, "would overwrite the input") != NULL, "%s", e.message);
  servesim_study *st = run(sc, 0, 0, 0);
  assert_int_equal(servesim_study_write(st, yaml, 0, NULL, &e), SERVESIM_EUSAGE);
  if (servesim_study_write(st, out, 0, NULL, &e)) fail_msg("%s", e.message);
  check_msg(access(out, R_OK) == 0, "%s not written", out);
  servesim_study_free(st);
  servesim_scenario_free(sc);
  unlink(out), unlink(yaml), rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_versions_and_hwdb_are_reported),
      cmocka_unit_test(test_summaries_are_the_statistics_of_the_replicate_values),
      cmocka_unit_test(test_results_do_not_depend_on_threads_or_shards),
      cmocka_unit_test(test_a_refused_override_leaves_the_scenario_as_it_was),
      cmocka_unit_test(test_the_study_file_is_written_and_inputs_are_never_overwritten),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
