/* hwdb.h: the hardware, model, precision, engine and price database (hwdb/ YAML files) loaded
 * into memory, with lookup by id or alias and the aligned tables of `servesim list`.
 * Invariant: after hwdb_load every entry has a source and a date, ids and aliases are unique within
 * their category, and every price row names a GPU that exists. */
#ifndef SERVESIM_HWDB_H
#define SERVESIM_HWDB_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/hash.h"
#include "hwdb/engine.h"
#include "hwdb/hw.h"
#include "hwdb/model.h"
#include "hwdb/modelerr.h"
#include "hwdb/price.h"
#include "hwdb/quant.h"

typedef enum {
  HWDB_GPUS,
  HWDB_MODELS,
  HWDB_QUANT,
  HWDB_ENGINES,
  HWDB_GPU_PRICES,
  HWDB_API_PRICES,
  HWDB_MODEL_ERROR, /* optional file: without it, predictions carry no error band */
  HWDB_NCAT
} hwdb_cat;

typedef struct {
  char dir[512];
  char sha256[HASH_HEX_LEN]; /* over every file read: relative path and content, in load order */
  void *items[HWDB_NCAT];
  size_t n[HWDB_NCAT];
} hwdb;

/* A deployment's hwdb entries, resolved: what the step-time model and the simulator read. */
typedef struct {
  const hw_gpu *gpu;
  const model_spec *model;
  const quant_format *weights, *kv;
  const engine_profile *engine;
  bool engine_beyond; /* the engine was named by a release newer than every profile of its family */
} hwdb_bound;

/* The hwdb directory to use, first that exists: $SERVESIM_HWDB; ../share/servesim/hwdb next to the
 * running executable (an installed tree); ../hwdb next to it (a build directory inside the source
 * tree); the source tree's hwdb/ compiled in. */
const char *hwdb_default_dir(char *buf, size_t len);
ss_status hwdb_load(const char *dir, hwdb *db, ss_err *err);
void hwdb_free(hwdb *db);

const char *hwdb_cat_name(hwdb_cat c);
/* Entry i of a category; entry by id or alias (case, spaces, '-' and '_' ignored), or NULL. An engine
 * may also be named FAMILY@RELEASE (the profile of that family whose releases hold it; its newest
 * profile when the release is newer than every profile describes) or FAMILY (its newest profile). */
const void *hwdb_at(const hwdb *db, hwdb_cat c, size_t i);
const void *hwdb_find(const hwdb *db, hwdb_cat c, const char *name);
/* When name's family (before any '@') is a versioned engine family: true, and buf lists its profiles
 * with their release ranges, for "allowed:" messages. */
bool hwdb_engine_releases(const hwdb *db, const char *name, char *buf, size_t len);
/* Whether name is FAMILY@RELEASE with RELEASE newer than every profile of the family describes:
 * hwdb_find gives the newest profile, and the prediction is an extrapolation. */
bool hwdb_engine_beyond(const hwdb *db, const char *name);
/* Writes "a, b, c" (the ids of a category) for "allowed:" messages. */
void hwdb_ids(const hwdb *db, hwdb_cat c, char *buf, size_t len);

static inline const hw_gpu *hwdb_gpu(const hwdb *db, const char *name) { return hwdb_find(db, HWDB_GPUS, name); }
static inline const model_spec *hwdb_model(const hwdb *db, const char *name) {
  return hwdb_find(db, HWDB_MODELS, name);
}
static inline const quant_format *hwdb_quant(const hwdb *db, const char *name) {
  return hwdb_find(db, HWDB_QUANT, name);
}
static inline const engine_profile *hwdb_engine(const hwdb *db, const char *name) {
  return hwdb_find(db, HWDB_ENGINES, name);
}
/* The model-error row of a metric class ("throughput", "latency", "tail latency"), or NULL. */
const model_error *hwdb_model_error(const hwdb *db, const char *kind);
/* The primary (first) API price row whose model or id matches name. */
const api_price *hwdb_api(const hwdb *db, const char *name);

/* The category a `servesim list` table name stands for (gpus, models, quant, engines; prices is two). */
const char *hwdb_cat_path(hwdb_cat c);
/* The key table of a category's entries. */
const kt_field *hwdb_cat_fields(hwdb_cat c, size_t *n);

#endif
