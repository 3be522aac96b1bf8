/* fuzz_set.c: any bytes as up to 8 --set overrides (one per line) of a small valid scenario: plain
 * keys, sweep.KEY=[...] and uncertain.KEY={...}, each checked like the file.
 * Invariant: every input is applied or refused with a message. */
#include "config/scenario.h"
#include "fuzz.h"

static study_spec spec;
static const char BASE[] = "deployment: {gpu: h100, model: llama-3.1-8b}\n"
                           "horizon: {duration_s: 60, warmup_s: 10}\n"
                           "sweep: {workload.arrival.rate_per_s: [1, 2]}\n"
                           "uncertain: {efficiency.hbm: {dist: uniform, min: 0.7, max: 0.9}}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  const char *sets[8];
  size_t n = 0;
  for (char *line = text, *next; line && n < 8; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    sets[n++] = line;
  }
  ss_err err = {{0}};
  ss_status rc = scenario_load_string("fuzz-base.yaml", BASE, sets, n, &fuzz_db, &spec, &err);
  fuzz_check(rc, &err);
  if (!rc) scenario_free(&spec);
  free(text);
  return 0;
}
