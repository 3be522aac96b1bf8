/* bench_study.c: parallel efficiency of a Monte Carlo study, time at 1 thread / (N x time at N
 * threads), on a scenario (default: scenarios/default.yaml with 32 replicates per point).
 * usage: bench_study [SCENARIO.yaml [REPLICATES [MAX_THREADS]]]; best of 3 runs per thread count.
 * Not a test: the figures depend on the machine and on what else runs on it. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "study/study.h"

static double best_time(const study_spec *sc, const hwdb *db, int threads, study *keep) {
  double best = 1e300;
  for (int rep = 0; rep < 3; rep++) {
    study st;
    ss_err err = {{0}};
    study_opts o = {.threads = threads};
    double t0 = omp_get_wtime();
    if (study_run(sc, db, &o, &st, &err)) {
      fprintf(stderr, "bench_study: %s\n", err.msg);
      exit(70);
    }
    double t = omp_get_wtime() - t0;
    best = t < best ? t : best;
    if (rep == 0 && keep)
      *keep = st;
    else
      study_free(&st);
  }
  return best;
}

int main(int argc, char **argv) {
  char path[1024], reps[64];
  snprintf(path, sizeof path, "%s/../scenarios/default.yaml", SERVESIM_HWDB_DIR);
  const char *scen = argc > 1 ? argv[1] : path;
  snprintf(reps, sizeof reps, "replicates=%s", argc > 2 ? argv[2] : "32");
  int max_threads = argc > 3 ? (int)strtol(argv[3], NULL, 10) : omp_get_num_procs();
  if (max_threads < 1) max_threads = 1;
  const char *sets[] = {reps};
  hwdb db;
  study_spec *sc = malloc(sizeof *sc);
  ss_err err = {{0}};
  char dir[4096];
  if (!sc || hwdb_load(hwdb_default_dir(dir, sizeof dir), &db, &err) || scenario_load(scen, sets, 1, &db, sc, &err)) {
    fprintf(stderr, "bench_study: %s\n", err.msg);
    return 65;
  }
  size_t tasks = scenario_points(sc) * sc->base.replicates;
  printf("# bench_study: %s, %zu tasks (%zu points x %u replicates), %d cores\n\n", scen, tasks, scenario_points(sc),
         sc->base.replicates, omp_get_num_procs());
  printf("| threads | best of 3, s | tasks/s | speed-up | parallel efficiency |\n|---|---|---|---|---|\n");
  study one, other;
  double t1 = best_time(sc, &db, 1, &one);
  for (int n = 1; n <= max_threads; n *= 2) {
    double tn = n == 1 ? t1 : best_time(sc, &db, n, &other);
    printf("| %d | %.3f | %.1f | %.2f | %.1f%% |\n", n, tn, (double)tasks / tn, t1 / tn, 100 * t1 / (n * tn));
    if (n > 1) {
      int same = !memcmp(one.res, other.res, tasks * sizeof *one.res);
      study_free(&other);
      if (!same) {
        fprintf(stderr, "bench_study: results at %d threads differ from 1 thread\n", n);
        return 70;
      }
    }
  }
  study_free(&one);
  hwdb_free(&db);
  scenario_free(sc);
  free(sc);
  return 0;
}
