/* test_fleet.c: fleets that change (sim/fleet, sim/autoscale, sim/windows): the autoscaler's rule, a
 * step in demand tracked within one control period, scale to zero billing nothing in an empty hour,
 * billing granularity, failures and spot interruptions (requeued or lost work, standby replicas), and
 * the equivalences that keep the static fleet exact: infinite MTBF and a zero spot hazard change
 * nothing. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "sim/autoscale.h"
#include "sim/fixture.h"
#include "sim/sim.h"

typedef struct {
  sim_result r;
  sim_stats st;
  sim_log log;
} run_out;

/* Replicate rep of base.yaml with overrides; `edit` (may be NULL) changes the resolved config. */
static void run_edit(void **state, const char *const *sets, void (*edit)(sim_config *c, void *arg), void *arg,
                     const sim_opts *o, uint64_t rep, run_out *out) {
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  memset(out, 0, sizeof *out);
  ss_status rc = fixture_load(state, sets, &fp, &err);
  if (!rc && edit) edit(&fp->pt.sim, arg);
  if (!rc) rc = sim_run_opts(&fp->pt.sim, fp->pt.seed, rep, o, &out->r, &out->log, &out->st, &err);
  fixture_point_free(fp);
  if (rc) fail_msg("%s", err.msg);
}

static void run(void **state, const char *const *sets, run_out *out) {
  run_edit(state, sets, NULL, NULL, NULL, 0, out);
}

/* ---- the autoscaler's rule (Kubernetes HPA) ---- */

static sim_autoscale hpa(void) {
  return (sim_autoscale){.policy = AS_TARGET,
                         .metric = AS_CONCURRENCY,
                         .target = 75,
                         .tolerance = 0.1,
                         .period_s = 15,
                         .up_window_s = 0,
                         .down_window_s = 300,
                         .min_replicas = 1,
                         .max_replicas = 100};
}

/* Kubernetes' own example: 50 replicas at 90 against a target of 75 become ceil(50 x 90 / 75) = 60. */
static void test_autoscaler_follows_the_hpa_formula_and_its_tolerance(void **state) {
  (void)state;
  autoscale a;
  ss_err err = {{0}};
  sim_autoscale c = hpa();
  assert_int_equal(autoscale_init(&a, &c, 50, &err), SS_OK);
  check_eq(autoscale_decide(&a, 15, 50, 50 * 90.0), 60);
  check_eq(autoscale_raw(&a, 30, 60, 60 * 75 * 1.09), 60); /* within the 10% band: no change */
  check_eq(autoscale_raw(&a, 30, 60, 60 * 75 * 1.11), ceil(60 * 1.11));
  check_eq(autoscale_raw(&a, 30, 0, 1), 1); /* from zero, any demand asks for a replica */
  check_eq(autoscale_raw(&a, 30, 0, 0), 0);
  autoscale_free(&a);
}

/* Scale-down follows the highest recommendation of the last down window; scale-up is immediate. */
static void test_autoscaler_stabilises_scale_down_over_its_window(void **state) {
  (void)state;
  autoscale a;
  ss_err err = {{0}};
  sim_autoscale c = hpa();
  c.target = 1, c.tolerance = 0;
  assert_int_equal(autoscale_init(&a, &c, 10, &err), SS_OK);
  uint32_t n = autoscale_decide(&a, 15, 1, 10); /* up to 10 at once */
  check_eq(n, 10);
  size_t tested = 0;
  for (double t = 30; t <= 15 + 300; t += 15, tested++) check_eq(n = autoscale_decide(&a, t, n, 2), 10);
  check_eq(autoscale_decide(&a, 330, n, 2), 2); /* the 10 left the window */
  check_min_cases(tested, 20);
  autoscale_free(&a);
}

static void test_autoscaler_holds_the_schedule_and_its_bounds(void **state) {
  (void)state;
  autoscale a;
  ss_err err = {{0}};
  sim_autoscale c = hpa();
  c.policy = AS_SCHEDULE, c.n_schedule = 24, c.max_replicas = 6, c.min_replicas = 2;
  for (int h = 0; h < 24; h++) c.schedule[h] = h;
  assert_int_equal(autoscale_init(&a, &c, 4, &err), SS_OK);
  check_eq(autoscale_decide(&a, 3 * 3600 + 5, 4, 0), 3);
  check_eq(autoscale_decide(&a, 0.5 * 3600, 3, 0), 2);           /* min_replicas */
  check_eq(autoscale_decide(&a, 20 * 3600, 2, 1e9), 6);          /* max_replicas */
  check_eq(autoscale_decide(&a, 24 * 3600 + 4 * 3600, 6, 0), 4); /* the next day repeats */
  autoscale_free(&a);
}

/* ---- a step in demand ---- */

/* Deterministic arrivals: rate r_i over [t_i, t_i+1), one-token requests. */
typedef struct {
  sim_trace tr;
  double t[20000];
  uint32_t ones[20000];
} step_trace;

static void make_steps(step_trace *s, const double *edges, const double *rates, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    for (double t = edges[i]; t < edges[i + 1] - 1e-9 && k < 20000; t += 1.0 / rates[i]) s->t[k] = t, s->ones[k++] = 1;
  s->tr = (sim_trace){s->t, s->ones, s->ones, k, 2};
}

static void use_trace(sim_config *c, void *arg) {
  c->wl.process = ARR_TRACE;
  c->wl.trace = &((step_trace *)arg)->tr;
  c->wl.time_scale = 1;
}

/* Each request is one step of a quarter second: a replica serves 4 requests/s. */
static double quarter_second(const void *ctx, const batch_shape *b) {
  (void)ctx, (void)b;
  return 0.25;
}

/* With no cold start and a target equal to the demand each replica should carry, the replica count
 * after a step in demand (2 -> 8 -> 2 requests/s, target 2 requests/s per replica) is right from the
 * first control tick after the step on: within one control period. */
static void test_autoscaler_tracks_a_step_within_one_control_period(void **state) {
  static step_trace tr;
  const double edges[] = {0, 600, 1200, 1800}, rates[] = {2, 8, 2};
  make_steps(&tr, edges, rates, 3);
  const char *const sets[] = {"horizon.duration_s=1800",
                              "horizon.warmup_s=0",
                              "deployment.scheduler.policy=single",
                              "deployment.scheduler.parallel_slots=1",
                              "fleet.autoscale.policy=target",
                              "fleet.autoscale.metric=rps",
                              "fleet.autoscale.target=2",
                              "fleet.autoscale.tolerance=0",
                              "fleet.autoscale.scale_down_window_s=0",
                              "fleet.autoscale.max_replicas=8",
                              "fleet.cold_start.provisioning_s=0",
                              "fleet.cold_start.engine_warmup_s=0",
                              "fleet.cold_start.load_gb_s=1e9",
                              "output.windows=on",
                              "output.window_s=15",
                              NULL};
  sim_opts o = {.step_time_s = quarter_second};
  run_out *out = malloc(sizeof *out);
  run_edit(state, sets, use_trace, &tr, &o, 0, out);
  assert_int_equal(out->log.n_win, 120);
  size_t tested = 0;
  for (size_t k = 0; k < out->log.n_win; k++, tested++) {
    const sim_window_row *w = &out->log.win[k];
    double want = w->t_start_s < 615 ? 1 : w->t_start_s < 1215 ? 4 : 1;
    if (w->t_start_s == 1215) { /* the three extra replicas drain what they hold (a quarter second) */
      check_within(w->replicas_mean, 1, 1 + 3 * 0.25 / 15);
      continue;
    }
    check_near(w->replicas_mean, want, 1e-6);
  }
  check_min_cases(tested, 120);
  check_eq(out->r.f[FM_requests_lost], 0);
  check_eq(out->st.arrived, out->st.finished);
  sim_log_free(&out->log);
  free(out);
}

/* ---- scale to zero ---- */

/* Traffic in hours 0 and 3 only: with min_replicas 0 the fleet empties during hour 1, so hour 2 bills
 * nothing; hour 3's first requests wait for a cold start. Under per-hour billing every stop rounds the
 * lifetime up to whole hours, billed when it ends (hour 1 at the latest), still nothing in hour 2: the
 * instances of hours 0 and 1 bill a whole number of GPU-hours, at least one per launch. */
static void test_scale_to_zero_bills_nothing_in_an_empty_hour(void **state) {
  const char *billing[] = {"fleet.billing=per_second", "fleet.billing=per_hour"};
  size_t tested = 0;
  for (size_t b = 0; b < 2; b++, tested++) {
    const char *const sets[] = {"horizon.duration_s=14400",
                                "horizon.warmup_s=0",
                                "workload.arrival.process=diurnal",
                                "workload.arrival.rate_per_s=2",
                                "workload.arrival.profile=[1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]",
                                "fleet.autoscale.policy=target",
                                "fleet.autoscale.target=8",
                                "fleet.autoscale.min_replicas=0",
                                "fleet.autoscale.max_replicas=2",
                                billing[b],
                                NULL};
    run_out *out = malloc(sizeof *out);
    run(state, sets, out);
    assert_int_equal(out->log.n_win, 4);
    const sim_window_row *w = out->log.win;
    check_gt(w[0].billed_gpu_hours, 0.99);
    check_eq(w[2].billed_gpu_hours, 0);
    check_eq(w[2].replicas_mean, 0);
    check_eq(w[2].replicas_billed_mean, 0);
    double early = w[0].billed_gpu_hours + w[1].billed_gpu_hours;
    if (b == 1) {
      check_near(early, round(early), 1e-9);
      check_ge(early, w[0].cold_starts + 1);
    }
    check_gt(w[3].finished, 1000);
    check_ge(w[3].ttft_p99_s, out->r.f[FM_cold_start_s] * 0.5); /* hour 3 opens with a cold start */
    check_eq(out->st.arrived, out->st.finished);
    sim_log_free(&out->log);
    free(out);
  }
  check_min_cases(tested, 2);
}

/* ---- what may not change ---- */

static const char *const BUSY[] = {"deployment.replicas=3", "workload.arrival.rate_per_s=40", "horizon.duration_s=60",
                                   "horizon.warmup_s=5",    "output.requests=true",           NULL};

/* Compares two runs' performance rows and per-request logs bit for bit. */
static void check_same_run(const run_out *a, const run_out *b) {
  assert_memory_equal(a->r.v, b->r.v, sizeof a->r.v);
  assert_int_equal(a->log.n_req, b->log.n_req);
  check_gt(a->log.n_req, 1000);
  assert_memory_equal(a->log.req, b->log.req, a->log.n_req * sizeof *a->log.req);
}

/* A fleet whose GPUs never fail (MTBF far beyond the horizon) is the failure-free fleet, bit for bit:
 * the failure clock has its own random stream and a replica that never fails routes like a static one. */
static void test_infinite_mtbf_equals_the_failure_free_run(void **state) {
  const char *const extra[] = {"fleet.failures.mtbf_gpu_h=1e15", NULL};
  const char *sets[16];
  size_t n = 0;
  for (size_t i = 0; BUSY[i]; i++) sets[n++] = BUSY[i];
  sets[n++] = extra[0], sets[n] = NULL;
  run_out *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  run(state, BUSY, a);
  run(state, sets, b);
  check_same_run(a, b);
  check_eq(b->r.f[FM_failures], 0);
  check_eq(b->r.f[FM_replicas_mean], 3);
  check_eq(b->r.f[FM_replicas_billed_mean], 3);
  sim_log_free(&a->log), sim_log_free(&b->log);
  free(a), free(b);
}

/* Spot instances that are never interrupted serve exactly as on-demand ones; only the bill's split moves. */
static void test_zero_spot_hazard_equals_on_demand(void **state) {
  const char *sets[16];
  size_t n = 0;
  for (size_t i = 0; BUSY[i]; i++) sets[n++] = BUSY[i];
  sets[n++] = "fleet.spot.share=1", sets[n++] = "fleet.spot.interruptions_per_hour=0";
  sets[n++] = "pricing.spot_usd_per_gpu_hour=1", sets[n] = NULL;
  run_out *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  run(state, BUSY, a);
  run(state, sets, b);
  check_same_run(a, b);
  check_eq(b->r.f[FM_spot_interruptions], 0);
  check_rel(b->r.f[FM_billed_gpu_hours_spot], 3 * (60 - 5) / 3600.0, 1e-12); /* every GPU-hour is spot */
  check_eq(a->r.f[FM_billed_gpu_hours_spot], 0);
  sim_log_free(&a->log), sim_log_free(&b->log);
  free(a), free(b);
}

/* ---- losses ---- */

/* Frequent failures: with requeue every request still finishes (requeued ones restart elsewhere); with
 * fail the lost ones are counted, conserved (arrived = finished + unfinished) and not taken for overload. */
static void test_failures_requeue_or_lose_the_work_of_the_lost_replica(void **state) {
  const char *mode[] = {"fleet.lost_work=requeue", "fleet.lost_work=fail"};
  size_t tested = 0;
  for (size_t m = 0; m < 2; m++, tested++) {
    const char *const sets[] = {"deployment.replicas=3",
                                "workload.arrival.rate_per_s=20",
                                "horizon.duration_s=600",
                                "horizon.warmup_s=0",
                                "fleet.failures.mtbf_gpu_h=0.05",
                                "fleet.failures.mttr_s=5",
                                "fleet.cold_start.provisioning_s=5",
                                "fleet.cold_start.engine_warmup_s=5",
                                mode[m],
                                NULL};
    run_out *out = malloc(sizeof *out);
    run(state, sets, out);
    check_gt(out->r.f[FM_failures], 3); /* about 10 expected: 3 GPUs at 1 per 180 s, less their downtime */
    check_eq(out->st.arrived, out->st.finished + out->st.unfinished);
    if (m == 0) {
      check_gt(out->r.f[FM_requests_requeued], 0);
      check_eq(out->r.f[FM_requests_lost], 0);
      check_eq(out->st.lost, 0);
    } else {
      check_gt(out->r.f[FM_requests_lost], 0);
      check_le(out->r.f[FM_requests_lost], out->st.lost); /* the row counts the measured window only */
      check_eq(out->r.v[RM_saturated], 0);
    }
    check_lt(out->r.f[FM_replicas_mean], 3); /* replicas were down part of the time */
    sim_log_free(&out->log);
    free(out);
  }
  check_min_cases(tested, 2);
}

/* A hot standby replica takes over a failed one at once: with a spare, the serving count dips less. */
static void test_a_standby_replica_takes_over_a_failed_one(void **state) {
  const char *const base[] = {"deployment.replicas=3",
                              "workload.arrival.rate_per_s=20",
                              "horizon.duration_s=600",
                              "horizon.warmup_s=0",
                              "fleet.failures.mtbf_gpu_h=0.05",
                              "fleet.failures.mttr_s=30",
                              "fleet.cold_start.provisioning_s=30",
                              NULL};
  const char *sets[16];
  size_t n = 0;
  for (size_t i = 0; base[i]; i++) sets[n++] = base[i];
  sets[n++] = "fleet.spares=1", sets[n] = NULL;
  run_out *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  run(state, base, a);
  run(state, sets, b);
  check_gt(a->r.f[FM_failures], 3);
  check_gt(b->r.f[FM_replicas_mean], a->r.f[FM_replicas_mean]);
  check_gt(b->r.f[FM_replicas_billed_mean], a->r.f[FM_replicas_billed_mean]); /* the spare is billed */
  sim_log_free(&a->log), sim_log_free(&b->log);
  free(a), free(b);
}

/* Spot interruptions: a notice, a drain, the reclaim; a replacement comes up; counted per window. */
static void test_spot_interruptions_drain_and_replace(void **state) {
  const char *const sets[] = {"deployment.replicas=2",
                              "workload.arrival.rate_per_s=10",
                              "horizon.duration_s=1800",
                              "horizon.warmup_s=0",
                              "fleet.spot.share=1",
                              "fleet.spot.interruptions_per_hour=4",
                              "fleet.spot.notice_s=30",
                              "pricing.spot_usd_per_gpu_hour=1",
                              "output.windows=on",
                              "output.window_s=600",
                              NULL};
  run_out *out = malloc(sizeof *out);
  /* 4 an hour: about 4 interruptions expected in half an hour over two instances */
  double seen = 0, per_window = 0;
  for (uint64_t rep = 0; rep < 5 && seen == 0; rep++) {
    run_edit(state, sets, NULL, NULL, NULL, rep, out);
    seen = out->r.f[FM_spot_interruptions];
    per_window = 0;
    for (size_t k = 0; k < out->log.n_win; k++) per_window += out->log.win[k].spot_interruptions;
    check_eq(out->st.arrived, out->st.finished + out->st.unfinished);
    if (!seen) sim_log_free(&out->log);
  }
  check_gt(seen, 0);
  check_eq(per_window, seen);
  check_gt(out->r.f[FM_cold_starts], 0); /* a replacement */
  sim_log_free(&out->log);
  free(out);
}

/* The windows add up to the replicate: arrivals, billed GPU-hours. */
static void test_windows_add_up_to_the_replicate(void **state) {
  const char *const sets[] = {"horizon.duration_s=7200",
                              "horizon.warmup_s=0",
                              "workload.arrival.process=diurnal",
                              "workload.arrival.rate_per_s=3",
                              "workload.arrival.profile=[1,0.3,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]",
                              "fleet.autoscale.policy=target",
                              "fleet.autoscale.target=6",
                              "fleet.autoscale.max_replicas=3",
                              "output.window_s=900",
                              NULL};
  run_out *out = malloc(sizeof *out);
  run(state, sets, out);
  double arrivals = 0, gpu_h = 0;
  for (size_t k = 0; k < out->log.n_win; k++)
    arrivals += out->log.win[k].arrivals, gpu_h += out->log.win[k].billed_gpu_hours;
  assert_int_equal(out->log.n_win, 8);
  check_eq(arrivals, out->r.v[RM_requests_arrived]);
  check_rel(gpu_h, out->r.f[FM_replicas_billed_mean] * 2.0, 1e-9); /* tp 1, two hours */
  check_le(out->r.v[RM_gpu_busy_frac], 1);
  sim_log_free(&out->log);
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_autoscaler_follows_the_hpa_formula_and_its_tolerance),
      cmocka_unit_test(test_autoscaler_stabilises_scale_down_over_its_window),
      cmocka_unit_test(test_autoscaler_holds_the_schedule_and_its_bounds),
      cmocka_unit_test(test_autoscaler_tracks_a_step_within_one_control_period),
      cmocka_unit_test(test_scale_to_zero_bills_nothing_in_an_empty_hour),
      cmocka_unit_test(test_infinite_mtbf_equals_the_failure_free_run),
      cmocka_unit_test(test_zero_spot_hazard_equals_on_demand),
      cmocka_unit_test(test_failures_requeue_or_lose_the_work_of_the_lost_replica),
      cmocka_unit_test(test_a_standby_replica_takes_over_a_failed_one),
      cmocka_unit_test(test_spot_interruptions_drain_and_replace),
      cmocka_unit_test(test_windows_add_up_to_the_replicate),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
