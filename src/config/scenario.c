/* scenario.c: the scenario key table and everything that reads through it: file loading, --set,
 * sweep axes, uncertain inputs, engine defaults, hwdb binding and the echo.
 * A key is "given" when the file, --set or a sweep set it; engine defaults fill the rest. */
#include "config/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/yamlcfg.h"

static const char *const ARRIVALS[] = {"poisson", "gamma", "diurnal", "closed", "offline", "trace", NULL};
static const char *const LEN_DISTS[] = {"fixed", "uniform", "lognormal", "empirical", NULL};
static const char *const ROUTERS[] = {"round_robin", "least_outstanding", "join_shortest_queue", NULL};
static const char *const TIERS[] = {"on_demand", "spot", "reserved", NULL};
static const char *const UNC_DISTS[] = {"uniform", "normal", "lognormal", "triangular", NULL};

#define S scenario
#define SW KT_SWEEP
#define SWS (KT_SWEEP | KT_SAMPLE)
#define LENGTH_ROWS(pfx, m, def_dist, def_value, def_median)                                               \
  KT_ROW_ENUM(S, pfx ".dist", m.dist, def_dist, LEN_DISTS, SW, "fixed, uniform, lognormal or empirical"), \
  KT_ROW_U32(S, pfx ".value", m.value, def_value, 1, 1e7, SW, "tokens, for dist: fixed"),                 \
  KT_ROW_U32(S, pfx ".min", m.min, 1, 1, 1e7, SW, "lower bound, for dist: uniform"),                     \
  KT_ROW_U32(S, pfx ".max", m.max, 0, 0, 1e7, SW, "upper bound (uniform) and cap (all); 0 = none"),     \
  KT_ROW_F64(S, pfx ".median", m.median, def_median, 1, 1e7, SWS, "median tokens, for dist: lognormal"),  \
  KT_ROW_F64(S, pfx ".sigma", m.sigma, 1.0, 0, 5, SWS, "log-space sd, for dist: lognormal"),            \
  KT_ROW_STR(S, pfx ".file", m.file, "", 0, "histogram CSV (tokens,weight), for dist: empirical")

static const kt_field FIELDS[] = {
    KT_ROW_STR(S, "name", name, "unnamed", 0, "a short name for the study"),
    KT_ROW_U64(S, "seed", seed, 42, 0, "master seed (64 bits)"),
    KT_ROW_U32(S, "replicates", replicates, 1, 1, 1e6, 0, "Monte Carlo replicates per sweep point"),
    KT_ROW_F64(S, "horizon.duration_s", duration_s, 600, 1e-3, 1e8, SWS, "simulated time per replicate, s"),
    KT_ROW_F64(S, "horizon.warmup_s", warmup_s, 60, 0, 1e8, SWS, "initial time left out of the metrics, s"),
    KT_ROW_STR(S, "deployment.gpu", dep.gpu, "", KT_REQUIRED | SW, "GPU id or alias (servesim list gpus)"),
    KT_ROW_U32(S, "deployment.tp", dep.tp, 1, 1, 64, SW, "GPUs per replica (tensor parallel degree)"),
    KT_ROW_U32(S, "deployment.replicas", dep.replicas, 1, 1, 1e5, SW, "replicas behind the router"),
    KT_ROW_STR(S, "deployment.model", dep.model, "", KT_REQUIRED | SW, "model id or alias (servesim list models)"),
    KT_ROW_STR(S, "deployment.weights", dep.weights, "fp16", SW, "weight format (servesim list quant)"),
    KT_ROW_STR(S, "deployment.kv_cache", dep.kv_cache, "fp16", SW, "KV-cache format: fp16, bf16 or fp8"),
    KT_ROW_STR(S, "deployment.engine", dep.engine, "vllm", SW, "engine profile (servesim list engines)"),
    KT_ROW_ENUM(S, "deployment.scheduler.policy", dep.policy, "continuous", engine_policy_names, SW,
                "batching policy (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.max_num_seqs", dep.max_num_seqs, 256, 1, 1e6, SW,
               "max running sequences per replica (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.max_batched_tokens", dep.max_batched_tokens, 8192, 1, 1e7, SW,
               "token budget per iteration (engine default)"),
    KT_ROW_BOOL(S, "deployment.scheduler.chunked_prefill", dep.chunked_prefill, 1, SW,
                "split long prompts across iterations (engine default)"),
    KT_ROW_BOOL(S, "deployment.scheduler.reserve_full_kv", dep.reserve_full_kv, 0, SW,
              "admit only with KV reserved for input + output, never preempt (engine default)"),
  KT_ROW_F64(S, "deployment.scheduler.gpu_memory_utilization", dep.gpu_memory_utilization, 0.9, 0.05, 1,
               SWS, "fraction of GPU memory the engine may use (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.block_size", dep.block_size, 16, 1, 4096, SW,
               "KV block size, tokens (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.parallel_slots", dep.parallel_slots, 1, 1, 4096, SW,
               "parallel slots of the single policy (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.static_batch", dep.static_batch, 8, 1, 1e5, SW,
               "batch size of the static policy"),
    KT_ROW_ENUM(S, "router", router, "least_outstanding", ROUTERS, SW, "how requests pick a replica"),
    KT_ROW_ENUM(S, "workload.arrival.process", arrival.process, "poisson", ARRIVALS, SW, "arrival process"),
    KT_ROW_F64(S, "workload.arrival.rate_per_s", arrival.rate_per_s, 1, 1e-9, 1e7, SWS,
               "mean arrival rate, requests/s (poisson, gamma, diurnal peak scale)"),
    KT_ROW_F64(S, "workload.arrival.cv", arrival.cv, 1, 0.01, 100, SWS,
               "coefficient of variation of gaps (gamma)"),
    KT_ROW_F64LIST(S, "workload.arrival.profile", arrival.profile, arrival.n_profile, 0, 1e3, 0,
                   "24 hourly rate multipliers (diurnal)"),
    KT_ROW_U32(S, "workload.arrival.users", arrival.users, 16, 1, 1e7, SW, "concurrent users (closed)"),
    KT_ROW_F64(S, "workload.arrival.think_s", arrival.think_s, 0, 0, 1e6, SWS, "think time, s (closed)"),
    KT_ROW_U32(S, "workload.arrival.n", arrival.n, 1000, 1, 1e9, SW, "requests at t=0 (offline)"),
    KT_ROW_STR(S, "workload.arrival.file", arrival.file, "", 0, "trace CSV: arrival_s,input_tokens,output_tokens"),
    KT_ROW_F64(S, "workload.arrival.time_scale", arrival.time_scale, 1, 1e-6, 1e6, SWS,
               "trace time multiplier (0.5 = twice as fast)"),
    LENGTH_ROWS("workload.input_tokens", input, "lognormal", 512, 512),
    LENGTH_ROWS("workload.output_tokens", output, "lognormal", 256, 256),
    KT_ROW_F64(S, "workload.correlation", correlation, 0, -0.99, 0.99, SWS,
               "correlation of log input and log output lengths"),
    KT_ROW_F64(S, "slo.ttft_p99_s", slo_ttft_s, 2.0, 1e-6, 1e6, SWS, "time-to-first-token objective, s"),
    KT_ROW_F64(S, "slo.tpot_p99_s", slo_tpot_s, 0.1, 1e-6, 1e6, SWS, "time-per-output-token objective, s"),
    KT_ROW_F64(S, "plan.confidence", plan.confidence, 0.95, 0.5, 1, 0,
               "plan: fraction of replicates that must meet both SLOs"),
    KT_ROW_U32(S, "plan.max_replicas", plan.max_replicas, 64, 1, 1e5, 0, "plan: largest replica count searched"),
    KT_ROW_F64(S, "plan.rate_rel_tol", plan.rate_rel_tol, 0.02, 1e-4, 0.5, 0,
               "plan: the rate bisection stops when its bracket is this fraction of the rate"),
    KT_ROW_ENUM(S, "pricing.tier", tier, "on_demand", TIERS, SW, "GPU price tier from hwdb/prices"),
    KT_ROW_F64(S, "pricing.usd_per_gpu_hour", usd_per_gpu_hour, NAN, 0, 1e4, SWS | KT_UNSET_OK,
               "explicit USD per GPU-hour (overrides the tier)"),
    KT_ROW_STR(S, "pricing.provider", provider, "", SW, "provider or price-row id to price with (default: the median row of the tier)"),
    KT_ROW_BOOL(S, "pricing.onprem", onprem, 0, SW, "GPUs are bought: capex amortised plus power, not rented"),
    KT_ROW_F64(S, "pricing.capex_usd_per_gpu", capex_usd_per_gpu, NAN, 0, 1e7, SWS | KT_UNSET_OK,
               "on-prem purchase price per GPU incl. its share of the server, USD (default: hwdb purchase row)"),
    KT_ROW_F64(S, "pricing.life_years", life_years, 3, 0.1, 20, SWS, "on-prem straight-line amortisation life, years"),
    KT_ROW_F64(S, "pricing.usd_per_kwh", usd_per_kwh, 0.15, 0, 10, SWS, "on-prem electricity price, USD/kWh"),
    KT_ROW_F64(S, "pricing.ops_overhead_frac", ops_overhead_frac, 0, 0, 10, SWS,
               "operations overhead on GPU and power cost (0.3 = +30%)"),
    KT_ROW_F64(S, "pricing.ops_usd_per_month", ops_usd_per_month, 0, 0, 1e9, SWS,
               "fixed operations cost (staff, monitoring), USD/month"),
    KT_ROW_BOOL(S, "pricing.redundancy_n_plus_1", redundancy_n_plus_1, 0, SW,
                "bill one idle standby replica (N+1) in the TCO"),
    KT_ROW_F64(S, "energy.pue", pue, 1, 1, 3, SWS, "facility power over IT power (1 = GPU power only)"),
    KT_ROW_F64(S, "energy.idle_power_frac", idle_power_frac, 0.2, 0, 1, SWS,
               "GPU draw with the model loaded but no step running, fraction of TDP (assumption)"),
    KT_ROW_F64(S, "energy.busy_power_frac", busy_power_frac, 1, 0, 1, SWS,
               "GPU draw while running steps, fraction of TDP (1 = TDP, an upper bound)"),
    KT_ROW_F64(S, "energy.host_w_per_gpu", host_w_per_gpu, 0, 0, 1e4, SWS,
               "host power (CPU, fans, network) per GPU, W, drawn always"),
    KT_ROW_F64(S, "energy.grid_kg_co2_per_kwh", grid_kg_co2_per_kwh, 0.48, 0, 2, SWS,
               "grid carbon intensity, kg CO2/kWh (0.48: world mean 2023, Ember)"),
    KT_ROW_STRLIST(S, "compare_api", compare_api, n_compare_api, 0, "API price rows to compare with"),
    KT_ROW_F64(S, "efficiency.hbm", eff_hbm, NAN, 0.05, 1, SWS | KT_UNSET_OK,
               "achieved fraction of memory bandwidth (default: calibrated)"),
    KT_ROW_F64(S, "efficiency.compute", eff_compute, NAN, 0.01, 1, SWS | KT_UNSET_OK,
               "achieved fraction of dense peak (default: calibrated)"),
    KT_ROW_F64(S, "overhead.step_s", overhead_step_s, NAN, 0, 10, SWS | KT_UNSET_OK,
               "per-iteration engine overhead, s (default: engine profile)"),
    KT_ROW_BOOL(S, "output.requests", out_requests, 0, 0, "write the per-request log to HDF5"),
    KT_ROW_BOOL(S, "output.timeseries", out_timeseries, 0, 0, "write queue/KV time series to HDF5"),
};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])
_Static_assert(NFIELDS <= SC_MAX_KEYS, "raise SC_MAX_KEYS");

static const char *const SPECIAL[] = {"sweep", "uncertain", NULL};

const kt_field *scenario_fields(size_t *n) {
  *n = NFIELDS;
  return FIELDS;
}

/* "not a scenario key (did you mean 'x'?)" for a key that is not in the table. */
static const char *not_a_key(const char *key, char *buf, size_t len) {
  const char *near = kt_suggest(FIELDS, NFIELDS, key);
  if (near) snprintf(buf, len, "not a scenario key (did you mean '%s'?)", near);
  else snprintf(buf, len, "not a scenario key");
  return buf;
}

/* ---- uncertain-input specs: a key table of their own ---- */
static const kt_field UNC_FIELDS[] = {
    KT_ROW_ENUM(sc_uncertain, "dist", dist, "uniform", UNC_DISTS, KT_REQUIRED, "distribution"),
    KT_ROW_F64(sc_uncertain, "min", min, NAN, -1e12, 1e12, 0, "lower bound (uniform, triangular)"),
    KT_ROW_F64(sc_uncertain, "max", max, NAN, -1e12, 1e12, 0, "upper bound (uniform, triangular)"),
    KT_ROW_F64(sc_uncertain, "mode", mode, NAN, -1e12, 1e12, 0, "mode (triangular)"),
    KT_ROW_F64(sc_uncertain, "mean", mean, NAN, -1e12, 1e12, 0, "mean (normal)"),
    KT_ROW_F64(sc_uncertain, "sd", sd, NAN, 0, 1e12, 0, "standard deviation (normal)"),
    KT_ROW_F64(sc_uncertain, "median", median, NAN, 1e-12, 1e12, 0, "median (lognormal)"),
    KT_ROW_F64(sc_uncertain, "sigma", sigma, NAN, 0, 10, 0, "log-space sd (lognormal)"),
};
#define NUNC (sizeof UNC_FIELDS / sizeof UNC_FIELDS[0])

static ss_status parse_uncertain(scenario *sc, const yc_node *map, const char *file, ss_err *err) {
  static const char *const NEED[][4] = {{"min", "max"}, {"mean", "sd"}, {"median", "sigma"}, {"min", "mode", "max"}};
  if (map->kind != YC_MAP)
    return ss_errorf(err, SS_EDATA, "%s:%u: key 'uncertain' must map scenario keys to distributions", file, map->line);
  for (size_t i = 0; i < map->n; i++) {
    char where[600], why[200];
    snprintf(where, sizeof where, "%s:%u", file, map->key_lines[i]);
    long k = kt_index(FIELDS, NFIELDS, map->keys[i]);
    if (k < 0 || !(FIELDS[k].flags & KT_SAMPLE))
      return ss_errorf(err, SS_EDATA, "%s: uncertain key '%s' is %s; allowed: numeric scenario keys marked "
                       "'may be uncertain' in `servesim run --help-scenario`", where, map->keys[i],
                       k < 0 ? not_a_key(map->keys[i], why, sizeof why) : "not a numeric key that can be sampled");
    if (sc->n_unc == SC_MAX_UNCERTAIN)
      return ss_errorf(err, SS_EDATA, "%s: more than %d uncertain inputs", where, SC_MAX_UNCERTAIN);
    sc_uncertain *u = &sc->unc[sc->n_unc];
    unsigned lines[NUNC] = {0};
    char prefix[160];
    snprintf(prefix, sizeof prefix, "uncertain.%s", map->keys[i]);
    kt_defaults(UNC_FIELDS, NUNC, u);
    ss_status rc = kt_apply(UNC_FIELDS, NUNC, &map->items[i], "", file, NULL, u, lines, err);
    if (!rc) rc = kt_check_required(UNC_FIELDS, NUNC, lines, where, err);
    if (rc) return rc;
    for (int j = 0; j < 4 && NEED[u->dist][j]; j++)
      if (isnan(kt_get_f64(kt_find(UNC_FIELDS, NUNC, NEED[u->dist][j]), u))) {
        char form[96];
        int used = snprintf(form, sizeof form, "{dist: %s", UNC_DISTS[u->dist]);
        for (int m = 0; m < 4 && NEED[u->dist][m]; m++)
          used += snprintf(form + used, sizeof form - (size_t)used, ", %s: ...", NEED[u->dist][m]);
        return ss_errorf(err, SS_EDATA, "%s: key '%s': dist %s needs '%s'; allowed: %s}", where, prefix,
                         UNC_DISTS[u->dist], NEED[u->dist][j], form);
      }
    bool bounded = u->dist == UNC_UNIFORM || u->dist == UNC_TRIANGULAR;
    const kt_field *f = &FIELDS[k];
    if (bounded && (u->min > u->max || (u->dist == UNC_TRIANGULAR && (u->mode < u->min || u->mode > u->max)))) {
      char got[96];
      if (u->dist == UNC_TRIANGULAR) snprintf(got, sizeof got, "min %g, mode %g, max %g", u->min, u->mode, u->max);
      else snprintf(got, sizeof got, "min %g, max %g", u->min, u->max);
      return ss_errorf(err, SS_EDATA, "%s: key '%s': %s are out of order; allowed: min <= %smax", where, prefix, got,
                       u->dist == UNC_TRIANGULAR ? "mode <= " : "");
    }
    if (bounded && (u->min < f->min || u->max > f->max))
      return ss_errorf(err, SS_EDATA, "%s: key '%s': [%g, %g] leaves the bounds of '%s'; allowed: %g to %g", where,
                       prefix, u->min, u->max, f->key, f->min, f->max);
    u->key = k;
    u->line = map->key_lines[i];
    sc->n_unc++;
  }
  return SS_OK;
}

static ss_status parse_sweep(scenario *sc, const yc_node *map, const char *file, ss_err *err) {
  if (map->kind != YC_MAP)
    return ss_errorf(err, SS_EDATA, "%s:%u: key 'sweep' must map scenario keys to lists of values", file, map->line);
  for (size_t i = 0; i < map->n; i++) {
    char where[600], why[200];
    snprintf(where, sizeof where, "%s:%u", file, map->key_lines[i]);
    long k = kt_index(FIELDS, NFIELDS, map->keys[i]);
    const yc_node *v = &map->items[i];
    if (k < 0 || !(FIELDS[k].flags & KT_SWEEP))
      return ss_errorf(err, SS_EDATA, "%s: sweep key '%s' is %s; allowed: keys marked 'sweepable' in "
                       "`servesim run --help-scenario`", where, map->keys[i],
                       k < 0 ? not_a_key(map->keys[i], why, sizeof why) : "not sweepable");
    if (v->kind != YC_SEQ || v->n == 0 || v->n > SC_MAX_AXIS_VALUES)
      return ss_errorf(err, SS_EDATA, "%s: sweep key '%s': expected a list of 1 to %d values", where, map->keys[i],
                       SC_MAX_AXIS_VALUES);
    if (sc->n_axes == SC_MAX_AXES) return ss_errorf(err, SS_EDATA, "%s: more than %d sweep keys", where, SC_MAX_AXES);
    sc_axis *ax = &sc->axes[sc->n_axes];
    ax->key = k, ax->n = v->n, ax->line = map->key_lines[i];
    for (size_t j = 0; j < v->n; j++) {
      scenario scratch = *sc;
      ss_status rc = kt_set(&FIELDS[k], &v->items[j], where, &scratch, err);
      if (rc) return rc;
      if (v->items[j].kind != YC_SCALAR || strlen(v->items[j].text) >= sizeof ax->values[j])
        return ss_errorf(err, SS_EDATA, "%s: sweep key '%s': values must be short single values", where, map->keys[i]);
      strcpy(ax->values[j], v->items[j].text);
    }
    sc->n_axes++;
  }
  return SS_OK;
}

ss_status scenario_set(scenario *sc, const char *assignment, ss_err *err) {
  const char *eq = strchr(assignment, '=');
  char key[160], name[200], why[200];
  if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof key)
    return ss_errorf(err, SS_EUSAGE, "--set '%s': expected key=value, e.g. --set deployment.tp=4", assignment);
  snprintf(key, sizeof key, "%.*s", (int)(eq - assignment), assignment);
  long k = kt_index(FIELDS, NFIELDS, key);
  if (k < 0)
    return ss_errorf(err, SS_EDATA, "--set: key '%s' is %s; allowed: the keys of `servesim run --help-scenario`", key,
                     not_a_key(key, why, sizeof why));
  yc_doc doc;
  snprintf(name, sizeof name, "--set %s", key);
  ss_status rc = *(eq + 1) ? yc_load_string(name, eq + 1, &doc, err)
                           : ss_errorf(err, SS_EDATA, "%s: the value is empty", name);
  if (rc) return rc;
  rc = kt_set(&FIELDS[k], doc.root, name, sc, err);
  yc_free(&doc);
  if (!rc) sc->given[k] = true, sc->line[k] = 0; /* messages then say "(--set)", not the file's line */
  return rc;
}

/* ---- checks that involve more than one key, or hwdb ---- */

/* "file:line: key 'k': value 'v' <why><detail>"; a key given by --set (no line) says so. */
static ss_status key_err(const scenario *sc, const char *key, ss_err *err, const char *fmt, const char *detail) {
  long k = kt_index(FIELDS, NFIELDS, key);
  char val[512], where[600];
  kt_format(&FIELDS[k], sc, val, sizeof val);
  if (sc->line[k]) snprintf(where, sizeof where, "%s:%u", sc->file, sc->line[k]);
  else snprintf(where, sizeof where, "%s%s", sc->file, sc->given[k] ? " (--set)" : "");
  bool quote = val[0] != '"' && val[0] != '[';
  return ss_errorf(err, SS_EDATA, "%s: key '%s': value %s%s%s %s%s", where, key, quote ? "'" : "", val,
                   quote ? "'" : "", fmt, detail);
}

static ss_status bind_id(const scenario *sc, const hwdb *db, hwdb_cat c, const char *key, const char *name,
                         const void **out, ss_err *err) {
  char ids[2048], msg[2100];
  if ((*out = hwdb_find(db, c, name))) return SS_OK;
  hwdb_ids(db, c, ids, sizeof ids);
  snprintf(msg, sizeof msg, "; allowed: %s (or an alias; see servesim list)", ids);
  return key_err(sc, key, err, "is not in hwdb", msg);
}

static void fill_engine_defaults(scenario *sc, const engine_profile *e) {
  struct { const char *key; double v; } d[] = {
      {"deployment.scheduler.policy", e->policy}, {"deployment.scheduler.max_num_seqs", e->max_num_seqs},
      {"deployment.scheduler.max_batched_tokens", e->max_batched_tokens},
      {"deployment.scheduler.chunked_prefill", e->chunked_prefill},
      {"deployment.scheduler.reserve_full_kv", e->reserve_full_kv},
      {"deployment.scheduler.gpu_memory_utilization", e->gpu_memory_utilization},
      {"deployment.scheduler.block_size", e->block_size}, {"deployment.scheduler.parallel_slots", e->parallel_slots},
  };
  for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
    long k = kt_index(FIELDS, NFIELDS, d[i].key);
    if (sc->given[k]) continue;
    if (FIELDS[k].type == KT_ENUM) *(int *)((char *)sc + FIELDS[k].off) = (int)d[i].v;
    else if (FIELDS[k].type == KT_BOOL) *(bool *)((char *)sc + FIELDS[k].off) = d[i].v != 0;
    else kt_set_f64(&FIELDS[k], sc, d[i].v);
  }
}

static ss_status check_lengths(const scenario *sc, const sc_lengths *l, const char *pfx, ss_err *err) {
  char key[96];
  if (l->dist == LEN_UNIFORM && l->max && l->min > l->max) {
    snprintf(key, sizeof key, "%s.min", pfx);
    return key_err(sc, key, err, "is above max", "; allowed: min <= max");
  }
  if (l->dist == LEN_EMPIRICAL && access(l->file, R_OK) != 0) {
    snprintf(key, sizeof key, "%s.file", pfx);
    return key_err(sc, key, err, "cannot be read", "; allowed: a readable CSV of tokens,weight rows (a relative "
                   "path starts from the current directory)");
  }
  return SS_OK;
}

ss_status scenario_resolve(scenario *sc, const hwdb *db, sc_bound *b, ss_err *err) {
  ss_status rc;
  sc_bound local;
  if (!b) b = &local;
  if ((rc = bind_id(sc, db, HWDB_GPUS, "deployment.gpu", sc->dep.gpu, (const void **)&b->gpu, err)) ||
      (rc = bind_id(sc, db, HWDB_MODELS, "deployment.model", sc->dep.model, (const void **)&b->model, err)) ||
      (rc = bind_id(sc, db, HWDB_QUANT, "deployment.weights", sc->dep.weights, (const void **)&b->weights, err)) ||
      (rc = bind_id(sc, db, HWDB_QUANT, "deployment.kv_cache", sc->dep.kv_cache, (const void **)&b->kv, err)) ||
      (rc = bind_id(sc, db, HWDB_ENGINES, "deployment.engine", sc->dep.engine, (const void **)&b->engine, err)))
    return rc;
  if (!b->kv->kv_ok) {
    char kv[512] = "; allowed:";
    for (size_t i = 0, used = strlen(kv); i < db->n[HWDB_QUANT] && used < sizeof kv; i++) {
      const quant_format *q = hwdb_at(db, HWDB_QUANT, i);
      if (q->kv_ok) used += (size_t)snprintf(kv + used, sizeof kv - used, "%s %s", used > 10 ? "," : "", q->id);
    }
    return key_err(sc, "deployment.kv_cache", err, "is not a KV-cache format", kv);
  }
  fill_engine_defaults(sc, b->engine);
  double heads = b->model->heads;
  if (fmod(heads, sc->dep.tp) != 0) {
    char msg[256];
    int used = snprintf(msg, sizeof msg, " of %s (%g); allowed:", b->model->id, heads);
    for (unsigned t = 1; t <= 64; t *= 2)
      if (fmod(heads, t) == 0) used += snprintf(msg + used, sizeof msg - (size_t)used, "%s %u", t > 1 ? "," : "", t);
    return key_err(sc, "deployment.tp", err, "does not divide the attention heads", msg);
  }
  if (sc->warmup_s >= sc->duration_s)
    return key_err(sc, "horizon.warmup_s", err, "is not shorter than horizon.duration_s", "; allowed: warmup_s < duration_s");
  if (sc->arrival.process == ARR_DIURNAL && sc->arrival.n_profile != 24) {
    char got[96];
    snprintf(got, sizeof got, " (it has %zu); allowed: a list of 24 numbers, one per hour", sc->arrival.n_profile);
    return key_err(sc, "workload.arrival.profile", err, "must hold 24 hourly multipliers for process: diurnal", got);
  }
  if (sc->arrival.process == ARR_TRACE && access(sc->arrival.file, R_OK) != 0)
    return key_err(sc, "workload.arrival.file", err, "cannot be read",
                   "; allowed: a readable trace CSV (a relative path starts from the current directory)");
  if ((rc = check_lengths(sc, &sc->input, "workload.input_tokens", err)) ||
      (rc = check_lengths(sc, &sc->output, "workload.output_tokens", err)))
    return rc;
  for (size_t i = 0; i < sc->n_compare_api; i++)
    if (!hwdb_api(db, sc->compare_api[i])) {
      char ids[2048], msg[2200];
      hwdb_ids(db, HWDB_API_PRICES, ids, sizeof ids);
      snprintf(msg, sizeof msg, "; '%s' is not in hwdb/prices/api.yaml; allowed: %s", sc->compare_api[i], ids);
      return key_err(sc, "compare_api", err, "names an unknown API price row", msg);
    }
  return SS_OK;
}

/* Sets the key of axis ax to its value j, as given on the sweep's line. */
static ss_status set_axis_value(scenario *sc, const sc_axis *ax, size_t j, ss_err *err) {
  yc_node v = {.kind = YC_SCALAR, .line = ax->line, .text = (char *)ax->values[j], .plain = true};
  char where[600];
  snprintf(where, sizeof where, "%s:%u", sc->file, ax->line);
  ss_status rc = kt_set(&FIELDS[ax->key], &v, where, sc, err);
  if (!rc) sc->given[ax->key] = true, sc->line[ax->key] = ax->line;
  return rc;
}

ss_status scenario_load(const char *path, const char *const *overrides, size_t n_set, const hwdb *db,
                        scenario *sc, ss_err *err) {
  yc_doc doc;
  ss_status rc;
  memset(sc, 0, sizeof *sc);
  kt_defaults(FIELDS, NFIELDS, sc);
  snprintf(sc->file, sizeof sc->file, "%s", path);
  if ((rc = yc_load_file(path, &doc, err))) return rc;
  rc = kt_apply(FIELDS, NFIELDS, doc.root, "", path, SPECIAL, sc, sc->line, err);
  const yc_node *sweep = yc_get(doc.root, "sweep"), *unc = yc_get(doc.root, "uncertain");
  if (!rc && sweep) rc = parse_sweep(sc, sweep, path, err);
  if (!rc && sweep && scenario_points(sc) > SC_MAX_POINTS)
    rc = ss_errorf(err, SS_EDATA, "%s:%u: key 'sweep': %zu axes give %zu points; allowed: at most %d (split the "
                   "study)", path, sc->axes[0].line, sc->n_axes, scenario_points(sc), SC_MAX_POINTS);
  if (!rc && unc) rc = parse_uncertain(sc, unc, path, err);
  yc_free(&doc);
  if (rc) return rc;
  for (size_t i = 0; i < NFIELDS; i++) sc->given[i] = sc->line[i] != 0;
  for (size_t i = 0; i < n_set && !rc; i++) rc = scenario_set(sc, overrides[i], err);
  unsigned set_at[NFIELDS]; /* required keys may come from the file, --set or a sweep */
  for (size_t i = 0; i < NFIELDS; i++) set_at[i] = sc->given[i];
  for (size_t j = 0; j < sc->n_axes; j++) set_at[sc->axes[j].key] = 1;
  if (!rc) rc = kt_check_required(FIELDS, NFIELDS, set_at, path, err);
  for (size_t i = 0; i < sc->n_unc && !rc; i++)
    for (size_t j = 0; j < sc->n_axes; j++)
      if (sc->unc[i].key == sc->axes[j].key)
        rc = ss_errorf(err, SS_EDATA, "%s:%u: key '%s' is both swept and uncertain; allowed: one of the two", path,
                       sc->unc[i].line, FIELDS[sc->unc[i].key].key);
  for (size_t j = 0; j < sc->n_axes && !rc; j++) /* a swept key the file leaves unset takes its first value */
    if (!sc->given[sc->axes[j].key]) rc = set_axis_value(sc, &sc->axes[j], 0, err);
  if (!rc) rc = scenario_resolve(sc, db, NULL, err);
  /* every sweep point must resolve, so that a long study never fails half-way */
  for (size_t p = 0; p < scenario_points(sc) && !rc; p++) {
    scenario pt;
    rc = scenario_point(sc, p, db, &pt, NULL, err);
  }
  return rc;
}

size_t scenario_points(const scenario *sc) {
  size_t n = 1; /* at most 64^8 = 2^48: no overflow */
  for (size_t i = 0; i < sc->n_axes; i++) n *= sc->axes[i].n;
  return n;
}

ss_status scenario_point(const scenario *base, size_t p, const hwdb *db, scenario *out, sc_bound *bound,
                         ss_err *err) {
  *out = *base;
  for (size_t i = base->n_axes; i-- > 0;) {
    const sc_axis *ax = &base->axes[i];
    ss_status rc = set_axis_value(out, ax, p % ax->n, err);
    if (rc) return rc;
    p /= ax->n;
  }
  return scenario_resolve(out, db, bound, err);
}

void scenario_apply_sample(scenario *sc, const sc_uncertain *u, double value) {
  const kt_field *f = &FIELDS[u->key];
  if (value < f->min) value = f->min; /* unbounded distributions are truncated to the key's bounds */
  if (value > f->max) value = f->max;
  kt_set_f64(f, sc, value);
  sc->given[u->key] = true;
}

void scenario_echo(FILE *out, const scenario *sc) {
  kt_print_yaml(out, FIELDS, NFIELDS, sc);
  if (sc->n_axes) fprintf(out, "sweep:\n");
  for (size_t i = 0; i < sc->n_axes; i++) {
    fprintf(out, "  %s: [", FIELDS[sc->axes[i].key].key);
    for (size_t j = 0; j < sc->axes[i].n; j++) fprintf(out, "%s%s", j ? ", " : "", sc->axes[i].values[j]);
    fprintf(out, "]\n");
  }
  if (sc->n_unc) fprintf(out, "uncertain:\n");
  for (size_t i = 0; i < sc->n_unc; i++) {
    const sc_uncertain *u = &sc->unc[i];
    fprintf(out, "  %s: {dist: %s", FIELDS[u->key].key, UNC_DISTS[u->dist]);
    for (size_t j = 1; j < NUNC; j++) {
      char val[64];
      kt_format(&UNC_FIELDS[j], u, val, sizeof val);
      if (strcmp(val, "~")) fprintf(out, ", %s: %s", UNC_FIELDS[j].key, val);
    }
    fprintf(out, "}\n");
  }
}

void scenario_help(FILE *out) {
  fprintf(out, "Scenario keys (YAML; nested mappings follow the dots):\n\n");
  kt_print_help(out, FIELDS, NFIELDS);
  fprintf(out, "\n  sweep:      map of sweepable keys to lists of values (cartesian product)\n"
               "  uncertain:  map of numeric keys to {dist: uniform, min, max} | {dist: normal, mean, sd} |\n"
               "              {dist: lognormal, median, sigma} | {dist: triangular, min, mode, max}\n");
}
