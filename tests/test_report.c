/* test_report.c: the Markdown report of synthetic study files (written by io/studyfile): saturated points
 * never show tail latency as stable, the API table appears only with API rows, the sensitivity table
 * ranks the driving input first, PNGs are linked only when present, and shards are refused. */
#include <hdf5.h>
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
#include "io/report.h"
#include "io/studyfile.h"
#include "study/study.h"

enum { P = 3, R = 4 };

static const char CONFIG[] = "name: report-unit\nseed: 5\nreplicates: 4\nhorizon:\n  duration_s: 120\n  warmup_s: 20\n"
                             "deployment:\n  gpu: h100-sxm-80gb\n  tp: 2\nslo:\n  ttft_p99_s: 2\n"
                             "compare_api: [gpt-4o, claude-3.5-haiku]\n"
                             "uncertain:\n  efficiency.hbm: {dist: uniform, min: 0.7, max: 0.9}\n"
                             "  pricing.usd_per_kwh: {dist: uniform, min: 0.1, max: 0.2}\n";

/* Point 0: stable; point 1: replicates 1 and 3 saturated (TTFT 1000 s there); point 2: all saturated.
 * Input 0 (efficiency.hbm) drives $/1M; input 1 barely matters. With APIs: gpt-4o at $10 per 1M output
 * of the mix, break-even above 1 at point 0 (the API is cheaper at any load); claude-3.5-haiku at $5.6. */
static void make_study(study *st, bool with_api) {
  ss_err err = {{0}};
  memset(st, 0, sizeof *st);
  snprintf(st->name, sizeof st->name, "report-unit");
  st->seed = 5;
  st->config_yaml = strdup(CONFIG);
  st->n_axes = 1, st->n_inputs = 2, st->n_apis = with_api ? 2 : 0;
  snprintf(st->api_ids[0], sizeof st->api_ids[0], "gpt-4o");
  snprintf(st->api_ids[1], sizeof st->api_ids[1], "claude-3.5-haiku");
  snprintf(st->axes[0].key, STUDY_KEY_LEN, "workload.arrival.rate_per_s");
  snprintf(st->axes[0].units, STUDY_UNITS_LEN, "1/s");
  snprintf(st->inputs[0].key, STUDY_KEY_LEN, "efficiency.hbm");
  snprintf(st->inputs[1].key, STUDY_KEY_LEN, "pricing.usd_per_kwh");
  assert_int_equal(study_init(st, P, R, false, &err), SS_OK);
  st->shard_index = st->shard_count = 1, st->task_lo = 0, st->task_hi = P * R;
  for (size_t p = 0; p < P; p++) st->axes[0].num[p] = 2.0 * (double)(p + 1);
  for (size_t p = 0; p < P; p++)
    for (size_t r = 0; r < R; r++) {
      size_t t = p * R + r;
      sim_result *res = &st->res[t];
      double hbm = 0.7 + 0.05 * (double)r, kwh = 0.1 + 0.03 * (double)((r * 3) % R);
      bool sat = p == 2 || (p == 1 && r % 2);
      result_clear(res);
      st->inputs[0].value[t] = hbm, st->inputs[1].value[t] = kwh;
      res->v[RM_saturated] = sat;
      res->v[RM_output_tok_s] = 1000 * hbm * (double)(p + 1);
      res->v[RM_usd_per_1m_output] = 1.0 / hbm + 0.001 * kwh;
      res->v[RM_gpu_busy_frac] = 0.3 * (double)(p + 1);
      res->v[RM_ttft_p99_s] = sat ? 1000.0 : 0.5;
      res->v[RM_utilisation] = 0.25 * (double)(p + 1);
      res->v[RM_usd_per_1m_output_at_capacity] = 0.5;
      for (size_t a = 0; a < st->n_apis; a++) {
        double *v = study_api(st, t, a);
        v[CA_api_usd_per_1m_output] = a ? 5.6 : 10.0;
        v[CA_tco_over_api] = res->v[RM_usd_per_1m_output] / v[CA_api_usd_per_1m_output];
        v[CA_breakeven_utilisation] = a == 0 && p == 0 ? 1.5 : 0.4;
        v[CA_breakeven_output_tok_per_month] = 1e9;
      }
      st->slo_met[t] = !sat;
    }
  assert_int_equal(study_summarise(st, &err), SS_OK);
}

typedef struct {
  char path[96], dir[64];
  char *md;
  size_t len;
} fixture;

static ss_status render(fixture *fx, bool with_api, const char *png_dir, ss_err *err) {
  study st;
  make_study(&st, with_api);
  assert_int_equal(studyfile_write(&st, fx->path, 0, NULL, NULL, 0, err), SS_OK);
  study_free(&st);
  free(fx->md);
  fx->md = NULL;
  FILE *out = open_memstream(&fx->md, &fx->len);
  assert_non_null(out);
  ss_status rc = report_markdown(out, fx->path, png_dir, err);
  fclose(out);
  return rc;
}

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx) return -1;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* refused files make HDF5 fail: no error stacks on stderr */
  snprintf(fx->dir, sizeof fx->dir, "/tmp/servesim_test_report_XXXXXX");
  if (!mkdtemp(fx->dir)) return free(fx), -1;
  snprintf(fx->path, sizeof fx->path, "%s/s.h5", fx->dir);
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  char p[160];
  for (size_t i = 0; report_plot_name(i); i++) snprintf(p, sizeof p, "%s/%s", fx->dir, report_plot_name(i)), remove(p);
  snprintf(p, sizeof p, "%s/r.md", fx->dir);
  remove(p);
  remove(fx->path);
  check_msg(rmdir(fx->dir) == 0, "%s is not empty after the test (a temporary file left?)", fx->dir);
  free(fx->md);
  free(fx);
  return 0;
}

/* The row of metric `row` in the per-point table of point p. */
static char *point_row(const char *md, int p, const char *row) {
  char head[32];
  snprintf(head, sizeof head, "### Point %d:", p);
  const char *s = strstr(md, head);
  assert_non_null(s);
  const char *r = strstr(s, row), *end = r ? strchr(r, '\n') : NULL;
  assert_non_null(end);
  return strndup(r, (size_t)(end - r));
}

static void test_saturated_points_never_show_tail_latency_as_stable(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(render(fx, true, NULL, &err), SS_OK);
  char *all = point_row(fx->md, 2, "| ttft_p99_s |"), *some = point_row(fx->md, 1, "| ttft_p99_s |");
  check_msg(strstr(all, "saturated: not stable") && !strstr(all, "1000"), "point 2 row: %s", all);
  check_msg(strstr(some, "| 0.5 [0.5, 0.5] |") && strstr(some, "| 2 |") && !strstr(some, "1000"), /* stable ones */
            "point 1 row: %s", some);
  check_msg(strstr(fx->md, "**2 of 4 replicates saturated**"), "report:\n%s", fx->md);
  check_msg(strstr(fx->md, "- Point 2 (rate_per_s = 6): 4 of 4 replicates saturated."), "report:\n%s", fx->md);
  free(all), free(some);
}

static void test_every_compared_api_gets_its_table_and_none_without_api_rows(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(render(fx, true, NULL, &err), SS_OK);
  static const char *const WITH[] = {
      "### gpt-4o",           "| 0 | rate_per_s = 2 | 10 [10, 10] | ",    "| 1.5 [1.5, 1.5] |",
      "### claude-3.5-haiku", "| 0 | rate_per_s = 2 | 5.6 [5.6, 5.6] | ", "above 1: the API is cheaper at any load"};
  for (size_t i = 0; i < sizeof WITH / sizeof WITH[0]; i++)
    check_msg(strstr(fx->md, WITH[i]), "the report lacks '%s':\n%s", WITH[i], fx->md);
  assert_int_equal(render(fx, false, NULL, &err), SS_OK);
  check_msg(!strstr(fx->md, "### gpt-4o") && strstr(fx->md, "No API comparison rows"), "report:\n%s", fx->md);
}

static void test_sensitivity_table_lists_the_driving_input_first(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(render(fx, false, NULL, &err), SS_OK);
  const char *s = strstr(fx->md, "(`usd_per_1m_output`, USD)");
  check_msg(s, "no sensitivity table for usd_per_1m_output:\n%s", fx->md);
  const char *hbm = strstr(s, "| `efficiency.hbm` |"), *kwh = strstr(s, "| `pricing.usd_per_kwh` |");
  check_msg(hbm && kwh && hbm < kwh, "efficiency.hbm is not ranked above pricing.usd_per_kwh:\n%s", s);
  check_msg(strstr(fx->md, "- `efficiency.hbm`: dist uniform, min 0.7, max 0.9"), "report:\n%s", fx->md);
  check_msg(strstr(fx->md, "simulates 120 s of traffic; the first 20 s are a warm-up"), "report:\n%s", fx->md);
}

static void test_plots_are_linked_only_when_present_and_non_empty(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  char p[128];
  snprintf(p, sizeof p, "%s/cost_hist.png", fx->dir);
  FILE *f = fopen(p, "wb");
  fputs("\x89PNG", f), fclose(f);
  snprintf(p, sizeof p, "%s/throughput.png", fx->dir);
  fclose(fopen(p, "wb")); /* empty: a failed drawing */
  assert_int_equal(render(fx, false, fx->dir, &err), SS_OK);
  check_msg(strstr(fx->md, "](cost_hist.png)"), "cost_hist.png is not linked:\n%s", fx->md);
  check_msg(!strstr(fx->md, "](throughput.png)") && !strstr(fx->md, "](tornado.png)"),
            "empty or absent PNGs linked:\n%s", fx->md);
}

static void test_a_shard_is_refused_with_a_hint_to_merge(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  study st;
  make_study(&st, false);
  st.shard_index = 1, st.shard_count = 2, st.task_hi = P * R / 2;
  assert_int_equal(studyfile_write(&st, fx->path, 0, NULL, NULL, 0, &err), SS_OK);
  study_free(&st);
  FILE *out = fopen("/dev/null", "w");
  assert_int_equal(report_markdown(out, fx->path, NULL, &err), SS_EDATA);
  fclose(out);
  check_msg(strstr(err.msg, "servesim merge"), "message: %s", err.msg);
}

/* report_write: the report appears under its name only when complete, never over the study file. */
static void test_the_report_file_is_written_whole_and_never_over_its_study(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  char md[160];
  assert_int_equal(render(fx, false, NULL, &err), SS_OK);
  snprintf(md, sizeof md, "%s/r.md", fx->dir);
  assert_int_equal(report_write(fx->path, md, &err), SS_OK);
  FILE *f = fopen(md, "r");
  assert_non_null(f);
  char head[64] = "";
  assert_non_null(fgets(head, sizeof head, f));
  fclose(f);
  check_msg(!strncmp(head, "# servesim report: report-unit", 30), "first line: %s", head);
  assert_int_equal(report_write(fx->path, fx->path, &err), SS_EUSAGE); /* md_path may not be the study file */
  check_msg(strstr(err.msg, "would overwrite the input"), "message: %s", err.msg);
  assert_int_equal(report_write(fx->path, "/nonexistent-servesim-dir/r.md", &err), SS_ECREATE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_saturated_points_never_show_tail_latency_as_stable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_every_compared_api_gets_its_table_and_none_without_api_rows, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_sensitivity_table_lists_the_driving_input_first, setup, teardown),
      cmocka_unit_test_setup_teardown(test_plots_are_linked_only_when_present_and_non_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_shard_is_refused_with_a_hint_to_merge, setup, teardown),
      cmocka_unit_test_setup_teardown(test_the_report_file_is_written_whole_and_never_over_its_study, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
