/* cluster.h: R identical replicas of a deployment (GPU x TP) behind a router: round robin, least
 * outstanding requests, or join the shortest queue.
 * Invariant: routing depends only on the replicas' current state and the router's rotation
 * counter (ties go to the first replica at or after the rotation point), so it is deterministic. */
#ifndef SERVESIM_CLUSTER_H
#define SERVESIM_CLUSTER_H
#include <stdint.h>

#include "base/err.h"
#include "sim/sched.h"

#define CLUSTER_NONE UINT32_MAX

typedef struct {
  sched_replica *rep;
  uint32_t n;
  int router;             /* sim_router */
  uint32_t rr;            /* rotation point */
  const uint8_t *serving; /* [n]: replicas that take requests (a changing fleet); NULL: all of them */
} cluster;

ss_status cluster_init(cluster *c, const sim_deployment *d, uint64_t kv_blocks_per_replica, ss_err *err);
void cluster_free(cluster *c);
/* The replica a new request goes to; CLUSTER_NONE when no replica serves. With a serving mask, the
 * replicas that do not serve are skipped and the others keep the order and ties of the unmasked router. */
uint32_t cluster_route(cluster *c);

#endif
