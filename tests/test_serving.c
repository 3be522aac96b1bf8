/* test_serving.c: the serving mechanisms end to end in the event loop: conversations and prefix
 * caching (hits, routing), speculative decoding (acceptance 0 and 1), disaggregated prefill and decode
 * (an infinite link at low load), pipeline and expert parallelism (one stage is no pipeline; 405B and
 * Llama 4 Maverick on 16 GPUs); for every mechanism, conservation and fast-forward = stepping. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "sim/disagg.h"
#include "sim/fixture.h"
#include "sim/pipeline.h"
#include "sim/sim.h"

typedef struct {
  sim_result r;
  sim_stats st;
  sim_log log;
} served;

/* Replicate 0 of base.yaml with the overrides of `a` then `b` (either may be NULL). */
static void serve(void **state, const char *const *a, const char *const *b, const sim_opts *o, served *out) {
  const char *sets[40];
  size_t n = 0;
  for (const char *const *l = a; l && *l; l++) sets[n++] = *l;
  for (const char *const *l = b; l && *l; l++) sets[n++] = *l;
  sets[n] = NULL;
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  memset(out, 0, sizeof *out);
  ss_status rc = fixture_load(state, sets, &fp, &err);
  if (!rc) rc = sim_run_opts(&fp->pt.sim, fp->pt.seed, 0, o, &out->r, &out->log, &out->st, &err);
  fixture_point_free(fp);
  if (rc) fail_msg("%s", err.msg);
}

static const char *const SHORT[] = {"horizon.duration_s=60", "horizon.warmup_s=5", NULL};

/* ---- conversations and prefix caching ---- */

static void test_a_conversation_resends_its_history_and_finds_it_cached(void **state) {
  const char *sets[] = {"workload.arrival.process=offline",
                        "workload.arrival.n=1",
                        "workload.input_tokens.dist=fixed",
                        "workload.input_tokens.value=100",
                        "workload.output_tokens.dist=fixed",
                        "workload.output_tokens.value=50",
                        "workload.session.turns_mean=3",
                        "workload.session.turns_dist=fixed",
                        "workload.session.think_s=1",
                        "deployment.scheduler.prefix_caching=true",
                        "output.requests=true",
                        NULL};
  served s;
  serve(state, sets, NULL, NULL, &s);
  assert_int_equal(s.log.n_req, 3);
  for (size_t i = 0; i < 3; i++) check_eq(s.log.req[i].input_tokens, 100 + 150 * i); /* history + 100 new */
  check_ge(s.log.req[1].arrival_s, s.log.req[0].finish_s);
  /* turn 2 finds turn 1's 149 written tokens as 9 full blocks, turn 3 turn 2's 299 as 18 */
  check_near(s.r.v[RM_prefix_hit_frac], (9 + 18) * 16 / 750.0, 1e-12);
  sim_log_free(&s.log);
}

static const char *const SYSTEM_PROMPT[] = {"workload.prefix.system_tokens=1600", "workload.input_tokens.dist=fixed",
                                            "workload.input_tokens.value=400", "workload.arrival.rate_per_s=2", NULL};

static void test_a_shared_system_prompt_is_prefilled_once(void **state) {
  const char *on[] = {"deployment.scheduler.prefix_caching=true", NULL};
  served cached, plain;
  serve(state, SYSTEM_PROMPT, on, NULL, &cached);
  serve(state, SYSTEM_PROMPT, SHORT, NULL, &plain);
  check_near(cached.r.v[RM_prefix_hit_frac], 1600 / 2000.0, 1e-12); /* every measured prompt hits 100 blocks */
  check_nan(plain.r.v[RM_prefix_hit_frac]);                         /* not cached: not measured */
  check_lt(cached.r.v[RM_ttft_mean_s], 0.6 * plain.r.v[RM_ttft_mean_s]);
}

/* Few-shot templates over 4 replicas whose caches hold about 4 of the 16: routing by cached prefix
 * keeps each template on few replicas and hits more often than balancing load alone. */
static void test_prefix_affinity_hits_more_than_least_outstanding(void **state) {
  const char *tpl[] = {"workload.prefix.template_tokens=2048",
                       "workload.prefix.templates=16",
                       "workload.input_tokens.dist=fixed",
                       "workload.input_tokens.value=64",
                       "deployment.replicas=4",
                       "workload.arrival.rate_per_s=8",
                       "deployment.scheduler.prefix_caching=true",
                       "horizon.duration_s=60",
                       "horizon.warmup_s=10",
                       NULL};
  const char *affinity[] = {"router=prefix_affinity", NULL};
  const sim_opts small = {.kv_blocks = 700};
  served aff, lo;
  serve(state, tpl, affinity, &small, &aff);
  serve(state, tpl, NULL, &small, &lo);
  check_gt(aff.r.v[RM_prefix_hit_frac], lo.r.v[RM_prefix_hit_frac] + 0.1);
}

static void test_session_affinity_finds_the_conversation_on_its_replica(void **state) {
  const char *conv[] = {"workload.session.turns_mean=6",
                        "workload.session.think_s=2",
                        "deployment.replicas=4",
                        "workload.arrival.rate_per_s=2",
                        "deployment.scheduler.prefix_caching=true",
                        NULL};
  const char *sticky[] = {"router=session_affinity", "horizon.duration_s=60", "horizon.warmup_s=10", NULL};
  const char *spread[] = {"router=round_robin", "horizon.duration_s=60", "horizon.warmup_s=10", NULL};
  served a, b;
  serve(state, conv, sticky, NULL, &a);
  serve(state, conv, spread, NULL, &b);
  check_gt(a.r.v[RM_prefix_hit_frac], 1.5 * b.r.v[RM_prefix_hit_frac]);
}

/* ---- chunked-prefill budget ---- */

/* The shape of the first step of a run (a step-time callback that records it). */
static double first_shape(const void *ctx, const batch_shape *b) {
  batch_shape *first = (batch_shape *)(uintptr_t)ctx;
  if (!first->n_prefill) *first = *b;
  return 0.01;
}

static void test_a_long_prefill_cap_lets_prompts_share_the_budget(void **state) {
  const char *four[] = {"workload.arrival.process=offline",
                        "workload.arrival.n=4",
                        "workload.input_tokens.dist=fixed",
                        "workload.input_tokens.value=5000",
                        "workload.output_tokens.dist=fixed",
                        "workload.output_tokens.value=10",
                        "deployment.scheduler.max_batched_tokens=8192",
                        NULL};
  const char *capped[] = {"deployment.scheduler.long_prefill_tokens=512", NULL};
  batch_shape whole = {0}, shared = {0};
  sim_opts o = {.step_time_s = first_shape, .step_ctx = &whole};
  served a, b;
  serve(state, four, NULL, &o, &a);
  o.step_ctx = &shared;
  serve(state, four, capped, &o, &b);
  check_eq(whole.n_prefill, 2); /* first come first served: 5000 + 3192 of the 8192 tokens */
  check_eq(whole.prefill_tokens, 8192);
  check_eq(shared.n_prefill, 4); /* 512 each */
  check_eq(shared.prefill_tokens, 4 * 512);
  check_eq(a.st.finished, 4);
  check_eq(b.st.finished, 4);
}

/* ---- speculative decoding ---- */

static const char *const SPEC[] = {"deployment.speculative.method=heads", "deployment.speculative.k=4",
                                   "horizon.duration_s=60", "horizon.warmup_s=5", NULL};

static void test_acceptance_zero_decodes_slower_than_no_drafting(void **state) {
  const char *zero[] = {"deployment.speculative.acceptance=0", NULL};
  served spec, plain;
  serve(state, SPEC, zero, NULL, &spec);
  serve(state, SHORT, NULL, NULL, &plain);
  check_eq(spec.r.v[RM_spec_tokens_per_step], 1);
  check_gt(spec.r.v[RM_tpot_mean_s], plain.r.v[RM_tpot_mean_s]);
}

static void test_acceptance_one_emits_k_plus_one_tokens_a_step(void **state) {
  const char *one[] = {"deployment.speculative.acceptance=1", NULL};
  served spec, plain;
  serve(state, SPEC, one, NULL, &spec);
  serve(state, SHORT, NULL, NULL, &plain);
  check_eq(spec.r.v[RM_spec_tokens_per_step], 5);
  check_lt(spec.r.v[RM_tpot_mean_s], 0.4 * plain.r.v[RM_tpot_mean_s]);
}

/* ---- disaggregated prefill and decode ---- */

static void test_kv_transfers_queue_on_their_link(void **state) {
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  const char *sets[] = {"deployment.disagg.prefill_replicas=1", "deployment.disagg.link_gb_s=10",
                        "deployment.disagg.link_latency_s=0.001", NULL};
  if (fixture_load(state, sets, &fp, &err)) fail_msg("%s", err.msg);
  disagg d;
  assert_int_equal(disagg_init(&d, &fp->pt.sim, 1, &err), SS_OK);
  double per_token = 2 * 32 * 8 * 128 * 2.0; /* Llama 3.1 8B, fp16 KV: 131 kB a token */
  check_eq(d.bytes_per_token, per_token);
  double t1 = disagg_send(&d, 1, 1000, 5.0), t2 = disagg_send(&d, 1, 1000, 5.0);
  check_near(t1, 5.0 + 0.001 + 1000 * per_token / 10e9, 1e-12);
  check_near(t2, t1 + 0.001 + 1000 * per_token / 10e9, 1e-12); /* waits for the first */
  disagg_free(&d);
  fixture_point_free(fp);
}

static void test_an_infinite_link_never_delays_first_tokens_at_low_load(void **state) {
  const char *low[] = {"workload.arrival.rate_per_s=1", "horizon.duration_s=100", "horizon.warmup_s=10", NULL};
  const char *split[] = {"deployment.disagg.prefill_replicas=1", "deployment.disagg.link_gb_s=1e12",
                         "deployment.disagg.link_latency_s=0", NULL};
  const char *together[] = {"deployment.replicas=2", NULL};
  served d, c;
  serve(state, low, split, NULL, &d);
  serve(state, low, together, NULL, &c);
  check_le(d.r.v[RM_ttft_mean_s], c.r.v[RM_ttft_mean_s]);
  check_le(d.r.v[RM_ttft_p90_s], c.r.v[RM_ttft_p90_s]);
  check_lt(d.r.v[RM_kv_transfer_mean_s], 1e-6);
}

static void test_a_deployment_counts_every_gpu(void **state) {
  const char *const *layouts[] = {(const char *const[]){"deployment.replicas=2", NULL},
                                  (const char *const[]){"deployment.disagg.prefill_replicas=1", NULL},
                                  (const char *const[]){"deployment.pp=2", NULL}};
  const double gpus[] = {2, 2, 2};
  size_t tested = 0;
  for (size_t i = 0; i < 3; i++, tested++) {
    fixture_point *fp = NULL;
    ss_err err = {{0}};
    if (fixture_load(state, layouts[i], &fp, &err)) fail_msg("%s", err.msg);
    check_eq(sim_config_gpus(&fp->pt.sim.dep), gpus[i]);
    fixture_point_free(fp);
  }
  check_min_cases(tested, 3);
}

/* ---- pipeline and expert parallelism ---- */

static void test_pipeline_stages_share_micro_batches(void **state) {
  (void)state;
  cluster c = {.rep = calloc(4, sizeof(sched_replica)), .n = 4};
  pipeline p;
  ss_err err = {{0}};
  assert_int_equal(pipeline_init(&p, 4, 2, &err), SS_OK);
  check_eq(pipeline_step_s(&p, &c, 0, 1.0, 0), 1.0); /* alone: the full forward, the other stage idle */
  c.rep[0].in_flight = true;
  check_eq(pipeline_step_s(&p, &c, 1, 1.0, 0), 1.0); /* two equal micro-batches keep both stages busy */
  check_eq(pipeline_step_s(&p, &c, 1, 0.2, 0), 0.6); /* a short one waits on the stage the long one holds */
  check_eq(pipeline_step_s(&p, &c, 2, 0.3, 0), 0.3); /* lanes 2, 3 are another replica's */
  pipeline_free(&p);
  pipeline one;
  assert_int_equal(pipeline_init(&one, 4, 1, &err), SS_OK);
  check_eq(pipeline_step_s(&one, &c, 1, 0.7, 0.1), 0.7);
  pipeline_free(&one);
  free(c.rep);
}

/* One host loop drives every micro-batch of a replica: their host work adds up, whatever the stages. */
static void test_pipeline_host_loop_is_shared_by_micro_batches(void **state) {
  (void)state;
  cluster c = {.rep = calloc(8, sizeof(sched_replica)), .n = 8};
  pipeline p;
  ss_err err = {{0}};
  assert_int_equal(pipeline_init(&p, 8, 4, &err), SS_OK);
  check_eq(pipeline_step_s(&p, &c, 0, 1.0, 0.4), 1.0); /* alone: the forward, host work inside it */
  c.rep[0].in_flight = true;
  check_eq(pipeline_step_s(&p, &c, 1, 1.0, 0.4), 1.0); /* two lanes: 0.8 s of host work fits in the step */
  c.rep[1].in_flight = true;
  check_near(pipeline_step_s(&p, &c, 2, 1.0, 0.4), 1.2, 1e-12); /* three: the host loop is the bottleneck */
  c.rep[2].in_flight = true;
  check_near(pipeline_step_s(&p, &c, 3, 1.0, 0.4), 1.6, 1e-12); /* four: pp x h, not t */
  check_eq(pipeline_step_s(&p, &c, 4, 1.0, 0.4), 1.0);          /* the other replica has its own loop */
  pipeline_free(&p);
  free(c.rep);
}

static const char *const BUSY[] = {"deployment.replicas=3", "workload.arrival.rate_per_s=60", "horizon.duration_s=60",
                                   "horizon.warmup_s=5",    "output.requests=true",           NULL};

static void test_one_pipeline_stage_is_no_pipeline_bit_for_bit(void **state) {
  const char *one[] = {"deployment.pp=1", "deployment.disagg.prefill_replicas=0", NULL};
  const sim_opts small = {.kv_blocks = 2500};
  served a, b;
  serve(state, BUSY, one, &small, &a);
  serve(state, BUSY, NULL, &small, &b);
  assert_memory_equal(a.r.v, b.r.v, sizeof a.r.v);
  assert_int_equal(a.log.n_req, b.log.n_req);
  assert_memory_equal(a.log.req, b.log.req, a.log.n_req * sizeof *a.log.req);
  sim_log_free(&a.log), sim_log_free(&b.log);
}

/* Llama 3.1 405B (FP16, 810 GB) and Llama 4 Maverick (FP8) on 16 H100s, two nodes of 8: one tensor-parallel
 * group across both nodes pays an all-reduce over the network twice a layer; tp 8 within a node and two
 * pipeline stages cross it once a step. */
static void test_405b_and_maverick_run_on_sixteen_gpus(void **state) {
  const char *big[] = {"deployment.model=llama-3.1-405b", "workload.arrival.rate_per_s=0.5", "horizon.duration_s=60",
                       "horizon.warmup_s=5", NULL};
  const char *tp16[] = {"deployment.tp=16", NULL}, *tp8pp2[] = {"deployment.tp=8", "deployment.pp=2", NULL};
  served a, b;
  serve(state, big, tp16, NULL, &a);
  serve(state, big, tp8pp2, NULL, &b);
  check_gt(a.r.v[RM_requests_finished], 10);
  check_gt(b.r.v[RM_requests_finished], 10);
  check_lt(b.r.v[RM_ttft_mean_s], a.r.v[RM_ttft_mean_s]);
  const char *mav[] = {
      "deployment.model=llama-4-maverick", "deployment.weights=fp8", "deployment.tp=8",    "deployment.pp=2",
      "workload.arrival.rate_per_s=1",     "horizon.duration_s=60",  "horizon.warmup_s=5", NULL};
  const char *skewed[] = {"deployment.expert_parallel=true", "deployment.ep_imbalance=2", NULL};
  served m, skew;
  serve(state, mav, NULL, NULL, &m);
  serve(state, mav, skewed, NULL, &skew);
  check_gt(m.r.v[RM_requests_finished], 20);
  check_gt(skew.r.v[RM_tpot_mean_s], m.r.v[RM_tpot_mean_s]); /* the busiest GPU sets the pace */
}

/* Llama 4 Maverick (one routed expert a token) on tp 8: expert parallelism sends each token's vector to
 * one expert's GPU and back instead of all-reducing it (fewer bytes, one more call a layer); with a
 * balanced load its experts' weights and math cost what sliced experts cost, each GPU moves the
 * activations of its 1/tp of the routed tokens only, and an imbalance of 2 doubles its expert work. */
static void test_expert_parallel_trades_bytes_for_calls_and_pays_for_imbalance(void **state) {
  const char *sets[] = {"deployment.model=llama-4-maverick", "deployment.weights=fp8", "deployment.tp=8", NULL};
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  if (fixture_load(state, sets, &fp, &err)) fail_msg("%s", err.msg);
  perf_opts o;
  sim_config_perf_opts(&fp->pt.sim, &o);
  perf_ctx tp, ep, skew;
  assert_int_equal(perf_init(&tp, &fp->pt.sim.dep.hw, &o, &err), SS_OK);
  o.expert_parallel = true;
  assert_int_equal(perf_init(&ep, &fp->pt.sim.dep.hw, &o, &err), SS_OK);
  o.ep_imbalance = 2;
  assert_int_equal(perf_init(&skew, &fp->pt.sim.dep.hw, &o, &err), SS_OK);
  fixture_point_free(fp);
  check_lt(ep.comm_token_s, tp.comm_token_s);
  check_gt(ep.comm_step_s, tp.comm_step_s);
  batch_shape b = {.n_decode = 64, .decode_ctx = 64 * 1000.0, .n_sampled = 64};
  double comm = 64 * (ep.comm_token_s - tp.comm_token_s) + ep.comm_step_s - tp.comm_step_s;
  double act = 64 * ep.experts_per_token * (ep.moe_act_s - tp.moe_act_s);
  check_lt(ep.moe_act_s, tp.moe_act_s);
  check_rel(perf_step_time(&ep, &b) - perf_step_time(&tp, &b), comm + act, 1e-9);
  check_gt(perf_step_time(&skew, &b), perf_step_time(&ep, &b));
}

/* ---- every mechanism: conservation, and fast-forward = stepping ---- */

static const char *const *const MECHANISMS[] = {
    (const char *const[]){"deployment.scheduler.prefix_caching=true", "workload.prefix.system_tokens=512",
                          "workload.session.turns_mean=3", "workload.session.think_s=1", "router=session_affinity",
                          NULL},
    (const char *const[]){"deployment.scheduler.prefix_caching=true", "workload.prefix.template_tokens=256",
                          "workload.prefix.templates=8", "router=prefix_affinity", "workload.arrival.process=closed",
                          "workload.arrival.users=30", "workload.session.turns_mean=2", NULL},
    (const char *const[]){"deployment.speculative.method=draft", "deployment.speculative.draft_model=llama-3.1-8b",
                          "deployment.model=llama-3.1-70b", "deployment.tp=4", "deployment.replicas=1",
                          "deployment.speculative.max_batch=32", NULL},
    (const char *const[]){"deployment.speculative.method=heads", "deployment.speculative.acceptance=0.6", NULL},
    (const char *const[]){"deployment.disagg.prefill_replicas=2", NULL},
    (const char *const[]){"deployment.pp=2", "deployment.tp=1", NULL},
};
#define NMECH (sizeof MECHANISMS / sizeof MECHANISMS[0])

static void test_every_mechanism_conserves_requests_tokens_and_blocks(void **state) {
  size_t tested = 0;
  const sim_opts small = {.kv_blocks = 2500};
  for (size_t c = 0; c < NMECH; c++, tested++) {
    served s;
    serve(state, BUSY, MECHANISMS[c], &small, &s);
    const sim_stats *st = &s.st;
    assert_int_equal(st->arrived, st->finished + st->unfinished);
    assert_int_equal(st->tokens_emitted, st->tokens_of_finished + st->tokens_of_unfinished);
    check_le(st->kv_peak_blocks, st->kv_capacity_blocks);
    check_gt(st->finished, 100);
    if (!st->unfinished) assert_int_equal(st->itl_samples, st->itl_expected);
    sim_log_free(&s.log);
  }
  check_min_cases(tested, NMECH);
}

static void test_every_mechanism_fast_forwards_exactly_as_it_steps(void **state) {
  size_t tested = 0;
  for (size_t c = 0; c < NMECH; c++, tested++) {
    served *ff = malloc(sizeof *ff), *step = malloc(sizeof *step);
    sim_opts o = {.kv_blocks = 2500};
    serve(state, BUSY, MECHANISMS[c], &o, ff);
    o.no_fast_forward = true;
    serve(state, BUSY, MECHANISMS[c], &o, step);
    check_gt(ff->st.inline_steps, 0);
    assert_int_equal(ff->st.steps, step->st.steps);
    assert_memory_equal(ff->r.v, step->r.v, sizeof ff->r.v);
    assert_int_equal(ff->log.n_req, step->log.n_req);
    assert_memory_equal(ff->log.req, step->log.req, ff->log.n_req * sizeof *ff->log.req);
    sim_log_free(&ff->log), sim_log_free(&step->log);
    free(ff), free(step);
  }
  check_min_cases(tested, NMECH);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_conversation_resends_its_history_and_finds_it_cached),
      cmocka_unit_test(test_a_shared_system_prompt_is_prefilled_once),
      cmocka_unit_test(test_prefix_affinity_hits_more_than_least_outstanding),
      cmocka_unit_test(test_session_affinity_finds_the_conversation_on_its_replica),
      cmocka_unit_test(test_a_long_prefill_cap_lets_prompts_share_the_budget),
      cmocka_unit_test(test_acceptance_zero_decodes_slower_than_no_drafting),
      cmocka_unit_test(test_acceptance_one_emits_k_plus_one_tokens_a_step),
      cmocka_unit_test(test_kv_transfers_queue_on_their_link),
      cmocka_unit_test(test_an_infinite_link_never_delays_first_tokens_at_low_load),
      cmocka_unit_test(test_pipeline_stages_share_micro_batches),
      cmocka_unit_test(test_pipeline_host_loop_is_shared_by_micro_batches),
      cmocka_unit_test(test_one_pipeline_stage_is_no_pipeline_bit_for_bit),
      cmocka_unit_test(test_405b_and_maverick_run_on_sixteen_gpus),
      cmocka_unit_test(test_expert_parallel_trades_bytes_for_calls_and_pays_for_imbalance),
      cmocka_unit_test(test_a_deployment_counts_every_gpu),
      cmocka_unit_test(test_every_mechanism_conserves_requests_tokens_and_blocks),
      cmocka_unit_test(test_every_mechanism_fast_forwards_exactly_as_it_steps),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
