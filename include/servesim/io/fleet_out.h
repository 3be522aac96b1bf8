/* fleet_out.h: every table about a changing fleet: the ranked policies of `servesim plan` (plan.mode:
 * policy) on a terminal, and the report's sections (Markdown): the fleet rows per point, the
 * hour-by-hour windows per point (mean [95% CI] across replicates), and the cheapest policy.
 * Invariant: these print what the study and plan layers computed; they decide nothing. */
#ifndef SERVESIM_FLEET_OUT_H
#define SERVESIM_FLEET_OUT_H
#include <stdio.h>

#include "study/planpolicy.h"
#include "study/study.h"

/* The ranked policies and the answer, as text. */
void fleet_out_policy_table(FILE *out, const policy_plan *p);

/* "rate_per_s = 2, replicas = 4": how the report names a sweep point. */
typedef const char *(*fleet_out_label_fn)(const study *st, size_t p, char *buf, size_t len);

/* The report's "Fleet" section: the fleet rows of every point (a static fleet gets one line saying so). */
void fleet_out_report_fleet(FILE *out, const study *st, fleet_out_label_fn label);
/* The report's "Hour by hour" section (nothing when the file has no windows). */
void fleet_out_report_windows(FILE *out, const study *st, fleet_out_label_fn label);
/* The report's "Deployments" section of a multi-model fleet (nothing for one deployment). */
void fleet_out_report_pools(FILE *out, const study *st, fleet_out_label_fn label);
/* The report's "Cheapest policy" section, for a study planned with plan.mode: policy. */
void fleet_out_report_policy(FILE *out, const policy_plan *p);

#endif
