/* capacity.c: the rate search. Each trial is one sim_run of the configuration with only the arrival
 * rate changed; a trial passes when result_meets_slo holds. */
#include "study/capacity.h"

#include <math.h>

#include "sim/sim.h"

enum { MAX_DOUBLINGS = 30 };
#define FLOOR_RATE 1e-6 /* the key's bounds allow 1e-9; below this a deployment serves nothing */

bool capacity_defined(const sim_config *c) {
  int p = c->wl.process;
  /* a changing fleet has no fixed capacity (its autoscaler moves it), nor several deployments a single one */
  return (p == ARR_POISSON || p == ARR_GAMMA || p == ARR_DIURNAL) && !sim_fleet_dynamic(c) && !sim_multimodel(c);
}

typedef struct {
  sim_config cfg;
  uint64_t seed, replicate;
  capacity *out;
} trial;

/* Runs the configuration at `rate`; *met says whether it met the SLO (and keeps its throughput). */
static ss_status run_at(trial *t, double rate, bool *met, ss_err *err) {
  sim_result res;
  t->cfg.wl.rate_per_s = rate;
  ss_status rc = sim_run(&t->cfg, t->seed, t->replicate, &res, NULL, err);
  if (rc) return rc;
  t->out->runs++;
  *met = result_meets_slo(&res, t->cfg.slo_ttft_s, t->cfg.slo_tpot_s);
  if (*met && rate >= t->out->rate_per_s) t->out->rate_per_s = rate, t->out->output_tok_s = res.v[RM_output_tok_s];
  return SS_OK;
}

ss_status capacity_search(const sim_config *c, uint64_t seed, uint64_t replicate, double guess_per_s, double rel_tol,
                          capacity *out, ss_err *err) {
  trial t = {*c, seed, replicate, out};
  double lo = 0, hi = guess_per_s;
  bool met;
  ss_status rc;
  *out = (capacity){0, NAN, 0};
  t.cfg.log_requests = t.cfg.log_timeseries = false;
  if (!capacity_defined(c))
    return ss_errorf(err, SS_EDATA, "capacity is defined for poisson, gamma and diurnal arrivals only");
  if ((rc = run_at(&t, hi, &met, err))) return rc;
  if (met) {
    lo = hi;
    for (int i = 0; i < MAX_DOUBLINGS && met; i++) {
      hi = 2 * lo;
      if ((rc = run_at(&t, hi, &met, err))) return rc;
      if (met) lo = hi;
    }
    if (met) return SS_OK; /* 2^30 x the guess: the bound, not a bracket */
  } else {
    for (met = false; !met && hi > FLOOR_RATE;) {
      lo = hi / 2;
      if ((rc = run_at(&t, lo, &met, err))) return rc;
      if (!met) hi = lo;
    }
    if (!met) return SS_OK; /* nothing passes: capacity 0 */
  }
  while (hi - lo > rel_tol * hi) {
    double mid = (lo + hi) / 2;
    if ((rc = run_at(&t, mid, &met, err))) return rc;
    *(met ? &lo : &hi) = mid;
  }
  return SS_OK;
}
