/* stats.c: mean, sd, t-based 95% CI and interpolated quantiles of replicate values.
 * Sorting copies into caller scratch, so the inputs are never reordered. */
#include "base/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

static const struct {
  const char *name, *long_name;
  double q;
} META[ST_COUNT] = {
#define X(name, long_name, q) {#name, long_name, q},
    STATS_LIST(X)
#undef X
};

const char *stats_name(stats_stat s) { return META[s].name; }
const char *stats_long_name(stats_stat s) { return META[s].long_name; }
double stats_quantile_prob(stats_stat s) { return META[s].q; }

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void stats_summarise(const double *x, size_t n, size_t stride, double floor, double *scratch, stats_summary *out) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i * stride])) scratch[m++] = x[i * stride];
  for (int s = 0; s < ST_COUNT; s++) out->v[s] = NAN;
  out->n = m;
  if (m == 0) return;
  qsort(scratch, m, sizeof *scratch, cmp_double);
  double mean = gsl_stats_mean(scratch, 1, m);
  out->v[ST_mean] = mean;
  for (int s = 0; s < ST_COUNT; s++)
    if (META[s].q >= 0) out->v[s] = gsl_stats_quantile_from_sorted_data(scratch, 1, m, META[s].q);
  if (m < 2) return;
  double sd = gsl_stats_sd_m(scratch, 1, m, mean);
  double half = gsl_cdf_tdist_Pinv(0.975, (double)(m - 1)) * sd / sqrt((double)m);
  out->v[ST_sd] = sd;
  out->v[ST_ci95_lo] = fmax(floor, mean - half);
  out->v[ST_ci95_hi] = mean + half;
}

double stats_half_width(const stats_summary *s) { return s->v[ST_ci95_hi] - s->v[ST_mean]; }
