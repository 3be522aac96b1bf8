/* resolve.c: a scenario point made runnable: its hwdb names bound, the scheduler keys it does not give
 * filled from the engine profile, and the checks that involve more than one key or hwdb (layout,
 * horizon, diurnal profile, price and provider, lengths against the context, serving and fleet keys).
 * Invariant: a point resolve_point accepts simulates as written; a refusal names the key, its value,
 * its file and line, and what is allowed. */
#include "config/resolve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/fleetcfg.h"
#include "config/pools.h"
#include "config/serving.h"
#include "config/variation.h"

static ss_status bind_id(const study_spec *spec, const sc_point *pt, const hwdb *db, hwdb_cat c, const char *key,
                         const char *name, const void **out, ss_err *err) {
  char ids[2048], msg[2100];
  if ((*out = hwdb_find(db, c, name))) return SS_OK;
  if (c == HWDB_ENGINES && hwdb_engine_releases(db, name, ids, sizeof ids)) { /* a family, a release it lacks */
    snprintf(msg, sizeof msg, "; allowed: %s, or the family alone for its newest", ids);
    return scenario_key_err(spec, pt, key, err, "names a release no profile of its family describes", msg);
  }
  hwdb_ids(db, c, ids, sizeof ids);
  snprintf(msg, sizeof msg, "; allowed: %s (or an alias; see servesim list)", ids);
  return scenario_key_err(spec, pt, key, err, "is not in hwdb", msg);
}

static void fill_engine_defaults(sc_point *pt, const engine_profile *e) {
  struct {
    const char *key;
    double v;
  } d[] = {
      {"deployment.scheduler.policy", e->policy},
      {"deployment.scheduler.max_num_seqs", e->max_num_seqs},
      {"deployment.scheduler.max_batched_tokens", e->max_batched_tokens},
      {"deployment.scheduler.chunked_prefill", e->chunked_prefill},
      {"deployment.scheduler.reserve_full_kv", e->reserve_full_kv},
      {"deployment.scheduler.num_scheduler_steps", e->num_scheduler_steps},
      {"deployment.scheduler.cuda_graph_max_batch", e->cuda_graph_max_batch},
      {"deployment.scheduler.waiting_served_ratio", e->waiting_served_ratio},
      {"deployment.scheduler.max_waiting_tokens", e->max_waiting_tokens},
      {"deployment.scheduler.gpu_memory_utilization", e->gpu_memory_utilization},
      {"deployment.scheduler.block_size", e->block_size},
      {"deployment.scheduler.parallel_slots", e->parallel_slots},
  };
  size_t nf;
  const kt_field *fields = scenario_fields(&nf);
  for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
    long k = scenario_key_index(d[i].key);
    if (scenario_given(pt, k)) continue;
    if (fields[k].type == KT_ENUM)
      *(int *)((char *)pt + fields[k].off) = (int)d[i].v;
    else if (fields[k].type == KT_BOOL)
      *(bool *)((char *)pt + fields[k].off) = d[i].v != 0;
    else
      kt_set_f64(&fields[k], pt, d[i].v);
  }
}

static ss_status check_lengths(const study_spec *spec, const sc_point *pt, const sim_lengths *l, const char *pfx,
                               ss_err *err) {
  char key[96];
  if (l->dist == LEN_UNIFORM && l->max && l->min > l->max) {
    snprintf(key, sizeof key, "%s.min", pfx);
    return scenario_key_err(spec, pt, key, err, "is above max", "; allowed: min <= max");
  }
  if (l->dist == LEN_EMPIRICAL && !l->hist) {
    snprintf(key, sizeof key, "%s.file", pfx);
    return scenario_key_err(spec, pt, key, err, "names no histogram",
                            "; allowed: a CSV of tokens,weight rows, for dist: empirical");
  }
  return SS_OK;
}

/* Tensor parallelism the way vLLM allows it: tp divides the attention heads, and the KV heads divide
 * by tp or tp by them (KV heads are then replicated). */
static bool layout_ok(const model_spec *m, unsigned tp) {
  return fmod(m->heads, tp) == 0 && (fmod(m->kv_heads, tp) == 0 || fmod(tp, m->kv_heads) == 0);
}

static ss_status check_layout(const study_spec *spec, const sc_point *pt, ss_err *err) {
  const model_spec *m = pt->sim.dep.hw.model;
  if (layout_ok(m, pt->sim.dep.tp)) return SS_OK;
  char msg[256];
  int used = snprintf(msg, sizeof msg, " of %s (%g, %g KV heads); allowed:", m->id, m->heads, m->kv_heads);
  for (unsigned t = 1; t <= 64; t++)
    if (layout_ok(m, t)) used += snprintf(msg + used, sizeof msg - (size_t)used, "%s %u", t > 1 ? "," : "", t);
  return scenario_key_err(spec, pt, "deployment.tp", err, "does not split the attention and KV heads evenly", msg);
}

/* An explicit or uncertain GPU price belongs to the GPU it was written for: pricing.price_gpu, else
 * the GPU named next to it (spec->price_gpu). A point on another GPU would bill the wrong market. */
static ss_status check_price_gpu(const study_spec *spec, const sc_point *pt, const hwdb *db, ss_err *err) {
  long k = scenario_key_index("pricing.usd_per_gpu_hour");
  bool uncertain = false;
  for (size_t i = 0; spec && i < spec->n_unc; i++) uncertain |= spec->unc[i].key == k;
  if ((isnan(pt->cost.usd_per_gpu_hour) && !uncertain) || pt->cost.onprem) return SS_OK;
  const char *tied = pt->price_gpu[0] ? pt->price_gpu : spec ? spec->price_gpu : "";
  if (!tied[0] || !strcmp(tied, "any")) return SS_OK;
  const hw_gpu *g = hwdb_gpu(db, tied);
  if (!g)
    return scenario_key_err(spec, pt, "pricing.price_gpu", err, "is not in hwdb",
                            "; allowed: a GPU id or alias, or any");
  if (g == pt->sim.dep.hw.gpu) return SS_OK;
  const char *run = pt->sim.dep.hw.gpu->id;
  char what[600], where[600];
  const sc_uncertain *u = NULL;
  for (size_t i = 0; uncertain && i < spec->n_unc; i++)
    if (spec->unc[i].key == k) u = &spec->unc[i];
  if (u) {
    char dist[400];
    variation_format_uncertain(u, dist, sizeof dist);
    if (u->line)
      snprintf(where, sizeof where, "%s:%u", spec->file, u->line);
    else
      snprintf(where, sizeof where, "%s (--set)", spec->file);
    snprintf(what, sizeof what, "key 'uncertain.pricing.usd_per_gpu_hour': %s is a price range", dist);
  } else {
    scenario_key_where(spec, pt, k, where, sizeof where);
    snprintf(what, sizeof what, "key 'pricing.usd_per_gpu_hour': value %g is a price", pt->cost.usd_per_gpu_hour);
  }
  return ss_errorf(err, SS_EDATA,
                   "%s: %s for %s (%s), but this point runs %s; allowed: a price for %s (and pricing.price_gpu: %s), "
                   "pricing.price_gpu: any to bill every GPU at it, or no price (--set pricing.usd_per_gpu_hour=~) to "
                   "use hwdb's rows for %s",
                   where, what, g->id, pt->price_gpu[0] ? "pricing.price_gpu" : "the GPU named with it", run, run, run,
                   run);
}

/* Whether the price per GPU-hour is given (explicitly, as an on-prem purchase price, or as an uncertain
 * input): then no hwdb price row is used. */
static bool price_given(const study_spec *spec, const sc_point *pt) {
  long k = scenario_key_index("pricing.usd_per_gpu_hour");
  long kc = scenario_key_index("pricing.capex_usd_per_gpu");
  bool given = pt->cost.onprem ? !isnan(pt->cost.capex_usd_per_gpu) : !isnan(pt->cost.usd_per_gpu_hour);
  for (size_t i = 0; spec && i < spec->n_unc; i++) given |= spec->unc[i].key == (pt->cost.onprem ? kc : k);
  return given;
}

/* pricing.provider names hwdb price rows, by provider or row id: a name no row carries is a typo, and
 * a provider next to a price given outright would be ignored. */
static ss_status check_provider(const study_spec *spec, const sc_point *pt, const hwdb *db, ss_err *err) {
  char names[1024] = "", msg[1200];
  size_t used = 0;
  if (!pt->provider[0]) return SS_OK;
  for (size_t i = 0; i < db->n[HWDB_GPU_PRICES]; i++) {
    const gpu_price *p = hwdb_at(db, HWDB_GPU_PRICES, i);
    if (!strcmp(p->id, pt->provider) || !strcmp(p->provider, pt->provider)) {
      if (!price_given(spec, pt)) return SS_OK;
      return scenario_key_err(spec, pt, "pricing.provider", err, "would be ignored",
                              pt->cost.onprem
                                  ? ": pricing.capex_usd_per_gpu gives the purchase price; allowed: one of the two"
                                  : ": pricing.usd_per_gpu_hour gives the price; allowed: one of the two");
    }
    char needle[64];
    snprintf(needle, sizeof needle, "%s,", p->provider);
    if (!strstr(names, needle) && used + strlen(needle) < sizeof names)
      used += (size_t)snprintf(names + used, sizeof names - used, "%s", needle);
  }
  if (used) names[used - 1] = '\0';
  snprintf(msg, sizeof msg, " in hwdb/prices/gpu.yaml; allowed: a provider (%s) or a row id (servesim list prices)",
           names);
  return scenario_key_err(spec, pt, "pricing.provider", err, "is neither a provider nor a price-row id", msg);
}

/* Requests must fit the model's context window: a length (fixed, or a distribution's cap) beyond it is
 * an error; an uncapped distribution is capped at it (and a point resolved again keeps that cap). */
static ss_status check_context(const study_spec *spec, sc_point *pt, ss_err *err) {
  double ctx = pt->sim.dep.hw.model->max_context;
  sim_lengths *len[2] = {&pt->sim.wl.input, &pt->sim.wl.output};
  const char *pfx[2] = {"workload.input_tokens", "workload.output_tokens"};
  double top[2];
  bool capped_here[2] = {false, false};
  char key[96], detail[256];
  size_t nf;
  const kt_field *fields = scenario_fields(&nf);
  for (int i = 0; i < 2; i++) {
    sim_lengths *l = len[i];
    bool fixed = l->dist == LEN_FIXED;
    snprintf(key, sizeof key, "%s.max", pfx[i]);
    uint32_t cap = (uint32_t)fmin(ctx, fields[scenario_key_index(key)].max); /* a 10M-token context: the key's bound */
    if (!fixed && (!l->max || (l->max == cap && !scenario_given(pt, scenario_key_index(key)))))
      l->max = cap, capped_here[i] = true; /* vLLM refuses longer ones */
    top[i] = fixed ? l->value : l->max;
    if (top[i] <= ctx) continue;
    snprintf(key, sizeof key, "%s.%s", pfx[i], fixed ? "value" : "max");
    snprintf(detail, sizeof detail, " (%.0f tokens of %s); allowed: at most %.0f", ctx, pt->sim.dep.hw.model->id, ctx);
    return scenario_key_err(spec, pt, key, err, "exceeds the model's context", detail);
  }
  const sim_trace *tr = pt->sim.wl.process == ARR_TRACE ? pt->sim.wl.trace : NULL;
  if (tr && tr->max_total > ctx) {
    snprintf(detail, sizeof detail, " holds a request of %u tokens (input + output), beyond the context of %s (%.0f)",
             tr->max_total, pt->sim.dep.hw.model->id, ctx);
    return scenario_key_err(spec, pt, "workload.arrival.file", err, "names a trace that", detail);
  }
  if (!capped_here[0] && !capped_here[1] && top[0] + top[1] > ctx) {
    snprintf(key, sizeof key, "%s.%s", pfx[0], len[0]->dist == LEN_FIXED ? "value" : "max");
    snprintf(detail, sizeof detail,
             " plus %.0f output tokens exceeds the context of %s (%.0f tokens); allowed: input "
             "+ output at most %.0f",
             top[1], pt->sim.dep.hw.model->id, ctx, ctx);
    return scenario_key_err(spec, pt, key, err, "as the longest prompt,", detail);
  }
  return SS_OK;
}

static ss_status bind_all(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err) {
  hwdb_bound *b = &pt->sim.dep.hw;
  ss_status rc;
  if ((rc = bind_id(spec, pt, db, HWDB_GPUS, "deployment.gpu", pt->gpu, (const void **)&b->gpu, err)) ||
      (rc = bind_id(spec, pt, db, HWDB_MODELS, "deployment.model", pt->model, (const void **)&b->model, err)) ||
      (rc = bind_id(spec, pt, db, HWDB_QUANT, "deployment.weights", pt->weights, (const void **)&b->weights, err)) ||
      (rc = bind_id(spec, pt, db, HWDB_QUANT, "deployment.kv_cache", pt->kv_cache, (const void **)&b->kv, err)) ||
      (rc = bind_id(spec, pt, db, HWDB_ENGINES, "deployment.engine", pt->engine, (const void **)&b->engine, err)))
    return rc;
  b->engine_beyond = hwdb_engine_beyond(db, pt->engine);
  if (!engine_runs_on(b->engine, b->gpu->vendor)) {
    char detail[256], vendors[64];
    snprintf(detail, sizeof detail,
             " (%s, vendor %s): the %s profile describes the engine on %s GPUs; allowed: one of those", b->gpu->id,
             b->gpu->vendor, b->engine->id, engine_vendors(b->engine, vendors, sizeof vendors));
    return scenario_key_err(spec, pt, "deployment.engine", err, "is not modelled on this GPU", detail);
  }
  if (!b->kv->kv_ok) {
    char kv[512] = "; allowed:";
    for (size_t i = 0, used = strlen(kv); i < db->n[HWDB_QUANT] && used < sizeof kv; i++) {
      const quant_format *q = hwdb_at(db, HWDB_QUANT, i);
      if (q->kv_ok) used += (size_t)snprintf(kv + used, sizeof kv - used, "%s %s", used > 10 ? "," : "", q->id);
    }
    return scenario_key_err(spec, pt, "deployment.kv_cache", err, "is not a KV-cache format", kv);
  }
  for (size_t i = 0; i < pt->n_compare_api; i++)
    if (!hwdb_api(db, pt->compare_api[i])) {
      char ids[2048], msg[2200];
      hwdb_ids(db, HWDB_API_PRICES, ids, sizeof ids);
      snprintf(msg, sizeof msg, "; '%s' is not in hwdb/prices/api.yaml; allowed: %s", pt->compare_api[i], ids);
      return scenario_key_err(spec, pt, "compare_api", err, "names an unknown API price row", msg);
    }
  return SS_OK;
}

/* Every numeric key inside its bounds: true of anything parsed or sampled, checked again for points
 * built field by field. */
static ss_status check_bounds(const study_spec *spec, const sc_point *pt, ss_err *err) {
  char allowed[512];
  size_t nf;
  const kt_field *fields = scenario_fields(&nf);
  for (size_t i = 0; i < nf; i++) {
    const kt_field *f = &fields[i];
    if (!kt_is_numeric(f)) continue;
    double v = kt_get_f64(f, pt);
    if (isnan(v) && (f->flags & KT_UNSET_OK)) continue;
    if (v >= f->min && v <= f->max) continue;
    kt_allowed(f, allowed, sizeof allowed);
    char detail[600];
    snprintf(detail, sizeof detail, "; allowed: %s", allowed);
    return scenario_key_err(spec, pt, f->key, err, "is out of bounds", detail);
  }
  return SS_OK;
}

/* One deployment: bind, fill engine defaults, check. */
static ss_status resolve_deployment(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err) {
  ss_status rc;
  if ((rc = check_bounds(spec, pt, err)) || (rc = bind_all(spec, pt, db, err))) return rc;
  const hwdb_bound *b = &pt->sim.dep.hw;
  fill_engine_defaults(pt, b->engine);
  snprintf(pt->engine, sizeof pt->engine, "%s", b->engine->id); /* the resolved profile, version included */
  if ((rc = check_layout(spec, pt, err)) || (rc = check_price_gpu(spec, pt, db, err))) return rc;
  const sim_traffic *w = &pt->sim.wl;
  if (pt->sim.warmup_s >= pt->sim.duration_s)
    return scenario_key_err(spec, pt, "horizon.warmup_s", err, "is not shorter than horizon.duration_s",
                            "; allowed: warmup_s < duration_s");
  if (w->process == ARR_DIURNAL && w->n_profile != 24) {
    char got[96];
    snprintf(got, sizeof got, " (it has %zu); allowed: a list of 24 numbers, one per hour", w->n_profile);
    return scenario_key_err(spec, pt, "workload.arrival.profile", err,
                            "must hold 24 hourly multipliers for process: diurnal", got);
  }
  double profile_sum = 0;
  for (size_t h = 0; h < w->n_profile; h++) profile_sum += w->profile[h];
  if (w->process == ARR_DIURNAL && !(profile_sum > 0))
    return scenario_key_err(spec, pt, "workload.arrival.profile", err, "has every hourly multiplier 0",
                            ": no request would ever arrive; allowed: at least one positive multiplier");
  if ((rc = check_provider(spec, pt, db, err))) return rc;
  if (w->process == ARR_TRACE && !w->trace)
    return scenario_key_err(spec, pt, "workload.arrival.file", err, "names no trace",
                            "; allowed: a CSV of arrival_s,input_tokens,output_tokens rows, for process: trace");
  if ((rc = check_lengths(spec, pt, &w->input, "workload.input_tokens", err)) ||
      (rc = check_lengths(spec, pt, &w->output, "workload.output_tokens", err)) || (rc = check_context(spec, pt, err)))
    return rc;
  if ((rc = serving_resolve(spec, pt, db, err))) return rc;
  return fleetcfg_resolve(spec, pt, db, err);
}

ss_status resolve_point(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err) {
  if (pt->is_pool) return resolve_deployment(spec, pt, db, err);
  bool pools = spec && spec->n_pools;
  sc_point *before = pools ? malloc(sizeof *before) : NULL; /* further deployments start from the point as given */
  if (pools && !before) return ss_errorf(err, SS_ENOMEM, "out of memory");
  if (before) *before = *pt;
  ss_status rc = resolve_deployment(spec, pt, db, err);
  if (!rc && pools) rc = pools_resolve(spec, pt, before, db, err);
  if (!rc) rc = pools_check_routing(spec, pt, err);
  if (!rc) rc = fleetcfg_check_mechanisms(spec, pt, err);
  free(before);
  return rc;
}
