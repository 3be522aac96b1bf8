/* cluster.c: replica pools and routers (one load function per router, in a table; prefix affinity
 * probes each replica's cache). Routing is O(R), prefix affinity O(R x cached blocks of the prompt). */
#include "sim/cluster.h"

#include <stdlib.h>

typedef uint64_t (*load_fn)(const sched_replica *rp);

static uint64_t load_none(const sched_replica *rp) { return (void)rp, 0; }
static uint64_t load_outstanding(const sched_replica *rp) { return sched_outstanding(rp); }
/* waiting first, outstanding as the tie-break */
static uint64_t load_queue(const sched_replica *rp) { return ((uint64_t)rp->wq_len << 32) | sched_outstanding(rp); }

/* prefix and session affinity place new work by least outstanding */
static const load_fn ROUTERS[] = {[ROUTE_ROUND_ROBIN] = load_none,
                                  [ROUTE_LEAST_OUTSTANDING] = load_outstanding,
                                  [ROUTE_JSQ] = load_queue,
                                  [ROUTE_PREFIX_AFFINITY] = load_outstanding,
                                  [ROUTE_SESSION_AFFINITY] = load_outstanding};

static ss_status init_range(cluster *c, uint32_t lo, uint32_t n, const sim_deployment *d, uint64_t blocks,
                            ss_err *err) {
  for (uint32_t i = lo; i < lo + n; i++) {
    ss_status rc = sched_init(&c->rep[i], d, blocks, err);
    if (rc) return rc;
    c->n = i + 1;
  }
  return SS_OK;
}

ss_status cluster_init(cluster *c, const sim_deployment *d, uint64_t kv_blocks, const sim_deployment *prefill,
                       uint64_t prefill_blocks, ss_err *err) {
  uint32_t pp = d->pp ? d->pp : 1, n0 = d->replicas * pp, n1 = prefill ? prefill->replicas : 0;
  *c = (cluster){.router = d->router, .pool = {{0, n0, 0}, {n0, n1, 0}}};
  if (!(c->rep = calloc((size_t)n0 + n1, sizeof *c->rep)))
    return ss_errorf(err, SS_ENOMEM, "out of memory for %u replicas", n0 + n1);
  ss_status rc = init_range(c, 0, n0, d, kv_blocks / pp, err);
  if (!rc && n1) rc = init_range(c, n0, n1, prefill, prefill_blocks, err);
  for (uint32_t i = n0; !rc && i < n0 + n1; i++) c->rep[i].prefill_only = true;
  if (rc) cluster_free(c);
  return rc;
}

void cluster_free(cluster *c) {
  for (uint32_t i = 0; i < c->n; i++) sched_free(&c->rep[i]);
  free(c->rep);
  c->rep = NULL;
}

/* The pool's serving replicas from the rotation point on, the first lowest load winning (a load of 0
 * ends the search). */
uint32_t cluster_route(cluster *c, uint32_t pool) {
  cluster_pool *p = &c->pool[pool];
  load_fn load = ROUTERS[c->router];
  uint32_t best = CLUSTER_NONE;
  uint64_t best_load = 0;
  for (uint32_t k = 0; k < p->n && (best == CLUSTER_NONE || best_load); k++) {
    uint32_t i = (p->rr + k) % p->n;
    if (!cluster_serves(c, p->lo + i)) continue;
    uint64_t l = load(&c->rep[p->lo + i]);
    if (best == CLUSTER_NONE || l < best_load) best = i, best_load = l;
  }
  if (best == CLUSTER_NONE) return CLUSTER_NONE;
  p->rr = (best + 1) % p->n;
  return p->lo + best;
}

uint32_t cluster_route_prefix(cluster *c, uint32_t pool, const prefix_ident *ident, uint32_t prompt, uint32_t balance) {
  cluster_pool *p = &c->pool[pool];
  uint32_t best = CLUSTER_NONE, best_hit = 0, min_load = UINT32_MAX;
  for (uint32_t k = 0; k < p->n; k++) {
    uint32_t i = (p->rr + k) % p->n, unheld;
    if (!cluster_serves(c, p->lo + i)) continue;
    sched_replica *rp = &c->rep[p->lo + i];
    uint32_t hit = prefix_probe(rp->pc, ident, prompt, &unheld), load = sched_outstanding(rp);
    if (load < min_load) min_load = load;
    if (best == CLUSTER_NONE || hit > best_hit ||
        (hit == best_hit && load < sched_outstanding(&c->rep[p->lo + best])))
      best = i, best_hit = hit;
  }
  if (best == CLUSTER_NONE) return CLUSTER_NONE;
  if (sched_outstanding(&c->rep[p->lo + best]) > (uint64_t)min_load + balance) return cluster_route(c, pool);
  p->rr = (best + 1) % p->n;
  return p->lo + best;
}
