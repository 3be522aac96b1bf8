/* autoscale.c: the HPA decision of autoscale.h, with its history of recommendations in a ring. */
#include "sim/autoscale.h"

#include <math.h>
#include <stdlib.h>

/* ceil() of a ratio that floating point may have pushed a hair above an integer (8.000000000001). */
#define CEIL_SLACK 1e-9

ss_status autoscale_init(autoscale *a, const sim_autoscale *cfg, uint32_t deployment_replicas, ss_err *err) {
  *a = (autoscale){.cfg = *cfg, .max_replicas = cfg->max_replicas ? cfg->max_replicas : deployment_replicas};
  double window = fmax(cfg->up_window_s, cfg->down_window_s);
  a->cap = (size_t)ceil(window / cfg->period_s) + 2;
  a->t = malloc(a->cap * sizeof *a->t);
  a->rec = malloc(a->cap * sizeof *a->rec);
  if (!a->t || !a->rec) {
    autoscale_free(a);
    return ss_errorf(err, SS_ENOMEM, "out of memory for %zu autoscaler recommendations", a->cap);
  }
  return SS_OK;
}

void autoscale_free(autoscale *a) {
  free(a->t), free(a->rec);
  a->t = a->rec = NULL;
}

static double hour_value(const autoscale *a, double t) {
  return a->cfg.schedule[(size_t)fmod(floor(t / 3600.0), 24.0)];
}

uint32_t autoscale_floor(const autoscale *a, double t) {
  double f = a->cfg.min_replicas;
  if (a->cfg.n_schedule == 24 && a->cfg.policy == AS_TARGET) f = fmax(f, hour_value(a, t));
  return (uint32_t)fmin(f, a->max_replicas);
}

double autoscale_raw(const autoscale *a, double t, uint32_t current, double metric_total) {
  const sim_autoscale *c = &a->cfg;
  if (c->policy == AS_SCHEDULE) return hour_value(a, t);
  double want = ceil(metric_total / c->target - CEIL_SLACK);
  if (!(want > 0)) want = 0;
  if (current == 0) return want;
  double ratio = metric_total / ((double)current * c->target);
  return fabs(ratio - 1.0) <= c->tolerance ? (double)current : want;
}

uint32_t autoscale_decide(autoscale *a, double t, uint32_t current, double metric_total) {
  const sim_autoscale *c = &a->cfg;
  double rec = autoscale_raw(a, t, current, metric_total), window = fmax(c->up_window_s, c->down_window_s);
  while (a->n && a->t[a->head] < t - window - 1e-9) a->head = (a->head + 1) % a->cap, a->n--;
  if (a->n == a->cap) a->head = (a->head + 1) % a->cap, a->n--; /* cannot happen with cap from the period */
  size_t tail = (a->head + a->n) % a->cap;
  a->t[tail] = t, a->rec[tail] = rec, a->n++;
  double up = rec, down = rec;
  for (size_t i = 0; i < a->n; i++) {
    size_t j = (a->head + i) % a->cap;
    if (a->t[j] >= t - c->up_window_s - 1e-9) up = fmin(up, a->rec[j]);
    if (a->t[j] >= t - c->down_window_s - 1e-9) down = fmax(down, a->rec[j]);
  }
  double next = current;
  if (next < up) next = up;
  if (next > down) next = down;
  if (c->policy == AS_SCHEDULE) next = rec; /* a scheduled action applies at once, as AWS's do */
  next = fmax(next, autoscale_floor(a, t));
  next = fmin(next, a->max_replicas);
  return (uint32_t)next;
}
