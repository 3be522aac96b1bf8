/* limits.h: the hard limits on a study's size, checked when a scenario loads, before anything runs:
 * tasks (sweep points x replicates, limits.max_tasks) and the per-request log's rows
 * (limits.max_log_rows, output.requests), each raised only explicitly (a key, --max-tasks).
 * Invariant: a refusal says how much was asked for and how to raise the limit. */
#ifndef SERVESIM_LIMITS_H
#define SERVESIM_LIMITS_H
#include "base/err.h"
#include "config/scenario.h"

/* The expected rows of the per-request log of one replicate of pt: its arrivals within the horizon
 * (closed loops: each user's first request, then a guess of one per think time + 1 s); 0 when the
 * log is off. Uses the point's values, not uncertain samples (the limit is enforced while running too). */
double limits_log_rows(const sc_point *pt);
/* Sweep points x replicates of spec against spec->base.limits.max_tasks. */
ss_status limits_check_tasks(const study_spec *spec, ss_err *err);
/* rows (the expected log rows of every point and replicate) against limits.max_log_rows. */
ss_status limits_check_log_rows(const study_spec *spec, double rows, ss_err *err);

#endif
