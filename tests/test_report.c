/* test_report.c: the Markdown report of synthetic study files (written by h5out): saturated points
 * never show tail latency as stable, the API table appears only with API rows, the sensitivity table
 * ranks the driving input first, PNGs are linked only when present, and shards are refused. */
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

#include "io/h5out.h"
#include "io/report.h"
#include "study/study.h"

enum { P = 3, R = 4 };

static const char CONFIG[] = "name: report-unit\nseed: 5\nreplicates: 4\nhorizon:\n  duration_s: 120\n  warmup_s: 20\n"
                             "deployment:\n  gpu: h100-sxm-80gb\n  tp: 2\nslo:\n  ttft_p99_s: 2\n"
                             "compare_api: [gpt-4o, claude-3.5-haiku]\n"
                             "uncertain:\n  efficiency.hbm: {dist: uniform, min: 0.7, max: 0.9}\n"
                             "  pricing.usd_per_kwh: {dist: uniform, min: 0.1, max: 0.2}\n";

/* Point 0: stable; point 1: replicates 1 and 3 saturated (TTFT 1000 s there); point 2: all saturated.
 * Input 0 (efficiency.hbm) drives $/1M; input 1 barely matters. */
static void make_study(study *st, bool with_api) {
  ss_err err = {{0}};
  memset(st, 0, sizeof *st);
  snprintf(st->name, sizeof st->name, "report-unit");
  st->seed = 5;
  st->config_yaml = strdup(CONFIG);
  st->n_axes = 1, st->n_inputs = 2;
  snprintf(st->axes[0].key, STUDY_KEY_LEN, "workload.arrival.rate_per_s");
  snprintf(st->axes[0].units, STUDY_UNITS_LEN, "1/s");
  snprintf(st->inputs[0].key, STUDY_KEY_LEN, "efficiency.hbm");
  snprintf(st->inputs[1].key, STUDY_KEY_LEN, "pricing.usd_per_kwh");
  assert_int_equal(study_alloc(st, P, R, false, &err), SS_OK);
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
      res->v[RM_api_usd_per_1m_output] = with_api ? 10.0 : NAN;
      res->v[RM_breakeven_busy_frac] = with_api ? (p == 0 ? INFINITY : 0.4) : NAN;
      st->slo_met[t] = !sat;
    }
  study_summarise(st);
}

typedef struct {
  char path[96], dir[64];
  char *md;
  size_t len;
} fixture;

static ss_status render(fixture *fx, bool with_api, const char *png_dir, ss_err *err) {
  study st;
  make_study(&st, with_api);
  assert_int_equal(h5out_write(&st, fx->path, 0, NULL, err), SS_OK);
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
  snprintf(fx->dir, sizeof fx->dir, "/tmp/servesim_test_report_XXXXXX");
  if (!fx || !mkdtemp(fx->dir)) return -1;
  snprintf(fx->path, sizeof fx->path, "%s/s.h5", fx->dir);
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  char p[128];
  for (size_t i = 0; report_plot_name(i); i++) snprintf(p, sizeof p, "%s/%s", fx->dir, report_plot_name(i)), remove(p);
  remove(fx->path);
  rmdir(fx->dir);
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
  assert_non_null(strstr(all, "saturated: not stable"));
  assert_null(strstr(all, "1000"));
  assert_non_null(strstr(some, "| 0.5 [0.5, 0.5] |")); /* the two stable replicates only */
  assert_non_null(strstr(some, "| 2 |"));
  assert_null(strstr(some, "1000"));
  assert_non_null(strstr(fx->md, "**2 of 4 replicates saturated**"));
  assert_non_null(strstr(fx->md, "- Point 2 (rate_per_s = 6): 4 of 4 replicates saturated."));
  free(all), free(some);
}

static void test_api_comparison_appears_only_with_api_rows(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(render(fx, true, NULL, &err), SS_OK);
  assert_non_null(strstr(fx->md, "Against **gpt-4o**"));
  assert_non_null(strstr(fx->md, "| 0 | rate_per_s = 2 | 10 [10, 10] |"));
  assert_non_null(strstr(fx->md, "never"));
  assert_non_null(strstr(fx->md, "first compared API only"));
  assert_int_equal(render(fx, false, NULL, &err), SS_OK);
  assert_null(strstr(fx->md, "Against **"));
  assert_non_null(strstr(fx->md, "No API comparison rows"));
}

static void test_sensitivity_table_lists_the_driving_input_first(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  assert_int_equal(render(fx, false, NULL, &err), SS_OK);
  const char *s = strstr(fx->md, "(`usd_per_1m_output`, USD)");
  assert_non_null(s);
  const char *hbm = strstr(s, "| `efficiency.hbm` |"), *kwh = strstr(s, "| `pricing.usd_per_kwh` |");
  assert_true(hbm && kwh && hbm < kwh);
  assert_non_null(strstr(fx->md, "- `efficiency.hbm`: dist uniform, min 0.7, max 0.9"));
  assert_non_null(strstr(fx->md, "simulates 120 s of traffic; the first 20 s are a warm-up"));
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
  assert_non_null(strstr(fx->md, "](cost_hist.png)"));
  assert_null(strstr(fx->md, "](throughput.png)"));
  assert_null(strstr(fx->md, "](tornado.png)"));
}

static void test_a_shard_is_refused_with_a_hint_to_merge(void **state) {
  fixture *fx = *state;
  ss_err err = {{0}};
  study st;
  make_study(&st, false);
  st.shard_index = 1, st.shard_count = 2, st.task_hi = P * R / 2;
  assert_int_equal(h5out_write(&st, fx->path, 0, NULL, &err), SS_OK);
  study_free(&st);
  FILE *out = fopen("/dev/null", "w");
  assert_int_equal(report_markdown(out, fx->path, NULL, &err), SS_EDATA);
  fclose(out);
  assert_non_null(strstr(err.msg, "servesim merge"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_saturated_points_never_show_tail_latency_as_stable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_api_comparison_appears_only_with_api_rows, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sensitivity_table_lists_the_driving_input_first, setup, teardown),
      cmocka_unit_test_setup_teardown(test_plots_are_linked_only_when_present_and_non_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_shard_is_refused_with_a_hint_to_merge, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
