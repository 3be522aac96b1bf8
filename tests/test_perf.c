/* test_perf.c: the step-time model's physical properties over many random configurations, the
 * memory-fit examples, the fp8 fallback, PCIe tensor parallel and the layer split. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "physics/perf.h"
#include "sim/simconfig.h"

static hwdb DB;

static int setup(void **state) {
  ss_err err;
  (void)state;
  if (hwdb_load(TEST_HWDB, &DB, &err)) {
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

static hwdb_bound bound(const char *gpu, const char *model, const char *w, const char *kv, const char *engine) {
  hwdb_bound b = {hwdb_gpu(&DB, gpu),  hwdb_model(&DB, model),   hwdb_quant(&DB, w),
                  hwdb_quant(&DB, kv), hwdb_engine(&DB, engine), false};
  assert_non_null(b.gpu), assert_non_null(b.model), assert_non_null(b.weights), assert_non_null(b.kv);
  assert_non_null(b.engine);
  return b;
}

static bool init(perf_ctx *c, const hwdb_bound *b, uint32_t tp, uint32_t pp) {
  perf_opts o;
  ss_err err;
  perf_opts_from_engine(b->engine, tp, pp, &o);
  return perf_init(c, b, &o, &err) == SS_OK;
}

/* The engine's options at tp 1, pp 1. */
static perf_opts opts_of(const hwdb_bound *b) {
  perf_opts o;
  perf_opts_from_engine(b->engine, 1, 1, &o);
  return o;
}

/* `base` from the engine's options, `variant` from `o`: both must be accepted. */
/* A context that must initialise. */
static void init_ok(perf_ctx *c, const hwdb_bound *b, const perf_opts *o) {
  ss_err err;
  assert_int_equal(perf_init(c, b, o, &err), SS_OK);
}

static void init_both(const hwdb_bound *b, const perf_opts *o, perf_ctx *base, perf_ctx *variant) {
  perf_opts e = opts_of(b);
  init_ok(base, b, &e);
  init_ok(variant, b, o);
}

/* A random configuration that fits, and its context. */
static bool random_config(uint64_t *s, hwdb_bound *b, perf_ctx *c, uint32_t *tp) {
  static const char *const KV[] = {"fp16", "fp8"};
  b->gpu = hwdb_at(&DB, HWDB_GPUS, pick(s, DB.n[HWDB_GPUS]));
  b->model = hwdb_at(&DB, HWDB_MODELS, pick(s, DB.n[HWDB_MODELS]));
  b->weights = hwdb_at(&DB, HWDB_QUANT, pick(s, DB.n[HWDB_QUANT]));
  b->kv = hwdb_quant(&DB, KV[pick(s, 2)]);
  b->engine = hwdb_at(&DB, HWDB_ENGINES, pick(s, DB.n[HWDB_ENGINES]));
  *tp = 1u << pick(s, 4);
  return init(c, b, *tp, 1);
}

/* Random configurations fit in about 80% of the draws with the frozen hwdb (big models on small GPUs
 * do not): a loop over n draws must time at least half of them. */
#define MIN_FITTING_CASES(n) ((n) / 2)

static batch_shape decode_batch(uint64_t *s) {
  uint32_t n = 1 + (uint32_t)pick(s, 512);
  return (batch_shape){.n_decode = n, .decode_ctx = n * (1.0 + (double)pick(s, 8192)), .n_sampled = n};
}

static void decode_step_never_beats_bandwidth_bound(void **state) {
  uint64_t s = 1;
  size_t tested = 0;
  (void)state;
  for (int i = 0; i < 4000; i++) {
    hwdb_bound b;
    perf_ctx c;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue; /* does not fit: no step to time */
    batch_shape bs = decode_batch(&s);
    double floor_s =
        (c.w_dense_bytes + c.w_head_bytes + bs.decode_ctx * c.kv_bytes_per_token) / hw_bw_bytes_per_s(b.gpu);
    check_ge(perf_step_time(&c, &bs), perf_bandwidth_bound(&c, &bs));
    check_ge(perf_step_time(&c, &bs), floor_s);
    tested++;
  }
  check_min_cases(tested, MIN_FITTING_CASES(4000));
}

static void step_time_is_monotone_in_tokens_and_context(void **state) {
  uint64_t s = 2;
  size_t tested = 0;
  (void)state;
  for (int i = 0; i < 4000; i++) {
    hwdb_bound b;
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
    check_ge(perf_step_time(&c, &more), t);
    more = bs;
    more.decode_ctx *= 2;
    check_ge(perf_step_time(&c, &more), t);
    more = bs;
    more.prefill_tokens += 64, more.prefill_attn += 64 * 100;
    check_ge(perf_step_time(&c, &more), t);
    tested++;
  }
  check_min_cases(tested, MIN_FITTING_CASES(4000));
}

static void more_bandwidth_is_never_slower(void **state) {
  uint64_t s = 3;
  size_t tested = 0;
  (void)state;
  for (int i = 0; i < 2000; i++) {
    hwdb_bound b;
    perf_ctx c, fast;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue;
    hw_gpu g = *b.gpu;
    g.mem_bw_gb_s *= 1.5;
    hwdb_bound bf = b;
    bf.gpu = &g;
    check_msg(init(&fast, &bf, tp, 1), "%s with 1.5x bandwidth no longer fits %s", b.gpu->id, b.model->id);
    batch_shape bs = decode_batch(&s);
    check_le(perf_step_time(&fast, &bs), perf_step_time(&c, &bs));
    tested++;
  }
  check_min_cases(tested, MIN_FITTING_CASES(2000));
}

static void tp1_has_no_communication_term(void **state) {
  uint64_t s = 4;
  size_t tested[2] = {0, 0}; /* tp 1, tp > 1 */
  (void)state;
  for (int i = 0; i < 2000; i++) {
    hwdb_bound b;
    perf_ctx c;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue;
    if (tp == 1) {
      check_eq(c.comm_step_s, 0);
      check_eq(c.comm_token_s, 0);
    } else {
      check_gt(c.comm_step_s, 0);
      check_gt(c.comm_token_s, 0);
    }
    tested[tp > 1]++;
  }
  /* tp 1 is one draw in four and fits least often (294 with this seed); tp > 1 three in four (1286) */
  check_min_cases(tested[0], MIN_FITTING_CASES(2000) / 8);
  check_min_cases(tested[1], MIN_FITTING_CASES(2000) / 4);
}

/* A step is never faster than its FLOP at the dense peaks. */
static void step_never_beats_the_compute_bound(void **state) {
  uint64_t s = 5;
  size_t tested = 0;
  (void)state;
  for (int i = 0; i < 2000; i++) {
    hwdb_bound b;
    perf_ctx c;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue;
    batch_shape bs = decode_batch(&s);
    bs.n_prefill = (uint32_t)pick(&s, 3);
    bs.prefill_tokens = bs.n_prefill * (double)pick(&s, 4096);
    bs.prefill_attn = bs.prefill_tokens * (double)pick(&s, 2048);
    check_ge(perf_step_time(&c, &bs), perf_compute_bound(&c, &bs));
    tested++;
  }
  check_min_cases(tested, MIN_FITTING_CASES(2000));
}

/* Board power during a step lies between the idle floor and the TDP, and more work packed into the
 * same time never draws less. */
static void step_power_lies_between_idle_and_tdp_and_grows_with_the_work(void **state) {
  uint64_t s = 6;
  size_t tested = 0;
  (void)state;
  for (int i = 0; i < 2000; i++) {
    hwdb_bound b;
    perf_ctx c;
    uint32_t tp;
    if (!random_config(&s, &b, &c, &tp)) continue;
    batch_shape bs = decode_batch(&s);
    double t = perf_step_time(&c, &bs), w = perf_step_power_w(&c, &bs, t);
    check_within(w, c.power.idle_w, c.power.max_w);
    check_le(c.power.max_w, b.gpu->tdp_w);
    batch_shape more = bs;
    more.n_decode *= 2, more.n_sampled *= 2, more.decode_ctx *= 2;
    check_ge(perf_step_power_w(&c, &more, t), w);
    check_eq(perf_step_power_w(&c, &bs, 0), c.power.idle_w); /* no step: idle */
    tested++;
  }
  check_min_cases(tested, MIN_FITTING_CASES(2000));
}

/* Without measured figures a GPU's power coefficients are the H200-measured fractions of its TDP;
 * measured figures replace them. */
static void power_model_defaults_to_fractions_of_tdp(void **state) {
  (void)state;
  size_t tested = 0;
  for (size_t i = 0; i < DB.n[HWDB_GPUS]; i++) {
    const hw_gpu *g = hwdb_at(&DB, HWDB_GPUS, i);
    hw_power p;
    hw_power_model(g, &p);
    if (p.measured) continue;
    check_near(p.idle_w, HW_IDLE_FRAC * g->tdp_w, 1e-9);
    check_near(p.memory_w, HW_MEMORY_FRAC * g->tdp_w, 1e-9);
    check_near(p.compute_w, HW_COMPUTE_FRAC * g->tdp_w, 1e-9);
    check_eq(p.max_w, g->tdp_w);
    tested++;
  }
  check_min_cases(tested, 12); /* the frozen hwdb measures no GPU's power */
  hw_gpu g = *hwdb_gpu(&DB, "h200-sxm-141gb");
  g.power_idle_w = 81, g.power_memory_w = 580, g.power_compute_w = 870;
  hw_power p;
  hw_power_model(&g, &p);
  assert_true(p.measured);
  check_eq(p.idle_w, 81);
  check_eq(p.memory_w, 580);
  check_eq(p.compute_w, 870);
}

static void fit(const char *w, uint32_t tp, bool expect) {
  hwdb_bound b = bound("a100-sxm-80gb", "llama-3.1-405b", w, "fp16", "vllm");
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
  hwdb_bound b = bound("a100-sxm-80gb", "llama-3.1-405b", "fp16", "fp16", "vllm");
  perf_opts_from_engine(b.engine, 8, 1, &o);
  assert_int_equal(perf_init(&c, &b, &o, &err), SS_EDATA);
  check_msg(strstr(err.msg, "does not fit") && strstr(err.msg, "tp 16 fits"), "message: %s", err.msg);
  assert_int_equal(perf_min_tp(&b, &o), 16);
}

/* kv_cache_tokens: the capacity the engine was told, in whole blocks, refused beyond the memory beside the rest */
static void kv_cache_tokens_sets_capacity_or_is_refused_with_the_room_left(void **state) {
  (void)state;
  hwdb_bound b = bound("a100-sxm-80gb", "llama-2-7b", "fp16", "fp16", "trtllm");
  perf_opts o;
  perf_memory from_memory, told;
  perf_opts_from_engine(b.engine, 1, 1, &o);
  perf_memory_fit(&b, &o, &from_memory);
  o.block_size = 128;
  o.kv_tokens = 115200 + 100; /* 900 blocks of 128 tokens (60.4 GB); the extra 100 make no block */
  perf_memory_fit(&b, &o, &told);
  assert_true(told.fits);
  assert_int_equal(told.kv_blocks, 900);
  assert_int_equal(told.kv_tokens, 115200);
  check_near(told.kv_bytes, 115200 * told.kv_bytes_per_token, 1);
  check_gt((double)told.kv_tokens, (double)from_memory.kv_tokens); /* more than the engine's fraction gives */
  perf_ctx c;
  ss_err err;
  assert_int_equal(perf_init(&c, &b, &o, &err), SS_OK);
  assert_int_equal(c.mem.kv_blocks, 900);
  o.kv_tokens = 200000; /* 1562 whole blocks, 104.8 GB of fp16 KV for a 7B model on an 80 GB GPU */
  assert_int_equal(perf_init(&c, &b, &o, &err), SS_EDATA);
  check_msg(strstr(err.msg, "kv_cache_tokens = 200000") && strstr(err.msg, "needs 104.8 GB") &&
                strstr(err.msg, "allowed: at most"),
            "message: %s", err.msg);
}

static void fp8_on_a100_falls_back_to_w8a16(void **state) {
  perf_ctx a, h;
  (void)state;
  hwdb_bound ba = bound("a100-sxm-80gb", "llama-3.1-8b", "fp8", "fp16", "vllm");
  hwdb_bound bh = bound("h100-sxm-80gb", "llama-3.1-8b", "fp8", "fp16", "vllm");
  assert_true(init(&a, &ba, 1, 1));
  assert_true(init(&h, &bh, 1, 1));
  assert_true(a.fp8_fallback && a.weight_only);
  assert_int_equal(a.compute_dtype, DT_FP16);
  assert_false(h.fp8_fallback);
  assert_int_equal(h.compute_dtype, DT_FP8);
  /* still reads 8-bit weights: half the bytes of fp16 */
  hwdb_bound b16 = bound("a100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  perf_ctx c16;
  assert_true(init(&c16, &b16, 1, 1));
  check_near(a.w_dense_bytes * 2, c16.w_dense_bytes, 1);
}

static void rtx4090_tp2_uses_pcie(void **state) {
  perf_ctx r, h;
  (void)state;
  hwdb_bound br = bound("rtx-4090-24gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  hwdb_bound bh = bound("h100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  assert_true(init(&r, &br, 2, 1));
  assert_true(init(&h, &bh, 2, 1));
  assert_false(r.nvlink);
  assert_true(h.nvlink);
  check_gt(r.comm_token_s, 10 * h.comm_token_s); /* PCIe is first-order */
}

static void kv_fp8_halves_kv_bytes(void **state) {
  perf_ctx a, b;
  (void)state;
  hwdb_bound b16 = bound("h100-sxm-80gb", "llama-3.1-70b", "fp8", "fp16", "vllm");
  hwdb_bound b8 = bound("h100-sxm-80gb", "llama-3.1-70b", "fp8", "fp8", "vllm");
  assert_true(init(&a, &b16, 4, 1));
  assert_true(init(&b, &b8, 4, 1));
  check_near(a.kv_bytes_per_token, 2 * b.kv_bytes_per_token, 1e-6);
  check_gt(b.mem.kv_tokens, 1.9 * a.mem.kv_tokens);
}

static void layer_split_gives_no_speedup_at_batch1(void **state) {
  perf_ctx one, two;
  (void)state;
  hwdb_bound b = bound("rtx-4090-24gb", "llama-3.1-8b", "q4_k_m", "fp16", "llamacpp");
  assert_true(init(&one, &b, 1, 1));
  assert_true(init(&two, &b, 1, 2));
  batch_shape bs = {.n_decode = 1, .decode_ctx = 256, .n_sampled = 1};
  check_ge(perf_step_time(&two, &bs), perf_step_time(&one, &bs));
  check_lt(two.mem.weight_bytes, 0.51 * one.mem.weight_bytes);
  /* 70B q4_k_m (about 43 GB) needs the split on 24 GB cards */
  hwdb_bound big = bound("rtx-4090-24gb", "llama-3.1-70b", "q4_k_m", "fp16", "llamacpp");
  assert_false(init(&one, &big, 1, 1));
  assert_true(init(&two, &big, 1, 2));
}

static void moe_reads_more_experts_with_more_tokens(void **state) {
  perf_ctx c;
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "mixtral-8x7b", "fp16", "fp16", "vllm");
  assert_true(init(&c, &b, 2, 1));
  batch_shape one = {.n_decode = 1, .decode_ctx = 100, .n_sampled = 1};
  batch_shape many = {.n_decode = 64, .decode_ctx = 6400, .n_sampled = 64};
  double per_expert = c.w_expert_bytes / c.bw;
  /* one token hits 2 of 8 experts; 64 tokens hit nearly all */
  check_near(perf_bandwidth_bound(&c, &one) - (c.w_dense_bytes + c.w_head_bytes + 100 * c.kv_bytes_per_token) / c.bw,
             2 * per_expert, 1e-9);
  check_gt(perf_bandwidth_bound(&c, &many), perf_bandwidth_bound(&c, &one) + 5 * per_expert);
}

/* The grouped expert GEMMs compute whole tiles: each hit expert's routed tokens are padded up to moe_block_m
 * rows (16 while a step has at most E tokens), between half a tile and a whole tile more per hit expert, a
 * share of the work that shrinks as the experts fill. */
static void expert_gemms_compute_whole_tiles(void **state) {
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "mixtral-8x7b", "fp16", "fp16", "vllm");
  engine_profile e = *b.engine;
  b.engine = &e;
  perf_ctx tiled, exact;
  e.moe_block_m = 64;
  assert_true(init(&tiled, &b, 2, 1));
  e.moe_block_m = 0;
  assert_true(init(&exact, &b, 2, 1));
  double share = INFINITY, experts = b.model->experts;
  for (double T = 4096; T <= 65536; T *= 4) { /* compute-bound prefill steps: every expert hit */
    batch_shape s = {.n_prefill = 1, .prefill_tokens = T, .prefill_attn = T * T / 2, .n_sampled = 1};
    double pad = perf_step_time(&tiled, &s) - perf_step_time(&exact, &s), tile = tiled.expert_flop_s * 63;
    check_ge(pad, experts * tile / 2 * (1 - 1e-9));
    check_le(pad, experts * tile * (1 + 1e-9));
    check_lt(pad / T, share);
    share = pad / T;
  }
  batch_shape d = {.n_decode = 4, .decode_ctx = 400, .n_sampled = 4}; /* 4 tokens, 8 experts: 16-row tiles */
  double pad = perf_step_time(&tiled, &d) - perf_step_time(&exact, &d);
  check_gt(pad, 0);
  check_le(pad, experts * tiled.expert_flop_s * 15 * (1 + 1e-9));
}

/* A routed token's activations pass through the expert kernels once per expert it goes to: three hidden-sized
 * vectors and five of the expert width (split by tp, or whole on the GPU holding the expert, which takes 1/tp
 * of the routed tokens under expert parallel), at the weights' reached bandwidth. */
static void routed_tokens_move_their_activations_through_the_expert_kernels(void **state) {
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "mixtral-8x7b", "fp16", "fp16", "vllm");
  const model_spec *m = b.model;
  for (int ep = 0; ep < 2; ep++) {
    perf_opts o = opts_of(&b);
    o.tp = 2, o.expert_parallel = ep;
    perf_ctx c;
    init_ok(&c, &b, &o);
    double bytes = ep ? (3 * m->hidden + 5 * m->expert_ffn) / 2 : 3 * m->hidden + 5 * m->expert_ffn / 2;
    check_rel(c.moe_act_s, 2 * bytes * c.moe_layers / (c.bw * c.eff_weights), 1e-12);
    perf_ctx none = c;
    none.moe_act_s = 0;
    batch_shape s = {.n_prefill = 1, .prefill_tokens = 4096, .prefill_attn = 4096.0 * 2048, .n_sampled = 1};
    check_rel(perf_step_time(&c, &s) - perf_step_time(&none, &s),
              c.moe_act_s * 4096 * m->experts_per_token * c.ep_imbalance, 1e-9);
  }
}

static void prefill_and_decode_helpers_sum_steps(void **state) {
  perf_ctx c;
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  assert_true(init(&c, &b, 1, 1));
  batch_shape s0 = {.n_decode = 4, .decode_ctx = 400, .n_sampled = 4};
  batch_shape s1 = {.n_decode = 4, .decode_ctx = 404, .n_sampled = 4};
  check_near(perf_decode_time(&c, 4, 100, 2), perf_step_time(&c, &s0) + perf_step_time(&c, &s1), 1e-12);
  /* a prompt longer than the token budget is prefilled in chunks, slower than one big step */
  double budget = c.max_batched_tokens;
  batch_shape whole = {
      .n_prefill = 1, .prefill_tokens = 3 * budget, .prefill_attn = 4.5 * budget * budget, .n_sampled = 1};
  check_ge(perf_prefill_time(&c, 3 * budget), perf_step_time(&c, &whole));
}

/* The efficiency keys of a scenario reach the step-time model through its sim_config. */
static void scenario_options_reach_the_model(void **state) {
  study_spec *spec = malloc(sizeof *spec);
  sc_point *pt = malloc(sizeof *pt);
  perf_opts o;
  perf_ctx c, slow;
  ss_err err = {{0}};
  const char *set[] = {"efficiency.hbm=0.4"};
  (void)state;
  assert_non_null(spec);
  assert_non_null(pt);
  if (scenario_load(SERVESIM_TEST_DIR "/sim/base.yaml", NULL, 0, &DB, spec, &err) ||
      scenario_point(spec, 0, &DB, pt, &err))
    fail_msg("%s", err.msg);
  scenario_free(spec);
  sim_config_perf_opts(&pt->sim, &o);
  assert_int_equal(perf_init(&c, &pt->sim.dep.hw, &o, &err), SS_OK);
  check_near(c.eff_weights, pt->sim.dep.hw.engine->eff_weights, 1e-12); /* unset: the engine's calibrated value */
  if (scenario_load(SERVESIM_TEST_DIR "/sim/base.yaml", set, 1, &DB, spec, &err) ||
      scenario_point(spec, 0, &DB, pt, &err))
    fail_msg("%s", err.msg);
  scenario_free(spec);
  sim_config_perf_opts(&pt->sim, &o);
  assert_int_equal(perf_init(&slow, &pt->sim.dep.hw, &o, &err), SS_OK);
  check_near(slow.eff_weights, 0.4, 1e-12);
  batch_shape bs = {.n_decode = 8, .decode_ctx = 8000, .n_sampled = 8};
  check_gt(perf_step_time(&slow, &bs), 1.5 * perf_step_time(&c, &bs) - c.ovh_step_s);
  free(spec), free(pt);
}

/* Other vendors' kernel stacks: the GPU's efficiency scales multiply the engine's efficiencies (capped
 * at 1, so the bandwidth bound still holds); a decode step slows by about the bandwidth scale. */
static void gpu_efficiency_scales_slow_steps_and_never_beat_the_bounds(void **state) {
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  hw_gpu slow = *b.gpu;
  perf_ctx ref, c;
  assert_true(init(&ref, &b, 1, 1));
  slow.eff_scale_bw = 0.8, slow.eff_scale_compute = 0.7;
  b.gpu = &slow;
  assert_true(init(&c, &b, 1, 1));
  check_near_strict(c.eff_weights, 0.8 * ref.eff_weights, 1e-12);
  check_near_strict(c.eff_compute, 0.7 * ref.eff_compute, 1e-12);
  batch_shape d1 = {.n_decode = 1, .decode_ctx = 512, .n_sampled = 1};
  check_within(perf_step_time(&c, &d1) / perf_step_time(&ref, &d1), 1.1, 1 / 0.8); /* weight reads dominate */
  slow.eff_scale_bw = slow.eff_scale_compute = 2;                                  /* above 1 ... */
  assert_true(init(&c, &b, 1, 1));
  check_le(c.eff_weights, 1); /* ... but never past the datasheet */
  check_le(c.eff_compute, 1);
  check_ge(perf_step_time(&c, &d1), perf_bandwidth_bound(&c, &d1));
}

/* A GPU whose small kernels run slower (layer_cost_scale 1.5) pays 1.5x the engine's fixed per-layer
 * time, and a step grows by exactly the extra half of layers x overhead_layer_s: nothing else moves;
 * with tensor parallelism, the all-reduces' fixed latency grows the same way. */
static void the_layer_cost_scale_multiplies_the_fixed_per_layer_time(void **state) {
  (void)state;
  hwdb_bound b = bound("a100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  const hw_gpu *slow_ref = b.gpu;
  hw_gpu slow = *b.gpu;
  engine_profile e = *b.engine;
  e.overhead_layer_s = 40e-6, e.allreduce_latency_s = 20e-6;
  b.engine = &e;
  perf_ctx ref, c;
  assert_true(init(&ref, &b, 1, 1));
  slow.layer_cost_scale = 1.5 * b.gpu->layer_cost_scale;
  b.gpu = &slow;
  assert_true(init(&c, &b, 1, 1));
  check_gt(ref.ovh_layers_s, 0);
  check_near_strict(c.ovh_layers_s, 1.5 * ref.ovh_layers_s, 1e-12);
  batch_shape d1 = {.n_decode = 1, .decode_ctx = 512, .n_sampled = 1};
  check_near_strict(perf_step_time(&c, &d1) - perf_step_time(&ref, &d1), 0.5 * ref.ovh_layers_s, 1e-9);
  check_near_strict(perf_host_time(&c, &d1), perf_host_time(&ref, &d1), 1e-12);
  /* at tp 4 the all-reduces' fixed latency (2 a layer) scales with it too; their bytes do not */
  perf_ctx ref4, c4;
  b.gpu = slow_ref;
  assert_true(init(&ref4, &b, 4, 1));
  b.gpu = &slow;
  assert_true(init(&c4, &b, 4, 1));
  double calls = 2.0 * b.model->layers;
  check_near_strict(c4.comm_step_s - ref4.comm_step_s, 0.5 * calls * e.allreduce_latency_s * slow_ref->layer_cost_scale,
                    1e-12);
  check_near_strict(c4.comm_token_s, ref4.comm_token_s, 1e-15);
}

/* model_error: cross_validated samples a multiplier on every step's time: it scales a step exactly. */
static void the_time_scale_multiplies_every_step(void **state) {
  (void)state;
  hwdb_bound b = bound("a100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  perf_opts o = opts_of(&b);
  o.time_scale = 1.25;
  perf_ctx one, scaled;
  init_both(&b, &o, &one, &scaled);
  batch_shape s = {.n_decode = 7,
                   .decode_ctx = 7 * 900,
                   .n_prefill = 1,
                   .prefill_tokens = 300,
                   .prefill_attn = 300 * 150,
                   .n_sampled = 8};
  check_near_strict(perf_step_time(&scaled, &s), 1.25 * perf_step_time(&one, &s), 1e-12);
}

/* overhead.token_s replaces the profile's per-sampled-token CPU time (0: a harness that does not sample,
 * llama-bench): a step changes by exactly the sampled tokens times the difference, and nothing else. */
static void a_token_overhead_override_replaces_the_profiles(void **state) {
  (void)state;
  hwdb_bound b = bound("rtx-4090-24gb", "llama-2-7b", "q4_0", "fp16", "llamacpp");
  check_msg(b.engine->overhead_token_s > 0, "the test needs a profile that charges sampling");
  perf_opts o = opts_of(&b);
  o.overhead_token_s = 0;
  perf_ctx prof, none;
  init_both(&b, &o, &prof, &none);
  batch_shape d = {.n_decode = 1, .decode_ctx = 600, .n_sampled = 1};
  check_near_strict(perf_step_time(&prof, &d) - perf_step_time(&none, &d), b.engine->overhead_token_s, 1e-12);
  batch_shape p = {.n_prefill = 1, .prefill_tokens = 512, .prefill_attn = 512 * 512 / 2.0};
  check_near_strict(perf_step_time(&prof, &p), perf_step_time(&none, &p), 1e-15);
}

/* vLLM multi-step: a scheduling call's CPU work, fixed and per running sequence (V0's scheduler and input
 * preparation walk every sequence), is shared by the steps of its window: a big batch gains most. */
static void scheduling_work_is_shared_by_a_multi_step_window(void **state) {
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  engine_profile e = *b.engine;
  e.overhead_schedule_s = 0.004, e.overhead_schedule_seq_s = 40e-6;
  b.engine = &e;
  perf_opts o;
  perf_ctx k1, k8;
  perf_opts_from_engine(&e, 1, 1, &o);
  init_ok(&k1, &b, &o);
  o.num_scheduler_steps = 8;
  init_ok(&k8, &b, &o);
  for (double n = 2; n <= 200; n *= 10) {
    batch_shape d = {.n_decode = n, .decode_ctx = n * 600, .n_sampled = n};
    check_near(perf_step_time(&k1, &d) - perf_step_time(&k8, &d), (0.004 + n * 40e-6) * (1 - 1.0 / 8), 1e-12);
  }
}

/* host_overlap (TensorRT-LLM's overlap scheduler): the host loop's work runs beside the GPU's, so a step takes
 * the larger of the two where it took their sum; a small batch hides the host work, a large one is host-bound. */
static void the_host_loop_overlaps_the_gpu_under_host_overlap(void **state) {
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "llama-3.1-8b", "fp16", "fp16", "vllm");
  engine_profile e = *b.engine;
  e.overhead_step_s = 0.002, e.overhead_request_s = 0, e.overhead_token_s = 50e-6;
  b.engine = &e;
  perf_opts o;
  perf_ctx sum, ovl;
  perf_opts_from_engine(&e, 1, 1, &o);
  init_ok(&sum, &b, &o);
  e.host_overlap = true;
  init_ok(&ovl, &b, &o);
  for (uint32_t n = 1; n <= 4096; n *= 8) {
    batch_shape d = {.n_decode = n, .decode_ctx = n * 600.0, .n_sampled = n};
    double host = perf_host_time(&sum, &d), gpu = perf_step_time(&sum, &d) - host;
    check_near(host, 0.002 + n * 50e-6, 1e-12);
    check_near(perf_step_time(&ovl, &d), fmax(gpu, host), 1e-12);
  }
  batch_shape one = {.n_decode = 1, .decode_ctx = 600, .n_sampled = 1}, many = {.n_decode = 4096, .n_sampled = 4096};
  check_msg(perf_step_time(&ovl, &one) > perf_host_time(&ovl, &one), "batch 1 is not GPU-bound");
  check_near(perf_step_time(&ovl, &many), perf_host_time(&ovl, &many), 1e-12); /* host-bound: 0.2 s a step */
}

/* A step no CUDA graph replays launches its kernels one by one from the host (eager_layer_s per layer): it takes
 * at least layers x eager_layer_s (plus the host work), and longer GPU work hides the launches. Prefill steps are
 * eager unless graphs cover them (cuda_graph_prefill, up to cuda_graph_max_batch tokens); decode-only steps are
 * eager above cuda_graph_max_batch; with both off a step costs what it did before. */
static void a_step_no_cuda_graph_replays_takes_at_least_its_kernel_launches(void **state) {
  (void)state;
  hwdb_bound b = bound("b200-sxm-180gb", "llama-3.1-8b", "fp8", "fp8", "vllm");
  engine_profile e = *b.engine;
  e.eager_layer_s = 0, e.cuda_graph_max_batch = 32, e.cuda_graph_prefill = false;
  b.engine = &e;
  perf_opts o;
  perf_ctx graphs, eager, piecewise;
  perf_opts_from_engine(&e, 1, 1, &o);
  init_ok(&graphs, &b, &o);
  e.eager_layer_s = 400e-6;
  init_ok(&eager, &b, &o);
  e.cuda_graph_prefill = true;
  init_ok(&piecewise, &b, &o);
  double launches = 400e-6 * b.model->layers;
  batch_shape small = {.n_prefill = 1, .prefill_tokens = 16, .prefill_attn = 16 * 8.0, .n_sampled = 1};
  batch_shape big = {.n_prefill = 1, .prefill_tokens = 8192, .prefill_attn = 8192 * 4096.0, .n_sampled = 1};
  batch_shape d32 = {.n_decode = 32, .decode_ctx = 32 * 600.0, .n_sampled = 32};
  batch_shape d33 = {.n_decode = 33, .decode_ctx = 33 * 600.0, .n_sampled = 33};
  check_msg(perf_step_time(&graphs, &small) < launches, "the small prefill's GPU work is shorter than the launches");
  check_near(perf_step_time(&eager, &small), perf_host_time(&eager, &small) + launches, 1e-12);
  check_msg(perf_step_time(&graphs, &big) > launches + perf_host_time(&graphs, &big), "the long prefill hides them");
  check_near_strict(perf_step_time(&eager, &big), perf_step_time(&graphs, &big), 1e-15);
  check_near_strict(perf_step_time(&eager, &d32), perf_step_time(&graphs, &d32), 1e-15);    /* replayed */
  check_near(perf_step_time(&eager, &d33), perf_host_time(&eager, &d33) + launches, 1e-12); /* above the graphs */
  check_near_strict(perf_step_time(&piecewise, &small), perf_step_time(&graphs, &small), 1e-15);
  check_near(perf_step_time(&piecewise, &big), perf_step_time(&eager, &big), 1e-12); /* 8192 tokens > 32 */
}

/* Attention data parallel: each of the tp ranks runs its own host loop over its share of the requests, so the
 * per-request and per-token host work divides by tp; each rank holds the attention weights whole (its own
 * requests' attention is computed on it alone), so the attention block's all-reduce goes and its weights are
 * streamed and stored tp times over. */
static void attention_data_parallel_divides_host_work_and_replicates_attention(void **state) {
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "llama-3.1-70b", "fp8", "fp8", "vllm");
  engine_profile e = *b.engine;
  e.overhead_request_s = 10e-6, e.overhead_token_s = 40e-6;
  b.engine = &e;
  perf_opts o;
  perf_ctx tp, dp;
  perf_opts_from_engine(&e, 4, 1, &o);
  init_ok(&tp, &b, &o);
  perf_memory m_tp, m_dp;
  perf_memory_fit(&b, &o, &m_tp);
  o.attention_dp = true;
  init_ok(&dp, &b, &o);
  perf_memory_fit(&b, &o, &m_dp);
  batch_shape d = {.n_decode = 256, .decode_ctx = 256 * 900.0, .n_sampled = 256};
  double per_req = 256 * (10e-6 + 40e-6);
  check_near(perf_host_time(&tp, &d) - perf_host_time(&dp, &d), per_req * (1 - 1.0 / 4), 1e-12);
  double attn = model_attn_params(b.model) * b.model->layers * (1 - 1.0 / 4) * quant_bytes_per_weight(b.weights);
  check_near(dp.w_dense_bytes - tp.w_dense_bytes, attn, 1e-3);
  check_near(m_dp.weight_bytes - m_tp.weight_bytes, attn, 1e-3);
  /* one all-reduce per layer (the MLP's) instead of two: half the fixed cost */
  check_near(dp.comm_step_s, tp.comm_step_s / 2, 1e-15);
}

/* TensorRT-LLM's post-quantisation all-to-all: with NVFP4 experts the dispatch moves 0.5625 bytes an
 * element (4 bits and a scale per 16) instead of 2, the combine still 2: the expert-parallel traffic per
 * token falls by exactly the dispatch's saving, and a 16-bit model's does not move. */
static void an_nvfp4_dispatch_moves_a_quarter_of_the_bytes(void **state) {
  (void)state;
  static const char *const W[] = {"nvfp4", "fp16"};
  for (int i = 0; i < 2; i++) {
    hwdb_bound b = bound("b200-sxm-180gb", "llama-4-scout", W[i], "fp8", "trtllm");
    engine_profile e = *b.engine;
    e.ep_quantized_dispatch = false;
    b.engine = &e;
    perf_opts o;
    perf_opts_from_engine(&e, 4, 1, &o);
    o.expert_parallel = o.attention_dp = true;
    perf_ctx wide, quant;
    init_ok(&wide, &b, &o);
    e.ep_quantized_dispatch = true;
    init_ok(&quant, &b, &o);
    double link = wide.link_bytes_per_s * e.link_efficiency, act = 2.0 * b.model->hidden;
    double saved = wide.moe_layers * b.model->experts_per_token * 3.0 / 16 * act * (1 - (0.5 + 1.0 / 16) / 2) / link;
    check_gt(wide.moe_layers, 0);
    check_near_strict(wide.comm_token_s - quant.comm_token_s, i == 0 ? saved : 0, 1e-15);
  }
}

/* An engine whose kernels compute weight-only formats in int8 (llama.cpp's MMQ) is bounded by the int8
 * peak at its 8-bit efficiency; a format computed in fp16 by the 16-bit peak; dense formats never change. */
static void an_int8_weight_only_engine_prefills_against_the_int8_peak(void **state) {
  (void)state;
  hwdb_bound b = bound("rtx-4090-24gb", "llama-2-7b", "q4_0", "fp16", "llamacpp");
  engine_profile e = *b.engine;
  b.engine = &e;
  perf_opts o;
  perf_ctx f16, i8, dense;
  perf_opts_from_engine(&e, 1, 1, &o);
  e.weight_only_dtype = 0;
  init_ok(&f16, &b, &o);
  e.weight_only_dtype = 1 + DT_INT8;
  init_ok(&i8, &b, &o);
  assert_int_equal(f16.compute_dtype, DT_FP16);
  assert_int_equal(i8.compute_dtype, DT_INT8);
  batch_shape p = {.n_prefill = 1, .prefill_tokens = 512, .prefill_attn = 512 * 512 / 2.0, .n_sampled = 1};
  double ratio = perf_compute_bound(&f16, &p) / perf_compute_bound(&i8, &p);
  check_msg(ratio > 1.5, "int8 prefill bound only %.3fx below fp16's", ratio);
  b.weights = hwdb_quant(&DB, "fp16"); /* a dense format keeps its own dtype */
  init_ok(&dense, &b, &o);
  assert_int_equal(dense.compute_dtype, DT_FP16);
}

/* Llama 4 Scout with its chunked layers (36 of 48, chunks of 8192) against the same model all global:
 * inside the first chunk every step costs the same; past it the chunked layers read only the chunk so far,
 * and the bytes read per cached token split between the two kinds of layer without loss. */
static void local_attention_layers_read_their_window_and_cost_what_global_ones_do_inside_it(void **state) {
  (void)state;
  hwdb_bound b = bound("h100-sxm-80gb", "llama-4-scout", "fp8", "fp8", "vllm");
  model_spec chunked = *b.model;
  chunked.local_layers = 36, chunked.local_window = 8192, chunked.local_attention = LOCAL_CHUNKED;
  hwdb_bound bl = b;
  bl.model = &chunked;
  perf_ctx g, l;
  assert_true(init(&g, &b, 4, 1)), assert_true(init(&l, &bl, 4, 1));
  check_rel(l.kv_read_bytes + l.kv_read_local_bytes, g.kv_bytes_per_token, 1e-15);
  check_rel(l.kv_read_local_bytes, g.kv_bytes_per_token * 36 / 48, 1e-15);
  for (double ctx = 1000; ctx <= 64000; ctx *= 2) {
    batch_shape dg = {.n_decode = 64, .decode_ctx = 64 * ctx, .decode_ctx_local = 64 * ctx, .n_sampled = 64};
    batch_shape dl = dg;
    dl.decode_ctx_local = 64 * perf_local_ctx(&l, ctx);
    double tg = perf_step_time(&g, &dg), tl = perf_step_time(&l, &dl);
    if (ctx < 8192)
      check_rel(tl, tg, 1e-12);
    else
      check_lt(tl, tg);
    check_rel(perf_bandwidth_bound(&l, &dl) * l.bw,
              perf_bandwidth_bound(&g, &(batch_shape){.n_decode = 64, .n_sampled = 64}) * g.bw +
                  64 * ctx * l.kv_read_bytes + dl.decode_ctx_local * l.kv_read_local_bytes,
              1e-12);
  }
  /* a 32768-token prompt: the chunked layers attend within four chunks, a quarter of the global work */
  double pg = perf_prefill_time(&g, 32768), pl = perf_prefill_time(&l, 32768);
  check_lt(pl, pg);
  check_rel(perf_local_chunk_attn(&l, 0, 32768), 32768.0 * 32768 / 2 / 4, 1e-15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(an_int8_weight_only_engine_prefills_against_the_int8_peak),
      cmocka_unit_test(decode_step_never_beats_bandwidth_bound),
      cmocka_unit_test(local_attention_layers_read_their_window_and_cost_what_global_ones_do_inside_it),
      cmocka_unit_test(step_time_is_monotone_in_tokens_and_context),
      cmocka_unit_test(more_bandwidth_is_never_slower),
      cmocka_unit_test(tp1_has_no_communication_term),
      cmocka_unit_test(step_never_beats_the_compute_bound),
      cmocka_unit_test(step_power_lies_between_idle_and_tdp_and_grows_with_the_work),
      cmocka_unit_test(power_model_defaults_to_fractions_of_tdp),
      cmocka_unit_test(llama405b_fit_examples_on_a100_80gb),
      cmocka_unit_test(fp8_on_a100_falls_back_to_w8a16),
      cmocka_unit_test(rtx4090_tp2_uses_pcie),
      cmocka_unit_test(kv_fp8_halves_kv_bytes),
      cmocka_unit_test(layer_split_gives_no_speedup_at_batch1),
      cmocka_unit_test(moe_reads_more_experts_with_more_tokens),
      cmocka_unit_test(expert_gemms_compute_whole_tiles),
      cmocka_unit_test(routed_tokens_move_their_activations_through_the_expert_kernels),
      cmocka_unit_test(prefill_and_decode_helpers_sum_steps),
      cmocka_unit_test(scenario_options_reach_the_model),
      cmocka_unit_test(gpu_efficiency_scales_slow_steps_and_never_beat_the_bounds),
      cmocka_unit_test(the_time_scale_multiplies_every_step),
      cmocka_unit_test(scheduling_work_is_shared_by_a_multi_step_window),
      cmocka_unit_test(the_layer_cost_scale_multiplies_the_fixed_per_layer_time),
      cmocka_unit_test(a_token_overhead_override_replaces_the_profiles),
      cmocka_unit_test(the_host_loop_overlaps_the_gpu_under_host_overlap),
      cmocka_unit_test(a_step_no_cuda_graph_replays_takes_at_least_its_kernel_launches),
      cmocka_unit_test(attention_data_parallel_divides_host_work_and_replicates_attention),
      cmocka_unit_test(an_nvfp4_dispatch_moves_a_quarter_of_the_bytes),
      cmocka_unit_test(kv_cache_tokens_sets_capacity_or_is_refused_with_the_room_left),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
