/* hwdb_out.h: `servesim list gpus|models|quant|engines|prices`: aligned tables of the hwdb entries
 * (names left-aligned, numbers right-aligned), with where their sources and dates are.
 * Invariant: every cell is a field of an entry or a quantity derived from it by hwdb's own functions. */
#ifndef SERVESIM_HWDB_OUT_H
#define SERVESIM_HWDB_OUT_H
#include <stdio.h>

#include "base/err.h"
#include "hwdb/hwdb.h"

ss_status hwdb_out_list(FILE *out, const hwdb *db, const char *what, ss_err *err);
/* `servesim list --json WHAT` (gpus, models, quant, engines, gpu_prices, api_prices): the key table
 * (the schema) and every entry with every field, plus derived quantities (derived_*), for tools.
 * WHAT = prices: both price tables, as {"table": "prices", "tables": [gpu_prices, api_prices]}, each
 * element what `list --json gpu_prices` (or api_prices) prints without the hwdb members. */
ss_status hwdb_out_json(FILE *out, const hwdb *db, const char *what, ss_err *err);

#endif
