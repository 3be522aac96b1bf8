/* sensitivity.h: which uncertain input moves an output metric, at every sweep point, by the method
 * the study's design was built for (sensitivity.method): prcc (partial rank correlation, any design),
 * sobol (first-order and total indices from Saltelli's blocks, Jansen estimators) or morris
 * (elementary effects mu*, mu, sigma on trajectories). Every index carries a percentile-bootstrap 95%
 * CI (sensitivity.bootstrap resamples of rows or trajectories); an index whose CI includes zero is
 * "no detectable effect".
 * Invariant: latency metrics leave out saturated replicates, and a point where most replicates
 * saturated has no latency indices (as in the summary); resamples are keyed by (seed, point, metric),
 * so the result is the same for any thread count. */
#ifndef SERVESIM_SENSITIVITY_H
#define SERVESIM_SENSITIVITY_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "sim/result.h"
#include "study/study.h"

enum { SENSITIVITY_MAX_INDEX = 3 };

/* The metrics the report and plots show (the file holds every metric). */
#define SENSITIVITY_SHOWN(X) X(usd_per_1m_output) X(ttft_p99_s) X(tpot_p99_s) X(output_tok_s)

/* One metric's indices at every point. */
typedef struct {
  result_metric metric;
  int method; /* sc_sens_method */
  size_t n_points, n_inputs, n_index;
  double *est, *lo, *hi; /* [point][input][index]; lo, hi NAN without bootstrap */
  double *n_used;        /* [point]: rows (prcc, sobol) or trajectories (morris) the estimate used */
} sensitivity;

/* The indices of a method, their count, and which one gives an input's verdict (prcc: prcc; sobol:
 * total; morris: mu_star). */
size_t sensitivity_n_index(int method);
const char *sensitivity_index_name(int method, size_t x);
const char *sensitivity_index_long_name(int method, size_t x);
size_t sensitivity_primary(int method);
/* Morris statistics are in the metric's units (per unit of input quantile); the others are pure numbers. */
bool sensitivity_in_metric_units(int method);
/* The method in one paragraph, for files and reports. */
const char *sensitivity_method_text(int method);

/* The indices of metric m at every point of a whole study (st->task_lo == 0, task_hi == all tasks). */
ss_status sensitivity_compute(const study *st, result_metric m, sensitivity *s, ss_err *err);
void sensitivity_free(sensitivity *s);
static inline size_t sensitivity_at(const sensitivity *s, size_t point, size_t input, size_t x) {
  return (point * s->n_inputs + input) * s->n_index + x;
}
/* 1 when the CI of index x excludes zero, 0 when it includes zero ("no detectable effect"), -1 when
 * there is no CI (not estimable, or sensitivity.bootstrap: 0). */
int sensitivity_detected(const sensitivity *s, size_t point, size_t input, size_t x);
/* Input indices at point sorted by |primary index|, largest first (NAN last, ties by index). */
void sensitivity_order(const sensitivity *s, size_t point, size_t *order);

#endif
