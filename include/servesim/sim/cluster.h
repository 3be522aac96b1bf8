/* cluster.h: the replicas of a deployment behind a router: round robin, least outstanding requests,
 * join the shortest queue, or prefix affinity (the replica whose cache holds most of the prompt's head,
 * unless it is too busy). Pool 0 holds the deployment's replicas (pp lanes each under pipeline
 * parallelism: docs/sim.md); pool 1 the prefill replicas of a disaggregated deployment (empty otherwise).
 * A changing fleet (sim/fleet) masks the replicas that do not serve.
 * Invariant: routing depends only on the replicas' current state, the serving mask and the pool's
 * rotation counter (ties go to the first serving replica at or after the rotation point), so it is
 * deterministic. */
#ifndef SERVESIM_CLUSTER_H
#define SERVESIM_CLUSTER_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/sched.h"

#define CLUSTER_NONE UINT32_MAX

typedef struct {
  uint32_t lo, n; /* replicas [lo, lo + n) */
  uint32_t rr;    /* rotation point */
} cluster_pool;

typedef struct {
  sched_replica *rep;
  uint32_t n;
  int router; /* sim_router */
  cluster_pool pool[2];
  const uint8_t *serving; /* [n]: replicas that take requests (a changing fleet); NULL: all of them */
} cluster;

/* Pool 0: d->replicas x d->pp replicas (lanes) of kv_blocks / pp blocks each; pool 1: prefill->replicas
 * prefill-only replicas of prefill_blocks blocks (prefill may be NULL). */
ss_status cluster_init(cluster *c, const sim_deployment *d, uint64_t kv_blocks, const sim_deployment *prefill,
                       uint64_t prefill_blocks, ss_err *err);
void cluster_free(cluster *c);
/* The replica of pool `pool` a new request goes to (prefix affinity falls back to least outstanding);
 * CLUSTER_NONE when no replica of the pool serves. With a serving mask, the replicas that do not serve
 * are skipped and the others keep the order and ties of the unmasked router. */
uint32_t cluster_route(cluster *c, uint32_t pool);
/* Prefix affinity: the serving replica of the pool whose cache holds the longest head of the prompt
 * (most outstanding-free on ties), unless its outstanding requests exceed the least loaded one's by
 * more than `balance`: then the least loaded. */
uint32_t cluster_route_prefix(cluster *c, uint32_t pool, const prefix_ident *ident, uint32_t prompt, uint32_t balance);
/* Whether replica i takes requests. */
static inline bool cluster_serves(const cluster *c, uint32_t i) { return !c->serving || c->serving[i]; }

#endif
