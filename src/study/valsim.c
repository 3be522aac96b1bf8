/* valsim.c: validation cases through the event simulator. A case becomes a scenario (through
 * scenario_set, so engine defaults and checks apply), sim_run runs it, and a metric table maps
 * sim_result rows onto validate's metric ids.
 * Invariant: a prediction is a function of (case, hwdb) only: fixed seed, fixed replicate count. */
#include "study/valsim.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/keytab.h"
#include "physics/perf.h"
#include "sim/sim.h"

/* ---- the scenario of a case ---- */

/* scenario_set of a formatted "key=value". */
static ss_status set(scenario *sc, ss_err *err, const char *fmt, ...) {
  char kv[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(kv, sizeof kv, fmt, ap);
  va_end(ap);
  return scenario_set(sc, kv, err);
}

/* Offline request count: the source's, capped at VALSIM_OFFLINE_MAX_N unless fewer than
 * VALSIM_OFFLINE_MIN_WAVES batches of the concurrency the KV cache allows would remain. */
static uint32_t offline_n(const validate_case *c, const scenario *sc, const sc_bound *b) {
  perf_opts po;
  perf_ctx ctx;
  ss_err e = {{0}};
  double keep = VALSIM_OFFLINE_MAX_N;
  perf_opts_from_scenario(sc, &po);
  if (!perf_init(&ctx, b, &po, &e))
    keep = fmax(keep, VALSIM_OFFLINE_MIN_WAVES * perf_max_batch(&ctx, c->input_len, c->output_len));
  return (uint32_t)fmin(c->load, keep);
}

/* Traffic of each mode: the process (named as the mode), the key that takes the case's load, the horizon. */
typedef struct {
  const char *mode, *load_key;
  bool whole; /* the load is a count */
  double duration_s;
} traffic;
static const traffic TRAFFIC[] = {
    {"offline", "workload.arrival.n", true, 1e7}, /* everything at t = 0; the horizon only bounds the makespan */
    {"closed", "workload.arrival.users", true, VALSIM_CLOSED_S},
    {"poisson", "workload.arrival.rate_per_s", false, VALSIM_POISSON_S},
};

/* Dataset rows give mean lengths and, optionally, their lognormal spread: the median that keeps the
 * mean, capped at VALSIM_LENGTH_CAP means (the datasets' samplers drop the longest conversations). */
#define VALSIM_LENGTH_CAP 8.0
static ss_status set_lengths(scenario *sc, const char *key, double mean, double sigma, ss_err *err) {
  ss_status rc;
  if (!(sigma > 0))
    return (rc = set(sc, err, "%s.dist=fixed", key)) ? rc : set(sc, err, "%s.value=%.0f", key, round(mean));
  if ((rc = set(sc, err, "%s.dist=lognormal", key)) || (rc = set(sc, err, "%s.sigma=%.17g", key, sigma)) ||
      (rc = set(sc, err, "%s.median=%.17g", key, fmax(1, mean * exp(-sigma * sigma / 2)))))
    return rc;
  return set(sc, err, "%s.max=%.0f", key, ceil(VALSIM_LENGTH_CAP * mean));
}

static uint32_t length_max(const sc_lengths *l) { return l->dist == LEN_FIXED ? l->value : l->max; }

ss_status valsim_scenario(const validate_case *c, const hwdb *db, scenario *sc, sc_bound *b, ss_err *err) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  ss_status rc;
  memset(sc, 0, sizeof *sc);
  kt_defaults(f, nf, sc);
  snprintf(sc->file, sizeof sc->file, "validation case %s (line %u)", c->id, c->line);
  if (c->tp == 0 || c->gpus % c->tp)
    return ss_errorf(err, SS_EDATA, "%s: gpus %u is not a multiple of tp %u", sc->file, c->gpus, c->tp);
  if (c->input_len < 1 || c->output_len < 1 || c->input_len > 1e7 || c->output_len > 1e7)
    return ss_errorf(err, SS_EDATA, "%s: the simulator needs input_len and output_len from 1 to 1e7 (got %g, %g)",
                     sc->file, c->input_len, c->output_len);
  if ((rc = set(sc, err, "deployment.gpu=%s", c->gpu)) || (rc = set(sc, err, "deployment.model=%s", c->model)) ||
      (rc = set(sc, err, "deployment.weights=%s", c->weights)) ||
      (rc = set(sc, err, "deployment.kv_cache=%s", c->kv)) || (rc = set(sc, err, "deployment.engine=%s", c->engine)) ||
      (rc = set(sc, err, "deployment.tp=%u", c->tp)) || (rc = set(sc, err, "deployment.replicas=%u", c->gpus / c->tp)) ||
      (rc = set_lengths(sc, "workload.input_tokens", c->input_len, c->input_sigma, err)) ||
      (rc = set_lengths(sc, "workload.output_tokens", c->output_len, c->output_sigma, err)) ||
      (rc = set(sc, err, "workload.arrival.think_s=0")) || (rc = set(sc, err, "horizon.warmup_s=0")) ||
      (rc = set(sc, err, "seed=%u", VALSIM_SEED)))
    return rc;
  /* The source ran these prompts, so its engine accepted them: without chunked prefill the token
   * budget was at least the context (the simulator's admission test is input + output, the length
   * of a recompute after preemption). */
  if ((rc = scenario_resolve(sc, db, b, err))) return rc;
  uint32_t context = length_max(&sc->input) + length_max(&sc->output);
  if (!sc->dep.chunked_prefill && sc->dep.max_batched_tokens < context &&
      (rc = set(sc, err, "deployment.scheduler.max_batched_tokens=%u", context)))
    return rc;
  const traffic *t = NULL;
  for (size_t i = 0; i < sizeof TRAFFIC / sizeof TRAFFIC[0]; i++)
    if (!strcmp(c->mode, TRAFFIC[i].mode)) t = &TRAFFIC[i];
  if (!t)
    return ss_errorf(err, SS_EDATA, "%s: mode '%s' is not simulated; allowed: offline, closed, poisson", sc->file,
                     c->mode);
  if ((rc = set(sc, err, "workload.arrival.process=%s", t->mode)) ||
      (rc = set(sc, err, "%s=%.17g", t->load_key, t->whole ? fmax(1, round(c->load)) : c->load)) ||
      (rc = set(sc, err, "horizon.duration_s=%.17g", t->duration_s)) || (rc = scenario_resolve(sc, db, b, err)))
    return rc;
  if (sc->arrival.process == ARR_OFFLINE && (rc = set(sc, err, "workload.arrival.n=%u", offline_n(c, sc, b))))
    return rc;
  return scenario_resolve(sc, db, b, err);
}

/* ---- metrics ---- */

/* validate metric <- sim_result row (replicate mean); RM_COUNT: not from sim_result */
static const struct {
  validate_metric vm;
  result_metric rm;
} MAP[] = {
    {VM_output_tok_s, RM_output_tok_s}, {VM_req_s, RM_req_s},         {VM_ttft_s_mean, RM_ttft_mean_s},
    {VM_ttft_s_p50, RM_ttft_p50_s},     {VM_ttft_s_p99, RM_ttft_p99_s}, {VM_tpot_s_mean, RM_tpot_mean_s},
    {VM_tpot_s_p50, RM_tpot_p50_s},     {VM_tpot_s_p99, RM_tpot_p99_s}, {VM_itl_s_mean, RM_itl_mean_s},
    {VM_e2e_s_mean, RM_e2e_mean_s},
};

/* Sources whose "per-token latency" is not the serving-benchmark TPOT. TGI's router logs
 * time_per_token = inference_time / generated_tokens, where inference_time runs from the start of the
 * request's own prefill step to its last token (queue time excluded, own prefill and other requests'
 * prefill stalls included); the benchmark reports the median over requests. */
static const char *const TGI_TIME_PER_TOKEN_GROUPS[] = {"tgi-sagemaker", NULL};

static bool tgi_per_token(const validate_case *c) {
  for (size_t i = 0; TGI_TIME_PER_TOKEN_GROUPS[i]; i++)
    if (!strcmp(c->group, TGI_TIME_PER_TOKEN_GROUPS[i])) return true;
  return false;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median over finished requests of (finish - own prefill start) / n_out (pooled over replicates). */
static double tgi_time_per_token_p50(const sim_log *log) {
  double *v = malloc((log->n_req ? log->n_req : 1) * sizeof *v), med = NAN;
  size_t n = 0;
  if (!v) return NAN;
  for (size_t i = 0; i < log->n_req; i++) {
    const sim_request_row *r = &log->req[i];
    if (!isnan(r->finish_s) && !isnan(r->sched_s) && r->output_tokens > 0)
      v[n++] = (r->finish_s - r->sched_s) / r->output_tokens;
  }
  if (n) {
    qsort(v, n, sizeof *v, cmp_dbl);
    med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  }
  free(v);
  return med;
}

/* Whole-instance on-demand price of exactly this GPU count of this GPU (hwdb/prices), or NAN. */
static double instance_usd_per_hour(const hwdb *db, const validate_case *c) {
  for (size_t i = 0; i < db->n[HWDB_GPU_PRICES]; i++) {
    const gpu_price *p = hwdb_at(db, HWDB_GPU_PRICES, i);
    if (p->tier == TIER_ON_DEMAND && p->gpus == c->gpus && hwdb_gpu(db, p->gpu) == hwdb_gpu(db, c->gpu))
      return p->usd_per_hour;
  }
  return NAN;
}

bool valsim_predict(const validate_env *env, double p[VM_COUNT], char *reason, size_t len) {
  const validate_case *c = env->c;
  scenario sc;
  sc_bound b;
  ss_err e = {{0}};
  sim_log log = {0};
  sim_result r;
  double sum[RM_COUNT] = {0};
  bool ok = false;
  if (valsim_scenario(c, env->db, &sc, &b, &e)) return snprintf(reason, len, "%s", e.msg), false;
  bool per_token = tgi_per_token(c);
  sc.out_requests = per_token;
  uint32_t reps = sc.arrival.process == ARR_OFFLINE ? 1 : VALSIM_REPLICATES;
  for (uint32_t k = 0; k < reps; k++) {
    if (sim_run(&sc, &b, sc.seed, k, &r, per_token ? &log : NULL, &e)) {
      snprintf(reason, len, "simulator: %s", e.msg);
      goto fail;
    }
    for (int m = 0; m < RM_COUNT; m++) sum[m] += r.v[m] / reps;
  }
  if (sum[RM_requests_finished] <= 0) {
    snprintf(reason, len, "no request finished in the simulated %g s (a request of %.0f + %.0f tokens may not fit)",
             sc.duration_s, c->input_len, c->output_len);
    goto fail;
  }
  for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++) p[MAP[i].vm] = sum[MAP[i].rm];
  if (per_token) p[VM_tpot_s_p50] = tgi_time_per_token_p50(&log);
  p[VM_output_tok_s_per_gpu] = p[VM_output_tok_s] / c->gpus;
  /* the source's own formula: instance price / (output tokens per hour) */
  p[VM_usd_per_1m_out] = instance_usd_per_hour(env->db, c) / (p[VM_output_tok_s] * 3600) * 1e6;
  if (isnan(p[VM_usd_per_1m_out]) && validate_metric_kind(c->metric) == VALIDATE_COST) {
    snprintf(reason, len, "hwdb/prices has no on-demand offering of exactly %u x %s (the source priced a whole "
             "instance, not GPUs)", c->gpus, c->gpu);
    goto fail;
  }
  ok = true;
fail:
  sim_log_free(&log);
  return ok;
}
