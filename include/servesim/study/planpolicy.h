/* planpolicy.h: `servesim plan` with plan.mode: policy (docs/plan.md): the points of the sweep are
 * fleet policies (autoscaler bounds and targets, spot share, standby replicas, ...) of one deployment
 * under one day of demand; the answer is the policy with the lowest expected daily cost among those
 * meeting the SLO in at least plan.confidence of the replicates, with the 95% confidence interval of
 * its daily cost and of its saving over the runner-up (paired: replicate k of every policy sees the
 * same traffic).
 * Invariant: the ranking is a function of the study's per-replicate rows only (so `servesim report`
 * recomputes exactly what `plan` printed), ties broken by sweep order. */
#ifndef SERVESIM_PLANPOLICY_H
#define SERVESIM_PLANPOLICY_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/stats.h"
#include "study/study.h"

enum { POLICY_LABEL_LEN = 192 };

typedef struct {
  size_t point;
  char label[POLICY_LABEL_LEN]; /* the swept values, "min_replicas=1 target=8" */
  size_t n_met;                 /* replicates not saturated, meeting both P99 objectives and the window share */
  bool meets;                   /* n_met >= need */
  stats_summary usd_per_day, usd_per_1m_output, replicas_mean, windows_slo_met_frac, ttft_p99_s;
} policy_row;

typedef struct {
  policy_row *rows; /* ranked: meeting ones by mean daily cost, then the others by replicates met */
  size_t n_rows, need, n_reps;
  double confidence, windows_met_frac;
  bool found;               /* rows[0] meets the SLO */
  stats_summary saving_usd; /* runner-up's daily cost minus the cheapest's, paired by replicate (NAN: none) */
} policy_plan;

/* A replicate passes when it is not saturated, meets both P99 objectives over its window
 * (study's slo_met) and, when windows_met_frac > 0, at least that fraction of its windows met them. */
ss_status planpolicy_rank(const study *st, double confidence, double windows_met_frac, policy_plan *out, ss_err *err);
void planpolicy_free(policy_plan *p);

#endif
