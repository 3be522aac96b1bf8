/* fleet.h: a fleet that changes during a replicate (docs/fleet.md). Replica slots go through an instance
 * lifecycle: off -> booting (provisioning, then billed while the weights load and the engine warms up)
 * -> serving or standby -> draining (scale-down: no new requests, in-flight ones finish) or notice (a
 * spot interruption: drains until the reclaim) -> off; a failure takes a replica off at once. The
 * autoscaler sets how many replicas should serve; losses are replaced (after a delay) and standby
 * replicas take over at once. Requests that find no serving replica wait in a fleet-level buffer (as
 * Knative's activator holds them while scaling from zero). The fleet also keeps the hour-by-hour
 * windows and the fleet rows of the result.
 * Invariant: the serving mask of the cluster lists exactly the slots in the serving state; billing
 * integrates the billed instances over time, and a lifetime ends exactly once; every random draw comes
 * from the fleet's own streams (spot, failure), drawn in launch order, so a fleet that never loses a
 * replica leaves the traffic and every request exactly as the static fleet would. */
#ifndef SERVESIM_FLEET_H
#define SERVESIM_FLEET_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/cluster.h"
#include "sim/metrics.h"
#include "sim/result.h"
#include "sim/sched.h"
#include "sim/simconfig.h"
#include "sim/windows.h"

/* What the fleet asks of the event loop that owns the requests. */
typedef struct {
  void *ctx;
  void (*push)(void *ctx, double t, uint32_t arg);  /* fleet_event(arg) at time t */
  void (*place)(void *ctx, uint32_t id, double t);  /* route a waiting request (again) */
  void (*lose)(void *ctx, uint32_t id, double t);   /* a request of a lost replica fails */
  void (*queue)(void *ctx, double t, double delta); /* waiting requests change by delta */
  bool (*stepping)(const void *ctx, uint32_t rep);  /* a step (or its wake-up) is pending */
} fleet_host;

typedef struct fleet fleet; /* opaque */

/* Replica slots the cluster needs for configuration c (deployment.replicas when the fleet is static). */
uint32_t fleet_slots(const sim_config *c);
/* A fleet for c over cluster cl (fleet_slots(c) replicas) and request pool p. weight_bytes: one
 * replica's weights (all its GPUs); key: the replicate's random key; [lo, hi): the measured window.
 * The first deployment.replicas replicas (within the autoscaler's bounds) serve from t = 0. */
ss_status fleet_init(fleet **out, const sim_config *c, cluster *cl, sched_pool *p, double weight_bytes, uint64_t key,
                     double lo_s, double hi_s, const fleet_host *host, ss_err *err);
void fleet_free(fleet *f);

/* ---- what the event loop reports ---- */
void fleet_event(fleet *f, double t, uint32_t arg);
void fleet_arrival(fleet *f, double t);
void fleet_finish(fleet *f, const metrics_req *r);
void fleet_tokens(fleet *f, double t, double out_tokens);
/* Replica rep runs a step over [t0, t1]. */
void fleet_step(fleet *f, uint32_t rep, double t0, double t1);
/* Replica rep has nothing to run at t (a draining replica that is empty goes off). */
void fleet_idle(fleet *f, uint32_t rep, double t);
/* Whether a step event of replica rep belongs to its current instance (false: the replica was lost
 * while the step ran; the event is dropped). */
bool fleet_step_ok(fleet *f, uint32_t rep);
/* A request found no serving replica: it waits in the fleet's buffer. */
ss_status fleet_pend(fleet *f, uint32_t id);

/* ---- results ---- */
/* Closes the accounting when the run stops at t_end (before the results are read). */
void fleet_close(fleet *f, double t_end);
/* Serving and billed replicas as the metrics see them: time means over the measured window (exactly
 * the counts when they never changed). */
double fleet_replicas_mean(const fleet *f);
double fleet_replicas_billed_mean(const fleet *f);
/* Fills out's fleet rows (the dollar rows stay NAN). */
void fleet_rows(const fleet *f, sim_result *out);
/* The windows (NULL when off). */
const win_set *fleet_windows(const fleet *f);
/* The fleet rows of a static fleet without windows: n replicas serving and billed throughout. */
void fleet_static_rows(const sim_config *c, sim_result *out);

#endif
