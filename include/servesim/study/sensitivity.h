/* sensitivity.h: which uncertain input moves an output most, from the sampled inputs and the
 * per-replicate outputs of a study (tornado table and Spearman rank correlations, per sweep point).
 * Tornado method (stated in every output): at one sweep point, for one input at a time, an ordinary
 * least-squares line of the output on the input's rank quantile u = (rank - 0.5) / n, evaluated at
 * u = 0.1 (the input at its p10) and u = 0.9 (its p90); the swing is |high - low|. It works with a
 * handful of replicates, where decile means would rest on one or none, and does not care how the
 * input is scaled; it sees the monotone trend only, not interactions.
 * Invariant: latency outputs leave out saturated replicates (their tail depends on the horizon);
 * a cell with fewer than SENSITIVITY_MIN_N usable replicates is NAN; results depend only on the
 * values and their order. */
#ifndef SERVESIM_SENSITIVITY_H
#define SERVESIM_SENSITIVITY_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "sim/result.h"
#include "study/study.h"

enum { SENSITIVITY_MIN_N = 3 };
#define SENSITIVITY_P_LOW  0.1
#define SENSITIVITY_P_HIGH 0.9

/* The outputs analysed, in order: X(metric, leave out saturated replicates) */
#define SENSITIVITY_OUTPUTS(X)    \
  X(usd_per_1m_output, false)     \
  X(usd_per_1m_output_tco, false) \
  X(ttft_p99_s, true)             \
  X(output_tok_s, false)

enum {
#define X(m, skip) +1
  SENSITIVITY_N_OUTPUTS = 0 SENSITIVITY_OUTPUTS(X)
#undef X
};

/* One (output, point, input) cell of the tornado. */
typedef struct {
  double base;     /* mean of the output over the replicates used */
  double low;      /* fitted output with the input at its p10 */
  double high;     /* fitted output with the input at its p90 */
  double swing;    /* |high - low| */
  double spearman; /* rank correlation of input and output (NAN when either is constant) */
  size_t n;        /* replicates used */
} sensitivity_cell;

typedef struct {
  size_t n_points, n_inputs;
  char input_key[SC_MAX_UNCERTAIN][STUDY_KEY_LEN];
  char input_units[SC_MAX_UNCERTAIN][STUDY_UNITS_LEN];
  sensitivity_cell *cell; /* [output][point][input], see sensitivity_at */
} sensitivity;

/* The method in one paragraph, for files and reports. */
extern const char sensitivity_method[];

result_metric sensitivity_output(size_t o);
bool sensitivity_skips_saturated(size_t o);

/* Average ranks (1-based; ties share the mean of their ranks) of x[0..n). false: out of memory. */
bool sensitivity_rank(const double *x, size_t n, double *rank);
/* Spearman's rho: Pearson's correlation of the average ranks; NAN when n < 2, when either side is
 * constant, or out of memory. */
double sensitivity_spearman(const double *x, const double *y, size_t n);
/* The tornado fit of y on x (method above) and Spearman's rho into c (NAN when n < SENSITIVITY_MIN_N;
 * a constant input gets low = high = base, swing 0). */
void sensitivity_tornado(const double *x, const double *y, size_t n, sensitivity_cell *c);

/* Computes every cell of a whole study (st->task_lo == 0, task_hi == all tasks). */
ss_status sensitivity_compute(const study *st, sensitivity *s, ss_err *err);
void sensitivity_free(sensitivity *s);
static inline sensitivity_cell *sensitivity_at(const sensitivity *s, size_t o, size_t point, size_t input) {
  return &s->cell[(o * s->n_points + point) * s->n_inputs + input];
}
/* Input indices of (output, point) sorted by swing, largest first (NAN last, ties by index). */
void sensitivity_order(const sensitivity *s, size_t o, size_t point, size_t *order);

#endif
