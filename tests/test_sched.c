/* test_sched.c: the batching policies step by step: budget and sequence limits, chunked prefill,
 * recompute preemption of the newest request, static batches and single-stream slots, and the engines'
 * admission rules (vLLM multi-step windows, TGI's waiting-served ratio); what local-attention layers read
 * of the decoding set at every step. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "check.h"
#include "sim/fixture.h"
#include "sim/sched.h"

typedef struct {
  sched_replica rp;
  sched_pool pool;
  sched_outcome out;
  uint64_t finished, tokens, steps; /* steps: every step run, each one checked against the invariants */
  double t;
} rig;

/* A replica of base.yaml's deployment (with overrides) holding `blocks` KV blocks. */
static void rig_init(void **state, rig *g, const char *const *sets, uint64_t blocks) {
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  *g = (rig){0};
  if (fixture_load(state, sets, &fp, &err) || sched_init(&g->rp, &fp->pt.sim.dep, blocks, &err) ||
      sched_pool_init(&g->pool, 16, &err) || sched_outcome_init(&g->out, &g->rp, &err)) {
    fixture_point_free(fp);
    fail_msg("%s", err.msg);
  }
  fixture_point_free(fp); /* the replica keeps nothing of the spec */
}

static void rig_free(rig *g) {
  sched_free(&g->rp);
  sched_pool_free(&g->pool);
  sched_outcome_free(&g->out);
}

static uint32_t add(rig *g, uint32_t in, uint32_t out) {
  uint32_t id = sched_pool_get(&g->pool, 1000);
  g->pool.r[id].input_tokens = in, g->pool.r[id].output_tokens = out, g->pool.r[id].arrival_s = g->t;
  g->pool.r[id].user = SCHED_NONE;
  assert_int_equal(sched_enqueue(&g->rp, &g->pool, id), SS_OK);
  return id;
}

/* One step of unit length; returns false when idle. Checks the invariants after it. */
static bool step(rig *g, uint32_t *preempted) {
  uint32_t pre = 0;
  if (!sched_plan(&g->rp, &g->pool, g->t, &pre)) return false;
  check_le(g->rp.kv.used, g->rp.kv.capacity);
  check_le(g->rp.n_running, g->rp.max_seqs);
  check_le(g->rp.shape.prefill_tokens + g->rp.n_dec, g->rp.budget);
  if (preempted) *preempted += pre;
  if (g->rp.local.window) { /* what local-attention layers read: the tracker against a per-sequence sum */
    double want = g->rp.pad_ctx_local;
    for (uint32_t i = 0; i < g->pool.used; i++) {
      const sched_req *r = &g->pool.r[i];
      if (r->state == RQ_DECODE)
        want += model_local_ctx(g->rp.local.kind, g->rp.local_window, (double)(r->kv_off + (int64_t)g->rp.step));
    }
    check_eq(g->rp.shape.decode_ctx_local, want);
  }
  g->steps++;
  g->t += 1;
  sched_commit(&g->rp, &g->pool, g->t, &g->out);
  g->tokens += (uint64_t)g->out.out_tokens;
  for (uint32_t i = 0; i < g->out.n_finished; i++) {
    g->finished++;
    sched_pool_put(&g->pool, g->out.finished[i]);
  }
  return true;
}

static void test_continuous_runs_decodes_first_then_chunks_prompts_fcfs(void **state) {
  rig g;
  rig_init(state, &g,
           (const char *[]){"deployment.scheduler.max_batched_tokens=100", "deployment.scheduler.max_num_seqs=4", NULL},
           1000);
  uint32_t a = add(&g, 150, 5), b = add(&g, 30, 5), c = add(&g, 30, 5);
  step(&g, NULL); /* a: first 100 tokens of its prompt */
  assert_int_equal(g.rp.shape.prefill_tokens, 100);
  assert_int_equal(g.rp.shape.n_prefill, 1);
  check_nan(g.pool.r[a].first_token_s);
  step(&g, NULL); /* a: last 50; b: 30; c: 20 of 30 */
  assert_int_equal(g.rp.shape.prefill_tokens, 100);
  assert_int_equal(g.rp.shape.n_prefill, 3);
  check_eq(g.pool.r[a].first_token_s, 2);
  check_eq(g.pool.r[b].first_token_s, 2);
  check_nan(g.pool.r[c].first_token_s);
  step(&g, NULL); /* a and b decode; c: its last 10 */
  assert_int_equal(g.rp.shape.n_decode, 2);
  assert_int_equal(g.rp.shape.prefill_tokens, 10);
  assert_int_equal(g.rp.shape.decode_ctx, 150 + 30);
  check_eq(g.pool.r[c].first_token_s, 3);
  while (step(&g, NULL)) {}
  check_min_cases(g.steps, 3 + 4); /* three prefill steps, then at least the four decodes of the last */
  assert_int_equal(g.finished, 3);
  assert_int_equal(g.tokens, 15);
  assert_int_equal(g.rp.kv.used, 0);
  rig_free(&g);
}

static void test_continuous_never_runs_more_than_max_num_seqs(void **state) {
  rig g;
  rig_init(state, &g, (const char *[]){"deployment.scheduler.max_num_seqs=3", NULL}, 1000);
  for (int i = 0; i < 10; i++) add(&g, 10, 4);
  step(&g, NULL);
  assert_int_equal(g.rp.n_running, 3);
  assert_int_equal(g.rp.wq_len, 7);
  while (step(&g, NULL)) {}
  check_min_cases(g.steps, (10 * 4 + 2) / 3); /* 40 tokens, at most three a step */
  assert_int_equal(g.finished, 10);
  rig_free(&g);
}

static void test_when_blocks_run_out_the_newest_request_is_preempted_and_requeued_first(void **state) {
  rig g;
  /* 10 blocks of 16 tokens; two requests of 64 prompt tokens grow until they no longer both fit */
  rig_init(state, &g, (const char *[]){"deployment.scheduler.block_size=16", NULL}, 10);
  uint32_t a = add(&g, 64, 90), b = add(&g, 64, 90);
  uint32_t preempted = 0;
  while (!preempted) check_msg(step(&g, &preempted), "the replica went idle at t = %g before any preemption", g.t);
  assert_int_equal(preempted, 1);
  assert_int_equal(g.pool.r[b].preemptions, 1); /* the newest went */
  assert_int_equal(g.pool.r[a].preemptions, 0);
  assert_int_equal(g.rp.wq_len, 1);
  assert_int_equal(g.rp.wq[g.rp.wq_head], b); /* at the head of the queue */
  uint32_t c = add(&g, 8, 2);                 /* arrives later: stays behind b */
  (void)c;
  assert_int_equal(g.rp.wq[g.rp.wq_head], b);
  while (step(&g, &preempted)) {}
  assert_int_equal(g.finished, 3);
  assert_int_equal(g.tokens, 182); /* recompute re-reads the prompt but emits each token once */
  assert_int_equal(g.rp.kv.used, 0);
  assert_int_equal(g.rp.preemptions, preempted);
  rig_free(&g);
}

/* The replica's model gets local-attention layers of `window` tokens (the fixture's model has none). */
static void use_window(rig *g, int kind, uint32_t window) {
  lw_free(&g->rp.local);
  assert_int_equal(lw_init(&g->rp.local, kind, window, 1e9, NULL), SS_OK);
  g->rp.local_window = window;
}

/* Requests join, grow past the window, are preempted and come back, and finish: at every step the shape
 * charges local layers what the decoding sequences' contexts give (step() checks it). */
static void test_local_attention_reads_what_the_decoding_sequences_hold_through_preemption(void **state) {
  for (int kind = LOCAL_SLIDING; kind <= LOCAL_CHUNKED; kind++) {
    rig g;
    rig_init(state, &g, (const char *[]){"deployment.scheduler.block_size=16", NULL}, 10);
    use_window(&g, kind, 40);
    add(&g, 64, 90), add(&g, 20, 90), add(&g, 8, 30);
    uint32_t preempted = 0;
    uint64_t before = g.steps;
    while (step(&g, &preempted)) {}
    check_gt(preempted, 0);
    check_gt(g.steps - before, 100);
    assert_int_equal(g.finished, 3);
    check_eq(g.rp.local.n, 0);
    check_eq(g.rp.local.sum, 0);
    rig_free(&g);
  }
}

static void test_static_batch_admits_only_at_batch_boundaries_and_pads_to_the_longest(void **state) {
  rig g;
  rig_init(state, &g,
           (const char *[]){"deployment.scheduler.policy=static", "deployment.scheduler.static_batch=2", NULL}, 1000);
  use_window(&g, LOCAL_SLIDING, 12); /* padding members read their window too (step() checks it) */
  add(&g, 10, 3);
  add(&g, 10, 6);
  add(&g, 10, 2);
  step(&g, NULL); /* prefill of the batch of two */
  assert_int_equal(g.rp.shape.n_prefill, 2);
  int steps = 1;
  while (g.rp.n_running || g.rp.pad_n) {
    assert_int_equal(g.rp.wq_len, 1); /* the third waits for the batch to end */
    step(&g, NULL);
    if (g.rp.n_running) assert_int_equal(g.rp.shape.n_decode, 2); /* finished member pads the batch */
    if (g.rp.pad_n == 1) check_eq(g.rp.pad_ctx_local, model_local_ctx(LOCAL_SLIDING, 12, (double)g.rp.pad_ctx));
    steps++;
  }
  assert_int_equal(steps, 6); /* the longest member's 6 tokens: 1 prefill + 5 decode steps */
  assert_int_equal(g.finished, 2);
  while (step(&g, NULL)) {}
  assert_int_equal(g.finished, 3);
  assert_int_equal(g.rp.kv.used, 0);
  rig_free(&g);
}

static void test_single_stream_serves_parallel_slots_and_reserves_the_whole_context(void **state) {
  rig g;
  rig_init(state, &g,
           (const char *[]){"deployment.engine=llamacpp", "deployment.weights=q4_k_m",
                            "deployment.scheduler.parallel_slots=2", "deployment.scheduler.max_batched_tokens=512",
                            "deployment.scheduler.block_size=16", NULL},
           1000);
  add(&g, 100, 50);
  add(&g, 100, 10);
  add(&g, 1000, 50);
  step(&g, NULL);
  assert_int_equal(g.rp.n_running, 2); /* two slots: the third waits */
  assert_int_equal(g.rp.wq_len, 1);
  assert_int_equal(g.rp.shape.prefill_tokens, 200);
  assert_int_equal(g.rp.kv.used, (100 + 50 + 15) / 16 + (100 + 10 + 15) / 16); /* whole contexts, up front */
  uint32_t preempted = 0;
  bool chunked = false;
  while (step(&g, &preempted)) {
    check_le(g.rp.n_running, 2);
    chunked |= g.rp.shape.prefill_tokens == 512 - 1; /* one decode + the rest of n_batch */
  }
  check_min_cases(g.steps, 50); /* the longest request alone decodes 50 tokens */
  check_msg(chunked, "no step prefilled 511 tokens beside one decode: the 1000-token prompt was not split");
  assert_int_equal(preempted, 0);
  assert_int_equal(g.finished, 3);
  rig_free(&g);
}

/* vLLM --num-scheduler-steps k: one scheduling call plans k decode steps; a request that arrives during
 * the window waits for its end, so its first token comes up to k - 1 steps later than with k = 1. */
static void test_multi_step_window_holds_new_requests_until_it_ends(void **state) {
  for (uint32_t k = 1; k <= 8; k *= 2) {
    char steps[64];
    snprintf(steps, sizeof steps, "deployment.scheduler.num_scheduler_steps=%u", k);
    rig g;
    rig_init(state, &g, (const char *[]){steps, NULL}, 1000);
    add(&g, 16, 100); /* a long decode keeps windows running */
    step(&g, NULL);   /* its prefill: a window of one */
    step(&g, NULL);   /* the first decode step opens a window of k */
    uint32_t late = add(&g, 16, 4);
    double sent = g.t;
    while (isnan(g.pool.r[late].first_token_s)) step(&g, NULL);
    /* the window had k - 1 steps left; then the prefill step emits the first token */
    check_eq(g.pool.r[late].first_token_s - sent, (double)(k - 1) + 1);
    while (step(&g, NULL)) {}
    assert_int_equal(g.finished, 2);
    rig_free(&g);
  }
}

/* TGI's router: with a batch of n running, waiting requests join only when floor(ratio x n) of them can
 * join together, or once max_waiting_tokens decode steps ran without a join. */
static void test_tgi_joins_a_running_batch_only_with_enough_waiting_or_after_max_waiting_tokens(void **state) {
  rig g;
  rig_init(state, &g,
           (const char *[]){"deployment.scheduler.waiting_served_ratio=1.2",
                            "deployment.scheduler.max_waiting_tokens=5", NULL},
           1000);
  for (int i = 0; i < 4; i++) add(&g, 16, 200); /* nothing running: all four join at once */
  step(&g, NULL);
  assert_int_equal(g.rp.n_running, 4);
  uint32_t one = add(&g, 16, 10); /* 1 waiting < floor(1.2 x 4) = 4: it waits */
  int waited = 0;
  while (isnan(g.pool.r[one].first_token_s)) step(&g, NULL), waited++;
  /* TGI counts the join step as 1 (waiting_tokens = 1) and joins when the count reaches max_waiting_tokens:
   * 4 decode steps after the join, then its prefill step */
  check_eq(waited, (5 - 1) + 1);
  for (int i = 0; i < 6; i++) add(&g, 16, 10); /* 6 >= floor(1.2 x 5) = 6: they join at the next step */
  step(&g, NULL);
  assert_int_equal(g.rp.wq_len, 0);
  assert_int_equal(g.rp.n_running, 11);
  while (step(&g, NULL)) {}
  assert_int_equal(g.finished, 11);
  rig_free(&g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_continuous_runs_decodes_first_then_chunks_prompts_fcfs),
      cmocka_unit_test(test_continuous_never_runs_more_than_max_num_seqs),
      cmocka_unit_test(test_when_blocks_run_out_the_newest_request_is_preempted_and_requeued_first),
      cmocka_unit_test(test_local_attention_reads_what_the_decoding_sequences_hold_through_preemption),
      cmocka_unit_test(test_static_batch_admits_only_at_batch_boundaries_and_pads_to_the_longest),
      cmocka_unit_test(test_single_stream_serves_parallel_slots_and_reserves_the_whole_context),
      cmocka_unit_test(test_multi_step_window_holds_new_requests_until_it_ends),
      cmocka_unit_test(test_tgi_joins_a_running_batch_only_with_enough_waiting_or_after_max_waiting_tokens),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
