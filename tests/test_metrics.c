/* test_metrics.c: log-linear histograms keep quantiles within 1%, and the window rules hold. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/rng.h"
#include "check.h"
#include "sim/metrics.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_quantiles_are_within_one_percent_of_the_exact_order_statistic(void **state) {
  (void)state;
  enum { N = 20000 };
  double *v = malloc(N * sizeof *v);
  metrics_hist *h = malloc(sizeof *h);
  gsl_rng *r = rng_stream(rng_key(1, 0, 0), RNG_ARRIVALS);
  size_t tested = 0;
  for (int trial = 0; trial < 4; trial++) {
    metrics_hist_clear(h);
    for (int i = 0; i < N; i++) {
      v[i] = gsl_ran_lognormal(r, log(1e-3) + 3 * trial, 2.0); /* spans many octaves */
      metrics_hist_add(h, v[i], 1);
    }
    qsort(v, N, sizeof *v, cmp_double);
    const double qs[] = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0};
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
      double exact = v[(size_t)ceil(qs[k] * N) - 1];
      double got = metrics_hist_quantile(h, qs[k]);
      check_rel(got, exact, 0.01);
      tested++;
    }
  }
  check_min_cases(tested, 4 * 7);
  gsl_rng_free(r);
  free(h);
  free(v);
}

static void test_a_weighted_sample_counts_like_repeated_samples(void **state) {
  (void)state;
  metrics_hist *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  metrics_hist_clear(a), metrics_hist_clear(b);
  metrics_hist_add(a, 0.02, 7);
  metrics_hist_add(a, 0.5, 3);
  for (int i = 0; i < 7; i++) metrics_hist_add(b, 0.02, 1);
  for (int i = 0; i < 3; i++) metrics_hist_add(b, 0.5, 1);
  assert_memory_equal(a->count, b->count, sizeof a->count);
  check_near_strict(metrics_hist_mean(a), metrics_hist_mean(b), 1e-15);
  check_lt(metrics_hist_quantile(a, 0.7), 0.021);
  check_gt(metrics_hist_quantile(a, 0.71), 0.49);
  free(a), free(b);
}

static void test_merging_equals_adding_everything_to_one_histogram(void **state) {
  (void)state;
  metrics_hist *a = malloc(sizeof *a), *b = malloc(sizeof *b), *all = malloc(sizeof *all);
  metrics_hist_clear(a), metrics_hist_clear(b), metrics_hist_clear(all);
  for (int i = 1; i <= 500; i++) {
    metrics_hist_add(i % 2 ? a : b, i * 1e-3, 1);
    metrics_hist_add(all, i * 1e-3, 1);
  }
  metrics_hist_merge(a, b);
  assert_memory_equal(a->count, all->count, sizeof a->count);
  check_eq(a->min, all->min);
  check_eq(a->max, all->max);
  assert_int_equal(a->n, all->n);
  free(a), free(b), free(all);
}

static void test_an_empty_histogram_reports_nan_not_zero(void **state) {
  (void)state;
  metrics_hist *h = malloc(sizeof *h);
  metrics_hist_clear(h);
  check_nan(metrics_hist_quantile(h, 0.5));
  check_nan(metrics_hist_mean(h));
  free(h);
}

static void test_requests_arriving_in_the_warmup_are_left_out(void **state) {
  (void)state;
  metrics_acc *m = malloc(sizeof *m);
  metrics_init(m, 10, 100, 1.0, 0.1);
  metrics_arrival(m, 5);
  metrics_arrival(m, 50);
  metrics_finish(m, &(metrics_req){5, 5, 6, 20, 10, 0});      /* arrived in the warm-up */
  metrics_finish(m, &(metrics_req){50, 50.5, 51, 60, 11, 0}); /* measured */
  assert_int_equal(m->arrived, 1);
  assert_int_equal(m->finished, 1);
  assert_int_equal(m->finished_in_window, 2); /* throughput counts every completion in the window */
  check_near_strict(metrics_hist_mean(&m->ttft), 1.0, 1e-12);
  check_near_strict(metrics_hist_mean(&m->tpot), 0.9, 1e-12); /* (60 - 51) / (11 - 1) */
  check_near_strict(metrics_hist_mean(&m->queue), 0.5, 1e-12);
  assert_int_equal(m->good, 0); /* TTFT 1.0 meets 1.0, TPOT 0.9 misses 0.1 */
  free(m);
}

static void test_time_integrals_count_only_the_window(void **state) {
  (void)state;
  metrics_acc *m = malloc(sizeof *m);
  sim_result r;
  metrics_init(m, 10, 20, 1, 1);
  metrics_step(m, 5, 15, 4, 800, 2, 8);  /* 5 s inside; the replica's two GPUs draw 800 W together */
  metrics_step(m, 18, 25, 2, 600, 2, 8); /* 2 s inside */
  metrics_queue(m, 0, 3);                /* 3 waiting from t = 0 ... */
  metrics_queue(m, 15, 1);               /* ... 1 from t = 15 to the end */
  metrics_final f = {.replicas = 1, .gpus_per_replica = 2, .idle_w = 50, .kv_capacity_blocks = 8, .measured_s = 10};
  metrics_finalize(m, &f, &r);
  check_near_strict(r.v[RM_gpu_busy_frac], 0.7, 1e-12);
  check_near_strict(r.v[RM_kv_occupancy_mean], (5 * 4 + 2 * 2) / 80.0, 1e-12);
  check_near_strict(r.v[RM_queue_len_mean], (5 * 3 + 5 * 1) / 10.0, 1e-12);
  /* energy of the steps inside the window, idle power between them: (5 x 800 + 2 x 600 + 3 x 2 x 50) J
   * over 2 GPUs and 10 s */
  check_near_strict(r.v[RM_gpu_power_w_mean], (5 * 800 + 2 * 600 + 3 * 2 * 50) / 20.0, 1e-12);
  check_nan(r.v[RM_ttft_p99_s]);   /* nothing finished: not measured, so NAN */
  check_nan(r.v[RM_usd_per_hour]); /* cost rows are left to study/costing */
  free(m);
}

/* Disaggregated pools: a prefill replica of 1 GPU and a decode replica of 4. Idle power fills each
 * GPU's own idle time, and KV occupancy is each replica's own fraction, averaged. */
static void test_unlike_replicas_weigh_power_and_occupancy_by_their_own_size(void **state) {
  (void)state;
  metrics_acc *m = malloc(sizeof *m);
  sim_result r;
  metrics_init(m, 0, 10, 1, 1);
  metrics_step(m, 0, 10, 50, 400, 1, 100); /* the 1-GPU replica busy all along, half full */
  metrics_step(m, 0, 5, 10, 2000, 4, 40);  /* the 4-GPU replica busy half the time, a quarter full */
  metrics_final f = {.replicas = 2,
                     .gpus_per_replica = 1,
                     .gpus_total = 5,
                     .idle_w = 100,
                     .kv_capacity_blocks = 100,
                     .measured_s = 10};
  metrics_finalize(m, &f, &r);
  check_near_strict(r.v[RM_gpu_power_w_mean], (10 * 400 + 5 * 2000 + 5 * 4 * 100) / 50.0, 1e-12);
  check_near_strict(r.v[RM_kv_occupancy_mean], (10 * 0.5 + 5 * 0.25) / 20.0, 1e-12);
  check_near_strict(r.v[RM_gpu_busy_frac], 15 / 20.0, 1e-12);
  free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unlike_replicas_weigh_power_and_occupancy_by_their_own_size),
      cmocka_unit_test(test_quantiles_are_within_one_percent_of_the_exact_order_statistic),
      cmocka_unit_test(test_a_weighted_sample_counts_like_repeated_samples),
      cmocka_unit_test(test_merging_equals_adding_everything_to_one_histogram),
      cmocka_unit_test(test_an_empty_histogram_reports_nan_not_zero),
      cmocka_unit_test(test_requests_arriving_in_the_warmup_are_left_out),
      cmocka_unit_test(test_time_integrals_count_only_the_window),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
