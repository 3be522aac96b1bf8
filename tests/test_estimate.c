/* test_estimate.c: `servesim estimate` reproduces the public rules of thumb, explains what does not
 * fit with the smallest change that would, names the request shape and batch of every figure, finds
 * its capacity at the SLO in closed form, prices utilisation as arrival rate over that capacity, and
 * takes a scenario's workload, deployment, pricing and APIs; an experts-only weight format (MXFP4 as gpt-oss
 * ships it) keeps every other weight 16-bit and is refused for a dense model. */
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
#include "io/estimate_out.h"
#include "physics/perf.h"
#include "sim/workload.h"
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
  check_near(r.util[0].usd_per_1m, 0.63, 0.001);                     /* $0.34/h at 150 tok/s */
  check_near(r.util[3].usd_per_1m, 20 * r.util[0].usd_per_1m, 1e-9); /* 5% utilisation */
  o = opts("h100-sxm-80gb", "llama-3.1-70b", "fp8", 4);
  o.kv = "fp8", o.price_usd_per_gpu_h = 2.5, o.gpus = 4, o.tok_s = 3400;
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  check_near(r.usd_per_hour, 10, 1e-9);
  check_near(r.util[0].usd_per_1m, 0.82, 0.005); /* 4 x H100 at $10/h and 3400 tok/s */
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
    check_near(r.api[i].breakeven_utilisation, r.util[0].usd_per_1m / r.api[i].api_usd_per_1m_out, 1e-12);
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

/* ---- the request shape, the batch and the capacity at the SLO ---- */

static char *render(const estimate_report *r) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  estimate_out_text(f, r);
  fclose(f);
  return buf;
}

/* A figure that depends on the request shape (tok/s, req/s, $ per 1M, utilisation) is printed on a
 * line naming the shape, or in a table (deeper indent) under a heading that names it. */
static void test_every_line_that_depends_on_the_request_shape_names_it(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("rtx-4090-24gb", "llama-3.1-8b", "fp16", 1);
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  char *text = render(&r), *save = NULL, heading[1024] = "";
  const char *shape = "512 in / 256 out tokens";
  size_t checked = 0;
  check_msg(strstr(text, "request shape: 512 in / 256 out tokens (the default shape); batch cap 256"), "%s", text);
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    bool row = !strncmp(line, "    ", 4);
    if (!row) snprintf(heading, sizeof heading, "%s", line);
    bool depends = strstr(line, "tok/s") || strstr(line, "req/s") || strstr(line, "$/1M") || strstr(line, "%");
    if (!depends || strstr(line, "gpu_memory_utilization") || strstr(line, "of peak")) continue;
    bool named = strstr(row ? heading : line, shape) || strstr(line, "prefill of 512 tokens"); /* input only */
    check_msg(named, "'%s' does not name the request shape %s", line, shape);
    checked++;
  }
  check_min_cases(checked, 15);
  free(text);
}

/* A rate the engine's host loop sets (host_overlap, its work per sampled token the larger part of the step) is
 * labelled HOST-BOUND where it is printed; the same engine without the overlap, or at batch 1, is not. */
static void test_a_host_bound_rate_is_labelled_where_it_is_printed(void **state) {
  (void)state;
  engine_profile *e = (engine_profile *)hwdb_engine(&DB, "trtllm"), saved = *e; /* DB is this test's own */
  e->overhead_token_s = 100e-6;
  estimate_opts o = opts("h100-sxm-80gb", "llama-3.1-8b", "fp8", 1);
  o.engine = "trtllm", o.kv = "fp8";
  estimate_report r;
  ss_err err;
  for (int overlap = 0; overlap < 2; overlap++) {
    e->host_overlap = overlap;
    assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
    check_eq(r.host_bound, overlap == 1);
    char *text = render(&r), *save = NULL;
    size_t labelled = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
      if (strstr(line, "HOST-BOUND")) {
        labelled++;
        check_msg(!strstr(line, "batch 1,"), "batch 1 labelled host-bound: %s", line);
      }
    check_eq(labelled, overlap ? 1 + (size_t)r.cap.host_bound : 0);
    free(text);
  }
  *e = saved;
}

static void test_capacity_is_the_largest_batch_whose_step_meets_the_tpot_objective(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("h100-sxm-80gb", "llama-3.1-8b", "fp16", 1);
  o.slo_tpot_s = 0.02;
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  check_msg(!strcmp(r.cap.limit, "the TPOT objective"), "limit: %s", r.cap.limit);
  check_le(r.cap.step_s, 0.02);
  double t_next;
  perf_steady_tok_s(&r.ctx, r.cap.batch + 1, r.o.in_tokens, r.o.out_tokens, &t_next);
  check_gt(t_next, 0.02);
  check_near(r.cap.req_s, r.cap.tok_s / r.o.out_tokens, 1e-9);
  check_lt(r.cap.batch, r.batch);
  /* a looser objective never gives less capacity */
  estimate_report loose;
  o.slo_tpot_s = 0.05;
  assert_int_equal(estimate_run(&DB, &o, &loose, &err), SS_OK);
  check_ge(loose.cap.tok_s, r.cap.tok_s);
  /* an objective below one sequence's step: no capacity, and no price at any utilisation */
  o.slo_tpot_s = 1e-4;
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  check_eq(r.cap.batch, 0.0);
  check_msg(strstr(r.cap.limit, "TPOT objective"), "limit: %s", r.cap.limit);
  assert_true(isnan(r.util[0].usd_per_1m));
}

static void test_utilisation_is_arrival_rate_over_capacity_and_prices_idle_time(void **state) {
  estimate_report r;
  ss_err err;
  (void)state;
  estimate_opts o = opts("h100-sxm-80gb", "llama-3.1-8b", "fp16", 1);
  o.gpus = 2; /* two replicas of one GPU */
  assert_int_equal(estimate_run(&DB, &o, &r, &err), SS_OK);
  check_near(r.cost_tok_s, 2 * r.cap.tok_s, 1e-9);
  assert_int_equal(r.n_util, ESTIMATE_NUTIL);
  size_t tested = 0;
  for (size_t i = 0; i < r.n_util; i++, tested++) {
    const estimate_util *u = &r.util[i];
    check_near(u->rate_req_s, u->utilisation * 2 * r.cap.req_s, 1e-9);
    check_near(u->usd_per_1m, r.util[0].usd_per_1m / u->utilisation, 1e-9);
    check_near(u->usd_per_1m, r.usd_per_hour / (u->output_tok_s * 3600) * 1e6, 1e-9);
  }
  check_min_cases(tested, ESTIMATE_NUTIL);
}

/* ---- from a scenario ---- */

static const char *SCENARIO = "name: est\n"
                              "deployment: {gpu: h100-sxm-80gb, tp: 2, replicas: 3, model: llama-3.1-8b, "
                              "engine: vllm, scheduler: {max_num_seqs: 64}}\n"
                              "workload:\n"
                              "  arrival: {process: poisson, rate_per_s: 5}\n"
                              "  input_tokens: {dist: lognormal, median: 800, sigma: 1.0, max: 8192}\n"
                              "  output_tokens: {dist: uniform, min: 100, max: 301}\n"
                              "slo: {ttft_p99_s: 1.5, tpot_p99_s: 0.05}\n"
                              "pricing: {usd_per_gpu_hour: 7.5, price_gpu: any, ops_overhead_frac: 0.2}\n"
                              "compare_api: [gpt-4o-mini, claude-3.5-haiku]\n"
                              "uncertain:\n"
                              "  efficiency.hbm: {dist: uniform, min: 0.6, max: 0.8}\n"
                              "sweep:\n"
                              "  workload.arrival.rate_per_s: [1, 100000]\n";

static ss_status load(const char *text, const char *set, study_spec *spec, ss_err *err) {
  const char *sets[] = {set};
  return scenario_load_string("est.yaml", text, sets, set ? 1 : 0, &DB, spec, err);
}

static void test_a_scenario_gives_its_workload_means_deployment_pricing_and_apis(void **state) {
  study_spec *spec = malloc(sizeof *spec);
  estimate_report *r = malloc(sizeof *r);
  ss_err err;
  (void)state;
  assert_int_equal(load(SCENARIO, NULL, spec, &err), SS_OK);
  assert_int_equal(estimate_scenario(&DB, spec, NAN, r, &err), SS_OK);
  /* the request shape: the means of the scenario's length distributions */
  double in, out;
  sc_point *pt = malloc(sizeof *pt);
  assert_int_equal(scenario_point(spec, 0, &DB, pt, &err), SS_OK);
  wl_mean_lengths(&pt->sim.wl, &in, &out);
  check_eq(r->o.in_tokens, in);
  check_eq(r->o.out_tokens, 200.5);
  check_gt(in, 1000); /* a lognormal's mean is above its median */
  /* the deployment and its scheduler, the SLO */
  assert_int_equal(r->o.tp, 2);
  check_eq(r->replicas, 3.0);
  assert_int_equal(r->po.max_num_seqs, 64);
  check_eq(r->slo_tpot_s, 0.05);
  check_eq(r->slo_ttft_s, 1.5);
  /* the uncertain input at its mean, said */
  check_near(r->ctx.eff_weights * r->ctx.kernel_efficiency, 0.7 * r->ctx.kernel_efficiency, 0.05);
  check_msg(r->n_notes >= 1 && strstr(r->notes[0], "efficiency.hbm") && strstr(r->notes[0], "0.7"), "note: %s",
            r->n_notes ? r->notes[0] : "(none)");
  /* the price and the TCO keys: 6 GPUs x $7.5/h x 1.2 */
  check_near(r->usd_per_hour, 6 * 7.5 * 1.2, 1e-9);
  assert_true(r->tco);
  check_near(r->cost_tok_s, 3 * r->cap.tok_s, 1e-9);
  /* only the APIs it names, priced at its request shape */
  assert_int_equal(r->n_api, 2);
  assert_string_equal(r->api[0].id, "gpt-4o-mini");
  const api_price *mini = hwdb_api(&DB, "gpt-4o-mini");
  check_near(r->api[0].api_usd_per_1m_out, mini->usd_per_1m_output + in / out * mini->usd_per_1m_input, 1e-9);
  /* the swept rates become utilisation rows: rate / capacity, the second beyond it */
  assert_int_equal(r->n_util, ESTIMATE_NUTIL + 2);
  const estimate_util *u = &r->util[ESTIMATE_NUTIL];
  assert_true(u[0].scenario && u[1].scenario);
  check_near(u[0].utilisation, 1 / (3 * r->cap.req_s), 1e-12);
  check_near(u[0].usd_per_1m, r->util[0].usd_per_1m / u[0].utilisation, 1e-9);
  check_gt(u[1].utilisation, 1);
  assert_true(isnan(u[1].usd_per_1m));
  char *text = render(r);
  check_msg(strstr(text, "beyond capacity"), "%s", text);
  check_msg(strstr(text, "the scenario's means (input lognormal median 800"), "%s", text);
  free(text), free(pt);
  scenario_free(spec);
  free(spec), free(r);
}

static void test_a_scenario_sweep_over_another_key_is_refused_with_how_to_pin_it(void **state) {
  study_spec *spec = malloc(sizeof *spec);
  estimate_report *r = malloc(sizeof *r);
  ss_err err;
  (void)state;
  assert_int_equal(load(SCENARIO, "sweep.deployment.tp=[1, 2]", spec, &err), SS_OK);
  assert_int_equal(estimate_scenario(&DB, spec, NAN, r, &err), SS_EUSAGE);
  check_msg(strstr(err.msg, "deployment.tp") && strstr(err.msg, "--set deployment.tp=VALUE"), "%s", err.msg);
  scenario_free(spec);
  assert_int_equal(load(SCENARIO, "deployment.tp=1", spec, &err), SS_OK);
  assert_int_equal(estimate_scenario(&DB, spec, NAN, r, &err), SS_OK);
  assert_int_equal(r->o.tp, 1);
  scenario_free(spec);
  free(spec), free(r);
}

/* Model-error rows give every printed speed and latency an 80% band, widened where the configuration
 * is extrapolation; without them estimate says there is no band. */
static void test_estimate_prints_the_cross_validated_band_widened_for_an_uncalibrated_gpu(void **state) {
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
  check_msg(strstr(text, "EXTRAPOLATION to a GPU never calibrated"), "%s", text);
  o = opts("l4-24gb", "llama-3.1-8b", "int8", 1); /* and a weight format none used: both named, one phrase */
  assert_int_equal(estimate_run(&db, &o, &r, &err), SS_OK);
  f = fmemopen(text, sizeof text, "w");
  estimate_out_text(f, &r);
  fclose(f);
  check_msg(strstr(text, "EXTRAPOLATION to a GPU and a weight format never calibrated"), "%s", text);
}

/* nvfp4 (4.5 bits a weight) made experts-only */
static quant_format experts_only_nvfp4(void) {
  quant_format q = *hwdb_quant(&DB, "nvfp4");
  q.experts_only = true;
  return q;
}

static void test_an_experts_only_format_keeps_every_other_weight_16_bit(void **state) {
  (void)state;
  quant_format xo = experts_only_nvfp4();
  hwdb_bound b = {hwdb_gpu(&DB, "h100-sxm-80gb"), hwdb_model(&DB, "mixtral-8x7b"), &xo, hwdb_quant(&DB, "fp16"),
                  hwdb_engine(&DB, "vllm"), false};
  const model_spec *m = b.model;
  double experts = model_moe_layers(m) * m->experts * model_expert_params(m);
  double rest = model_params_total(m) - experts;
  check_rel(quant_dense_bytes_per_weight(&xo), 2.0, 1e-15);
  check_rel(quant_dense_bytes_per_weight(hwdb_quant(&DB, "nvfp4")), 4.5 / 8, 1e-15);
  check_rel(perf_model_weight_bytes(m, &xo), rest * 2 + experts * 4.5 / 8, 1e-12);
  perf_opts o;
  perf_opts_from_engine(b.engine, 2, 1, &o);
  perf_memory mem;
  perf_memory_fit(&b, &o, &mem);
  check_rel(mem.weight_bytes, (rest * 2 + experts * 4.5 / 8) / 2, 1e-12);
  perf_ctx c;
  ss_err err;
  assert_int_equal(perf_init(&c, &b, &o, &err), SS_OK);
  check_rel(c.w_head_bytes, m->vocab * m->hidden * 2.0 / 2, 1e-12);
  check_rel(c.w_expert_bytes, model_moe_layers(m) * model_expert_params(m) * 4.5 / 8 / 2, 1e-12);
}

static void test_an_experts_only_format_is_refused_for_a_dense_model(void **state) {
  (void)state;
  quant_format xo = experts_only_nvfp4();
  hwdb_bound b = {hwdb_gpu(&DB, "h100-sxm-80gb"), hwdb_model(&DB, "llama-3.1-8b"), &xo, hwdb_quant(&DB, "fp16"),
                  hwdb_engine(&DB, "vllm"), false};
  perf_opts o;
  perf_opts_from_engine(b.engine, 1, 1, &o);
  perf_ctx c;
  ss_err err = {{0}};
  assert_int_equal(perf_init(&c, &b, &o, &err), SS_EDATA);
  check_msg(strstr(err.msg, "routed experts only") && strstr(err.msg, "llama-3.1-8b"), "%s", err.msg);
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
      cmocka_unit_test(test_every_line_that_depends_on_the_request_shape_names_it),
      cmocka_unit_test(test_capacity_is_the_largest_batch_whose_step_meets_the_tpot_objective),
      cmocka_unit_test(test_a_host_bound_rate_is_labelled_where_it_is_printed),
      cmocka_unit_test(test_utilisation_is_arrival_rate_over_capacity_and_prices_idle_time),
      cmocka_unit_test(test_a_scenario_gives_its_workload_means_deployment_pricing_and_apis),
      cmocka_unit_test(test_a_scenario_sweep_over_another_key_is_refused_with_how_to_pin_it),
      cmocka_unit_test(test_estimate_prints_the_cross_validated_band_widened_for_an_uncalibrated_gpu),
      cmocka_unit_test(test_an_experts_only_format_keeps_every_other_weight_16_bit),
      cmocka_unit_test(test_an_experts_only_format_is_refused_for_a_dense_model),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
