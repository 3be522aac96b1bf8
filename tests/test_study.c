/* test_study.c: tasks and slots, common random numbers for uncertain inputs, the samplers,
 * bit-identical results for any thread count and shard split, axis values in point order,
 * saturated replicates in the summaries, and failing tasks named by index.
 * Nothing here depends on the simulator's numbers: only on their structure and determinism. */
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

#include "base/rng.h"
#include "check.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "study/study.h"

#define STUDY_BASE                                                          \
  "name: test-study\n"                                                      \
  "seed: 11\n"                                                              \
  "replicates: 5\n"                                                         \
  "horizon: {duration_s: 60, warmup_s: 10}\n"                               \
  "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b}\n"                 \
  "workload:\n"                                                             \
  "  arrival: {process: poisson, rate_per_s: 2}\n"                          \
  "  input_tokens: {dist: lognormal, median: 200, sigma: 0.5, max: 2048}\n" \
  "  output_tokens: {dist: lognormal, median: 100, sigma: 0.5, max: 1024}\n"
#define STUDY_SWEEP                         \
  "sweep:\n"                                \
  "  workload.arrival.rate_per_s: [1, 3]\n" \
  "  deployment.engine: [vllm, sglang]\n"

static const char *const STUDY_YAML =
    STUDY_BASE "uncertain:\n"
               "  efficiency.hbm: {dist: uniform, min: 0.7, max: 0.9}\n"
               "  pricing.usd_per_gpu_hour: {dist: triangular, min: 2, mode: 2.5, max: 4}\n" STUDY_SWEEP;
/* Loads fine (the log estimate uses the scenario's rate, 2/s: 600 rows) but the sampled rates give every
 * task's request log thousands of rows, past the limit. */
static const char *const OVERLOGGED_YAML =
    STUDY_BASE "output: {requests: true, capacity: false}\nlimits: {max_log_rows: 2000}\n"
               "uncertain: {workload.arrival.rate_per_s: {dist: uniform, min: 100, max: 200}}\n";

typedef struct {
  hwdb db;
  study_spec sc;
} fixture;

/* Loads yaml (a temporary file) against f->db into f->sc; fails the test when it does not load. */
static void load_text(fixture *f, const char *yaml, const char *const *sets, size_t n_set) {
  char path[] = "/tmp/servesim_test_study_XXXXXX";
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp %s failed", path);
  FILE *out = fdopen(fd, "w");
  fputs(yaml, out);
  fclose(out);
  ss_err err = {{0}};
  ss_status rc = scenario_load(path, sets, n_set, &f->db, &f->sc, &err);
  remove(path);
  if (rc) fail_msg("%s", err.msg);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  ss_err err = {{0}};
  if (!f || hwdb_load(TEST_HWDB, &f->db, &err)) return free(f), -1;
  load_text(f, STUDY_YAML, NULL, 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  scenario_free(&f->sc);
  hwdb_free(&f->db);
  free(f);
  return 0;
}

static void run(fixture *f, int threads, uint64_t shard, uint64_t shards, study *st) {
  ss_err err = {{0}};
  study_opts o = {.threads = threads, .shard_index = shard, .shard_count = shards};
  if (study_run(&f->sc, &f->db, &o, st, &err)) fail_msg("%s", err.msg);
}

static void test_slices_tile_the_task_range_without_gaps_or_overlap(void **state) {
  (void)state;
  const size_t ns[] = {1, 7, 20, 1000};
  size_t tested = 0;
  for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
    for (size_t parts = 1; parts <= 9; parts++) {
      size_t next = 0, lo, hi;
      for (size_t i = 1; i <= parts; i++) {
        study_slice(ns[a], i, parts, &lo, &hi);
        assert_int_equal(lo, next);
        check_ge(hi, lo);
        check_le(hi - lo, ns[a] / parts + 1);
        next = hi;
      }
      assert_int_equal(next, ns[a]);
      tested++;
    }
  check_min_cases(tested, 4 * 9);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Philox streams with distinct keys are independent; a key collision would make two replicates
 * (or two seeds) share their random numbers. */
static void test_replicate_streams_have_distinct_keys_across_seeds(void **state) {
  (void)state;
  enum { SEEDS = 4, REPS = 5000 };
  uint64_t *k = malloc(SEEDS * REPS * sizeof *k);
  for (uint64_t s = 0; s < SEEDS; s++)
    for (uint64_t r = 0; r < REPS; r++) k[s * REPS + r] = rng_key(s, 0, r);
  qsort(k, SEEDS * REPS, sizeof *k, cmp_u64);
  for (size_t i = 1; i < SEEDS * REPS; i++)
    check_msg(k[i] != k[i - 1], "key %#llx appears twice", (unsigned long long)k[i]);
  free(k);
}

/* Units of a swept or sampled key come from the key table (CF style), never from its spelling. */
static const char *key_units(const char *key) {
  size_t n;
  const kt_field *tab = scenario_fields(&n);
  const kt_field *f = kt_find(tab, n, key);
  if (!f) fail_msg("no scenario key %s", key);
  return kt_units(f);
}

static void test_key_units_come_from_the_key_table(void **state) {
  (void)state;
  assert_string_equal(key_units("workload.arrival.rate_per_s"), "1/s");
  assert_string_equal(key_units("horizon.duration_s"), "s");
  assert_string_equal(key_units("pricing.usd_per_gpu_hour"), "USD/h");
  assert_string_equal(key_units("efficiency.hbm"), "1");
  assert_string_equal(key_units("deployment.engine"), ""); /* names carry no units */
}

static void test_axes_record_the_swept_values_in_point_order(void **state) {
  fixture *f = *state;
  study st;
  run(f, 1, 0, 0, &st);
  assert_int_equal(st.n_points, 4);
  assert_int_equal(st.n_axes, 2);
  assert_string_equal(st.axes[0].key, "workload.arrival.rate_per_s");
  assert_false(st.axes[0].is_text);
  assert_true(st.axes[1].is_text);
  const double rate[] = {1, 1, 3, 3};
  const char *engine[] = {"vllm", "sglang", "vllm", "sglang"};
  for (size_t p = 0; p < 4; p++) {
    check_eq(st.axes[0].num[p], rate[p]);
    assert_string_equal(st.axes[1].text[p], engine[p]);
  }
  assert_string_equal(st.axes[0].units, "1/s");
  assert_string_equal(st.axes[1].units, "");
  check_msg(strstr(st.config_yaml, "test-study"), "config_yaml: %s", st.config_yaml);
  /* provenance: the hwdb it ran with and the scenario file's hash */
  assert_string_equal(st.hwdb_sha256, f->db.sha256);
  assert_int_equal(st.n_input_files, 1);
  assert_string_equal(st.input_files[0].role, "scenario");
  assert_string_equal(st.input_files[0].sha256, f->sc.sha256);
  study_free(&st);
}

static void test_uncertain_inputs_are_common_to_every_point_of_a_replicate(void **state) {
  fixture *f = *state;
  study st;
  run(f, 2, 0, 0, &st);
  assert_int_equal(st.n_inputs, 2);
  for (size_t i = 0; i < st.n_inputs; i++)
    for (size_t r = 0; r < st.n_reps; r++) {
      double v0 = st.inputs[i].value[r];
      check_finite(v0);
      for (size_t p = 1; p < st.n_points; p++)
        assert_memory_equal(&st.inputs[i].value[p * st.n_reps + r], &v0, sizeof v0);
      for (size_t q = 0; q < r; q++)
        check_msg(st.inputs[i].value[q] != v0, "input %zu: replicates %zu and %zu share %.17g", i, q, r, v0);
    }
  /* the design a plain sampling of the scenario gives is the one the tasks ran with */
  double v[SC_MAX_UNCERTAIN * 5];
  ss_err err = {{0}};
  assert_int_equal(design_sample_plain(&f->sc, st.n_reps, v, &err), SS_OK);
  for (size_t i = 0; i < st.n_inputs; i++)
    for (size_t r = 0; r < st.n_reps; r++) check_eq(v[i * st.n_reps + r], st.inputs[i].value[r]);
  study_free(&st);
}

static void test_uncertain_inputs_differ_between_seeds(void **state) {
  fixture *f = *state;
  double a[2 * 5], b[2 * 5];
  ss_err err = {{0}};
  assert_int_equal(design_sample_plain(&f->sc, 5, a, &err), SS_OK);
  study_spec *other = malloc(sizeof *other);
  *other = f->sc; /* no data files: a shallow copy owns nothing */
  other->base.seed = 12;
  assert_int_equal(design_sample_plain(other, 5, b, &err), SS_OK);
  check_msg(a[0] != b[0] && a[5] != b[5], "seeds 11 and 12 share a sample: %.17g %.17g vs %.17g %.17g", a[0], a[5],
            b[0], b[5]);
  other->base.seed = 11;
  assert_int_equal(design_sample_plain(other, 5, b, &err), SS_OK);
  assert_memory_equal(a, b, sizeof a);
  free(other);
}

static void test_samplers_match_their_distributions(void **state) {
  fixture *f = *state;
  study_spec *sc = malloc(sizeof *sc);
  *sc = f->sc;
  sc->n_unc = 4;
  sc->unc[0] = (sc_uncertain){.key = -1, .dist = UNC_UNIFORM, .min = 0.6, .max = 0.9};
  sc->unc[1] = (sc_uncertain){.key = -1, .dist = UNC_NORMAL, .mean = 5, .sd = 1};
  sc->unc[2] = (sc_uncertain){.key = -1, .dist = UNC_LOGNORMAL, .median = 500, .sigma = 0.3};
  sc->unc[3] = (sc_uncertain){.key = -1, .dist = UNC_TRIANGULAR, .min = 2, .mode = 2.5, .max = 4};
  const char *keys[] = {"efficiency.hbm", "workload.arrival.rate_per_s", "workload.input_tokens.median",
                        "pricing.usd_per_gpu_hour"};
  size_t nf;
  const kt_field *fields = scenario_fields(&nf);
  for (int i = 0; i < 4; i++) sc->unc[i].key = kt_index(fields, nf, keys[i]);
  enum { N = 4000 };
  double sum[4] = {0}, sq[4] = {0}, below_median = 0, lo[4], hi[4], v[SC_MAX_UNCERTAIN];
  for (int i = 0; i < 4; i++) lo[i] = INFINITY, hi[i] = -INFINITY;
  ss_err err = {{0}};
  double *all = malloc(4 * N * sizeof *all);
  sc->base.uq.design = SC_DESIGN_RANDOM; /* plain Monte Carlo: the samplers alone */
  assert_int_equal(design_sample_plain(sc, N, all, &err), SS_OK);
  for (size_t r = 0; r < N; r++) {
    for (int i = 0; i < 4; i++) v[i] = all[i * N + r];
    for (int i = 0; i < 4; i++)
      sum[i] += v[i], sq[i] += v[i] * v[i], lo[i] = fmin(lo[i], v[i]), hi[i] = fmax(hi[i], v[i]);
    below_median += v[2] < 500;
  }
  check_ge(lo[0], 0.6);
  check_le(hi[0], 0.9);
  check_near_strict(sum[0] / N, 0.75, 0.005);
  check_near_strict(sum[1] / N, 5, 0.06);
  check_near_strict(sqrt(sq[1] / N - pow(sum[1] / N, 2)), 1, 0.05);
  check_near_strict(below_median / N, 0.5, 0.03);
  check_gt(lo[2], 0);
  check_ge(lo[3], 2);
  check_le(hi[3], 4);
  check_near_strict(sum[3] / N, (2 + 2.5 + 4) / 3, 0.02);
  free(all), free(sc);
}

static void assert_same_study(const study *a, const study *b) {
  size_t n = study_tasks(a);
  assert_int_equal(n, study_tasks(b));
  assert_memory_equal(a->res, b->res, n * sizeof *a->res);
  assert_memory_equal(a->slo_met, b->slo_met, n * sizeof *a->slo_met);
  for (size_t i = 0; i < a->n_inputs; i++)
    assert_memory_equal(a->inputs[i].value, b->inputs[i].value, n * sizeof(double));
  for (size_t p = 0; p < a->n_points; p++)
    for (int m = 0; m < RM_COUNT; m++)
      assert_memory_equal(a->summary[p][m].v, b->summary[p][m].v, sizeof a->summary[p][m].v);
}

static void test_results_are_bit_identical_for_1_2_and_4_threads(void **state) {
  fixture *f = *state;
  study one, two, four;
  run(f, 1, 0, 0, &one);
  run(f, 2, 0, 0, &two);
  run(f, 4, 0, 0, &four);
  assert_same_study(&one, &two);
  assert_same_study(&one, &four);
  study_free(&one), study_free(&two), study_free(&four);
}

static void test_shards_hold_exactly_their_slice_of_the_whole_run(void **state) {
  fixture *f = *state;
  study whole;
  run(f, 2, 0, 0, &whole);
  for (unsigned i = 1; i <= 3; i++) {
    study part;
    run(f, 2, i, 3, &part);
    size_t lo, hi;
    study_slice(study_tasks(&whole), i, 3, &lo, &hi);
    assert_int_equal(part.task_lo, lo);
    assert_int_equal(part.task_hi, hi);
    for (size_t t = 0; t < study_tasks(&part); t++) {
      if (t >= lo && t < hi)
        assert_memory_equal(&part.res[t], &whole.res[t], sizeof part.res[t]);
      else {
        check_nan(part.res[t].v[RM_output_tok_s]);
        check_nan(part.slo_met[t]);
      }
    }
    study_free(&part);
  }
  study_free(&whole);
}

/* A split into more parts than the study has tasks is refused, whatever its size: a count beyond 32
 * bits used to wrap (3/4294967298 became part 3 of 2 and read outside the task range). */
static void test_a_split_into_more_parts_than_tasks_is_refused(void **state) {
  fixture *f = *state;
  study st;
  ss_err err = {{0}};
  const uint64_t splits[][2] = {{3, 4294967298ull}, {1, 4294967297ull}, {1, 21}, {UINT64_MAX, UINT64_MAX}};
  for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
    study_opts o = {.threads = 1, .shard_index = splits[i][0], .shard_count = splits[i][1]};
    assert_int_equal(study_run(&f->sc, &f->db, &o, &st, &err), SS_EUSAGE);
    check_msg(strstr(err.msg, "the study has 20 tasks (4 points x 5 replicates); allowed: i <= N <= 20"), "%s",
              err.msg);
  }
  study_opts o = {.threads = 1, .shard_index = 20, .shard_count = 20}; /* one task per part is still a split */
  assert_int_equal(study_run(&f->sc, &f->db, &o, &st, &err), SS_OK);
  assert_int_equal(st.task_hi - st.task_lo, 1);
  study_free(&st);
}

static void test_every_replicate_has_every_metric_slot_written(void **state) {
  fixture *f = *state;
  study st;
  run(f, 2, 0, 0, &st);
  size_t tested = 0;
  for (size_t t = 0; t < study_tasks(&st); t++) {
    check_finite(st.res[t].v[RM_measured_s]);
    check_finite(st.res[t].v[RM_saturated]);
    check_finite(st.res[t].v[RM_usd_per_hour]);   /* costing_fill ran */
    check_finite(st.res[t].v[RM_capacity_req_s]); /* output.capacity: searched for every replicate */
    check_gt(st.res[t].v[RM_capacity_req_s], 0);
    check_finite(st.res[t].v[RM_utilisation]);
    check_msg(st.slo_met[t] == 0 || st.slo_met[t] == 1, "task %zu: slo_met %.17g", t, st.slo_met[t]);
    tested++;
  }
  check_min_cases(tested, 4 * 5);
  assert_int_equal(st.n_apis, 0); /* no compare_api: no API rows at all */
  assert_null(st.api);
  study_free(&st);
}

static void test_saturated_replicates_are_counted_and_left_out_of_latency_summaries(void **state) {
  (void)state;
  study st;
  memset(&st, 0, sizeof st);
  ss_err err = {{0}};
  assert_int_equal(study_init(&st, 2, 4, false, &err), SS_OK);
  /* point 0: half the replicates saturated; point 1: three of four (beyond capacity) */
  const double ttft[] = {1, 3, 500, 900}, tok[] = {10, 20, 30, 40}, sat[2][4] = {{0, 0, 1, 1}, {1, 1, 0, 1}},
               met[] = {1, 0, 0, 0};
  for (size_t p = 0; p < 2; p++)
    for (size_t r = 0; r < 4; r++) {
      sim_result *res = &st.res[p * 4 + r];
      res->v[RM_ttft_p99_s] = ttft[r], res->v[RM_output_tok_s] = tok[r];
      res->v[RM_saturated] = sat[p][r], st.slo_met[p * 4 + r] = p ? 0 : met[r];
    }
  assert_int_equal(study_summarise(&st, &err), SS_OK);
  check_eq(st.saturated_count[0], 2);
  check_eq(st.replicates_used[0], 2);
  check_eq(st.slo_met_frac[0], 0.25);
  assert_false(study_point_saturated(&st, 0));
  assert_int_equal(st.summary[0][RM_ttft_p99_s].n, 2);
  check_near(st.summary[0][RM_ttft_p99_s].v[ST_mean], 2, 1e-12);
  assert_int_equal(st.summary[0][RM_output_tok_s].n, 4); /* throughput keeps every replicate */
  check_near(st.summary[0][RM_output_tok_s].v[ST_mean], 25, 1e-12);
  check_nan(st.summary[0][RM_e2e_p99_s].v[ST_mean]); /* never measured: NAN, not 0 */
  /* most replicates saturated: the one stable replicate is a biased sample, so no latency at all */
  check_eq(st.saturated_count[1], 3);
  assert_true(study_point_saturated(&st, 1));
  check_eq(st.replicates_used[1], 0);
  assert_int_equal(st.summary[1][RM_ttft_p99_s].n, 0);
  check_nan(st.summary[1][RM_ttft_p99_s].v[ST_mean]);
  assert_int_equal(st.summary[1][RM_output_tok_s].n, 4);
  study_free(&st);
}

static void test_a_failing_task_is_reported_with_its_index(void **state) {
  fixture *f = *state;
  fixture *g = calloc(1, sizeof *g);
  assert_non_null(g);
  g->db = f->db; /* borrowed, not freed here */
  load_text(g, OVERLOGGED_YAML, NULL, 0);
  study st;
  ss_err err = {{0}};
  study_opts o = {.threads = 2};
  ss_status rc = study_run(&g->sc, &g->db, &o, &st, &err);
  scenario_free(&g->sc);
  free(g);
  assert_int_equal(rc, SS_EDATA);
  check_msg(strstr(err.msg, "task 0 (point 0, replicate 0)") && strstr(err.msg, "passed 2000 rows"), "message: %s",
            err.msg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_slices_tile_the_task_range_without_gaps_or_overlap),
      cmocka_unit_test(test_replicate_streams_have_distinct_keys_across_seeds),
      cmocka_unit_test(test_key_units_come_from_the_key_table),
      cmocka_unit_test(test_axes_record_the_swept_values_in_point_order),
      cmocka_unit_test(test_uncertain_inputs_are_common_to_every_point_of_a_replicate),
      cmocka_unit_test(test_uncertain_inputs_differ_between_seeds),
      cmocka_unit_test(test_samplers_match_their_distributions),
      cmocka_unit_test(test_results_are_bit_identical_for_1_2_and_4_threads),
      cmocka_unit_test(test_shards_hold_exactly_their_slice_of_the_whole_run),
      cmocka_unit_test(test_a_split_into_more_parts_than_tasks_is_refused),
      cmocka_unit_test(test_every_replicate_has_every_metric_slot_written),
      cmocka_unit_test(test_saturated_replicates_are_counted_and_left_out_of_latency_summaries),
      cmocka_unit_test(test_a_failing_task_is_reported_with_its_index),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
