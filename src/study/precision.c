/* precision.c: the stopping rule of a sequential study and the compaction of its arrays from the cap
 * to the replicates run.
 * Invariant: the relative half-widths are computed exactly as the summary computes its CIs
 * (stats_summarise over the same replicates, latency leaving out saturated replicates). */
#include "study/precision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ss_status precision_parse(const char *text, study_target *t, ss_err *err) {
  const char *eq = strchr(text, '=');
  char name[96];
  double rel;
  int m = -1;
  if (eq && (size_t)(eq - text) < sizeof name) {
    snprintf(name, sizeof name, "%.*s", (int)(eq - text), text);
    for (int k = 0; k < RM_COUNT && m < 0; k++)
      if (!strcmp(result_name((result_metric)k), name)) m = k;
  }
  if (m < 0)
    return ss_errorf(err, SS_EUSAGE,
                     "--precision '%s': expected METRIC=REL_HALFWIDTH with a metric of the result "
                     "table, e.g. ttft_p99_s=0.05 or usd_per_1m_output=0.02",
                     text);
  char *end;
  rel = strtod(eq + 1, &end);
  if (end == eq + 1 || *end || !(rel > 0 && rel <= 1))
    return ss_errorf(err, SS_EUSAGE,
                     "--precision '%s': the relative half-width must be a number above 0 and at most 1 "
                     "(0.05: the 95%% CI within +-5%% of the mean)",
                     text);
  t->metric = (result_metric)m, t->rel = rel;
  return SS_OK;
}

void precision_describe(const study_precision *p, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t k = 0; k < p->n_targets && used < len; k++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s=%g", k ? " " : "", result_name(p->targets[k].metric),
                             p->targets[k].rel);
}

/* Relative half-width of metric m's mean at point p over replicates [0, R): NAN without a mean to be
 * relative to (no value, a mean of 0, fewer than 2 values) or at a point where most replicates
 * saturated (latency metrics). */
static double relative_halfwidth(const study *st, size_t R, size_t p, result_metric m, double *x, double *scratch) {
  const sim_result *res = &st->res[p * st->n_reps];
  double sat = 0;
  for (size_t r = 0; r < R; r++) sat += res[r].v[RM_saturated] > 0.5;
  bool latency = result_is_latency(m);
  if (latency && 2 * sat > (double)R) return NAN;
  for (size_t r = 0; r < R; r++) x[r] = latency && res[r].v[RM_saturated] > 0.5 ? NAN : res[r].v[m];
  stats_summary s;
  stats_summarise(x, R, 1, 0, scratch, &s);
  double mean = s.v[ST_mean], half = stats_half_width(&s);
  return mean != 0 && isfinite(half) ? half / fabs(mean) : NAN;
}

bool precision_reached(study *st, size_t R) {
  study_precision *pr = &st->precision;
  double *x = malloc((R + 1) * sizeof *x), *scratch = malloc((R + 1) * sizeof *scratch);
  size_t counted = 0;
  bool met = x && scratch;
  for (size_t k = 0; k < pr->n_targets; k++)
    for (size_t p = 0; p < st->n_points; p++) {
      double rel = x && scratch ? relative_halfwidth(st, R, p, pr->targets[k].metric, x, scratch) : NAN;
      pr->rel[k * st->n_points + p] = rel;
      if (isnan(rel)) continue;
      counted++;
      met &= rel <= pr->targets[k].rel;
    }
  free(x), free(scratch);
  return pr->met = met && counted > 0;
}

/* Keeps the first R of every n_reps rows of a [rows][n_reps][width] array (realloc'd in place). */
static void shrink(void *ptr, size_t rows, size_t n_reps, size_t R, size_t width) {
  void **p = ptr;
  char *a = *p;
  if (!a) return;
  for (size_t i = 0; i < rows; i++) memmove(a + i * R * width, a + i * n_reps * width, R * width);
  void *b = realloc(a, (rows * R > 0 ? rows * R : 1) * width);
  if (b) *p = b; /* a failed shrink keeps the larger block, which is still valid */
}

ss_status precision_compact(study *st, size_t R, ss_err *err) {
  size_t M = st->n_reps, P = st->n_points, I = st->n_inputs;
  study_design *d = &st->design;
  if (R > M) return ss_errorf(err, SS_EINTERNAL, "precision: %zu replicates run, more than the %zu allocated", R, M);
  for (size_t t = 0; st->logs && t < P * M; t++) /* replicates beyond R never ran: their logs are empty */
    if (t % M >= R) sim_log_free(&st->logs[t]);
  shrink(&st->res, P, M, R, sizeof *st->res);
  shrink(&st->slo_met, P, M, R, sizeof *st->slo_met);
  shrink(&st->logs, P, M, R, sizeof *st->logs);
  shrink(&st->api, P, M, R, st->n_apis * CA_COUNT * sizeof *st->api);
  for (size_t i = 0; i < I; i++) shrink(&st->inputs[i].value, P, M, R, sizeof(double));
  shrink(&d->unit, I, M, R, sizeof *d->unit);
  shrink(&d->value, I, M, R, sizeof *d->value);
  shrink(&d->role, 1, M, R, sizeof *d->role);
  shrink(&d->group, 1, M, R, sizeof *d->group);
  shrink(&d->traffic, 1, M, R, sizeof *d->traffic);
  st->n_reps = d->n_reps = d->samples = R;
  st->task_lo = 0, st->task_hi = P * R;
  return SS_OK;
}
