/* stats.h: summaries of one metric across the replicates of a sweep point: mean, sd, the 95%
 * confidence interval of the mean (Student t, cut at the quantity's floor) and the p05/p50/p95 quantiles (linear interpolation
 * between order statistics, the "type 7" rule of R and numpy).
 * Invariant: NAN values are skipped, never counted; with fewer than 2 values sd and the CI are NAN;
 * the result depends only on the values and their order, never on threads. */
#ifndef SERVESIM_STATS_H
#define SERVESIM_STATS_H
#include <stdbool.h>
#include <stddef.h>

/* X(name, long_name, quantile probability or -1) */
#define STATS_LIST(X)                                                    \
  X(mean, "mean across replicates", -1)                                  \
  X(sd, "sample standard deviation across replicates", -1)               \
  X(ci95_lo, "lower end of the 95% confidence interval of the mean", -1) \
  X(ci95_hi, "upper end of the 95% confidence interval of the mean", -1) \
  X(p05, "5th percentile across replicates", 0.05)                       \
  X(p50, "median across replicates", 0.50)                               \
  X(p95, "95th percentile across replicates", 0.95)

typedef enum {
#define X(name, long_name, q) ST_##name,
  STATS_LIST(X)
#undef X
      ST_COUNT
} stats_stat;

typedef struct {
  double v[ST_COUNT];
  size_t n; /* values used */
} stats_summary;

const char *stats_name(stats_stat s);
const char *stats_long_name(stats_stat s);
/* Probability of a quantile stat, or -1 for the others. */
double stats_quantile_prob(stats_stat s);

/* Summarises x[0], x[stride], ..., x[(n-1)*stride], skipping NAN. scratch holds n doubles. floor is
 * the lowest value the quantity can take (0 for a time, rate, count or price; -INFINITY for a signed
 * one such as a saving): the CI's lower end is max(floor, mean - half-width), never an impossible
 * value; cutting an interval to the parameter's range keeps its coverage. */
void stats_summarise(const double *x, size_t n, size_t stride, double floor, double *scratch, stats_summary *out);
/* The t half-width of the CI (ci95_hi - mean: the lower end may be cut at the floor); NAN without a CI. */
double stats_half_width(const stats_summary *s);

#endif
