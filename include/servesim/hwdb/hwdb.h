/* hwdb.h: the hardware, model, precision, engine and price database (hwdb/ YAML files) loaded
 * into memory, with lookup by id or alias and the aligned tables of `servesim list`.
 * Invariant: after hwdb_load every entry has a source and a date, ids and aliases are unique within
 * their category, and every price row names a GPU that exists. */
#ifndef SERVESIM_HWDB_H
#define SERVESIM_HWDB_H
#include <stddef.h>
#include <stdio.h>

#include "hwdb/engine.h"
#include "base/err.h"
#include "hwdb/hw.h"
#include "hwdb/model.h"
#include "hwdb/price.h"
#include "hwdb/quant.h"

typedef enum { HWDB_GPUS, HWDB_MODELS, HWDB_QUANT, HWDB_ENGINES, HWDB_GPU_PRICES, HWDB_API_PRICES,
               HWDB_NCAT } hwdb_cat;

typedef struct {
  char dir[512];
  void *items[HWDB_NCAT];
  size_t n[HWDB_NCAT];
} hwdb;

/* Directory: $SERVESIM_HWDB, else the source tree's hwdb/ (compiled in). */
const char *hwdb_default_dir(void);
ss_status hwdb_load(const char *dir, hwdb *db, ss_err *err);
void hwdb_free(hwdb *db);

const char *hwdb_cat_name(hwdb_cat c);
/* Entry i of a category; entry by id or alias (case, spaces, '-' and '_' ignored), or NULL. */
const void *hwdb_at(const hwdb *db, hwdb_cat c, size_t i);
const void *hwdb_find(const hwdb *db, hwdb_cat c, const char *name);
/* Writes "a, b, c" (the ids of a category) for "allowed:" messages. */
void hwdb_ids(const hwdb *db, hwdb_cat c, char *buf, size_t len);

static inline const hw_gpu *hwdb_gpu(const hwdb *db, const char *name) { return hwdb_find(db, HWDB_GPUS, name); }
static inline const model_spec *hwdb_model(const hwdb *db, const char *name) { return hwdb_find(db, HWDB_MODELS, name); }
static inline const quant_format *hwdb_quant(const hwdb *db, const char *name) { return hwdb_find(db, HWDB_QUANT, name); }
static inline const engine_profile *hwdb_engine(const hwdb *db, const char *name) { return hwdb_find(db, HWDB_ENGINES, name); }
/* The primary (first) API price row whose model or id matches name. */
const api_price *hwdb_api(const hwdb *db, const char *name);

/* `servesim list WHAT`: WHAT is gpus, models, quant, engines or prices. */
ss_status hwdb_print_list(FILE *out, const hwdb *db, const char *what, ss_err *err);

#endif
