/* test_result.c: the metric table, the one SLO predicate that study and plan share, and which metrics
 * are latencies (left out of summaries for saturated replicates). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "sim/result.h"

static sim_result stable(double ttft_p99_s, double tpot_p99_s) {
  sim_result r;
  result_clear(&r);
  r.v[RM_saturated] = 0;
  r.v[RM_ttft_p99_s] = ttft_p99_s;
  r.v[RM_tpot_p99_s] = tpot_p99_s;
  return r;
}

static void a_replicate_within_both_objectives_meets_the_slo(void **state) {
  (void)state;
  sim_result r = stable(1.9, 0.09);
  assert_true(result_meets_slo(&r, 2.0, 0.1));
  r = stable(2.1, 0.09);
  assert_false(result_meets_slo(&r, 2.0, 0.1));
  r = stable(1.9, 0.11);
  assert_false(result_meets_slo(&r, 2.0, 0.1));
}

static void a_saturated_replicate_never_meets_the_slo(void **state) {
  (void)state;
  sim_result r = stable(0.1, 0.01);
  r.v[RM_saturated] = 1;
  assert_false(result_meets_slo(&r, 2.0, 0.1));
}

static void no_finished_request_fails_but_one_token_answers_have_no_tpot_to_miss(void **state) {
  (void)state;
  sim_result r = stable(NAN, NAN);
  assert_false(result_meets_slo(&r, 2.0, 0.1));
  r = stable(0.5, NAN); /* every request produced one token: TPOT is undefined */
  assert_true(result_meets_slo(&r, 2.0, 0.1));
}

static void every_metric_has_a_cf_unit_and_a_long_name(void **state) {
  (void)state;
  size_t tested = 0;
  for (int m = 0; m < RM_COUNT; m++) {
    const char *units = result_units((result_metric)m);
    assert_non_null(units);
    check_gt(strlen(result_long_name((result_metric)m)), 5);
    check_msg(strcmp(units, "seconds") != 0, "%s: units 'seconds' (xarray would make timedeltas)",
              result_name((result_metric)m));
    tested++;
  }
  check_min_cases(tested, 40);
}

static void only_latency_metrics_leave_out_saturated_replicates(void **state) {
  (void)state;
  assert_true(result_is_latency(RM_ttft_p99_s));
  assert_true(result_is_latency(RM_tpot_p99_s));
  assert_true(result_is_latency(RM_e2e_mean_s));
  assert_true(result_is_latency(RM_queue_p99_s));
  assert_false(result_is_latency(RM_output_tok_s));
  assert_false(result_is_latency(RM_measured_s));
  assert_false(result_is_latency(RM_usd_per_1m_output));
  assert_false(result_is_latency(RM_saturated));
  /* every latency is measured in seconds */
  size_t latencies = 0;
  for (int m = 0; m < RM_COUNT; m++)
    if (result_is_latency((result_metric)m)) {
      assert_string_equal(result_units((result_metric)m), "s");
      latencies++;
    }
  check_min_cases(latencies, 18); /* TTFT, TPOT, ITL, E2E and queueing delay statistics */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_replicate_within_both_objectives_meets_the_slo),
      cmocka_unit_test(a_saturated_replicate_never_meets_the_slo),
      cmocka_unit_test(no_finished_request_fails_but_one_token_answers_have_no_tpot_to_miss),
      cmocka_unit_test(every_metric_has_a_cf_unit_and_a_long_name),
      cmocka_unit_test(only_latency_metrics_leave_out_saturated_replicates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
