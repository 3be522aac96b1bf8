/* autoscale.h: the replica-count decision of a target-tracking or scheduled autoscaler, as Kubernetes'
 * HorizontalPodAutoscaler makes it (docs/fleet.md): every control period a raw recommendation
 * ceil(metric total / target) (none inside the tolerance band), stabilised over time windows (scale up
 * to the lowest recommendation of the up window, down to the highest of the down window), then held
 * within [max(min_replicas, schedule[hour]), max_replicas].
 * Invariant: the decision depends only on the sequence of (time, current, metric) it was given. */
#ifndef SERVESIM_AUTOSCALE_H
#define SERVESIM_AUTOSCALE_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/simconfig.h"

typedef struct {
  sim_autoscale cfg;
  uint32_t max_replicas; /* resolved: cfg.max_replicas, or the deployment's count when 0 */
  double *t, *rec;       /* recommendations still inside the longer stabilisation window (ring) */
  size_t head, n, cap;
} autoscale;

ss_status autoscale_init(autoscale *a, const sim_autoscale *cfg, uint32_t deployment_replicas, ss_err *err);
void autoscale_free(autoscale *a);
/* The lowest count the autoscaler may hold at time t: min_replicas, raised by the schedule's hour. */
uint32_t autoscale_floor(const autoscale *a, double t);
/* The raw recommendation (before stabilisation and bounds) for a metric total over `current` replicas. */
double autoscale_raw(const autoscale *a, double t, uint32_t current, double metric_total);
/* The replica count to hold from time t on, given the current count and the metric total (summed over
 * the serving replicas and the requests waiting for one) measured over the last period. */
uint32_t autoscale_decide(autoscale *a, double t, uint32_t current, double metric_total);

#endif
