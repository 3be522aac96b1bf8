/* estimate.c: `servesim estimate`: one configuration through the memory fit, the step-time model and
 * the cost formulas, into an estimate_report (io/estimate_out prints it). When the weights do not fit, it
 * searches for the smallest change that does: more GPUs at this precision, or a smaller format at this tp. */
#include "study/estimate.h"

#include <math.h>
#include <string.h>

#include "physics/cost.h"

const double estimate_utilisations[ESTIMATE_NUTIL] = {1.0, 0.5, 0.2, 0.05};

static void defaults(estimate_opts *o) {
  if (!o->weights) o->weights = "fp16";
  if (!o->kv) o->kv = "fp16";
  if (!o->engine) o->engine = "vllm";
  if (!o->tp) o->tp = 1;
  if (!o->batch) o->batch = 32;
  if (!o->gpus) o->gpus = o->tp;
  if (!(o->in_tokens > 0)) o->in_tokens = 512;
  if (!(o->out_tokens > 0)) o->out_tokens = 256;
}

static ss_status lookup(const hwdb *db, hwdb_cat cat, const char *what, const char *name, const void **out,
                        ss_err *err) {
  char ids[2048];
  if (!name) return ss_errorf(err, SS_EUSAGE, "estimate: --%s is required", what);
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
  *b = (hwdb_bound){p[0], p[1], p[2], p[3], p[4]};
  if (!b->kv->kv_ok)
    return ss_errorf(err, SS_EUSAGE, "estimate: --kv '%s' is not a KV-cache format; allowed: fp16, bf16, fp8", o->kv);
  return SS_OK;
}

/* Formats with fewer bits than the current one that fit at this tp, most bits first. */
static void search_formats(const hwdb *db, estimate_report *r) {
  const quant_format *cand[ESTIMATE_MAX_FORMATS];
  size_t n = 0;
  for (size_t i = 0; i < db->n[HWDB_QUANT] && n < ESTIMATE_MAX_FORMATS; i++) {
    const quant_format *q = hwdb_at(db, HWDB_QUANT, i);
    hwdb_bound b = r->b;
    perf_memory m;
    if (q->bits_per_weight >= r->b.weights->bits_per_weight) continue;
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

static void speeds(estimate_report *r) {
  const perf_ctx *c = &r->ctx;
  double in = r->o.in_tokens, out = r->o.out_tokens;
  batch_shape one = {.n_decode = 1, .decode_ctx = in, .n_sampled = 1};
  r->bound_tok_s_b1 = 1 / perf_bandwidth_bound(c, &one);
  r->tok_s_b1 = out / perf_decode_time(c, 1, in, out);
  r->max_seqs = perf_max_batch(c, in, out);
  r->batch = fmax(1, fmin(r->o.batch, r->max_seqs));
  r->decode_tok_s_batch = r->batch * out / perf_decode_time(c, r->batch, in, out);
  r->steady_tok_s = perf_steady_tok_s(c, r->batch, in, out, NULL);
  double t_pre = perf_prefill_time(c, in);
  r->prefill_tok_s = in / t_pre;
  r->ttft_s = t_pre;
}

/* The model's cross-validated error for this configuration (widened where it is extrapolation). */
static void bands(const hwdb *db, estimate_report *r) {
  const model_error *t = hwdb_model_error(db, "throughput"), *l = hwdb_model_error(db, "latency");
  if (!t || !l) return;
  r->has_band = true;
  modelerr_band_of(t, r->b.gpu->id, r->b.engine->id, r->b.weights->id, &r->band_tput);
  modelerr_band_of(l, r->b.gpu->id, r->b.engine->id, r->b.weights->id, &r->band_latency);
}

static ss_status costs(const hwdb *db, estimate_report *r, ss_err *err) {
  double price = r->o.price_usd_per_gpu_h;
  const gpu_price *row = NULL;
  if (isnan(price)) {
    ss_err ignored;
    if (cost_gpu_price(db, r->b.gpu->id, TIER_ON_DEMAND, NULL, &price, &row, &ignored)) return SS_OK; /* unpriced */
    snprintf(r->price_source, sizeof r->price_source, "hwdb on-demand: %.48s %.96s, %.16s", row->provider,
             row->offering, row->date);
  } else {
    snprintf(r->price_source, sizeof r->price_source, "--price");
  }
  r->priced = true;
  r->replicas = floor((double)r->o.gpus / (r->o.tp * r->po.pp));
  r->usd_per_hour = price * r->o.gpus;
  r->cost_tok_s = isnan(r->o.tok_s) ? r->steady_tok_s * fmax(r->replicas, 1) : r->o.tok_s;
  for (int u = 0; u < ESTIMATE_NUTIL; u++)
    r->usd_per_1m[u] = cost_usd_per_1m(r->usd_per_hour, r->cost_tok_s, estimate_utilisations[u]);
  for (size_t i = 0; i < db->n[HWDB_API_PRICES] && r->n_api < ESTIMATE_MAX_API; i++) {
    const api_price *p = hwdb_at(db, HWDB_API_PRICES, i);
    estimate_api *a = &r->api[r->n_api++];
    a->id = p->id;
    a->api_usd_per_1m_out = cost_api_usd(p, r->o.in_tokens, r->o.out_tokens) / r->o.out_tokens * 1e6;
    a->breakeven_utilisation = cost_breakeven_utilisation(r->usd_per_1m[0], a->api_usd_per_1m_out);
  }
  (void)err;
  return SS_OK;
}

ss_status estimate_run(const hwdb *db, const estimate_opts *o, estimate_report *r, ss_err *err) {
  ss_status rc;
  memset(r, 0, sizeof *r);
  r->o = *o;
  defaults(&r->o);
  if ((rc = bind(db, &r->o, &r->b, err))) return rc;
  perf_opts_from_engine(r->b.engine, r->o.tp, 1, &r->po);
  perf_memory_fit(&r->b, &r->po, &r->mem);
  r->weights_total_gb = model_params_total(r->b.model) * quant_bytes_per_weight(r->b.weights) / 1e9;
  quant_compute_dtype(r->b.weights, r->b.gpu, &r->fp8_fallback);
  r->fits = r->mem.fits;
  if (!r->fits) {
    r->min_tp = perf_min_tp(&r->b, &r->po);
    search_formats(db, r);
    return SS_OK;
  }
  if ((rc = perf_init(&r->ctx, &r->b, &r->po, err))) return rc;
  speeds(r);
  bands(db, r);
  return costs(db, r, err);
}
