/* compare_out.c: the comparison table (stdout) and its Markdown report, from one list of metrics.
 * Invariant: a difference whose CI includes zero is never called a difference. */
#include "io/compare_out.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

static const result_metric SHOWN[] = {RM_output_tok_s,
                                      RM_ttft_p99_s,
                                      RM_tpot_p99_s,
                                      RM_goodput_frac,
                                      RM_usd_per_1m_output,
                                      RM_usd_per_1m_output_tco,
                                      RM_energy_kwh_per_1m_output};
#define N_SHOWN (sizeof SHOWN / sizeof SHOWN[0])

static const char *num(double v, char *buf, size_t len) {
  if (isnan(v))
    snprintf(buf, len, "-");
  else if (isinf(v))
    snprintf(buf, len, "inf");
  else
    snprintf(buf, len, "%.4g", v);
  return buf;
}

/* "+12.3 [+8.1, +16.5]" */
static const char *diff_ci(const double *v, char *buf, size_t len) {
  if (isnan(v[CMP_diff])) return snprintf(buf, len, "-"), buf;
  if (isnan(v[CMP_ci95_lo])) return snprintf(buf, len, "%+.4g", v[CMP_diff]), buf;
  snprintf(buf, len, "%+.4g [%+.4g, %+.4g]", v[CMP_diff], v[CMP_ci95_lo], v[CMP_ci95_hi]);
  return buf;
}

static const char *verdict(const double *v) {
  if (isnan(v[CMP_ci95_lo])) return "no CI";
  if (v[CMP_ci95_lo] > 0) return "B higher";
  if (v[CMP_ci95_hi] < 0) return "B lower";
  return "no detectable difference";
}

/* The scenario file of side k ('a' or 'b'), from the provenance. */
static const char *scenario_file(const compare *c, char k) {
  char role[24];
  snprintf(role, sizeof role, "scenario_%c", k);
  for (size_t i = 0; i < c->n_inputs; i++)
    if (!strcmp(c->inputs[i].role, role)) return c->inputs[i].path;
  return "?";
}

void compare_out_table(FILE *out, const compare *c) {
  char a[32], b[32], d[96], hp[32], hi[32], vr[32];
  fprintf(out,
          "\ncompare A: %s (%s)  vs  B: %s (%s)\n%zu sweep point%s x %zu replicates, seed %llu, common random "
          "numbers\n",
          c->name_a, scenario_file(c, 'a'), c->name_b, scenario_file(c, 'b'), c->n_points, c->n_points == 1 ? "" : "s",
          c->n_reps, (unsigned long long)c->seed);
  fprintf(out, "B - A: mean of per-replicate differences [paired 95%% CI]; indep.: the CI half-width independent runs\n"
               "of as many replicates would give; var. reduction: (var A + var B) / var(B - A)\n");
  for (size_t p = 0; p < c->n_points; p++) {
    fprintf(out, "\npoint %zu: A %s | B %s\n", p, c->label_a[p], c->label_b[p]);
    fprintf(out, "  %-26s %11s %11s  %-34s %9s %9s %8s %4s  %s\n", "metric", "A", "B", "B - A [95% CI]", "+-paired",
            "+-indep.", "var.red.", "n", "verdict");
    for (size_t i = 0; i < N_SHOWN; i++) {
      const double *v = compare_at(c, SHOWN[i], p);
      fprintf(out, "  %-26s %11s %11s  %-34s %9s %9s %8s %4.0f  %s\n", result_name(SHOWN[i]),
              num(v[CMP_mean_a], a, sizeof a), num(v[CMP_mean_b], b, sizeof b), diff_ci(v, d, sizeof d),
              num(v[CMP_halfwidth_paired], hp, sizeof hp), num(v[CMP_halfwidth_independent], hi, sizeof hi),
              num(v[CMP_variance_ratio], vr, sizeof vr), v[CMP_n_used], verdict(v));
    }
  }
}

void compare_out_markdown(FILE *out, const compare *c, const char *path, const char *png_dir) {
  char a[32], b[32], d[96], hp[32], hi[32], vr[32], png[4096];
  struct stat sb;
  fprintf(out,
          "# servesim comparison: %s vs %s\n\nCompare file `%s`: A is `%s`, B is `%s`; %zu sweep point%s x "
          "%zu replicates, master seed %llu.\n\n",
          c->name_a, c->name_b, path, scenario_file(c, 'a'), scenario_file(c, 'b'), c->n_points,
          c->n_points == 1 ? "" : "s", c->n_reps, (unsigned long long)c->seed);
  fprintf(out, "## Method\n\nReplicate r of A and replicate r of B run on the same random numbers (common random "
               "numbers): the same arrivals and request lengths, and the same quantiles of the uncertain inputs. "
               "B - A is the mean of the per-replicate differences, with a paired Student-t 95%% CI; latency "
               "metrics leave out replicates saturated in either. *indep.* is the half-width independent runs of "
               "as many replicates would give (Welch, from the same replicates' variances); the variance "
               "reduction (var A + var B) / var(B - A) is about how many times the replicates independent runs "
               "would need for the paired CI. A difference whose CI includes zero is **no detectable "
               "difference**.\n\n");
  for (size_t p = 0; p < c->n_points; p++) {
    fprintf(out, "## Point %zu\n\nA: %s; B: %s\n\n", p, c->label_a[p], c->label_b[p]);
    fprintf(out, "| metric | units | A | B | B - A [95%% CI] | +- paired | +- indep. | variance reduction | n | "
                 "verdict |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < N_SHOWN; i++) {
      const double *v = compare_at(c, SHOWN[i], p);
      fprintf(out, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %.0f | %s |\n", result_name(SHOWN[i]),
              result_units(SHOWN[i]), num(v[CMP_mean_a], a, sizeof a), num(v[CMP_mean_b], b, sizeof b),
              diff_ci(v, d, sizeof d), num(v[CMP_halfwidth_paired], hp, sizeof hp),
              num(v[CMP_halfwidth_independent], hi, sizeof hi), num(v[CMP_variance_ratio], vr, sizeof vr),
              v[CMP_n_used], verdict(v));
    }
    fprintf(out, "\n");
  }
  snprintf(png, sizeof png, "%s/compare.png", png_dir ? png_dir : ".");
  if (png_dir && stat(png, &sb) == 0 && sb.st_size > 0)
    fprintf(out, "![B - A with paired and independent 95%% CIs](compare.png)\n\n*B - A per point, with the paired "
                 "95%% CI and the one independent runs would give*\n\n");
  else
    fprintf(out,
            "No plot next to this report; draw it with `tools/plot.py %s -o DIR` and run `servesim report` "
            "again.\n\n",
            path);
  fprintf(out, "The file holds every metric of the result table and the paired per-replicate values "
               "(`/<metric>/replicate_a`, `replicate_b`).\n");
}
