/* merge.h: joins the shards of one study (`servesim merge part*.h5 -o all.h5`).
 * Invariant: a merged study holds exactly the per-task values the shards computed, in task order, so
 * its datasets are bit-identical to those of a single run; parts of different scenarios, seeds, hwdb
 * contents or splits, parts whose shapes differ, overlapping parts and missing tasks are refused with
 * a message that names the files, before any task is copied. */
#ifndef SERVESIM_MERGE_H
#define SERVESIM_MERGE_H
#include <stddef.h>

#include "base/err.h"
#include "study/study.h"

/* Reads and joins n parts into out (a whole study, summarised). */
ss_status merge_parts(const char *const *paths, size_t n, study *out, ss_err *err);

#endif
