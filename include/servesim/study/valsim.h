/* valsim.h: the simulator-backed mode handler of `servesim validate`: a validation case (offline,
 * closed or poisson) becomes a sweep point, runs through sim_run for a few replicates, and the results
 * map onto the case's metric ids.
 * Invariant: the point starts from the scenario defaults and passes resolve_point, so a case gets
 * the same engine defaults, checks and step-time model as a scenario file would. */
#ifndef SERVESIM_VALSIM_H
#define SERVESIM_VALSIM_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "study/validate.h"

enum {
  VALSIM_REPLICATES = 3,        /* closed and poisson rows: replicates averaged (pooled for TGI's metric) */
  VALSIM_OFFLINE_MAX_N = 20000, /* offline rows: at most this many requests (see valsim_scenario) */
  VALSIM_OFFLINE_MIN_WAVES = 8  /* ... but at least this many full batches, so the steady state dominates */
};
#define VALSIM_CLOSED_S      90.0  /* closed rows: k6 constant-vus for 90 s, no warm-up dropped (TGI source) */
#define VALSIM_POISSON_S     300.0 /* poisson rows: 1200 / 2400 prompts at 4 / 8 req/s = 300 s of arrivals */
#define VALSIM_SEED          20261125u
#define VALSIM_COUNTED_MAX_S 1e6 /* closed rows with a request count: the run ends when they finish */

/* The point of case c (mode offline, closed or poisson): gpu, tp, replicas = gpus / tp, model,
 * weights, kv, engine (scheduler defaults from the engine profile), lengths, traffic from the mode and
 * load. Fails with a message when the case cannot be represented. */
ss_status valsim_point(const validate_case *c, const hwdb *db, sc_point *pt, ss_err *err);

/* validate_mode_fn: builds the scenario, runs VALSIM_REPLICATES replicates (one for offline) and fills
 * pred[VM_*]. */
bool valsim_predict(const validate_env *env, double pred[VM_COUNT], char *reason, size_t len);

#endif
