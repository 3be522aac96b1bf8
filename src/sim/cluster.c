/* cluster.c: replica set and routers (one function per router, in a table). Routing is O(R). */
#include "sim/cluster.h"

#include <stdlib.h>

typedef uint64_t (*load_fn)(const sched_replica *rp);

static uint64_t load_none(const sched_replica *rp) { return (void)rp, 0; }
static uint64_t load_outstanding(const sched_replica *rp) { return sched_outstanding(rp); }
/* waiting first, outstanding as the tie-break */
static uint64_t load_queue(const sched_replica *rp) { return ((uint64_t)rp->wq_len << 32) | sched_outstanding(rp); }

static const load_fn ROUTERS[] = {
    [ROUTE_ROUND_ROBIN] = load_none, [ROUTE_LEAST_OUTSTANDING] = load_outstanding, [ROUTE_JSQ] = load_queue};

ss_status cluster_init(cluster *c, const sim_deployment *d, uint64_t kv_blocks, ss_err *err) {
  *c = (cluster){.n = d->replicas, .router = d->router};
  if (!(c->rep = calloc(c->n, sizeof *c->rep))) return ss_errorf(err, SS_ENOMEM, "out of memory for %u replicas", c->n);
  for (uint32_t i = 0; i < c->n; i++) {
    ss_status rc = sched_init(&c->rep[i], d, kv_blocks, err);
    if (rc) {
      c->n = i;
      cluster_free(c);
      return rc;
    }
  }
  return SS_OK;
}

void cluster_free(cluster *c) {
  for (uint32_t i = 0; i < c->n; i++) sched_free(&c->rep[i]);
  free(c->rep);
  c->rep = NULL;
}

/* The router over the serving replicas only: the first serving one at or after the rotation point,
 * then the others in rotation order, a lower load winning. */
static uint32_t route_masked(cluster *c, load_fn load) {
  uint32_t best = CLUSTER_NONE;
  uint64_t best_load = 0;
  for (uint32_t k = 0; k < c->n && (best == CLUSTER_NONE || best_load); k++) {
    uint32_t i = (c->rr + k) % c->n;
    if (!c->serving[i]) continue;
    uint64_t l = load(&c->rep[i]);
    if (best == CLUSTER_NONE || l < best_load) best = i, best_load = l;
  }
  if (best != CLUSTER_NONE) c->rr = (best + 1) % c->n;
  return best;
}

uint32_t cluster_route(cluster *c) {
  load_fn load = ROUTERS[c->router];
  if (c->serving) return route_masked(c, load);
  uint32_t best = c->rr % c->n;
  uint64_t best_load = load(&c->rep[best]);
  for (uint32_t k = 1; k < c->n && best_load; k++) {
    uint32_t i = (c->rr + k) % c->n;
    uint64_t l = load(&c->rep[i]);
    if (l < best_load) best = i, best_load = l;
  }
  c->rr = (best + 1) % c->n;
  return best;
}
