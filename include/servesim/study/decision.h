/* decision.h: how sure plan's answer is. For the chosen deployment (the cheapest meeting the SLO, at
 * its replica count): the probability that it meets both p99 objectives at the demand, estimated from
 * the replicates with a Clopper-Pearson 95% interval, and the demand at which that probability drops
 * to plan.confidence, from each replicate's largest demand meeting the SLO at that replica count (a
 * rate search per replicate), with a distribution-free 95% interval from order statistics.
 * Invariant: every number depends only on (spec, seed, replicate): the searches run under OpenMP into
 * per-replicate slots and the lowest failing replicate's error is the one reported. */
#ifndef SERVESIM_DECISION_H
#define SERVESIM_DECISION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "study/plan.h"

#define DECISION_CI_LEVEL 0.95

typedef struct plan_decision {
  size_t point;               /* the chosen candidate's sweep point */
  char label[PLAN_LABEL_LEN]; /* and its label */
  uint32_t replicas;
  size_t n_met, n_reps;                /* replicates meeting both SLOs at the demand with `replicas` */
  double p_meet, p_meet_lo, p_meet_hi; /* n_met / n_reps and its Clopper-Pearson 95% interval */
  double demand_at_confidence;         /* req/s: met by at least plan.confidence of the replicates */
  double demand_lo, demand_hi;         /* its 95% interval (NAN: too few replicates for that end) */
  size_t need_for_lower;               /* replicates a lower end needs (0: it has one) */
  double *demand_rep;                  /* [n_reps]: each replicate's largest demand meeting the SLO (owned) */
} plan_decision;

/* The Clopper-Pearson interval of x successes in n at `level`: [0, ...] at x = 0, [..., 1] at x = n. */
void decision_binomial_ci(size_t x, size_t n, double level, double *lo, double *hi);
/* Order statistics (1-based, ascending) that bracket the q-quantile of n values with at least `level`
 * coverage, equal tails: *lo = 0 when no lower one exists, *hi = n + 1 when no upper one does. */
void decision_quantile_ci(size_t n, double q, double level, size_t *lo, size_t *hi);
/* The decision for candidate case c at `replicas`, which met the SLO in n_met of c->n_reps replicates
 * at the demand; rel_tol is the rate search's bracket. */
ss_status decision_compute(const plan_case *c, uint32_t replicas, size_t n_met, double demand, double confidence,
                           double rel_tol, plan_decision *out, ss_err *err);
void decision_free(plan_decision *d);

#endif
