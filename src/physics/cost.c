/* cost.c: cost formulas, TCO and price lookup. Every function is a direct transcription of a formula
 * in docs/cost.md; the tests check them against hand-computed cases. */
#include "physics/cost.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

double cost_usd_per_1m(double usd_per_hour, double tok_s, double utilisation) {
  if (!(tok_s > 0) || !(utilisation > 0)) return NAN;
  return usd_per_hour / (tok_s * 3600.0) * 1e6 / utilisation;
}

double cost_api_usd(const api_price *p, double in_tokens, double out_tokens) {
  return in_tokens / 1e6 * p->usd_per_1m_input + out_tokens / 1e6 * p->usd_per_1m_output;
}

double cost_api_usd_per_1m_output(const api_price *p, double in_tokens, double out_tokens) {
  return out_tokens > 0 ? cost_api_usd(p, in_tokens, out_tokens) / out_tokens * 1e6 : NAN;
}

double cost_api_usd_per_1m_blended(const api_price *p, double in_tokens, double out_tokens) {
  double all = in_tokens + out_tokens;
  return all > 0 ? cost_api_usd(p, in_tokens, out_tokens) / all * 1e6 : NAN;
}

double cost_breakeven_utilisation(double selfhost_usd_per_1m_full, double api_usd_per_1m) {
  return api_usd_per_1m > 0 ? selfhost_usd_per_1m_full / api_usd_per_1m : NAN;
}

double cost_breakeven_tokens_per_month(double monthly_fixed_usd, double api_usd_per_1m) {
  return api_usd_per_1m > 0 ? monthly_fixed_usd / (api_usd_per_1m / 1e6) : NAN;
}

double cost_power_usd_per_hour(double watts, double pue, double usd_per_kwh) {
  return watts / 1000.0 * pue * usd_per_kwh;
}

double cost_capex_usd_per_hour(double capex_usd, double life_years) {
  return life_years > 0 ? capex_usd / (life_years * COST_HOURS_PER_YEAR) : NAN;
}

double cost_with_ops(double usd_per_hour, double overhead_frac, double ops_usd_per_month) {
  return usd_per_hour * (1.0 + overhead_frac) + ops_usd_per_month / COST_HOURS_PER_MONTH;
}

void cost_tco_at(const cost_config *c, const cost_fleet *f, double usd_per_gpu_hour, cost_tco *t) {
  t->gpus_serving = f->tp * f->replicas;
  t->gpus_standby = c->redundancy_n_plus_1 ? f->tp : 0.0;
  double gpus = t->gpus_serving + t->gpus_standby;
  t->gpu_power_w = f->gpu_power_w;
  /* a hot standby replica holds the model loaded and draws idle power */
  double it_w = t->gpus_serving * f->gpu_power_w + t->gpus_standby * f->idle_w + gpus * c->host_w_per_gpu;
  t->facility_kw = it_w / 1000.0 * c->pue;
  t->hardware_usd_per_hour = usd_per_gpu_hour * gpus;
  t->power_usd_per_hour = c->onprem ? cost_power_usd_per_hour(it_w, c->pue, c->usd_per_kwh) : 0.0;
  double base = t->hardware_usd_per_hour + t->power_usd_per_hour;
  t->usd_per_hour = cost_with_ops(base, c->ops_overhead_frac, c->ops_usd_per_month);
  t->ops_usd_per_hour = t->usd_per_hour - base;
}

/* A row's price per GPU: per hour for rented tiers, per unit bought for the purchase tier. */
static double row_usd_per_gpu(const gpu_price *p) {
  return p->tier == TIER_PURCHASE ? p->usd_purchase / p->gpus : price_usd_per_gpu_hour(p);
}

static int cmp_row_price(const void *a, const void *b) {
  double x = row_usd_per_gpu(*(const gpu_price *const *)a), y = row_usd_per_gpu(*(const gpu_price *const *)b);
  return x < y ? -1 : x > y;
}

/* The row of gpu at a tier that prices a scenario. `provider` may name a row id (that row) or a
 * provider (its rows only). Among several rows the median one (the lower middle) is taken, not the
 * cheapest: the posts quote outliers (a $0.09/h spot A100, a $0.34/h "on-demand" one) and the cheapest
 * row would let one of them set every default. */
static const gpu_price *pick_row(const hwdb *db, const char *gpu, int tier, const char *provider) {
  const hw_gpu *g = hwdb_gpu(db, gpu);
  const gpu_price *rows[256];
  size_t n = 0;
  bool named = provider && *provider;
  for (size_t i = 0; g && i < db->n[HWDB_GPU_PRICES] && n < sizeof rows / sizeof rows[0]; i++) {
    const gpu_price *p = hwdb_at(db, HWDB_GPU_PRICES, i);
    if (named && !strcmp(p->id, provider)) return strcmp(p->gpu, g->id) ? NULL : p;
    if (p->tier == tier && !strcmp(p->gpu, g->id) && (!named || !strcmp(p->provider, provider))) rows[n++] = p;
  }
  if (!n) return NULL;
  qsort(rows, n, sizeof rows[0], cmp_row_price);
  return rows[(n - 1) / 2];
}

static ss_status price_row(const hwdb *db, const char *gpu, int tier, const char *provider, const char *fix,
                           double *usd_per_gpu, const gpu_price **row, ss_err *err) {
  const gpu_price *best = pick_row(db, gpu, tier, provider);
  if (!best)
    return ss_errorf(err, SS_EDATA, "no %s price for %s%s%s in hwdb/prices/gpu.yaml; %s", price_tier_names[tier], gpu,
                     provider && *provider ? " from provider (or row id) " : "", provider ? provider : "", fix);
  *usd_per_gpu = row_usd_per_gpu(best);
  if (row) *row = best;
  return SS_OK;
}

ss_status cost_gpu_price(const hwdb *db, const char *gpu, int tier, const char *provider, double *usd_per_gpu_hour,
                         const gpu_price **row, ss_err *err) {
  return price_row(db, gpu, tier, provider, "set pricing.usd_per_gpu_hour or choose another pricing.tier",
                   usd_per_gpu_hour, row, err);
}

ss_status cost_gpu_capex(const hwdb *db, const char *gpu, const char *provider, double *usd_per_gpu,
                         const gpu_price **row, ss_err *err) {
  return price_row(db, gpu, TIER_PURCHASE, provider, "set pricing.capex_usd_per_gpu", usd_per_gpu, row, err);
}

ss_status cost_price(const hwdb *db, const char *gpu, const cost_config *c, const char *provider,
                     double *usd_per_gpu_hour, const gpu_price **row, ss_err *err) {
  if (row) *row = NULL;
  if (!isnan(c->usd_per_gpu_hour)) {
    *usd_per_gpu_hour = c->usd_per_gpu_hour;
    return SS_OK;
  }
  if (c->onprem) {
    double capex = c->capex_usd_per_gpu;
    ss_status rc = isnan(capex) ? cost_gpu_capex(db, gpu, provider, &capex, row, err) : SS_OK;
    if (!rc) *usd_per_gpu_hour = cost_capex_usd_per_hour(capex, c->life_years);
    return rc;
  }
  return cost_gpu_price(db, gpu, c->tier, provider, usd_per_gpu_hour, row, err);
}

ss_status cost_spot_price(const hwdb *db, const char *gpu, const cost_config *c, const char *provider,
                          double *usd_per_gpu_hour, ss_err *err) {
  const gpu_price *row = NULL;
  if (!isnan(c->spot_usd_per_gpu_hour)) {
    *usd_per_gpu_hour = c->spot_usd_per_gpu_hour;
    return SS_OK;
  }
  /* a provider's own spot rows; a row id (or a provider without spot rows) falls back to every provider */
  if (provider && *provider && !cost_gpu_price(db, gpu, TIER_SPOT, provider, usd_per_gpu_hour, &row, err) &&
      row->tier == TIER_SPOT)
    return SS_OK;
  return price_row(db, gpu, TIER_SPOT, NULL, "allowed: pricing.spot_usd_per_gpu_hour, or a GPU with spot rows",
                   usd_per_gpu_hour, NULL, err);
}
