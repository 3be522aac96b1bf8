/* provenance.h: what each sweep point of a study resolved to, kept beside its results: the hwdb ids
 * (aliases resolved), the GPU price and the hwdb row it came from (provider, tier, source, date), and
 * the efficiencies and overheads the step-time model applied. The study fills it; io/studyfile
 * writes it along /point (group /resolved) and reads it back, both through provenance_fields.
 * Invariant: filled from the resolved nominal point, before uncertain inputs are sampled; a value
 * that varies per replicate says so (price_origin, the long names) and is in /input_<key>. */
#ifndef SERVESIM_PROVENANCE_H
#define SERVESIM_PROVENANCE_H
#include <stdbool.h>
#include <stddef.h>

#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "physics/perf.h"

typedef struct {
  char gpu[48], model[48], weights[32], kv_cache[32], engine[32]; /* hwdb ids */
  char price_origin[160];                                         /* where usd_per_gpu_hour came from */
  char price_row[64], price_provider[48], price_tier[16], price_date[16];
  char price_source[1024]; /* as long as hwdb's source field: never truncated */
  double usd_per_gpu_hour;
  double eff_weights, eff_kv, eff_compute, kernel_efficiency;
  double overhead_step_s, overhead_request_s, overhead_token_s;
} provenance_point;

/* One field: its dataset name, text or number, where it sits, CF units and long name. */
typedef struct {
  const char *name;
  bool text;
  size_t off, size;
  const char *units, *long_name;
} provenance_field;

/* The fields, in the order they are written. */
const provenance_field *provenance_fields(size_t *n);

/* pt: a resolved sweep point of spec (nominal: no uncertain sample applied); ctx: perf_init of it. */
void provenance_fill(const study_spec *spec, const hwdb *db, const sc_point *pt, const perf_ctx *ctx,
                     provenance_point *out);

#endif
