/* test_prefix.c: automatic prefix caching on one replica, step by step: a cached prompt head is not
 * prefilled again, shared blocks are held once, unheld blocks are evicted least recently used first,
 * and the block-name table stays consistent through long random runs with evictions and preemptions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/rng.h"
#include "check.h"
#include "physics/perf.h"
#include "sim/fixture.h"
#include "sim/prefix.h"
#include "sim/sched.h"

/* One replica of base.yaml (Llama 3.1 8B on H100, vLLM) with a prefix cache over `blocks` blocks. */
typedef struct {
  sched_replica rp;
  sched_pool pool;
  sched_outcome out;
  prefix_idents ids;
  prefix_cache pc;
  perf_ctx perf;
  double t;
} cache_rig;

static void cache_rig_init(void **state, cache_rig *g, uint64_t blocks, uint32_t budget) {
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  char set_budget[96];
  snprintf(set_budget, sizeof set_budget, "deployment.scheduler.max_batched_tokens=%u", budget);
  const char *sets[] = {"deployment.scheduler.prefix_caching=true", set_budget, NULL};
  *g = (cache_rig){0};
  perf_opts po;
  if (fixture_load(state, sets, &fp, &err) || sched_init(&g->rp, &fp->pt.sim.dep, blocks, &err) ||
      sched_pool_init(&g->pool, 16, &err) || sched_outcome_init(&g->out, &g->rp, &err) ||
      prefix_init(&g->pc, &g->rp.kv, &g->ids, &err) ||
      (sim_config_perf_opts(&fp->pt.sim, &po), perf_init(&g->perf, &fp->pt.sim.dep.hw, &po, &err))) {
    fixture_point_free(fp);
    fail_msg("%s", err.msg);
  }
  g->rp.pc = &g->pc;
  fixture_point_free(fp);
}

static void cache_rig_free(cache_rig *g) {
  prefix_free(&g->pc);
  prefix_idents_free(&g->ids);
  sched_free(&g->rp);
  sched_pool_free(&g->pool);
  sched_outcome_free(&g->out);
}

/* A prompt of `in` tokens whose first `shared` tokens are the shared segment `seg` (0: none); `own`
 * names the rest. */
static uint32_t add(cache_rig *g, uint32_t in, uint32_t out, uint64_t seg, uint32_t shared, uint64_t own) {
  ss_err err = {{0}};
  uint32_t id = sched_pool_get(&g->pool, 100000);
  sched_req *r = &g->pool.r[id];
  r->input_tokens = in, r->output_tokens = out, r->arrival_s = g->t, r->user = SCHED_NONE, r->measured = true;
  prefix_ident ident = {.key = {seg, seg + 1, own}, .end = {shared, shared}, .session = PREFIX_NONE};
  assert_int_equal(prefix_idents_set(&g->ids, id, &ident, &err), SS_OK);
  assert_int_equal(sched_enqueue(&g->rp, &g->pool, id), SS_OK);
  return id;
}

/* Checks the cache's books: held + unheld blocks within capacity, every unheld block in the LRU list,
 * every entry reachable from its home slot (nothing lost by deletions). */
static void check_books(const cache_rig *g) {
  const prefix_cache *pc = &g->pc;
  const kv_cache *kv = &g->rp.kv;
  check_le(kv->used + kv->cached, kv->capacity);
  uint64_t entries = 0, unheld = 0, in_lru = 0;
  for (uint64_t i = 0; i <= pc->mask; i++) {
    uint32_t e = pc->slot[i].e;
    if (e == PREFIX_NONE) continue;
    check_eq(pc->slot[i].name, pc->b[e].name);
    entries++;
    unheld += pc->b[e].refs == 0;
    uint64_t j = pc->b[e].name & pc->mask; /* its home slot */
    while (j != i) {                       /* the probe path from its home reaches it without an empty slot */
      check_msg(pc->slot[j].e != PREFIX_NONE, "entry %u at slot %llu is cut off from its home", e,
                (unsigned long long)i);
      j = (j + 1) & pc->mask;
    }
  }
  for (uint32_t e = pc->lru_head; e != PREFIX_NONE; e = pc->b[e].next) in_lru++;
  check_eq(unheld, kv->cached);
  check_eq(in_lru, kv->cached);
  check_le(entries, kv->used + kv->cached);
}

/* One step of unit length; returns false when idle. */
static bool step(cache_rig *g) {
  uint32_t pre = 0;
  if (!sched_plan(&g->rp, &g->pool, g->t, &pre)) return false;
  check_books(g);
  g->t += 1;
  sched_commit(&g->rp, &g->pool, g->t, &g->out);
  check_books(g);
  for (uint32_t i = 0; i < g->out.n_finished; i++) sched_pool_put(&g->pool, g->out.finished[i]);
  return true;
}

static void run_all(cache_rig *g) {
  for (int i = 0; i < 100000 && step(g); i++) continue;
}

static void test_a_cached_prompt_head_leaves_only_the_tail_to_prefill(void **state) {
  cache_rig g;
  cache_rig_init(state, &g, 4000, 8192);
  add(&g, 1000, 3, 7, 960, 100); /* 960 shared tokens = 60 blocks, then 40 of its own */
  run_all(&g);
  uint32_t b = add(&g, 1000, 3, 7, 960, 200);
  assert_true(sched_plan(&g.rp, &g.pool, g.t, &(uint32_t){0}));
  /* the prefill is the 40-token tail, attending to the 960 cached tokens in front of it */
  batch_shape tail = {.n_prefill = 1, .prefill_tokens = 40, .prefill_attn = 40 * (960 + 20.0), .n_sampled = 1};
  check_eq(g.rp.plan[0].id, b);
  check_eq(g.rp.plan[0].before, 960);
  check_eq(g.rp.shape.prefill_tokens, tail.prefill_tokens);
  check_eq(g.rp.shape.prefill_attn, tail.prefill_attn);
  check_eq(perf_step_time(&g.perf, &g.rp.shape), perf_step_time(&g.perf, &tail));
  check_eq(g.pc.hit_tokens, 960);
  check_eq(g.pc.query_tokens, 1000 + 1000);
  /* a prompt cached whole (63 blocks) still computes its last block: at least one token is computed */
  sched_commit(&g.rp, &g.pool, g.t + 1, &g.out);
  run_all(&g);
  add(&g, 1008, 3, 8, 1008, 300);
  run_all(&g);
  add(&g, 1008, 3, 8, 1008, 400);
  assert_true(sched_plan(&g.rp, &g.pool, g.t, &(uint32_t){0}));
  check_eq(g.rp.shape.prefill_tokens, 1008 - 62 * 16);
  cache_rig_free(&g);
}

static void test_a_shared_head_is_held_once(void **state) {
  cache_rig g;
  cache_rig_init(state, &g, 4000, 8192);
  add(&g, 1000, 50, 7, 960, 100);
  step(&g); /* its prompt is computed and its 62 full blocks cached; 63 held */
  check_eq(g.rp.kv.used, 63);
  add(&g, 1000, 50, 7, 960, 200);
  step(&g); /* the second holds the 60 shared blocks and 3 of its own 40 tokens; the first's decode
             * token still fits its last block (1000 = 62 x 16 + 8) */
  check_eq(g.rp.kv.used, 63 + 3);
  cache_rig_free(&g);
}

static void test_unheld_blocks_are_evicted_least_recently_used_first(void **state) {
  cache_rig g;
  cache_rig_init(state, &g, 200, 8192);
  for (uint64_t seg = 1; seg <= 3; seg++) { /* three 50-block heads, used one after another */
    add(&g, 801, 2, seg * 10, 800, seg * 100);
    run_all(&g);
  }
  check_eq(g.rp.kv.used, 0);
  check_eq(g.rp.kv.cached, 150); /* every full block stays cached */
  add(&g, 1600, 2, 99, 0, 999);  /* needs 100 blocks: 50 free, 50 evicted */
  run_all(&g);
  uint32_t unheld;
  prefix_ident head[3];
  for (int s = 0; s < 3; s++)
    head[s] = (prefix_ident){.key = {(uint64_t)(s + 1) * 10, (uint64_t)(s + 1) * 10 + 1, 1}, .end = {800, 800}};
  check_eq(prefix_probe(&g.pc, &head[0], 801, &unheld), 0);  /* the oldest went */
  check_eq(prefix_probe(&g.pc, &head[2], 801, &unheld), 50); /* the newest stayed */
  check_eq(unheld, 50);
  cache_rig_free(&g);
}

/* Many requests over a few shared heads on a small cache: evictions, preemptions and shared holds
 * interleave; the books balance at every step, and at the end nothing is held. */
static void test_books_balance_through_evictions_and_preemptions(void **state) {
  cache_rig g;
  cache_rig_init(state, &g, 300, 512);
  uint64_t x = 12345;
  size_t added = 0;
  for (int round = 0; round < 60; round++) {
    for (int k = 0; k < 4; k++, added++) {
      x = rng_splitmix64(x);
      uint32_t shared = 16 * (uint32_t)(x % 40), in = shared + 1 + (uint32_t)(x >> 40) % 300;
      add(&g, in, 1 + (uint32_t)(x >> 20) % 200, 1 + x % 5, shared, 1000 + added);
    }
    for (int s = 0; s < 20 && step(&g); s++) continue;
  }
  run_all(&g);
  check_gt(g.rp.preemptions, 0);
  check_gt(g.pc.hit_tokens, 0);
  check_eq(g.rp.kv.used, 0);
  check_min_cases(added, 200);
  cache_rig_free(&g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_cached_prompt_head_leaves_only_the_tail_to_prefill),
      cmocka_unit_test(test_a_shared_head_is_held_once),
      cmocka_unit_test(test_unheld_blocks_are_evicted_least_recently_used_first),
      cmocka_unit_test(test_books_balance_through_evictions_and_preemptions),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
