/* compare.h: paired comparison of two scenarios (`servesim compare A.yaml B.yaml`) on common random
 * numbers: replicate r of A and of B see the same arrivals, lengths and uncertain-input quantiles, so
 * the per-replicate difference B - A carries the effect of what differs and little of the luck of
 * the draw. Per sweep point and metric: the mean difference with a paired Student-t 95% CI, the
 * replicates used, and the variance reduction against independent runs of the same replicates,
 * estimated from the same replicates: (var(A) + var(B)) / var(B - A).
 * Invariant: compare_check refuses two scenarios whose random streams would not align (seeds,
 * replicate counts, points, uncertain inputs, designs), so every difference is paired. */
#ifndef SERVESIM_COMPARE_H
#define SERVESIM_COMPARE_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "sim/result.h"
#include "study/study.h"

enum { COMPARE_LABEL_LEN = 256 };

/* X(field, long name, in the metric's units) */
#define COMPARE_FIELDS(X)                                                                                         \
  X(mean_a, "mean of A over the paired replicates", 1)                                                            \
  X(mean_b, "mean of B over the paired replicates", 1)                                                            \
  X(diff, "B - A: mean of the per-replicate differences", 1)                                                      \
  X(ci95_lo, "lower end of the paired Student-t 95% CI of B - A", 1)                                              \
  X(ci95_hi, "upper end of the paired Student-t 95% CI of B - A", 1)                                              \
  X(halfwidth_paired, "half-width of the paired 95% CI (common random numbers)", 1)                               \
  X(halfwidth_independent,                                                                                        \
    "half-width of the 95% CI independent runs of as many replicates would give (Welch: var(A)/n + var(B)/n)", 1) \
  X(variance_ratio,                                                                                               \
    "(var(A) + var(B)) / var(B - A): the variance reduction of common random numbers (independent runs need "     \
    "about this many times the replicates for the same CI)",                                                      \
    0)                                                                                                            \
  X(n_used, "replicates in the comparison (finite in both; saturated ones left out of latency metrics)", 0)

typedef enum {
#define X(f, l, u) CMP_##f,
  COMPARE_FIELDS(X)
#undef X
      CMP_COUNT
} compare_field;

typedef struct {
  char name_a[96], name_b[96];
  uint64_t seed;
  size_t n_points, n_reps;
  char *config_a, *config_b;          /* the resolved scenarios (owned) */
  char (*label_a)[COMPARE_LABEL_LEN]; /* [n_points]: A's swept values */
  char (*label_b)[COMPARE_LABEL_LEN]; /* [n_points] */
  double *v;                          /* [metric][point][CMP_COUNT] */
  double *rep_a, *rep_b;              /* [metric][point][replicate]: the values paired (NAN: left out) */
  char hwdb_dir[512], hwdb_sha256[HASH_HEX_LEN];
  hash_ref inputs[8]; /* both scenarios' files, roles suffixed _a and _b */
  size_t n_inputs;
} compare;

const char *compare_field_name(compare_field f);
const char *compare_field_long_name(compare_field f);
/* Whether field f is in its metric's units (else a pure number). */
bool compare_field_in_metric_units(compare_field f);
static inline double *compare_at(const compare *c, result_metric m, size_t p) {
  return &c->v[((size_t)m * c->n_points + p) * CMP_COUNT];
}

/* Refuses a and b (named by their files in messages) unless their random streams align: the same
 * seed, replicates, sweep points, uncertain keys (in order), design, rank correlations and a plain
 * (prcc) replicate structure. Distributions of the uncertain inputs may differ: the same quantile
 * then goes through each one's inverse CDF. */
ss_status compare_check(const study_spec *a, const study_spec *b, ss_err *err);
/* Runs both studies (their parts under MPI, as study_run) and pairs them. */
ss_status compare_run(const study_spec *a, const study_spec *b, const hwdb *db, const study_opts *o, compare *out,
                      ss_err *err);
/* The paired statistics of two finished whole studies of the same shape. */
ss_status compare_studies(const study *a, const study *b, compare *out, ss_err *err);
void compare_free(compare *c);

#endif
