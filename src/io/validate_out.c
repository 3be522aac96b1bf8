/* validate_out.c: `servesim validate` as a readable table (rows, then error statistics by group, by
 * metric and by kind, then skipped rows with their reasons) or as JSON. */
#include "io/validate_out.h"

#include <string.h>

#include "io/json.h"

/* Distinct values of one string column, in first-seen order. */
static size_t distinct(const validate_report *r, size_t off, const char **out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) {
    const char *v = (const char *)&r->rows[i].c + off;
    size_t k = 0;
    while (k < n && strcmp(out[k], v)) k++;
    if (k == n && n < cap) out[n++] = v;
  }
  return n;
}

static void print_stats(FILE *out, const validate_report *r, const char *title, size_t off, bool by_group) {
  const char *v[64];
  size_t n = distinct(r, off, v, 64);
  fprintf(out, "\n%-22s %5s %12s %10s\n", title, "rows", "median|err|%", "p90|err|%");
  for (size_t k = 0; k < n; k++) {
    validate_stat s = validate_summary(r, by_group ? v[k] : NULL, by_group ? NULL : v[k], NULL, -1);
    if (s.n) fprintf(out, "%-22s %5zu %12.1f %10.1f\n", v[k][0] ? v[k] : "-", s.n, s.median_abs_pct, s.p90_abs_pct);
  }
}

/* How often the measured value fell inside the stated 80% band (hwdb/model_error.yaml). */
static void print_coverage(FILE *out, const validate_report *r) {
  size_t n, in, widened = 0;
  validate_coverage(r, -1, &n, &in);
  if (!n) {
    fprintf(out, "no 80%% bands: hwdb has no model_error.yaml\n");
    return;
  }
  for (size_t i = 0; i < r->n; i++) {
    const modelerr_band *b = &r->rows[i].band;
    widened += !r->rows[i].skipped && r->rows[i].banded && (b->unseen_gpu || b->unseen_engine || b->unseen_weights);
  }
  fprintf(out, "80%% band (cross-validated model error, hwdb/model_error.yaml): %zu of %zu rows inside (%.0f%%)", in, n,
          100.0 * (double)in / (double)n);
  for (int k = 0; k < VALIDATE_NKINDS; k++) {
    size_t nk, ik;
    validate_coverage(r, k, &nk, &ik);
    if (nk) fprintf(out, "; %s %zu of %zu", validate_kind_name(k), ik, nk);
  }
  fprintf(out, "; %zu rows widened as extrapolation (GPU, engine profile or weight format not calibrated)\n", widened);
}

void validate_out_text(FILE *out, const validate_report *r) {
  size_t skipped = 0, approx = 0;
  fprintf(out, "%-8s %-14s %-8s %-16s %12s %12s %8s\n", "id", "group", "mode", "metric", "measured", "predicted",
          "error%");
  for (size_t i = 0; i < r->n; i++) {
    const validate_row *w = &r->rows[i];
    if (w->skipped) {
      skipped++;
      continue;
    }
    approx += w->approximate;
    fprintf(out, "%-8s %-14s %-8s %-16s %12.5g %12.5g %+8.1f%s\n", w->c.id, w->c.group, w->c.mode, w->c.metric,
            w->c.value, w->predicted, w->error_pct, w->approximate ? "  (approx.)" : "");
  }
  print_stats(out, r, "by group", offsetof(validate_case, group), true);
  print_stats(out, r, "by metric", offsetof(validate_case, metric), false);
  fprintf(out, "\n");
  for (int k = 0; k < VALIDATE_NKINDS; k++) {
    validate_stat s = validate_summary(r, NULL, NULL, NULL, k);
    if (s.n)
      fprintf(out, "all %-12s rows: %3zu, median |error| %.1f%%, p90 %.1f%%\n", validate_kind_name(k), s.n,
              s.median_abs_pct, s.p90_abs_pct);
  }
  print_coverage(out, r);
  if (approx)
    fprintf(out, "(approx.) = offline/closed rows predicted by the steady-state continuous-batching approximation "
                 "(--analytic), not the event simulator\n");
  fprintf(out, "\n%zu of %zu rows predicted, %zu skipped%s\n", r->n - skipped, r->n, skipped, skipped ? ":" : "");
  for (size_t i = 0; i < r->n; i++)
    if (r->rows[i].skipped) fprintf(out, "  %-8s %-8s %s\n", r->rows[i].c.id, r->rows[i].c.mode, r->rows[i].reason);
}

void validate_out_json(FILE *out, const validate_report *r) {
  fprintf(out, "{\"rows\": [\n");
  for (size_t i = 0; i < r->n; i++) {
    const validate_row *w = &r->rows[i];
    fprintf(out, "  {\"id\": ");
    json_str(out, w->c.id);
    fprintf(out, ", \"group\": ");
    json_str(out, w->c.group);
    fprintf(out, ", \"mode\": ");
    json_str(out, w->c.mode);
    fprintf(out, ", \"metric\": ");
    json_str(out, w->c.metric);
    fprintf(out, ", \"kind\": ");
    json_str(out, validate_kind_name(validate_metric_kind(w->c.metric)));
    static const struct {
      const char *key;
      size_t off;
    } TEXT[] = {{"gpu", offsetof(validate_case, gpu)},         {"model", offsetof(validate_case, model)},
                {"weights", offsetof(validate_case, weights)}, {"kv", offsetof(validate_case, kv)},
                {"engine", offsetof(validate_case, engine)},   {"trust", offsetof(validate_case, trust)}};
    for (size_t k = 0; k < sizeof TEXT / sizeof TEXT[0]; k++) {
      fprintf(out, ", \"%s\": ", TEXT[k].key);
      json_str(out, (const char *)&w->c + TEXT[k].off);
    }
    fprintf(out, ", \"profile\": ");
    json_str(out, w->profile);
    fprintf(out, ", \"tp\": %u, \"gpus\": %u, \"measured\": ", w->c.tp, w->c.gpus);
    json_num(out, w->c.value);
    fprintf(out, ", ");
    if (w->skipped) {
      fprintf(out, "\"skipped\": true, \"reason\": ");
      json_str(out, w->reason);
    } else {
      fprintf(out, "\"skipped\": false, \"approximate\": %s, \"predicted\": ", w->approximate ? "true" : "false");
      json_num(out, w->predicted);
      fprintf(out, ", \"error_pct\": ");
      json_num(out, w->error_pct);
      fprintf(out, ", \"note\": ");
      json_str(out, w->note);
      if (w->banded)
        fprintf(out, ", \"band80\": [%.9g, %.9g], \"inside\": %s", w->predicted * w->band.lo, w->predicted * w->band.hi,
                w->inside ? "true" : "false");
    }
    fprintf(out, "}%s\n", i + 1 < r->n ? "," : "");
  }
  validate_stat t = validate_summary(r, NULL, NULL, NULL, VALIDATE_THROUGHPUT);
  validate_stat l = validate_summary(r, NULL, NULL, NULL, VALIDATE_LATENCY);
  fprintf(out,
          "], \"throughput\": {\"n\": %zu, \"median_abs_pct\": %.6g, \"p90_abs_pct\": %.6g}, "
          "\"latency\": {\"n\": %zu, \"median_abs_pct\": %.6g, \"p90_abs_pct\": %.6g}}\n",
          t.n, t.n ? t.median_abs_pct : 0, t.n ? t.p90_abs_pct : 0, l.n, l.n ? l.median_abs_pct : 0,
          l.n ? l.p90_abs_pct : 0);
}
