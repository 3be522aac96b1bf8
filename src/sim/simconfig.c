/* simconfig.c: the names of the simulation enums, the step-time options of a deployment, its GPU count
 * and the fleet's derived quantities (whether it is dynamic, its cold start). */
#include "sim/simconfig.h"

const char *const sim_arrival_names[] = {"poisson", "gamma", "diurnal", "closed", "offline", "trace", NULL};
const char *const sim_len_dist_names[] = {"fixed", "uniform", "lognormal", "empirical", NULL};
const char *const sim_router_names[] = {"round_robin",     "least_outstanding", "join_shortest_queue",
                                        "prefix_affinity", "session_affinity",  NULL};
const char *const sim_resample_names[] = {"none", "bootstrap", NULL};
const char *const sim_turns_dist_names[] = {"geometric", "fixed", NULL};
const char *const sim_think_dist_names[] = {"exponential", "lognormal", NULL};
const char *const sim_spec_method_names[] = {"none", "draft", "heads", NULL};
const char *const sim_autoscale_policy_names[] = {"none", "target", "schedule", NULL};
const char *const sim_autoscale_metric_names[] = {"queue", "concurrency", "utilisation", "rps", NULL};
const char *const sim_lost_work_names[] = {"requeue", "fail", NULL};
const char *const sim_billing_names[] = {"per_second", "per_hour", NULL};
const char *const sim_windows_mode_names[] = {"auto", "on", "off", NULL};
const char *const sim_model_routing_names[] = {"class", "cascade", NULL};

void sim_config_perf_opts(const sim_config *c, perf_opts *o) {
  const sim_deployment *d = &c->dep;
  *o = (perf_opts){.tp = d->tp,
                   .pp = d->pp ? d->pp : 1,
                   .expert_parallel = d->expert_parallel,
                   .ep_imbalance = d->ep_imbalance,
                   .attention_dp = d->attention_dp,
                   .gpu_memory_utilization = d->gpu_memory_utilization,
                   .block_size = d->block_size,
                   .kv_tokens = d->kv_cache_tokens,
                   .max_num_seqs = d->max_num_seqs,
                   .max_batched_tokens = d->max_batched_tokens,
                   .eff_hbm = d->eff_hbm,
                   .eff_compute = d->eff_compute,
                   .time_scale = d->step_time_scale,
                   .overhead_step_s = d->overhead_step_s,
                   .overhead_token_s = d->overhead_token_s,
                   .power_scale = d->power_scale,
                   .num_scheduler_steps = d->num_scheduler_steps,
                   .cuda_graph_max_batch = d->cuda_graph_max_batch};
}

double sim_config_gpus_per_replica(const sim_deployment *d) { return (double)d->tp * (d->pp ? d->pp : 1); }

double sim_config_gpus(const sim_deployment *d) {
  return sim_config_gpus_per_replica(d) * d->replicas + (double)d->disagg.replicas * d->disagg.tp;
}

bool sim_fleet_dynamic(const sim_config *c) {
  const sim_fleet *f = &c->fleet;
  return f->as.policy != AS_NONE || f->spot_share > 0 || f->mtbf_gpu_h > 0 || f->spares > 0;
}

bool sim_multimodel(const sim_config *c) { return c->n_pools > 0 || c->route.cache_hit_frac > 0; }

double sim_fleet_cold_start_s(const sim_fleet *f, double weight_bytes_per_replica) {
  return f->provisioning_s + weight_bytes_per_replica / (f->load_gb_s * 1e9) + f->engine_warmup_s;
}
