/* fuzz.h: what every libFuzzer harness shares: process-wide quiet (GSL's abort-on-error handler off,
 * HDF5's error stack printing off), the frozen hwdb loaded once, and the one property every harness
 * checks besides the sanitizers: a refusal always carries a message.
 * Invariant: harnesses only read; nothing is written outside the harness's own memory. */
#ifndef SERVESIM_FUZZ_H
#define SERVESIM_FUZZ_H
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "hwdb/hwdb.h"

static hwdb fuzz_db;

/* Loads the frozen hwdb (tests/hwdb) once, at libFuzzer's start. */
static inline void fuzz_init(void) {
  ss_err err = {{0}};
  gsl_set_error_handler_off();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  if (hwdb_load(FUZZ_HWDB, &fuzz_db, &err)) {
    fprintf(stderr, "fuzz: cannot load %s: %s\n", FUZZ_HWDB, err.msg);
    abort();
  }
}

#ifdef FUZZ_HAS_SETUP
static void fuzz_setup(void); /* a harness's own start, after the hwdb */
#endif

/* libFuzzer's start: each harness is its own executable, so this header is included once. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_init();
#ifdef FUZZ_HAS_SETUP
  fuzz_setup();
#endif
  return 0;
}

/* data as a NUL-terminated string (malloc'd). */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
  char *t = malloc(size + 1);
  if (!t) abort();
  memcpy(t, data, size);
  t[size] = '\0';
  return t;
}

/* A refusal without a message is a bug too: servesim promises a clear error. */
static inline void fuzz_check(ss_status rc, const ss_err *err) {
  if (rc != SS_OK && !err->msg[0]) {
    fprintf(stderr, "fuzz: status %d without a message\n", (int)rc);
    abort();
  }
}

#endif
