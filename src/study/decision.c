/* decision.c: the chosen deployment's probability of meeting the SLO and the demand at which it drops
 * to the stated confidence, with their intervals (GSL's beta and binomial distributions).
 * Invariant: replicate r's search uses replicate r's samples and traffic, whatever thread runs it. */
#include "study/decision.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "config/resolve.h"
#include "study/capacity.h"

void decision_binomial_ci(size_t x, size_t n, double level, double *lo, double *hi) {
  double a = (1 - level) / 2;
  *lo = x == 0 ? 0 : gsl_cdf_beta_Pinv(a, (double)x, (double)(n - x + 1));
  *hi = x == n ? 1 : gsl_cdf_beta_Pinv(1 - a, (double)(x + 1), (double)(n - x));
}

void decision_quantile_ci(size_t n, double q, double level, size_t *lo, size_t *hi) {
  double a = (1 - level) / 2;
  *lo = 0, *hi = n + 1;
  /* the number B of values below the q-quantile is binomial(n, q): P(X_(l) <= x_q <= X_(u)) = P(l <= B < u) */
  for (size_t l = n; l >= 1 && !*lo; l--)
    if (gsl_cdf_binomial_P((unsigned)(l - 1), q, (unsigned)n) <= a) *lo = l;
  for (size_t u = 1; u <= n && *hi == n + 1; u++)
    if (gsl_cdf_binomial_P((unsigned)(u - 1), q, (unsigned)n) >= 1 - a) *hi = u;
}

void decision_free(plan_decision *d) {
  free(d->demand_rep);
  memset(d, 0, sizeof *d);
}

/* Replicate r's largest demand meeting the SLO with `replicas` replicas (its samples applied). */
static ss_status search(const plan_case *c, size_t r, uint32_t replicas, double guess, double rel_tol, sc_point *s,
                        double *out, uint64_t *runs, ss_err *err) {
  capacity cap = {0, NAN, 0};
  *s = *c->pt;
  for (size_t i = 0; i < c->spec->n_unc; i++) scenario_apply_sample(s, &c->spec->unc[i], c->samples[i * c->n_reps + r]);
  s->sim.dep.replicas = replicas;
  ss_status rc = resolve_point(c->spec, s, c->db, err);
  if (!rc) rc = capacity_search(&s->sim, s->seed, r, guess, rel_tol, &cap, err);
  *out = cap.rate_per_s, *runs = cap.runs;
  if (rc) ss_err_prefix(err, "replicate %zu: ", r);
  return rc;
}

static ss_status search_all(const plan_case *c, uint32_t replicas, double guess, double rel_tol, double *demand,
                            ss_err *err) {
  size_t n = c->n_reps;
  int threads = c->threads > 0 ? c->threads : omp_get_max_threads();
  ss_status *rc = calloc(n, sizeof *rc), first = SS_OK;
  ss_err *errs = calloc(n, sizeof *errs);
  uint64_t *runs = calloc(n, sizeof *runs);
  sc_point *scratch = malloc((size_t)threads * sizeof *scratch);
  if (!rc || !errs || !runs || !scratch) {
    free(rc), free(errs), free(runs), free(scratch);
    return ss_errorf(err, SS_ENOMEM, "out of memory for %zu rate searches", n);
  }
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (size_t r = 0; r < n; r++)
    rc[r] = search(c, r, replicas, guess, rel_tol, &scratch[omp_get_thread_num()], &demand[r], &runs[r], &errs[r]);
  for (size_t r = 0; r < n; r++) {
    if (c->sim_runs) *c->sim_runs += runs[r];
    if (rc[r] && !first) first = rc[r], *err = errs[r];
  }
  free(rc), free(errs), free(runs), free(scratch);
  return first;
}

ss_status decision_compute(const plan_case *c, uint32_t replicas, size_t n_met, double demand, double confidence,
                           double rel_tol, plan_decision *d, ss_err *err) {
  size_t n = c->n_reps, need = plan_need(confidence, n), lo, hi;
  d->replicas = replicas, d->n_met = n_met, d->n_reps = n;
  d->p_meet = (double)n_met / (double)n;
  decision_binomial_ci(n_met, n, DECISION_CI_LEVEL, &d->p_meet_lo, &d->p_meet_hi);
  d->demand_rep = malloc(n * sizeof *d->demand_rep);
  double *sorted = malloc(n * sizeof *sorted);
  ss_status rc = d->demand_rep && sorted ? search_all(c, replicas, demand, rel_tol, d->demand_rep, err)
                                         : ss_errorf(err, SS_ENOMEM, "out of memory for %zu replicates", n);
  if (!rc) {
    /* P(meet at x) = share of replicates whose largest demand is at least x; it drops below
     * confidence past the need-th largest, the (1 - confidence)-quantile: order statistic n - need + 1 */
    memcpy(sorted, d->demand_rep, n * sizeof *sorted);
    gsl_sort(sorted, 1, n);
    double q = 1 - confidence;
    d->demand_at_confidence = sorted[n - need];
    decision_quantile_ci(n, q, DECISION_CI_LEVEL, &lo, &hi);
    d->demand_lo = lo ? sorted[lo - 1] : NAN;
    d->demand_hi = hi <= n ? sorted[hi - 1] : NAN;
    d->need_for_lower = 0;
    if (!lo && q > 0) /* the smallest n with (1 - q)^n <= (1 - level) / 2: below it the minimum is too likely above */
      d->need_for_lower = (size_t)ceil(log((1 - DECISION_CI_LEVEL) / 2) / log(1 - q));
  }
  free(sorted);
  return rc;
}
