/* cost.h: what serving costs (docs/cost.md): GPU prices by tier, $ per 1M tokens with idle time
 * billed, API cost of a request mix, break-even utilisation and volume, and the TCO (operations, N+1,
 * on-premise capex and power).
 * Invariant: the formulas are the public back-of-envelope ones, reproduced exactly; callers supply
 * measured throughput, busy fraction and billed hours instead of assumed ones. */
#ifndef SERVESIM_COST_H
#define SERVESIM_COST_H
#include <stdbool.h>

#include "base/err.h"
#include "hwdb/hwdb.h"

#define COST_HOURS_PER_MONTH 730.0 /* 8760 h / 12 */
#define COST_HOURS_PER_YEAR  8760.0

/* ---- back-of-envelope formulas ---- */

/* hourly / (tok/s x 3600) x 1e6, divided by utilisation u in (0, 1] (idle GPUs still bill). */
double cost_usd_per_1m(double usd_per_hour, double tok_s, double utilisation);
/* in/1e6 x price_in + out/1e6 x price_out. */
double cost_api_usd(const api_price *p, double in_tokens, double out_tokens);
/* API $ per 1M output tokens of a mix (input tokens ride along): price_out + in/out x price_in.
 * The like-for-like comparison with a self-hosted $ per 1M output tokens. */
double cost_api_usd_per_1m_output(const api_price *p, double in_tokens, double out_tokens);
/* API $ per 1M tokens of either kind (blended): cost_api_usd / (in + out) x 1e6. */
double cost_api_usd_per_1m_blended(const api_price *p, double in_tokens, double out_tokens);
/* Full-utilisation self-host $/1M over the API's $/1M (> 1: never breaks even). */
double cost_breakeven_utilisation(double selfhost_usd_per_1m_full, double api_usd_per_1m);
/* Monthly fixed cost / API $ per token: tokens per month above which self-hosting is cheaper. */
double cost_breakeven_tokens_per_month(double monthly_fixed_usd, double api_usd_per_1m);

/* ---- TCO pieces ---- */

/* Electricity cost of a steady draw: W / 1000 x PUE x $/kWh (400 W, PUE 1, $0.15: $0.06/h). */
double cost_power_usd_per_hour(double watts, double pue, double usd_per_kwh);
/* Straight-line amortisation, no residual value and no cost of capital: capex / (years x 8760). */
double cost_capex_usd_per_hour(double capex_usd, double life_years);
/* usd_per_hour x (1 + overhead_frac) + usd_per_month / 730. */
double cost_with_ops(double usd_per_hour, double overhead_frac, double ops_usd_per_month);

/* How a deployment is billed: the pricing and energy keys of a scenario. */
typedef struct {
  int tier;                /* price_tier: on_demand, spot or reserved */
  double usd_per_gpu_hour; /* NAN: from hwdb/prices at the tier (or the capex when on-prem) */
  bool onprem, redundancy_n_plus_1;
  double capex_usd_per_gpu; /* NAN: hwdb purchase row */
  double life_years, usd_per_kwh, ops_overhead_frac, ops_usd_per_month;
  double pue, host_w_per_gpu, grid_kg_co2_per_kwh;
  double spot_usd_per_gpu_hour; /* a fleet's spot instances; NAN: hwdb's spot row of the GPU */
} cost_config;

/* The size of the fleet being billed. */
typedef struct {
  double tp, replicas; /* GPUs per replica, replicas serving */
  double gpu_power_w;  /* mean board power of a serving GPU (modelled by the simulator) */
  double idle_w;       /* board power of a GPU holding the model and running nothing (a standby) */
} cost_fleet;

/* The TCO of a deployment, broken down. */
typedef struct {
  double gpus_serving, gpus_standby; /* tp x replicas; tp when pricing.redundancy_n_plus_1 */
  double gpu_power_w;                /* mean board power of a serving GPU */
  double facility_kw;                /* all GPUs (standby at idle) + host, x PUE */
  double hardware_usd_per_hour;      /* rent, or amortised capex, of all GPUs incl. standby */
  double power_usd_per_hour;         /* on-prem only; a rented GPU's price includes its power */
  double ops_usd_per_hour;           /* overhead fraction plus the fixed monthly cost */
  double usd_per_hour;               /* the sum */
} cost_tco;

/* TCO of fleet f billed as c at usd_per_gpu_hour (cost_price), its serving GPUs drawing f->gpu_power_w. */
void cost_tco_at(const cost_config *c, const cost_fleet *f, double usd_per_gpu_hour, cost_tco *t);

/* ---- prices ---- */

/* $/GPU-hour of gpu at a tier: the row whose id is `provider`, else the median row of that tier
 * (of that provider when one is named).
 * row receives the hwdb row used (for its source and date). */
ss_status cost_gpu_price(const hwdb *db, const char *gpu, int tier, const char *provider, double *usd_per_gpu_hour,
                         const gpu_price **row, ss_err *err);
/* Purchase price per GPU from the median hwdb purchase row of gpu (provider as above). */
ss_status cost_gpu_capex(const hwdb *db, const char *gpu, const char *provider, double *usd_per_gpu,
                         const gpu_price **row, ss_err *err);
/* $/GPU-hour that c bills for gpu: pricing.usd_per_gpu_hour when given; on-prem, the capex
 * (pricing.capex_usd_per_gpu, else hwdb) amortised over pricing.life_years; else cost_gpu_price.
 * row (may be NULL) receives the hwdb row used, NULL when none was. */
ss_status cost_price(const hwdb *db, const char *gpu, const cost_config *c, const char *provider,
                     double *usd_per_gpu_hour, const gpu_price **row, ss_err *err);

/* $/GPU-hour of a fleet's spot instances: pricing.spot_usd_per_gpu_hour when given, else the median spot
 * row of gpu (of `provider` when it names a provider with spot rows, else of every provider). */
ss_status cost_spot_price(const hwdb *db, const char *gpu, const cost_config *c, const char *provider,
                          double *usd_per_gpu_hour, ss_err *err);

#endif
