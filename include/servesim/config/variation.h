/* variation.h: what varies across a study: sweep axes (a key and its list of values) and uncertain
 * inputs (a key and the distribution it is sampled from), as the scenario file or --set gives them.
 * Invariant: a key is swept or uncertain, never both; adding one for a key that already has one
 * replaces it (and a key that was swept leaves the sweep when it becomes uncertain, and the reverse),
 * with a note saying so; every value and distribution is checked against the key's table row. */
#ifndef SERVESIM_VARIATION_H
#define SERVESIM_VARIATION_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/yamlcfg.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"

/* key = the node's list of values (sweep) or its distribution mapping (uncertain); where and line
 * locate it for messages (line 0: the command line). */
ss_status variation_add_axis(study_spec *spec, const char *key, const yc_node *values, const char *where, unsigned line,
                             ss_err *err);
ss_status variation_add_uncertain(study_spec *spec, const char *key, const yc_node *dist, const char *where,
                                  unsigned line, ss_err *err);
/* Removes the axis (or uncertain input) of key index k; true when there was one, and `was`
 * receives its values (or distribution) as YAML. */
bool variation_remove_axis(study_spec *spec, long k, char *was, size_t len);
bool variation_remove_uncertain(study_spec *spec, long k, char *was, size_t len);
/* model_error: cross_validated: adds efficiency.step_time_scale as an uncertain input, lognormal with the
 * cross-validated 80% throughput band of hwdb/model_error.yaml (the widest over the study's points). */
ss_status variation_add_model_error(study_spec *spec, const hwdb *db, ss_err *err);
/* "{dist: uniform, min: 0.7, max: 0.9}" */
void variation_format_uncertain(const sc_uncertain *u, char *buf, size_t len);

/* uncertain_correlation: {keys: [...], matrix: [[...], ...]} into spec->corr (shape and ranges checked). */
ss_status variation_parse_correlation(study_spec *spec, const yc_node *node, const char *file, ss_err *err);
/* After --set: the correlation matrix names uncertain keys only and is symmetric, unit-diagonal and
 * positive definite; sensitivity.method sobol or morris has its samples, independent inputs, and the
 * replicate count it needs (N(k+2) or r(k+1)), which is set unless the user gave another (an error). */
ss_status variation_finish(study_spec *spec, ss_err *err);
/* The uncertain_correlation block as YAML (nothing when there is none). */
void variation_echo_correlation(FILE *out, const study_spec *spec);

#endif
