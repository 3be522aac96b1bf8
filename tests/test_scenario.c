/* test_scenario.c: scenario files through the key table: defaults, engine defaults for unset
 * scheduler keys, --set, sweep expansion, uncertain inputs, hwdb binding, the echo that reloads to
 * the same scenario, and every shipped scenario loading. */
#include <dirent.h>
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

#include "config/scenario.h"

typedef struct {
  hwdb db;
  scenario a, b, pt; /* scenarios are large: kept here rather than on the stack */
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  ss_err err = {{0}};
  if (!fx || hwdb_load(hwdb_default_dir(), &fx->db, &err)) {
    fprintf(stderr, "hwdb_load: %s\n", err.msg);
    free(fx);
    return -1;
  }
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  hwdb_free(&fx->db);
  free(fx);
  return 0;
}

static void assert_contains(const char *haystack, const char *needle) {
  if (!strstr(haystack, needle)) fail_msg("message \"%s\" lacks \"%s\"", haystack, needle);
}

/* Writes text to a temporary .yaml file and loads it with the given overrides. */
static ss_status load_text(fixture *fx, const char *text, const char *const *sets, size_t n_set, scenario *sc,
                           ss_err *err) {
  char path[64] = "/tmp/servesim_test_scXXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  ss_status rc = scenario_load(path, sets, n_set, &fx->db, sc, err);
  unlink(path);
  return rc;
}

static const kt_field *field(const char *key) {
  size_t n;
  const kt_field *tab = scenario_fields(&n);
  const kt_field *f = kt_find(tab, n, key);
  if (!f) fail_msg("no scenario key %s", key);
  return f;
}

static long key_index(const char *key) {
  size_t n;
  const kt_field *tab = scenario_fields(&n);
  return kt_index(tab, n, key);
}

#define MINIMAL "deployment: {gpu: h100, model: llama-3.1-8b}\n"

static void test_a_minimal_scenario_takes_the_table_defaults(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx, MINIMAL, NULL, 0, &fx->a, &err), SS_OK);
  const scenario *sc = &fx->a;
  assert_string_equal(sc->dep.gpu, "h100"); /* kept as typed; binding resolves the alias */
  assert_true(sc->seed == 42);
  assert_int_equal(sc->replicates, 1);
  assert_int_equal(sc->dep.tp, 1);
  assert_string_equal(sc->dep.weights, "fp16");
  assert_string_equal(sc->dep.engine, "vllm");
  assert_true(isnan(sc->eff_hbm) && isnan(sc->usd_per_gpu_hour));
  assert_int_equal(scenario_points(sc), 1);
  assert_int_equal(sc->n_unc, 0);
  assert_int_equal(sc->line[key_index("deployment.gpu")], 1);
  assert_int_equal(sc->line[key_index("deployment.tp")], 0);
  assert_true(sc->given[key_index("deployment.model")]);
  assert_false(sc->given[key_index("deployment.tp")]);
}

static void test_binding_resolves_aliases_to_hwdb_entries(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx, "deployment: {gpu: 'A100 80G', model: llama-3.3-70b, tp: 4, weights: int4,"
                                 " kv_cache: fp8, engine: TensorRT-LLM}\n", NULL, 0, &fx->a, &err), SS_OK);
  sc_bound b;
  assert_int_equal(scenario_resolve(&fx->a, &fx->db, &b, &err), SS_OK);
  assert_string_equal(b.gpu->id, "a100-sxm-80gb");
  assert_string_equal(b.model->id, "llama-3.1-70b");
  assert_string_equal(b.weights->id, "awq");
  assert_string_equal(b.kv->id, "fp8");
  assert_string_equal(b.engine->id, "trtllm");
}

static void test_engine_defaults_fill_unset_scheduler_keys_but_not_given_ones(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  const char *const ENGINES[] = {"vllm", "sglang", "trtllm", "tgi", "llamacpp"};
  for (size_t i = 0; i < 5; i++) {
    char text[256];
    snprintf(text, sizeof text, "deployment:\n  gpu: h100\n  model: llama-3.1-8b\n  engine: %s\n"
                                "  scheduler: {max_num_seqs: 7}\n", ENGINES[i]);
    assert_int_equal(load_text(fx, text, NULL, 0, &fx->a, &err), SS_OK);
    const engine_profile *e = hwdb_engine(&fx->db, ENGINES[i]);
    const scenario *sc = &fx->a;
    assert_int_equal(sc->dep.max_num_seqs, 7); /* given: kept */
    assert_int_equal(sc->dep.max_batched_tokens, (uint32_t)e->max_batched_tokens);
    assert_int_equal(sc->dep.block_size, (uint32_t)e->block_size);
    assert_true(sc->dep.gpu_memory_utilization == e->gpu_memory_utilization);
    assert_int_equal(sc->dep.chunked_prefill, e->chunked_prefill);
    assert_int_equal(sc->dep.policy, e->policy);
    assert_int_equal(sc->dep.parallel_slots, (uint32_t)e->parallel_slots);
  }
  /* a given boolean false is not overwritten by an engine default true */
  assert_int_equal(load_text(fx, "deployment: {gpu: h100, model: llama-3.1-8b, engine: vllm,"
                                 " scheduler: {chunked_prefill: false, gpu_memory_utilization: 0.5}}\n",
                             NULL, 0, &fx->a, &err), SS_OK);
  assert_false(fx->a.dep.chunked_prefill);
  assert_true(fx->a.dep.gpu_memory_utilization == 0.5);
}

static void test_set_overrides_file_values_and_is_checked_like_the_file(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  const char *const sets[] = {"deployment.tp=2", "compare_api=[gpt-4o, claude-3.5-haiku]",
                              "deployment.engine=tgi", "workload.arrival.rate_per_s=2.5e1"};
  assert_int_equal(load_text(fx, MINIMAL "workload: {arrival: {rate_per_s: 3}}\n", sets, 4, &fx->a, &err), SS_OK);
  const scenario *sc = &fx->a;
  assert_int_equal(sc->dep.tp, 2);
  assert_true(sc->arrival.rate_per_s == 25);
  assert_int_equal(sc->n_compare_api, 2);
  assert_string_equal(sc->compare_api[1], "claude-3.5-haiku");
  assert_true(sc->given[key_index("deployment.tp")]);
  /* the engine given by --set supplies the defaults */
  assert_true(sc->dep.gpu_memory_utilization == hwdb_engine(&fx->db, "tgi")->gpu_memory_utilization);

  const char *const model[] = {"deployment.model=mistral-7b"}; /* a required key may come from --set */
  assert_int_equal(load_text(fx, "deployment: {gpu: l4}\n", model, 1, &fx->a, &err), SS_OK);
  assert_string_equal(fx->a.dep.model, "mistral-7b");

  const char *const bad_tp[] = {"deployment.tp=3"};
  assert_int_equal(load_text(fx, MINIMAL, bad_tp, 1, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "(--set): key 'deployment.tp': value '3' does not divide the attention heads");
  const char *const bad_value[] = {"deployment.tp=2.5"};
  assert_int_equal(load_text(fx, MINIMAL, bad_value, 1, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "--set deployment.tp: key 'deployment.tp': value '2.5' is not a whole number");
  const char *const empty[] = {"deployment.tp="};
  assert_int_equal(load_text(fx, MINIMAL, empty, 1, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "the value is empty");
  const char *const no_eq[] = {"deployment.tp"};
  assert_int_equal(load_text(fx, MINIMAL, no_eq, 1, &fx->a, &err), SS_EUSAGE);
}

static void test_sweep_points_vary_the_first_axis_slowest(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  const char *text = MINIMAL "sweep:\n"
                             "  workload.arrival.rate_per_s: [1, 2, 4]\n"
                             "  deployment.tp: [1, 2]\n"
                             "  deployment.gpu: [h100, a100]\n";
  assert_int_equal(load_text(fx, text, NULL, 0, &fx->a, &err), SS_OK);
  assert_int_equal(fx->a.n_axes, 3);
  assert_int_equal(scenario_points(&fx->a), 12);
  static const struct { double rate; uint32_t tp; const char *gpu; } WANT[12] = {
      {1, 1, "h100-sxm-80gb"}, {1, 1, "a100-sxm-80gb"}, {1, 2, "h100-sxm-80gb"}, {1, 2, "a100-sxm-80gb"},
      {2, 1, "h100-sxm-80gb"}, {2, 1, "a100-sxm-80gb"}, {2, 2, "h100-sxm-80gb"}, {2, 2, "a100-sxm-80gb"},
      {4, 1, "h100-sxm-80gb"}, {4, 1, "a100-sxm-80gb"}, {4, 2, "h100-sxm-80gb"}, {4, 2, "a100-sxm-80gb"},
  };
  for (size_t p = 0; p < 12; p++) {
    sc_bound b;
    assert_int_equal(scenario_point(&fx->a, p, &fx->db, &fx->pt, &b, &err), SS_OK);
    assert_true(fx->pt.arrival.rate_per_s == WANT[p].rate);
    assert_int_equal(fx->pt.dep.tp, WANT[p].tp);
    assert_string_equal(b.gpu->id, WANT[p].gpu);
    assert_true(fx->pt.given[key_index("deployment.tp")]);
    assert_int_equal(fx->pt.line[key_index("deployment.tp")], 4);
  }
  /* the base is left as it was */
  assert_true(fx->a.arrival.rate_per_s == 1 && fx->a.dep.tp == 1);
}

static void test_sweep_over_the_engine_takes_each_engines_defaults(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx, MINIMAL "sweep: {deployment.engine: [vllm, tgi]}\n", NULL, 0, &fx->a, &err), SS_OK);
  assert_int_equal(scenario_point(&fx->a, 1, &fx->db, &fx->pt, NULL, &err), SS_OK);
  assert_true(fx->pt.dep.gpu_memory_utilization == hwdb_engine(&fx->db, "tgi")->gpu_memory_utilization);
  assert_int_equal(fx->pt.dep.max_num_seqs, (uint32_t)hwdb_engine(&fx->db, "tgi")->max_num_seqs);
  /* a required key may be swept instead of given */
  assert_int_equal(load_text(fx, "deployment: {gpu: h100}\nsweep: {deployment.model: [llama-3.1-8b, mistral-7b]}\n",
                             NULL, 0, &fx->a, &err), SS_OK);
  assert_int_equal(scenario_point(&fx->a, 1, &fx->db, &fx->pt, NULL, &err), SS_OK);
  assert_string_equal(fx->pt.dep.model, "mistral-7b");
}

static void test_uncertain_inputs_parse_every_distribution(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  const char *text = MINIMAL "uncertain:\n"
                             "  efficiency.hbm: {dist: uniform, min: 0.7, max: 0.9}\n"
                             "  workload.arrival.rate_per_s: {dist: normal, mean: 10, sd: 2}\n"
                             "  workload.input_tokens.median: {dist: lognormal, median: 800, sigma: 0.5}\n"
                             "  efficiency.compute: {dist: triangular, min: 0.4, mode: 0.6, max: 0.7}\n";
  assert_int_equal(load_text(fx, text, NULL, 0, &fx->a, &err), SS_OK);
  const scenario *sc = &fx->a;
  assert_int_equal(sc->n_unc, 4);
  assert_int_equal(sc->unc[0].key, key_index("efficiency.hbm"));
  assert_int_equal(sc->unc[0].dist, UNC_UNIFORM);
  assert_true(sc->unc[0].min == 0.7 && sc->unc[0].max == 0.9);
  assert_int_equal(sc->unc[0].line, 3);
  assert_int_equal(sc->unc[1].dist, UNC_NORMAL);
  assert_true(sc->unc[1].mean == 10 && sc->unc[1].sd == 2);
  assert_int_equal(sc->unc[2].dist, UNC_LOGNORMAL);
  assert_true(sc->unc[2].median == 800 && sc->unc[2].sigma == 0.5);
  assert_int_equal(sc->unc[3].dist, UNC_TRIANGULAR);
  assert_true(sc->unc[3].mode == 0.6);
  assert_int_equal(sc->unc[3].line, 6);

  static const struct { const char *yaml, *want; } BAD[] = {
      {MINIMAL "uncertain: {efficiency.hbm: {dist: beta, min: 0, max: 1}}\n", "value 'beta' is not recognised"},
      {MINIMAL "uncertain: {efficiency.hbm: {min: 0.5, max: 0.9}}\n", "missing required key 'dist'"},
      {MINIMAL "uncertain: {efficiency.hbm: {dist: uniform, min: 0.5}}\n", "dist uniform needs 'max'"},
      {MINIMAL "uncertain: {efficiency.hbm: {dist: uniform, low: 0.5, max: 0.9}}\n", "unknown key 'low'"},
      {MINIMAL "uncertain: {deployment.tp: {dist: uniform, min: 1, max: 2}}\n",
       "not a numeric key that can be sampled"},
      {MINIMAL "uncertain: {efficiency.hbm: {dist: triangular, min: 0.5, mode: 0.95, max: 0.9}}\n",
       "min 0.5, mode 0.95, max 0.9 are out of order"},
      {MINIMAL "uncertain: [efficiency.hbm]\n", "key 'uncertain' must map scenario keys to distributions"},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    assert_int_equal(load_text(fx, BAD[i].yaml, NULL, 0, &fx->a, &err), SS_EDATA);
    assert_contains(err.msg, BAD[i].want);
  }
}

static void test_samples_are_clamped_to_the_keys_bounds(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx, MINIMAL "uncertain:\n  workload.arrival.rate_per_s: {dist: normal, mean: 1, sd: 5}\n"
                                 "  deployment.scheduler.gpu_memory_utilization: {dist: normal, mean: 0.9, sd: 0.2}\n",
                             NULL, 0, &fx->a, &err), SS_OK);
  fx->pt = fx->a;
  scenario_apply_sample(&fx->pt, &fx->a.unc[0], -3);
  assert_true(fx->pt.arrival.rate_per_s == field("workload.arrival.rate_per_s")->min);
  scenario_apply_sample(&fx->pt, &fx->a.unc[0], 7.5);
  assert_true(fx->pt.arrival.rate_per_s == 7.5);
  scenario_apply_sample(&fx->pt, &fx->a.unc[1], 1.3);
  assert_true(fx->pt.dep.gpu_memory_utilization == 1.0);
  assert_true(fx->pt.given[key_index("deployment.scheduler.gpu_memory_utilization")]);
}

/* Echoes sc to a file, reloads it into out. */
static void echo_and_reload(fixture *fx, const scenario *sc, scenario *out) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  scenario_echo(f, sc);
  fclose(f);
  ss_err err = {{0}};
  ss_status rc = load_text(fx, text, NULL, 0, out, &err);
  if (rc) fail_msg("the echo does not reload: %s\n%s", err.msg, text);
  free(text);
}

static void assert_same_scenario(const scenario *a, const scenario *b) {
  size_t n;
  const kt_field *tab = scenario_fields(&n);
  for (size_t i = 0; i < n; i++) {
    char va[2048], vb[2048];
    kt_format(&tab[i], a, va, sizeof va);
    kt_format(&tab[i], b, vb, sizeof vb);
    if (strcmp(va, vb)) fail_msg("key %s: %s before the echo, %s after", tab[i].key, va, vb);
    if (kt_is_numeric(&tab[i]) && !(isnan(kt_get_f64(&tab[i], a)) && isnan(kt_get_f64(&tab[i], b))))
      assert_true(kt_get_f64(&tab[i], a) == kt_get_f64(&tab[i], b));
  }
  assert_int_equal(a->n_axes, b->n_axes);
  for (size_t i = 0; i < a->n_axes; i++) {
    assert_int_equal(a->axes[i].key, b->axes[i].key);
    assert_int_equal(a->axes[i].n, b->axes[i].n);
    for (size_t j = 0; j < a->axes[i].n; j++) assert_string_equal(a->axes[i].values[j], b->axes[i].values[j]);
  }
  assert_int_equal(a->n_unc, b->n_unc);
  for (size_t i = 0; i < a->n_unc; i++) {
    const sc_uncertain *u = &a->unc[i], *v = &b->unc[i];
    assert_int_equal(u->key, v->key);
    assert_int_equal(u->dist, v->dist);
    const double x[] = {u->min, u->max, u->mean, u->sd, u->median, u->sigma, u->mode};
    const double y[] = {v->min, v->max, v->mean, v->sd, v->median, v->sigma, v->mode};
    for (size_t k = 0; k < sizeof x / sizeof x[0]; k++) assert_true(x[k] == y[k] || (isnan(x[k]) && isnan(y[k])));
  }
}

static void test_echo_reloads_to_the_same_scenario(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  const char *text = "name: 'echo: \"quoted\" #1'\n"
                     "seed: 18446744073709551615\n"
                     "replicates: 3\n"
                     "horizon: {duration_s: 123.456, warmup_s: 0.1}\n"
                     "deployment: {gpu: 'H100 SXM', model: mixtral, tp: 2, weights: fp8, kv_cache: fp8,"
                     " engine: sglang}\n"
                     "router: round-robin\n"
                     "workload:\n"
                     "  arrival: {process: diurnal, rate_per_s: 0.3333333333333333, profile: [0.1, 0.2, 0.3, 0.4,"
                     " 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2, 2.1, 2.2, 2.3,"
                     " 1e-3]}\n"
                     "  input_tokens: {dist: uniform, min: 10, max: 2000}\n"
                     "  output_tokens: {dist: fixed, value: 77}\n"
                     "  correlation: -0.3\n"
                     "pricing: {tier: spot, usd_per_gpu_hour: 1.87, provider: 'on'}\n"
                     "compare_api: [gpt-4o, llama-4-scout-bedrock]\n"
                     "efficiency: {compute: 0.55}\n"
                     "output: {requests: yes}\n"
                     "sweep: {deployment.tp: [1, 2, 4], workload.arrival.cv: [0.5, 2]}\n"
                     "uncertain: {efficiency.hbm: {dist: triangular, min: 0.6, mode: 0.75, max: 0.9}}\n";
  assert_int_equal(load_text(fx, text, NULL, 0, &fx->a, &err), SS_OK);
  echo_and_reload(fx, &fx->a, &fx->b);
  assert_same_scenario(&fx->a, &fx->b);
  assert_string_equal(fx->b.name, "echo: \"quoted\" #1");
  assert_string_equal(fx->b.provider, "on");
  assert_true(fx->b.seed == UINT64_MAX);
}

static void test_every_shipped_scenario_loads_and_its_echo_reloads(void **state) {
  fixture *fx = *state;
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/../scenarios", SERVESIM_TEST_DIR);
  DIR *d = opendir(dir);
  assert_non_null(d);
  size_t loaded = 0;
  for (struct dirent *de; (de = readdir(d));) {
    size_t len = strlen(de->d_name);
    if (len < 6 || strcmp(de->d_name + len - 5, ".yaml")) continue;
    char path[1536];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    ss_err err = {{0}};
    if (scenario_load(path, NULL, 0, &fx->db, &fx->a, &err)) fail_msg("%s", err.msg);
    echo_and_reload(fx, &fx->a, &fx->b);
    assert_same_scenario(&fx->a, &fx->b);
    loaded++;
  }
  closedir(d);
  assert_true(loaded >= 1);
}

static void test_default_scenario_is_the_readme_study(void **state) {
  fixture *fx = *state;
  char path[1024];
  ss_err err = {{0}};
  snprintf(path, sizeof path, "%s/../scenarios/default.yaml", SERVESIM_TEST_DIR);
  assert_int_equal(scenario_load(path, NULL, 0, &fx->db, &fx->a, &err), SS_OK);
  sc_bound b;
  assert_int_equal(scenario_resolve(&fx->a, &fx->db, &b, &err), SS_OK);
  assert_string_equal(b.gpu->id, "h100-sxm-80gb");
  assert_string_equal(b.model->id, "llama-3.1-8b");
  assert_true(scenario_points(&fx->a) >= 1);
}

static void test_help_lists_every_key_with_its_allowed_values(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  scenario_help(f);
  fclose(f);
  size_t n;
  const kt_field *tab = scenario_fields(&n);
  for (size_t i = 0; i < n; i++) assert_contains(text, tab[i].key);
  assert_contains(text, "one of round_robin, least_outstanding, join_shortest_queue");
  assert_contains(text, "sweep:");
  assert_contains(text, "uncertain:");
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_minimal_scenario_takes_the_table_defaults),
      cmocka_unit_test(test_binding_resolves_aliases_to_hwdb_entries),
      cmocka_unit_test(test_engine_defaults_fill_unset_scheduler_keys_but_not_given_ones),
      cmocka_unit_test(test_set_overrides_file_values_and_is_checked_like_the_file),
      cmocka_unit_test(test_sweep_points_vary_the_first_axis_slowest),
      cmocka_unit_test(test_sweep_over_the_engine_takes_each_engines_defaults),
      cmocka_unit_test(test_uncertain_inputs_parse_every_distribution),
      cmocka_unit_test(test_samples_are_clamped_to_the_keys_bounds),
      cmocka_unit_test(test_echo_reloads_to_the_same_scenario),
      cmocka_unit_test(test_every_shipped_scenario_loads_and_its_echo_reloads),
      cmocka_unit_test(test_default_scenario_is_the_readme_study),
      cmocka_unit_test(test_help_lists_every_key_with_its_allowed_values),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
