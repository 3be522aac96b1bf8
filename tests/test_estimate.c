/* test_estimate.c: `servesim estimate` reproduces the public rules of thumb and explains what does
 * not fit, with the smallest change that would. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "io/estimate_out.h"
#include "study/estimate.h"

static hwdb DB;

static int setup(void **state) {
  ss_err err;
  (void)state;
  return hwdb_load(TEST_HWDB, &DB, &err) ? -1 : 0;
}
static int teardown(void **state) {
  (void)state;
  hwdb_free(&DB);
  return 0;
}

static estimate_opts opts(const char *gpu, const char *model, const char *w, uint32_t tp) {
  return (estimate_opts){.gpu = gpu, .model = model, .weights = w, .tp = tp, .price_usd_per_gpu_h = NAN, .tok_s = NAN};
}

static void llama70b_4bit_on_a100_has_bound_near_57_and_runs_35_to_45(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("A100 80GB", "llama-3.1-70b", "awq", 1);
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  assert_true(r.fits);
  check_gt(r.weights_total_gb, 34);
  check_lt(r.weights_total_gb, 38);
  check_gt(r.bound_tok_s_b1, 53);
  check_lt(r.bound_tok_s_b1, 59);
  check_within(r.tok_s_b1, 33, 45);
  check_lt(r.tok_s_b1, r.bound_tok_s_b1);
}

static void cost_rules_of_thumb(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("a100-sxm-80gb", "llama-3.1-8b", "fp16", 1);
  o.price_usd_per_gpu_h = 0.34, o.tok_s = 150;
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  check_near(r.usd_per_1m[0], 0.63, 0.001);                /* $0.34/h at 150 tok/s */
  check_near(r.usd_per_1m[3], 20 * r.usd_per_1m[0], 1e-9); /* 5% utilisation */
  o = opts("h100-sxm-80gb", "llama-3.1-70b", "fp8", 4);
  o.kv = "fp8", o.price_usd_per_gpu_h = 2.5, o.gpus = 4, o.tok_s = 3400;
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  check_near(r.usd_per_hour, 10, 1e-9);
  check_near(r.usd_per_1m[0], 0.82, 0.005); /* 4 x H100 at $10/h and 3400 tok/s */
}

static void breakeven_is_listed_for_every_api_price(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("h100-sxm-80gb", "llama-3.1-8b", "fp16", 1);
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  assert_true(r.priced); /* on-demand price from hwdb */
  assert_int_equal(r.n_api, DB.n[HWDB_API_PRICES]);
  size_t tested = 0;
  for (size_t i = 0; i < r.n_api; i++, tested++)
    check_near(r.api[i].breakeven_utilisation, r.usd_per_1m[0] / r.api[i].api_usd_per_1m_out, 1e-12);
  check_min_cases(tested, 40); /* the frozen hwdb prices over 40 APIs */
}

static void llama405b_fp16_on_8_a100_does_not_fit_and_suggests_changes(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("a100-sxm-80gb", "llama-3.1-405b", "fp16", 8);
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  assert_false(r.fits);
  assert_int_equal(r.min_tp, 16);
  bool int8 = false;
  for (size_t i = 0; i < r.n_fitting_formats; i++) int8 |= !strcmp(r.fitting_formats[i], "int8");
  assert_true(int8);
  o.weights = "int8";
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  assert_true(r.fits);
  o = opts("a100-sxm-80gb", "llama-3.1-405b", "awq", 4);
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  assert_true(r.fits);
}

static void fp8_on_a100_is_reported_as_fallback(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("a100-sxm-80gb", "llama-3.1-8b", "fp8", 1);
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  assert_true(r.fp8_fallback);
  o.gpu = "h100-sxm-80gb";
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  assert_false(r.fp8_fallback);
}

static void batch_is_capped_by_kv_capacity(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("l4-24gb", "llama-3.1-8b", "fp16", 1);
  o.batch = 4096, o.in_tokens = 4000, o.out_tokens = 1000;
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  check_lt(r.batch, 4096);
  check_eq(r.batch, r.max_seqs);
  check_le(r.steady_tok_s, r.decode_tok_s_batch);
}

static void unknown_gpu_is_a_usage_error_listing_ids(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("tpu-v5", "llama-3.1-8b", NULL, 1);
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_EUSAGE);
  check_msg(strstr(err.msg, "h100-sxm-80gb"), "message: %s", err.msg);
}

/* Model-error rows give every printed speed and latency an 80% band, widened where the configuration
 * is extrapolation; without them estimate says there is no band. */
static void estimate_prints_the_cross_validated_band_widened_for_an_uncalibrated_gpu(void **state) {
  (void)state;
  estimate_report r;
  ss_err err;
  char text[8192];
  estimate_opts o = opts("h100-sxm-80gb", "llama-3.1-8b", "fp16", 1);
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  assert_false(r.has_band);
  FILE *f = fmemopen(text, sizeof text, "w");
  estimate_out_text(f, &r);
  fclose(f);
  check_msg(strstr(text, "no error band"), "%s", text);
  hwdb db = DB;
  model_error me[2] = {{.q10 = log(0.9), .q90 = log(1.1), .widen_gpu = 3}, {.q10 = log(0.8), .q90 = log(1.3)}};
  for (int k = 0; k < 2; k++) {
    snprintf(me[k].kind, sizeof me[k].kind, "%s", k ? "latency" : "throughput");
    snprintf(me[k].gpus[0], sizeof me[k].gpus[0], "h100-sxm-80gb"), me[k].n_gpus = 1;
    snprintf(me[k].engines[0], sizeof me[k].engines[0], "vllm"), me[k].n_engines = 1;
    snprintf(me[k].weights[0], sizeof me[k].weights[0], "fp16"), me[k].n_weights = 1;
  }
  db.items[HWDB_MODEL_ERROR] = me, db.n[HWDB_MODEL_ERROR] = 2;
  assert_int_equal(estimate_run(&db, &o, &r, &err), SS_OK);
  assert_true(r.has_band);
  check_near_strict(r.band_tput.lo, 0.9, 1e-12);
  check_near_strict(r.band_latency.hi, 1.3, 1e-12);
  f = fmemopen(text, sizeof text, "w");
  estimate_out_text(f, &r);
  fclose(f);
  char want[64];
  snprintf(want, sizeof want, "[%.0f-%.0f]", 0.9 * r.steady_tok_s, 1.1 * r.steady_tok_s);
  check_msg(strstr(text, want), "no band %s in:\n%s", want, text);
  check_msg(!strstr(text, "EXTRAPOLATION"), "%s", text);
  o = opts("l4-24gb", "llama-3.1-8b", "fp16", 1); /* a GPU no calibration row used */
  assert_int_equal(estimate_run(&db, &o, &r, &err), SS_OK);
  assert_true(r.band_tput.unseen_gpu);
  check_near_strict(log(r.band_tput.hi / r.band_tput.lo), 3 * log(1.1 / 0.9), 1e-12);
  f = fmemopen(text, sizeof text, "w");
  estimate_out_text(f, &r);
  fclose(f);
  check_msg(strstr(text, "EXTRAPOLATION to a GPU"), "%s", text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(llama70b_4bit_on_a100_has_bound_near_57_and_runs_35_to_45),
      cmocka_unit_test(cost_rules_of_thumb),
      cmocka_unit_test(breakeven_is_listed_for_every_api_price),
      cmocka_unit_test(llama405b_fp16_on_8_a100_does_not_fit_and_suggests_changes),
      cmocka_unit_test(fp8_on_a100_is_reported_as_fallback),
      cmocka_unit_test(batch_is_capped_by_kv_capacity),
      cmocka_unit_test(unknown_gpu_is_a_usage_error_listing_ids),
      cmocka_unit_test(estimate_prints_the_cross_validated_band_widened_for_an_uncalibrated_gpu),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
