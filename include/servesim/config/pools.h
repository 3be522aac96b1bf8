/* pools.h: the more deployments of a multi-model fleet (docs/fleet.md). The scenario's top-level
 * `deployments:` list holds one mapping per deployment besides the main one: a `name` and the scenario
 * keys that differ from the main deployment (deployment.*, slo.*, fleet.* but output, pricing.*,
 * efficiency.*, overhead.*, energy.gpu_power_scale, router). A deployment is the resolved point with its
 * keys applied (so a swept key it does not set is swept for it too), resolved and checked like the main.
 * Invariant: a spec that pools_parse accepted names only such keys, each once, with values its key
 * accepts; every point's deployments resolve, or the point fails with the deployment's name and line. */
#ifndef SERVESIM_POOLS_H
#define SERVESIM_POOLS_H
#include <stdio.h>

#include "base/err.h"
#include "base/yamlcfg.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"

/* Reads the `deployments:` list (a sequence of mappings) into spec. */
ss_status pools_parse(study_spec *spec, const yc_node *list, const char *file, ss_err *err);
/* Resolves every deployment of spec at point pt (resolved; `given` is the same point before its
 * resolution: each deployment starts from it) into pt->sim.pools and pt->pool_cost. */
ss_status pools_resolve(const study_spec *spec, sc_point *pt, const sc_point *given, const hwdb *db, ss_err *err);
/* The routing keys (models.*) against the deployments: one class threshold per further deployment,
 * increasing; several deployments or a cache need open-loop traffic; escalation needs a cascade with
 * somewhere to go. */
ss_status pools_check_routing(const study_spec *spec, const sc_point *pt, ss_err *err);
/* The `deployments:` list as YAML (nothing without deployments): part of the scenario's echo. */
void pools_echo(FILE *out, const study_spec *spec);

#endif
