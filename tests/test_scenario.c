/* test_scenario.c: scenario files through the key table into a study_spec: defaults, engine defaults
 * for unset scheduler keys at resolution, --set, sweep expansion, uncertain inputs, hwdb binding, the
 * echo that reloads to the same spec, and every shipped scenario loading. The frozen hwdb
 * (tests/hwdb) serves every test but the two about the shipped scenarios, which go with the live one. */
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

#include "check.h"
#include "config/limits.h"
#include "config/resolve.h"
#include "config/scenario.h"

typedef struct {
  hwdb db;
  study_spec a, b; /* specs are large: kept here rather than on the stack */
  sc_point pt;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  ss_err err = {{0}};
  if (!fx || hwdb_load(TEST_HWDB, &fx->db, &err)) {
    fprintf(stderr, "hwdb_load: %s\n", err.msg);
    free(fx);
    return -1;
  }
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  scenario_free(&fx->a);
  scenario_free(&fx->b);
  hwdb_free(&fx->db);
  free(fx);
  return 0;
}

static void assert_contains(const char *haystack, const char *needle) {
  if (!strstr(haystack, needle)) fail_msg("message \"%s\" lacks \"%s\"", haystack, needle);
}

/* Writes text to a temporary .yaml file and loads it against db with the given overrides into spec
 * (whatever spec held before is freed first). */
static ss_status load_text_db(const hwdb *db, const char *text, const char *const *sets, size_t n_set, study_spec *spec,
                              ss_err *err) {
  char path[64] = "/tmp/servesim_test_scXXXXXX";
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp failed");
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  scenario_free(spec);
  ss_status rc = scenario_load(path, sets, n_set, db, spec, err);
  unlink(path);
  return rc;
}

static ss_status load_text(fixture *fx, const char *text, const char *const *sets, size_t n_set, study_spec *spec,
                           ss_err *err) {
  return load_text_db(&fx->db, text, sets, n_set, spec, err);
}

static const kt_field *field(const char *key) {
  size_t n;
  const kt_field *tab = scenario_fields(&n);
  const kt_field *f = kt_find(tab, n, key);
  if (!f) fail_msg("no scenario key %s", key);
  return f;
}

static long key_index(const char *key) {
  long k = scenario_key_index(key);
  if (k < 0) fail_msg("no scenario key %s", key);
  return k;
}

/* Sweep point p of spec, resolved into fx->pt; fails the test with the message when it does not resolve. */
static const sc_point *point(fixture *fx, const study_spec *spec, size_t p) {
  ss_err err = {{0}};
  if (scenario_point(spec, p, &fx->db, &fx->pt, &err)) fail_msg("point %zu: %s", p, err.msg);
  return &fx->pt;
}

#define MINIMAL "deployment: {gpu: h100, model: llama-3.1-8b}\n"

static void test_a_minimal_scenario_takes_the_table_defaults(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx, MINIMAL, NULL, 0, &fx->a, &err), SS_OK);
  const study_spec *spec = &fx->a;
  const sc_point *sc = &spec->base;
  assert_string_equal(sc->gpu, "h100"); /* kept as typed; binding resolves the alias */
  assert_int_equal(sc->seed, 42);
  assert_int_equal(sc->replicates, 1);
  assert_int_equal(sc->sim.dep.tp, 1);
  assert_string_equal(sc->weights, "fp16");
  assert_string_equal(sc->engine, "vllm");
  check_nan(sc->sim.dep.eff_hbm);
  check_nan(sc->cost.usd_per_gpu_hour);
  assert_int_equal(scenario_points(spec), 1);
  assert_int_equal(spec->n_unc, 0);
  assert_int_equal(spec->line[key_index("deployment.gpu")], 1);
  assert_int_equal(spec->line[key_index("deployment.tp")], 0);
  assert_true(scenario_given(sc, key_index("deployment.model")));
  assert_false(scenario_given(sc, key_index("deployment.tp")));
  assert_null(sc->sim.wl.trace);              /* no data file named, none loaded */
  assert_int_equal(strlen(spec->sha256), 64); /* the scenario file's content hash */
}

static void test_binding_resolves_aliases_to_hwdb_entries(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx,
                             "deployment: {gpu: 'A100 80G', model: llama-3.3-70b, tp: 4, weights: int4,"
                             " kv_cache: fp8, engine: TensorRT-LLM}\n",
                             NULL, 0, &fx->a, &err),
                   SS_OK);
  fx->pt = fx->a.base;
  assert_int_equal(resolve_point(&fx->a, &fx->pt, &fx->db, &err), SS_OK);
  const hwdb_bound *b = &fx->pt.sim.dep.hw;
  assert_string_equal(b->gpu->id, "a100-sxm-80gb");
  assert_string_equal(b->model->id, "llama-3.1-70b");
  assert_string_equal(b->weights->id, "awq");
  assert_string_equal(b->kv->id, "fp8");
  assert_string_equal(b->engine->id, "trtllm");
}

static void test_engine_defaults_fill_unset_scheduler_keys_but_not_given_ones(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  const char *const ENGINES[] = {"vllm", "sglang", "trtllm", "tgi", "llamacpp"};
  size_t tested = 0;
  for (size_t i = 0; i < 5; i++) {
    char text[256];
    snprintf(text, sizeof text,
             "deployment:\n  gpu: h100\n  model: llama-3.1-8b\n  engine: %s\n"
             "  scheduler: {max_num_seqs: 7}\n",
             ENGINES[i]);
    assert_int_equal(load_text(fx, text, NULL, 0, &fx->a, &err), SS_OK);
    const engine_profile *e = hwdb_engine(&fx->db, ENGINES[i]);
    const sim_deployment *d = &point(fx, &fx->a, 0)->sim.dep;
    assert_int_equal(d->max_num_seqs, 7); /* given: kept */
    assert_int_equal(d->max_batched_tokens, (uint32_t)e->max_batched_tokens);
    assert_int_equal(d->block_size, (uint32_t)e->block_size);
    check_eq(d->gpu_memory_utilization, e->gpu_memory_utilization);
    assert_int_equal(d->chunked_prefill, e->chunked_prefill);
    assert_int_equal(d->reserve_full_kv, e->reserve_full_kv);
    assert_int_equal(d->policy, e->policy);
    assert_int_equal(d->parallel_slots, (uint32_t)e->parallel_slots);
    tested++;
  }
  check_min_cases(tested, 5);
  /* a given boolean false is not overwritten by an engine default true */
  assert_int_equal(load_text(fx,
                             "deployment: {gpu: h100, model: llama-3.1-8b, engine: vllm,"
                             " scheduler: {chunked_prefill: false, gpu_memory_utilization: 0.5}}\n",
                             NULL, 0, &fx->a, &err),
                   SS_OK);
  const sim_deployment *d = &point(fx, &fx->a, 0)->sim.dep;
  assert_false(d->chunked_prefill);
  check_eq(d->gpu_memory_utilization, 0.5);
}

static void test_set_overrides_file_values_and_is_checked_like_the_file(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  const char *const sets[] = {"deployment.tp=2", "compare_api=[gpt-4o, claude-3.5-haiku]", "deployment.engine=tgi",
                              "workload.arrival.rate_per_s=2.5e1"};
  assert_int_equal(load_text(fx, MINIMAL "workload: {arrival: {rate_per_s: 3}}\n", sets, 4, &fx->a, &err), SS_OK);
  const sc_point *sc = &fx->a.base;
  assert_int_equal(sc->sim.dep.tp, 2);
  check_eq(sc->sim.wl.rate_per_s, 25);
  assert_int_equal(sc->n_compare_api, 2);
  assert_string_equal(sc->compare_api[1], "claude-3.5-haiku");
  assert_true(scenario_given(sc, key_index("deployment.tp")));
  /* the engine given by --set supplies the defaults */
  check_eq(point(fx, &fx->a, 0)->sim.dep.gpu_memory_utilization, hwdb_engine(&fx->db, "tgi")->gpu_memory_utilization);

  const char *const model[] = {"deployment.model=mistral-7b"}; /* a required key may come from --set */
  assert_int_equal(load_text(fx, "deployment: {gpu: l4}\n", model, 1, &fx->a, &err), SS_OK);
  assert_string_equal(fx->a.base.model, "mistral-7b");

  const char *const bad_tp[] = {"deployment.tp=3"};
  assert_int_equal(load_text(fx, MINIMAL, bad_tp, 1, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "(--set): key 'deployment.tp': value '3' does not split the attention and KV heads evenly");
  assert_contains(err.msg, "allowed: 1, 2, 4, 8");
  const char *const bad_value[] = {"deployment.tp=2.5"};
  assert_int_equal(load_text(fx, MINIMAL, bad_value, 1, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "--set deployment.tp: key 'deployment.tp': value '2.5' is not a whole number");
  const char *const empty[] = {"deployment.tp="};
  assert_int_equal(load_text(fx, MINIMAL, empty, 1, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "the value is empty");
  const char *const no_eq[] = {"deployment.tp"};
  assert_int_equal(load_text(fx, MINIMAL, no_eq, 1, &fx->a, &err), SS_EUSAGE);
  const char *const unknown[] = {"deployment.tpp=2"};
  assert_int_equal(load_text(fx, MINIMAL, unknown, 1, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "(did you mean 'deployment.tp'?)");
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
  assert_int_equal(fx->a.axes[1].key, key_index("deployment.tp"));
  assert_int_equal(fx->a.axes[1].line, 4); /* where the swept values came from, for messages */
  static const struct {
    double rate;
    uint32_t tp;
    const char *gpu;
  } WANT[12] = {
      {1, 1, "h100-sxm-80gb"}, {1, 1, "a100-sxm-80gb"}, {1, 2, "h100-sxm-80gb"}, {1, 2, "a100-sxm-80gb"},
      {2, 1, "h100-sxm-80gb"}, {2, 1, "a100-sxm-80gb"}, {2, 2, "h100-sxm-80gb"}, {2, 2, "a100-sxm-80gb"},
      {4, 1, "h100-sxm-80gb"}, {4, 1, "a100-sxm-80gb"}, {4, 2, "h100-sxm-80gb"}, {4, 2, "a100-sxm-80gb"},
  };
  size_t tested = 0;
  for (size_t p = 0; p < 12; p++) {
    const sc_point *pt = point(fx, &fx->a, p);
    check_eq(pt->sim.wl.rate_per_s, WANT[p].rate);
    assert_int_equal(pt->sim.dep.tp, WANT[p].tp);
    assert_string_equal(pt->sim.dep.hw.gpu->id, WANT[p].gpu);
    check_eq(scenario_get(pt, key_index("deployment.tp")), WANT[p].tp);
    assert_true(scenario_given(pt, key_index("deployment.tp")));
    tested++;
  }
  check_min_cases(tested, 12);
  /* the base is left as it was: the file's values, and the first value of a swept key it leaves unset */
  check_eq(fx->a.base.sim.wl.rate_per_s, 1);
  assert_int_equal(fx->a.base.sim.dep.tp, 1);
  assert_string_equal(fx->a.base.gpu, "h100");
}

static void test_sweep_over_the_engine_takes_each_engines_defaults(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx, MINIMAL "sweep: {deployment.engine: [vllm, tgi]}\n", NULL, 0, &fx->a, &err), SS_OK);
  const sc_point *pt = point(fx, &fx->a, 1);
  check_eq(pt->sim.dep.gpu_memory_utilization, hwdb_engine(&fx->db, "tgi")->gpu_memory_utilization);
  assert_int_equal(pt->sim.dep.max_num_seqs, (uint32_t)hwdb_engine(&fx->db, "tgi")->max_num_seqs);
  /* a required key may be swept instead of given */
  assert_int_equal(load_text(fx, "deployment: {gpu: h100}\nsweep: {deployment.model: [llama-3.1-8b, mistral-7b]}\n",
                             NULL, 0, &fx->a, &err),
                   SS_OK);
  assert_string_equal(point(fx, &fx->a, 1)->model, "mistral-7b");
  assert_string_equal(fx->pt.sim.dep.hw.model->id, "mistral-7b");
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
  const study_spec *sc = &fx->a;
  assert_int_equal(sc->n_unc, 4);
  assert_int_equal(sc->unc[0].key, key_index("efficiency.hbm"));
  assert_int_equal(sc->unc[0].dist, UNC_UNIFORM);
  check_eq(sc->unc[0].min, 0.7);
  check_eq(sc->unc[0].max, 0.9);
  assert_int_equal(sc->unc[0].line, 3);
  assert_int_equal(sc->unc[1].dist, UNC_NORMAL);
  check_eq(sc->unc[1].mean, 10);
  check_eq(sc->unc[1].sd, 2);
  assert_int_equal(sc->unc[2].dist, UNC_LOGNORMAL);
  check_eq(sc->unc[2].median, 800);
  check_eq(sc->unc[2].sigma, 0.5);
  assert_int_equal(sc->unc[3].dist, UNC_TRIANGULAR);
  check_eq(sc->unc[3].mode, 0.6);
  assert_int_equal(sc->unc[3].line, 6);

  static const struct {
    const char *yaml, *want;
  } BAD[] = {
      {MINIMAL "uncertain: {efficiency.hbm: {dist: beta, min: 0, max: 1}}\n", "value 'beta' is not recognised"},
      {MINIMAL "uncertain: {efficiency.hbm: {min: 0.5, max: 0.9}}\n", "missing required key 'dist'"},
      {MINIMAL "uncertain: {efficiency.hbm: {dist: uniform, min: 0.5}}\n", "dist uniform needs 'max'"},
      {MINIMAL "uncertain: {efficiency.hbm: {dist: uniform, low: 0.5, max: 0.9}}\n", "unknown key 'low'"},
      {MINIMAL "uncertain: {deployment.tp: {dist: uniform, min: 1, max: 2}}\n",
       "not a numeric key that can be sampled"},
      {MINIMAL "uncertain: {efficiency.hbm: {dist: triangular, min: 0.5, mode: 0.95, max: 0.9}}\n",
       "min 0.5, mode 0.95, max 0.9 are out of order"},
      {MINIMAL "uncertain: [efficiency.hbm]\n", "key 'uncertain' must map scenario keys to distributions"},
      /* a parameter the distribution does not use is refused, not silently dropped */
      {MINIMAL "uncertain: {efficiency.hbm: {dist: normal, mean: 0.95, sd: 0.1, min: 0.5, max: 0.9}}\n",
       "dist normal does not use 'min'; allowed: {dist: normal, mean: ..., sd: ...} (samples outside 0.05 to 1, "
       "the bounds of 'efficiency.hbm', are clamped to them)"},
      {MINIMAL "uncertain: {efficiency.hbm: {dist: uniform, min: 0.5, max: 0.9, mode: 0.7}}\n",
       "dist uniform does not use 'mode'"},
      {MINIMAL "uncertain: {workload.input_tokens.median: {dist: lognormal, median: 800, sigma: 0.5, mean: 900}}\n",
       "dist lognormal does not use 'mean'"},
  };
  size_t tested = 0;
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    assert_int_equal(load_text(fx, BAD[i].yaml, NULL, 0, &fx->a, &err), SS_EDATA);
    assert_contains(err.msg, BAD[i].want);
    tested++;
  }
  check_min_cases(tested, 10);
}

/* A point resolved again (a task applies its replicate's samples and resolves once more) keeps the
 * context cap resolution gave an uncapped length distribution; it used to read the cap as the user's
 * and refuse input + output beyond the context in every task. */
static void test_resolving_a_point_again_keeps_the_context_cap(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx, MINIMAL "uncertain: {efficiency.hbm: {dist: normal, mean: 0.85, sd: 0.05}}\n", NULL, 0,
                             &fx->a, &err),
                   SS_OK);
  fx->pt = fx->a.base;
  assert_int_equal(resolve_point(&fx->a, &fx->pt, &fx->db, &err), SS_OK);
  check_eq(fx->pt.sim.wl.input.max, 131072);
  scenario_apply_sample(&fx->pt, &fx->a.unc[0], 0.8);
  ss_status rc = resolve_point(&fx->a, &fx->pt, &fx->db, &err);
  check_msg(rc == SS_OK, "resolving again: %s", err.msg);
  check_eq(fx->pt.sim.wl.input.max, 131072);
  check_eq(fx->pt.sim.wl.output.max, 131072);
  /* caps the user wrote are still checked together */
  assert_int_equal(load_text(fx, MINIMAL "workload: {input_tokens: {max: 100000}, output_tokens: {max: 40000}}\n", NULL,
                             0, &fx->a, &err),
                   SS_EDATA);
  assert_contains(err.msg, "plus 40000 output tokens exceeds the context of llama-3.1-8b (131072 tokens)");
}

/* The request log's size is estimated from each point's arrivals over the horizon before anything runs. */
static void test_request_log_rows_are_estimated_from_the_arrivals(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  static const struct {
    const char *yaml;
    double rows;
  } CASES[] = {
      {MINIMAL "output: {requests: false}\n", 0},
      {MINIMAL "output: {requests: true}\nhorizon: {duration_s: 100}\nworkload: {arrival: {rate_per_s: 3}}\n", 300},
      {MINIMAL "output: {requests: true}\nhorizon: {duration_s: 50, warmup_s: 5}\n"
               "workload: {arrival: {process: gamma, rate_per_s: 2, cv: 3}}\n",
       100},
      {MINIMAL "output: {requests: true}\nworkload: {arrival: {process: offline, n: 777}}\n", 777},
      /* 2 h of hour 0 at 1x and hour 1 at 3x, 1 req/s peak scale: 3600 + 10800 */
      {MINIMAL "output: {requests: true}\nhorizon: {duration_s: 7200}\nworkload: {arrival: {process: diurnal, "
               "rate_per_s: 1, profile: [1,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}}\n",
       14400},
      /* closed: each user's first request at least; then one per (think + 1 s) */
      {MINIMAL "output: {requests: true}\nhorizon: {duration_s: 90}\n"
               "workload: {arrival: {process: closed, users: 10, think_s: 2}}\n",
       300},
      {MINIMAL "output: {requests: true}\nhorizon: {duration_s: 90}\n"
               "workload: {arrival: {process: closed, users: 10, think_s: 500}}\n",
       10},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    ss_status rc = load_text(fx, CASES[i].yaml, NULL, 0, &fx->a, &err);
    check_msg(rc == SS_OK, "case %zu: %s", i, err.msg);
    check_near(limits_log_rows(&fx->a.base), CASES[i].rows, 1e-9);
  }
  /* beyond the limit: refused before anything runs, with the estimate and how to raise it */
  const char *big = MINIMAL "output: {requests: true}\nhorizon: {duration_s: 1e6}\nreplicates: 10\n"
                            "workload: {arrival: {rate_per_s: 100}}\n";
  assert_int_equal(load_text(fx, big, NULL, 0, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "key 'output.requests': the per-request log would hold about 1e+09 rows");
  assert_contains(err.msg, "allowed: at most 1e+07 (limits.max_log_rows): raise it (--set limits.max_log_rows=");
  const char *raise[] = {"limits.max_log_rows=2e9"};
  assert_int_equal(load_text(fx, big, raise, 1, &fx->a, &err), SS_OK);
}

/* Sweep points x replicates beyond limits.max_tasks is refused at load, saying how many were asked
 * for; raising the limit explicitly lets the study load. */
static void test_tasks_beyond_the_limit_are_refused_unless_raised(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  char text[2048];
  int used = snprintf(text, sizeof text, MINIMAL "replicates: 3\nsweep:\n  workload.arrival.rate_per_s: [");
  for (int i = 1; i <= 64; i++) used += snprintf(text + used, sizeof text - (size_t)used, "%s%d", i > 1 ? ", " : "", i);
  used += snprintf(text + used, sizeof text - (size_t)used, "]\n  workload.arrival.cv: [");
  for (int i = 1; i <= 64; i++) used += snprintf(text + used, sizeof text - (size_t)used, "%s%d", i > 1 ? ", " : "", i);
  used += snprintf(text + used, sizeof text - (size_t)used, "]\n  deployment.scheduler.max_num_seqs: [");
  for (int i = 1; i <= 64; i++) used += snprintf(text + used, sizeof text - (size_t)used, "%s%d", i > 1 ? ", " : "", i);
  snprintf(text + used, sizeof text - (size_t)used, "]\n");
  assert_int_equal(load_text(fx, text, NULL, 0, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, ": 262144 sweep points x 3 replicates = 786432 tasks; allowed: at most 100000 "
                           "(limits.max_tasks): raise it (--max-tasks 786432) to run this study");
  const char *small = MINIMAL "replicates: 20\nsweep: {workload.arrival.rate_per_s: [1, 2, 3]}\n";
  const char *limit[] = {"limits.max_tasks=59"};
  assert_int_equal(load_text(fx, small, limit, 1, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "3 sweep points x 20 replicates = 60 tasks; allowed: at most 59");
  limit[0] = "limits.max_tasks=60";
  assert_int_equal(load_text(fx, small, limit, 1, &fx->a, &err), SS_OK);
}

static void test_samples_are_clamped_to_the_keys_bounds(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(load_text(fx,
                             MINIMAL
                             "uncertain:\n  workload.arrival.rate_per_s: {dist: normal, mean: 1, sd: 5}\n"
                             "  deployment.scheduler.gpu_memory_utilization: {dist: normal, mean: 0.9, sd: 0.2}\n",
                             NULL, 0, &fx->a, &err),
                   SS_OK);
  fx->pt = fx->a.base;
  scenario_apply_sample(&fx->pt, &fx->a.unc[0], -3);
  check_eq(fx->pt.sim.wl.rate_per_s, field("workload.arrival.rate_per_s")->min);
  scenario_apply_sample(&fx->pt, &fx->a.unc[0], 7.5);
  check_eq(fx->pt.sim.wl.rate_per_s, 7.5);
  scenario_apply_sample(&fx->pt, &fx->a.unc[1], 1.3);
  check_eq(fx->pt.sim.dep.gpu_memory_utilization, 1.0);
  assert_true(scenario_given(&fx->pt, key_index("deployment.scheduler.gpu_memory_utilization")));
  /* a sampled scheduler key is given: resolution keeps it rather than the engine default */
  assert_int_equal(resolve_point(&fx->a, &fx->pt, &fx->db, &err), SS_OK);
  check_eq(fx->pt.sim.dep.gpu_memory_utilization, 1.0);
}

/* Echoes spec to a file, reloads it into out against db. */
static void echo_and_reload(const hwdb *db, const study_spec *spec, study_spec *out) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  scenario_echo(f, spec);
  fclose(f);
  ss_err err = {{0}};
  ss_status rc = load_text_db(db, text, NULL, 0, out, &err);
  if (rc) fail_msg("the echo does not reload: %s\n%s", err.msg, text);
  free(text);
}

static void assert_same_spec(const study_spec *a, const study_spec *b) {
  size_t n;
  const kt_field *tab = scenario_fields(&n);
  for (size_t i = 0; i < n; i++) {
    char va[2048], vb[2048];
    kt_format(&tab[i], &a->base, va, sizeof va);
    kt_format(&tab[i], &b->base, vb, sizeof vb);
    if (strcmp(va, vb)) fail_msg("key %s: %s before the echo, %s after", tab[i].key, va, vb);
    if (kt_is_numeric(&tab[i]) && !(isnan(kt_get_f64(&tab[i], &a->base)) && isnan(kt_get_f64(&tab[i], &b->base))))
      check_eq(kt_get_f64(&tab[i], &a->base), kt_get_f64(&tab[i], &b->base));
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
    for (size_t k = 0; k < sizeof x / sizeof x[0]; k++)
      check_msg(x[k] == y[k] || (isnan(x[k]) && isnan(y[k])), "uncertain %zu parameter %zu: %.17g before, %.17g after",
                i, k, x[k], y[k]);
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
                     "pricing: {tier: spot, usd_per_gpu_hour: 1.87, price_gpu: any}\n"
                     "compare_api: [gpt-4o, llama-4-scout-bedrock]\n"
                     "efficiency: {compute: 0.55}\n"
                     "output: {requests: yes}\n"
                     "sweep: {deployment.tp: [1, 2, 4], workload.arrival.cv: [0.5, 2]}\n"
                     "uncertain: {efficiency.hbm: {dist: triangular, min: 0.6, mode: 0.75, max: 0.9}}\n";
  assert_int_equal(load_text(fx, text, NULL, 0, &fx->a, &err), SS_OK);
  echo_and_reload(&fx->db, &fx->a, &fx->b);
  assert_same_spec(&fx->a, &fx->b);
  assert_string_equal(fx->b.base.name, "echo: \"quoted\" #1");
  assert_int_equal(fx->b.base.seed, UINT64_MAX);
  /* text that YAML 1.1 would read as a boolean stays text through the echo */
  assert_int_equal(load_text(fx, "name: 'on'\ndeployment: {gpu: h100, model: llama-3.1-8b}\n", NULL, 0, &fx->a, &err),
                   SS_OK);
  echo_and_reload(&fx->db, &fx->a, &fx->b);
  assert_string_equal(fx->b.base.name, "on");
}

/* The shipped scenarios go with the live hwdb/ (they name what it holds), so this test and the next
 * load the live hwdb on purpose, not the frozen copy. */
static void test_every_shipped_scenario_loads_and_its_echo_reloads(void **state) {
  fixture *fx = *state;
  char dir[1024], live_dir[1024];
  hwdb live;
  ss_err err = {{0}};
  if (hwdb_load(hwdb_default_dir(live_dir, sizeof live_dir), &live, &err)) fail_msg("live hwdb: %s", err.msg);
  snprintf(dir, sizeof dir, "%s/../scenarios", SERVESIM_TEST_DIR);
  DIR *d = opendir(dir);
  assert_non_null(d);
  size_t loaded = 0;
  for (struct dirent *de; (de = readdir(d));) {
    size_t len = strlen(de->d_name);
    if (len < 6 || strcmp(de->d_name + len - 5, ".yaml")) continue;
    char path[1536];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    scenario_free(&fx->a);
    if (scenario_load(path, NULL, 0, &live, &fx->a, &err)) fail_msg("%s", err.msg);
    echo_and_reload(&live, &fx->a, &fx->b);
    assert_same_spec(&fx->a, &fx->b);
    loaded++;
  }
  closedir(d);
  hwdb_free(&live);
  check_min_cases(loaded, 20); /* scenarios/ ships default.yaml and 20 reference scenarios */
}

static void test_default_scenario_is_the_readme_study(void **state) {
  fixture *fx = *state;
  char path[1024], live_dir[1024];
  hwdb live;
  ss_err err = {{0}};
  if (hwdb_load(hwdb_default_dir(live_dir, sizeof live_dir), &live, &err)) fail_msg("live hwdb: %s", err.msg);
  snprintf(path, sizeof path, "%s/../scenarios/default.yaml", SERVESIM_TEST_DIR);
  scenario_free(&fx->a);
  assert_int_equal(scenario_load(path, NULL, 0, &live, &fx->a, &err), SS_OK);
  if (scenario_point(&fx->a, 0, &live, &fx->pt, &err)) fail_msg("%s", err.msg);
  assert_string_equal(fx->pt.sim.dep.hw.gpu->id, "h100-sxm-80gb");
  assert_string_equal(fx->pt.sim.dep.hw.model->id, "llama-3.1-8b");
  check_ge(scenario_points(&fx->a), 1);
  hwdb_free(&live);
}

/* Data files named in a scenario file are read from its directory; the spec records their hash. */
static void test_relative_data_files_resolve_from_the_scenario_directory(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  char dir[] = "/tmp/servesim_test_sc_dirXXXXXX", path[128];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/trace.csv", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("arrival_s,input_tokens,output_tokens\n0,10,5\n1.5,20,6\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/s.yaml", dir);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(MINIMAL "workload: {arrival: {process: trace, file: trace.csv}}\n", f);
  fclose(f);
  scenario_free(&fx->a);
  ss_status rc = scenario_load(path, NULL, 0, &fx->db, &fx->a, &err);
  if (rc) fail_msg("%s", err.msg);
  assert_string_equal(fx->a.dir, dir);
  assert_non_null(fx->a.base.sim.wl.trace);
  assert_int_equal(fx->a.base.sim.wl.trace->n, 2);
  assert_int_equal(strlen(fx->a.trace.sha256), 64);
  assert_ptr_equal(point(fx, &fx->a, 0)->sim.wl.trace, fx->a.base.sim.wl.trace); /* points borrow the spec's data */
  scenario_free(&fx->a);
  /* a missing one names the file, the line, the key and where it was looked for */
  snprintf(path, sizeof path, "%s/trace.csv", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/s.yaml", dir);
  assert_int_equal(scenario_load(path, NULL, 0, &fx->db, &fx->a, &err), SS_EDATA);
  char want[512];
  snprintf(want, sizeof want,
           "s.yaml:2: key 'workload.arrival.file': value 'trace.csv' cannot be read: %s/trace.csv: "
           "cannot open the trace: No such file or directory",
           dir);
  assert_contains(err.msg, want);
  unlink(path);
  rmdir(dir);
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

/* model_error: cross_validated turns efficiency.step_time_scale into a lognormal uncertain input whose
 * 10th-90th percentile range is the cross-validated 80% throughput band (inverted: a slower step is a
 * lower throughput), widened where the point is extrapolation; it needs the model-error rows and may not
 * be combined with sweeping or sampling the scale itself. */
static void test_model_error_samples_the_step_time_scale_from_the_cross_validated_band(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  const char *text = MINIMAL "model_error: cross_validated\n";
  assert_int_equal(load_text(fx, text, NULL, 0, &fx->a, &err), SS_EDATA); /* tests/hwdb has no model_error.yaml */
  assert_contains(err.msg, "model_error.yaml");
  hwdb db = fx->db;
  model_error me = {.q10 = log(0.85), .q90 = log(1.15), .widen_gpu = 2};
  snprintf(me.kind, sizeof me.kind, "throughput");
  snprintf(me.gpus[0], sizeof me.gpus[0], "%s", "h100-sxm-80gb"), me.n_gpus = 1;
  snprintf(me.engines[0], sizeof me.engines[0], "%s", "vllm"), me.n_engines = 1;
  snprintf(me.weights[0], sizeof me.weights[0], "%s", "fp16"), me.n_weights = 1;
  db.items[HWDB_MODEL_ERROR] = &me, db.n[HWDB_MODEL_ERROR] = 1;
  const char *on_h100 = "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b, engine: vllm}\n"
                        "model_error: cross_validated\n";
  assert_int_equal(load_text_db(&db, on_h100, NULL, 0, &fx->a, &err), SS_OK);
  assert_int_equal(fx->a.n_unc, 1);
  const sc_uncertain *u = &fx->a.unc[0];
  assert_int_equal(u->key, key_index("efficiency.step_time_scale"));
  assert_int_equal(u->dist, UNC_LOGNORMAL);
  check_near_strict(u->median, 1 / sqrt(0.85 * 1.15), 1e-12);                      /* centre inverted */
  check_near_strict(u->sigma * 1.2815515655446004, 0.5 * log(1.15 / 0.85), 1e-12); /* 80% of draws in the band */
  const char *on_l4 = "deployment: {gpu: l4-24gb, model: llama-3.1-8b, engine: vllm}\nmodel_error: cross_validated\n";
  assert_int_equal(load_text_db(&db, on_l4, NULL, 0, &fx->b, &err), SS_OK);
  check_near_strict(fx->b.unc[0].sigma, 2 * u->sigma, 1e-12); /* an uncalibrated GPU: twice as wide */
  const char *swept = "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b, engine: vllm}\n"
                      "model_error: cross_validated\nsweep: {efficiency.step_time_scale: [1, 2]}\n";
  assert_int_equal(load_text_db(&db, swept, NULL, 0, &fx->a, &err), SS_EDATA);
  assert_contains(err.msg, "which is swept");
}

/* The table's own promise: a scenario that gives nothing numeric starts inside every key's bounds. */
static void test_every_keys_default_lies_within_its_bounds(void **state) {
  (void)state;
  sc_point *pt = calloc(1, sizeof *pt);
  assert_non_null(pt);
  scenario_defaults(pt);
  size_t n;
  const kt_field *f = scenario_fields(&n);
  assert_true(n > 100 && n <= SC_MAX_KEYS);
  for (size_t i = 0; i < n; i++) {
    if (!kt_is_numeric(&f[i])) continue;
    double v = scenario_get(pt, (long)i);
    if (isnan(v) && (f[i].flags & KT_UNSET_OK)) continue;
    if (!(v >= f[i].min && v <= f[i].max)) fail_msg("%s: default %g outside [%g, %g]", f[i].key, v, f[i].min, f[i].max);
  }
  free(pt);
}

/* Pipeline stages carry an EXTRAPOLATION note, whether the base point or a sweep value asks for them. */
static void test_pipeline_stages_are_noted_as_extrapolation(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  static const struct {
    const char *text;
    bool noted;
  } CASES[] = {{MINIMAL, false},
               {"deployment: {gpu: h100, model: llama-3.1-8b, pp: 2}\n", true},
               {MINIMAL "sweep: {deployment.pp: [1, 4]}\n", true}};
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    assert_int_equal(load_text(fx, CASES[i].text, NULL, 0, &fx->a, &err), SS_OK);
    bool noted = false;
    for (size_t n = 0; n < fx->a.n_notes; n++)
      noted |= strstr(fx->a.notes[n], "pipeline stages are EXTRAPOLATION") != NULL;
    check_msg(noted == CASES[i].noted, "case %zu: noted %d", i, noted);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_minimal_scenario_takes_the_table_defaults),
      cmocka_unit_test(test_every_keys_default_lies_within_its_bounds),
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
      cmocka_unit_test(test_relative_data_files_resolve_from_the_scenario_directory),
      cmocka_unit_test(test_help_lists_every_key_with_its_allowed_values),
      cmocka_unit_test(test_resolving_a_point_again_keeps_the_context_cap),
      cmocka_unit_test(test_request_log_rows_are_estimated_from_the_arrivals),
      cmocka_unit_test(test_tasks_beyond_the_limit_are_refused_unless_raised),
      cmocka_unit_test(test_model_error_samples_the_step_time_scale_from_the_cross_validated_band),
      cmocka_unit_test(test_pipeline_stages_are_noted_as_extrapolation),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
