/* simconfig.c: the names of the simulation enums and the step-time options of a deployment. */
#include "sim/simconfig.h"

const char *const sim_arrival_names[] = {"poisson", "gamma", "diurnal", "closed", "offline", "trace", NULL};
const char *const sim_len_dist_names[] = {"fixed", "uniform", "lognormal", "empirical", NULL};
const char *const sim_router_names[] = {"round_robin", "least_outstanding", "join_shortest_queue", NULL};
const char *const sim_resample_names[] = {"none", "bootstrap", NULL};

void sim_config_perf_opts(const sim_config *c, perf_opts *o) {
  const sim_deployment *d = &c->dep;
  *o = (perf_opts){.tp = d->tp,
                   .pp = 1,
                   .gpu_memory_utilization = d->gpu_memory_utilization,
                   .block_size = d->block_size,
                   .max_num_seqs = d->max_num_seqs,
                   .max_batched_tokens = d->max_batched_tokens,
                   .eff_hbm = d->eff_hbm,
                   .eff_compute = d->eff_compute,
                   .time_scale = d->step_time_scale,
                   .overhead_step_s = d->overhead_step_s,
                   .power_scale = d->power_scale,
                   .num_scheduler_steps = d->num_scheduler_steps};
}
