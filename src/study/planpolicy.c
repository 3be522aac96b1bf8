/* planpolicy.c: the ranking of planpolicy.h over a finished study. */
#include "study/planpolicy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "study/plan.h"

/* "min_replicas=1 target=8 share=0.5": the last part of each swept key and its value. */
static void label(const study *st, size_t p, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < st->n_axes && used < len; i++) {
    const study_axis *a = &st->axes[i];
    const char *dot = strrchr(a->key, '.'), *k = dot ? dot + 1 : a->key;
    if (a->is_text)
      used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", i ? " " : "", k, a->text[p]);
    else
      used += (size_t)snprintf(buf + used, len - used, "%s%s=%g", i ? " " : "", k, a->num[p]);
  }
  if (!st->n_axes) snprintf(buf, len, "the scenario's policy");
}

static bool passes(const study *st, size_t t, double windows_met_frac) {
  double w = st->res[t].f[FM_windows_slo_met_frac];
  return st->slo_met[t] > 0.5 && (!(windows_met_frac > 0) || (!isnan(w) && w >= windows_met_frac - 1e-12));
}

static int rank_cmp(const void *a, const void *b) {
  const policy_row *x = a, *y = b;
  if (x->meets != y->meets) return x->meets ? -1 : 1;
  double cx = x->meets ? x->usd_per_day.v[ST_mean] : -(double)x->n_met;
  double cy = y->meets ? y->usd_per_day.v[ST_mean] : -(double)y->n_met;
  if (isnan(cx) != isnan(cy)) return isnan(cx) ? 1 : -1;
  if (cx != cy && !isnan(cx)) return cx < cy ? -1 : 1;
  return (x->point > y->point) - (x->point < y->point);
}

ss_status planpolicy_rank(const study *st, double confidence, double windows_met_frac, policy_plan *out, ss_err *err) {
  size_t P = st->n_points, R = st->n_reps;
  memset(out, 0, sizeof *out);
  out->rows = calloc(P ? P : 1, sizeof *out->rows);
  double *x = malloc(R * sizeof *x), *scratch = malloc(R * sizeof *scratch);
  if (!out->rows || !x || !scratch) {
    free(x), free(scratch), planpolicy_free(out);
    return ss_errorf(err, SS_ENOMEM, "out of memory for %zu policies", P);
  }
  out->n_rows = P, out->n_reps = R, out->confidence = confidence, out->windows_met_frac = windows_met_frac;
  out->need = plan_need(confidence, R);
  for (size_t p = 0; p < P; p++) {
    policy_row *row = &out->rows[p];
    row->point = p;
    label(st, p, row->label, sizeof row->label);
    for (size_t r = 0; r < R; r++) row->n_met += passes(st, p * R + r, windows_met_frac);
    row->meets = row->n_met >= out->need;
    row->usd_per_day = st->fleet_summary[p][FM_usd_per_day];
    row->replicas_mean = st->fleet_summary[p][FM_replicas_mean];
    row->windows_slo_met_frac = st->fleet_summary[p][FM_windows_slo_met_frac];
    row->usd_per_1m_output = st->summary[p][RM_usd_per_1m_output];
    row->ttft_p99_s = st->summary[p][RM_ttft_p99_s];
  }
  qsort(out->rows, P, sizeof *out->rows, rank_cmp);
  out->found = P && out->rows[0].meets;
  for (int k = 0; k < ST_COUNT; k++) out->saving_usd.v[k] = NAN;
  if (out->found && P > 1 && out->rows[1].meets) { /* paired: replicate r of both saw the same traffic */
    size_t a = out->rows[0].point, b = out->rows[1].point;
    for (size_t r = 0; r < R; r++) x[r] = st->res[b * R + r].f[FM_usd_per_day] - st->res[a * R + r].f[FM_usd_per_day];
    stats_summarise(x, R, 1, -INFINITY, scratch, &out->saving_usd); /* a saving may be negative */
  }
  free(x), free(scratch);
  return SS_OK;
}

void planpolicy_free(policy_plan *p) {
  free(p->rows);
  memset(p, 0, sizeof *p);
}
