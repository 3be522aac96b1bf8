/* estimate.c: `servesim estimate`: one configuration through the memory fit, the step-time model, a
 * closed-form capacity at the SLO and the cost formulas, into an estimate_report (io/estimate_out
 * prints it). The configuration comes from flags or from a scenario's point; when the weights do not
 * fit, it searches for the smallest change that does: more GPUs at this precision, or a smaller format. */
#include "study/estimate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/resolve.h"
#include "config/variation.h"
#include "physics/cost.h"
#include "sim/workload.h"
#include "study/capacity.h"
#include "study/costing.h"

const double estimate_utilisations[ESTIMATE_NUTIL] = {1.0, 0.5, 0.2, 0.05};

static void note(estimate_report *r, const char *text) {
  if (r->n_notes < ESTIMATE_MAX_NOTES) snprintf(r->notes[r->n_notes++], sizeof r->notes[0], "%s", text);
}

static double key_default(const char *key) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  return kt_find(f, nf, key)->def;
}

/* ---- from flags ---- */

static void defaults(estimate_report *r) {
  estimate_opts *o = &r->o;
  if (!o->weights) o->weights = "fp16";
  if (!o->kv) o->kv = "fp16";
  if (!o->engine) o->engine = "vllm";
  if (!o->tp) o->tp = 1;
  if (!o->gpus) o->gpus = o->tp;
  snprintf(r->shape_source, sizeof r->shape_source, "%s", o->in_tokens > 0 ? "--in/--out" : "the default shape");
  if (!(o->in_tokens > 0)) o->in_tokens = 512;
  if (!(o->out_tokens > 0)) o->out_tokens = 256;
  if (!(o->slo_ttft_s > 0)) o->slo_ttft_s = key_default("slo.ttft_p99_s");
  if (!(o->slo_tpot_s > 0)) o->slo_tpot_s = key_default("slo.tpot_p99_s");
}

static ss_status lookup(const hwdb *db, hwdb_cat cat, const char *what, const char *name, const void **out,
                        ss_err *err) {
  char ids[2048];
  if (!name) return ss_errorf(err, SS_EUSAGE, "estimate: --%s is required (or give a scenario file)", what);
  if ((*out = hwdb_find(db, cat, name))) return SS_OK;
  hwdb_ids(db, cat, ids, sizeof ids);
  return ss_errorf(err, SS_EUSAGE, "estimate: --%s '%s' is not in hwdb; allowed: %s", what, name, ids);
}

static ss_status bind(const hwdb *db, const estimate_opts *o, hwdb_bound *b, ss_err *err) {
  const void *p[5];
  ss_status rc;
  if ((rc = lookup(db, HWDB_GPUS, "gpu", o->gpu, &p[0], err)) ||
      (rc = lookup(db, HWDB_MODELS, "model", o->model, &p[1], err)) ||
      (rc = lookup(db, HWDB_QUANT, "weights", o->weights, &p[2], err)) ||
      (rc = lookup(db, HWDB_QUANT, "kv", o->kv, &p[3], err)) ||
      (rc = lookup(db, HWDB_ENGINES, "engine", o->engine, &p[4], err)))
    return rc;
  *b = (hwdb_bound){p[0], p[1], p[2], p[3], p[4], hwdb_engine_beyond(db, o->engine)};
  char vendors[64];
  if (!engine_runs_on(b->engine, b->gpu->vendor))
    return ss_errorf(err, SS_EUSAGE,
                     "estimate: --engine '%s' (%s) is not modelled on --gpu %s (vendor %s): the profile describes the "
                     "engine on %s GPUs; allowed: one of those",
                     o->engine, b->engine->id, b->gpu->id, b->gpu->vendor,
                     engine_vendors(b->engine, vendors, sizeof vendors));
  if (!b->kv->kv_ok)
    return ss_errorf(err, SS_EUSAGE, "estimate: --kv '%s' is not a KV-cache format; allowed: fp16, bf16, fp8", o->kv);
  return SS_OK;
}

/* ---- the model ---- */

/* Formats with fewer bits than the current one that fit at this tp, most bits first. */
static void search_formats(const hwdb *db, estimate_report *r) {
  const quant_format *cand[ESTIMATE_MAX_FORMATS];
  size_t n = 0;
  for (size_t i = 0; i < db->n[HWDB_QUANT] && n < ESTIMATE_MAX_FORMATS; i++) {
    const quant_format *q = hwdb_at(db, HWDB_QUANT, i);
    hwdb_bound b = r->b;
    perf_memory m;
    if (q->bits_per_weight >= r->b.weights->bits_per_weight || (q->experts_only && !model_is_moe(r->b.model))) continue;
    b.weights = q;
    perf_memory_fit(&b, &r->po, &m);
    if (!m.fits) continue;
    size_t k = n++;
    for (; k > 0 && cand[k - 1]->bits_per_weight < q->bits_per_weight; k--) cand[k] = cand[k - 1];
    cand[k] = q;
  }
  for (size_t i = 0; i < n; i++) r->fitting_formats[i] = cand[i]->id;
  r->n_fitting_formats = n;
}

/* Whether the engine's host loop, not the GPU, sets the steady state's step at batch b (perf_host_bound). */
static bool steady_host_bound(const estimate_report *r, double b) {
  batch_shape bs;
  perf_steady_shape(&r->ctx, b, r->o.in_tokens, r->o.out_tokens, &bs);
  return perf_host_bound(&r->ctx, &bs);
}

static void speeds(estimate_report *r) {
  const perf_ctx *c = &r->ctx;
  double in = r->o.in_tokens, out = r->o.out_tokens;
  batch_shape one = {.n_decode = 1, .decode_ctx = in, .decode_ctx_local = perf_local_ctx(c, in), .n_sampled = 1};
  r->bound_tok_s_b1 = 1 / perf_bandwidth_bound(c, &one);
  r->tok_s_b1 = out / perf_decode_time(c, 1, in, out);
  r->max_seqs = perf_max_batch(c, in, out);
  r->batch = fmax(1, r->max_seqs);
  r->decode_tok_s_batch = r->batch * out / perf_decode_time(c, r->batch, in, out);
  r->steady_tok_s = perf_steady_tok_s(c, r->batch, in, out, NULL);
  r->host_bound = steady_host_bound(r, r->batch);
  double t_pre = perf_prefill_time(c, in);
  r->prefill_tok_s = in / t_pre;
  r->ttft_s = t_pre;
}

/* Mean step time of the steady state at batch b (perf_steady_tok_s); *tok_s: its output tokens/s. */
static double steady_step(const estimate_report *r, double b, double *tok_s) {
  double t;
  *tok_s = perf_steady_tok_s(&r->ctx, b, r->o.in_tokens, r->o.out_tokens, &t);
  return t;
}

/* The model's cross-validated error for this configuration (widened where it is extrapolation). */
static void bands(const hwdb *db, estimate_report *r) {
  const model_error *t = hwdb_model_error(db, "throughput"), *l = hwdb_model_error(db, "latency");
  if (!t || !l) return;
  r->has_band = true;
  modelerr_band_of(t, r->b.gpu->id, r->b.engine->id, r->b.engine_beyond, r->b.weights->id, &r->band_tput);
  modelerr_band_of(l, r->b.gpu->id, r->b.engine->id, r->b.engine_beyond, r->b.weights->id, &r->band_latency);
}

/* The largest whole batch up to the cap whose steady step meets the TPOT objective (the step grows
 * with the batch, so a bisection finds it). */
static void closed_form_capacity(estimate_report *r) {
  estimate_capacity *k = &r->cap;
  double tok, lo = 1, hi = floor(r->batch), in = r->o.in_tokens, out = r->o.out_tokens;
  *k = (estimate_capacity){0, NAN, 0, 0, NULL, false};
  if (r->ttft_s > r->slo_ttft_s) {
    k->limit = "the TTFT objective: the prefill of one mean prompt alone takes longer";
    return;
  }
  if (steady_step(r, 1, &tok) > r->slo_tpot_s) {
    k->limit = "the TPOT objective: a step of one sequence, its prefill mixed in, takes longer";
    return;
  }
  if (steady_step(r, hi, &tok) <= r->slo_tpot_s) lo = hi;
  while (hi - lo > 1) {
    double mid = floor((lo + hi) / 2);
    *(steady_step(r, mid, &tok) <= r->slo_tpot_s ? &lo : &hi) = mid;
  }
  k->step_s = steady_step(r, lo, &k->tok_s);
  k->host_bound = steady_host_bound(r, lo);
  k->batch = k->tok_s * k->step_s; /* the batch that decodes, after the token budget */
  k->req_s = k->tok_s / out;
  if (r->po.max_batched_tokens > 0 && r->po.max_batched_tokens / (1 + in / out) < lo)
    k->limit = "the token budget (max_num_batched_tokens: decodes plus the prefill that keeps the batch full)";
  else if (lo < floor(r->batch))
    k->limit = "the TPOT objective";
  else if (r->max_seqs < r->po.max_num_seqs)
    k->limit = "the KV cache";
  else
    k->limit = "the batch cap";
}

/* Everything after the deployment is bound: memory fit (and what would fit), speeds, capacity. */
static ss_status model(const hwdb *db, estimate_report *r, ss_err *err) {
  perf_memory_fit(&r->b, &r->po, &r->mem);
  r->weights_total_gb = perf_model_weight_bytes(r->b.model, r->b.weights) / 1e9;
  quant_compute_dtype(r->b.weights, r->b.gpu, &r->fp8_fallback);
  r->slo_ttft_s = r->o.slo_ttft_s, r->slo_tpot_s = r->o.slo_tpot_s;
  r->fits = r->mem.fits;
  if (!r->fits) {
    r->min_tp = perf_min_tp(&r->b, &r->po);
    search_formats(db, r);
    return SS_OK;
  }
  ss_status rc = perf_init(&r->ctx, &r->b, &r->po, err);
  if (rc) return rc;
  speeds(r);
  closed_form_capacity(r);
  bands(db, r);
  return SS_OK;
}

/* ---- cost ---- */

/* The utilisation rows and the API break-evens from usd_per_hour and cost_tok_s; rates (n of them, may
 * be NULL) are the scenario's arrival rates, rows after the standard utilisations. */
static void price_rows(estimate_report *r, const double *rates, size_t n, const api_price *const *apis, size_t n_apis) {
  double cap_req_s = r->cost_tok_s / r->o.out_tokens;
  r->n_util = 0;
  for (size_t i = 0; i < ESTIMATE_NUTIL + n && r->n_util < ESTIMATE_MAX_ROWS; i++) {
    estimate_util *u = &r->util[r->n_util++];
    u->scenario = i >= ESTIMATE_NUTIL;
    u->rate_req_s = u->scenario ? rates[i - ESTIMATE_NUTIL] : estimate_utilisations[i] * cap_req_s;
    u->utilisation = u->scenario ? (cap_req_s > 0 ? u->rate_req_s / cap_req_s : INFINITY) : estimate_utilisations[i];
    bool served = u->utilisation <= 1 && cap_req_s > 0;
    u->output_tok_s = served ? u->utilisation * r->cost_tok_s : NAN;
    u->usd_per_1m = served && r->priced ? cost_usd_per_1m(r->usd_per_hour, r->cost_tok_s, u->utilisation) : NAN;
  }
  for (size_t i = 0; r->priced && i < n_apis && r->n_api < ESTIMATE_MAX_API; i++) {
    estimate_api *a = &r->api[r->n_api++];
    a->id = apis[i]->id;
    a->api_usd_per_1m_out = cost_api_usd_per_1m_output(apis[i], r->o.in_tokens, r->o.out_tokens);
    a->breakeven_utilisation = cost_breakeven_utilisation(r->util[0].usd_per_1m, a->api_usd_per_1m_out);
  }
}

/* "hwdb on_demand: provider offering, date" for the row a price came from. */
static void row_source(char *buf, size_t len, const char *what, const gpu_price *row) {
  snprintf(buf, len, "%.40s: %.48s %.96s (row %.64s, %.16s)", what, row->provider, row->offering, row->id, row->date);
}

static void costs_from_flags(const hwdb *db, estimate_report *r) {
  double price = r->o.price_usd_per_gpu_h;
  const gpu_price *row = NULL;
  const api_price *apis[ESTIMATE_MAX_API];
  size_t n_apis = 0;
  ss_err ignored;
  r->replicas = floor((double)r->o.gpus / (r->o.tp * r->po.pp));
  r->gpus = r->o.gpus;
  r->cost_basis = isnan(r->o.tok_s) ? "the closed-form capacity at the SLO" : "--tok-s";
  r->cost_tok_s = isnan(r->o.tok_s) ? r->cap.tok_s * fmax(r->replicas, 1) : r->o.tok_s;
  r->priced = !isnan(price) || !cost_gpu_price(db, r->b.gpu->id, TIER_ON_DEMAND, NULL, &price, &row, &ignored);
  if (row)
    row_source(r->price_source, sizeof r->price_source, "hwdb on_demand", row);
  else
    snprintf(r->price_source, sizeof r->price_source, "--price");
  r->usd_per_gpu_hour = price, r->usd_per_hour = price * r->o.gpus;
  for (size_t i = 0; i < db->n[HWDB_API_PRICES] && n_apis < ESTIMATE_MAX_API; i++)
    apis[n_apis++] = hwdb_at(db, HWDB_API_PRICES, i);
  r->api_source = "every API in hwdb/prices";
  price_rows(r, NULL, 0, apis, n_apis);
}

ss_status estimate_run(const hwdb *db, const estimate_opts *o, estimate_report *r, ss_err *err) {
  ss_status rc;
  memset(r, 0, sizeof *r);
  r->o = *o;
  defaults(r);
  if ((rc = bind(db, &r->o, &r->b, err))) return rc;
  if (r->b.engine_beyond) {
    char tail[320], text[sizeof r->notes[0]];
    snprintf(text, sizeof text, "--engine '%.40s' %s", r->o.engine, engine_beyond_text(r->b.engine, tail, sizeof tail));
    note(r, text);
  }
  perf_opts_from_engine(r->b.engine, r->o.tp, 1, &r->po);
  snprintf(r->batch_source, sizeof r->batch_source, "%s", r->o.batch ? "--batch" : "the engine's max_num_seqs");
  if (r->o.batch) r->po.max_num_seqs = r->o.batch;
  r->o.batch = r->po.max_num_seqs;
  if ((rc = model(db, r, err)) || !r->fits) return rc;
  costs_from_flags(db, r);
  return SS_OK;
}

/* ---- from a scenario ---- */

/* The mean of an uncertain input's distribution (before clamping to the key's bounds). */
static double unc_mean(const sc_uncertain *u) {
  switch (u->dist) {
  case UNC_UNIFORM: return (u->min + u->max) / 2;
  case UNC_NORMAL: return u->mean;
  case UNC_LOGNORMAL: return u->median * exp(u->sigma * u->sigma / 2);
  default: return (u->min + u->mode + u->max) / 3; /* triangular */
  }
}

static void describe_lengths(char *buf, size_t len, const char *what, const sim_lengths *l) {
  static const char *const DIST[] = {"fixed", "uniform", "lognormal", "empirical"};
  size_t used = (size_t)snprintf(buf, len, "%s %s", what, DIST[l->dist]);
  if (l->dist == LEN_LOGNORMAL && used < len)
    used += (size_t)snprintf(buf + used, len - used, " median %g sigma %g", l->median, l->sigma);
  if (l->max && used < len) snprintf(buf + used, len - used, " max %u", l->max);
}

/* The point estimate answers: base values, a rate sweep's rates, uncertain inputs at their means. */
static ss_status scenario_point_at_means(const hwdb *db, const study_spec *spec, sc_point *pt, double *rates,
                                         size_t *n_rates, estimate_report *r, ss_err *err) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  char text[256], dist[160];
  ss_status rc;
  for (size_t i = 0; i < spec->n_axes; i++)
    if (strcmp(f[spec->axes[i].key].key, "workload.arrival.rate_per_s"))
      return ss_errorf(err, SS_EUSAGE,
                       "%s:%u: sweep over '%s': estimate answers one deployment and one request shape; allowed: a "
                       "sweep over workload.arrival.rate_per_s only (its rates become utilisation rows); pin the "
                       "key with --set %s=VALUE, or compare the points with servesim run or plan",
                       spec->file, spec->axes[i].line, f[spec->axes[i].key].key, f[spec->axes[i].key].key);
  *n_rates = 0;
  for (size_t p = scenario_points(spec); p-- > 0;) { /* ends at point 0, the one estimated */
    if ((rc = scenario_point(spec, p, db, pt, err))) return rc;
    if (capacity_defined(&pt->sim) && *n_rates < SC_MAX_AXIS_VALUES) rates[(*n_rates)++] = pt->sim.wl.rate_per_s;
  }
  for (size_t i = 0; i < *n_rates / 2; i++) { /* back into sweep order */
    double t = rates[i];
    rates[i] = rates[*n_rates - 1 - i], rates[*n_rates - 1 - i] = t;
  }
  for (size_t i = 0; i < spec->n_unc; i++) {
    const sc_uncertain *u = &spec->unc[i];
    scenario_apply_sample(pt, u, unc_mean(u));
    variation_format_uncertain(u, dist, sizeof dist);
    snprintf(text, sizeof text, "uncertain input %s %s at its mean, %g (run samples it per replicate)", f[u->key].key,
             dist, scenario_get(pt, u->key));
    note(r, text);
  }
  if (spec->n_unc && (rc = resolve_point(spec, pt, db, err))) return rc;
  if (pt->sim.dep.policy != POLICY_CONTINUOUS)
    return ss_errorf(err, SS_EUSAGE,
                     "%s: key 'deployment.scheduler.policy': estimate's closed form is continuous batching; allowed: "
                     "continuous (simulate %s with servesim run)",
                     spec->file, engine_policy_names[pt->sim.dep.policy]);
  return SS_OK;
}

static void scenario_shape(const sc_point *pt, estimate_report *r) {
  const sim_traffic *w = &pt->sim.wl;
  char in[96], out[96];
  wl_mean_lengths(w, &r->o.in_tokens, &r->o.out_tokens);
  if (w->process == ARR_TRACE) {
    snprintf(r->shape_source, sizeof r->shape_source, "the means of the trace's %zu rows", w->trace ? w->trace->n : 0);
    return;
  }
  describe_lengths(in, sizeof in, "input", &w->input);
  describe_lengths(out, sizeof out, "output", &w->output);
  snprintf(r->shape_source, sizeof r->shape_source, "the scenario's means (%s; %s)", in, out);
}

/* The scenario's bill: its price (cost_price) and TCO (cost_tco_at, with the board power modelled at
 * the capacity step), and its compare_api list (every API when it has none). Without a price the
 * report says why (price_source) and keeps the rest. */
static void costs_from_scenario(const hwdb *db, const sc_point *pt, const double *rates, size_t n_rates,
                                estimate_report *r) {
  double price;
  const gpu_price *row = NULL;
  const api_price *apis[ESTIMATE_MAX_API];
  size_t n_apis = 0;
  ss_err why = {{0}};
  r->replicas = pt->sim.dep.replicas;
  r->cost_basis = isnan(r->o.tok_s) ? "the closed-form capacity at the SLO" : "--tok-s";
  r->cost_tok_s = isnan(r->o.tok_s) ? r->cap.tok_s * r->replicas : r->o.tok_s;
  r->api_source = "every API in hwdb/prices (the scenario names none)";
  if (cost_price(db, pt->gpu, &pt->cost, pt->provider, &price, &row, &why)) { /* said, and the rest still shown */
    snprintf(r->price_source, sizeof r->price_source, "%.*s", (int)sizeof r->price_source - 1, why.msg);
    price_rows(r, rates, n_rates, NULL, 0);
    return;
  }
  if (row)
    row_source(r->price_source, sizeof r->price_source, pt->cost.onprem ? "capex amortised, hwdb purchase" : "hwdb",
               row);
  else
    snprintf(r->price_source, sizeof r->price_source, "%s",
             isnan(pt->cost.usd_per_gpu_hour) ? "pricing.capex_usd_per_gpu amortised" : "pricing.usd_per_gpu_hour");
  sim_result at_cap;
  result_clear(&at_cap);
  batch_shape bs;
  double step = r->cap.step_s;
  perf_steady_shape(&r->ctx, fmax(r->cap.batch, 1), r->o.in_tokens, r->o.out_tokens, &bs);
  at_cap.v[RM_gpu_power_w_mean] = isnan(step) ? NAN : perf_step_power_w(&r->ctx, &bs, step);
  cost_fleet fleet = costing_fleet(pt, &at_cap);
  cost_tco t;
  cost_tco_at(&pt->cost, &fleet, price, &t);
  r->priced = true, r->tco = true;
  r->gpus = t.gpus_serving + t.gpus_standby;
  r->usd_per_gpu_hour = price, r->usd_per_hour = t.usd_per_hour;
  for (size_t i = 0; i < pt->n_compare_api && n_apis < ESTIMATE_MAX_API; i++)
    if ((apis[n_apis] = hwdb_api(db, pt->compare_api[i]))) n_apis++;
  if (n_apis) r->api_source = "the scenario's compare_api";
  for (size_t i = 0; !pt->n_compare_api && i < db->n[HWDB_API_PRICES] && n_apis < ESTIMATE_MAX_API; i++)
    apis[n_apis++] = hwdb_at(db, HWDB_API_PRICES, i);
  price_rows(r, rates, n_rates, apis, n_apis);
}

ss_status estimate_scenario(const hwdb *db, const study_spec *spec, double tok_s, estimate_report *r, ss_err *err) {
  sc_point *pt = calloc(1, sizeof *pt);
  double rates[SC_MAX_AXIS_VALUES];
  size_t n_rates = 0;
  ss_status rc;
  memset(r, 0, sizeof *r);
  if (!pt) return ss_errorf(err, SS_ENOMEM, "out of memory for the scenario's point");
  if ((rc = scenario_point_at_means(db, spec, pt, rates, &n_rates, r, err))) goto fail;
  snprintf(r->scenario, sizeof r->scenario, "%s", spec->file);
  const sim_deployment *d = &pt->sim.dep;
  r->b = d->hw;
  r->o = (estimate_opts){.gpu = d->hw.gpu->id,
                         .model = d->hw.model->id,
                         .weights = d->hw.weights->id,
                         .kv = d->hw.kv->id,
                         .engine = d->hw.engine->id,
                         .tp = d->tp,
                         .batch = d->max_num_seqs,
                         .gpus = d->tp * d->replicas,
                         .price_usd_per_gpu_h = NAN,
                         .tok_s = tok_s,
                         .slo_ttft_s = pt->sim.slo_ttft_s,
                         .slo_tpot_s = pt->sim.slo_tpot_s};
  scenario_shape(pt, r);
  snprintf(r->batch_source, sizeof r->batch_source, "the scenario's deployment.scheduler.max_num_seqs");
  sim_config_perf_opts(&pt->sim, &r->po);
  if (d->replicas > 1)
    note(r, "capacity and cost scale linearly with deployment.replicas (pooling behind the router is not credited)");
  if (!capacity_defined(&pt->sim))
    note(r, "the arrival process has no rate to set against capacity (closed, offline or trace): the utilisation "
            "table has the standard rows only");
  if (!(rc = model(db, r, err)) && r->fits) costs_from_scenario(db, pt, rates, n_rates, r);
fail:
  free(pt);
  return rc;
}
