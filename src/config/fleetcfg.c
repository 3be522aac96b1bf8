/* fleetcfg.c: the checks of fleetcfg.h. Each names the key, its value and what is allowed, with the
 * scenario's file and line (scenario_key_err). */
#include "config/fleetcfg.h"

#include <stdio.h>

#include "physics/cost.h"
#include "sim/windows.h"

static ss_status check_autoscale(const study_spec *spec, const sc_point *pt, ss_err *err) {
  const sim_autoscale *a = &pt->sim.fleet.as;
  char detail[200];
  if (a->policy == AS_TARGET && !(a->target > 0))
    return scenario_key_err(spec, pt, "fleet.autoscale.target", err, "is not set",
                            "; allowed: a number above 0 (the metric's value per replica), required by policy: target");
  if (a->n_schedule != 0 && a->n_schedule != 24) {
    snprintf(detail, sizeof detail, " (it has %zu); allowed: 24 numbers, one per hour of day", a->n_schedule);
    return scenario_key_err(spec, pt, "fleet.autoscale.schedule", err, "must hold 24 replica counts", detail);
  }
  if (a->policy == AS_SCHEDULE && a->n_schedule != 24)
    return scenario_key_err(spec, pt, "fleet.autoscale.schedule", err, "is missing",
                            "; allowed: 24 replica counts, one per hour of day, required by policy: schedule");
  for (size_t h = 0; h < a->n_schedule; h++)
    if (a->schedule[h] != (double)(uint32_t)a->schedule[h])
      return scenario_key_err(spec, pt, "fleet.autoscale.schedule", err, "holds a count that is not whole",
                              "; allowed: whole numbers of replicas");
  uint32_t most = a->max_replicas ? a->max_replicas : pt->sim.dep.replicas;
  if (a->policy != AS_NONE && a->min_replicas > most) {
    snprintf(detail, sizeof detail,
             " (%u); allowed: at most fleet.autoscale.max_replicas, or deployment.replicas when it is 0", most);
    return scenario_key_err(spec, pt, "fleet.autoscale.min_replicas", err, "is above the most replicas", detail);
  }
  return SS_OK;
}

/* A spot share needs a spot price: the key, or a spot row of the GPU in hwdb. */
static ss_status check_spot_price(const study_spec *spec, const sc_point *pt, const hwdb *db, ss_err *err) {
  double usd;
  ss_err why = {{0}};
  if (!(pt->sim.fleet.spot_share > 0)) return SS_OK;
  if (!cost_spot_price(db, pt->sim.dep.hw.gpu->id, &pt->cost, pt->provider, &usd, &why)) return SS_OK;
  char detail[700];
  snprintf(detail, sizeof detail, " but %.600s", why.msg);
  return scenario_key_err(spec, pt, "fleet.spot.share", err, "runs instances on spot", detail);
}

ss_status fleetcfg_check_mechanisms(const study_spec *spec, const sc_point *pt, ss_err *err) {
  const sim_deployment *d = &pt->sim.dep;
  const sim_sharing *sh = &pt->sim.wl.share;
  const char *what = sim_fleet_dynamic(&pt->sim) ? "a changing fleet (autoscaling, spot, failures or standby)"
                     : sim_multimodel(&pt->sim)  ? "a multi-model fleet (deployments:, models.*)"
                                                 : NULL;
  if (!what) return SS_OK;
  char detail[300];
  snprintf(detail, sizeof detail, " together with %s, which servesim does not model; allowed: one of the two", what);
  if (d->pp > 1) return scenario_key_err(spec, pt, "deployment.pp", err, "is above 1", detail);
  if (d->disagg.replicas > 0)
    return scenario_key_err(spec, pt, "deployment.disagg.prefill_replicas", err, "is set", detail);
  if (sim_multimodel(&pt->sim) && sh->turns_mean > 1)
    return scenario_key_err(spec, pt, "workload.session.turns_mean", err, "is above 1", detail);
  if (sim_multimodel(&pt->sim) && (sh->system_tokens || sh->template_tokens))
    return scenario_key_err(spec, pt, sh->system_tokens ? "workload.prefix.system_tokens" : "workload.prefix.template_tokens",
                            err, "is set", detail);
  return SS_OK;
}

ss_status fleetcfg_resolve(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err) {
  sim_fleet *f = &pt->sim.fleet;
  ss_status rc;
  if ((rc = check_autoscale(spec, pt, err)) || (rc = check_spot_price(spec, pt, db, err))) return rc;
  int proc = pt->sim.wl.process;
  if (f->windows == WIN_AUTO)
    f->windows = proc == ARR_DIURNAL || proc == ARR_TRACE || sim_fleet_dynamic(&pt->sim) ? WIN_ON : WIN_OFF;
  double n = ceil(pt->sim.duration_s / f->window_s);
  if (f->windows == WIN_ON && n > WIN_MAX) {
    char detail[200];
    snprintf(detail, sizeof detail,
             " gives %.0f windows over horizon.duration_s %g; allowed: at most %d (a longer window)", n,
             pt->sim.duration_s, WIN_MAX);
    return scenario_key_err(spec, pt, "output.window_s", err, "is too short:", detail);
  }
  return SS_OK;
}
