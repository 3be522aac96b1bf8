/* fixture.h: the simulator tests' group state (the frozen hwdb of tests/hwdb) and a loader of
 * tests/sim/base.yaml with --set style overrides into a resolved sweep point. Shared by test_sched.c,
 * test_sim.c and test_workload.c.
 * A point borrows the data files (trace, histograms) its spec loaded, so the two live together in
 * one fixture_point and are freed together by fixture_point_free. */
#ifndef SERVESIM_TEST_SIM_FIXTURE_H
#define SERVESIM_TEST_SIM_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"

static int fixture_setup(void **state) {
  ss_err err = {{0}};
  hwdb *db = malloc(sizeof *db);
  if (!db || hwdb_load(TEST_HWDB, db, &err)) {
    fprintf(stderr, "fixture: %s\n", err.msg);
    free(db);
    return -1;
  }
  *state = db;
  return 0;
}

static int fixture_teardown(void **state) {
  hwdb_free(*state);
  free(*state);
  return 0;
}

/* A loaded spec and its first sweep point, resolved (about 40 KB: kept on the heap). */
typedef struct {
  study_spec spec;
  sc_point pt;
} fixture_point;

/* Loads tests/sim/base.yaml with overrides ("key=value" strings ending with NULL) into a new
 * fixture_point. Returns the status so tests can assert it; on failure *out is NULL. */
static ss_status fixture_load(void **state, const char *const *sets, fixture_point **out, ss_err *err) {
  size_t n = 0;
  while (sets && sets[n]) n++;
  fixture_point *fp = malloc(sizeof *fp);
  *out = NULL;
  if (!fp) return ss_errorf(err, SS_ENOMEM, "fixture: out of memory");
  ss_status rc = scenario_load(SERVESIM_TEST_DIR "/sim/base.yaml", sets, n, *state, &fp->spec, err);
  if (rc) return free(fp), rc;
  if ((rc = scenario_point(&fp->spec, 0, *state, &fp->pt, err))) {
    scenario_free(&fp->spec);
    free(fp);
    return rc;
  }
  *out = fp;
  return SS_OK;
}

static void fixture_point_free(fixture_point *fp) {
  if (!fp) return;
  scenario_free(&fp->spec);
  free(fp);
}
#endif
