/* fuzz_cases.c: any bytes as a validate case CSV; parsed rows are then predicted by the closed-form
 * modes (single, static), which must end however long the stated lengths (bounded by the context).
 * Invariant: every input is read or refused with a message; every row is predicted or skipped with a
 * reason, and a prediction is finite. */
#include <math.h>

#include "fuzz.h"
#include "study/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  validate_case *cases = NULL;
  size_t n = 0;
  ss_err err = {{0}};
  ss_status rc = validate_parse("fuzz.csv", (const char *)data, size, &cases, &n, &err);
  fuzz_check(rc, &err);
  validate_report r = {0};
  if (!rc && n <= 64 && !(rc = validate_run(&fuzz_db, cases, n, NULL, &r, &err))) {
    for (size_t i = 0; i < r.n; i++)
      if (r.rows[i].skipped ? !r.rows[i].reason[0] : !isfinite(r.rows[i].predicted)) abort();
    validate_free(&r);
  }
  free(cases);
  return 0;
}
