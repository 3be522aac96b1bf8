/* result.c: names, units and descriptions of the metric table in result.h. */
#include "servesim/result.h"

#include <math.h>

static const struct {
  const char *name, *units, *long_name;
} META[RM_COUNT] = {
#define X(name, units, long_name) {#name, units, long_name},
    RESULT_METRICS(X)
#undef X
};

const char *result_name(result_metric m) { return META[m].name; }
const char *result_units(result_metric m) { return META[m].units; }
const char *result_long_name(result_metric m) { return META[m].long_name; }

void result_clear(sim_result *r) {
  for (int i = 0; i < RM_COUNT; i++) r->v[i] = NAN;
}
