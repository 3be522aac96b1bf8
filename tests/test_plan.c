/* test_plan.c: capacity planning on a small case (tests/plan_small.yaml): the replica search agrees
 * with a brute-force sweep over replica counts, more demand never needs fewer replicas, a tighter SLO
 * never costs less, candidates that do not fit are listed with perf's reason, the answers do not
 * depend on the thread count, and the HDF5 file labels every dataset and says it is a plan. */
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
#include "io/h5.h"
#include "io/plan_out.h"
#include "io/planfile.h"
#include "study/plan.h"

static hwdb DB;
static const char *SMALL = SERVESIM_TEST_DIR "/plan_small.yaml";

static int load_db(void **state) {
  (void)state;
  ss_err err = {{0}};
  return hwdb_load(TEST_HWDB, &DB, &err) == SS_OK ? 0 : -1;
}

static int free_db(void **state) {
  (void)state;
  hwdb_free(&DB);
  return 0;
}

/* plan_small.yaml with overrides, loaded into a new spec (free with free_spec). */
static study_spec *load(const char *const *sets, size_t n) {
  ss_err err = {{0}};
  study_spec *spec = malloc(sizeof *spec);
  assert_non_null(spec);
  ss_status rc = scenario_load(SMALL, sets, n, &DB, spec, &err);
  if (rc) {
    free(spec);
    fail_msg("%s", err.msg);
  }
  return spec;
}

static void free_spec(study_spec *spec) {
  scenario_free(spec);
  free(spec);
}

static void run_plan(const char *const *sets, size_t n, int threads, plan *pl) {
  ss_err err = {{0}};
  plan_opts o = {threads, NULL};
  study_spec *spec = load(sets, n);
  ss_status rc = plan_run(spec, &DB, &o, pl, &err);
  free_spec(spec);
  if (rc) fail_msg("%s", err.msg);
}

static const plan_row *row_of(const plan *pl, size_t point) {
  for (size_t i = 0; i < pl->n_rows; i++)
    if (pl->rows[i].point == point) return &pl->rows[i];
  fail_msg("no row for point %zu", point);
  return NULL;
}

/* The first sweep point (fp16) at `rate_per_s`, resolved into *pt; returns its spec (free_spec). */
static study_spec *small_case(sc_point *pt, double rate_per_s) {
  ss_err err = {{0}};
  char set[64];
  const char *sets[] = {set};
  snprintf(set, sizeof set, "workload.arrival.rate_per_s=%g", rate_per_s);
  study_spec *spec = load(sets, 1);
  if (scenario_point(spec, 0, &DB, pt, &err)) {
    free_spec(spec);
    fail_msg("%s", err.msg);
  }
  return spec;
}

static void replica_search_agrees_with_a_brute_force_sweep(void **state) {
  (void)state;
  static const double RATES[] = {8, 25, 40, 55, 70};
  sc_point pt;
  ss_err err = {{0}};
  size_t tested = 0;
  for (size_t k = 0; k < sizeof RATES / sizeof RATES[0]; k++) {
    study_spec *spec = small_case(&pt, RATES[k]);
    plan_case c = {spec, &pt, &DB, pt.replicates, NULL, 2, NULL}; /* no uncertain inputs: no samples */
    size_t need = plan_need(pt.plan.confidence, c.n_reps), n_met;
    uint32_t found, brute = 0;
    bool met;
    assert_int_equal(plan_min_replicas(&c, pt.plan.max_replicas, need, &found, &n_met, NULL, &err), SS_OK);
    for (uint32_t r = 1; r <= pt.plan.max_replicas && !brute; r++) {
      assert_int_equal(plan_count_met(&c, r, RATES[k], need, &n_met, &met, NULL, &err), SS_OK);
      if (met) brute = r;
    }
    print_message("rate %g: search %u, brute force %u\n", RATES[k], found, brute);
    check_msg(brute > 1 || RATES[k] < 20, "rate %g: one replica suffices, the search is not exercised", RATES[k]);
    assert_int_equal(found, brute);
    free_spec(spec);
    tested++;
  }
  check_min_cases(tested, 5);
}

static void more_demand_never_needs_fewer_replicas(void **state) {
  (void)state;
  uint32_t last[2] = {0, 0};
  for (double rate = 10; rate <= 70; rate += 15) {
    char set[64];
    const char *sets[] = {set};
    plan pl;
    snprintf(set, sizeof set, "workload.arrival.rate_per_s=%g", rate);
    run_plan(sets, 1, 2, &pl);
    for (size_t p = 0; p < 2; p++) {
      const plan_row *r = row_of(&pl, p);
      assert_int_equal(r->status, PLAN_MET);
      check_ge(r->replicas, last[p]);
      last[p] = r->replicas;
    }
    plan_free(&pl);
  }
  check_gt(last[0], 1); /* the demand range forces more than one replica */
}

static void a_tighter_slo_never_costs_less(void **state) {
  (void)state;
  static const char *const SLOS[][2] = {{"slo.ttft_p99_s=2", "slo.tpot_p99_s=0.1"},
                                        {"slo.ttft_p99_s=0.25", "slo.tpot_p99_s=0.02"},
                                        {"slo.ttft_p99_s=0.12", "slo.tpot_p99_s=0.015"},
                                        {"slo.ttft_p99_s=0.1", "slo.tpot_p99_s=0.014"}};
  double last[2] = {0, 0}, first[2];
  for (size_t k = 0; k < sizeof SLOS / sizeof SLOS[0]; k++) {
    plan pl;
    run_plan(SLOS[k], 2, 2, &pl);
    for (size_t p = 0; p < 2; p++) {
      const plan_row *r = row_of(&pl, p);
      double cost = r->status == PLAN_MET ? r->usd_per_hour : INFINITY;
      check_ge(cost, last[p]);
      if (k == 0) first[p] = cost;
      last[p] = cost;
    }
    plan_free(&pl);
  }
  check_gt(last[0], first[0]); /* the ladder does bind */
  check_gt(last[1], first[1]);
}

static void a_candidate_that_does_not_fit_is_listed_with_the_reason(void **state) {
  (void)state;
  plan pl;
  study_spec *spec = malloc(sizeof *spec);
  ss_err err = {{0}};
  plan_opts o = {2, NULL};
  assert_non_null(spec);
  if (scenario_load(SERVESIM_TEST_DIR "/plan_misfit.yaml", NULL, 0, &DB, spec, &err)) fail_msg("%s", err.msg);
  ss_status rc = plan_run(spec, &DB, &o, &pl, &err);
  free_spec(spec);
  if (rc) fail_msg("%s", err.msg);
  assert_int_equal(pl.n_rows, 2);
  const plan_row *misfit = row_of(&pl, 0), *fits = row_of(&pl, 1);
  assert_int_equal(fits->status, PLAN_MET);
  assert_int_equal(misfit->status, PLAN_NO_FIT);
  assert_ptr_equal(&pl.rows[1], misfit); /* listed, ranked after the candidates that fit */
  check_msg(strstr(misfit->reason, "does not fit") && strstr(misfit->reason, "rtx-4090-24gb"), "reason: %s",
            misfit->reason);
  check_nan(misfit->usd_per_hour);
  assert_int_equal(misfit->replicas, 0);
  /* the table ranks it last, says so, and gives perf's reason in its notes */
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  assert_non_null(out);
  plan_out_table(out, &pl);
  fclose(out);
  const char *second = strstr(text, "\n   2  ");
  check_msg(second && strstr(second, "no fit"), "the second row is not the misfit:\n%s", text);
  check_msg(strstr(text, "notes:") && strstr(text, "rtx-4090-24gb"), "no note on the misfit:\n%s", text);
  free(text);
  assert_string_equal(plan_out_status_name(PLAN_MET), "ok");
  assert_string_equal(plan_out_status_name(PLAN_NOT_MET), "slo_not_met");
  assert_string_equal(plan_out_status_name(PLAN_NO_FIT), "does_not_fit");
  plan_free(&pl);
}

static void answers_do_not_depend_on_the_thread_count(void **state) {
  (void)state;
  plan a, b;
  run_plan(NULL, 0, 1, &a);
  run_plan(NULL, 0, 3, &b);
  assert_int_equal(a.n_rows, b.n_rows);
  for (size_t i = 0; i < a.n_rows; i++) {
    const plan_row *x = &a.rows[i], *y = &b.rows[i];
    assert_int_equal(x->point, y->point);
    assert_int_equal(x->replicas, y->replicas);
    assert_memory_equal(&x->usd_per_1m_output, &y->usd_per_1m_output, sizeof(double));
    assert_memory_equal(x->rate_rep_per_s, y->rate_rep_per_s, a.n_reps * sizeof(double));
  }
  plan_free(&a), plan_free(&b);
}

static void confidence_is_a_count_of_replicates(void **state) {
  (void)state;
  assert_int_equal(plan_need(0.95, 20), 19);
  assert_int_equal(plan_need(0.95, 6), 6);
  assert_int_equal(plan_need(0.8, 6), 5);
  assert_int_equal(plan_need(0.5, 1), 1);
  assert_int_equal(plan_need(1, 7), 7);
}

static herr_t check_labels(hid_t loc, const char *name, const H5L_info_t *info, void *count) {
  (void)info;
  H5O_info_t oi;
  if (H5Oget_info_by_name(loc, name, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET) return 0;
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  bool ok = H5Aexists(ds, "units") > 0 && H5Aexists(ds, "long_name") > 0;
  H5Dclose(ds);
  if (!ok) return print_error("dataset %s lacks units or long_name\n", name), -1;
  ++*(int *)count;
  return 0;
}

static void the_hdf5_file_labels_every_dataset(void **state) {
  (void)state;
  plan pl;
  ss_err err = {{0}};
  char path[] = "/tmp/test_plan_XXXXXX";
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp failed");
  close(fd);
  run_plan(NULL, 0, 2, &pl);
  char *argv[] = {"servesim", "plan", "x.yaml"};
  assert_int_equal(planfile_write(&pl, path, 3, argv, NULL, 0, &err), SS_OK);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  check_msg(f >= 0, "%s does not open as HDF5", path);
  int count = 0;
  check_ge(H5Literate(f, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, check_labels, &count), 0);
  check_gt(count, 20);
  hid_t ds = H5Dopen2(f, "replicas", H5P_DEFAULT);
  double rep[2];
  check_ge(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rep), 0);
  check_eq(rep[0], pl.rows[0].replicas);
  check_eq(rep[1], pl.rows[1].replicas);
  H5Dclose(ds), H5Fclose(f);
  /* the file says what it is: a plan of this schema, by servesim */
  h5r r;
  char kind[32];
  assert_int_equal(h5r_open(&r, path, &err), SS_OK);
  if (h5r_check_kind(&r, kind, sizeof kind, &err)) fail_msg("%s", err.msg);
  assert_string_equal(kind, "plan");
  h5r_close(&r);
  /* the plan's input may not be overwritten by its output */
  const char *inputs[] = {path};
  assert_int_equal(planfile_write(&pl, path, 3, argv, inputs, 1, &err), SS_EUSAGE);
  check_msg(strstr(err.msg, "would overwrite the input"), "message: %s", err.msg);
  remove(path);
  plan_free(&pl);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(confidence_is_a_count_of_replicates),
      cmocka_unit_test(replica_search_agrees_with_a_brute_force_sweep),
      cmocka_unit_test(more_demand_never_needs_fewer_replicas),
      cmocka_unit_test(a_tighter_slo_never_costs_less),
      cmocka_unit_test(a_candidate_that_does_not_fit_is_listed_with_the_reason),
      cmocka_unit_test(answers_do_not_depend_on_the_thread_count),
      cmocka_unit_test(the_hdf5_file_labels_every_dataset),
  };
  return cmocka_run_group_tests(tests, load_db, free_db);
}
