/* test_hwdb.c: the hardware database: every GPU, model, format, engine and price the issue asks for
 * is present, sourced and dated; derived parameter counts match the published ones; the aliases
 * people type resolve; prices and API rows carry the quoted figures; the content hash; broken files
 * are refused with file:line. Content checks read the frozen copy (tests/hwdb); the live hwdb/ is
 * read only by the tests that are about it (it loads, every entry sourced and dated, where it is
 * found). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "hwdb/hwdb.h"
#include "hwdb/modelerr.h"
#include "io/hwdb_out.h"

static const char *const GPUS[] = {"a100-sxm-40gb", "a100-sxm-80gb",  "a100-pcie-40gb", "a100-pcie-80gb",
                                   "h100-sxm-80gb", "h100-pcie-80gb", "h200-sxm-141gb", "rtx-4090-24gb",
                                   "l40s-48gb",     "l4-24gb",        "a10g-24gb",      "b200-sxm-180gb",
                                   "mi300x-192gb"};

/* Published parameter counts (billions), total and active, from the model cards. */
static const struct {
  const char *id;
  double total_b, active_b;
} MODELS[] = {
    {"llama-2-7b", 6.74, 6.74},    {"llama-2-13b", 13.0, 13.0},   {"llama-2-70b", 69.0, 69.0},
    {"llama-3.1-8b", 8.03, 8.03},  {"llama-3.1-70b", 70.6, 70.6}, {"llama-3.1-405b", 405, 405},
    {"mistral-7b", 7.24, 7.24},    {"qwen2.5-7b", 7.61, 7.61},    {"qwen2.5-72b", 72.7, 72.7},
    {"gpt-j-6b", 6.05, 6.05},      {"mixtral-8x7b", 46.7, 12.9},  {"llama-4-scout", 109, 17},
    {"llama-4-maverick", 400, 17},
};

/* The key table of each category, to read the id, source and date of any entry. */
static const kt_field *(*const FIELDS_OF[HWDB_NCAT])(size_t *) = {
    [HWDB_GPUS] = hw_gpu_fields,
    [HWDB_MODELS] = model_fields,
    [HWDB_QUANT] = quant_fields,
    [HWDB_ENGINES] = engine_fields,
    [HWDB_GPU_PRICES] = gpu_price_fields,
    [HWDB_API_PRICES] = api_price_fields,
    [HWDB_MODEL_ERROR] = model_error_fields,
};

static const char *text_of(hwdb_cat c, const void *e, const char *key) {
  size_t n;
  const kt_field *tab = FIELDS_OF[c](&n);
  const kt_field *f = kt_find(tab, n, key);
  assert_non_null(f);
  return (const char *)e + f->off;
}

static int setup(void **state) {
  static hwdb db;
  ss_err err = {{0}};
  if (hwdb_load(TEST_HWDB, &db, &err)) {
    fprintf(stderr, "hwdb_load: %s\n", err.msg);
    return -1;
  }
  *state = &db;
  return 0;
}

static int teardown(void **state) {
  hwdb_free(*state);
  return 0;
}

static void test_all_13_gpus_are_present_with_memory_bandwidth_and_fp16_peak(void **state) {
  const hwdb *db = *state;
  assert_int_equal(db->n[HWDB_GPUS], 13);
  for (size_t i = 0; i < 13; i++) {
    const hw_gpu *g = hwdb_gpu(db, GPUS[i]);
    if (!g) fail_msg("GPU %s missing", GPUS[i]);
    assert_string_equal(g->id, GPUS[i]);
    check_within(g->memory_gb, 16, 256);
    check_within(g->mem_bw_gb_s, 250, 10000);
    assert_true(hw_supports(g, DT_FP16));
    check_gt(g->peak_tflops[DT_FP16], 10);
    check_gt(g->pcie_gb_s, 0);
    check_gt(g->tdp_w, 0);
  }
}

static void test_gpu_specs_match_the_datasheets(void **state) {
  const hwdb *db = *state;
  static const struct {
    const char *id;
    double mem_gb, bw_gb_s, fp16_tflops;
    bool fp8;
  } SPEC[] = {
      {"h100-sxm-80gb", 80, 3350, 989, true},   {"a100-sxm-80gb", 80, 2039, 312, false},
      {"a100-sxm-40gb", 40, 1555, 312, false},  {"h200-sxm-141gb", 141, 4800, 989, true},
      {"rtx-4090-24gb", 24, 1008, 165.2, true}, {"l4-24gb", 24, 300, 121, true},
      {"mi300x-192gb", 192, 5300, 1300, true},  {"a10g-24gb", 24, 600, 70, false},
  };
  for (size_t i = 0; i < sizeof SPEC / sizeof SPEC[0]; i++) {
    const hw_gpu *g = hwdb_gpu(db, SPEC[i].id);
    assert_non_null(g);
    check_eq(g->memory_gb, SPEC[i].mem_gb);
    check_eq(g->mem_bw_gb_s, SPEC[i].bw_gb_s);
    check_near_strict(g->peak_tflops[DT_FP16], SPEC[i].fp16_tflops, 0.5);
    if (hw_supports(g, DT_FP8) != SPEC[i].fp8) fail_msg("%s: fp8 support is wrong", SPEC[i].id);
  }
  /* dense peak never decreases as precision drops on any GPU that has both */
  size_t tested = 0;
  for (size_t i = 0; i < db->n[HWDB_GPUS]; i++) {
    const hw_gpu *g = hwdb_at(db, HWDB_GPUS, i);
    if (hw_supports(g, DT_FP8)) {
      check_ge(g->peak_tflops[DT_FP8], g->peak_tflops[DT_FP16]);
      tested++;
    }
    if (hw_supports(g, DT_INT8)) {
      check_ge(g->peak_tflops[DT_INT8], g->peak_tflops[DT_FP16]);
      tested++;
    }
  }
  check_min_cases(tested, 13); /* every GPU has fp8 or int8 tensor cores */
}

static void test_all_13_models_are_present(void **state) {
  const hwdb *db = *state;
  assert_int_equal(db->n[HWDB_MODELS], 13);
  for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++)
    if (!hwdb_model(db, MODELS[i].id)) fail_msg("model %s missing", MODELS[i].id);
}

static void test_derived_parameter_counts_are_within_2_percent_of_published(void **state) {
  const hwdb *db = *state;
  for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++) {
    const model_spec *m = hwdb_model(db, MODELS[i].id);
    double total = model_params_total(m) / 1e9, active = model_params_active(m) / 1e9;
    if (fabs(total / MODELS[i].total_b - 1) > 0.02)
      fail_msg("%s: derived %.3fB total vs published %.3gB", m->id, total, MODELS[i].total_b);
    if (fabs(active / MODELS[i].active_b - 1) > 0.02)
      fail_msg("%s: derived %.3fB active vs published %.3gB", m->id, active, MODELS[i].active_b);
    /* the file's own published figures are the model cards' */
    check_near_strict(m->published_params_b / MODELS[i].total_b, 1, 0.005);
    check_near_strict(m->published_active_params_b / MODELS[i].active_b, 1, 0.005);
    check_le(active, total);
    assert_int_equal(model_is_moe(m), MODELS[i].active_b < MODELS[i].total_b);
  }
}

/* Every entry of every category of db has a source and a YYYY-MM-DD date that has come (a figure
 * cannot have been read or fitted after today); returns how many entries. */
static size_t check_sources_and_dates(const hwdb *db) {
  size_t tested = 0;
  char today[16];
  time_t now = time(NULL);
  strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
  for (int c = 0; c < HWDB_NCAT; c++) {
    if (c != HWDB_MODEL_ERROR) check_gt(db->n[c], 0); /* model_error.yaml is optional */
    for (size_t i = 0; i < db->n[c]; i++) {
      const void *e = hwdb_at(db, (hwdb_cat)c, i);
      const char *id = text_of((hwdb_cat)c, e, "id"), *src = text_of((hwdb_cat)c, e, "source"),
                 *date = text_of((hwdb_cat)c, e, "date");
      if (strlen(src) < 10) fail_msg("%s %s: source '%s' is empty or too short", hwdb_cat_name(c), id, src);
      int y, mo, d;
      char tail;
      if (strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 || y < 1990 || y > 2030 ||
          mo < 1 || mo > 12 || d < 1 || d > 31)
        fail_msg("%s %s: date '%s' is not YYYY-MM-DD", hwdb_cat_name(c), id, date);
      if (strcmp(date, today) > 0) fail_msg("%s %s: date %s is after today (%s)", hwdb_cat_name(c), id, date, today);
      tested++;
    }
  }
  return tested;
}

static void test_every_entry_of_every_category_has_a_source_and_a_date(void **state) {
  check_min_cases(check_sources_and_dates(*state), 150);
}

/* The live hwdb/ (found the way the CLI finds it), not the frozen copy: what users run must load and
 * be sourced and dated. This test reads the live directory on purpose. */
static void test_the_live_hwdb_loads_and_every_entry_has_a_source_and_a_date(void **state) {
  (void)state;
  char dir[1024];
  hwdb live;
  ss_err err = {{0}};
  if (hwdb_load(hwdb_default_dir(dir, sizeof dir), &live, &err)) fail_msg("live hwdb %s: %s", dir, err.msg);
  check_min_cases(check_sources_and_dates(&live), 150);
  assert_int_equal(strlen(live.sha256), 64);
  hwdb_free(&live);
}

/* Engines size the KV cache from the memory the driver reports, which for HBM parts is the datasheet's
 * figure in GiB: every live GPU states it, within a few percent above the datasheet GB, and the memory
 * fit uses it. */
static void test_every_live_gpu_states_its_driver_reported_memory_and_the_fit_uses_it(void **state) {
  (void)state;
  char dir[1024];
  hwdb live;
  ss_err err = {{0}};
  if (hwdb_load(hwdb_default_dir(dir, sizeof dir), &live, &err)) fail_msg("live hwdb %s: %s", dir, err.msg);
  size_t tested = 0;
  for (size_t i = 0; i < live.n[HWDB_GPUS]; i++, tested++) {
    const hw_gpu *g = hwdb_at(&live, HWDB_GPUS, i);
    check_msg(!isnan(g->memory_mib), "%s: no memory_mib", g->id);
    check_msg(strstr(g->source, "driver-reported memory") != NULL, "%s: memory_mib without its source", g->id);
    double ratio = hw_mem_bytes(g) / (g->memory_gb * 1e9);
    check_msg(ratio > 0.99 && ratio < 1.08, "%s: %.0f MiB is %.3f x the datasheet's %.0f GB", g->id, g->memory_mib,
              ratio, g->memory_gb);
    check_eq(hw_mem_bytes(g), g->memory_mib * 1048576.0);
  }
  check_min_cases(tested, 14);
  hwdb_free(&live);
}

/* A profile lists the GPU vendors whose kernels it describes; none listed is every vendor. */
static void test_engines_say_which_gpu_vendors_they_describe(void **state) {
  (void)state;
  char dir[1024], buf[64];
  hwdb live;
  ss_err err = {{0}};
  if (hwdb_load(hwdb_default_dir(dir, sizeof dir), &live, &err)) fail_msg("%s", err.msg);
  const engine_profile *trt = hwdb_engine(&live, "trtllm"), *vllm = hwdb_engine(&live, "vllm"),
                       *cpp = hwdb_engine(&live, "llamacpp");
  assert_true(trt && vllm && cpp);
  assert_true(engine_runs_on(trt, "nvidia"));
  assert_false(engine_runs_on(trt, "amd")); /* TensorRT engines: NVIDIA only */
  assert_false(engine_runs_on(cpp, "amd")); /* llama.cpp's HIP build is not modelled */
  assert_true(engine_runs_on(vllm, "amd") && engine_runs_on(vllm, "nvidia"));
  assert_string_equal(engine_vendors(trt, buf, sizeof buf), "nvidia");
  engine_profile two = *trt;
  snprintf(two.gpu_vendors[1], sizeof two.gpu_vendors[1], "amd");
  two.n_gpu_vendors = 2;
  assert_string_equal(engine_vendors(&two, buf, sizeof buf), "nvidia or amd");
  hwdb_free(&live);
}

/* hwdb_default_dir: $SERVESIM_HWDB first, whatever else exists. */
static void test_the_default_directory_honours_servesim_hwdb(void **state) {
  (void)state;
  char buf[1024];
  const char *old = getenv("SERVESIM_HWDB");
  char *saved = old ? strdup(old) : NULL;
  assert_int_equal(setenv("SERVESIM_HWDB", TEST_HWDB, 1), 0);
  assert_ptr_equal(hwdb_default_dir(buf, sizeof buf), buf);
  assert_string_equal(buf, TEST_HWDB);
  assert_int_equal(unsetenv("SERVESIM_HWDB"), 0);
  hwdb_default_dir(buf, sizeof buf);
  check_msg(strlen(buf) > 0 && strcmp(buf, TEST_HWDB), "without $SERVESIM_HWDB: '%s'", buf);
  if (saved) setenv("SERVESIM_HWDB", saved, 1);
  free(saved);
}

/* The content hash covers every file's bytes and relative path, not where the directory lives. */
static void test_the_content_hash_sees_every_byte_but_not_the_location(void **state) {
  const hwdb *db = *state;
  char dir[64] = "/tmp/servesim_test_hwdb_hashXXXXXX", cmd[512], path[256];
  hwdb copy;
  ss_err err = {{0}};
  assert_int_equal(strlen(db->sha256), 64);
  assert_non_null(mkdtemp(dir));
  snprintf(cmd, sizeof cmd, "cp -r '%s/.' '%s/'", TEST_HWDB, dir);
  assert_int_equal(system(cmd), 0);
  if (hwdb_load(dir, &copy, &err)) fail_msg("%s", err.msg);
  assert_string_equal(copy.sha256, db->sha256);
  hwdb_free(&copy);
  snprintf(path, sizeof path, "%s/gpus/l4-24gb.yaml", dir);
  FILE *f = fopen(path, "a");
  assert_non_null(f);
  fputs("# one more comment line\n", f);
  fclose(f);
  if (hwdb_load(dir, &copy, &err)) fail_msg("%s", err.msg);
  check_msg(strcmp(copy.sha256, db->sha256) != 0, "a changed file left the hash at %s", db->sha256);
  hwdb_free(&copy);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

static void test_aliases_people_type_resolve(void **state) {
  const hwdb *db = *state;
  static const struct {
    hwdb_cat c;
    const char *typed, *id;
  } ALIASES[] = {
      {HWDB_GPUS, "H100", "h100-sxm-80gb"},
      {HWDB_GPUS, "4090", "rtx-4090-24gb"},
      {HWDB_GPUS, "A100 80G", "a100-sxm-80gb"},
      {HWDB_GPUS, "h100 pcie", "h100-pcie-80gb"},
      {HWDB_GPUS, "MI300X", "mi300x-192gb"},
      {HWDB_GPUS, "a10g", "a10g-24gb"},
      {HWDB_GPUS, "H100_SXM_80GB", "h100-sxm-80gb"},
      {HWDB_MODELS, "llama-3.3-70b", "llama-3.1-70b"},
      {HWDB_MODELS, "llama-3-70b", "llama-3.1-70b"},
      {HWDB_MODELS, "meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b"},
      {HWDB_MODELS, "Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b"},
      {HWDB_QUANT, "int4", "awq"},
      {HWDB_QUANT, "W8A8", "int8"},
      {HWDB_ENGINES, "llama.cpp", "llamacpp"},
      {HWDB_ENGINES, "TensorRT-LLM", "trtllm"},
  };
  for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++) {
    const void *e = hwdb_find(db, ALIASES[i].c, ALIASES[i].typed);
    if (!e) fail_msg("'%s' does not resolve", ALIASES[i].typed);
    assert_string_equal(text_of(ALIASES[i].c, e, "id"), ALIASES[i].id);
  }
  assert_null(hwdb_gpu(db, "H100 NVL"));
  assert_null(hwdb_gpu(db, "A100 90G"));
  assert_null(hwdb_model(db, "llama-3.2-1b"));
}

static void test_quant_formats_have_their_bytes_per_weight_and_kv_use(void **state) {
  const hwdb *db = *state;
  static const struct {
    const char *id;
    double lo, hi;
    bool kv;
  } Q[] = {
      {"fp16", 2, 2, true},          {"bf16", 2, 2, true},
      {"fp8", 1, 1, true},           {"int8", 1, 1, false},
      {"w8a16", 1, 1.01, false},     {"awq", 0.5, 0.53, false},
      {"gptq", 0.5, 0.53, false},    {"q4_0", 0.5625, 0.5625, false},
      {"q4_k_m", 0.58, 0.63, false}, {"q8_0", 1.0625, 1.0625, false},
      {"nvfp4", 0.5, 0.57, false},
  };
  for (size_t i = 0; i < sizeof Q / sizeof Q[0]; i++) {
    const quant_format *q = hwdb_quant(db, Q[i].id);
    if (!q) fail_msg("format %s missing", Q[i].id);
    double b = quant_bytes_per_weight(q);
    if (b < Q[i].lo - 1e-9 || b > Q[i].hi + 1e-9) fail_msg("%s: %g bytes per weight", Q[i].id, b);
    assert_int_equal(q->kv_ok, Q[i].kv);
  }
  /* the GEMM dtype never leaves the GPU's supported set: fp8 on an A100 falls back */
  bool fell_back = false;
  hw_dtype d = quant_compute_dtype(hwdb_quant(db, "fp8"), hwdb_gpu(db, "a100-sxm-80gb"), &fell_back);
  assert_true(fell_back);
  assert_true(hw_supports(hwdb_gpu(db, "a100-sxm-80gb"), d));
}

static void test_all_five_engines_have_scheduler_defaults(void **state) {
  const hwdb *db = *state;
  static const char *const E[] = {"vllm", "sglang", "trtllm", "tgi", "llamacpp"};
  assert_int_equal(db->n[HWDB_ENGINES], 5);
  for (size_t i = 0; i < 5; i++) {
    const engine_profile *e = hwdb_engine(db, E[i]);
    if (!e) fail_msg("engine %s missing", E[i]);
    check_ge(e->max_num_seqs, 1);
    check_ge(e->max_batched_tokens, 1);
    check_ge(e->block_size, 1);
    check_gt(e->gpu_memory_utilization, 0);
    check_le(e->gpu_memory_utilization, 1);
  }
  const engine_profile *v = hwdb_engine(db, "vllm");
  check_eq(v->max_num_seqs, 256);
  check_eq(v->block_size, 16);
  check_eq(v->gpu_memory_utilization, 0.9);
}

static void test_every_gpu_price_names_an_existing_gpu(void **state) {
  const hwdb *db = *state;
  for (size_t i = 0; i < db->n[HWDB_GPU_PRICES]; i++) {
    const gpu_price *p = hwdb_at(db, HWDB_GPU_PRICES, i);
    if (!hwdb_gpu(db, p->gpu)) fail_msg("price row %s: unknown gpu %s", p->id, p->gpu);
    check_gt(p->tier == TIER_PURCHASE ? p->usd_purchase : p->usd_per_hour, 0);
  }
  check_min_cases(db->n[HWDB_GPU_PRICES], 60);
}

/* A GPU price row with these values (provider NULL: any). */
static const gpu_price *find_gpu_price(const hwdb *db, const char *gpu, const char *provider, int tier, double gpus,
                                       double usd_per_hour) {
  for (size_t i = 0; i < db->n[HWDB_GPU_PRICES]; i++) {
    const gpu_price *p = hwdb_at(db, HWDB_GPU_PRICES, i);
    if (!strcmp(p->gpu, gpu) && (!provider || kt_name_eq(p->provider, provider)) && p->tier == tier &&
        p->gpus == gpus && fabs(p->usd_per_hour - usd_per_hour) < 1e-9)
      return p;
  }
  return NULL;
}

static void test_gpu_prices_quoted_in_the_references_are_present(void **state) {
  const hwdb *db = *state;
  static const struct {
    const char *gpu, *provider;
    int tier;
    double gpus, usd_h;
  } P[] = {
      {"a100-sxm-80gb", "aws", TIER_ON_DEMAND, 8, 32.77},
      {"a100-sxm-80gb", "lambda", TIER_ON_DEMAND, 8, 10.32},
      {"h100-sxm-80gb", "runpod", TIER_ON_DEMAND, 8, 23.60},
      {"a100-sxm-80gb", "runpod", TIER_ON_DEMAND, 4, 5.80},
      {"h100-sxm-80gb", NULL, TIER_ON_DEMAND, 1, 2.50},
      {"h100-sxm-80gb", "lambda", TIER_ON_DEMAND, 1, 2.49},
      {"rtx-4090-24gb", NULL, TIER_ON_DEMAND, 1, 0.44},
      {"rtx-4090-24gb", NULL, TIER_ON_DEMAND, 1, 0.74},
      {"a10g-24gb", "aws", TIER_ON_DEMAND, 1, 1.00},
      {"a10g-24gb", "aws", TIER_ON_DEMAND, 1, 1.20},
      {"a10g-24gb", "aws", TIER_SPOT, 1, 0.40},
      {"a10g-24gb", "aws", TIER_SPOT, 1, 0.60},
  };
  for (size_t i = 0; i < sizeof P / sizeof P[0]; i++)
    if (!find_gpu_price(db, P[i].gpu, P[i].provider, P[i].tier, P[i].gpus, P[i].usd_h))
      fail_msg("no %s row for %g x %s at $%.2f/h", P[i].provider ? P[i].provider : "any", P[i].gpus, P[i].gpu,
               P[i].usd_h);
  const gpu_price *p4d = find_gpu_price(db, "a100-sxm-80gb", "aws", TIER_ON_DEMAND, 8, 32.77);
  check_near_strict(price_usd_per_gpu_hour(p4d), 32.77 / 8, 1e-12);
}

static void test_api_prices_carry_the_quoted_figures(void **state) {
  const hwdb *db = *state;
  static const struct {
    const char *model;
    double in, out;
  } A[] = {
      {"gpt-4o", 2.50, 10.00},         {"claude-3.5-haiku", 0.80, 4.00},      {"claude-3.5-sonnet", 3.00, 15.00},
      {"claude-opus-4", 15.00, 75.00}, {"llama-4-scout-bedrock", 0.17, 0.66}, {"llama-4-maverick-bedrock", 0.24, 0.97},
  };
  for (size_t i = 0; i < sizeof A / sizeof A[0]; i++) {
    const api_price *p = hwdb_api(db, A[i].model);
    if (!p) fail_msg("API row %s missing", A[i].model);
    if (fabs(p->usd_per_1m_input - A[i].in) > 1e-9 || fabs(p->usd_per_1m_output - A[i].out) > 1e-9)
      fail_msg("%s: $%g/$%g, want $%g/$%g", A[i].model, p->usd_per_1m_input, p->usd_per_1m_output, A[i].in, A[i].out);
  }
  check_near_strict(hwdb_api(db, "gpt-4o-mini")->usd_per_1m_output, 0.60, 1e-9);
  check_near_strict(hwdb_api(db, "llama-3.1-405b-together")->usd_per_1m_output, 3.50, 1e-9);
  check_near_strict(hwdb_api(db, "llama-3.1-405b-fireworks")->usd_per_1m_output, 3.00, 1e-9);
  /* where posts disagree both rows stay: GPT-4o at $15/M output is kept beside the $10 row */
  size_t gpt4o = 0;
  bool has15 = false;
  for (size_t i = 0; i < db->n[HWDB_API_PRICES]; i++) {
    const api_price *p = hwdb_at(db, HWDB_API_PRICES, i);
    if (!strcmp(p->model, "gpt-4o")) gpt4o++, has15 |= p->usd_per_1m_output == 15.0;
  }
  check_ge(gpt4o, 2);
  check_msg(has15, "no GPT-4o row at $15/M output");
  assert_null(hwdb_api(db, "gpt-5-turbo"));
}

static void test_list_prints_every_entry_and_refuses_unknown_tables(void **state) {
  const hwdb *db = *state;
  static const struct {
    const char *what;
    hwdb_cat c;
  } L[] = {
      {"gpus", HWDB_GPUS},       {"models", HWDB_MODELS},     {"quant", HWDB_QUANT},
      {"engines", HWDB_ENGINES}, {"prices", HWDB_GPU_PRICES}, {"prices", HWDB_API_PRICES},
  };
  size_t rows = 0;
  for (size_t k = 0; k < sizeof L / sizeof L[0]; k++) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ss_err err = {{0}};
    assert_int_equal(hwdb_out_list(f, db, L[k].what, &err), SS_OK);
    fclose(f);
    for (size_t i = 0; i < db->n[L[k].c]; i++) {
      const char *id = text_of(L[k].c, hwdb_at(db, L[k].c, i), "id");
      char line_start[80];
      snprintf(line_start, sizeof line_start, "\n%s ", id);
      if (!strstr(text, line_start)) fail_msg("list %s lacks a row for %s", L[k].what, id);
      rows++;
    }
    free(text);
  }
  check_min_cases(rows, 13 + 13 + 11 + 5 + 60 + 40); /* every entry of the frozen hwdb has its row */
  ss_err err = {{0}};
  assert_int_equal(hwdb_out_list(stdout, db, "cpus", &err), SS_EUSAGE);
  check_msg(strstr(err.msg, "allowed: gpus, models, quant, engines, prices"), "message: %s", err.msg);
}

static void test_ids_resolve_to_themselves_and_nothing_else(void **state) {
  const hwdb *db = *state;
  size_t tested = 0;
  for (int c = 0; c < HWDB_NCAT; c++) {
    if (c == HWDB_API_PRICES) continue; /* looked up by model name, several rows per model */
    for (size_t i = 0; i < db->n[c]; i++, tested++) {
      const void *e = hwdb_at(db, (hwdb_cat)c, i);
      assert_ptr_equal(hwdb_find(db, (hwdb_cat)c, text_of((hwdb_cat)c, e, "id")), e);
    }
  }
  check_min_cases(tested, 13 + 13 + 11 + 5 + 60); /* GPUs, models, formats, engines, GPU price rows */
}

/* FAMILY@RELEASE picks the profile whose release range holds it, FAMILY alone the newest, and the id
 * carries the version (live hwdb: the generations the issue names); a release newer than every profile
 * gets the newest, flagged as an extrapolation; an older one or an unknown family gets nothing. */
static void test_engine_names_with_a_release_resolve_to_the_profile_that_holds_it(void **state) {
  (void)state;
  hwdb live;
  ss_err err = {{0}};
  char dir[512];
  if (hwdb_load(hwdb_default_dir(dir, sizeof dir), &live, &err)) fail_msg("%s", err.msg);
  static const struct {
    const char *name, *id;
    bool beyond;
  } CASES[] = {{"trtllm@0.13.0", "trtllm@0.13", false},
               {"trtllm@0.5.0", "trtllm@0.13", false},
               {"TensorRT-LLM@0.17", "trtllm@0.17", false},
               {"trtllm", "trtllm@1.0", false},
               {"trtllm@1.0", "trtllm@1.0", false},
               {"nim@1.8", "trtllm@0.17", false},
               {"vllm@0.6.3", "vllm@0.6", false},
               {"vllm@0.19.1", "vllm@0.10", false},
               {"vllm", "vllm@0.10", false},
               {"tgi@1.0.3", "tgi@1.0", false},
               {"tgi@2.3.1", "tgi@2", false},
               {"tgi", "tgi@3", false},
               {"sglang@0.3.0", "sglang@0.4", false},
               {"lmdeploy@0.1.0", "lmdeploy@0.2", false},
               {"llamacpp@b1650", "llamacpp@b2000", false},
               {"llamacpp@b4011", "llamacpp@b4000", false},
               {"llamacpp", "llamacpp@b4000", false},
               {"llama.cpp", "llamacpp@b4000", false},
               {"vllm@2.0", "vllm@0.10", true},
               {"lmdeploy@0.10.2", "lmdeploy@0.2", true},
               {"sglang@0.5.5", "sglang@0.4", false}, /* "0.5" holds every 0.5.x */
               {"TensorRT-LLM@2", "trtllm@1.0", true}};
  size_t tested = 0;
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++, tested++) {
    const engine_profile *e = hwdb_engine(&live, CASES[i].name);
    check_msg(e && !strcmp(e->id, CASES[i].id), "%s resolved to %s, want %s", CASES[i].name, e ? e->id : "nothing",
              CASES[i].id);
    check_msg(hwdb_engine_beyond(&live, CASES[i].name) == CASES[i].beyond, "%s: beyond should be %d", CASES[i].name,
              CASES[i].beyond);
  }
  check_min_cases(tested, 14);
  assert_null(hwdb_engine(&live, "trtllm@0.3")); /* older than any profile */
  assert_false(hwdb_engine_beyond(&live, "trtllm@0.3"));
  assert_null(hwdb_engine(&live, "deepspeed@0.1"));
  hwdb_free(&live);
}

/* The 80% band of the model's error: the cross-validated percentiles around the prediction, widened
 * (in log space, about their centre) for a GPU, engine or weight format no calibration row used. */
static void test_model_error_bands_widen_for_what_was_never_calibrated(void **state) {
  (void)state;
  model_error e = {.q10 = log(0.8), .q90 = log(1.1), .widen_gpu = 2, .widen_engine = 1.5, .widen_weights = 1.2};
  snprintf(e.gpus[0], sizeof e.gpus[0], "h100-sxm-80gb"), e.n_gpus = 1;
  snprintf(e.engines[0], sizeof e.engines[0], "vllm@0.10"), e.n_engines = 1;
  snprintf(e.weights[0], sizeof e.weights[0], "bf16"), e.n_weights = 1;
  modelerr_band in, gpu, all;
  modelerr_band_of(&e, "h100-sxm-80gb", "vllm@0.10", false, "bf16", &in);
  check_near_strict(in.lo, 0.8, 1e-12);
  check_near_strict(in.hi, 1.1, 1e-12);
  assert_false(in.unseen_gpu || in.unseen_engine || in.unseen_weights);
  modelerr_band_of(&e, "l4-24gb", "vllm@0.10", false, "bf16", &gpu);
  assert_true(gpu.unseen_gpu);
  check_near_strict(log(gpu.hi / gpu.lo), 2 * log(1.1 / 0.8), 1e-12); /* twice as wide */
  check_near_strict(log(gpu.hi * gpu.lo), log(1.1 * 0.8), 1e-12);     /* same centre */
  modelerr_band_of(&e, "l4-24gb", "sglang@0.4", false, "awq", &all);
  check_near_strict(log(all.hi / all.lo), 2 * 1.5 * 1.2 * log(1.1 / 0.8), 1e-12); /* the factors multiply */
  modelerr_band beyond; /* a calibrated profile named by a newer release than it describes: an unseen engine */
  modelerr_band_of(&e, "h100-sxm-80gb", "vllm@0.10", true, "bf16", &beyond);
  assert_true(beyond.unseen_engine);
  check_near_strict(log(beyond.hi / beyond.lo), 1.5 * log(1.1 / 0.8), 1e-12);
}

/* Two profiles of one family may not both hold a release: loading says which. */
static void test_overlapping_release_ranges_are_refused(void **state) {
  (void)state;
  char dir[64] = "/tmp/servesim_test_hwdb_relXXXXXX", cmd[512], path[256];
  hwdb db;
  ss_err err = {{0}};
  assert_non_null(mkdtemp(dir));
  snprintf(cmd, sizeof cmd,
           "cp -r '%s/.' '%s/' && sed -e 's/^id: trtllm/id: trtllm@2/' -e 's/^aliases:.*/aliases: []/' "
           "'%s/engines/trtllm.yaml' > '%s/engines/trtllm@2.yaml'",
           TEST_HWDB, dir, dir, dir);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(hwdb_load(dir, &db, &err), SS_EDATA); /* same family, same range as trtllm */
  check_msg(strstr(err.msg, "overlap"), "message: %s", err.msg);
  snprintf(path, sizeof path,
           "sed -i -e 's/^releases_from:.*/releases_from: \"2.0\"/' -e "
           "'s/^releases_to:.*/releases_to: \"2.9\"/' '%s/engines/trtllm@2.yaml'",
           dir);
  assert_int_equal(system(path), 0);
  if (hwdb_load(dir, &db, &err)) fail_msg("%s", err.msg);
  assert_string_equal(hwdb_engine(&db, "trtllm@1.0")->id, "trtllm");
  assert_string_equal(hwdb_engine(&db, "trtllm@2.1.3")->id, "trtllm@2");
  hwdb_free(&db);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

/* A throw-away hwdb directory whose gpus/ holds one file with the given text. */
static ss_status load_broken(const char *file, const char *text, char *msg, size_t len) {
  char dir[64] = "/tmp/servesim_test_hwdbXXXXXX", sub[96], path[192];
  assert_non_null(mkdtemp(dir));
  snprintf(sub, sizeof sub, "%s/gpus", dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  snprintf(path, sizeof path, "%s/%s", sub, file);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  hwdb db;
  ss_err err = {{0}};
  ss_status rc = hwdb_load(dir, &db, &err);
  snprintf(msg, len, "%s", err.msg);
  if (rc == SS_OK) hwdb_free(&db);
  unlink(path);
  rmdir(sub);
  rmdir(dir);
  return rc;
}

/* One GPU entry as hw_gpu_finish sees it after parsing: the key table's defaults, a bf16 peak of 989. */
static hw_gpu finished_gpu(double gemm_tflops, double eff_scale_compute) {
  size_t n;
  const kt_field *tab = hw_gpu_fields(&n);
  hw_gpu g;
  unsigned lines[64] = {0};
  ss_err err = {{0}};
  kt_defaults(tab, n, &g);
  g.peak_tflops[DT_BF16] = 989, g.gemm_tflops = gemm_tflops, g.eff_scale_compute = eff_scale_compute;
  assert_int_equal(hw_gpu_finish(&g, "x.yaml", lines, &err), SS_OK);
  return g;
}

/* A GPU's measured GEMM throughput, as a fraction of its dense bf16 peak, relative to the H200's measured
 * fraction, is its compute scale unless one is fitted; a figure over 1.5x the peak (a sparse one) or
 * without a 16-bit peak to divide by is refused at its line. */
static void test_a_measured_gemm_sets_the_compute_scale_relative_to_the_h200(void **state) {
  (void)state;
  static const char GPU[] = "id: x\nname: X\nvendor: nvidia\narch: hopper\nmemory_gb: 80\nmem_bw_gb_s: 3350\n"
                            "nvlink_gb_s: 900\npcie_gb_s: 64\ntdp_w: 700\nsource: s\ndate: \"2026-12-05\"\n";
  char text[1024], msg[1536];
  double ref_gemm = HW_GEMM_REF_FRAC * 989.0; /* the H200's 790.29 TFLOP/s on the same peak */
  check_near(finished_gpu(ref_gemm / 2, NAN).eff_scale_compute, 0.5, 1e-12);
  check_eq(finished_gpu(ref_gemm / 2, 0.8).eff_scale_compute, 0.8); /* a fitted scale wins */
  check_eq(finished_gpu(NAN, NAN).eff_scale_compute, 1.0);          /* neither: the reference's */
  snprintf(text, sizeof text, "%speak_tflops: {bf16: 989}\ngemm_tflops: 1979\n", GPU);
  assert_int_equal(load_broken("x.yaml", text, msg, sizeof msg), SS_EDATA);
  check_msg(strstr(msg, "gpus/x.yaml:13: key 'gemm_tflops': value 1979 is over 1.5 x the dense 16-bit peak 989") &&
                strstr(msg, "allowed: at most 1483.5"),
            "message: %s", msg);
  snprintf(text, sizeof text, "%speak_tflops: {fp8: 1979}\ngemm_tflops: 700\n", GPU);
  assert_int_equal(load_broken("x.yaml", text, msg, sizeof msg), SS_EDATA);
  check_msg(strstr(msg, "gpus/x.yaml:13: key 'gemm_tflops'") && strstr(msg, "peak_tflops.bf16 or .fp16"), "message: %s",
            msg);
  /* the live H200 is the reference: its own measurement gives exactly 1 */
  char dir[1024];
  hwdb live;
  ss_err err = {{0}};
  if (hwdb_load(hwdb_default_dir(dir, sizeof dir), &live, &err)) fail_msg("live hwdb %s: %s", dir, err.msg);
  const hw_gpu *h200 = hwdb_gpu(&live, "h200-sxm-141gb");
  assert_non_null(h200);
  check_near(h200->gemm_tflops / h200->peak_tflops[DT_BF16], HW_GEMM_REF_FRAC, 1e-15);
  check_eq(h200->eff_scale_compute, 1.0);
  hwdb_free(&live);
}

static void test_broken_hwdb_files_are_refused_with_file_and_line(void **state) {
  (void)state;
  char msg[1536];
  assert_int_equal(load_broken("x.yaml", "id: y\nname: Y\n", msg, sizeof msg), SS_EDATA);
  check_msg(strstr(msg, "hwdb: ") && strstr(msg, "gpus/x.yaml: missing required key"), "message: %s", msg);
  assert_int_equal(load_broken("x.yaml", "id: x\nmemory_gb: lots\n", msg, sizeof msg), SS_EDATA);
  check_msg(strstr(msg, "gpus/x.yaml:2: key 'memory_gb': value 'lots' is not a number"), "message: %s", msg);
  ss_err err = {{0}};
  hwdb db;
  assert_int_equal(hwdb_load("/nonexistent/servesim/hwdb", &db, &err), SS_ENOINPUT);
  check_msg(strstr(err.msg, "/nonexistent/servesim/hwdb/gpus"), "message: %s", err.msg);
}

/* Local attention needs whole layers of the model and a window: refused with the key, the value and what is allowed. */
static void test_local_attention_keys_are_checked_against_the_layers(void **state) {
  (void)state;
  size_t n;
  const kt_field *tab = model_fields(&n);
  model_spec m;
  unsigned lines[64] = {0};
  lines[kt_index(tab, n, "local_layers")] = 7;
  kt_defaults(tab, n, &m);
  m.layers = 48;
  ss_err err = {{0}};
  assert_int_equal(model_finish(&m, "m.yaml", lines, &err), SS_OK); /* none */
  m.local_layers = 36, m.local_window = 8192;
  assert_int_equal(model_finish(&m, "m.yaml", lines, &err), SS_OK);
  m.local_layers = 49;
  assert_int_equal(model_finish(&m, "m.yaml", lines, &err), SS_EDATA);
  check_msg(strstr(err.msg, "m.yaml:7: key 'local_layers': value 49") && strstr(err.msg, "allowed: 0 to 48"),
            "message: %s", err.msg);
  m.local_layers = 36, m.local_window = 0;
  assert_int_equal(model_finish(&m, "m.yaml", lines, &err), SS_EDATA);
  check_msg(strstr(err.msg, "m.yaml:7: key 'local_window': value 0") && strstr(err.msg, "at least 1 token"),
            "message: %s", err.msg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_all_13_gpus_are_present_with_memory_bandwidth_and_fp16_peak),
      cmocka_unit_test(test_gpu_specs_match_the_datasheets),
      cmocka_unit_test(test_all_13_models_are_present),
      cmocka_unit_test(test_derived_parameter_counts_are_within_2_percent_of_published),
      cmocka_unit_test(test_every_entry_of_every_category_has_a_source_and_a_date),
      cmocka_unit_test(test_every_live_gpu_states_its_driver_reported_memory_and_the_fit_uses_it),
      cmocka_unit_test(test_engines_say_which_gpu_vendors_they_describe),
      cmocka_unit_test(test_the_live_hwdb_loads_and_every_entry_has_a_source_and_a_date),
      cmocka_unit_test(test_the_default_directory_honours_servesim_hwdb),
      cmocka_unit_test(test_the_content_hash_sees_every_byte_but_not_the_location),
      cmocka_unit_test(test_aliases_people_type_resolve),
      cmocka_unit_test(test_quant_formats_have_their_bytes_per_weight_and_kv_use),
      cmocka_unit_test(test_all_five_engines_have_scheduler_defaults),
      cmocka_unit_test(test_every_gpu_price_names_an_existing_gpu),
      cmocka_unit_test(test_gpu_prices_quoted_in_the_references_are_present),
      cmocka_unit_test(test_api_prices_carry_the_quoted_figures),
      cmocka_unit_test(test_list_prints_every_entry_and_refuses_unknown_tables),
      cmocka_unit_test(test_ids_resolve_to_themselves_and_nothing_else),
      cmocka_unit_test(test_broken_hwdb_files_are_refused_with_file_and_line),
      cmocka_unit_test(test_local_attention_keys_are_checked_against_the_layers),
      cmocka_unit_test(test_a_measured_gemm_sets_the_compute_scale_relative_to_the_h200),
      cmocka_unit_test(test_engine_names_with_a_release_resolve_to_the_profile_that_holds_it),
      cmocka_unit_test(test_overlapping_release_ranges_are_refused),
      cmocka_unit_test(test_model_error_bands_widen_for_what_was_never_calibrated),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
