/* test_sensitivity.c: sensitivity of a study. A synthetic study file in which one input drives the
 * outputs: it ranks first with a CI that excludes zero, saturated replicates stay out of latency
 * indices, and the file's /sensitivity holds what is computed from its data. Then issue 10's
 * confounding example through the simulator: two uncertain inputs, one with no effect on latency, 16
 * replicates, even with the inputs correlated on purpose: the inert input is "no detectable effect"
 * (false detections at the rate a 95% CI allows), the real effects are detected. */
#include <gsl/gsl_errno.h>
#include <hdf5.h>
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
#include "io/studyfile.h"
#include "study/indices.h"
#include "study/sensitivity.h"
#include "study/study.h"

static void test_ties_share_their_average_rank(void **state) {
  (void)state;
  const double x[] = {30, 10, 20, 10, 40};
  double r[5];
  assert_true(indices_rank(x, 5, r));
  const double want[] = {4, 1.5, 3, 1.5, 5};
  for (int i = 0; i < 5; i++) check_near(r[i], want[i], 0);
}

/* Deterministic noise in [0, 1) (the test's own; no thread or seed dependence). */
static double noise(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) / 9007199254740992.0;
}

enum { P = 2, R = 40, I = 3, DRIVER = 1 };

/* Inputs 0 and 2 are noise; input 1 drives $/1M (and TTFT at point 1, where replicates with the
 * driver in its top quarter are saturated and carry an absurd TTFT that must be left out). */
static void make_study(study *st) {
  static const char *keys[I] = {"efficiency.compute", "efficiency.hbm", "pricing.usd_per_kwh"};
  uint64_t s = 7;
  ss_err err = {{0}};
  memset(st, 0, sizeof *st);
  snprintf(st->name, sizeof st->name, "sensitivity-unit");
  st->config_yaml = strdup("name: sensitivity-unit\n");
  st->n_axes = 1, st->n_inputs = I, st->seed = 3;
  snprintf(st->axes[0].key, STUDY_KEY_LEN, "workload.arrival.rate_per_s");
  snprintf(st->axes[0].units, STUDY_UNITS_LEN, "1/s");
  for (size_t i = 0; i < I; i++) snprintf(st->inputs[i].key, STUDY_KEY_LEN, "%s", keys[i]);
  for (size_t i = 0; i < I; i++) snprintf(st->inputs[i].units, STUDY_UNITS_LEN, "1");
  assert_int_equal(study_init(st, P, R, false, &err), SS_OK);
  st->design.bootstrap = 200;
  st->shard_index = st->shard_count = 1, st->task_lo = 0, st->task_hi = P * R;
  for (size_t p = 0; p < P; p++) st->axes[0].num[p] = 1.0 + (double)p;
  for (size_t r = 0; r < R; r++) {
    double in[I] = {noise(&s), 0.7 + 0.2 * noise(&s), 0.1 + 0.1 * noise(&s)};
    for (size_t i = 0; i < I; i++) st->design.unit[i * R + r] = noise(&s), st->design.value[i * R + r] = in[i];
    for (size_t p = 0; p < P; p++) {
      size_t t = p * R + r;
      sim_result *res = &st->res[t];
      result_clear(res);
      for (size_t i = 0; i < I; i++) st->inputs[i].value[t] = in[i];
      res->v[RM_usd_per_1m_output] = 1.0 / in[DRIVER] + 0.02 * noise(&s);
      res->v[RM_usd_per_1m_output_tco] = 1.3 * res->v[RM_usd_per_1m_output];
      res->v[RM_output_tok_s] = 1000 * in[DRIVER] + 5 * noise(&s);
      res->v[RM_saturated] = p == 1 && in[DRIVER] > 0.85;
      res->v[RM_ttft_p99_s] = res->v[RM_saturated] > 0.5 ? 1e6 * in[0] : 2.0 - in[DRIVER] + 0.01 * noise(&s);
      st->slo_met[t] = 1;
    }
  }
  assert_int_equal(study_summarise(st, &err), SS_OK);
}

/* One dataset of /sensitivity/<metric>/ as doubles. */
static void read_sensitivity(hid_t f, const char *metric, const char *field, double *out) {
  char name[160];
  snprintf(name, sizeof name, "sensitivity/%s/%s", metric, field);
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  check_msg(d >= 0, "no dataset /%s", name);
  check_ge(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), 0);
  H5Dclose(d);
}

static void test_input_that_drives_the_output_ranks_first_with_a_ci_clear_of_zero(void **state) {
  (void)state;
  char path[] = "/tmp/servesim_test_sensitivity_XXXXXX";
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp failed");
  close(fd);
  study written, st;
  ss_err err = {{0}};
  size_t order[I];
  make_study(&written);
  assert_int_equal(studyfile_write(&written, path, 0, NULL, NULL, 0, &err), SS_OK);
  study_free(&written);
  assert_int_equal(studyfile_read(path, &st, &err), SS_OK);
  assert_int_equal(st.design.bootstrap, 200); /* the design travels with the file */
  const result_metric metrics[] = {RM_usd_per_1m_output, RM_ttft_p99_s, RM_output_tok_s};
  size_t tested = 0;
  for (size_t o = 0; o < 3; o++) {
    sensitivity s;
    assert_int_equal(sensitivity_compute(&st, metrics[o], &s, &err), SS_OK);
    for (size_t p = 0; p < P; p++, tested++) {
      sensitivity_order(&s, p, order);
      assert_int_equal(order[0], DRIVER);
      assert_int_equal(sensitivity_detected(&s, p, DRIVER, 0), 1);
      check_gt(fabs(s.est[sensitivity_at(&s, p, DRIVER, 0)]), 0.9);
    }
    /* TTFT at point 1 leaves out the saturated replicates (else input 0 would dominate via 1e6 x in[0]) */
    if (metrics[o] == RM_ttft_p99_s) check_lt(s.n_used[1], R);
    if (metrics[o] != RM_ttft_p99_s) assert_int_equal(s.n_used[1], R);
    if (metrics[o] == RM_usd_per_1m_output) check_lt(s.est[sensitivity_at(&s, 0, DRIVER, 0)], 0); /* $/1M falls */
    sensitivity_free(&s);
  }
  check_min_cases(tested, 3 * P);

  /* /sensitivity, written with the study, holds exactly what its data give */
  sensitivity s;
  assert_int_equal(sensitivity_compute(&st, RM_usd_per_1m_output, &s, &err), SS_OK);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  check_msg(f >= 0, "%s does not open", path);
  check_gt(H5Lexists(f, "sensitivity/co2_kg_per_1m_output/estimate", H5P_DEFAULT), 0); /* every metric */
  double est[P * I], lo[P * I], detected[P * I];
  read_sensitivity(f, "usd_per_1m_output", "estimate", est);
  read_sensitivity(f, "usd_per_1m_output", "ci95_lo", lo);
  read_sensitivity(f, "usd_per_1m_output", "detected", detected);
  H5Fclose(f);
  for (size_t c = 0; c < P * I; c++) {
    check_eq(est[c], s.est[c]);
    check_eq(lo[c], s.lo[c]);
    check_eq(detected[c], (double)sensitivity_detected(&s, c / I, c % I, 0));
  }
  sensitivity_free(&s);
  study_free(&st);
  remove(path);
}

static void test_a_study_without_uncertain_inputs_gets_no_sensitivity_group(void **state) {
  (void)state;
  char path[] = "/tmp/servesim_test_sensitivity_XXXXXX";
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp failed");
  close(fd);
  study st;
  ss_err err = {{0}};
  make_study(&st);
  for (size_t i = 0; i < st.n_inputs; i++) free(st.inputs[i].value);
  st.n_inputs = st.design.n_inputs = 0;
  assert_int_equal(studyfile_write(&st, path, 0, NULL, NULL, 0, &err), SS_OK);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  check_msg(f >= 0, "%s does not open", path);
  assert_int_equal(H5Lexists(f, "sensitivity", H5P_DEFAULT), 0);
  H5Fclose(f);
  study_free(&st);
  remove(path);
}

/* ---- issue 10's confounding example, through the simulator ---- */

#define CONFOUNDED                                                           \
  "name: confounding\n"                                                      \
  "replicates: 16\n"                                                         \
  "horizon: {duration_s: 60, warmup_s: 10}\n"                                \
  "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b}\n"                  \
  "workload:\n"                                                              \
  "  arrival: {process: poisson, rate_per_s: 4}\n"                           \
  "  input_tokens: {dist: lognormal, median: 400, sigma: 0.5, max: 4096}\n"  \
  "  output_tokens: {dist: lognormal, median: 200, sigma: 0.5, max: 2048}\n" \
  "output: {capacity: false}\n"                                              \
  "uncertain:\n"                                                             \
  "  efficiency.hbm: {dist: uniform, min: 0.4, max: 0.9}\n"                  \
  "  pricing.usd_per_gpu_hour: {dist: uniform, min: 2, max: 4}\n"

enum { SEEDS = 12, HBM = 0, PRICE = 1 };

static void run_confounded(const hwdb *db, uint64_t seed, bool correlated, study *st) {
  char yaml[2048], set[64];
  const char *sets[] = {set};
  snprintf(yaml, sizeof yaml, "%s%s", CONFOUNDED,
           correlated ? "uncertain_correlation:\n  keys: [efficiency.hbm, pricing.usd_per_gpu_hour]\n"
                        "  matrix: [[1, 0.6], [0.6, 1]]\n"
                      : "");
  snprintf(set, sizeof set, "seed=%llu", (unsigned long long)seed);
  study_spec *spec = malloc(sizeof *spec);
  ss_err err = {{0}};
  study_opts o = {.threads = 2};
  if (scenario_load_string("confounding", yaml, sets, 1, db, spec, &err) || study_run(spec, db, &o, st, &err))
    fail_msg("%s", err.msg);
  scenario_free(spec);
  free(spec);
}

static int verdict(const study *st, result_metric m, size_t input) {
  sensitivity s;
  ss_err err = {{0}};
  assert_int_equal(sensitivity_compute(st, m, &s, &err), SS_OK);
  int v = sensitivity_detected(&s, 0, input, 0);
  sensitivity_free(&s);
  return v;
}

static void test_an_inert_input_shows_no_detectable_effect_even_when_correlated(void **state) {
  (void)state;
  hwdb db;
  ss_err err = {{0}};
  if (hwdb_load(TEST_HWDB, &db, &err)) fail_msg("%s", err.msg);
  size_t false_hits = 0, checks = 0, found_hbm = 0, found_price = 0, confounded = 0;
  for (uint64_t seed = 1; seed <= SEEDS; seed++) {
    study st;
    bool correlated = seed % 2 == 0;
    run_confounded(&db, seed, correlated, &st);
    /* the GPU price never enters the simulation: it cannot move latency */
    for (size_t k = 0; k < 2; k++, checks++) false_hits += verdict(&st, k ? RM_tpot_p99_s : RM_ttft_p99_s, PRICE) == 1;
    found_hbm += verdict(&st, RM_tpot_p99_s, HBM) == 1;
    found_price += verdict(&st, RM_usd_per_1m_output, PRICE) == 1;
    if (correlated) { /* one input at a time, the price "moves" TPOT through its correlation with hbm */
      double tpot[16];
      for (size_t r = 0; r < 16; r++) tpot[r] = st.res[r].v[RM_tpot_p99_s];
      confounded += fabs(indices_spearman(st.inputs[PRICE].value, tpot, 16)) > 0.4;
    }
    study_free(&st);
  }
  /* 24 checks of a 95% CI on an input with no effect: about one false detection, rarely more than 3 */
  check_msg(false_hits <= 3, "%zu of %zu latency checks detected an effect of the GPU price", false_hits, checks);
  check_ge(found_hbm, SEEDS - 1);
  check_ge(found_price, SEEDS - 1);
  check_ge(confounded, SEEDS / 2 - 2); /* the confounding is really there to be resisted */
  hwdb_free(&db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ties_share_their_average_rank),
      cmocka_unit_test(test_input_that_drives_the_output_ranks_first_with_a_ci_clear_of_zero),
      cmocka_unit_test(test_a_study_without_uncertain_inputs_gets_no_sensitivity_group),
      cmocka_unit_test(test_an_inert_input_shows_no_detectable_effect_even_when_correlated),
  };
  gsl_set_error_handler_off(); /* as main does */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
