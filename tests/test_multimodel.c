/* test_multimodel.c: multi-model fleets (sim/multimodel, config/pools): a cascade that escalates nothing
 * is the small model alone, request for request; class routing sends each prompt by its length; the
 * cascade escalates its share; cached answers cost no GPU work and answer at the cache's latency; each
 * deployment is billed at its own price. */
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
#include "config/scenario.h"
#include "sim/sim.h"
#include "study/costing.h"

static const char BASE[] =
    "name: mm\n"
    "seed: 9\n"
    "horizon: {duration_s: 300, warmup_s: 20}\n"
    "deployment: {name: small, gpu: h100-sxm-80gb, model: llama-3.1-8b, weights: fp8, kv_cache: fp8, replicas: 2}\n"
    "workload:\n"
    "  arrival: {process: poisson, rate_per_s: 12}\n"
    "  input_tokens: {dist: lognormal, median: 400, sigma: 0.8, max: 4096}\n"
    "  output_tokens: {dist: lognormal, median: 150, sigma: 0.7, max: 1024}\n"
    "pricing: {usd_per_gpu_hour: 2.0, price_gpu: any}\n"
    "output: {requests: true, capacity: false}\n";

static const char BIG[] = "deployments:\n"
                          "  - name: big\n"
                          "    deployment: {model: llama-3.1-70b, tp: 4, replicas: 1}\n"
                          "    slo: {ttft_p99_s: 5}\n"
                          "    pricing: {usd_per_gpu_hour: 3.0}\n";

typedef struct {
  sim_result r;
  sim_log log;
  sc_point pt;
} mm_out;

/* BASE plus extra YAML, its first point run as replicate 0. */
static void run_yaml(void **state, const char *extra, mm_out *out) {
  char text[4096];
  snprintf(text, sizeof text, "%s%s", BASE, extra);
  study_spec *spec = malloc(sizeof *spec);
  ss_err err = {{0}};
  memset(out, 0, sizeof *out);
  ss_status rc = scenario_load_string("mm", text, NULL, 0, *state, spec, &err);
  if (!rc) rc = scenario_point(spec, 0, *state, &out->pt, &err);
  if (!rc) rc = sim_run(&out->pt.sim, out->pt.seed, 0, &out->r, &out->log, &err);
  if (!rc) scenario_free(spec);
  free(spec);
  if (rc) fail_msg("%s", err.msg);
}

static int setup(void **state) {
  ss_err err = {{0}};
  hwdb *db = malloc(sizeof *db);
  if (!db || hwdb_load(TEST_HWDB, db, &err)) return fprintf(stderr, "%s\n", err.msg), free(db), -1;
  *state = db;
  return 0;
}

static int teardown(void **state) {
  hwdb_free(*state);
  free(*state);
  return 0;
}

/* Rows fed by the deployments' replica-time: with an idle second deployment they are diluted by it. */
static bool diluted(result_metric m) {
  return m == RM_gpu_busy_frac || m == RM_kv_occupancy_mean || m == RM_gpu_power_w_mean;
}

static void test_a_cascade_escalating_nothing_is_the_small_model_alone(void **state) {
  mm_out *alone = malloc(sizeof *alone), *cascade = malloc(sizeof *cascade);
  char extra[1024];
  snprintf(extra, sizeof extra, "%smodels: {routing: cascade, escalate_frac: 0}\n", BIG);
  run_yaml(state, "", alone);
  run_yaml(state, extra, cascade);
  size_t tested = 0;
  for (int m = 0; m < RM_COUNT; m++, tested++) {
    if (diluted((result_metric)m)) continue;
    check_msg(memcmp(&alone->r.v[m], &cascade->r.v[m], sizeof(double)) == 0, "%s: %.17g alone, %.17g in the cascade",
              result_name((result_metric)m), alone->r.v[m], cascade->r.v[m]);
  }
  check_min_cases(tested, RM_COUNT);
  /* two small replicas and one big one: busy time over three replicas' time */
  check_rel(cascade->r.v[RM_gpu_busy_frac], alone->r.v[RM_gpu_busy_frac] * 2.0 / 3.0, 1e-12);
  assert_int_equal(cascade->log.n_req, alone->log.n_req);
  check_gt(alone->log.n_req, 3000);
  assert_memory_equal(cascade->log.req, alone->log.req, alone->log.n_req * sizeof *alone->log.req);
  check_eq(cascade->r.pool[1][PM_answered], 0);
  check_eq(cascade->r.pool[0][PM_answered], alone->r.v[RM_requests_finished]);
  check_eq(cascade->r.f[FM_requests_escalated], 0);
  sim_log_free(&alone->log), sim_log_free(&cascade->log);
  free(alone), free(cascade);
}

/* Prompts above 600 tokens go to the big model: about P(lognormal(400, 0.8) > 600) = 30.6% of them. */
static void test_class_routing_sends_each_prompt_by_its_length(void **state) {
  mm_out *o = malloc(sizeof *o);
  char extra[1024];
  snprintf(extra, sizeof extra, "%smodels: {routing: class, class_input_tokens: [600]}\n", BIG);
  run_yaml(state, extra, o);
  double small = o->r.pool[0][PM_answered], big = o->r.pool[1][PM_answered], n = small + big;
  check_eq(n, o->r.v[RM_requests_finished]);
  double p = 0.5 * erfc(log(600.0 / 400.0) / 0.8 / sqrt(2.0)), sd = sqrt(p * (1 - p) / n);
  check_near(big / n, p, 4 * sd + 0.002); /* lengths are rounded to whole tokens */
  check_gt(o->r.pool[1][PM_output_tok_s], 0);
  sim_log_free(&o->log);
  free(o);
}

/* A cascade escalates its share of the first deployment's answers; each escalated request's TTFT runs
 * from its own arrival, so it is at least the small model's whole answer. */
static void test_a_cascade_escalates_its_share(void **state) {
  mm_out *o = malloc(sizeof *o);
  char extra[1024];
  snprintf(extra, sizeof extra, "%smodels: {routing: cascade, escalate_frac: 0.25}\n", BIG);
  run_yaml(state, extra, o);
  double esc = o->r.f[FM_requests_escalated], n = o->r.v[RM_requests_arrived];
  check_near(esc / n, 0.25, 4 * sqrt(0.25 * 0.75 / n));
  check_near(o->r.pool[1][PM_answered], esc, 0.02 * esc); /* escalated near the end may finish after */
  check_eq(o->r.pool[0][PM_answered] + o->r.pool[1][PM_answered], o->r.v[RM_requests_finished]);
  check_gt(o->r.pool[1][PM_ttft_p99_s], o->r.pool[0][PM_ttft_p99_s]);
  sim_log_free(&o->log);
  free(o);
}

/* Cached answers: their share of requests, the cache's latency as TTFT, and no GPU tokens. */
static void test_cached_answers_cost_no_gpu_work(void **state) {
  mm_out *plain = malloc(sizeof *plain), *cached = malloc(sizeof *cached);
  run_yaml(state, "", plain);
  run_yaml(state, "models: {cache_hit_frac: 0.3, cache_latency_s: 0.001}\n", cached);
  double n = cached->r.v[RM_requests_arrived], hits = cached->r.f[FM_requests_cached];
  check_near(hits / n, 0.3, 4 * sqrt(0.3 * 0.7 / n));
  check_near(cached->r.v[RM_output_tok_s] / plain->r.v[RM_output_tok_s], 0.7, 0.05);
  check_rel(cached->r.f[FM_answered_output_tok_s], plain->r.v[RM_output_tok_s], 0.05);
  check_le(cached->r.v[RM_ttft_p50_s], plain->r.v[RM_ttft_p50_s]);
  size_t at_cache = 0;
  for (size_t k = 0; k < cached->log.n_req; k++) { /* the measured window's answers at the cache's latency */
    const sim_request_row *q = &cached->log.req[k];
    at_cache += q->arrival_s >= 20 && q->first_token_s == q->arrival_s + 0.001; /* as the cache answers */
  }
  check_eq(at_cache, hits);
  sim_log_free(&plain->log), sim_log_free(&cached->log);
  free(plain), free(cached);
}

/* Each deployment is billed at its own price; the bill is their sum. */
static void test_each_deployment_is_billed_at_its_own_price(void **state) {
  mm_out *o = malloc(sizeof *o);
  char extra[1024];
  ss_err err = {{0}};
  snprintf(extra, sizeof extra, "%smodels: {routing: class, class_input_tokens: [1000]}\n", BIG);
  run_yaml(state, extra, o);
  cost_fleet fleet;
  double price;
  assert_int_equal(costing_pools(*state, &o->pt, 2.0, NAN, &o->r, &o->log, &fleet, &price, &err), SS_OK);
  double hours = (300.0 - 20.0) / 3600.0;
  check_rel(o->r.pool[0][PM_usd], 2 * 1 * hours * 2.0, 1e-12); /* 2 replicas x 1 GPU at $2 */
  check_rel(o->r.pool[1][PM_usd], 1 * 4 * hours * 3.0, 1e-12); /* 1 replica x 4 GPUs at $3 */
  check_rel(price, (2 * hours * 2.0 + 4 * hours * 3.0) / (6 * hours), 1e-12);
  check_rel(fleet.replicas, 6, 1e-12);
  sim_log_free(&o->log);
  free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_cascade_escalating_nothing_is_the_small_model_alone),
      cmocka_unit_test(test_class_routing_sends_each_prompt_by_its_length),
      cmocka_unit_test(test_a_cascade_escalates_its_share),
      cmocka_unit_test(test_cached_answers_cost_no_gpu_work),
      cmocka_unit_test(test_each_deployment_is_billed_at_its_own_price),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
