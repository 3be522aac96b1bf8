/* plan_out.h: the answers of `servesim plan` as a ranked table: candidates met by $/hour, then not met,
 * then not fitting, with the reasons of those not met, not priced or not fitting.
 * Invariant: every number printed is a field of the plan; nothing is recomputed here. */
#ifndef SERVESIM_PLAN_OUT_H
#define SERVESIM_PLAN_OUT_H
#include <stdio.h>

#include "study/plan.h"

void plan_out_table(FILE *out, const plan *p);
/* The compare_api block of the table (nothing when the plan has no APIs): per candidate meeting the
 * SLO, its $/1M output and utilisation, each API's $/1M output and the break-even utilisation. */
void plan_out_api_table(FILE *out, const plan *p);
/* "ok", "slo_not_met" or "does_not_fit". */
const char *plan_out_status_name(plan_status s);

/* How sure the answer is (study/decision), after the table; nothing when no candidate met the SLO. */
void plan_out_decision(FILE *out, const plan *p);

#endif
