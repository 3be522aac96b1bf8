/* test_valsim.c: validation cases through the event simulator: the scenario a case becomes, TGI's
 * own per-token latency, determinism, and the regression guard on the calibration error of the
 * simulator path (all 81 rows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "study/valsim.h"
#include "validation/fixture.h"

/* Median |error| reached through the simulator after tools/calibrate.py (results/validation.md),
 * plus a small margin. */
#define THROUGHPUT_GUARD_PCT 9.0  /* reached 7.2% on the 57 throughput rows */
#define LATENCY_GUARD_PCT 8.0     /* reached 6.1% on the 22 latency rows */
#define COST_GUARD_PCT 13.0       /* reached 11.3% on the 2 cost rows */
static const struct {
  const char *group;
  double guard_pct; /* reached + margin */
} GROUP_GUARD[] = {
    {"trtllm-perf", 9.0},    /* 7.5% */
    {"sglang-vllm", 6.5},    /* 4.4% */
    {"tgi-sagemaker", 8.0},  /* 6.1% (tpot and the two cost rows) */
    {"llamacpp-b1", 9.0},    /* 7.0% */
};


static bool predict(const validate_case *c, double pred[VM_COUNT], char *reason, size_t len) {
  validate_env env = {c, NULL, NULL, &DB};
  for (int k = 0; k < VM_COUNT; k++) pred[k] = NAN;
  return valsim_predict(&env, pred, reason, len);
}

static void every_calibration_row_is_predicted_with_the_simulator(void **state) {
  validate_report r;
  ss_err err;
  validate_opts o = {.sim = valsim_predict};
  (void)state;
  assert_int_equal(validate_run(&DB, CASES, NCASES, &o, &r, &err), SS_OK);
  assert_int_equal(r.n, 81);
  for (size_t i = 0; i < r.n; i++) {
    const validate_row *w = &r.rows[i];
    if (w->skipped) fail_msg("%s skipped: %s", w->c.id, w->reason);
    assert_false(w->approximate);
    assert_true(isfinite(w->predicted) && w->predicted > 0);
  }
  validate_free(&r);
}

static void simulator_median_errors_stay_within_guard(void **state) {
  validate_report r;
  ss_err err;
  validate_opts o = {.sim = valsim_predict};
  (void)state;
  assert_int_equal(validate_run(&DB, CASES, NCASES, &o, &r, &err), SS_OK);
  static const struct { int kind; size_t n; double guard; } KIND[] = {
      {VALIDATE_THROUGHPUT, 57, THROUGHPUT_GUARD_PCT}, {VALIDATE_LATENCY, 22, LATENCY_GUARD_PCT},
      {VALIDATE_COST, 2, COST_GUARD_PCT}};
  for (size_t k = 0; k < 3; k++) {
    validate_stat s = validate_summary(&r, NULL, NULL, NULL, KIND[k].kind);
    assert_int_equal(s.n, KIND[k].n);
    if (s.median_abs_pct > KIND[k].guard) fail_msg("kind %d: median |error| %.2f%% > %.1f%%", KIND[k].kind,
                                                   s.median_abs_pct, KIND[k].guard);
  }
  for (size_t g = 0; g < sizeof GROUP_GUARD / sizeof GROUP_GUARD[0]; g++) {
    validate_stat s = validate_summary(&r, GROUP_GUARD[g].group, NULL, NULL, -1);
    assert_true(s.n > 0);
    if (s.median_abs_pct > GROUP_GUARD[g].guard_pct)
      fail_msg("%s: median |error| %.2f%% > %.1f%%", GROUP_GUARD[g].group, s.median_abs_pct, GROUP_GUARD[g].guard_pct);
  }
  validate_free(&r);
}

static void case_becomes_replicas_with_engine_defaults_and_its_lengths(void **state) {
  validate_case c = *find("HO-155"); /* sglang, poisson 4 req/s, 4 x H100, TP 4 */
  scenario sc;
  sc_bound b;
  ss_err err = {{0}};
  (void)state;
  c.gpus = 8, c.tp = 2;
  assert_int_equal(valsim_scenario(&c, &DB, &sc, &b, &err), SS_OK);
  assert_int_equal(sc.dep.tp, 2);
  assert_int_equal(sc.dep.replicas, 4);
  assert_string_equal(b.engine->id, "sglang");
  assert_int_equal(sc.dep.max_num_seqs, (uint32_t)b.engine->max_num_seqs); /* engine default */
  assert_int_equal(sc.arrival.process, ARR_POISSON);
  assert_float_equal(sc.arrival.rate_per_s, 4, 0);
  /* ShareGPT lengths: lognormal around the stated means (input_sigma 1.27, output_sigma 1.0) */
  assert_int_equal(sc.input.dist, LEN_LOGNORMAL);
  assert_true(fabs(sc.input.median * exp(sc.input.sigma * sc.input.sigma / 2) - 220) < 1e-9);
  assert_true(fabs(sc.output.median * exp(sc.output.sigma * sc.output.sigma / 2) - 194) < 1e-9);
  assert_true(sc.input.sigma > 1.2 && sc.output.sigma > 0.9);
  c.input_sigma = c.output_sigma = 0; /* without a spread the lengths are the means, fixed */
  assert_int_equal(valsim_scenario(&c, &DB, &sc, &b, &err), SS_OK);
  assert_int_equal(sc.input.dist, LEN_FIXED);
  assert_int_equal(sc.input.value, 220);
  assert_int_equal(sc.output.value, 194);
  assert_float_equal(sc.duration_s, VALSIM_POISSON_S, 0);
  assert_float_equal(sc.warmup_s, 0, 0);

  c = *find("HO-171"); /* tgi, 20 users */
  assert_int_equal(valsim_scenario(&c, &DB, &sc, &b, &err), SS_OK);
  assert_int_equal(sc.arrival.process, ARR_CLOSED);
  assert_int_equal(sc.arrival.users, 20);
  assert_float_equal(sc.arrival.think_s, 0, 0);
  assert_true(sc.dep.reserve_full_kv); /* TGI's router budgets max_new_tokens */
}

static void offline_cases_keep_enough_batches_and_unchunked_budgets_fit_the_prompt(void **state) {
  scenario sc;
  sc_bound b;
  ss_err err = {{0}};
  (void)state;
  validate_case c = *find("HO-041"); /* 30000 requests of 128 + 128 */
  assert_int_equal(valsim_scenario(&c, &DB, &sc, &b, &err), SS_OK);
  assert_int_equal(sc.arrival.process, ARR_OFFLINE);
  assert_true(sc.arrival.n <= 30000 && sc.arrival.n >= VALSIM_OFFLINE_MAX_N);
  assert_true(sc.dep.reserve_full_kv); /* GUARANTEED_NO_EVICT */
  c = *find("HO-061");                 /* 20000-token prompts on an engine without chunked prefill */
  assert_int_equal(valsim_scenario(&c, &DB, &sc, &b, &err), SS_OK);
  assert_false(sc.dep.chunked_prefill);
  assert_true(sc.dep.max_batched_tokens >= 22000);
  assert_int_equal(sc.arrival.n, 1000); /* below the cap: the source's count */
}

/* At one user there is no queue and no interference: TGI's time_per_token x n_out is the own prefill
 * (TTFT) plus the n_out - 1 later tokens (TPOT x (n_out - 1)). */
static void tgi_time_per_token_counts_the_own_prefill_once(void **state) {
  validate_case c = *find("HO-191"); /* tgi, 1 user */
  double tgi[VM_COUNT], plain[VM_COUNT];
  char why[256];
  (void)state;
  c.input_len = 2000; /* a prefill long enough to matter */
  assert_true(predict(&c, tgi, why, sizeof why));
  snprintf(c.group, sizeof c.group, "elsewhere"); /* the serving-benchmark TPOT */
  assert_true(predict(&c, plain, why, sizeof why));
  double n = c.output_len;
  assert_true(tgi[VM_tpot_s_p50] > plain[VM_tpot_s_p50]);
  assert_float_equal(tgi[VM_tpot_s_p50] * n, plain[VM_ttft_s_p50] + plain[VM_tpot_s_p50] * (n - 1),
                     0.02 * tgi[VM_tpot_s_p50] * n); /* histogram quantiles: within 1% each */
}

static void predictions_are_deterministic(void **state) {
  const char *ids[] = {"HO-159", "HO-169", "HO-056"};
  (void)state;
  for (size_t i = 0; i < 3; i++) {
    double a[VM_COUNT], b[VM_COUNT];
    char why[256];
    assert_true(predict(find(ids[i]), a, why, sizeof why));
    assert_true(predict(find(ids[i]), b, why, sizeof why));
    assert_memory_equal(a, b, sizeof a);
  }
}

static void unrepresentable_cases_are_skipped_with_a_reason(void **state) {
  double p[VM_COUNT];
  char why[256] = "";
  (void)state;
  validate_case c = *find("HO-147");
  c.input_len = 0;
  assert_false(predict(&c, p, why, sizeof why));
  assert_non_null(strstr(why, "input_len"));
  c = *find("HO-147");
  c.tp = 3, c.gpus = 4;
  assert_false(predict(&c, p, why, sizeof why));
  assert_non_null(strstr(why, "multiple of tp"));
  c = *find("HO-147");
  snprintf(c.model, sizeof c.model, "no-such-model");
  assert_false(predict(&c, p, why, sizeof why));
  assert_non_null(strstr(why, "no-such-model"));
  c = *find("HO-195");
  c.gpus = c.tp = 2; /* no 2 x A10G instance price in hwdb */
  assert_false(predict(&c, p, why, sizeof why));
  assert_non_null(strstr(why, "hwdb/prices"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_calibration_row_is_predicted_with_the_simulator),
      cmocka_unit_test(simulator_median_errors_stay_within_guard),
      cmocka_unit_test(case_becomes_replicas_with_engine_defaults_and_its_lengths),
      cmocka_unit_test(offline_cases_keep_enough_batches_and_unchunked_budgets_fit_the_prompt),
      cmocka_unit_test(tgi_time_per_token_counts_the_own_prefill_once),
      cmocka_unit_test(predictions_are_deterministic),
      cmocka_unit_test(unrepresentable_cases_are_skipped_with_a_reason),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
