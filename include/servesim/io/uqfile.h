/* uqfile.h: the uncertainty parts of a study file, through io/h5: /design (how each replicate's
 * inputs were drawn: the design and sensitivity method as attributes, per replicate its role in a
 * Sobol or Morris structure, its group and the replicate its traffic is keyed by, per input and
 * replicate its quantile) and /sensitivity (per metric, the indices with their bootstrap 95% CIs and
 * whether each CI excludes zero, per point and input).
 * Invariant: uqfile_read_design accepts only what uqfile_write_design writes, every extent checked
 * against the study's replicate and input counts before it is read. */
#ifndef SERVESIM_UQFILE_H
#define SERVESIM_UQFILE_H
#include "base/err.h"
#include "io/h5.h"
#include "study/study.h"

/* /design; replicate is the file's /replicate scale. */
bool uqfile_write_design(h5w *w, const study *st, hid_t replicate);
/* /design into st->design (st's inputs and replicates already sized). */
ss_status uqfile_read_design(const h5r *r, study *st, ss_err *err);
/* /sensitivity of a whole study with uncertain inputs, every metric; point is the /point scale. */
ss_status uqfile_write_sensitivity(h5w *w, const study *st, hid_t point, ss_err *err);

/* What a sequential run did: root attributes precision, precision_met, precision_rounds,
 * precision_batch, max_replicates, and /summary/precision_<metric> (point); nothing for a plain run. */
bool uqfile_write_precision(h5w *w, hid_t summary, const study *st, hid_t point);
ss_status uqfile_read_precision(const h5r *r, study *st, ss_err *err);

#endif
