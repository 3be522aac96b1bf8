/* bench_sim.c: simulator speed on the reference scenario (bench/reference.yaml: Llama 3.1 70B FP8
 * on 4 x H100 SXM, vLLM profile, lognormal lengths with medians 800 in / 250 out), Poisson at 80%
 * of the capacity measured by an offline run. Prints simulated requests/s, events/s and peak RSS.
 * Usage: bench_sim [requests (default 1e6)] [--no-fast-forward] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "sim/sim.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_s(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_sec +
         1e-6 * (double)u.ru_stime.tv_usec;
}

static int fail(const ss_err *err) {
  fprintf(stderr, "bench_sim: %s\n", err->msg);
  return 1;
}

int main(int argc, char **argv) {
  double n_req = 1e6;
  sim_opts opts = {0};
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--no-fast-forward"))
      opts.no_fast_forward = true;
    else
      n_req = strtod(argv[i], NULL);
  }
  hwdb db;
  ss_err err = {{0}};
  static study_spec spec;
  sc_point pt;
  char dir[4096];
  const char *path = SERVESIM_HWDB_DIR "/../bench/reference.yaml";
  if (hwdb_load(hwdb_default_dir(dir, sizeof dir), &db, &err)) return fail(&err);
  const char *offline[] = {"workload.arrival.process=offline", "workload.arrival.n=20000", "horizon.duration_s=1e6"};
  sim_result r;
  sim_stats st;
  if (scenario_load(path, offline, 3, &db, &spec, &err) || scenario_point(&spec, 0, &db, &pt, &err) ||
      sim_run_opts(&pt.sim, pt.seed, 0, &opts, &r, NULL, &st, &err))
    return fail(&err);
  scenario_free(&spec);
  double capacity = r.v[RM_req_s], rate = 0.8 * capacity, duration = n_req / rate;
  char set_rate[64], set_dur[64], set_warm[64];
  snprintf(set_rate, sizeof set_rate, "workload.arrival.rate_per_s=%.17g", rate);
  snprintf(set_dur, sizeof set_dur, "horizon.duration_s=%.17g", duration);
  snprintf(set_warm, sizeof set_warm, "horizon.warmup_s=%.17g", 0.01 * duration);
  const char *online[] = {set_rate, set_dur, set_warm};
  if (scenario_load(path, online, 3, &db, &spec, &err) || scenario_point(&spec, 0, &db, &pt, &err)) return fail(&err);
  double w0 = now_s(), c0 = cpu_s();
  if (sim_run_opts(&pt.sim, pt.seed, 0, &opts, &r, NULL, &st, &err)) return fail(&err);
  double wall = now_s() - w0, cpu = cpu_s() - c0;
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  double events = (double)(st.heap_events + st.inline_steps);
  printf("# bench_sim: %s, fast-forward %s\n", pt.name, opts.no_fast_forward ? "off" : "on");
  printf("capacity (offline, 20000 requests)   %.3f req/s; Poisson at 80%%: %.3f req/s for %.0f s\n", capacity, rate,
         duration);
  printf("simulated requests                    %lu (finished %lu, saturated %g)\n", (unsigned long)st.arrived,
         (unsigned long)st.finished, r.v[RM_saturated]);
  printf("engine steps                          %lu (%lu run inline by fast-forward)\n", (unsigned long)st.steps,
         (unsigned long)st.inline_steps);
  printf("heap events                           %lu\n", (unsigned long)st.heap_events);
  printf("wall time                             %.3f s (CPU %.3f s)\n", wall, cpu);
  printf("simulated requests per second         %.3g per core\n", (double)st.arrived / cpu);
  printf("events per second (heap + inline)     %.3g per core\n", events / cpu);
  printf("engine steps per second               %.3g per core\n", (double)st.steps / cpu);
  printf("peak RSS                              %.1f MB\n", (double)u.ru_maxrss / 1024.0);
  printf("peak requests in flight               %lu\n", (unsigned long)st.peak_in_flight);
  printf("check: output tok/s %.1f, TTFT p99 %.3f s, TPOT p50 %.4f s, GPU busy %.3f\n", r.v[RM_output_tok_s],
         r.v[RM_ttft_p99_s], r.v[RM_tpot_p50_s], r.v[RM_gpu_busy_frac]);
  scenario_free(&spec);
  hwdb_free(&db);
  return 0;
}
