/* study_out.c: the readable summary of a study on a stream: per point, the swept values and the
 * headline metrics with their 95% CI half-widths, saturated replicates and SLO attainment; a one-point
 * study gets every metric. */
#include "io/study_out.h"

#include <math.h>
#include <string.h>

#include "study/precision.h"

static void print_cell(FILE *out, const stats_summary *s, int width) {
  char cell[64];
  if (isnan(s->v[ST_mean]))
    snprintf(cell, sizeof cell, "-");
  else if (isnan(s->v[ST_ci95_hi]))
    snprintf(cell, sizeof cell, "%.4g", s->v[ST_mean]);
  else {
    double half = stats_half_width(s);
    snprintf(cell, sizeof cell, half >= 10 ? "%.4g ±%.0f" : "%.4g ±%.2g", s->v[ST_mean], half);
  }
  fprintf(out, " %*s", width, cell);
}

/* A one-point study gets every metric, so `servesim run` alone answers the whole question. */
static void print_every_metric(FILE *out, const study *st) {
  fprintf(out, "\n%-22s %17s %11s %11s %11s  %s\n", "metric", "mean ±95% CI", "p05", "p50", "p95", "units: meaning");
  for (int m = 0; m < RM_COUNT; m++) {
    const stats_summary *s = &st->summary[0][m];
    if (isnan(s->v[ST_mean]) && isnan(s->v[ST_p50])) continue; /* not measured in this study */
    fprintf(out, "%-22s", result_name((result_metric)m));
    print_cell(out, s, 17);
    fprintf(out, " %11.4g %11.4g %11.4g  %s: %s\n", s->v[ST_p05], s->v[ST_p50], s->v[ST_p95],
            result_units((result_metric)m), result_long_name((result_metric)m));
  }
  for (int m = 0; m < FM_COUNT; m++) { /* the fleet's rows */
    const stats_summary *s = &st->fleet_summary[0][m];
    if (isnan(s->v[ST_mean]) && isnan(s->v[ST_p50])) continue;
    fprintf(out, "%-22s", result_fleet_name((fleet_metric)m));
    print_cell(out, s, 17);
    fprintf(out, " %11.4g %11.4g %11.4g  %s: %s\n", s->v[ST_p05], s->v[ST_p50], s->v[ST_p95],
            result_fleet_units((fleet_metric)m), result_fleet_long_name((fleet_metric)m));
  }
}

void study_out_table(FILE *out, const study *st) {
  static const struct {
    result_metric m;
    const char *head;
  } COLS[] = {{RM_output_tok_s, "out tok/s"},
              {RM_ttft_p99_s, "TTFT p99 s"},
              {RM_tpot_p99_s, "TPOT p99 s"},
              {RM_utilisation, "utilisation"},
              {RM_usd_per_1m_output_tco, "TCO $/1M out"}};
  enum { W = 17 };
  fprintf(out, "\n%s: %zu sweep point%s x %zu replicate%s, seed %llu\n", st->name, st->n_points,
          st->n_points == 1 ? "" : "s", st->n_reps, st->n_reps == 1 ? "" : "s", (unsigned long long)st->seed);
  fprintf(out, "mean ±95%% CI half-width across replicates; latency columns leave out saturated replicates;\n"
               "overloaded: not saturated, but the p99 queueing delay alone exceeded the TTFT objective\n\n");
  int aw[SC_MAX_AXES]; /* axis column widths: wide enough for the longest text value */
  for (size_t i = 0; i < st->n_axes; i++) {
    const char *dot = strrchr(st->axes[i].key, '.');
    aw[i] = W - 4;
    for (size_t p = 0; st->axes[i].is_text && p < st->n_points; p++)
      if ((int)strlen(st->axes[i].text[p]) > aw[i]) aw[i] = (int)strlen(st->axes[i].text[p]);
    fprintf(out, "%*s ", aw[i], dot ? dot + 1 : st->axes[i].key);
  }
  for (size_t c = 0; c < sizeof COLS / sizeof COLS[0]; c++) fprintf(out, " %*s", W, COLS[c].head);
  fprintf(out, "  %9s %10s %7s\n", "saturated", "overloaded", "SLO met");
  for (size_t p = 0; p < st->n_points; p++) {
    for (size_t i = 0; i < st->n_axes; i++) {
      if (st->axes[i].is_text)
        fprintf(out, "%*s ", aw[i], st->axes[i].text[p]);
      else
        fprintf(out, "%*.6g ", aw[i], st->axes[i].num[p]);
    }
    for (size_t c = 0; c < sizeof COLS / sizeof COLS[0]; c++) print_cell(out, &st->summary[p][COLS[c].m], W);
    char sat[48], over[48];
    snprintf(sat, sizeof sat, "%.0f/%.0f", st->saturated_count[p], study_summary_reps(st));
    snprintf(over, sizeof over, "%.0f/%.0f", study_overloaded_count(st, p), study_summary_reps(st));
    fprintf(out, "  %9s %10s %6.0f%%\n", sat, over, 100 * st->slo_met_frac[p]);
  }
  if (st->n_points == 1) print_every_metric(out, st);
  study_out_precision(out, st);
}

void study_out_precision(FILE *out, const study *st) {
  const study_precision *pr = &st->precision;
  char targets[256];
  if (!pr->n_targets) return;
  precision_describe(pr, targets, sizeof targets);
  fprintf(out, "\nsequential precision (%s): %s after %zu replicates (%zu round%s of %zu; cap %zu)\n", targets,
          pr->met ? "met" : "NOT met", st->n_reps, pr->rounds, pr->rounds == 1 ? "" : "s", pr->batch,
          pr->max_replicates);
  for (size_t k = 0; k < pr->n_targets; k++)
    for (size_t p = 0; p < st->n_points; p++) {
      double rel = pr->rel[k * st->n_points + p];
      if (isnan(rel))
        fprintf(out, "  point %zu: %s has no mean to be relative to (saturated, zero or missing): not counted\n", p,
                result_name(pr->targets[k].metric));
      else if (rel > pr->targets[k].rel)
        fprintf(out, "  point %zu: %s is within +-%.3g of its mean, not +-%.3g\n", p,
                result_name(pr->targets[k].metric), rel, pr->targets[k].rel);
    }
}
