/* test_planfile.c: the plan file and its checked reader (io/planfile), and the plan report
 * (io/plan_report), on a synthetic plan (no simulation): every column, API row and scalar reads back
 * bit for bit; crafted files (wrong extent, type, rank, whole numbers that are not, unknown statuses)
 * are refused naming the dataset and what was expected; the report ranks every candidate with its
 * status and reason, names the chosen deployment and compares the APIs. */
#include <hdf5.h>
#include <hdf5_hl.h>
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
#include "io/h5.h"
#include "io/plan_report.h"
#include "io/planfile.h"
#include "io/report.h"
#include "study/plan.h"

enum { N = 3, REPS = 4, APIS = 2 };
static char dir[] = "/tmp/servesim_test_planfile_XXXXXX";

/* Rank 1 meets the SLO with 3 replicas; rank 2 does not within max_replicas; rank 3 does not fit. */
static void make_plan(plan *p) {
  static const char *const LABELS[N] = {"h100-sxm-80gb fp8", "l4-24gb fp16", "a10g-24gb fp16"};
  static const plan_status STATUS[N] = {PLAN_MET, PLAN_NOT_MET, PLAN_NO_FIT};
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "plan-unit");
  p->seed = 7;
  p->config_yaml = strdup("name: plan-unit\nseed: 7\n");
  p->notes = strdup("a note from loading");
  snprintf(p->hwdb_dir, sizeof p->hwdb_dir, "/hwdb");
  snprintf(p->hwdb_sha256, sizeof p->hwdb_sha256, "%064d", 0);
  p->demand_per_s = 12, p->slo_ttft_s = 2, p->slo_tpot_s = 0.1, p->confidence = 0.75, p->rate_rel_tol = 0.02;
  p->max_replicas = 16, p->n_reps = REPS, p->n_rows = N, p->n_axes = 2, p->n_apis = APIS;
  snprintf(p->axis_keys[0], sizeof p->axis_keys[0], "deployment.gpu");
  snprintf(p->axis_keys[1], sizeof p->axis_keys[1], "deployment.weights");
  snprintf(p->api_ids[0], sizeof p->api_ids[0], "gpt-4o-mini");
  snprintf(p->api_ids[1], sizeof p->api_ids[1], "together-llama-3.1-8b");
  p->rows = calloc(N, sizeof *p->rows);
  p->rate_rep = malloc(N * REPS * sizeof *p->rate_rep);
  for (size_t i = 0; i < N; i++) {
    plan_row *w = &p->rows[i];
    bool met = STATUS[i] == PLAN_MET;
    w->point = 2 - i;
    snprintf(w->label, sizeof w->label, "%s", LABELS[i]);
    sscanf(LABELS[i], "%47s %31s", w->gpu, w->weights);
    snprintf(w->engine, sizeof w->engine, "vllm");
    snprintf(w->tier, sizeof w->tier, "on_demand");
    w->tp = (uint32_t)(i + 1);
    w->status = STATUS[i];
    if (!met) snprintf(w->reason, sizeof w->reason, "reason %zu: %s", i, i == 1 ? "SLO not met" : "does not fit");
    w->replicas = met ? 3 : 0;
    w->gpus = met ? 3 * w->tp : NAN;
    w->slo_met_frac = met ? 0.75 : NAN;
    w->usd_per_gpu_hour = 2.5 + (double)i;
    w->usd_per_hour = met ? 7.5 : NAN;
    w->usd_per_1m_output = met ? 0.321 : NAN;
    w->ttft_p99_s = met ? 0.4 : NAN, w->tpot_p99_s = met ? 0.03 : NAN, w->output_tok_s = met ? 3000 : NAN;
    w->rate_mean_per_s = STATUS[i] == PLAN_NO_FIT ? NAN : 5.0 / (double)(i + 1);
    w->rate_ci95_lo_per_s = w->rate_mean_per_s - 0.1, w->rate_ci95_hi_per_s = w->rate_mean_per_s + 0.1;
    w->rate_at_confidence_per_s = w->rate_mean_per_s - 0.05;
    w->headroom = met ? 5.0 * 3 / 12 - 1 : NAN;
    w->utilisation = met ? 0.8 : NAN;
    for (size_t a = 0; a < APIS; a++)
      for (size_t m = 0; m < CA_COUNT; m++) w->api[a][m] = met ? 0.1 * (double)(a + 1) + (double)m : NAN;
    if (met) w->api[1][CA_breakeven_utilisation] = 1.7; /* the API is cheaper at any load */
    w->rate_rep_per_s = p->rate_rep + i * REPS;
    for (size_t r = 0; r < REPS; r++) w->rate_rep_per_s[r] = w->rate_mean_per_s + 0.01 * (double)r;
  }
}

static char *write_plan(const plan *p, const char *name) {
  char *path = malloc(4096);
  ss_err err = {{0}};
  char *argv[] = {"servesim", "plan", "unit.yaml"};
  snprintf(path, 4096, "%s/%s", dir, name);
  assert_int_equal(planfile_write(p, path, 3, argv, NULL, 0, &err), SS_OK);
  return path;
}

static bool same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void test_write_then_read_gives_back_every_column_api_row_and_scalar(void **state) {
  plan p, back;
  planfile_meta meta;
  ss_err err = {{0}};
  (void)state;
  make_plan(&p);
  char *path = write_plan(&p, "plan.h5");
  assert_int_equal(planfile_read(path, &back, &meta, &err), SS_OK);
  assert_string_equal(back.name, "plan-unit");
  assert_int_equal(back.seed, 7);
  assert_string_equal(back.config_yaml, p.config_yaml);
  assert_string_equal(back.notes, p.notes);
  assert_int_equal(back.n_rows, N);
  assert_int_equal(back.n_reps, REPS);
  assert_int_equal(back.n_axes, 2);
  assert_string_equal(back.axis_keys[1], "deployment.weights");
  assert_int_equal(back.n_apis, APIS);
  assert_string_equal(back.api_ids[1], "together-llama-3.1-8b");
  assert_int_equal(back.max_replicas, 16);
  check_eq(back.confidence, 0.75);
  check_eq(back.demand_per_s, 12.0);
  check_msg(strstr(meta.command, "servesim plan unit.yaml") && strcmp(meta.version, "?"), "meta: %s, %s", meta.command,
            meta.version);
  size_t cells = 0;
  for (size_t i = 0; i < N; i++) {
    const plan_row *a = &p.rows[i], *b = &back.rows[i];
    assert_string_equal(a->label, b->label);
    assert_string_equal(a->gpu, b->gpu);
    assert_string_equal(a->reason, b->reason);
    assert_string_equal(a->tier, b->tier);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->point, b->point);
    assert_int_equal(a->tp, b->tp);
    assert_int_equal(a->replicas, b->replicas);
    const double x[] = {a->gpus,
                        a->slo_met_frac,
                        a->usd_per_gpu_hour,
                        a->usd_per_1m_output,
                        a->rate_mean_per_s,
                        a->rate_at_confidence_per_s,
                        a->headroom,
                        a->utilisation,
                        a->tpot_p99_s};
    const double y[] = {b->gpus,
                        b->slo_met_frac,
                        b->usd_per_gpu_hour,
                        b->usd_per_1m_output,
                        b->rate_mean_per_s,
                        b->rate_at_confidence_per_s,
                        b->headroom,
                        b->utilisation,
                        b->tpot_p99_s};
    for (size_t k = 0; k < sizeof x / sizeof x[0]; k++, cells++) check_msg(same(x[k], y[k]), "row %zu field %zu", i, k);
    for (size_t r = 0; r < REPS; r++, cells++) check_msg(same(a->rate_rep_per_s[r], b->rate_rep_per_s[r]), "rate");
    for (size_t q = 0; q < APIS; q++)
      for (size_t m = 0; m < CA_COUNT; m++, cells++) check_msg(same(a->api[q][m], b->api[q][m]), "api %zu %zu", q, m);
  }
  check_min_cases(cells, N * (9 + REPS + APIS * CA_COUNT));
  plan_free(&back), plan_free(&p), free(path);
}

/* ---- crafted files ---- */

static void put_text_1d(hid_t f, const char *name, size_t n, const char *value) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  hsize_t d = n;
  hid_t sp = H5Screate_simple(1, &d, NULL), ds = H5Dcreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const char **v = malloc(n * sizeof *v);
  for (size_t i = 0; i < n; i++) v[i] = value;
  check_ge(H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
  free(v);
  H5Dclose(ds), H5Sclose(sp), H5Tclose(t);
}

typedef enum { NUMBERS, TEXT, FIXED_TEXT } craft_kind;

/* A fresh plan file whose dataset `name` is replaced by numbers of shape dims (rank 0..2, all `value`),
 * n copies of the text `text`, or a fixed-length string; returns the reader's status and message. */
static ss_status read_crafted(const char *name, craft_kind kind, int rank, const hsize_t *dims, double value,
                              const char *text, ss_err *err) {
  plan p, back;
  make_plan(&p);
  char *path = write_plan(&p, "crafted.h5");
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  check_ge(H5Ldelete(f, name, H5P_DEFAULT), 0);
  if (kind == NUMBERS) {
    double v[64];
    for (size_t i = 0; i < 64; i++) v[i] = value;
    if (rank == 0) {
      hid_t sp = H5Screate(H5S_SCALAR),
            ds = H5Dcreate2(f, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      check_ge(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
      H5Dclose(ds), H5Sclose(sp);
    } else {
      check_ge(H5LTmake_dataset_double(f, name, rank, dims, v), 0);
    }
  } else if (kind == TEXT) {
    put_text_1d(f, name, (size_t)dims[0], text);
  } else {
    check_ge(H5LTmake_dataset_string(f, name, text), 0);
  }
  H5Fclose(f);
  ss_status rc = planfile_read(path, &back, NULL, err);
  if (!rc) plan_free(&back);
  plan_free(&p), free(path);
  return rc;
}

static void expect_refusal(const char *name, craft_kind kind, int rank, const hsize_t *dims, double value,
                           const char *text, const char *want) {
  ss_err err = {{0}};
  char obj[96];
  assert_int_equal(read_crafted(name, kind, rank, dims, value, text, &err), SS_EDATA);
  snprintf(obj, sizeof obj, "/%s", name);
  check_msg(strstr(err.msg, obj) && strstr(err.msg, want), "/%s: expected '%s' in: %s", name, want, err.msg);
}

static void test_reading_refuses_crafted_files_naming_the_dataset_and_what_was_expected(void **state) {
  (void)state;
  hsize_t one_more[2] = {N + 1, REPS + 1}, n_by_reps1[2] = {N, REPS + 1}, n_by_api1[2] = {N, APIS + 1};
  hsize_t n1[1] = {N};
  expect_refusal("label", TEXT, 1, one_more, 0, "x", "expected array of 3, found array of 4");
  expect_refusal("label", FIXED_TEXT, 0, NULL, 0, "x", "variable-length text");
  expect_refusal("tp", NUMBERS, 1, n1, 2.5, NULL, "expected a whole number");
  expect_refusal("replicas", NUMBERS, 1, n1, -1, NULL, "expected a whole number");
  expect_refusal("point", NUMBERS, 1, n1, 1e12, NULL, "expected a whole number");
  expect_refusal("status", TEXT, 1, n1, 0, "maybe", "allowed: ok, slo_not_met, does_not_fit");
  expect_refusal("usd_per_hour", TEXT, 1, n1, 0, "7.5", "numbers");
  expect_refusal("headroom", NUMBERS, 2, n_by_reps1, 0, NULL, "expected 1-D array");
  expect_refusal("rate_replicate_per_s", NUMBERS, 2, n_by_reps1, 1, NULL, "expected 2-D array of 3 x 4");
  expect_refusal("breakeven_utilisation", NUMBERS, 2, n_by_api1, 1, NULL, "expected 2-D array of 3 x 2");
  expect_refusal("max_replicas", NUMBERS, 1, n1, 4, NULL, "expected scalar");
  expect_refusal("max_replicas", NUMBERS, 0, NULL, 1e10, NULL, "expected a whole number");
  expect_refusal("candidate", NUMBERS, 1, (hsize_t[]){0}, 0, NULL, "must not be empty");
}

static void test_plan_files_without_utilisation_or_apis_read_with_nan_and_no_apis(void **state) {
  plan p, back;
  ss_err err = {{0}};
  (void)state;
  make_plan(&p);
  char *path = write_plan(&p, "older.h5");
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  const char *gone[] = {"utilisation",           "api",
                        "api_usd_per_1m_output", "tco_over_api",
                        "breakeven_utilisation", "breakeven_output_tok_per_month"};
  for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) check_ge(H5Ldelete(f, gone[i], H5P_DEFAULT), 0);
  H5Fclose(f);
  assert_int_equal(planfile_read(path, &back, NULL, &err), SS_OK);
  assert_true(isnan(back.rows[0].utilisation));
  assert_int_equal(back.n_apis, 0);
  plan_free(&back), plan_free(&p), free(path);
}

static void test_a_study_file_is_not_a_plan(void **state) {
  plan back;
  ss_err err = {{0}};
  plan p;
  (void)state;
  make_plan(&p);
  char *path = write_plan(&p, "kind.h5");
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  check_ge(H5Adelete(f, "file_kind"), 0);
  H5Fclose(f);
  f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
  H5Tset_size(t, H5T_VARIABLE);
  hid_t a = H5Acreate2(f, "file_kind", t, sp, H5P_DEFAULT, H5P_DEFAULT);
  const char *kind = "study";
  check_ge(H5Awrite(a, t, &kind), 0);
  H5Aclose(a), H5Sclose(sp), H5Tclose(t), H5Fclose(f);
  assert_int_equal(planfile_read(path, &back, NULL, &err), SS_EDATA);
  check_msg(strstr(err.msg, "a study file, not a plan"), "message: %s", err.msg);
  plan_free(&p), free(path);
}

/* ---- the report ---- */

static char *report_of(const char *path) {
  char *buf = NULL;
  size_t len = 0;
  ss_err err = {{0}};
  FILE *f = open_memstream(&buf, &len);
  assert_int_equal(report_markdown(f, path, NULL, &err), SS_OK); /* the study report's entry dispatches */
  fclose(f);
  return buf;
}

static void test_the_report_names_the_choice_ranks_every_candidate_with_its_reason_and_compares_apis(void **state) {
  plan p;
  (void)state;
  make_plan(&p);
  char *path = write_plan(&p, "report.h5"), *md = report_of(path);
  const char *want[] = {
      "# servesim plan report: plan-unit",
      "## The question",
      "Demand: 12 requests/s",
      "met in at least 3 of 4 replicates",
      "`deployment.gpu`, `deployment.weights`",
      "**Chosen deployment: rank 1, `h100-sxm-80gb fp8`**: 3 replicas x 1 GPU = 3 x h100-sxm-80gb",
      "**$7.50 per hour, $0.321 per 1M output tokens**",
      "utilisation 0.80",
      "## Candidates, ranked",
      "| 1 | `h100-sxm-80gb fp8` | ok | 3 | 3 | 2.50 | 7.50 | 0.321 | 0.75 | 5 [4.9, 5.1] | 0.80 | +25% |",
      "| 2 | `l4-24gb fp16` | slo_not_met | - | n/a | 3.50 | n/a | n/a | n/a |",
      "reason 1: SLO not met |",
      "| 3 | `a10g-24gb fp16` | does_not_fit | - |",
      "reason 2: does not fit |",
      "a note from loading",
      "## API comparison",
      "### gpt-4o-mini",
      "### together-llama-3.1-8b",
      "| 1 | `h100-sxm-80gb fp8` | 0.321 | 0.80 | 0.200 | 1.2 | never |",
      "## Method",
      "```yaml\nname: plan-unit",
      "## Plots",
      "tools/plot.py",
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) check_msg(strstr(md, want[i]), "report lacks: %s", want[i]);
  check_msg(!strstr(md, "| 2 | `l4-24gb fp16` | 3.50"), "a candidate that is not met is in the API table");
  free(md), free(path);
  /* no candidate met: said, with where to look */
  for (size_t i = 0; i < N; i++) p.rows[i].status = PLAN_NOT_MET;
  path = write_plan(&p, "none.h5"), md = report_of(path);
  check_msg(strstr(md, "**No candidate meets the SLO**"), "%s", md);
  free(md), free(path), plan_free(&p);
}

static int make_dir(void **state) {
  (void)state;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_then_read_gives_back_every_column_api_row_and_scalar),
      cmocka_unit_test(test_reading_refuses_crafted_files_naming_the_dataset_and_what_was_expected),
      cmocka_unit_test(test_plan_files_without_utilisation_or_apis_read_with_nan_and_no_apis),
      cmocka_unit_test(test_a_study_file_is_not_a_plan),
      cmocka_unit_test(test_the_report_names_the_choice_ranks_every_candidate_with_its_reason_and_compares_apis),
  };
  return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
