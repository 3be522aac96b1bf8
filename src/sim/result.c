/* result.c: names, units and descriptions of the metric and fleet tables in result.h. */
#include "sim/result.h"

#include <math.h>

static const struct {
  const char *name, *units, *long_name;
} META[RM_COUNT] = {
#define X(name, units, long_name) {#name, units, long_name},
    RESULT_METRICS(X)
#undef X
};

static const struct {
  const char *name, *units, *long_name;
} FLEET_META[FM_COUNT] = {
#define X(name, units, long_name) {#name, units, long_name},
    FLEET_METRICS(X)
#undef X
};

static const struct {
  const char *name, *units, *long_name;
} POOL_META[PM_COUNT] = {
#define X(name, units, long_name) {#name, units, long_name},
    POOL_METRICS(X)
#undef X
};

const char *result_name(result_metric m) { return META[m].name; }
const char *result_units(result_metric m) { return META[m].units; }
const char *result_long_name(result_metric m) { return META[m].long_name; }

const char *result_fleet_name(fleet_metric m) { return FLEET_META[m].name; }
const char *result_fleet_units(fleet_metric m) { return FLEET_META[m].units; }
const char *result_fleet_long_name(fleet_metric m) { return FLEET_META[m].long_name; }
const char *result_pool_name(pool_metric m) { return POOL_META[m].name; }
const char *result_pool_units(pool_metric m) { return POOL_META[m].units; }
const char *result_pool_long_name(pool_metric m) { return POOL_META[m].long_name; }

void result_clear(sim_result *r) {
  for (int i = 0; i < RM_COUNT; i++) r->v[i] = NAN;
  for (int i = 0; i < FM_COUNT; i++) r->f[i] = NAN;
  for (int k = 0; k < SIM_MAX_POOLS; k++)
    for (int i = 0; i < PM_COUNT; i++) r->pool[k][i] = NAN;
}

bool result_meets_slo(const sim_result *r, double ttft_s, double tpot_s) {
  double tpot = r->v[RM_tpot_p99_s];
  return !(r->v[RM_saturated] > 0.5) && r->v[RM_ttft_p99_s] <= ttft_s && (isnan(tpot) || tpot <= tpot_s);
}

bool result_is_latency(result_metric m) {
  static const result_metric LATENCY[] = {
      RM_ttft_mean_s, RM_ttft_p50_s, RM_ttft_p90_s,       RM_ttft_p99_s, RM_tpot_mean_s,  RM_tpot_p50_s,
      RM_tpot_p90_s,  RM_tpot_p99_s, RM_tpot_incl_mean_s, RM_itl_mean_s, RM_itl_p50_s,    RM_itl_p99_s,
      RM_e2e_mean_s,  RM_e2e_p50_s,  RM_e2e_p90_s,        RM_e2e_p99_s,  RM_queue_mean_s, RM_queue_p99_s,
  };
  for (size_t i = 0; i < sizeof LATENCY / sizeof LATENCY[0]; i++)
    if (LATENCY[i] == m) return true;
  return false;
}
