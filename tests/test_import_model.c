/* test_import_model.c: Hugging Face config.json files read into hwdb model entries: a dense GQA model
 * (Llama 3.1 8B), a plain-MLP model with n_* keys (GPT-J), a mixture of experts (Mixtral 8x7B) and one
 * nested in text_config with a shared expert (Llama 4 Scout) each give exactly the shape and parameter
 * count of the hand-written hwdb entry; a published total far from the derived one, an architecture
 * servesim does not model, and missing options are refused with the reason. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/yamlcfg.h"
#include "check.h"
#include "hwdb/hwdb.h"
#include "io/import_model.h"

#define HF(f) SERVESIM_TEST_DIR "/import/hf/" f

static hwdb db;

static int setup(void **state) {
  ss_err err = {{0}};
  (void)state;
  if (hwdb_load(TEST_HWDB, &db, &err)) fail_msg("%s", err.msg);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  hwdb_free(&db);
  return 0;
}

static const struct {
  const char *config, *hwdb_id;
  double params_b, active_b;
} SAME[] = {
    {HF("llama-3.1-8b.json"), "llama-3.1-8b", 8.03, NAN},
    {HF("gpt-j-6b.json"), "gpt-j-6b", 6.05, NAN},
    {HF("mixtral-8x7b.json"), "mixtral-8x7b", 46.7, 12.9},
    {HF("llama-4-scout.json"), "llama-4-scout", 109, 17},
};

static void test_imported_shapes_count_exactly_as_the_hand_written_entries(void **state) {
  (void)state;
  size_t n = 0;
  for (size_t i = 0; i < sizeof SAME / sizeof SAME[0]; i++, n++) {
    import_model_opts o = {"imported", NULL, "test config", "2025-01-01", SAME[i].params_b, SAME[i].active_b, 0};
    model_spec m;
    ss_err err = {{0}};
    if (import_model_read(SAME[i].config, &o, &m, &err)) fail_msg("%s: %s", SAME[i].config, err.msg);
    const model_spec *ref = hwdb_model(&db, SAME[i].hwdb_id);
    assert_non_null(ref);
    static const size_t OFF[] = {offsetof(model_spec, layers),     offsetof(model_spec, hidden),
                                 offsetof(model_spec, heads),      offsetof(model_spec, kv_heads),
                                 offsetof(model_spec, head_dim),   offsetof(model_spec, ffn),
                                 offsetof(model_spec, vocab),      offsetof(model_spec, max_context),
                                 offsetof(model_spec, experts),    offsetof(model_spec, experts_per_token),
                                 offsetof(model_spec, expert_ffn), offsetof(model_spec, shared_experts)};
    for (size_t k = 0; k < sizeof OFF / sizeof OFF[0]; k++) {
      double got = *(const double *)((const char *)&m + OFF[k]), want = *(const double *)((const char *)ref + OFF[k]);
      check_msg(got == want, "%s: field at offset %zu is %g, hwdb has %g", SAME[i].hwdb_id, OFF[k], got, want);
    }
    check_eq(m.mlp, ref->mlp);
    check_eq(m.tied_embeddings, ref->tied_embeddings);
    check_eq(model_params_total(&m), model_params_total(ref));
    check_eq(model_params_active(&m), model_params_active(ref));
  }
  check_min_cases(n, 4);
}

static void test_a_published_total_far_from_the_derived_one_is_refused(void **state) {
  (void)state;
  import_model_opts o = {"x", NULL, "test config", "2025-01-01", 7.0, NAN, 0}; /* derived 8.03 B: +14.7% */
  model_spec m;
  ss_err err = {{0}};
  assert_int_equal(import_model_read(HF("llama-3.1-8b.json"), &o, &m, &err), SS_EDATA);
  check_msg(strstr(err.msg, "derived parameter count 8.030 B differs from the published 7.000 B by +14.7%"), "%s",
            err.msg);
}

static void test_what_servesim_cannot_model_or_was_not_told_is_refused(void **state) {
  (void)state;
  static const struct {
    const char *config;
    import_model_opts o;
    const char *want;
  } BAD[] = {
      {HF("mla.json"), {"x", NULL, "s", "2025-01-01", 1, NAN, 0}, "key 'kv_lora_rank': multi-head latent attention"},
      {HF("unknown_family.json"), {"x", NULL, "s", "2025-01-01", 1, NAN, 0}, "model_type 'mamba' is not a family"},
      {HF("mixtral-8x7b.json"), {"x", NULL, "s", "2025-01-01", 46.7, NAN, 0}, "needs its published active"},
      {HF("mixtral-8x7b.json"), {"x y", NULL, "s", "2025-01-01", 46.7, 12.9, 0}, "model id 'x y'"},
      {HF("mixtral-8x7b.json"), {"x", NULL, "", "2025-01-01", 46.7, 12.9, 0}, "a source is required"},
      {HF("mixtral-8x7b.json"), {"x", NULL, "s", "Dec 2023", 46.7, 12.9, 0}, "date 'Dec 2023'"},
      {HF("mixtral-8x7b.json"), {"x", NULL, "s", "2025-01-01", 0, NAN, 0}, "published total 0 B"},
      {HF("none.json"), {"x", NULL, "s", "2025-01-01", 1, NAN, 0}, "none.json"},
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++, n++) {
    model_spec m;
    ss_err err = {{0}};
    check_msg(import_model_read(BAD[i].config, &BAD[i].o, &m, &err) != SS_OK, "case %zu accepted", i);
    check_msg(strstr(err.msg, BAD[i].want) != NULL, "case %zu: '%s' lacks '%s'", i, err.msg, BAD[i].want);
  }
  check_min_cases(n, 8);
}

/* Sliding windows and Llama 4's chunks, on the layers each family applies them to; a window a config
 * switches off (Qwen's use_sliding_window false) is none. */
static void test_local_attention_is_read_from_the_config(void **state) {
  (void)state;
  static const struct {
    const char *config;
    double params_b, active_b, layers, window;
    int kind;
  } LOCAL[] = {
      {HF("llama-4-scout.json"), 109, 17, 36, 8192, LOCAL_CHUNKED}, /* all but every 4th (NoPE) layer */
      {HF("gemma-2-9b.json"), 9.24, NAN, 21, 4096, LOCAL_SLIDING},  /* every other layer */
      {HF("mistral-7b-v0.1.json"), 7.24, NAN, 32, 4096, LOCAL_SLIDING},
      {HF("qwen2.5-7b.json"), 7.62, NAN, 0, 0, LOCAL_SLIDING},
      {HF("qwen2-swa.json"), 7.62, NAN, 8, 4096, LOCAL_SLIDING},     /* from max_window_layers 20 of 28 on */
      {HF("qwen2-swa-beyond.json"), 7.62, NAN, 0, 0, LOCAL_SLIDING}, /* a window past the context: global */
      {HF("layer-types.json"), 0.1, NAN, 4, 512, LOCAL_SLIDING},     /* layer_types lists them */
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof LOCAL / sizeof LOCAL[0]; i++, n++) {
    import_model_opts o = {"x", NULL, "test config", "2025-01-01", LOCAL[i].params_b, LOCAL[i].active_b, 100};
    model_spec m;
    ss_err err = {{0}};
    if (import_model_read(LOCAL[i].config, &o, &m, &err)) fail_msg("%s: %s", LOCAL[i].config, err.msg);
    check_msg(m.local_layers == LOCAL[i].layers && m.local_window == LOCAL[i].window &&
                  m.local_attention == LOCAL[i].kind,
              "%s: %g local layers of %g tokens (kind %d)", LOCAL[i].config, m.local_layers, m.local_window,
              m.local_attention);
  }
  check_min_cases(n, 7);
}

/* The written entry is valid YAML for the hwdb model key table, with the same counts. */
static void test_the_written_entry_loads_through_the_hwdb_model_table(void **state) {
  (void)state;
  char dir[] = "/tmp/servesim-model-XXXXXX", path[600];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/scout.yaml", dir);
  import_model_opts o = {"scout", "Scout \"quoted\"", "HF config.json (test)", "2025-04-05", 109, 17, 0};
  model_spec m, back;
  ss_err err = {{0}};
  yc_doc doc;
  size_t nf;
  if (import_model(HF("llama-4-scout.json"), &o, path, &m, &err)) fail_msg("%s", err.msg);
  if (yc_load_file(path, &doc, &err)) fail_msg("%s", err.msg);
  memset(&back, 0, sizeof back);
  const kt_field *tab = model_fields(&nf);
  unsigned lines[64] = {0};
  kt_defaults(tab, nf, &back);
  if (kt_apply(tab, nf, doc.root, "", path, NULL, &back, lines, &err) || kt_check_required(tab, nf, lines, path, &err))
    fail_msg("%s", err.msg);
  assert_string_equal(back.name, "Scout \"quoted\"");
  check_eq(back.local_layers, 36);
  check_eq(back.local_window, 8192);
  check_eq(back.local_attention, LOCAL_CHUNKED);
  check_eq(model_params_total(&back), model_params_total(&m));
  check_eq(back.published_active_params_b, 17.0);
  yc_free(&doc);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_imported_shapes_count_exactly_as_the_hand_written_entries),
      cmocka_unit_test(test_a_published_total_far_from_the_derived_one_is_refused),
      cmocka_unit_test(test_what_servesim_cannot_model_or_was_not_told_is_refused),
      cmocka_unit_test(test_local_attention_is_read_from_the_config),
      cmocka_unit_test(test_the_written_entry_loads_through_the_hwdb_model_table),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
