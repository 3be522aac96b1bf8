/* cost.c: cost formulas and price lookup. Every function is a direct transcription of a formula
 * in DESIGN section 6; the tests check them against hand-computed cases. */
#include "servesim/cost.h"

#include <math.h>
#include <string.h>

double cost_usd_per_1m(double usd_per_hour, double tok_s, double utilisation) {
  if (!(tok_s > 0) || !(utilisation > 0)) return NAN;
  return usd_per_hour / (tok_s * 3600.0) * 1e6 / utilisation;
}

double cost_api_usd(const api_price *p, double in_tokens, double out_tokens) {
  return in_tokens / 1e6 * p->usd_per_1m_input + out_tokens / 1e6 * p->usd_per_1m_output;
}

double cost_breakeven_utilisation(double selfhost_usd_per_1m_full, double api_usd_per_1m) {
  return api_usd_per_1m > 0 ? selfhost_usd_per_1m_full / api_usd_per_1m : NAN;
}

double cost_breakeven_tokens_per_month(double monthly_fixed_usd, double api_usd_per_1m) {
  return api_usd_per_1m > 0 ? monthly_fixed_usd / (api_usd_per_1m / 1e6) : NAN;
}

ss_status cost_gpu_price(const hwdb *db, const char *gpu, int tier, const char *provider, double *usd_per_gpu_hour,
                         const gpu_price **row, ss_err *err) {
  const hw_gpu *g = hwdb_gpu(db, gpu);
  const gpu_price *best = NULL;
  for (size_t i = 0; g && i < db->n[HWDB_GPU_PRICES]; i++) {
    const gpu_price *p = hwdb_at(db, HWDB_GPU_PRICES, i);
    if (p->tier != tier || strcmp(p->gpu, g->id) || (provider && *provider && strcmp(p->provider, provider)))
      continue;
    if (!best || price_usd_per_gpu_hour(p) < price_usd_per_gpu_hour(best)) best = p;
  }
  if (!best)
    return ss_errorf(err, SS_EDATA, "no %s price for %s%s%s in hwdb/prices/gpu.yaml; set pricing.usd_per_gpu_hour "
                     "or choose another pricing.tier", price_tier_names[tier], gpu,
                     provider && *provider ? " from provider " : "", provider ? provider : "");
  *usd_per_gpu_hour = price_usd_per_gpu_hour(best);
  if (row) *row = best;
  return SS_OK;
}

ss_status cost_scenario_price(const hwdb *db, const scenario *sc, double *usd_per_gpu_hour, ss_err *err) {
  if (!isnan(sc->usd_per_gpu_hour)) {
    *usd_per_gpu_hour = sc->usd_per_gpu_hour;
    return SS_OK;
  }
  /* sc_tier and price_tier share their first three values */
  return cost_gpu_price(db, sc->dep.gpu, sc->tier, sc->provider, usd_per_gpu_hour, NULL, err);
}

void cost_fill(const scenario *sc, double usd_per_gpu_hour, sim_result *r) {
  double gpus = (double)sc->dep.tp * sc->dep.replicas, hours = r->v[RM_measured_s] / 3600.0;
  r->v[RM_usd_per_hour] = usd_per_gpu_hour * gpus;
  r->v[RM_billed_gpu_hours] = gpus * hours;
  double usd = r->v[RM_usd_per_hour] * hours;
  double out_tokens = r->v[RM_output_tok_s] * r->v[RM_measured_s];
  double all_tokens = r->v[RM_total_tok_s] * r->v[RM_measured_s];
  r->v[RM_usd_per_1m_output] = out_tokens > 0 ? usd / out_tokens * 1e6 : NAN;
  r->v[RM_usd_per_1m_total] = all_tokens > 0 ? usd / all_tokens * 1e6 : NAN;
  r->v[RM_usd_per_request] = r->v[RM_requests_finished] > 0 ? usd / r->v[RM_requests_finished] : NAN;
}
