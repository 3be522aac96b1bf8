/* limits.c: how big a study may be before it runs: tasks (sweep points x replicates) against
 * limits.max_tasks, and the expected rows of the per-request log against limits.max_log_rows.
 * Invariant: every figure in a message is the study's own (points, replicates, rows), never a guess
 * presented as a count; the log estimate says it is one. */
#include "config/limits.h"

#include <math.h>

double limits_log_rows(const sc_point *pt) {
  const sim_config *c = &pt->sim;
  const sim_traffic *w = &c->wl;
  const sim_trace *tr = w->trace;
  double T = c->duration_s, rows = 0;
  if (!c->log_requests) return 0;
  switch (w->process) {
  case ARR_POISSON:
  case ARR_GAMMA: rows = w->rate_per_s * T; break;
  case ARR_DIURNAL: /* the rate is piecewise constant per hour of the day */
    for (double h = 0; h * 3600 < T && w->n_profile == 24; h++)
      rows += w->rate_per_s * w->profile[(size_t)fmod(h, 24)] * fmin(3600, T - h * 3600);
    break;
  case ARR_OFFLINE: rows = w->n; break;
  case ARR_CLOSED: /* every user's first request, then a guess: a request rarely takes under a second */
    rows = fmax(w->users, w->users * T / (w->think_s + 1.0));
    break;
  case ARR_TRACE:
    if (!tr || !tr->n) break;
    if (w->resample == RESAMPLE_BOOTSTRAP) { /* draws continue to the horizon at the trace's mean gap */
      rows = tr->t_s[tr->n - 1] > 0 ? (double)tr->n * T / (tr->t_s[tr->n - 1] * w->time_scale) : (double)tr->n;
    } else {
      while (rows < (double)tr->n && tr->t_s[(size_t)rows] * w->time_scale < T) rows++;
    }
    break;
  default: break;
  }
  return rows;
}

ss_status limits_check_tasks(const study_spec *spec, ss_err *err) {
  const sc_point *b = &spec->base;
  size_t points = scenario_points(spec);
  double tasks = (double)points * b->replicates;
  if (tasks <= b->limits.max_tasks) return SS_OK;
  return ss_errorf(err, SS_EDATA,
                   "%s: %zu sweep points x %u replicates = %.0f tasks; allowed: at most %u (limits.max_tasks): "
                   "raise it (--max-tasks %.0f) to run this study",
                   spec->file, points, b->replicates, tasks, b->limits.max_tasks, tasks);
}

ss_status limits_check_log_rows(const study_spec *spec, double rows, ss_err *err) {
  const sc_point *b = &spec->base;
  if (rows <= b->sim.log_max_rows) return SS_OK;
  return ss_errorf(err, SS_EDATA,
                   "%s: key 'output.requests': the per-request log would hold about %.3g rows (%.3g GB of HDF5: the "
                   "arrivals over the horizon of %zu points x %u replicates); allowed: at most %.3g "
                   "(limits.max_log_rows): raise it (--set limits.max_log_rows=%.3g), shorten the horizon, or set "
                   "output.requests: false",
                   spec->file, rows, rows * 88 / 1e9, scenario_points(spec), b->replicates, b->sim.log_max_rows,
                   ceil(rows * 1.1));
}
