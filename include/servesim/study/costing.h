/* costing.h: the cost rows of a replicate's result: GPU cost per hour and per 1M tokens with idle
 * time billed, the TCO with energy and CO2, and the comparison with APIs priced on the replicate's own
 * request mix. The formulas are physics/cost's; this module applies them to measured rows.
 * Invariant: a cost row is NAN when the measured rows it needs are (e.g. no output token). */
#ifndef SERVESIM_COSTING_H
#define SERVESIM_COSTING_H
#include <stddef.h>

#include "config/scenario.h"
#include "physics/cost.h"
#include "sim/result.h"

/* One API priced on a replicate's measured request mix, next to the deployment's TCO. */
typedef struct {
  const api_price *api;
  double usd_window;                     /* the API bill for the window's input and output tokens */
  double usd_per_1m_output;              /* cost_api_usd_per_1m_output of the measured mix */
  double usd_per_1m_blended;             /* per 1M tokens of either kind */
  double tco_over_api;                   /* TCO per output token / usd_per_1m_output */
  double breakeven_busy_frac;            /* cost_breakeven_busy_frac, capacity extrapolated as below */
  double breakeven_output_tok_per_month; /* monthly TCO / API price per output token */
} costing_api_row;

/* The fleet a point bills: tp x replicas GPUs of the bound GPU's TDP. */
cost_fleet costing_fleet(const sc_point *pt);
/* Fills the GPU cost rows of r from its measured rows (output/total tokens, requests, window). */
void costing_fill(const cost_fleet *f, double usd_per_gpu_hour, sim_result *r);
/* Prices api on r's measured rows (output/total tokens, busy fraction, window); NAN where r did not
 * measure what a field needs. */
void costing_api_against(const cost_config *c, const cost_fleet *f, const api_price *api, double usd_per_gpu_hour,
                         const sim_result *r, costing_api_row *out);
/* Fills the TCO, energy, CO2 and API rows from the measured rows (tokens, gpu_busy_frac, window).
 * api (may be NULL: API rows NAN) is the API compared with; the API rows are costing_api_against's.
 * The break-even busy fraction extrapolates the measured output tokens per busy second, which at
 * light load (small batches) understates the capacity and so overstates the break-even. */
void costing_fill_tco(const cost_config *c, const cost_fleet *f, const api_price *api, double usd_per_gpu_hour,
                      sim_result *r);
/* The first compare_api row of pt, or NULL. */
const api_price *costing_first_api(const hwdb *db, const sc_point *pt);

#endif
