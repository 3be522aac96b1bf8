/* plan_report.h: the Markdown report of a plan file (`servesim report plan.h5`): the question (demand,
 * SLO, confidence), the chosen deployment, the ranked candidates with status and reason, the API
 * comparison, the method, the resolved scenario and links to the PNGs of tools/plot.py.
 * Invariant: the file is read only through planfile_read (every shape checked); every number printed
 * is a value of the file, nothing is recomputed. */
#ifndef SERVESIM_PLAN_REPORT_H
#define SERVESIM_PLAN_REPORT_H
#include <stdio.h>

#include "base/err.h"

/* Writes the report of the plan in h5_path to out; PNGs are linked when they exist (non-empty) in
 * png_dir (NULL: not looked for). */
ss_status plan_report_markdown(FILE *out, const char *h5_path, const char *png_dir, ss_err *err);

#endif
