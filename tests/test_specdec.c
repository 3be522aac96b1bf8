/* test_specdec.c: speculative decoding's step cost and draws: the accepted tokens follow the truncated
 * geometric law, a step without drafts costs the target's step, drafting pays off where decoding is
 * bandwidth-bound (small batches) and costs more than it saves where it is compute-bound (large
 * batches), and the draft's weights and cache take KV blocks from the target. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "check.h"
#include "physics/specdec.h"
#include "sim/fixture.h"

typedef struct {
  perf_ctx target;
  specdec_ctx spec;
} spec_rig;

/* Llama 3.1 70B FP8 on 4 x H100 (vLLM) with the given draft (NULL: one drafting-head layer). */
static void spec_rig_init(void **state, spec_rig *g, const char *draft, uint32_t k) {
  const char *sets[] = {"deployment.model=llama-3.1-70b", "deployment.weights=fp8", "deployment.tp=4", NULL};
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  perf_opts po;
  if (fixture_load(state, sets, &fp, &err)) fail_msg("%s", err.msg);
  sim_config_perf_opts(&fp->pt.sim, &po);
  const model_spec *dm = draft ? hwdb_model(*state, draft) : NULL;
  if (perf_init(&g->target, &fp->pt.sim.dep.hw, &po, &err) ||
      specdec_init(&g->spec, &g->target, &fp->pt.sim.dep.hw, &po, dm, 1, k, &err)) {
    fixture_point_free(fp);
    fail_msg("%s", err.msg);
  }
  fixture_point_free(fp);
}

static void test_accepted_tokens_follow_the_truncated_geometric(void **state) {
  (void)state;
  enum { N = 100000 };
  const double alphas[] = {0.3, 0.6, 0.9};
  size_t tested = 0;
  for (size_t a = 0; a < 3; a++) {
    uint32_t at_least[6] = {0};
    for (uint32_t i = 0; i < N; i++) {
      uint32_t acc = specdec_accepted((i + 0.5) / N, alphas[a], 5);
      check_le(acc, 5);
      for (uint32_t j = 0; j <= acc; j++) at_least[j]++;
    }
    for (uint32_t j = 0; j <= 5; j++, tested++) check_near((double)at_least[j] / N, pow(alphas[a], j), 1.0 / N);
  }
  check_eq(specdec_accepted(0.5, 0, 4), 0);
  check_eq(specdec_accepted(0.999, 1, 4), 4);
  check_near(specdec_tokens_per_step(0.8, 4), 1 + 0.8 + 0.64 + 0.512 + 0.4096, 1e-12);
  check_eq(specdec_tokens_per_step(1, 4), 5);
  check_min_cases(tested, 18);
}

static void test_a_step_without_drafts_costs_the_target_step(void **state) {
  spec_rig g;
  spec_rig_init(state, &g, NULL, 4);
  batch_shape b = {.n_decode = 16, .decode_ctx = 16 * 1000.0, .n_sampled = 16};
  check_eq(specdec_step_time(&g.spec, &b), perf_step_time(&g.target, &b));
  b.spec_tokens = 4;
  check_gt(specdec_step_time(&g.spec, &b), perf_step_time(&g.target, &b)); /* drafting never comes free */
}

/* Time per emitted token without drafting over that with drafting, at acceptance 0.7 and k = 4 (3.03
 * tokens a step), for `batch` sequences of 200 cached tokens (short contexts: the linears dominate). */
static double speedup(const spec_rig *g, uint32_t batch) {
  batch_shape plain = {.n_decode = batch, .decode_ctx = batch * 200.0, .n_sampled = batch}, spec = plain;
  spec.spec_tokens = 4;
  return specdec_tokens_per_step(0.7, 4) * perf_step_time(&g->target, &plain) / specdec_step_time(&g->spec, &spec);
}

static void test_drafting_pays_off_at_small_batches_and_not_at_large_ones(void **state) {
  const char *drafts[] = {NULL, "llama-3.1-8b"};
  size_t tested = 0;
  for (size_t d = 0; d < 2; d++, tested++) {
    spec_rig g;
    spec_rig_init(state, &g, drafts[d], 4);
    check_gt(speedup(&g, 1), 1.5); /* bandwidth-bound: verifying 5 tokens costs about what 1 does */
    for (uint32_t b = 1; b < 1024; b *= 4) check_gt(speedup(&g, b), speedup(&g, 4 * b));
    check_lt(speedup(&g, 1024), 1.0); /* compute-bound: 5x the tokens cost about 5x, the draft on top */
  }
  check_min_cases(tested, 2);
}

static void test_the_draft_takes_kv_blocks_from_the_target(void **state) {
  spec_rig heads, draft;
  spec_rig_init(state, &heads, NULL, 4);
  spec_rig_init(state, &draft, "llama-3.1-8b", 4);
  uint64_t alone = heads.target.mem.kv_blocks, with_heads = specdec_kv_blocks(&heads.spec, 16),
           with_draft = specdec_kv_blocks(&draft.spec, 16);
  check_lt(with_heads, alone);
  check_lt(with_draft, with_heads); /* an 8B draft weighs more than one head layer and caches 32 layers */
  check_gt(with_draft, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accepted_tokens_follow_the_truncated_geometric),
      cmocka_unit_test(test_a_step_without_drafts_costs_the_target_step),
      cmocka_unit_test(test_drafting_pays_off_at_small_batches_and_not_at_large_ones),
      cmocka_unit_test(test_the_draft_takes_kv_blocks_from_the_target),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
