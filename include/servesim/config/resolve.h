/* resolve.h: a scenario point made runnable: hwdb names bound, engine defaults filled for the keys
 * not given, and the checks that involve more than one key or hwdb.
 * Invariant: a point resolve_point accepts simulates as written; a refusal says key, value, where. */
#ifndef SERVESIM_RESOLVE_H
#define SERVESIM_RESOLVE_H
#include "base/err.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"

/* Binds pt's hwdb names, fills scheduler keys not given from the engine profile, and checks the
 * point (layout, horizon, profile, data, APIs) and its further deployments. spec (may be NULL) gives
 * file and lines for messages. */
ss_status resolve_point(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err);

#endif
