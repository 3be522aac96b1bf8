/* planout.h: the answers of `servesim plan`: the ranked table on a stream and the HDF5 file
 * (h5out's conventions: a /candidate dimension scale, units and long_name on every dataset,
 * variable-length UTF-8 strings, the resolved scenario as /config_yaml, provenance attributes).
 * Invariant: the file appears under its final name only when written completely (PATH.tmp, then
 * rename). */
#ifndef SERVESIM_PLANOUT_H
#define SERVESIM_PLANOUT_H
#include <stdio.h>

#include "base/err.h"
#include "study/plan.h"

/* The ranked table, then the reasons of candidates that are not met, not priced or do not fit. */
void planout_print(FILE *out, const plan *p);
/* Writes p to path; argv (argc words) is recorded as the command_line attribute. */
ss_status planout_write(const plan *p, const char *path, int argc, char *const *argv, ss_err *err);
/* "ok", "slo_not_met" or "does_not_fit". */
const char *planout_status_name(plan_status s);

#endif
