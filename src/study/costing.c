/* costing.c: cost rows of a replicate from its measured rows, through physics/cost's formulas. */
#include "study/costing.h"

#include <math.h>

cost_fleet costing_fleet(const sc_point *pt) {
  return (cost_fleet){(double)pt->sim.dep.tp, (double)pt->sim.dep.replicas, pt->sim.dep.hw.gpu->tdp_w};
}

const api_price *costing_first_api(const hwdb *db, const sc_point *pt) {
  return pt->n_compare_api ? hwdb_api(db, pt->compare_api[0]) : NULL;
}

void costing_fill(const cost_fleet *f, double usd_per_gpu_hour, sim_result *r) {
  double gpus = f->tp * f->replicas, hours = r->v[RM_measured_s] / 3600.0;
  r->v[RM_usd_per_hour] = usd_per_gpu_hour * gpus;
  r->v[RM_billed_gpu_hours] = gpus * hours;
  double usd = r->v[RM_usd_per_hour] * hours;
  double out_tokens = r->v[RM_output_tok_s] * r->v[RM_measured_s];
  double all_tokens = r->v[RM_total_tok_s] * r->v[RM_measured_s];
  r->v[RM_usd_per_1m_output] = out_tokens > 0 ? usd / out_tokens * 1e6 : NAN;
  r->v[RM_usd_per_1m_total] = all_tokens > 0 ? usd / all_tokens * 1e6 : NAN;
  r->v[RM_usd_per_request] = r->v[RM_requests_finished] > 0 ? usd / r->v[RM_requests_finished] : NAN;
}

void costing_api_against(const cost_config *c, const cost_fleet *f, const api_price *api, double usd_per_gpu_hour,
                         const sim_result *r, costing_api_row *out) {
  double busy = r->v[RM_gpu_busy_frac], out_tok_s = r->v[RM_output_tok_s];
  double in_tok_s = r->v[RM_total_tok_s] - out_tok_s, window_s = r->v[RM_measured_s];
  cost_tco t;
  cost_tco_at(c, f, usd_per_gpu_hour, busy, &t);
  out->api = api;
  out->usd_window = cost_api_usd(api, in_tok_s * window_s, out_tok_s * window_s);
  out->usd_per_1m_output = cost_api_usd_per_1m_output(api, in_tok_s, out_tok_s);
  out->usd_per_1m_blended = cost_api_usd_per_1m_blended(api, in_tok_s, out_tok_s);
  out->tco_over_api = cost_usd_per_1m(t.usd_per_hour, out_tok_s, 1.0) / out->usd_per_1m_output;
  out->breakeven_busy_frac =
      busy > 0 ? cost_breakeven_busy_frac(c, f, usd_per_gpu_hour, out_tok_s / busy, out->usd_per_1m_output) : NAN;
  out->breakeven_output_tok_per_month =
      cost_breakeven_tokens_per_month(t.usd_per_hour * COST_HOURS_PER_MONTH, out->usd_per_1m_output);
}

void costing_fill_tco(const cost_config *c, const cost_fleet *f, const api_price *api, double usd_per_gpu_hour,
                      sim_result *r) {
  double busy = r->v[RM_gpu_busy_frac], out_tok_s = r->v[RM_output_tok_s];
  double out_tok_per_h = out_tok_s > 0 ? out_tok_s * 3600.0 : NAN; /* NAN propagates: nothing measured */
  cost_tco t;
  cost_tco_at(c, f, usd_per_gpu_hour, busy, &t);
  r->v[RM_usd_per_1m_output_busy] = cost_usd_per_1m(usd_per_gpu_hour * t.gpus_serving, out_tok_s, 1.0) * busy;
  r->v[RM_usd_per_hour_tco] = t.usd_per_hour;
  r->v[RM_usd_per_1m_output_tco] = t.usd_per_hour / out_tok_per_h * 1e6;
  r->v[RM_gpu_power_w_mean] = t.gpu_power_w;
  r->v[RM_energy_kwh_per_1m_output] = t.facility_kw / out_tok_per_h * 1e6;
  r->v[RM_co2_kg_per_1m_output] = r->v[RM_energy_kwh_per_1m_output] * c->grid_kg_co2_per_kwh;
  costing_api_row a = {
      .usd_per_1m_output = NAN, .tco_over_api = NAN, .breakeven_busy_frac = NAN, .breakeven_output_tok_per_month = NAN};
  if (api) costing_api_against(c, f, api, usd_per_gpu_hour, r, &a);
  r->v[RM_api_usd_per_1m_output] = a.usd_per_1m_output;
  r->v[RM_tco_over_api] = a.tco_over_api;
  r->v[RM_breakeven_busy_frac] = a.breakeven_busy_frac;
  r->v[RM_breakeven_output_tok_per_month] = a.breakeven_output_tok_per_month;
}
