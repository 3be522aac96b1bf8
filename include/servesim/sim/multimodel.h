/* multimodel.h: one replicate of a multi-model fleet (docs/fleet.md): several deployments behind one
 * request router that sends each request by class (prompt length) or through a cascade (the first
 * deployment answers, a fraction is escalated to the next), a share answered from a response cache.
 * The traffic is drawn once; each deployment is simulated as its own replicate fed the requests it gets
 * (a cascade's escalations arrive when the previous deployment finished them), and the answers users
 * got are combined into one result, with per-deployment rows and the hour-by-hour windows.
 * Invariant: a request's latency runs from its original arrival to the answer it finally got; with
 * nothing escalated, cached or routed elsewhere the first deployment's requests are simulated exactly
 * as that deployment alone (same traffic stream, same seed), so every request-level metric equals its
 * single-deployment run bit for bit. */
#ifndef SERVESIM_MULTIMODEL_H
#define SERVESIM_MULTIMODEL_H
#include <stdint.h>

#include "base/err.h"
#include "sim/sim.h"

/* Runs replicate `replicate` of c (sim_multimodel(c) holds); log as sim_run's, plus, with windows, each
 * window's GPU-hours per deployment (log->win_pool_gpu_h) for costing. */
ss_status mm_run(const sim_config *c, uint64_t seed, uint64_t replicate, sim_result *out, sim_log *log, ss_err *err);

#endif
