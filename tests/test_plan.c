/* test_plan.c: capacity planning on a small case (tests/plan_small.yaml): the replica search agrees
 * with a brute-force sweep over replica counts, more demand never needs fewer replicas, a tighter SLO
 * never costs less, candidates that do not fit are listed with perf's reason, the answers do not
 * depend on the thread count, and the HDF5 file labels every dataset. */
#include <hdf5.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "study/plan.h"
#include "io/planout.h"

static hwdb DB;
static const char *SMALL = SERVESIM_TEST_DIR "/plan_small.yaml";

static int load_db(void **state) {
  (void)state;
  ss_err err = {{0}};
  return hwdb_load(hwdb_default_dir(), &DB, &err) == SS_OK ? 0 : -1;
}

static int free_db(void **state) {
  (void)state;
  hwdb_free(&DB);
  return 0;
}

static void load(scenario *sc, const char *const *sets, size_t n) {
  ss_err err = {{0}};
  ss_status rc = scenario_load(SMALL, sets, n, &DB, sc, &err);
  if (rc) fail_msg("%s", err.msg);
}

static void run_plan(const char *const *sets, size_t n, int threads, plan *pl) {
  scenario sc;
  ss_err err = {{0}};
  plan_opts o = {threads, NULL};
  load(&sc, sets, n);
  if (plan_run(&sc, &DB, &o, pl, &err)) fail_msg("%s", err.msg);
}

static const plan_row *row_of(const plan *pl, size_t point) {
  for (size_t i = 0; i < pl->n_rows; i++)
    if (pl->rows[i].point == point) return &pl->rows[i];
  fail_msg("no row for point %zu", point);
  return NULL;
}

/* The first sweep point (fp16), resolved, as a plan_case at `rate_per_s`. */
static void small_case(scenario *pt, double rate_per_s) {
  scenario sc;
  ss_err err = {{0}};
  char set[64];
  const char *sets[] = {set};
  snprintf(set, sizeof set, "workload.arrival.rate_per_s=%g", rate_per_s);
  load(&sc, sets, 1);
  if (scenario_point(&sc, 0, &DB, pt, NULL, &err)) fail_msg("%s", err.msg);
}

static void replica_search_agrees_with_a_brute_force_sweep(void **state) {
  (void)state;
  static const double RATES[] = {8, 25, 40, 55, 70};
  scenario pt;
  ss_err err = {{0}};
  for (size_t k = 0; k < sizeof RATES / sizeof RATES[0]; k++) {
    small_case(&pt, RATES[k]);
    plan_case c = {&pt, &DB, pt.replicates, NULL, 2, NULL};
    size_t need = plan_need(pt.plan.confidence, c.n_reps), n_met;
    uint32_t found, brute = 0;
    bool met;
    assert_int_equal(plan_min_replicas(&c, pt.plan.max_replicas, need, &found, &n_met, NULL, &err), SS_OK);
    for (uint32_t r = 1; r <= pt.plan.max_replicas && !brute; r++) {
      assert_int_equal(plan_count_met(&c, r, RATES[k], need, &n_met, &met, NULL, &err), SS_OK);
      if (met) brute = r;
    }
    print_message("rate %g: search %u, brute force %u\n", RATES[k], found, brute);
    assert_true(brute > 1 || RATES[k] < 20); /* the case exercises the search, not only R = 1 */
    assert_int_equal(found, brute);
  }
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
      assert_true(r->replicas >= last[p]);
      last[p] = r->replicas;
    }
    plan_free(&pl);
  }
  assert_true(last[0] > 1); /* the demand range forces more than one replica */
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
      assert_true(cost >= last[p]);
      if (k == 0) first[p] = cost;
      last[p] = cost;
    }
    plan_free(&pl);
  }
  assert_true(last[0] > first[0] && last[1] > first[1]); /* the ladder does bind */
}

static void a_candidate_that_does_not_fit_is_listed_with_the_reason(void **state) {
  (void)state;
  plan pl;
  scenario sc;
  ss_err err = {{0}};
  plan_opts o = {2, NULL};
  if (scenario_load(SERVESIM_TEST_DIR "/plan_misfit.yaml", NULL, 0, &DB, &sc, &err)) fail_msg("%s", err.msg);
  assert_int_equal(plan_run(&sc, &DB, &o, &pl, &err), SS_OK);
  assert_int_equal(pl.n_rows, 2);
  const plan_row *misfit = row_of(&pl, 0), *fits = row_of(&pl, 1);
  assert_int_equal(fits->status, PLAN_MET);
  assert_int_equal(misfit->status, PLAN_NO_FIT);
  assert_ptr_equal(&pl.rows[1], misfit); /* listed, ranked after the candidates that fit */
  assert_non_null(strstr(misfit->reason, "does not fit"));
  assert_non_null(strstr(misfit->reason, "rtx-4090-24gb"));
  assert_true(isnan(misfit->usd_per_hour) && misfit->replicas == 0);
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
  assert_true(fd >= 0);
  close(fd);
  run_plan(NULL, 0, 2, &pl);
  char *argv[] = {"servesim", "plan", "x.yaml"};
  assert_int_equal(planout_write(&pl, path, 3, argv, &err), SS_OK);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  int count = 0;
  assert_true(H5Literate(f, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, check_labels, &count) >= 0);
  assert_true(count > 20);
  hid_t ds = H5Dopen2(f, "replicas", H5P_DEFAULT);
  double rep[2];
  assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rep) >= 0);
  assert_true(rep[0] == pl.rows[0].replicas && rep[1] == pl.rows[1].replicas);
  H5Dclose(ds), H5Fclose(f);
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
