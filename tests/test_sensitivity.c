/* test_sensitivity.c: ranks and Spearman's rho on known cases, the tornado fit on an exact line,
 * and a synthetic study file (written and read back by io/studyfile) in which one input drives the
 * output: it must come first in the tornado, and the file's /sensitivity must hold what is computed
 * from its data. */
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
#include "io/studyfile.h"
#include "study/sensitivity.h"
#include "study/study.h"

static void test_ties_share_their_average_rank(void **state) {
  (void)state;
  const double x[] = {30, 10, 20, 10, 40};
  double r[5];
  assert_true(sensitivity_rank(x, 5, r));
  const double want[] = {4, 1.5, 3, 1.5, 5};
  for (int i = 0; i < 5; i++) check_near(r[i], want[i], 0);
}

static void test_rank_correlation_of_a_monotone_relation_is_one(void **state) {
  (void)state;
  double x[50], up[50], down[50];
  for (int i = 0; i < 50; i++) {
    x[i] = sin(i * 1.7) * 10; /* unordered */
    up[i] = exp(x[i] / 3);    /* monotone, far from linear */
    down[i] = -x[i] * x[i] * x[i];
  }
  check_near(sensitivity_spearman(x, up, 50), 1.0, 1e-12);
  check_near(sensitivity_spearman(x, down, 50), -1.0, 1e-12);
}

static void test_rank_correlation_of_a_constant_is_undefined(void **state) {
  (void)state;
  const double x[] = {1, 2, 3, 4}, y[] = {5, 5, 5, 5};
  check_nan(sensitivity_spearman(x, y, 4));
  check_nan(sensitivity_spearman(x, y, 1));
}

static void test_tornado_of_a_line_in_the_rank_quantile_is_exact_at_p10_and_p90(void **state) {
  (void)state;
  enum { N = 20 };
  double x[N], y[N];
  for (int i = 0; i < N; i++) { /* x shuffled; y = 2 + 3 u with u = (rank - 0.5) / N */
    int rank = (i * 7) % N + 1;
    x[i] = 100.0 + rank;
    y[i] = 2 + 3 * (rank - 0.5) / N;
  }
  sensitivity_cell c;
  sensitivity_tornado(x, y, N, &c);
  check_near(c.low, 2 + 3 * 0.1, 1e-12);
  check_near(c.high, 2 + 3 * 0.9, 1e-12);
  check_near(c.swing, 3 * 0.8, 1e-12);
  check_near(c.base, 2 + 1.5, 1e-12);
  check_near(c.spearman, 1, 1e-12);
  assert_int_equal(c.n, N);
}

static void test_tornado_of_a_constant_input_has_no_swing_and_too_few_replicates_are_nan(void **state) {
  (void)state;
  const double x[] = {1, 1, 1, 1}, y[] = {3, 5, 4, 8};
  sensitivity_cell c;
  sensitivity_tornado(x, y, 4, &c);
  check_near(c.swing, 0, 0);
  check_near(c.low, 5, 1e-12);
  sensitivity_tornado(x, y, SENSITIVITY_MIN_N - 1, &c);
  check_nan(c.swing);
  check_nan(c.low);
  check_nan(c.spearman);
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
  st->n_axes = 1, st->n_inputs = I;
  snprintf(st->axes[0].key, STUDY_KEY_LEN, "workload.arrival.rate_per_s");
  snprintf(st->axes[0].units, STUDY_UNITS_LEN, "1/s");
  for (size_t i = 0; i < I; i++) snprintf(st->inputs[i].key, STUDY_KEY_LEN, "%s", keys[i]);
  for (size_t i = 0; i < I; i++) snprintf(st->inputs[i].units, STUDY_UNITS_LEN, "1");
  assert_int_equal(study_init(st, P, R, false, &err), SS_OK);
  st->shard_index = st->shard_count = 1, st->task_lo = 0, st->task_hi = P * R;
  for (size_t p = 0; p < P; p++) st->axes[0].num[p] = 1.0 + (double)p;
  for (size_t r = 0; r < R; r++) {
    double in[I] = {noise(&s), 0.7 + 0.2 * noise(&s), 0.1 + 0.1 * noise(&s)};
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

/* One field of /sensitivity/<output>/ as [P][I] doubles. */
static void read_sensitivity(hid_t f, const char *output, const char *field, double *out) {
  char name[160];
  snprintf(name, sizeof name, "sensitivity/%s/%s", output, field);
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  check_msg(d >= 0, "no dataset /%s", name);
  check_ge(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), 0);
  H5Dclose(d);
}

static void test_input_that_drives_the_output_ranks_first_in_the_tornado_of_a_file(void **state) {
  (void)state;
  char path[] = "/tmp/servesim_test_sensitivity_XXXXXX";
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp failed");
  close(fd);
  study written, st;
  sensitivity s;
  ss_err err = {{0}};
  size_t order[I];
  make_study(&written);
  assert_int_equal(studyfile_write(&written, path, 0, NULL, NULL, 0, &err), SS_OK);
  study_free(&written);
  assert_int_equal(studyfile_read(path, &st, &err), SS_OK);
  assert_int_equal(sensitivity_compute(&st, &s, &err), SS_OK);
  size_t tested = 0;
  for (size_t o = 0; o < SENSITIVITY_N_OUTPUTS; o++)
    for (size_t p = 0; p < P; p++, tested++) {
      sensitivity_order(&s, o, p, order);
      assert_int_equal(order[0], DRIVER);
      check_gt(fabs(sensitivity_at(&s, o, p, DRIVER)->spearman), 0.9);
      check_lt(fabs(sensitivity_at(&s, o, p, 0)->spearman), 0.5);
    }
  check_min_cases(tested, SENSITIVITY_N_OUTPUTS * P);
  /* $/1M falls as the driver rises: low (p10 of the driver) costs more than high */
  const sensitivity_cell *cost = sensitivity_at(&s, 0, 0, DRIVER);
  check_gt(cost->low, cost->high);
  /* TTFT at point 1 leaves out the saturated replicates (else input 0 would dominate via 1e6 x in[0]) */
  size_t ttft = 2;
  assert_int_equal(sensitivity_output(ttft), RM_ttft_p99_s);
  check_lt(sensitivity_at(&s, ttft, 1, DRIVER)->n, R);
  check_lt(sensitivity_at(&s, ttft, 1, DRIVER)->base, 2);
  assert_int_equal(sensitivity_at(&s, 0, 1, DRIVER)->n, R);

  /* /sensitivity, written with the study, holds exactly what its data give */
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  check_msg(f >= 0, "%s does not open", path);
  check_gt(H5Lexists(f, "sensitivity/ttft_p99_s/spearman", H5P_DEFAULT), 0);
  double swing[P * I], n_used[P * I];
  read_sensitivity(f, "usd_per_1m_output", "swing", swing);
  read_sensitivity(f, "ttft_p99_s", "n_used", n_used);
  H5Fclose(f);
  for (size_t p = 0; p < P; p++)
    for (size_t i = 0; i < I; i++) {
      check_eq(swing[p * I + i], sensitivity_at(&s, 0, p, i)->swing);
      check_eq(n_used[p * I + i], (double)sensitivity_at(&s, ttft, p, i)->n);
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
  st.n_inputs = 0;
  assert_int_equal(studyfile_write(&st, path, 0, NULL, NULL, 0, &err), SS_OK);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  check_msg(f >= 0, "%s does not open", path);
  assert_int_equal(H5Lexists(f, "sensitivity", H5P_DEFAULT), 0);
  H5Fclose(f);
  study_free(&st);
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ties_share_their_average_rank),
      cmocka_unit_test(test_rank_correlation_of_a_monotone_relation_is_one),
      cmocka_unit_test(test_rank_correlation_of_a_constant_is_undefined),
      cmocka_unit_test(test_tornado_of_a_line_in_the_rank_quantile_is_exact_at_p10_and_p90),
      cmocka_unit_test(test_tornado_of_a_constant_input_has_no_swing_and_too_few_replicates_are_nan),
      cmocka_unit_test(test_input_that_drives_the_output_ranks_first_in_the_tornado_of_a_file),
      cmocka_unit_test(test_a_study_without_uncertain_inputs_gets_no_sensitivity_group),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
