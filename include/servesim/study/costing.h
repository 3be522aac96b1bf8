/* costing.h: the cost rows of a replicate's result: GPU cost per hour and per 1M tokens with idle
 * time billed and at full utilisation, the TCO with modelled energy and CO2, and the comparison with
 * every API named by compare_api, each priced on the replicate's own request mix. The formulas are
 * physics/cost's; this module applies them to measured rows.
 * Invariant: a cost row is NAN when the measured rows it needs are (e.g. no output token). */
#ifndef SERVESIM_COSTING_H
#define SERVESIM_COSTING_H
#include <stddef.h>

#include "config/scenario.h"
#include "physics/cost.h"
#include "sim/result.h"
#include "sim/sim.h"

/* The per-API rows of a replicate, one set per compare_api entry: X(name, units, long_name) */
#define COSTING_API_METRICS(X)                                                                                        \
  X(api_usd_per_1m_output, "USD", "the API's price of this replicate's request mix, per million output tokens")       \
  X(tco_over_api, "1", "TCO per output token over the API's price")                                                   \
  X(breakeven_utilisation, "1",                                                                                       \
    "utilisation at which the TCO per output token equals the API's price (above 1: the API is cheaper at any load)") \
  X(breakeven_output_tok_per_month, "1/month", "output tokens a month at which the API costs the monthly TCO")

typedef enum {
#define X(name, units, long_name) CA_##name,
  COSTING_API_METRICS(X)
#undef X
      CA_COUNT
} costing_api_metric;

const char *costing_api_name(costing_api_metric m);
const char *costing_api_units(costing_api_metric m);
const char *costing_api_long_name(costing_api_metric m);

/* The fleet a point bills: replicas of tp x pp GPUs (and a disaggregated prefill pool) drawing the
 * replicate's modelled mean power, and the idle power of a standby GPU. A changing fleet bills its mean
 * billed instances (docs/fleet.md). */
cost_fleet costing_fleet(const sc_point *pt, const sim_result *r);
/* The $/GPU-hour of f's whole bill: usd_per_gpu_hour for regular GPU-hours, the spot price for the
 * replicate's spot GPU-hours (exactly usd_per_gpu_hour when there are none). */
double costing_price(const sc_point *pt, const cost_fleet *f, const sim_result *r, double usd_per_gpu_hour,
                     double spot_usd_per_gpu_hour);
/* Fills the GPU cost rows of r from its measured rows (output/total tokens, requests, window, capacity),
 * and the fleet's bill rows (usd_total, usd_per_day). */
void costing_fill(const cost_fleet *f, double usd_per_gpu_hour, sim_result *r);
/* A multi-model fleet's bill (docs/fleet.md): each deployment's GPU-hours at its own price (spot ones at
 * its spot price) into r's per-deployment usd rows and the windows' cost columns; *fleet and *price are
 * what the GPU cost rows, the TCO and the API comparison then bill: the mean billed GPUs at the blended
 * $/GPU-hour. usd_per_gpu_hour and spot_usd_per_gpu_hour price the main deployment. */
ss_status costing_pools(const hwdb *db, const sc_point *pt, double usd_per_gpu_hour, double spot_usd_per_gpu_hour,
                        sim_result *r, sim_log *log, cost_fleet *fleet, double *price, ss_err *err);
/* The cost columns of the windows in log (may be NULL): their billed GPU-hours at their prices. */
void costing_windows(const sc_point *pt, double usd_per_gpu_hour, double spot_usd_per_gpu_hour, sim_log *log);
/* Fills the TCO, energy and CO2 rows from the measured rows (tokens, modelled power, window). */
void costing_fill_tco(const cost_config *c, const cost_fleet *f, double usd_per_gpu_hour, sim_result *r);
/* Prices api on r's measured mix into v[CA_*]; NAN where r did not measure what a field needs. The
 * break-even utilisation sets the TCO at full utilisation (capacity_output_tok_s) against the API. */
void costing_api(const cost_config *c, const cost_fleet *f, const api_price *api, double usd_per_gpu_hour,
                 const sim_result *r, double v[CA_COUNT]);

#endif
