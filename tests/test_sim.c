/* test_sim.c: the event loop end to end: fast-forward equals stepping, queueing theory (M/D/1,
 * Little's law), conservation, saturation and bounded memory in overload, determinism, common
 * random numbers, routing, the warm-up window, request counts, a serial benchmark client, multi-step scheduling and
 * front-end latency. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "sim/fixture.h"
#include "sim/sim.h"

typedef struct {
  sim_result r;
  sim_stats st;
  sim_log log;
} run_out;

/* Replicate rep of base.yaml with overrides, under the scenario's seed. */
static void run(void **state, const char *const *sets, const sim_opts *o, uint64_t rep, run_out *out) {
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  memset(out, 0, sizeof *out);
  ss_status rc = fixture_load(state, sets, &fp, &err);
  if (!rc) rc = sim_run_opts(&fp->pt.sim, fp->pt.seed, rep, o, &out->r, &out->log, &out->st, &err);
  fixture_point_free(fp);
  if (rc) fail_msg("%s", err.msg);
}

/* Scenarios that exercise everything: chunked prefill, several replicas, preemption. */
static const char *const BUSY[] = {"deployment.replicas=3", "workload.arrival.rate_per_s=60", "horizon.duration_s=60",
                                   "horizon.warmup_s=5",    "output.requests=true",           NULL};
static const char *const BUSY_STATIC[] = {"deployment.scheduler.policy=static",
                                          "deployment.scheduler.static_batch=6",
                                          "workload.arrival.rate_per_s=4",
                                          "output.requests=true",
                                          "horizon.duration_s=60",
                                          "horizon.warmup_s=5",
                                          NULL};
static const char *const BUSY_SINGLE[] = {"deployment.scheduler.policy=single",
                                          "deployment.scheduler.parallel_slots=3",
                                          "workload.arrival.rate_per_s=1",
                                          "output.requests=true",
                                          "horizon.duration_s=60",
                                          "horizon.warmup_s=5",
                                          NULL};

static const char *const BUSY_CLOSED[] = {"workload.arrival.process=closed",
                                          "workload.arrival.users=40",
                                          "deployment.replicas=2",
                                          "output.requests=true",
                                          "horizon.duration_s=60",
                                          "horizon.warmup_s=5",
                                          NULL};

static void test_fast_forward_gives_exactly_the_step_by_step_run(void **state) {
  const char *const *cases[] = {BUSY, BUSY_STATIC, BUSY_SINGLE, BUSY_CLOSED};
  size_t tested = 0;
  for (size_t c = 0; c < 4; c++) {
    run_out *ff = malloc(sizeof *ff), *step = malloc(sizeof *step);
    sim_opts o = {.kv_blocks = c == 0 ? 2500 : 0}; /* a small cache: preemptions happen */
    run(state, cases[c], &o, 0, ff);
    o.no_fast_forward = true;
    run(state, cases[c], &o, 0, step);
    check_gt(ff->st.inline_steps, 0);
    assert_int_equal(step->st.inline_steps, 0);
    assert_int_equal(ff->st.steps, step->st.steps);
    if (c == 0) check_gt(ff->st.preemptions, 0);
    assert_memory_equal(ff->r.v, step->r.v, sizeof ff->r.v);
    assert_int_equal(ff->log.n_req, step->log.n_req);
    check_gt(ff->log.n_req, 50);
    assert_memory_equal(ff->log.req, step->log.req, ff->log.n_req * sizeof *ff->log.req);
    sim_log_free(&ff->log), sim_log_free(&step->log);
    free(ff), free(step);
    tested++;
  }
  check_min_cases(tested, 4); /* continuous, static, single-stream and closed-loop runs */
}

/* Batch size 1 and a fixed service time: an M/D/1 queue. */
static double one_second(const void *ctx, const batch_shape *b) { return (void)ctx, (void)b, 1.0; }

static void test_mean_wait_matches_pollaczek_khinchine_for_md1(void **state) {
  const char *const sets[] = {"deployment.scheduler.policy=single",
                              "deployment.scheduler.parallel_slots=1",
                              "workload.input_tokens.dist=fixed",
                              "workload.input_tokens.value=10",
                              "workload.output_tokens.dist=fixed",
                              "workload.output_tokens.value=1",
                              "workload.arrival.rate_per_s=0.6",
                              "horizon.duration_s=20000",
                              "horizon.warmup_s=500",
                              NULL};
  const sim_opts o = {.step_time_s = one_second};
  enum { REPS = 10 };
  double sum = 0, ss = 0;
  for (int k = 0; k < REPS; k++) {
    run_out out;
    run(state, sets, &o, (uint64_t)k, &out);
    double w = out.r.v[RM_queue_mean_s];
    sum += w, ss += w * w;
    check_eq(out.r.v[RM_saturated], 0);
    /* service is exactly one step: TTFT = E2E = wait + 1 s */
    check_near(out.r.v[RM_e2e_mean_s], w + 1, 1e-9);
  }
  double rho = 0.6, pk = rho * 1.0 / (2 * (1 - rho)); /* 0.75 s */
  double mean = sum / REPS, sd = sqrt((ss - REPS * mean * mean) / (REPS - 1));
  check_near_strict(mean, pk, 3 * sd / sqrt(REPS)); /* 3 standard errors */
}

static const char *const *const VARIETY[] = {
    (const char *const[]){"workload.arrival.rate_per_s=8", "horizon.duration_s=400", NULL},
    (const char *const[]){"workload.arrival.process=gamma", "workload.arrival.cv=3", "workload.arrival.rate_per_s=6",
                          "horizon.duration_s=400", NULL},
    (const char *const[]){"workload.arrival.process=closed", "workload.arrival.users=20", "workload.arrival.think_s=2",
                          "horizon.duration_s=400", NULL},
    (const char *const[]){"deployment.replicas=4", "router=join_shortest_queue", "workload.arrival.rate_per_s=40",
                          "horizon.duration_s=200", NULL},
    (const char *const[]){"deployment.replicas=2", "router=round_robin", "workload.arrival.rate_per_s=30",
                          "horizon.duration_s=200", NULL},
};
#define NVARIETY (sizeof VARIETY / sizeof VARIETY[0])

static void test_littles_law_holds_on_every_run(void **state) {
  size_t tested = 0;
  for (size_t c = 0; c < NVARIETY; c++) {
    run_out out;
    run(state, VARIETY[c], NULL, 0, &out);
    double lambda = out.r.v[RM_requests_arrived] / out.r.v[RM_measured_s];
    double W = out.r.v[RM_e2e_mean_s], L = out.st.mean_in_system;
    check_eq(out.r.v[RM_saturated], 0);
    check_msg(fabs(L - lambda * W) <= 0.02 * L, "case %zu: L %.17g, lambda W %.17g", c, L, lambda * W);
    tested++;
  }
  check_min_cases(tested, NVARIETY);
}

static void test_requests_tokens_and_blocks_are_conserved(void **state) {
  size_t tested = 0;
  for (size_t c = 0; c < NVARIETY + 1; c++) {
    run_out out;
    const sim_opts small = {.kv_blocks = 2500};
    run(state, c < NVARIETY ? VARIETY[c] : BUSY, c < NVARIETY ? NULL : &small, 0, &out);
    const sim_stats *s = &out.st;
    assert_int_equal(s->arrived, s->finished + s->unfinished);
    assert_int_equal(s->tokens_emitted, s->tokens_of_finished + s->tokens_of_unfinished);
    check_le(s->kv_peak_blocks, s->kv_capacity_blocks);
    check_gt(s->kv_peak_blocks, 0);
    check_le(out.r.v[RM_kv_occupancy_max], 1.0);
    if (!s->unfinished) assert_int_equal(s->itl_samples, s->itl_expected); /* one ITL per token after the first */
    sim_log_free(&out.log);
    tested++;
  }
  check_min_cases(tested, NVARIETY + 1);
}

static double capacity_req_s(void **state, const char *const *extra) {
  const char *sets[16] = {"workload.arrival.process=offline", "workload.arrival.n=3000", "horizon.duration_s=100000"};
  size_t n = 3;
  while (extra && *extra) sets[n++] = *extra++;
  sets[n] = NULL;
  run_out out;
  run(state, sets, NULL, 0, &out);
  check_eq(out.r.v[RM_requests_unfinished], 0);
  return out.r.v[RM_req_s];
}

static void test_overload_ends_saturated_with_bounded_memory(void **state) {
  double cap = capacity_req_s(state, NULL);
  char rate[64];
  snprintf(rate, sizeof rate, "workload.arrival.rate_per_s=%g", 3 * cap);
  const char *const sets[] = {rate, "horizon.duration_s=300", "horizon.warmup_s=20", NULL};
  run_out out;
  const sim_opts o = {.max_in_flight = 2000};
  run(state, sets, &o, 0, &out);
  check_eq(out.r.v[RM_saturated], 1);
  check_gt(out.r.v[RM_requests_unfinished], 0);
  check_le(out.st.peak_in_flight, 2000); /* refused beyond the cap: memory is bounded */
  check_gt(out.st.rejected, 0);
  check_le(out.st.end_s, 300 + 0.5 * 280 + 1); /* the drain is bounded too */
  /* without the cap the run still ends, and holds at most the arrivals of the horizon */
  run(state, sets, NULL, 0, &out);
  check_eq(out.r.v[RM_saturated], 1);
  check_lt(out.st.peak_in_flight, out.st.arrived);
  /* half the capacity is stable */
  snprintf(rate, sizeof rate, "workload.arrival.rate_per_s=%g", 0.5 * cap);
  run(state, sets, NULL, 0, &out);
  check_eq(out.r.v[RM_saturated], 0);
  check_eq(out.r.v[RM_requests_unfinished], 0);
}

/* requests_arrived, requests_finished and requests_unfinished count the same requests, those that arrived
 * in the measured window: arrived = finished + unfinished at any load, refusals included. At 1000x capacity
 * the unfinished count used to cover the whole run (warm-up arrivals and refusals) and exceed the arrivals. */
static void test_arrivals_split_into_finished_and_unfinished_at_any_load(void **state) {
  double cap = capacity_req_s(state, NULL);
  const double loads[] = {0.5, 3, 1000};
  size_t tested = 0;
  for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++) {
    char rate[64];
    snprintf(rate, sizeof rate, "workload.arrival.rate_per_s=%g", loads[i] * cap);
    const char *const sets[] = {rate, "horizon.duration_s=120", "horizon.warmup_s=30", NULL};
    const sim_opts o = {.max_in_flight = 4000};
    run_out out;
    run(state, sets, &o, 0, &out);
    const double *v = out.r.v;
    check_msg(v[RM_requests_arrived] == v[RM_requests_finished] + v[RM_requests_unfinished],
              "%gx capacity: arrived %.0f != finished %.0f + unfinished %.0f", loads[i], v[RM_requests_arrived],
              v[RM_requests_finished], v[RM_requests_unfinished]);
    check_le(v[RM_requests_unfinished], v[RM_requests_arrived]);
    if (loads[i] > 100) check_gt(out.st.rejected, 0); /* refusals happened and are in the split */
    tested++;
  }
  check_min_cases(tested, 3);
}

/* A short horizon makes the number of requests in a stable batch wander: only a climbing waiting queue
 * is saturation (at 60 s the rule on requests in system flagged a quarter-capacity replicate). */
static void test_short_stable_runs_are_not_saturated_and_overload_is(void **state) {
  double cap = capacity_req_s(state, NULL);
  const double load[] = {0.2, 0.5, 0.8};
  char rate[64];
  size_t tested = 0;
  for (size_t i = 0; i < sizeof load / sizeof load[0]; i++)
    for (uint64_t rep = 0; rep < 8; rep++) {
      snprintf(rate, sizeof rate, "workload.arrival.rate_per_s=%g", load[i] * cap);
      const char *const sets[] = {rate, "horizon.duration_s=60", "horizon.warmup_s=10", NULL};
      run_out out;
      run(state, sets, NULL, rep, &out);
      check_msg(out.r.v[RM_saturated] == 0, "%.0f%% of capacity, replicate %llu flagged saturated", 100 * load[i],
                (unsigned long long)rep);
      tested++;
    }
  check_min_cases(tested, 24);
  snprintf(rate, sizeof rate, "workload.arrival.rate_per_s=%g", 1.5 * cap);
  const char *const over[] = {rate, "horizon.duration_s=60", "horizon.warmup_s=10", NULL};
  run_out out;
  run(state, over, NULL, 0, &out);
  check_eq(out.r.v[RM_saturated], 1);
}

static void test_same_seed_same_bits_other_replicate_other_traffic(void **state) {
  run_out a, b, c;
  run(state, VARIETY[0], NULL, 3, &a);
  run(state, VARIETY[0], NULL, 3, &b);
  run(state, VARIETY[0], NULL, 4, &c);
  assert_memory_equal(a.r.v, b.r.v, sizeof a.r.v);
  check_msg(memcmp(a.r.v, c.r.v, sizeof a.r.v) != 0, "replicates 3 and 4 gave bit-identical results");
}

static int cmp_row_arrival(const void *x, const void *y) {
  const sim_request_row *a = x, *b = y;
  return (a->arrival_s > b->arrival_s) - (a->arrival_s < b->arrival_s);
}

static void test_every_deployment_sees_the_same_traffic(void **state) {
  run_out a, b;
  run(state, (const char *const[]){"output.requests=true", NULL}, NULL, 1, &a);
  run(state, (const char *const[]){"output.requests=true", "deployment.tp=2", "deployment.replicas=2", NULL}, NULL, 1,
      &b);
  assert_int_equal(a.log.n_req, b.log.n_req);
  qsort(a.log.req, a.log.n_req, sizeof *a.log.req, cmp_row_arrival);
  qsort(b.log.req, b.log.n_req, sizeof *b.log.req, cmp_row_arrival);
  for (size_t i = 0; i < a.log.n_req; i++) {
    check_eq(a.log.req[i].arrival_s, b.log.req[i].arrival_s);
    assert_int_equal(a.log.req[i].input_tokens, b.log.req[i].input_tokens);
    assert_int_equal(a.log.req[i].output_tokens, b.log.req[i].output_tokens);
  }
  check_min_cases(a.log.n_req, 100); /* 4 req/s over 200 s: about 800 requests compared */
  sim_log_free(&a.log), sim_log_free(&b.log);
}

static void test_round_robin_spreads_requests_evenly(void **state) {
  run_out out;
  run(state,
      (const char *const[]){"output.requests=true", "deployment.replicas=4", "router=round_robin",
                            "workload.arrival.rate_per_s=10", NULL},
      NULL, 0, &out);
  size_t per[4] = {0};
  for (size_t i = 0; i < out.log.n_req; i++) per[out.log.req[i].replica]++;
  for (int i = 1; i < 4; i++) check_within(per[i], per[0] - 1.0, per[0] + 1.0);
  check_min_cases(out.log.n_req, 100); /* 10 req/s over 200 s */
  sim_log_free(&out.log);
}

static void test_only_arrivals_inside_the_window_are_measured(void **state) {
  run_out out;
  run(state, (const char *const[]){"output.requests=true", "horizon.warmup_s=50", NULL}, NULL, 0, &out);
  double in_window = 0;
  for (size_t i = 0; i < out.log.n_req; i++)
    in_window += out.log.req[i].arrival_s >= 50 && out.log.req[i].arrival_s < 200;
  check_eq(out.r.v[RM_requests_arrived], in_window);
  check_eq(out.r.v[RM_requests_finished], in_window); /* all finish in the drain */
  check_eq(out.r.v[RM_measured_s], 150);
  check_gt(out.st.arrived, in_window);
  sim_log_free(&out.log);
}

static void test_offline_measures_over_the_makespan(void **state) {
  run_out out;
  run(state,
      (const char *const[]){"workload.arrival.process=offline", "workload.arrival.n=500", "horizon.duration_s=10000",
                            "horizon.warmup_s=100", NULL},
      NULL, 0, &out);
  check_eq(out.r.v[RM_requests_finished], 500);
  check_lt(out.r.v[RM_measured_s], 10000);
  check_gt(out.r.v[RM_gpu_busy_frac], 0.99); /* the GPU never idles while the batch drains */
  check_eq(out.r.v[RM_saturated], 0);
}

/* A client that sends a fixed number of requests (a benchmark's --num-prompts) ends the run when they
 * finish; rates are over the makespan, not the horizon. */
static void test_a_request_count_ends_a_closed_loop_when_it_drains(void **state) {
  run_out out;
  run(state,
      (const char *const[]){"workload.arrival.process=closed", "workload.arrival.users=4",
                            "workload.arrival.requests=50", "horizon.duration_s=100000", "horizon.warmup_s=0", NULL},
      NULL, 0, &out);
  check_eq(out.r.v[RM_requests_arrived], 50);
  check_eq(out.r.v[RM_requests_finished], 50);
  check_lt(out.r.v[RM_measured_s], 1000); /* the makespan, not the 100000 s horizon */
  check_gt(out.r.v[RM_gpu_busy_frac], 0.5);
}

/* vLLM multi-step scheduling: at a load that keeps a batch decoding, an arrival lands at a random point
 * of a k-step window and waits for its end: TTFT grows by about (k - 1) / 2 decode steps. */
static void test_multi_step_scheduling_delays_ttft_by_about_half_a_window(void **state) {
  const char *base[] = {"workload.input_tokens.dist=fixed",
                        "workload.input_tokens.value=200",
                        "workload.output_tokens.dist=fixed",
                        "workload.output_tokens.value=400",
                        "workload.arrival.rate_per_s=2",
                        "horizon.duration_s=400",
                        NULL,
                        NULL};
  run_out one, ten;
  base[6] = "deployment.scheduler.num_scheduler_steps=1";
  run(state, base, NULL, 0, &one);
  base[6] = "deployment.scheduler.num_scheduler_steps=10";
  run(state, base, NULL, 0, &ten);
  double step = one.r.v[RM_itl_mean_s], grew = ten.r.v[RM_ttft_mean_s] - one.r.v[RM_ttft_mean_s];
  check_within(grew, 0.6 * 4.5 * step, 1.4 * 4.5 * step);
  check_near(ten.r.v[RM_output_tok_s], one.r.v[RM_output_tok_s], 0.05 * one.r.v[RM_output_tok_s]);
}

/* An engine's front end (HTTP, tokenisation) is part of every TTFT and end-to-end latency, and a
 * closed-loop user's next request reaches the engine that much later. */
static void test_front_end_latency_is_part_of_ttft_and_e2e(void **state) {
  const char *const sets[] = {"workload.arrival.rate_per_s=0.5", NULL};
  run_out plain, front;
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  run(state, sets, NULL, 0, &plain);
  assert_int_equal(fixture_load(state, sets, &fp, &err), SS_OK);
  engine_profile e = *fp->pt.sim.dep.hw.engine;
  e.api_latency_s = 0.05;
  fp->pt.sim.dep.hw.engine = &e;
  memset(&front, 0, sizeof front);
  assert_int_equal(sim_run_opts(&fp->pt.sim, fp->pt.seed, 0, NULL, &front.r, NULL, &front.st, &err), SS_OK);
  fixture_point_free(fp);
  check_near(front.r.v[RM_ttft_mean_s] - plain.r.v[RM_ttft_mean_s], 0.05, 1e-9); /* the same traffic and steps */
  check_near(front.r.v[RM_e2e_mean_s] - plain.r.v[RM_e2e_mean_s], 0.05, 1e-9);
  check_eq(front.r.v[RM_output_tok_s], plain.r.v[RM_output_tok_s]);
}

/* A benchmark client that prepares requests one at a time (old llmperf built each prompt in its send loop)
 * launches its users' requests client_s apart, first come first served: arrivals never come closer than
 * client_s, and a client far slower than the engine sets the request rate alone, each request meeting an idle
 * engine (the TTFT of one user). */
static void test_a_serial_client_launches_requests_client_s_apart(void **state) {
  const char *sets[] = {"workload.arrival.process=closed",
                        "workload.arrival.users=8",
                        "workload.input_tokens.dist=fixed",
                        "workload.input_tokens.value=200",
                        "workload.output_tokens.dist=fixed",
                        "workload.output_tokens.value=20",
                        "horizon.duration_s=600",
                        "horizon.warmup_s=0",
                        "output.requests=true",
                        NULL,
                        NULL};
  run_out alone, serial;
  sets[1] = "workload.arrival.users=1";
  run(state, sets, NULL, 0, &alone);
  sets[1] = "workload.arrival.users=8";
  sets[9] = "workload.arrival.client_s=5";
  run(state, sets, NULL, 0, &serial);
  check_ge(serial.log.n_req, 100);
  for (size_t i = 1; i < serial.log.n_req; i++)
    check_ge(serial.log.req[i].arrival_s - serial.log.req[i - 1].arrival_s, 5 - 1e-9);
  check_near(serial.r.v[RM_requests_arrived] / serial.r.v[RM_measured_s], 0.2, 0.01);
  check_near(serial.r.v[RM_ttft_mean_s], alone.r.v[RM_ttft_mean_s], 1e-9);
  sim_log_free(&alone.log);
  sim_log_free(&serial.log);
}

static int by_arrival(const void *a, const void *b) {
  double x = ((const sim_request_row *)a)->arrival_s, y = ((const sim_request_row *)b)->arrival_s;
  return (x > y) - (x < y);
}

/* A client that runs rounds (llmperf before its PR #59) sends the next round only when every request of the
 * last is answered: with lengths that vary, no round starts before the previous one's last finish; a client
 * without rounds re-sends each user at once, so rounds overlap. */
static void test_a_client_running_rounds_waits_for_the_whole_round(void **state) {
  const char *sets[] = {"workload.arrival.process=closed",
                        "workload.arrival.users=8",
                        "workload.output_tokens.dist=lognormal",
                        "workload.output_tokens.median=40",
                        "workload.output_tokens.sigma=0.8",
                        "workload.arrival.requests=96",
                        "horizon.duration_s=600",
                        "horizon.warmup_s=0",
                        "output.requests=true",
                        NULL,
                        NULL};
  run_out free_users, rounds;
  run(state, sets, NULL, 0, &free_users);
  sets[9] = "workload.arrival.rounds=true";
  run(state, sets, NULL, 0, &rounds);
  size_t overlaps[2] = {0, 0};
  run_out *runs[2] = {&free_users, &rounds};
  for (int k = 0; k < 2; k++) {
    sim_log *l = &runs[k]->log;
    check_ge(l->n_req, 96);
    qsort(l->req, l->n_req, sizeof l->req[0], by_arrival); /* round r / 8 is then rows r..r+7 */
    for (size_t r = 8; r + 8 <= l->n_req; r += 8) {
      double last_finish = 0, first_arrival = INFINITY;
      for (size_t i = r - 8; i < r; i++) last_finish = fmax(last_finish, l->req[i].finish_s);
      for (size_t i = r; i < r + 8; i++) first_arrival = fmin(first_arrival, l->req[i].arrival_s);
      overlaps[k] += first_arrival < last_finish;
    }
  }
  check_msg(overlaps[0] > 0, "users without rounds never overlapped two rounds");
  check_msg(overlaps[1] == 0, "%zu rounds started before the previous one finished", overlaps[1]);
  sim_log_free(&free_users.log);
  sim_log_free(&rounds.log);
}

static void test_time_series_and_request_rows_are_written_when_asked(void **state) {
  run_out out;
  run(state, (const char *const[]){"output.timeseries=true", NULL}, NULL, 0, &out);
  assert_int_equal(out.log.n_req, 0);
  check_ge(out.log.n_ts, 1000);
  for (size_t i = 1; i < out.log.n_ts; i++) check_gt(out.log.ts[i].t_s, out.log.ts[i - 1].t_s);
  sim_log_free(&out.log);
}

static void test_a_model_that_does_not_fit_fails_with_the_numbers(void **state) {
  fixture_point *fp = NULL;
  ss_err err = {{0}};
  sim_result r;
  assert_int_equal(fixture_load(state, (const char *const[]){"deployment.model=llama-3.1-70b", NULL}, &fp, &err),
                   SS_OK);
  assert_int_equal(sim_run(&fp->pt.sim, 1, 0, &r, NULL, &err), SS_EDATA);
  fixture_point_free(fp);
  check_msg(strstr(err.msg, "does not fit"), "message: %s", err.msg);
  check_nan(r.v[RM_output_tok_s]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fast_forward_gives_exactly_the_step_by_step_run),
      cmocka_unit_test(test_mean_wait_matches_pollaczek_khinchine_for_md1),
      cmocka_unit_test(test_littles_law_holds_on_every_run),
      cmocka_unit_test(test_requests_tokens_and_blocks_are_conserved),
      cmocka_unit_test(test_overload_ends_saturated_with_bounded_memory),
      cmocka_unit_test(test_arrivals_split_into_finished_and_unfinished_at_any_load),
      cmocka_unit_test(test_short_stable_runs_are_not_saturated_and_overload_is),
      cmocka_unit_test(test_same_seed_same_bits_other_replicate_other_traffic),
      cmocka_unit_test(test_every_deployment_sees_the_same_traffic),
      cmocka_unit_test(test_round_robin_spreads_requests_evenly),
      cmocka_unit_test(test_only_arrivals_inside_the_window_are_measured),
      cmocka_unit_test(test_offline_measures_over_the_makespan),
      cmocka_unit_test(test_a_request_count_ends_a_closed_loop_when_it_drains),
      cmocka_unit_test(test_a_serial_client_launches_requests_client_s_apart),
      cmocka_unit_test(test_a_client_running_rounds_waits_for_the_whole_round),
      cmocka_unit_test(test_multi_step_scheduling_delays_ttft_by_about_half_a_window),
      cmocka_unit_test(test_front_end_latency_is_part_of_ttft_and_e2e),
      cmocka_unit_test(test_time_series_and_request_rows_are_written_when_asked),
      cmocka_unit_test(test_a_model_that_does_not_fit_fails_with_the_numbers),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
