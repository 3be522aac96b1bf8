/* fleet_out.c: the tables of fleet_out.h. Cells are "mean [lo, hi]" (95% CI of the mean across
 * replicates), "-" where nothing was measured. */
#include "io/fleet_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *num(double v, char *buf, size_t len) {
  if (isnan(v))
    snprintf(buf, len, "-");
  else
    snprintf(buf, len, "%.4g", v);
  return buf;
}

static const char *ci(const stats_summary *s, char *buf, size_t len) {
  char a[24], b[24], c[24];
  if (isnan(s->v[ST_mean])) return snprintf(buf, len, "-"), buf;
  if (isnan(s->v[ST_ci95_lo])) return num(s->v[ST_mean], buf, len);
  snprintf(buf, len, "%s [%s, %s]", num(s->v[ST_mean], a, sizeof a), num(s->v[ST_ci95_lo], b, sizeof b),
           num(s->v[ST_ci95_hi], c, sizeof c));
  return buf;
}

/* ---- servesim plan, plan.mode: policy ---- */

void fleet_out_policy_table(FILE *out, const policy_plan *p) {
  char c[4][96];
  int w = 12;
  for (size_t i = 0; i < p->n_rows; i++)
    if ((int)strlen(p->rows[i].label) > w) w = (int)strlen(p->rows[i].label);
  fprintf(out, "cheapest policy: the SLO met in at least %zu of %zu replicates (confidence %g)%s\n\n", p->need,
          p->n_reps, p->confidence, p->windows_met_frac > 0 ? ", counting only replicates whose windows met it" : "");
  fprintf(out, "%4s  %-*s %6s %26s %22s %18s\n", "rank", w, "policy", "met", "$/day [95% CI]", "$/1M out [95% CI]",
          "replicas mean");
  for (size_t i = 0; i < p->n_rows; i++) {
    const policy_row *r = &p->rows[i];
    char met[32];
    snprintf(met, sizeof met, "%zu/%zu", r->n_met, p->n_reps);
    fprintf(out, "%4zu  %-*s %6s %26s %22s %18s%s\n", i + 1, w, r->label, met, ci(&r->usd_per_day, c[0], 96),
            ci(&r->usd_per_1m_output, c[1], 96), ci(&r->replicas_mean, c[2], 96), r->meets ? "" : "  (SLO not met)");
  }
  if (!p->found) {
    fprintf(out, "\nno policy meets the SLO in %zu of %zu replicates\n", p->need, p->n_reps);
    return;
  }
  fprintf(out, "\ncheapest: %s at %s per day", p->rows[0].label, ci(&p->rows[0].usd_per_day, c[0], 96));
  if (!isnan(p->saving_usd.v[ST_mean]))
    fprintf(out, "; %s per day less than %s (paired by replicate)", ci(&p->saving_usd, c[1], 96), p->rows[1].label);
  fprintf(out, "\n");
}

/* ---- the report ---- */

static bool dynamic_point(const study *st, size_t p) {
  return !isnan(st->fleet_summary[p][FM_cold_start_s].v[ST_mean]);
}

void fleet_out_report_fleet(FILE *out, const study *st, fleet_out_label_fn label) {
  static const struct {
    int m;
    bool fleet;
    const char *head;
  } COLS[] = {
      {FM_replicas_mean, true, "replicas (mean)"},    {FM_replicas_max, true, "max"},
      {FM_replicas_billed_mean, true, "billed"},      {RM_billed_gpu_hours, false, "GPU-h"},
      {FM_billed_gpu_hours_spot, true, "spot GPU-h"}, {FM_cold_starts, true, "cold starts"},
      {FM_spot_interruptions, true, "interruptions"}, {FM_failures, true, "failures"},
      {FM_requests_lost, true, "lost requests"},      {FM_usd_per_day, true, "$ / day"},
      {RM_usd_per_1m_output, false, "$ / 1M output"}, {FM_windows_slo_met_frac, true, "windows meeting the SLO"},
  };
  size_t n_dyn = 0;
  char lab[256], cell[96];
  for (size_t p = 0; p < st->n_points; p++) n_dyn += dynamic_point(st, p);
  fprintf(out, "## Fleet\n\n");
  if (!n_dyn) {
    fprintf(out, "A static fleet (no autoscaling, spot, failures or standby replicas): deployment.replicas replicas "
                 "serve and bill throughout.\n\n");
    return;
  }
  fprintf(out, "Mean [95%% CI] across replicates over the measured window (docs/fleet.md). Replicas serving "
               "(holding requests) and billed (booting, serving, standby, draining); cost at the billed GPU-hours, "
               "spot ones at the spot price.\n\n| point | setting |");
  for (size_t c = 0; c < sizeof COLS / sizeof COLS[0]; c++) fprintf(out, " %s |", COLS[c].head);
  fprintf(out, "\n|---|---|");
  for (size_t c = 0; c < sizeof COLS / sizeof COLS[0]; c++) fprintf(out, "---|");
  fprintf(out, "\n");
  for (size_t p = 0; p < st->n_points; p++) {
    fprintf(out, "| %zu | %s |", p, label(st, p, lab, sizeof lab));
    for (size_t c = 0; c < sizeof COLS / sizeof COLS[0]; c++)
      fprintf(out, " %s |",
              ci(COLS[c].fleet ? &st->fleet_summary[p][COLS[c].m] : &st->summary[p][COLS[c].m], cell, sizeof cell));
    fprintf(out, "\n");
  }
  if (dynamic_point(st, 0))
    fprintf(out, "\nCold start of one replica: %.4g s (provisioning + weights / load bandwidth + engine warm-up).\n",
            st->fleet_summary[0][FM_cold_start_s].v[ST_mean]);
  fprintf(out, "\n");
}

/* The columns of the hour-by-hour table. */
static const win_column WIN_TABLE[] = {WC_req_s,         WC_output_tok_s, WC_ttft_p99_s, WC_tpot_p99_s,
                                       WC_replicas_mean, WC_usd,          WC_slo_met};
static const char *const WIN_HEADS[] = {
    "arrivals / s", "output tok / s", "P99 TTFT (s)", "P99 TPOT (s)", "replicas", "$", "SLO met"};

static void window_table(FILE *out, const study *st, size_t p) {
  char cell[96];
  size_t n = sizeof WIN_TABLE / sizeof WIN_TABLE[0];
  fprintf(out, "| window (h) |");
  for (size_t c = 0; c < n; c++) fprintf(out, " %s |", WIN_HEADS[c]);
  fprintf(out, "\n|---|");
  for (size_t c = 0; c < n; c++) fprintf(out, "---|");
  fprintf(out, "\n");
  for (size_t k = 0; k < st->win_max; k++) {
    const stats_summary *s = study_win_summary(st, p, k);
    if (!s[WC_t_start_s].n) break; /* this point has fewer windows */
    fprintf(out, "| %g-%g |", s[WC_t_start_s].v[ST_mean] / 3600, s[WC_t_end_s].v[ST_mean] / 3600);
    for (size_t c = 0; c < n; c++) {
      const stats_summary *v = &s[WIN_TABLE[c]];
      if (WIN_TABLE[c] == WC_slo_met)
        fprintf(out, " %.0f/%zu |", v->n ? v->v[ST_mean] * (double)v->n : 0, v->n);
      else
        fprintf(out, " %s |", ci(v, cell, sizeof cell));
    }
    fprintf(out, "\n");
  }
  fprintf(out, "\n");
}

void fleet_out_report_windows(FILE *out, const study *st, fleet_out_label_fn label) {
  char lab[256];
  if (!st->win_max || !st->win_summary) return;
  fprintf(out, "## Hour by hour\n\n");
  fprintf(out, "Each window: mean [95%% CI] across replicates. A request belongs to the window of its arrival "
               "(its latency and SLO); tokens, replicas and cost to the window they happen in. SLO met: replicates "
               "whose window met both P99 objectives, of those with finished requests (docs/fleet.md).\n\n");
  for (size_t p = 0; p < st->n_points; p++) {
    if (!study_win_summary(st, p, 0)[WC_t_start_s].n) continue;
    fprintf(out, "### Point %zu: %s\n\n", p, label(st, p, lab, sizeof lab));
    window_table(out, st, p);
  }
}

void fleet_out_report_pools(FILE *out, const study *st, fleet_out_label_fn label) {
  static const pool_metric COLS[] = {PM_answered,      PM_ttft_p99_s,       PM_tpot_p99_s, PM_output_tok_s,
                                     PM_replicas_mean, PM_billed_gpu_hours, PM_usd};
  static const char *const HEADS[] = {"answered", "P99 TTFT (s)", "P99 TPOT (s)", "output tok / s", "replicas", "GPU-h",
                                      "$"};
  char lab[256], cell[96], c2[96], c3[96];
  if (!st->n_pools || !st->pool_summary) return;
  fprintf(out, "## Deployments\n\n");
  fprintf(out, "A multi-model fleet: each deployment's answers against its own SLO (SLO met: replicates where its "
               "answers met it and it was not saturated), its work and its bill; mean [95%% CI] across replicates. "
               "A request's latency runs from its arrival to the answer it finally got (docs/fleet.md).\n\n");
  for (size_t p = 0; p < st->n_points; p++) {
    fprintf(out, "### Point %zu: %s\n\n| deployment |", p, label(st, p, lab, sizeof lab));
    for (size_t c = 0; c < sizeof COLS / sizeof COLS[0]; c++) fprintf(out, " %s |", HEADS[c]);
    fprintf(out, " SLO met |\n|---|");
    for (size_t c = 0; c <= sizeof COLS / sizeof COLS[0]; c++) fprintf(out, "---|");
    fprintf(out, "\n");
    for (size_t i = 0; i < st->n_pools; i++) {
      const stats_summary *s = study_pool_summary(st, p, i);
      fprintf(out, "| %s |", st->pool_names[i]);
      for (size_t c = 0; c < sizeof COLS / sizeof COLS[0]; c++)
        fprintf(out, " %s |", ci(&s[COLS[c]], cell, sizeof cell));
      const stats_summary *m = &s[PM_slo_met];
      fprintf(out, " %.0f/%zu |\n", m->n ? m->v[ST_mean] * (double)m->n : 0, m->n);
    }
    const stats_summary *f = st->fleet_summary[p];
    fprintf(out, "\nCached answers %s, escalated %s; $ per 1M output tokens of the answers users got %s.\n\n",
            ci(&f[FM_requests_cached], cell, sizeof cell), ci(&f[FM_requests_escalated], c2, sizeof c2),
            ci(&f[FM_usd_per_1m_answered_output], c3, sizeof c3));
  }
}

void fleet_out_report_policy(FILE *out, const policy_plan *p) {
  char c[3][96];
  fprintf(out, "## Cheapest policy\n\n");
  fprintf(out,
          "Policies (the sweep's points) meeting the SLO (not saturated, P99 TTFT and TPOT within the objectives%s) "
          "in at least %zu of %zu replicates (plan.confidence %g), ranked by mean daily cost; the others after, by "
          "replicates met (docs/plan.md).\n\n",
          p->windows_met_frac > 0 ? ", and that share of windows" : "", p->need, p->n_reps, p->confidence);
  fprintf(
      out,
      "| rank | policy | replicates met | $ / day | $ / 1M output | replicas (mean) |\n|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < p->n_rows; i++) {
    const policy_row *r = &p->rows[i];
    fprintf(out, "| %zu | %s%s | %zu/%zu | %s | %s | %s |\n", i + 1, r->label, r->meets ? "" : " (SLO not met)",
            r->n_met, p->n_reps, ci(&r->usd_per_day, c[0], 96), ci(&r->usd_per_1m_output, c[1], 96),
            ci(&r->replicas_mean, c[2], 96));
  }
  if (!p->found)
    fprintf(out, "\nNo policy meets the SLO in %zu of %zu replicates.\n\n", p->need, p->n_reps);
  else if (isnan(p->saving_usd.v[ST_mean]))
    fprintf(out, "\n**Cheapest: %s**, %s per day.\n\n", p->rows[0].label, ci(&p->rows[0].usd_per_day, c[0], 96));
  else
    fprintf(out,
            "\n**Cheapest: %s**, %s per day; it saves %s per day over %s (paired by replicate: replicate k of "
            "both saw the same traffic).\n\n",
            p->rows[0].label, ci(&p->rows[0].usd_per_day, c[0], 96), ci(&p->saving_usd, c[1], 96), p->rows[1].label);
}
