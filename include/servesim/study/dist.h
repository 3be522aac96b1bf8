/* dist.h: the optional MPI layer of a study (-DSERVESIM_MPI=ON). Ranks run contiguous slices of
 * the task range; rank 0 gathers every slice into its own slots, in task order, and alone writes.
 * Without MPI, or when MPI was not initialised, there is exactly one rank and every call is a no-op.
 * Invariant: after dist_gather succeeds, rank 0 holds the same values a single process would. */
#ifndef SERVESIM_DIST_H
#define SERVESIM_DIST_H
#include <stddef.h>

#include "base/err.h"
#include "study/study.h"

ss_status dist_init(int *argc, char ***argv, ss_err *err);
void dist_free(void);
int dist_rank(void);
int dist_size(void);

/* Every rank returns the first failing rank's status and message (collective; local_rc without MPI). */
ss_status dist_agree(ss_status local_rc, ss_err *err);
/* Agrees on failure (every rank returns the first failing rank's status and message), then
 * gathers the per-task results, SLO flags and logs of [lo, hi) (split by study_slice over the
 * ranks) into rank 0. */
ss_status dist_gather(study *st, size_t lo, size_t hi, ss_status local_rc, ss_err *err);

#endif
