/* bench_soak.c: long runs of the event simulator on the reference scenario (bench/reference.yaml):
 * 1e6, 1e7 and 1e8 requests at 80% of the capacity, then overload at 3x and 10x the capacity for a
 * long horizon and for twice as long. It checks what must hold however long a run is: peak RSS does
 * not grow with the request count or the horizon (per-request state is recycled; in overload the
 * in-flight cap refuses arrivals), the saturation flag is honest (0 at 80%, 1 in overload), the run
 * ends within the drain bound, and arrivals = finished + unfinished. Exit 1 when a check fails.
 * Usage: bench_soak [max requests at 80% (default 1e8)] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "sim/sim.h"

static hwdb db;
static study_spec spec;
static const char *const PATH = SERVESIM_HWDB_DIR "/../bench/reference.yaml";

static double cpu_s(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_sec +
         1e-6 * (double)u.ru_stime.tv_usec;
}

static double peak_rss_mb(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_maxrss / 1024.0;
}

/* One replicate of the reference scenario with overrides; false (and a message) when it fails. */
static bool run(const char *const *sets, size_t n, sim_result *r, sim_stats *st) {
  sc_point pt;
  ss_err err = {{0}};
  if (scenario_load(PATH, sets, n, &db, &spec, &err) || scenario_point(&spec, 0, &db, &pt, &err) ||
      sim_run_opts(&pt.sim, pt.seed, 0, NULL, r, NULL, st, &err)) {
    fprintf(stderr, "bench_soak: %s\n", err.msg);
    return false;
  }
  scenario_free(&spec);
  return true;
}

/* A run at rate_per_s for duration_s: prints a table row and checks it. */
static bool soak(const char *label, double rate, double duration, bool want_saturated, double rss_limit_mb) {
  char set_rate[64], set_dur[64], set_warm[64];
  snprintf(set_rate, sizeof set_rate, "workload.arrival.rate_per_s=%.17g", rate);
  snprintf(set_dur, sizeof set_dur, "horizon.duration_s=%.17g", duration);
  snprintf(set_warm, sizeof set_warm, "horizon.warmup_s=%.17g", 0.01 * duration);
  const char *sets[] = {set_rate, set_dur, set_warm, "limits.max_tasks=1"};
  sim_result r;
  sim_stats st;
  double c0 = cpu_s();
  if (!run(sets, 4, &r, &st)) return false;
  double cpu = cpu_s() - c0, rss = peak_rss_mb(), measured = duration * 0.99;
  const double *v = r.v;
  bool balance = v[RM_requests_arrived] == v[RM_requests_finished] + v[RM_requests_unfinished];
  bool drained = st.end_s <= duration + fmax(60, 0.5 * measured) + 1;
  bool flag = (v[RM_saturated] > 0.5) == want_saturated;
  bool ok = balance && drained && flag && rss <= rss_limit_mb;
  printf("| %s | %.3g | %.3g s | %.4g | %.3g | %.3g | %.0f | %g | %.1f | %.1f | %s |\n", label, rate, duration,
         (double)st.arrived, (double)st.finished, (double)st.rejected, (double)st.peak_in_flight, v[RM_saturated], cpu,
         rss, ok ? "ok" : "FAIL");
  if (!balance)
    fprintf(stderr, "  arrived %.0f != finished %.0f + unfinished %.0f\n", v[RM_requests_arrived],
            v[RM_requests_finished], v[RM_requests_unfinished]);
  if (!drained) fprintf(stderr, "  the run ended at %.0f s, past the drain bound\n", st.end_s);
  if (!flag) fprintf(stderr, "  saturated %g, want %d\n", v[RM_saturated], want_saturated);
  if (rss > rss_limit_mb) fprintf(stderr, "  peak RSS %.1f MB above %.1f MB\n", rss, rss_limit_mb);
  fflush(stdout);
  return ok;
}

int main(int argc, char **argv) {
  double max_req = argc > 1 ? strtod(argv[1], NULL) : 1e8;
  char dir[4096];
  ss_err err = {{0}};
  if (hwdb_load(hwdb_default_dir(dir, sizeof dir), &db, &err)) return fprintf(stderr, "bench_soak: %s\n", err.msg), 1;
  const char *offline[] = {"workload.arrival.process=offline", "workload.arrival.n=20000", "horizon.duration_s=1e6"};
  sim_result r;
  sim_stats st;
  if (!run(offline, 3, &r, &st)) return 1;
  double cap = r.v[RM_req_s];
  printf("# bench_soak: reference scenario, capacity %.3f req/s (offline, 20000 requests)\n\n", cap);
  printf("| run | rate (req/s) | horizon | arrived | finished | refused | peak in flight | saturated | CPU s | "
         "peak RSS (MB) | check |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  bool ok = true;
  double rss0 = peak_rss_mb();
  /* stable load: memory must not grow with the request count (a few MB of slack for the allocator) */
  for (double n = 1e6; n <= max_req * 1.0001; n *= 10)
    ok &= soak("80% of capacity", 0.8 * cap, n / (0.8 * cap), false, rss0 + 8);
  /* overload: the in-flight cap (2^18 requests, ~60 MB) bounds memory; twice the horizon, same peak */
  double rss_overload = 0;
  for (int k = 0; k < 2; k++) {
    double rss_before = peak_rss_mb();
    for (int f = 0; f < 2; f++) {
      double factor = f ? 10 : 3, horizon = (k ? 2 : 1) * 2e5;
      char label[64];
      snprintf(label, sizeof label, "%gx capacity", factor);
      ok &= soak(label, factor * cap, horizon, true, k ? rss_overload + 8 : rss_before + 200);
    }
    if (!k) rss_overload = peak_rss_mb();
  }
  printf("\n%s\n", ok ? "every check held" : "FAIL: a check failed");
  hwdb_free(&db);
  return ok ? 0 : 1;
}
