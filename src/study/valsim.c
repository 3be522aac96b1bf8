/* valsim.c: validation cases through the event simulator. A case becomes a sweep point (typed fields
 * set directly, then resolve_point, so engine defaults and checks apply as for a scenario file),
 * sim_run runs it, and a metric table maps sim_result rows onto validate's metric ids.
 * Invariant: a prediction is a function of (case, hwdb) only: fixed seed, fixed replicate count. */
#include "study/valsim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/resolve.h"
#include "physics/perf.h"
#include "sim/sim.h"

/* ---- the point of a case ---- */

/* Offline request count: the source's, capped at VALSIM_OFFLINE_MAX_N unless fewer than
 * VALSIM_OFFLINE_MIN_WAVES batches of the concurrency the KV cache allows would remain. */
static uint32_t offline_n(const validate_case *c, const sc_point *pt) {
  perf_opts po;
  perf_ctx ctx;
  ss_err e = {{0}};
  double keep = VALSIM_OFFLINE_MAX_N;
  sim_config_perf_opts(&pt->sim, &po);
  if (!perf_init(&ctx, &pt->sim.dep.hw, &po, &e))
    keep = fmax(keep, VALSIM_OFFLINE_MIN_WAVES * perf_max_batch(&ctx, c->input_len, c->output_len));
  return (uint32_t)fmin(c->load, keep);
}

/* The horizon of each simulated arrival process (validate_mode_process maps a mode to it). */
static const struct {
  int process;
  double duration_s;
} TRAFFIC[] = {
    {ARR_OFFLINE, 1e7}, /* everything at t = 0; the horizon only bounds the makespan */
    {ARR_CLOSED, VALSIM_CLOSED_S},
    {ARR_POISSON, VALSIM_POISSON_S},
};

/* Dataset rows give mean lengths and, optionally, their lognormal spread, capped at VALSIM_LENGTH_CAP
 * means (the datasets' samplers drop the longest conversations) unless the row's set gives the
 * sampler's own limit, and within the model's context (the engine ran every request, so prompt plus
 * output fitted it); keep_mean_under_cap then sets the median so the capped mean is the row's. */
#define VALSIM_LENGTH_CAP 8.0
static void set_lengths(sim_lengths *l, double mean, double sigma) {
  if (!(sigma > 0)) {
    l->dist = LEN_FIXED, l->value = (uint32_t)round(mean);
    return;
  }
  l->dist = LEN_LOGNORMAL, l->sigma = sigma, l->median = fmax(1, mean * exp(-sigma * sigma / 2));
  l->max = (uint32_t)ceil(VALSIM_LENGTH_CAP * mean);
}

static uint32_t length_max(const sim_lengths *l) { return l->dist == LEN_FIXED ? l->value : l->max; }

/* Mean of min(X, cap) for X lognormal(mu, sigma). */
static double clipped_lognormal_mean(double mu, double sigma, double cap) {
  double lc = log(cap);
  return exp(mu + sigma * sigma / 2) * 0.5 * erfc(-(lc - mu - sigma * sigma) / (sigma * sqrt(2.0))) +
         cap * 0.5 * erfc((lc - mu) / (sigma * sqrt(2.0)));
}

/* The row's mean is the mean of the prompts that ran, i.e. below the cap (the source's sampler
 * limit, the VALSIM_LENGTH_CAP default or the context): move the median so the clipped lognormal keeps
 * that mean (the mean of min(X, cap) rises with the median; bisection on log(median)). */
static void keep_mean_under_cap(sim_lengths *l, double mean) {
  if (l->dist != LEN_LOGNORMAL || !(l->sigma > 0) || !l->max || !(mean < l->max)) return;
  double lo = log(fmax(1, mean)) - 10 * l->sigma, hi = log((double)l->max) + 10 * l->sigma;
  for (int i = 0; i < 100; i++) {
    double mid = (lo + hi) / 2;
    if (clipped_lognormal_mean(mid, l->sigma, l->max) < mean)
      lo = mid;
    else
      hi = mid;
  }
  l->median = fmax(1, exp((lo + hi) / 2));
}

/* Shrink the distributions' caps so the longest prompt plus the longest output fits the context,
 * in proportion to their caps; fixed lengths stay (a fixed pair beyond the context is an error). */
static void fit_context(sim_lengths *in, sim_lengths *out, double context) {
  double room = context - (in->dist == LEN_FIXED ? in->value : 0) - (out->dist == LEN_FIXED ? out->value : 0);
  double capped = (in->dist == LEN_FIXED ? 0 : in->max) + (out->dist == LEN_FIXED ? 0 : out->max);
  if (!(capped > room) || room < 2) return;
  sim_lengths *l[2] = {in, out};
  for (int i = 0; i < 2; i++)
    if (l[i]->dist != LEN_FIXED) l[i]->max = (uint32_t)fmax(1, floor(l[i]->max * room / capped));
}

ss_status valsim_point(const validate_case *c, const hwdb *db, sc_point *pt, ss_err *err) {
  char where[96];
  ss_status rc;
  snprintf(where, sizeof where, "validation case %s (line %u)", c->id, c->line);
  if (c->input_len < 1 || c->output_len < 1 || c->input_len > 1e7 || c->output_len > 1e7)
    return ss_errorf(err, SS_EDATA, "%s: the simulator needs input_len and output_len from 1 to 1e7 (got %g, %g)",
                     where, c->input_len, c->output_len);
  if (!(c->load > 0 && c->load <= 1e9))
    return ss_errorf(err, SS_EDATA, "%s: load %g is out of range; allowed: above 0, at most 1e9", where, c->load);
  if (!(c->input_sigma >= 0 && c->input_sigma <= 5) || !(c->output_sigma >= 0 && c->output_sigma <= 5))
    return ss_errorf(err, SS_EDATA, "%s: input_sigma and output_sigma must be from 0 to 5 (got %g, %g)", where,
                     c->input_sigma, c->output_sigma);
  int process = validate_mode_process(c->mode);
  double horizon_s = NAN;
  for (size_t i = 0; i < sizeof TRAFFIC / sizeof TRAFFIC[0]; i++)
    if (TRAFFIC[i].process == process) horizon_s = TRAFFIC[i].duration_s;
  if (isnan(horizon_s))
    return ss_errorf(err, SS_EDATA, "%s: mode '%s' is not simulated; allowed: offline, closed, poisson", where,
                     c->mode);
  if ((rc = validate_case_point(c, db, pt, err))) return rc;
  sim_config *s = &pt->sim;
  set_lengths(&s->wl.input, c->input_len, c->input_sigma);
  set_lengths(&s->wl.output, c->output_len, c->output_sigma);
  const model_spec *m = hwdb_model(db, c->model);
  if (m) fit_context(&s->wl.input, &s->wl.output, m->max_context);
  s->wl.think_s = 0, s->warmup_s = 0, pt->seed = VALSIM_SEED;
  s->duration_s = horizon_s;  /* validate_case_point set the process */
  if (process == ARR_POISSON) /* the source's request count, when it gave one, sets the horizon */
    s->wl.rate_per_s = c->load, s->duration_s = c->requests > 0 ? c->requests / c->load : horizon_s;
  else if (process == ARR_CLOSED) /* the source's request count, when it gave one, ends the run */
    s->wl.users = (uint32_t)fmax(1, round(c->load)), s->wl.requests = (uint32_t)c->requests,
    s->duration_s = c->requests > 0 ? VALSIM_COUNTED_MAX_S : horizon_s;
  else
    s->wl.n = (uint32_t)fmax(1, round(c->load));
  if ((rc = validate_case_set(c, pt, err))) return rc; /* the source's own settings win (horizon, warm-up) */
  if ((rc = resolve_point(NULL, pt, db, err))) return ss_err_prefix(err, "%s: ", where), rc;
  /* The source ran these prompts, so its engine accepted them: without chunked prefill the token
   * budget was at least the context (the simulator's admission test is input + output, the length
   * of a recompute after preemption). */
  uint32_t context = length_max(&s->wl.input) + length_max(&s->wl.output);
  if (!s->dep.chunked_prefill && s->dep.max_batched_tokens < context) {
    s->dep.max_batched_tokens = context;
    scenario_mark_given(pt, scenario_key_index("deployment.scheduler.max_batched_tokens"));
  }
  keep_mean_under_cap(&s->wl.input, c->input_len), keep_mean_under_cap(&s->wl.output, c->output_len);
  if (process == ARR_OFFLINE) s->wl.n = offline_n(c, pt);
  if ((rc = resolve_point(NULL, pt, db, err))) return ss_err_prefix(err, "%s: ", where), rc;
  return SS_OK;
}

/* ---- metrics ---- */

/* validate metric <- sim_result row (replicate mean); RM_COUNT: not from sim_result */
static const struct {
  validate_metric vm;
  result_metric rm;
} MAP[] = {
    {VM_output_tok_s, RM_output_tok_s}, {VM_req_s, RM_req_s},           {VM_ttft_s_mean, RM_ttft_mean_s},
    {VM_ttft_s_p50, RM_ttft_p50_s},     {VM_ttft_s_p99, RM_ttft_p99_s}, {VM_tpot_s_mean, RM_tpot_mean_s},
    {VM_tpot_s_p50, RM_tpot_p50_s},     {VM_tpot_s_p99, RM_tpot_p99_s}, {VM_itl_s_mean, RM_itl_mean_s},
    {VM_itl_s_p50, RM_itl_p50_s},       {VM_itl_s_p99, RM_itl_p99_s},   {VM_ttft_s_p90, RM_ttft_p90_s},
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
  sc_point pt;
  ss_err e = {{0}};
  sim_log log = {0};
  sim_result r;
  double sum[RM_COUNT] = {0};
  bool ok = false;
  if (valsim_point(c, env->db, &pt, &e)) return snprintf(reason, len, "%s", e.msg), false;
  bool per_token = tgi_per_token(c);
  pt.sim.log_requests = per_token;
  uint32_t reps = pt.sim.wl.process == ARR_OFFLINE ? 1 : VALSIM_REPLICATES;
  for (uint32_t k = 0; k < reps; k++) {
    if (sim_run(&pt.sim, pt.seed, k, &r, per_token ? &log : NULL, &e)) {
      snprintf(reason, len, "simulator: %s", e.msg);
      goto fail;
    }
    for (int m = 0; m < RM_COUNT; m++) sum[m] += r.v[m] / reps;
  }
  if (sum[RM_requests_finished] <= 0) {
    snprintf(reason, len, "no request finished in the simulated %g s (a request of %.0f + %.0f tokens may not fit)",
             pt.sim.duration_s, c->input_len, c->output_len);
    goto fail;
  }
  for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++) p[MAP[i].vm] = sum[MAP[i].rm];
  if (per_token) p[VM_tpot_s_p50] = tgi_time_per_token_p50(&log);
  p[VM_output_tok_s_per_gpu] = p[VM_output_tok_s] / c->gpus;
  /* the source's own formula: instance price / (output tokens per hour) */
  p[VM_usd_per_1m_out] = instance_usd_per_hour(env->db, c) / (p[VM_output_tok_s] * 3600) * 1e6;
  if (isnan(p[VM_usd_per_1m_out]) && validate_metric_kind(c->metric) == VALIDATE_COST) {
    snprintf(reason, len,
             "hwdb/prices has no on-demand offering of exactly %u x %s (the source priced a whole "
             "instance, not GPUs)",
             c->gpus, c->gpu);
    goto fail;
  }
  ok = true;
fail:
  sim_log_free(&log);
  return ok;
}
