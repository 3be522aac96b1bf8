/* api_example.c: embedding servesim through its C API, built against an installed prefix with
 * pkg-config (tests/install_e2e.sh):
 *   cc api_example.c $(pkg-config --cflags --libs servesim) -o api_example
 *   ./api_example SCENARIO.yaml OUT.h5 [KEY=VALUE...]
 * Loads the installed hwdb, the scenario and its overrides, runs the study in memory, prints the mean
 * output throughput and P99 TTFT of every sweep point with their 95% CIs, and writes the HDF5 file. */
#include <servesim/servesim.h>
#include <stdio.h>

int main(int argc, char **argv) {
  servesim_error err;
  servesim_hwdb *db = NULL;
  servesim_scenario *sc = NULL;
  servesim_study *st = NULL;
  int rc;
  if (argc < 3) {
    fprintf(stderr, "usage: %s SCENARIO.yaml OUT.h5 [KEY=VALUE...]\n", argv[0]);
    return SERVESIM_EUSAGE;
  }
  if ((rc = servesim_hwdb_load(NULL, &db, &err)) ||
      (rc = servesim_scenario_load(db, argv[1], (const char *const *)argv + 3, (size_t)(argc - 3), &sc, &err)) ||
      (rc = servesim_study_run(sc, NULL, &st, &err)) || (rc = servesim_study_write(st, argv[2], argc, argv, &err)))
    goto fail;
  printf("libservesim %s (API %d), hwdb %s\n", servesim_version(), servesim_api_version(), servesim_hwdb_dir(db));
  for (size_t p = 0; p < servesim_study_points(st); p++) {
    servesim_summary tok, ttft;
    if ((rc = servesim_study_summary(st, p, "output_tok_s", &tok, &err)) ||
        (rc = servesim_study_summary(st, p, "ttft_p99_s", &ttft, &err)))
      goto fail;
    printf("point %zu: output %.1f tok/s [%.1f, %.1f], P99 TTFT %.3f s [%.3f, %.3f]\n", p, tok.mean, tok.ci95_lo,
           tok.ci95_hi, ttft.mean, ttft.ci95_lo, ttft.ci95_hi);
  }
  printf("wrote %s\n", argv[2]);
fail:
  if (rc) fprintf(stderr, "api_example: %s\n", err.message);
  servesim_study_free(st);
  servesim_scenario_free(sc);
  servesim_hwdb_free(db);
  return rc;
}
