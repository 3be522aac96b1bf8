/* capacity.h: a deployment's capacity at its SLO: the largest arrival rate (workload.arrival.rate_per_s)
 * at which one replicate of the simulation meets both p99 objectives without saturating, found by
 * bracketing from a guess (doubling or halving) and bisecting to a relative tolerance. Utilisation
 * (docs/semantics.md) is an arrival rate over this capacity.
 * Invariant: the answer depends only on (config, seed, replicate, guess, tolerance): replicate r sees
 * the same traffic streams at every rate tried (common random numbers), so the search is monotone
 * in practice and reproducible always. */
#ifndef SERVESIM_CAPACITY_H
#define SERVESIM_CAPACITY_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/result.h"
#include "sim/simconfig.h"

typedef struct {
  double rate_per_s;   /* largest rate seen to meet the SLO; 0 when even a trickle misses it */
  double output_tok_s; /* output tokens per second of the run at that rate (NAN when rate is 0) */
  uint64_t runs;       /* simulations run (bookkeeping) */
} capacity;

/* Whether capacity is defined for c's traffic: open-loop processes whose rate scales the load
 * (poisson, gamma, diurnal); closed loops, offline batches and traces have no arrival rate to raise. */
bool capacity_defined(const sim_config *c);
ss_status capacity_search(const sim_config *c, uint64_t seed, uint64_t replicate, double guess_per_s, double rel_tol,
                          capacity *out, ss_err *err);

#endif
