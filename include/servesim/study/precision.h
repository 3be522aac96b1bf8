/* precision.h: sequential precision (`--precision METRIC=REL_HALFWIDTH`, `--max-replicates N`): a study
 * runs its replicates in batches of the scenario's `replicates`, and stops at the first batch after
 * which the 95% CI half-width of every target metric's mean is at most REL x |mean| at every sweep
 * point (points where the metric has no mean, or only 0, are left out and reported), or at the cap.
 * Invariant: the stopping rule reads only the results of complete batches, which depend only on
 * (spec, seed), so the replicates run, and every byte of the results, are the same for any thread
 * count. */
#ifndef SERVESIM_PRECISION_H
#define SERVESIM_PRECISION_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "study/study.h"

/* "ttft_p99_s=0.05" into t (a metric of the result table, 0 < REL <= 1). */
ss_status precision_parse(const char *text, study_target *t, ss_err *err);
/* "ttft_p99_s=0.05 output_tok_s=0.02" */
void precision_describe(const study_precision *p, char *buf, size_t len);
/* Fills st->precision.rel for the first R replicates of each point (rows of st->n_reps, the cap) and
 * says whether every target holds at every point it applies to. */
bool precision_reached(study *st, size_t R);
/* Shrinks every per-task and per-replicate array of st from st->n_reps (the cap) to the R replicates
 * run, keeping task order (point-major). */
ss_status precision_compact(study *st, size_t R, ss_err *err);

#endif
