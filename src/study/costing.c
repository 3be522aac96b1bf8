/* costing.c: cost rows of a replicate from its measured rows, through physics/cost's formulas; a changing
 * fleet is billed for the instance-hours it ran (spot ones at the spot price), window by window too. */
#include "study/costing.h"

#include <math.h>

static const struct {
  const char *name, *units, *long_name;
} API_META[CA_COUNT] = {
#define X(name, units, long_name) {#name, units, long_name},
    COSTING_API_METRICS(X)
#undef X
};

const char *costing_api_name(costing_api_metric m) { return API_META[m].name; }
const char *costing_api_units(costing_api_metric m) { return API_META[m].units; }
const char *costing_api_long_name(costing_api_metric m) { return API_META[m].long_name; }

/* Replicas a changing fleet bills: its time mean of billed instances (lifetimes rounded to the billing
 * granularity included); reserved and owned GPUs are paid whether used or not, so those tiers bill every
 * replica the fleet may hold (the autoscaler's maximum and the standby replicas). */
static double billed_replicas(const sc_point *pt, const sim_result *r) {
  const sim_fleet *f = &pt->sim.fleet;
  if (!sim_fleet_dynamic(&pt->sim)) return (double)pt->sim.dep.replicas;
  if (pt->cost.onprem || pt->cost.tier == TIER_RESERVED) {
    uint32_t most = f->as.policy != AS_NONE && f->as.max_replicas ? f->as.max_replicas : pt->sim.dep.replicas;
    return (double)(most > pt->sim.dep.replicas ? most : pt->sim.dep.replicas) + f->spares;
  }
  return r->f[FM_replicas_billed_mean];
}

cost_fleet costing_fleet(const sc_point *pt, const sim_result *r) {
  hw_power p;
  hw_power_model(pt->sim.dep.hw.gpu, &p);
  double scale = pt->sim.dep.power_scale > 0 ? pt->sim.dep.power_scale : 1.0;
  /* a replica is tp x pp GPUs; a disaggregated prefill pool counts in replica-equivalents */
  const sim_deployment *d = &pt->sim.dep;
  double per_replica = sim_config_gpus_per_replica(d);
  return (cost_fleet){per_replica, billed_replicas(pt, r) + d->disagg.replicas * (double)d->disagg.tp / per_replica,
                      r->v[RM_gpu_power_w_mean], p.idle_w * scale};
}

double costing_price(const sc_point *pt, const cost_fleet *f, const sim_result *r, double usd_per_gpu_hour,
                     double spot_usd_per_gpu_hour) {
  double gpu_h = f->tp * f->replicas * r->v[RM_measured_s] / 3600.0, spot_h = r->f[FM_billed_gpu_hours_spot];
  bool committed = pt->cost.onprem || pt->cost.tier == TIER_RESERVED;
  if (!(spot_h > 0) || committed || !(gpu_h > 0)) return usd_per_gpu_hour;
  return ((gpu_h - spot_h) * usd_per_gpu_hour + spot_h * spot_usd_per_gpu_hour) / gpu_h;
}

/* The per-token and per-request rows of a bill of usd over the window. */
static void fill_per_token(sim_result *r, double usd) {
  double out_tokens = r->v[RM_output_tok_s] * r->v[RM_measured_s];
  double all_tokens = r->v[RM_total_tok_s] * r->v[RM_measured_s];
  r->v[RM_usd_per_1m_output] = out_tokens > 0 ? usd / out_tokens * 1e6 : NAN;
  r->v[RM_usd_per_1m_total] = all_tokens > 0 ? usd / all_tokens * 1e6 : NAN;
  r->v[RM_usd_per_request] = r->v[RM_requests_finished] > 0 ? usd / r->v[RM_requests_finished] : NAN;
}

void costing_fill(const cost_fleet *f, double usd_per_gpu_hour, sim_result *r) {
  double gpus = f->tp * f->replicas, hours = r->v[RM_measured_s] / 3600.0;
  r->v[RM_usd_per_hour] = usd_per_gpu_hour * gpus;
  r->v[RM_billed_gpu_hours] = gpus * hours;
  fill_per_token(r, r->v[RM_usd_per_hour] * hours);
  r->v[RM_usd_per_1m_output_at_capacity] = cost_usd_per_1m(r->v[RM_usd_per_hour], r->v[RM_capacity_output_tok_s], 1.0);
  r->f[FM_usd_total] = r->v[RM_usd_per_hour] * hours;
  r->f[FM_usd_per_day] = r->v[RM_usd_per_hour] * 24.0;
  double answered = r->f[FM_answered_output_tok_s] * r->v[RM_measured_s]; /* NAN unless multi-model */
  r->f[FM_usd_per_1m_answered_output] = answered > 0 ? r->f[FM_usd_total] / answered * 1e6 : NAN;
}

ss_status costing_pools(const hwdb *db, const sc_point *pt, double usd_per_gpu_hour, double spot_usd_per_gpu_hour,
                        sim_result *r, sim_log *log, cost_fleet *fleet, double *price, ss_err *err) {
  double usd[SIM_MAX_POOLS], spot[SIM_MAX_POOLS], bill = 0, gpu_h = 0, hours = r->v[RM_measured_s] / 3600.0;
  uint32_t n = 1 + pt->sim.n_pools;
  usd[0] = usd_per_gpu_hour, spot[0] = spot_usd_per_gpu_hour;
  for (uint32_t i = 1; i < n; i++) {
    const cost_config *c = &pt->pool_cost[i - 1].cost;
    const char *gpu = pt->pool_cost[i - 1].gpu, *provider = pt->pool_cost[i - 1].provider;
    ss_status rc = cost_price(db, gpu, c, provider, &usd[i], NULL, err);
    spot[i] = NAN;
    if (!rc && pt->sim.pools[i - 1].fleet.spot_share > 0)
      rc = cost_spot_price(db, pt->sim.pools[i - 1].dep.hw.gpu->id, c, provider, &spot[i], err);
    if (rc) return ss_err_prefix(err, "deployment '%s': ", pt->sim.pools[i - 1].name), rc;
  }
  for (uint32_t i = 0; i < n; i++) {
    double *p = r->pool[i], h = p[PM_billed_gpu_hours], s = p[PM_billed_gpu_hours_spot];
    p[PM_usd] = (h - s) * usd[i] + (s > 0 ? s * spot[i] : 0);
    bill += p[PM_usd], gpu_h += h;
  }
  for (size_t k = 0; log && log->win_pool_gpu_h && k < log->n_win; k++) {
    sim_window_row *w = &log->win[k];
    const double *g = &log->win_pool_gpu_h[k * SIM_MAX_POOLS * 2];
    double tokens = w->output_tok_s * (w->t_end_s - w->t_start_s);
    w->usd = 0;
    for (uint32_t i = 0; i < n; i++) w->usd += g[2 * i] * usd[i] + (g[2 * i + 1] > 0 ? g[2 * i + 1] * spot[i] : 0);
    w->usd_per_1m_output = tokens > 0 ? w->usd / tokens * 1e6 : NAN;
  }
  hw_power pw;
  hw_power_model(pt->sim.dep.hw.gpu, &pw);
  *fleet = (cost_fleet){1, hours > 0 ? gpu_h / hours : 0, r->v[RM_gpu_power_w_mean], pw.idle_w};
  *price = gpu_h > 0 ? bill / gpu_h : usd_per_gpu_hour;
  return SS_OK;
}

void costing_windows(const sc_point *pt, double usd_per_gpu_hour, double spot_usd_per_gpu_hour, sim_log *log) {
  bool committed = pt->cost.onprem || pt->cost.tier == TIER_RESERVED;
  for (size_t k = 0; log && k < log->n_win; k++) {
    sim_window_row *w = &log->win[k];
    double len = w->t_end_s - w->t_start_s, spot_h = committed ? 0 : w->billed_gpu_hours_spot;
    double gpu_h =
        committed ? billed_replicas(pt, &(sim_result){0}) * pt->sim.dep.tp * len / 3600.0 : w->billed_gpu_hours;
    w->usd = (gpu_h - spot_h) * usd_per_gpu_hour + (spot_h > 0 ? spot_h * spot_usd_per_gpu_hour : 0);
    double tokens = w->output_tok_s * len;
    w->usd_per_1m_output = tokens > 0 ? w->usd / tokens * 1e6 : NAN;
  }
}

void costing_fill_tco(const cost_config *c, const cost_fleet *f, double usd_per_gpu_hour, sim_result *r) {
  double busy = r->v[RM_gpu_busy_frac], out_tok_s = r->v[RM_output_tok_s];
  double out_tok_per_h = out_tok_s > 0 ? out_tok_s * 3600.0 : NAN; /* NAN propagates: nothing measured */
  cost_tco t;
  cost_tco_at(c, f, usd_per_gpu_hour, &t);
  r->v[RM_usd_per_1m_output_busy] = cost_usd_per_1m(usd_per_gpu_hour * t.gpus_serving, out_tok_s, 1.0) * busy;
  r->v[RM_usd_per_hour_tco] = t.usd_per_hour;
  r->v[RM_usd_per_1m_output_tco] = t.usd_per_hour / out_tok_per_h * 1e6;
  r->v[RM_energy_kwh_per_1m_output] = t.facility_kw / out_tok_per_h * 1e6;
  r->v[RM_co2_kg_per_1m_output] = r->v[RM_energy_kwh_per_1m_output] * c->grid_kg_co2_per_kwh;
}

void costing_api(const cost_config *c, const cost_fleet *f, const api_price *api, double usd_per_gpu_hour,
                 const sim_result *r, double v[CA_COUNT]) {
  double out_tok_s = r->v[RM_output_tok_s], in_tok_s = r->v[RM_total_tok_s] - out_tok_s;
  cost_tco t;
  cost_tco_at(c, f, usd_per_gpu_hour, &t);
  double api_1m = cost_api_usd_per_1m_output(api, in_tok_s, out_tok_s);
  v[CA_api_usd_per_1m_output] = api_1m;
  v[CA_tco_over_api] = cost_usd_per_1m(t.usd_per_hour, out_tok_s, 1.0) / api_1m;
  v[CA_breakeven_utilisation] =
      cost_breakeven_utilisation(cost_usd_per_1m(t.usd_per_hour, r->v[RM_capacity_output_tok_s], 1.0), api_1m);
  v[CA_breakeven_output_tok_per_month] = cost_breakeven_tokens_per_month(t.usd_per_hour * COST_HOURS_PER_MONTH, api_1m);
}
