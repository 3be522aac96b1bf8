/* test_perf.c: the step-time model's physical properties over many random configurations, the
 * memory-fit examples, the fp8 fallback, PCIe tensor parallel and the layer split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "hwdb/hwdb.h"
#include "physics/perf.h"

static hwdb DB;

static int setup(void **state) {
  ss_err err;
  (void)state;
  if (hwdb_load(hwdb_default_dir(), &DB, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return -1;
  }
  return 0;
}
static int teardown(void **state) {
  (void)state;
  hwdb_free(&DB);
  return 0;
}

static uint64_t next(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static size_t pick(uint64_t *s, size_t n) { return (size_t)(next(s) % n); }

static sc_bound bound(const char *gpu, const char *model, const char *w, const char *kv, const char *engine) {
  sc_bound b = {hwdb_gpu(&DB, gpu), hwdb_model(&DB, model), hwdb_quant(&DB, w), hwdb_quant(&DB, kv),
                hwdb_engine(&DB, engine)};
  assert_non_null(b.gpu), assert_non_null(b.model), assert_non_null(b.weights), assert_non_null(b.kv);
  assert_non_null(b.engine);
  return b;
}

static bool init(perf_ctx *c, const sc_bound *b, uint32_t tp, uint32_t pp) {
  perf_opts o;
  ss_err err;
  perf_opts_from_engine(b->engine, tp, pp, &o);
  return perf_init(c, b, &o, &err) == SS_OK;
}

/* A random configuration that fits, and its context. */
static bool random_config(uint64_t *s, sc_bound *b, perf_ctx *c, uint32_t *tp) {
  static const char *const KV[] = {"fp16", "fp8"};
  b->gpu = hwdb_at(&DB, HWDB_GPUS, pick(s, DB.n[HWDB_GPUS]));
  b->model = hwdb_at(&DB, HWDB_MODELS, pick(s, DB.n[HWDB_MODELS]));
  b->weights = hwdb_at(&DB, HWDB_QUANT, pick(s, DB.n[HWDB_QUANT]));
  b->kv = hwdb_quant(&DB, KV[pick(s, 2)]);
  b->engine = hwdb_at(&DB, HWDB_ENGINES, pick(s, DB.n[HWDB_ENGINES]));
  *tp = 1u << pick(s, 4);
  return init(c, b, *tp, 1);
}

static batch_shape decode_batch(uint64_t *s) {
  uint32_t n = 1 + (uint32_t)pick(s, 512);
  return (batch_shape){.n_decode = n, .decode_ctx = n * (1.0 + (double)pick(s, 8192)), .n_sampled = n};
}

static void decode_step_never_beats_bandwidth_bound(void **state) {
  uint64_t s = 1;
  int tested = 0;
  (void)state;
  for (int i = 0; i < 4000; i++) {
    sc_bound b;
    perf_ctx c;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue;
    batch_shape bs = decode_batch(&s);
    double floor_s = (c.w_dense_bytes + c.w_head_bytes + bs.decode_ctx * c.kv_bytes_per_token) / hw_bw_bytes_per_s(b.gpu);
    assert_true(perf_step_time(&c, &bs) >= perf_bandwidth_bound(&c, &bs));
    assert_true(perf_step_time(&c, &bs) >= floor_s);
    tested++;
  }
  assert_true(tested > 500);
}

static void step_time_is_monotone_in_tokens_and_context(void **state) {
  uint64_t s = 2;
  (void)state;
  for (int i = 0; i < 4000; i++) {
    sc_bound b;
    perf_ctx c;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue;
    batch_shape bs = decode_batch(&s);
    bs.n_prefill = (uint32_t)pick(&s, 3);
    bs.prefill_tokens = bs.n_prefill * (double)pick(&s, 4096);
    bs.prefill_attn = bs.prefill_tokens * (double)pick(&s, 2048);
    double t = perf_step_time(&c, &bs);
    batch_shape more = bs;
    more.n_decode++, more.n_sampled++, more.decode_ctx += 100;
    assert_true(perf_step_time(&c, &more) >= t);
    more = bs;
    more.decode_ctx *= 2;
    assert_true(perf_step_time(&c, &more) >= t);
    more = bs;
    more.prefill_tokens += 64, more.prefill_attn += 64 * 100;
    assert_true(perf_step_time(&c, &more) >= t);
  }
}

static void more_bandwidth_is_never_slower(void **state) {
  uint64_t s = 3;
  (void)state;
  for (int i = 0; i < 2000; i++) {
    sc_bound b;
    perf_ctx c, fast;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue;
    hw_gpu g = *b.gpu;
    g.mem_bw_gb_s *= 1.5;
    sc_bound bf = b;
    bf.gpu = &g;
    assert_true(init(&fast, &bf, tp, 1));
    batch_shape bs = decode_batch(&s);
    assert_true(perf_step_time(&fast, &bs) <= perf_step_time(&c, &bs));
  }
}

static void tp1_has_no_communication_term(void **state) {
  uint64_t s = 4;
  (void)state;
  for (int i = 0; i < 2000; i++) {
    sc_bound b;
    perf_ctx c;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue;
    if (tp == 1) assert_true(c.comm_step_s == 0 && c.comm_token_s == 0);
    else assert_true(c.comm_step_s > 0 && c.comm_token_s > 0);
  }
}

static void fit(const char *w, uint32_t tp, bool expect) {
  sc_bound b = bound("a100-sxm-80gb", "llama-3.1-405b", w, "fp16", "vllm");
  perf_opts o;
  perf_memory m;
  perf_opts_from_engine(b.engine, tp, 1, &o);
  perf_memory_fit(&b, &o, &m);
  assert_int_equal(m.fits, expect);
}

static void llama405b_fit_examples_on_a100_80gb(void **state) {
  (void)state;
  fit("fp16", 8, false); /* 810 GB of weights on 8 x 80 GB */
  fit("int8", 8, true);  /* 405 GB */
  fit("awq", 4, true);   /* about 210 GB on 4 x 80 GB */
  fit("awq", 2, false);
  perf_ctx c;
  ss_err err;
  perf_opts o;
  sc_bound b = bound("a100-sxm-80gb", "llama-3.1-405b", "fp16", "fp16", "vllm");
  perf_opts_from_engine(b.engine, 8, 1, &o);
  assert_int_equal(perf_init(&c, &b, &o, &err), SS_EDATA);
  assert_non_null(strstr(err.msg, "does not fit"));
  assert_non_null(strstr(err.msg, "tp 16 fits"));
  assert_int_equal(perf_min_tp(&b, &o), 16);
}

static void fp8_on_a100_falls_back_to_w8a16(void **state) {
  perf_ctx a, h;
  (void)state;
  sc_bound ba = bound("a100-sxm-80gb", "llama-3.1-8b", "fp8", "fp16", "vllm");
  sc_bound bh = bound("h100-sxm-80gb", "llama-3.1-8b", "fp8", "fp16", "vllm");
  assert_true(init(&a, &ba, 1, 1));
  assert_true(init(&h, &bh, 1, 1));
  assert_true(a.fp8_fallback && a.weight_only);
  assert_int_equal(a.compute_dtype, DT_FP16);
  assert_false(h.fp8_fallback);
  assert_int_equal(h.compute_dtype, DT_FP8);
  /* still reads 8-bit weights: half the bytes of fp16 */
  sc_bound b16 = bound("a100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  perf_ctx c16;
  assert_true(init(&c16, &b16, 1, 1));
  assert_float_equal(a.w_dense_bytes * 2, c16.w_dense_bytes, 1);
}

static void rtx4090_tp2_uses_pcie(void **state) {
  perf_ctx r, h;
  (void)state;
  sc_bound br = bound("rtx-4090-24gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  sc_bound bh = bound("h100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  assert_true(init(&r, &br, 2, 1));
  assert_true(init(&h, &bh, 2, 1));
  assert_false(r.nvlink);
  assert_true(h.nvlink);
  assert_true(r.comm_token_s > 10 * h.comm_token_s); /* PCIe is first-order */
}

static void kv_fp8_halves_kv_bytes(void **state) {
  perf_ctx a, b;
  (void)state;
  sc_bound b16 = bound("h100-sxm-80gb", "llama-3.1-70b", "fp8", "fp16", "vllm");
  sc_bound b8 = bound("h100-sxm-80gb", "llama-3.1-70b", "fp8", "fp8", "vllm");
  assert_true(init(&a, &b16, 4, 1));
  assert_true(init(&b, &b8, 4, 1));
  assert_float_equal(a.kv_bytes_per_token, 2 * b.kv_bytes_per_token, 1e-6);
  assert_true(b.mem.kv_tokens > 1.9 * a.mem.kv_tokens);
}

static void layer_split_gives_no_speedup_at_batch1(void **state) {
  perf_ctx one, two;
  (void)state;
  sc_bound b = bound("rtx-4090-24gb", "llama-3.1-8b", "q4_k_m", "fp16", "llamacpp");
  assert_true(init(&one, &b, 1, 1));
  assert_true(init(&two, &b, 1, 2));
  batch_shape bs = {.n_decode = 1, .decode_ctx = 256, .n_sampled = 1};
  assert_true(perf_step_time(&two, &bs) >= perf_step_time(&one, &bs));
  assert_true(two.mem.weight_bytes < 0.51 * one.mem.weight_bytes);
  /* 70B q4_k_m (about 43 GB) needs the split on 24 GB cards */
  sc_bound big = bound("rtx-4090-24gb", "llama-3.1-70b", "q4_k_m", "fp16", "llamacpp");
  assert_false(init(&one, &big, 1, 1));
  assert_true(init(&two, &big, 1, 2));
}

static void moe_reads_more_experts_with_more_tokens(void **state) {
  perf_ctx c;
  (void)state;
  sc_bound b = bound("h100-sxm-80gb", "mixtral-8x7b", "fp16", "fp16", "vllm");
  assert_true(init(&c, &b, 2, 1));
  batch_shape one = {.n_decode = 1, .decode_ctx = 100, .n_sampled = 1};
  batch_shape many = {.n_decode = 64, .decode_ctx = 6400, .n_sampled = 64};
  double per_expert = c.w_expert_bytes / c.bw;
  /* one token hits 2 of 8 experts; 64 tokens hit nearly all */
  assert_float_equal(perf_bandwidth_bound(&c, &one) - (c.w_dense_bytes + c.w_head_bytes + 100 * c.kv_bytes_per_token) / c.bw,
                     2 * per_expert, 1e-9);
  assert_true(perf_bandwidth_bound(&c, &many) > perf_bandwidth_bound(&c, &one) + 5 * per_expert);
}

static void prefill_and_decode_helpers_sum_steps(void **state) {
  perf_ctx c;
  (void)state;
  sc_bound b = bound("h100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  assert_true(init(&c, &b, 1, 1));
  batch_shape s0 = {.n_decode = 4, .decode_ctx = 400, .n_sampled = 4};
  batch_shape s1 = {.n_decode = 4, .decode_ctx = 404, .n_sampled = 4};
  assert_float_equal(perf_decode_time(&c, 4, 100, 2), perf_step_time(&c, &s0) + perf_step_time(&c, &s1), 1e-12);
  /* a prompt longer than the token budget is prefilled in chunks, slower than one big step */
  double budget = c.max_batched_tokens;
  batch_shape whole = {.n_prefill = 1, .prefill_tokens = 3 * budget, .prefill_attn = 4.5 * budget * budget, .n_sampled = 1};
  assert_true(perf_prefill_time(&c, 3 * budget) >= perf_step_time(&c, &whole));
}

static void scenario_options_reach_the_model(void **state) {
  scenario sc;
  sc_bound b;
  perf_opts o;
  perf_ctx c, slow;
  ss_err err;
  const char *set[] = {"efficiency.hbm=0.4"};
  (void)state;
  assert_int_equal(scenario_load(SERVESIM_TEST_DIR "/../scenarios/default.yaml", NULL, 0, &DB, &sc, &err), SS_OK);
  assert_int_equal(scenario_resolve(&sc, &DB, &b, &err), SS_OK);
  perf_opts_from_scenario(&sc, &o);
  assert_int_equal(perf_init(&c, &b, &o, &err), SS_OK);
  assert_float_equal(c.eff_weights, b.engine->eff_weights, 1e-12); /* unset: the engine's calibrated value */
  assert_int_equal(scenario_load(SERVESIM_TEST_DIR "/../scenarios/default.yaml", set, 1, &DB, &sc, &err), SS_OK);
  assert_int_equal(scenario_resolve(&sc, &DB, &b, &err), SS_OK);
  perf_opts_from_scenario(&sc, &o);
  assert_int_equal(perf_init(&slow, &b, &o, &err), SS_OK);
  assert_float_equal(slow.eff_weights, 0.4, 1e-12);
  batch_shape bs = {.n_decode = 8, .decode_ctx = 8000, .n_sampled = 8};
  assert_true(perf_step_time(&slow, &bs) > 1.5 * perf_step_time(&c, &bs) - c.ovh_step_s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decode_step_never_beats_bandwidth_bound),
      cmocka_unit_test(step_time_is_monotone_in_tokens_and_context),
      cmocka_unit_test(more_bandwidth_is_never_slower),
      cmocka_unit_test(tp1_has_no_communication_term),
      cmocka_unit_test(llama405b_fit_examples_on_a100_80gb),
      cmocka_unit_test(fp8_on_a100_falls_back_to_w8a16),
      cmocka_unit_test(rtx4090_tp2_uses_pcie),
      cmocka_unit_test(kv_fp8_halves_kv_bytes),
      cmocka_unit_test(layer_split_gives_no_speedup_at_batch1),
      cmocka_unit_test(moe_reads_more_experts_with_more_tokens),
      cmocka_unit_test(prefill_and_decode_helpers_sum_steps),
      cmocka_unit_test(scenario_options_reach_the_model),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
