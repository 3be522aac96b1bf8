/* modelerr.c: the key table of hwdb/model_error.yaml and the 80% band of a prediction.
 * Invariant: the band's half-width in log space is the entry's times each widening factor that
 * applies (each at least 1), around the entry's centre. */
#include "hwdb/modelerr.h"

#include <math.h>
#include <string.h>

static const kt_field FIELDS[] = {
    KT_ROW_STR(model_error, "id", id, "", KT_REQUIRED, "row id"),
    KT_ROW_STR(model_error, "kind", kind, "", KT_REQUIRED, "metric class: throughput, latency or tail latency"),
    KT_ROW_F64(model_error, "q10", q10, 0, -5, 5, KT_REQUIRED,
               "10th percentile of log(measured / predicted) over cross-validated rows"),
    KT_ROW_F64(model_error, "q90", q90, 0, -5, 5, KT_REQUIRED, "90th percentile of the same"),
    KT_ROW_F64(model_error, "rows", rows, 0, 0, 1e6, KT_REQUIRED, "rows the percentiles come from"),
    KT_ROW_F64(model_error, "widen_gpu", widen_gpu, 1, 1, 20, 0, "half-width factor for a GPU no row used"),
    KT_ROW_F64(model_error, "widen_engine", widen_engine, 1, 1, 20, 0,
               "half-width factor for an engine profile no row used"),
    KT_ROW_F64(model_error, "widen_weights", widen_weights, 1, 1, 20, 0,
               "half-width factor for a weight format no row used"),
    KT_ROW_STRLIST(model_error, "gpus", gpus, n_gpus, 0, "GPU ids the calibration rows used"),
    KT_ROW_STRLIST(model_error, "engines", engines, n_engines, 0, "engine profile ids the calibration rows used"),
    KT_ROW_STRLIST(model_error, "weights", weights, n_weights, 0, "weight formats the calibration rows used"),
    KT_ROW_STR(model_error, "source", source, "", KT_REQUIRED, "how the figures were made"),
    KT_ROW_STR(model_error, "date", date, "", KT_REQUIRED, "date of the cross-validation"),
    KT_ROW_STR(model_error, "note", note, "", 0, "caveats"),
};

const kt_field *model_error_fields(size_t *n) {
  *n = sizeof FIELDS / sizeof FIELDS[0];
  return FIELDS;
}

static bool listed(const char *name, const char *list, size_t n, size_t stride) {
  for (size_t i = 0; i < n; i++)
    if (kt_name_eq(list + i * stride, name)) return true;
  return false;
}

void modelerr_band_of(const model_error *e, const char *gpu, const char *engine, bool beyond, const char *weights,
                      modelerr_band *out) {
  out->unseen_gpu = !listed(gpu, e->gpus[0], e->n_gpus, sizeof e->gpus[0]);
  out->unseen_engine = beyond || !listed(engine, e->engines[0], e->n_engines, sizeof e->engines[0]);
  out->unseen_weights = !listed(weights, e->weights[0], e->n_weights, sizeof e->weights[0]);
  double widen = (out->unseen_gpu ? e->widen_gpu : 1) * (out->unseen_engine ? e->widen_engine : 1) *
                 (out->unseen_weights ? e->widen_weights : 1);
  double centre = 0.5 * (e->q10 + e->q90), half = 0.5 * (e->q90 - e->q10) * widen;
  out->lo = exp(centre - half), out->hi = exp(centre + half);
}
