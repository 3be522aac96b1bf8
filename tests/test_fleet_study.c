/* test_fleet_study.c: a changing fleet through the study, its file and its report: the windows' bills add
 * up to the replicate's, the fleet rows and the hour-by-hour windows survive the study file bit for bit
 * (with their per-window summaries), the
 * cheapest-policy ranking puts the cheapest policy meeting the SLO first with a paired saving, a policy
 * that fails the SLO never ranks above one that meets it, and the report shows the fleet, the hours and
 * the policy. */
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
#include "config/scenario.h"
#include "io/report.h"
#include "io/studyfile.h"
#include "study/planpolicy.h"
#include "study/study.h"

static const char SCENARIO[] =
    "name: fleet-study\n"
    "seed: 5\n"
    "replicates: 3\n"
    "horizon: {duration_s: 7200, warmup_s: 0}\n"
    "deployment: {gpu: h100-sxm-80gb, model: llama-3.1-8b, weights: fp8, kv_cache: fp8, engine: vllm, replicas: 1}\n"
    "workload:\n"
    "  arrival: {process: diurnal, rate_per_s: 3,\n"
    "            profile: [0.3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}\n"
    "  input_tokens: {dist: lognormal, median: 500, sigma: 0.8, max: 4096}\n"
    "  output_tokens: {dist: lognormal, median: 150, sigma: 0.7, max: 1024}\n"
    "slo: {ttft_p99_s: 1.0, tpot_p99_s: 0.05}\n"
    "pricing: {usd_per_gpu_hour: 2.0, price_gpu: any, spot_usd_per_gpu_hour: 0.8}\n"
    "plan: {mode: policy}\n"
    "fleet:\n"
    "  autoscale: {policy: target, metric: concurrency, target: 4, max_replicas: 3, scale_down_window_s: 120}\n"
    "  cold_start: {provisioning_s: 30, engine_warmup_s: 10}\n"
    "output: {capacity: false, window_s: 1800}\n"
    "sweep:\n"
    "  fleet.autoscale.target: [2, 16]\n"
    "  fleet.spot.share: [0, 1]\n";

typedef struct {
  hwdb db;
  study st;
  char dir[64];
} fixture;

/* A path in the fixture's temporary directory. */
static void path_in(const fixture *f, const char *name, char *buf, size_t len) {
  snprintf(buf, len, "%s/%s", f->dir, name);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  study_spec *spec = malloc(sizeof *spec);
  ss_err err = {{0}};
  if (f) snprintf(f->dir, sizeof f->dir, "/tmp/servesim_test_fleet_XXXXXX");
  if (!f || !spec || !mkdtemp(f->dir) || hwdb_load(TEST_HWDB, &f->db, &err) ||
      scenario_load_string("fleet-study", SCENARIO, NULL, 0, &f->db, spec, &err)) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  study_opts o = {.threads = 2};
  ss_status rc = study_run(spec, &f->db, &o, &f->st, &err);
  scenario_free(spec);
  free(spec);
  if (rc) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  rmdir(f->dir);
  study_free(&f->st);
  hwdb_free(&f->db);
  free(f);
  return 0;
}

static void test_fleet_rows_and_windows_survive_the_study_file(void **state) {
  const study *st = &((fixture *)*state)->st;
  char path[128];
  path_in(*state, "study.h5", path, sizeof path);
  ss_err err = {{0}};
  study back;
  assert_int_equal(studyfile_write(st, path, 0, NULL, NULL, 0, &err), SS_OK);
  assert_int_equal(studyfile_read(path, &back, &err), SS_OK);
  assert_int_equal(study_summarise(&back, &err), SS_OK);
  size_t tested = 0;
  for (size_t t = 0; t < study_tasks(st); t++, tested++) {
    double usd = 0; /* the windows' bills add up to the replicate's (no warm-up) */
    for (size_t k = 0; k < st->logs[t].n_win; k++) usd += st->logs[t].win[k].usd;
    check_rel(usd, st->res[t].f[FM_usd_total], 1e-9);
    assert_memory_equal(back.res[t].f, st->res[t].f, sizeof st->res[t].f);
    assert_int_equal(back.logs[t].n_win, 4);
    assert_memory_equal(back.logs[t].win, st->logs[t].win, 4 * sizeof *st->logs[t].win);
  }
  check_min_cases(tested, 12);
  assert_int_equal(back.win_max, 4);
  assert_memory_equal(back.win_summary, st->win_summary, st->n_points * 4 * WC_COUNT * sizeof *st->win_summary);
  check_gt(st->res[0].f[FM_usd_per_day], 0);
  study_free(&back);
  unlink(path);
}

/* The ranking, over the study's own replicates: meeting policies by mean daily cost, then the others. */
static void test_the_cheapest_policy_meeting_the_slo_ranks_first(void **state) {
  study *st = &((fixture *)*state)->st;
  policy_plan pp;
  ss_err err = {{0}};
  assert_int_equal(planpolicy_rank(st, 0.95, 0, &pp, &err), SS_OK);
  assert_int_equal(pp.n_rows, 4);
  size_t tested = 0;
  for (size_t i = 1; i < pp.n_rows; i++, tested++) {
    const policy_row *a = &pp.rows[i - 1], *b = &pp.rows[i];
    check_ge(a->meets, b->meets);
    if (a->meets && b->meets) check_le(a->usd_per_day.v[ST_mean], b->usd_per_day.v[ST_mean]);
  }
  check_min_cases(tested, 3);
  assert_true(pp.found);
  /* spot at 0.8 against 2.0 an hour: the all-spot fleet of the cheaper target is cheapest */
  check_eq(st->axes[1].num[pp.rows[0].point], 1);
  /* paired saving: the mean of the differences is the difference of the means */
  check_rel(pp.saving_usd.v[ST_mean], pp.rows[1].usd_per_day.v[ST_mean] - pp.rows[0].usd_per_day.v[ST_mean], 1e-9);
  /* a policy failing in every replicate never ranks above one that meets the SLO */
  size_t cheapest = pp.rows[0].point, R = st->n_reps;
  double saved[8];
  for (size_t r = 0; r < R; r++) saved[r] = st->slo_met[cheapest * R + r], st->slo_met[cheapest * R + r] = 0;
  planpolicy_free(&pp);
  assert_int_equal(planpolicy_rank(st, 0.95, 0, &pp, &err), SS_OK);
  assert_int_not_equal(pp.rows[0].point, cheapest);
  check_eq(pp.rows[pp.n_rows - 1].point, cheapest);
  check_eq(pp.rows[pp.n_rows - 1].meets, 0);
  for (size_t r = 0; r < R; r++) st->slo_met[cheapest * R + r] = saved[r];
  planpolicy_free(&pp);
}

/* Demanding every window meet the SLO can only remove policies, never add one. */
static void test_demanding_the_windows_too_never_adds_a_policy(void **state) {
  const study *st = &((fixture *)*state)->st;
  policy_plan all, strict;
  ss_err err = {{0}};
  assert_int_equal(planpolicy_rank(st, 0.5, 0, &all, &err), SS_OK);
  assert_int_equal(planpolicy_rank(st, 0.5, 1.0, &strict, &err), SS_OK);
  size_t tested = 0;
  for (size_t i = 0; i < all.n_rows; i++)
    for (size_t j = 0; j < strict.n_rows; j++)
      if (all.rows[i].point == strict.rows[j].point) {
        check_le(strict.rows[j].n_met, all.rows[i].n_met);
        tested++;
      }
  check_min_cases(tested, 4);
  planpolicy_free(&all), planpolicy_free(&strict);
}

static void test_the_report_shows_the_fleet_the_hours_and_the_policy(void **state) {
  const study *st = &((fixture *)*state)->st;
  char path[128];
  path_in(*state, "report.h5", path, sizeof path);
  ss_err err = {{0}};
  assert_int_equal(studyfile_write(st, path, 0, NULL, NULL, 0, &err), SS_OK);
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  assert_int_equal(report_markdown(mem, path, NULL, &err), SS_OK);
  fclose(mem);
  const char *want[] = {"## Fleet",           "## Hour by hour",     "| window (h) |",     "| 0.5-1 |",
                        "## Cheapest policy", "**Cheapest: target=", "paired by replicate"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) check_msg(strstr(buf, want[i]) != NULL, "no '%s'", want[i]);
  free(buf);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fleet_rows_and_windows_survive_the_study_file),
      cmocka_unit_test(test_the_cheapest_policy_meeting_the_slo_ranks_first),
      cmocka_unit_test(test_demanding_the_windows_too_never_adds_a_policy),
      cmocka_unit_test(test_the_report_shows_the_fleet_the_hours_and_the_policy),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
