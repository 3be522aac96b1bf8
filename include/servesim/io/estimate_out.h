/* estimate_out.h: the report of `servesim estimate`: memory fit, speeds, cost and break-even, as text
 * or JSON.
 * Invariant: every number printed is a field of the estimate_report; nothing is recomputed here. */
#ifndef SERVESIM_ESTIMATE_OUT_H
#define SERVESIM_ESTIMATE_OUT_H
#include <stdio.h>

#include "study/estimate.h"

void estimate_out_text(FILE *out, const estimate_report *r);
void estimate_out_json(FILE *out, const estimate_report *r);

#endif
