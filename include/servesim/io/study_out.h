/* study_out.h: the table `servesim run` prints: per sweep point, swept values and headline metrics
 * (mean and 95% CI half-width across replicates), saturated replicates and SLO attainment.
 * Invariant: every number printed is a field of the study's summary; nothing is recomputed here. */
#ifndef SERVESIM_STUDY_OUT_H
#define SERVESIM_STUDY_OUT_H
#include <stdio.h>

#include "study/study.h"

void study_out_table(FILE *out, const study *st);
/* What a sequential run did (nothing for a plain run): targets, replicates, whether met, and the points
 * that missed a target or were not counted. */
void study_out_precision(FILE *out, const study *st);

#endif
