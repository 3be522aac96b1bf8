/* test_decision.c: how sure plan's answer is. Clopper-Pearson intervals match published values; the
 * order statistics bracketing a quantile have at least 95% coverage with equal tails and are the
 * tightest that do; on a small plan, the chosen deployment's probability of meeting the SLO is at
 * least plan.confidence with an interval around it, the demand at which it drops to the confidence is
 * at or above the demand the plan sized for, and every number is the same for 1 and 3 threads. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "hwdb/hwdb.h"
#include "study/decision.h"
#include "study/plan.h"

/* Clopper and Pearson (1934), Biometrika 26:404; values as tabulated by, e.g., R's binom.test. */
static void test_clopper_pearson_intervals_match_published_values(void **state) {
  (void)state;
  const struct {
    size_t x, n;
    double lo, hi;
  } CASES[] = {{5, 10, 0.187086, 0.812914}, {0, 10, 0, 0.308497}, {10, 10, 0.691503, 1}, {19, 20, 0.751267, 0.998735}};
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    double lo, hi;
    decision_binomial_ci(CASES[i].x, CASES[i].n, 0.95, &lo, &hi);
    check_near(lo, CASES[i].lo, 1e-6);
    check_near(hi, CASES[i].hi, 1e-6);
  }
}

static double binom_le(long k, double q, size_t n) {
  return k < 0 ? 0 : gsl_cdf_binomial_P((unsigned)k, q, (unsigned)n);
}

static void test_quantile_intervals_cover_with_equal_tails_and_are_tightest(void **state) {
  (void)state;
  const size_t ns[] = {6, 20, 59, 100, 500};
  const double qs[] = {0.05, 0.2, 0.5};
  size_t tested = 0, lo, hi;
  for (size_t a = 0; a < 5; a++)
    for (size_t b = 0; b < 3; b++, tested++) {
      size_t n = ns[a];
      double q = qs[b];
      decision_quantile_ci(n, q, 0.95, &lo, &hi);
      if (lo) check_le(binom_le((long)lo - 1, q, n), 0.025);                /* P(X_(lo) > x_q) */
      if (lo < n) check_gt(binom_le((long)lo, q, n), 0.025);                /* lo + 1 would not do */
      if (hi <= n) check_ge(binom_le((long)hi - 1, q, n), 0.975);           /* P(X_(hi) >= x_q) */
      if (hi > 1 && hi <= n) check_lt(binom_le((long)hi - 2, q, n), 0.975); /* hi - 1 would not do */
    }
  check_min_cases(tested, 15);
  decision_quantile_ci(100, 0.05, 0.95, &lo, &hi);
  assert_int_equal(lo, 1);
  assert_int_equal(hi, 11);
  decision_quantile_ci(6, 0.2, 0.95, &lo, &hi);
  assert_int_equal(lo, 0); /* even the smallest of 6 is above the 20% quantile too often */
  assert_int_equal(hi, 4);
}

static void run_plan(const hwdb *db, int threads, plan *pl) {
  study_spec *spec = malloc(sizeof *spec);
  const char *sets[] = {"sweep.deployment.weights=[fp8]", "replicates=8", "horizon.duration_s=60",
                        "horizon.warmup_s=10"};
  ss_err err = {{0}};
  plan_opts o = {threads, NULL};
  char path[512];
  snprintf(path, sizeof path, "%s/plan_small.yaml", SERVESIM_TEST_DIR);
  if (scenario_load(path, sets, 4, db, spec, &err) || plan_run(spec, db, &o, pl, &err)) fail_msg("%s", err.msg);
  scenario_free(spec);
  free(spec);
}

static void test_the_chosen_deployment_meets_the_slo_with_a_stated_probability(void **state) {
  (void)state;
  hwdb db;
  plan a, b;
  ss_err err = {{0}};
  if (hwdb_load(TEST_HWDB, &db, &err)) fail_msg("%s", err.msg);
  run_plan(&db, 1, &a), run_plan(&db, 3, &b);
  const plan_decision *d = a.decision;
  assert_non_null(d);
  assert_int_equal(d->replicas, a.rows[0].replicas);
  check_ge(d->p_meet, a.confidence);
  check_le(d->p_meet_lo, d->p_meet);
  check_lt(d->p_meet_lo, 1); /* 8 replicates cannot make it certain */
  check_ge(d->demand_at_confidence, a.demand_per_s * (1 - a.rate_rel_tol));
  check_le(d->demand_at_confidence, d->demand_hi);
  assert_int_equal(d->need_for_lower, 17); /* (1 - 0.2)^n <= 0.025 from n = 17 */
  check_nan(d->demand_lo);
  assert_memory_equal(d->demand_rep, b.decision->demand_rep, d->n_reps * sizeof *d->demand_rep);
  check_eq(d->demand_at_confidence, b.decision->demand_at_confidence);
  plan_free(&a), plan_free(&b);
  hwdb_free(&db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_clopper_pearson_intervals_match_published_values),
      cmocka_unit_test(test_quantile_intervals_cover_with_equal_tails_and_are_tightest),
      cmocka_unit_test(test_the_chosen_deployment_meets_the_slo_with_a_stated_probability),
  };
  gsl_set_error_handler_off(); /* as main does */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
