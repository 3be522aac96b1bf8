/* test_valsim.c: validation cases through the event simulator: the sweep point a case becomes, TGI's
 * own per-token latency, determinism, and the regression guard on the calibration error of the
 * simulator path (all 81 rows, against the frozen hwdb). */
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
#include "study/valsim.h"
#include "validation/fixture.h"

/* Median |error| reached through the simulator after tools/calibrate.py (results/validation.md),
 * plus a small margin. */
#define THROUGHPUT_GUARD_PCT 9.0  /* reached 7.2% on the 57 throughput rows */
#define LATENCY_GUARD_PCT    8.0  /* reached 6.1% on the 22 latency rows */
#define COST_GUARD_PCT       15.0 /* reached 13.5% on the 2 cost rows (TGI lengths keep their mean under the cap) */
static const struct {
  const char *group;
  double guard_pct; /* reached + margin */
} GROUP_GUARD[] = {
    {"trtllm-perf", 9.0},   /* 7.5% */
    {"sglang-vllm", 6.5},   /* 4.4% */
    {"tgi-sagemaker", 8.0}, /* 6.1% (tpot and the two cost rows) */
    {"llamacpp-b1", 9.0},   /* 7.0% */
};

static bool predict(const validate_case *c, double pred[VM_COUNT], char *reason, size_t len) {
  char note[160] = "";
  validate_env env = {c, NULL, NULL, &DB, note, sizeof note};
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
  size_t tested = 0;
  for (size_t i = 0; i < r.n; i++) {
    const validate_row *w = &r.rows[i];
    if (w->skipped) fail_msg("%s skipped: %s", w->c.id, w->reason);
    check_msg(!w->approximate, "%s: predicted by the analytic approximation", w->c.id);
    check_finite(w->predicted);
    check_gt(w->predicted, 0);
    tested++;
  }
  check_min_cases(tested, 81);
  validate_free(&r);
}

/* The 835 extra public rows (tests/validation/extra.csv) run end to end against the frozen hwdb: each is
 * predicted, or skipped because the frozen hwdb lacks its engine, GPU or format, or (for the rows run with
 * CUDA graphs off) the frozen vLLM profile has no eager launch cost to charge (the live hwdb has them all:
 * results/validation.md). */
static void every_extra_row_is_predicted_or_lacks_an_hwdb_entry(void **state) {
  validate_case *extra;
  size_t n;
  validate_report r;
  ss_err err;
  validate_opts o = {.sim = valsim_predict};
  (void)state;
  assert_int_equal(validate_load(SERVESIM_TEST_DIR "/validation/extra.csv", &extra, &n, &err), SS_OK);
  assert_int_equal(n, 835);
  assert_int_equal(validate_run(&DB, extra, n, &o, &r, &err), SS_OK);
  size_t predicted = 0;
  for (size_t i = 0; i < r.n; i++) {
    const validate_row *w = &r.rows[i];
    if (w->skipped) {
      check_msg(strstr(w->reason, "is not in hwdb") || strstr(w->reason, "eager_layer_s above 0"), "%s skipped: %s",
                w->c.id, w->reason);
      continue;
    }
    check_finite(w->predicted);
    check_gt(w->predicted, 0);
    predicted++;
  }
  check_min_cases(predicted,
                  390); /* of 835 (450 today), at least the rows on GPUs, engines and formats the frozen hwdb has */
  validate_free(&r);
  free(extra);
}

static void simulator_median_errors_stay_within_guard(void **state) {
  validate_report r;
  ss_err err;
  validate_opts o = {.sim = valsim_predict};
  (void)state;
  assert_int_equal(validate_run(&DB, CASES, NCASES, &o, &r, &err), SS_OK);
  static const struct {
    int kind;
    size_t n;
    double guard;
  } KIND[] = {{VALIDATE_THROUGHPUT, 57, THROUGHPUT_GUARD_PCT},
              {VALIDATE_LATENCY, 22, LATENCY_GUARD_PCT},
              {VALIDATE_COST, 2, COST_GUARD_PCT}};
  for (size_t k = 0; k < 3; k++) {
    validate_stat s = validate_summary(&r, NULL, NULL, NULL, KIND[k].kind);
    assert_int_equal(s.n, KIND[k].n);
    check_msg(s.median_abs_pct <= KIND[k].guard, "kind %d: median |error| %.2f%% > %.1f%%", KIND[k].kind,
              s.median_abs_pct, KIND[k].guard);
  }
  for (size_t g = 0; g < sizeof GROUP_GUARD / sizeof GROUP_GUARD[0]; g++) {
    validate_stat s = validate_summary(&r, GROUP_GUARD[g].group, NULL, NULL, -1);
    check_gt(s.n, 0);
    check_msg(s.median_abs_pct <= GROUP_GUARD[g].guard_pct, "%s: median |error| %.2f%% > %.1f%%", GROUP_GUARD[g].group,
              s.median_abs_pct, GROUP_GUARD[g].guard_pct);
  }
  validate_free(&r);
}

/* Mean of min(X, max) for a lognormal length, by quadrature over the standard normal (independent of
 * valsim.c's closed form): the sampler's length limit as validate sees it. */
static double clipped_mean(const sim_lengths *l) {
  double sum = 0, dz = 1e-3;
  for (double z = -12; z < 12; z += dz) {
    double x = fmin(l->median * exp(l->sigma * z), (double)l->max);
    sum += x * exp(-z * z / 2) * dz;
  }
  return sum / sqrt(2 * acos(-1.0));
}

static void case_becomes_replicas_with_engine_defaults_and_its_lengths(void **state) {
  validate_case c = *find("HO-155"); /* sglang, poisson 4 req/s, 4 x H100, TP 4 */
  sc_point pt;
  ss_err err = {{0}};
  (void)state;
  c.gpus = 8, c.tp = 2;
  assert_int_equal(valsim_point(&c, &DB, &pt, &err), SS_OK);
  const sim_config *s = &pt.sim;
  assert_int_equal(s->dep.tp, 2);
  assert_int_equal(s->dep.replicas, 4);
  assert_string_equal(s->dep.hw.engine->id, "sglang");
  assert_int_equal(s->dep.max_num_seqs, (uint32_t)s->dep.hw.engine->max_num_seqs); /* engine default */
  assert_int_equal(s->wl.process, ARR_POISSON);
  check_eq(s->wl.rate_per_s, 4);
  /* ShareGPT lengths: lognormal (input_sigma 1.27, output_sigma 1.0) capped at the sampler's 1024
   * tokens (the row's set), whose capped mean is the stated mean: the median sits above the uncapped
   * one, since the cap takes mass off the tail */
  assert_int_equal(s->wl.input.dist, LEN_LOGNORMAL);
  assert_int_equal(s->wl.input.max, 1024);
  assert_int_equal(s->wl.output.max, 1024);
  check_near(clipped_mean(&s->wl.input), 220, 0.01);
  check_near(clipped_mean(&s->wl.output), 194, 0.01);
  check_gt(s->wl.input.median, 220 * exp(-s->wl.input.sigma * s->wl.input.sigma / 2) * 1.01);
  check_gt(s->wl.input.sigma, 1.2);
  check_gt(s->wl.output.sigma, 0.9);
  c.input_sigma = c.output_sigma = 0; /* without a spread the lengths are the means, fixed */
  assert_int_equal(valsim_point(&c, &DB, &pt, &err), SS_OK);
  assert_int_equal(s->wl.input.dist, LEN_FIXED);
  assert_int_equal(s->wl.input.value, 220);
  assert_int_equal(s->wl.output.value, 194);
  check_eq(s->duration_s, VALSIM_POISSON_S);
  check_eq(s->warmup_s, 0);
  check_eq(pt.seed, VALSIM_SEED);

  c = *find("HO-171"); /* tgi, 20 users */
  assert_int_equal(valsim_point(&c, &DB, &pt, &err), SS_OK);
  assert_int_equal(s->wl.process, ARR_CLOSED);
  assert_int_equal(s->wl.users, 20);
  check_eq(s->wl.think_s, 0);
  assert_true(s->dep.reserve_full_kv); /* TGI's router budgets max_new_tokens */
}

static void offline_cases_keep_enough_batches_and_unchunked_budgets_fit_the_prompt(void **state) {
  sc_point pt;
  const sim_config *s = &pt.sim;
  ss_err err = {{0}};
  (void)state;
  validate_case c = *find("HO-041"); /* 30000 requests of 128 + 128 */
  assert_int_equal(valsim_point(&c, &DB, &pt, &err), SS_OK);
  assert_int_equal(s->wl.process, ARR_OFFLINE);
  check_within(s->wl.n, VALSIM_OFFLINE_MAX_N, 30000);
  assert_true(s->dep.reserve_full_kv); /* GUARANTEED_NO_EVICT */
  c = *find("HO-061");                 /* 20000-token prompts on an engine without chunked prefill */
  assert_int_equal(valsim_point(&c, &DB, &pt, &err), SS_OK);
  assert_false(s->dep.chunked_prefill);
  check_ge(s->dep.max_batched_tokens, 22000);
  assert_int_equal(s->wl.n, 1000); /* below the cap: the source's count */
}

/* At one user there is no queue and no interference: TGI's time_per_token x n_out is the own prefill
 * (TTFT) plus the n_out - 1 later tokens (TPOT x (n_out - 1)). */
static void tgi_time_per_token_counts_the_own_prefill_once(void **state) {
  validate_case c = *find("HO-191"); /* tgi, 1 user */
  double tgi[VM_COUNT], plain[VM_COUNT];
  char why[256];
  (void)state;
  /* a prefill long enough to matter, its 8 x mean length cap inside llama-2-7b's 4096-token context
   * (500 x 8 + 50 output tokens; a longer mean is refused, see the known bug below) */
  c.input_len = 500;
  check_msg(predict(&c, tgi, why, sizeof why), "%s", why);
  snprintf(c.group, sizeof c.group, "elsewhere"); /* the serving-benchmark TPOT */
  check_msg(predict(&c, plain, why, sizeof why), "%s", why);
  double n = c.output_len;
  check_gt(tgi[VM_tpot_s_p50], plain[VM_tpot_s_p50]);
  check_near(tgi[VM_tpot_s_p50] * n, plain[VM_ttft_s_p50] + plain[VM_tpot_s_p50] * (n - 1),
             0.02 * tgi[VM_tpot_s_p50] * n); /* histogram quantiles: within 1% each */
}

/* A measured case whose mean prompt is above context / 8 (here 2000 tokens on llama-2-7b's 4096) is
 * predicted with its lengths capped so prompt plus output fits the context, never refused: the engine
 * ran those requests, so they fitted. */
static void a_long_mean_prompt_is_capped_at_the_context_not_refused(void **state) {
  validate_case c = *find("HO-191"); /* tgi, 1 user, llama-2-7b, lognormal prompts (input_sigma 1.27) */
  sc_point pt;
  ss_err err = {{0}};
  (void)state;
  c.input_len = 2000;
  ss_status rc = valsim_point(&c, &DB, &pt, &err);
  check_msg(rc == SS_OK, "valsim_point refused a 2000-token mean prompt on a 4096-token model: %s", err.msg);
  check_le(pt.sim.wl.input.max, pt.sim.dep.hw.model->max_context);
  check_le((double)pt.sim.wl.input.max + pt.sim.wl.output.value, pt.sim.dep.hw.model->max_context);
}

static void predictions_are_deterministic(void **state) {
  const char *ids[] = {"HO-159", "HO-169", "HO-056"};
  (void)state;
  for (size_t i = 0; i < 3; i++) {
    double a[VM_COUNT], b[VM_COUNT];
    char why[256] = "";
    check_msg(predict(find(ids[i]), a, why, sizeof why), "%s: %s", ids[i], why);
    check_msg(predict(find(ids[i]), b, why, sizeof why), "%s: %s", ids[i], why);
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
  check_msg(strstr(why, "input_len"), "reason: %s", why);
  c = *find("HO-147");
  c.tp = 3, c.gpus = 4;
  assert_false(predict(&c, p, why, sizeof why));
  check_msg(strstr(why, "multiple of tp"), "reason: %s", why);
  c = *find("HO-147");
  snprintf(c.model, sizeof c.model, "no-such-model");
  assert_false(predict(&c, p, why, sizeof why));
  check_msg(strstr(why, "no-such-model"), "reason: %s", why);
  c = *find("HO-195");
  c.gpus = c.tp = 2; /* no 2 x A10G instance price in hwdb */
  assert_false(predict(&c, p, why, sizeof why));
  check_msg(strstr(why, "hwdb/prices"), "reason: %s", why);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_calibration_row_is_predicted_with_the_simulator),
      cmocka_unit_test(simulator_median_errors_stay_within_guard),
      cmocka_unit_test(case_becomes_replicas_with_engine_defaults_and_its_lengths),
      cmocka_unit_test(offline_cases_keep_enough_batches_and_unchunked_budgets_fit_the_prompt),
      cmocka_unit_test(tgi_time_per_token_counts_the_own_prefill_once),
      cmocka_unit_test(a_long_mean_prompt_is_capped_at_the_context_not_refused),
      cmocka_unit_test(predictions_are_deterministic),
      cmocka_unit_test(unrepresentable_cases_are_skipped_with_a_reason),
      cmocka_unit_test(every_extra_row_is_predicted_or_lacks_an_hwdb_entry),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
