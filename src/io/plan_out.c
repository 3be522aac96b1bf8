/* plan_out.c: the ranked table of `servesim plan` on a stream. */
#include "io/plan_out.h"

#include <math.h>
#include <string.h>

#include "study/decision.h"

const char *plan_out_status_name(plan_status s) {
  static const char *const NAMES[] = {
      [PLAN_MET] = "ok", [PLAN_NOT_MET] = "slo_not_met", [PLAN_NO_FIT] = "does_not_fit"};
  return NAMES[s];
}

static void fmt(char *buf, size_t len, const char *f, double v) {
  if (isnan(v))
    snprintf(buf, len, "-");
  else
    snprintf(buf, len, f, v);
}

/* Width of the config column: the longest candidate label, at least 12. */
static int label_width(const plan *p) {
  int w = 12;
  for (size_t i = 0; i < p->n_rows; i++) {
    int l = (int)strlen(p->rows[i].label);
    if (l > w) w = l;
  }
  return w;
}

void plan_out_table(FILE *out, const plan *p) {
  size_t need = plan_need(p->confidence, p->n_reps);
  int w = label_width(p);
  fprintf(out,
          "plan %s: demand %g req/s; SLO p99 TTFT <= %g s and p99 TPOT <= %g s in at least %zu of %zu "
          "replicates (confidence %g)\n\n",
          p->name, p->demand_per_s, p->slo_ttft_s, p->slo_tpot_s, need, p->n_reps, p->confidence);
  fprintf(out, "%4s  %-*s %8s %5s %8s %9s %9s  %-24s %9s %10s\n", "rank", w, "config", "replicas", "GPUs", "$/GPU-h",
          "$/hour", "$/1M out", "req/s per replica [95%CI]", "headroom", "confidence");
  for (size_t i = 0; i < p->n_rows; i++) {
    const plan_row *r = &p->rows[i];
    char rep[16], gpus[16], gh[16], h[16], m[16], rate[48], head[16], conf[16];
    if (r->status == PLAN_MET)
      snprintf(rep, sizeof rep, "%u", r->replicas);
    else
      snprintf(rep, sizeof rep, "%s", r->status == PLAN_NO_FIT ? "no fit" : "none");
    fmt(gpus, sizeof gpus, "%.0f", r->status == PLAN_MET ? r->gpus : NAN);
    fmt(gh, sizeof gh, "%.2f", r->usd_per_gpu_hour);
    fmt(h, sizeof h, "%.2f", r->usd_per_hour);
    fmt(m, sizeof m, "%.3f", r->usd_per_1m_output);
    if (isnan(r->rate_mean_per_s))
      snprintf(rate, sizeof rate, "-");
    else if (isnan(r->rate_ci95_lo_per_s))
      snprintf(rate, sizeof rate, "%.3g", r->rate_mean_per_s);
    else
      snprintf(rate, sizeof rate, "%.3g [%.3g, %.3g]", r->rate_mean_per_s, r->rate_ci95_lo_per_s,
               r->rate_ci95_hi_per_s);
    fmt(head, sizeof head, "%+.0f%%", 100 * r->headroom);
    fmt(conf, sizeof conf, "%.2f", r->slo_met_frac);
    fprintf(out, "%4zu  %-*s %8s %5s %8s %9s %9s  %-24s %9s %10s\n", i + 1, w, r->label, rep, gpus, gh, h, m, rate,
            head, conf);
  }
  bool notes = false;
  for (size_t i = 0; i < p->n_rows; i++) {
    const plan_row *r = &p->rows[i];
    if (!r->reason[0]) continue;
    if (!notes) fprintf(out, "\nnotes:\n"), notes = true;
    fprintf(out, "  %zu %s: %s\n", i + 1, r->label, r->reason);
  }
  fprintf(out, "\n$/hour and $/1M out: means over the replicates at the replica count shown (idle time billed).\n"
               "req/s per replica: one replica's largest sustainable arrival rate, bisected per replicate (mean and\n"
               "95%% CI of the mean); headroom = that mean x replicas / demand - 1 (linear in replicas: pooling\n"
               "behind the router is not credited). confidence: fraction of replicates meeting both SLOs.\n");
  plan_out_api_table(out, p);
}

void plan_out_api_table(FILE *out, const plan *p) {
  char cell[3][32], head[96];
  int w = label_width(p), aw[SC_MAX_API];
  if (!p->n_apis) return;
  fprintf(out, "\nAPI comparison (compare_api), candidates meeting the SLO: the API priced on each replicate's request "
               "mix per 1M output tokens;\nutilisation = demand / capacity at the SLO (one replica's rate x replicas); "
               "break-even = the utilisation at which\nthe TCO per output token equals the API's price (never: the "
               "API is cheaper at any load)\n");
  fprintf(out, "%4s  %-*s %9s %11s", "rank", w, "config", "$/1M out", "utilisation");
  for (size_t a = 0; a < p->n_apis; a++) {
    aw[a] = snprintf(head, sizeof head, "%s $/1M", p->api_ids[a]);
    fprintf(out, "  %s %10s", head, "break-even");
  }
  fprintf(out, "\n");
  for (size_t i = 0; i < p->n_rows; i++) {
    const plan_row *r = &p->rows[i];
    if (r->status != PLAN_MET) continue;
    fmt(cell[0], sizeof cell[0], "%.3f", r->usd_per_1m_output);
    fmt(cell[1], sizeof cell[1], "%.2f", r->utilisation);
    fprintf(out, "%4zu  %-*s %9s %11s", i + 1, w, r->label, cell[0], cell[1]);
    for (size_t a = 0; a < p->n_apis; a++) {
      double be = r->api[a][CA_breakeven_utilisation];
      fmt(cell[0], sizeof cell[0], "%.3f", r->api[a][CA_api_usd_per_1m_output]);
      if (be > 1)
        snprintf(cell[1], sizeof cell[1], "never");
      else
        fmt(cell[1], sizeof cell[1], "%.3f", be);
      fprintf(out, "  %*s %10s", aw[a], cell[0], cell[1]);
    }
    fprintf(out, "\n");
  }
}

void plan_out_decision(FILE *out, const plan *p) {
  const plan_decision *d = p->decision;
  char lo[32];
  if (!d) return;
  fmt(lo, sizeof lo, "%.3g", d->demand_lo);
  fprintf(out,
          "\ndecision: %s with %u replica%s meets both p99 SLOs in %zu of %zu replicates at %g req/s: P = %.2f "
          "[%.2f, %.2f] (Clopper-Pearson 95%%)\n",
          d->label, d->replicas, d->replicas == 1 ? "" : "s", d->n_met, d->n_reps, p->demand_per_s, d->p_meet,
          d->p_meet_lo, d->p_meet_hi);
  fprintf(out,
          "  that probability drops to plan.confidence %g at %.3g req/s [%s, %.3g] (95%%, order statistics of "
          "each replicate's largest demand meeting the SLO)\n",
          p->confidence, d->demand_at_confidence, lo, d->demand_hi);
  if (d->need_for_lower)
    fprintf(out, "  the lower end needs at least %zu replicates at confidence %g (this plan has %zu)\n",
            d->need_for_lower, p->confidence, d->n_reps);
  if (p->model_error)
    fprintf(out, "  these intervals include the step-time model's own error (model_error: cross_validated)\n");
  else
    fprintf(out, "  model error (the step-time model's own uncertainty) is not included: these intervals are Monte Carlo "
                 "and input uncertainty only (model_error: cross_validated adds it)\n");
}
