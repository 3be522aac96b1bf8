/* validate_out.h: the report of `servesim validate`: per row measured, predicted and error; the
 * median and p90 |error| by group, metric and kind; skipped rows with their reasons. Text or JSON.
 * Invariant: every number printed comes from the validate_report and validate_summary. */
#ifndef SERVESIM_VALIDATE_OUT_H
#define SERVESIM_VALIDATE_OUT_H
#include <stdio.h>

#include "study/validate.h"

void validate_out_text(FILE *out, const validate_report *r);
void validate_out_json(FILE *out, const validate_report *r);

#endif
