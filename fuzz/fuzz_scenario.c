/* fuzz_scenario.c: any bytes as a scenario file: YAML limits, the key table, sweeps, uncertain
 * inputs, every sweep point resolved against the frozen hwdb (nothing is simulated).
 * Invariant: every input is loaded or refused with a message. */
#include "config/scenario.h"
#include "fuzz.h"

static study_spec spec;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  ss_err err = {{0}};
  ss_status rc = scenario_load_string("fuzz.yaml", text, NULL, 0, &fuzz_db, &spec, &err);
  fuzz_check(rc, &err);
  if (!rc) scenario_free(&spec);
  free(text);
  return 0;
}
