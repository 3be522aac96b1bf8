/* modelerr.h: the model's own error, from hwdb/model_error.yaml: per metric class (throughput, latency,
 * tail latency) the 10th and 90th percentiles of log(measured / predicted) over rows predicted by a fit
 * that never saw their source (tools/calibrate.py --cv), how much wider the spread is for a GPU, engine
 * or weight format no calibration row used, and which ones the calibration used.
 * Invariant: a band is never narrower than the entry's cross-validated 80% interval; lo <= 1 <= hi is
 * not assumed (the model may be biased, and the band says so). */
#ifndef SERVESIM_MODELERR_H
#define SERVESIM_MODELERR_H
#include <stdbool.h>
#include <stddef.h>

#include "base/keytab.h"

typedef struct {
  char id[32], kind[32];                               /* kind: "throughput", "latency" or "tail latency" */
  double q10, q90;                                     /* of log(measured / predicted) over held-out rows */
  double rows;                                         /* held-out rows they were computed from */
  double widen_gpu, widen_engine, widen_weights;       /* factors on the half-width when that is unseen */
  char gpus[32][48], engines[32][32], weights[24][32]; /* what the calibration rows used */
  size_t n_gpus, n_engines, n_weights;
  char source[1024], date[16], note[1024];
} model_error;

const kt_field *model_error_fields(size_t *n);

/* An 80% band around a prediction: measured lies in [lo x predicted, hi x predicted] for 80% of
 * held-out rows like this one. */
typedef struct {
  double lo, hi;
  bool unseen_gpu, unseen_engine, unseen_weights; /* the band was widened for these */
} modelerr_band;

/* The band of entry e for a configuration on gpu, engine profile and weight format (ids); beyond: the
 * engine was named by a release newer than its profile describes, widened as an unseen engine. */
void modelerr_band_of(const model_error *e, const char *gpu, const char *engine, bool beyond, const char *weights,
                      modelerr_band *out);

#endif
