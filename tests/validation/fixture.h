/* fixture.h: the validation tests' group state: the frozen hwdb (tests/hwdb, so the pinned error
 * guards do not move when the live hwdb is refitted) and the 81 calibration cases, loaded once per
 * test file, and lookup of a case by id. Shared by test_validate.c and test_valsim.c. */
#ifndef SERVESIM_TEST_VALIDATION_FIXTURE_H
#define SERVESIM_TEST_VALIDATION_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hwdb/hwdb.h"
#include "study/validate.h"

static hwdb DB;
static validate_case *CASES;
static size_t NCASES;

static int setup(void **state) {
  ss_err err = {{0}};
  (void)state;
  if (hwdb_load(TEST_HWDB, &DB, &err) ||
      validate_load(SERVESIM_TEST_DIR "/validation/calibration.csv", &CASES, &NCASES, &err)) {
    fprintf(stderr, "fixture: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  free(CASES);
  hwdb_free(&DB);
  return 0;
}

/* The case with this id; fails the test when there is none. */
static inline const validate_case *find(const char *id) {
  for (size_t i = 0; i < NCASES; i++)
    if (!strcmp(CASES[i].id, id)) return &CASES[i];
  fail_msg("case %s is not in calibration.csv", id);
  return NULL;
}
#endif
