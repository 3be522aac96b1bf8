/* cost.h: what serving costs (DESIGN section 6): GPU prices by tier, $ per 1M tokens with idle
 * time billed, API cost of a request mix, break-even utilisation and volume.
 * Invariant: the formulas are the public back-of-envelope ones, reproduced exactly; the simulator
 * supplies measured throughput and billed hours instead of assumed ones. */
#ifndef SERVESIM_COST_H
#define SERVESIM_COST_H
#include "servesim/err.h"
#include "servesim/hwdb.h"
#include "servesim/result.h"
#include "servesim/scenario.h"

#define COST_HOURS_PER_MONTH 730.0 /* 8760 h / 12 */

/* hourly / (tok/s x 3600) x 1e6, divided by utilisation u in (0, 1] (idle GPUs still bill). */
double cost_usd_per_1m(double usd_per_hour, double tok_s, double utilisation);
/* in/1e6 x price_in + out/1e6 x price_out. */
double cost_api_usd(const api_price *p, double in_tokens, double out_tokens);
/* Full-utilisation self-host $/1M over the API's $/1M (> 1: never breaks even). */
double cost_breakeven_utilisation(double selfhost_usd_per_1m_full, double api_usd_per_1m);
/* Monthly fixed cost / API $ per token: tokens per month above which self-hosting is cheaper. */
double cost_breakeven_tokens_per_month(double monthly_fixed_usd, double api_usd_per_1m);

/* $/GPU-hour of gpu at a tier: the named provider's row, else the cheapest row of that tier.
 * row receives the hwdb row used (for its source and date). */
ss_status cost_gpu_price(const hwdb *db, const char *gpu, int tier, const char *provider, double *usd_per_gpu_hour,
                         const gpu_price **row, ss_err *err);
/* $/GPU-hour the scenario bills: pricing.usd_per_gpu_hour when given, else cost_gpu_price. */
ss_status cost_scenario_price(const hwdb *db, const scenario *sc, double *usd_per_gpu_hour, ss_err *err);
/* Fills the cost rows of r from its measured rows (output/total tokens, requests, window). */
void cost_fill(const scenario *sc, double usd_per_gpu_hour, sim_result *r);

#endif
