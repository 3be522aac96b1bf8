/* fixture.h: the simulator tests' group state (hwdb) and a loader of tests/sim/base.yaml with
 * overrides into a resolved scenario. Shared by test_sched.c and test_sim.c. */
#ifndef SERVESIM_TEST_SIM_FIXTURE_H
#define SERVESIM_TEST_SIM_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>

#include "hwdb/hwdb.h"
#include "config/scenario.h"

static int fixture_setup(void **state) {
  ss_err err = {{0}};
  hwdb *db = malloc(sizeof *db);
  if (!db || hwdb_load(hwdb_default_dir(), db, &err)) {
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

/* Overrides are "key=value" strings ending with NULL. Returns the status so tests can assert it. */
static ss_status fixture_load(void **state, scenario *sc, sc_bound *b, const char *const *sets, ss_err *err) {
  scenario base;
  size_t n = 0;
  while (sets && sets[n]) n++;
  ss_status rc = scenario_load(SERVESIM_TEST_DIR "/sim/base.yaml", sets, n, *state, &base, err);
  return rc ? rc : scenario_point(&base, 0, *state, sc, b, err);
}
#endif
