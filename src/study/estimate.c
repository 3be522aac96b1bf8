/* estimate.c: `servesim estimate`: one configuration through the memory fit, the step-time model and
 * the cost formulas, printed as a readable report (or JSON). When the weights do not fit, it searches
 * for the smallest change that does: more GPUs at this precision, or a smaller format at this tp. */
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

static ss_status bind(const hwdb *db, const estimate_opts *o, sc_bound *b, ss_err *err) {
  const void *p[5];
  ss_status rc;
  if ((rc = lookup(db, HWDB_GPUS, "gpu", o->gpu, &p[0], err)) || (rc = lookup(db, HWDB_MODELS, "model", o->model, &p[1], err)) ||
      (rc = lookup(db, HWDB_QUANT, "weights", o->weights, &p[2], err)) || (rc = lookup(db, HWDB_QUANT, "kv", o->kv, &p[3], err)) ||
      (rc = lookup(db, HWDB_ENGINES, "engine", o->engine, &p[4], err)))
    return rc;
  *b = (sc_bound){p[0], p[1], p[2], p[3], p[4]};
  if (!b->kv->kv_ok) return ss_errorf(err, SS_EUSAGE, "estimate: --kv '%s' is not a KV-cache format; allowed: fp16, bf16, fp8", o->kv);
  return SS_OK;
}

/* Formats with fewer bits than the current one that fit at this tp, most bits first. */
static void search_formats(const hwdb *db, estimate_report *r) {
  const quant_format *cand[ESTIMATE_MAX_FORMATS];
  size_t n = 0;
  for (size_t i = 0; i < db->n[HWDB_QUANT] && n < ESTIMATE_MAX_FORMATS; i++) {
    const quant_format *q = hwdb_at(db, HWDB_QUANT, i);
    sc_bound b = r->b;
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

static ss_status costs(const hwdb *db, estimate_report *r, ss_err *err) {
  double price = r->o.price_usd_per_gpu_h;
  const gpu_price *row = NULL;
  if (isnan(price)) {
    ss_err ignored;
    if (cost_gpu_price(db, r->b.gpu->id, TIER_ON_DEMAND, NULL, &price, &row, &ignored)) return SS_OK; /* unpriced */
    snprintf(r->price_source, sizeof r->price_source, "hwdb on-demand: %.48s %.96s, %.16s", row->provider, row->offering, row->date);
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
  return costs(db, r, err);
}

/* ---- printing ---- */

#define GB(x) ((x) / 1e9)

static void print_fit(FILE *f, const estimate_report *r) {
  const perf_memory *m = &r->mem;
  fprintf(f, "\nmemory per GPU (%s accounting, GB = 1e9 bytes)\n", r->b.engine->name);
  fprintf(f, "  GPU memory %.1f, budget %.1f (gpu_memory_utilization %.2f%s)\n", GB(m->total_bytes),
          GB(m->budget_bytes), r->po.gpu_memory_utilization, r->b.engine->memory_fraction_of_free ? " of what is left" : "");
  fprintf(f, "  weights %.1f (%.1f total / %u GPUs), activations %.1f, runtime reserve %.1f\n", GB(m->weight_bytes),
          r->weights_total_gb, r->o.tp, GB(m->activation_bytes), GB(m->reserve_bytes));
  if (!r->fits) {
    double need = GB(m->weight_bytes + m->activation_bytes + m->reserve_bytes);
    double avail = r->b.engine->memory_fraction_of_free ? GB(m->total_bytes) : GB(m->budget_bytes);
    fprintf(f, "\nDOES NOT FIT: needs %.1f GB per GPU before any KV cache, %.1f GB available per GPU\n", need, avail);
    if (r->min_tp) fprintf(f, "  smallest change, more GPUs: --tp %u (%s on %u x %s)\n", r->min_tp, r->b.weights->id,
                           r->min_tp, r->b.gpu->id);
    else fprintf(f, "  no tensor-parallel degree up to 64 fits %s weights\n", r->b.weights->id);
    if (r->n_fitting_formats) {
      fprintf(f, "  smallest change, lower precision at --tp %u: --weights %s", r->o.tp, r->fitting_formats[0]);
      for (size_t i = 1; i < r->n_fitting_formats; i++) fprintf(f, "%s%s", i == 1 ? " (also " : ", ", r->fitting_formats[i]);
      fprintf(f, "%s\n", r->n_fitting_formats > 1 ? ")" : "");
    } else {
      fprintf(f, "  no weight format in hwdb fits at --tp %u\n", r->o.tp);
    }
    return;
  }
  fprintf(f, "  KV cache %.1f GB = %llu tokens (%.0f KB per token per GPU, %s)\n", GB(m->kv_bytes),
          (unsigned long long)m->kv_tokens, m->kv_bytes_per_token / 1e3, r->b.kv->id);
  fprintf(f, "  concurrent sequences of %.0f + %.0f tokens: %.0f (engine cap %u)\n", r->o.in_tokens, r->o.out_tokens,
          r->max_seqs, r->po.max_num_seqs);
}

static void print_speed(FILE *f, const estimate_report *r) {
  const perf_ctx *c = &r->ctx;
  fprintf(f, "\nspeed (step-time model: per-operator roofline, calibrated efficiencies%s, overheads of %s)\n",
          r->b.engine->calibrated ? "" : " (engine NOT calibrated: placeholder overheads)", r->b.engine->id);
  fprintf(f, "  linears run in %s at %.0f%% of peak; weights stream at %.0f%% of %.0f GB/s", hw_dtype_names[c->compute_dtype],
          100 * c->eff_compute * c->kernel_efficiency, 100 * c->eff_weights * c->kernel_efficiency, r->b.gpu->mem_bw_gb_s);
  fprintf(f, "%s\n", c->weight_only ? " (weight-only: dequantised on the fly)" : "");
  if (r->fp8_fallback)
    fprintf(f, "  NOTE: %s has no %s tensor cores: %s weights run as W8A16 (dequantised to fp16, fp16 math)\n",
            r->b.gpu->id, hw_dtype_names[r->b.weights->compute_dtype], r->b.weights->id);
  if (r->o.tp > 1)
    fprintf(f, "  tensor parallel %u over %s (%.0f GB/s per direction)\n", r->o.tp, c->nvlink ? "NVLink" : "PCIe",
            c->link_bytes_per_s / 1e9);
  fprintf(f, "  batch 1: bandwidth bound %.1f tok/s (bandwidth / bytes read per token), modelled %.1f tok/s\n",
          r->bound_tok_s_b1, r->tok_s_b1);
  const char *cap = r->batch >= r->o.batch ? "" : r->max_seqs < r->po.max_num_seqs ? " (KV-limited)" : " (engine cap)";
  fprintf(f, "  batch %.0f%s: decode %.0f tok/s; with prefill mixed in (continuous batching, steady state) %.0f tok/s\n",
          r->batch, cap, r->decode_tok_s_batch, r->steady_tok_s);
  fprintf(f, "  prefill of %.0f tokens alone: %.0f tok/s, TTFT %.3f s (no queueing)\n", r->o.in_tokens,
          r->prefill_tok_s, r->ttft_s);
}

static void print_cost(FILE *f, const estimate_report *r) {
  if (!r->priced) {
    fprintf(f, "\ncost: no on-demand price for %s in hwdb/prices; pass --price USD_PER_GPU_HOUR\n", r->b.gpu->id);
    return;
  }
  fprintf(f, "\ncost: $%.3f/h (%u GPUs x $%.3f, %s) at %.0f output tok/s (%s)\n", r->usd_per_hour, r->o.gpus,
          r->usd_per_hour / r->o.gpus, r->price_source, r->cost_tok_s,
          isnan(r->o.tok_s) ? "modelled, steady state" : "--tok-s");
  fprintf(f, "  $/1M output tokens = hourly / (tok/s x 3600) x 1e6 / utilisation:\n   ");
  for (int u = 0; u < ESTIMATE_NUTIL; u++)
    fprintf(f, "  %3.0f%%: $%.3f", 100 * estimate_utilisations[u], r->usd_per_1m[u]);
  fprintf(f, "\n  break-even utilisation vs API ($/1M output incl. its input price at %.0f in / %.0f out):\n",
          r->o.in_tokens, r->o.out_tokens);
  for (size_t i = 0; i < r->n_api; i++) {
    const estimate_api *a = &r->api[i];
    fprintf(f, "    %-28s $%8.3f  ", a->id, a->api_usd_per_1m_out);
    if (a->breakeven_utilisation > 1) fprintf(f, "never (self-hosting costs %.1fx at 100%%)\n", a->breakeven_utilisation);
    else fprintf(f, "%.1f%%\n", 100 * a->breakeven_utilisation);
  }
}

void estimate_print(FILE *f, const estimate_report *r) {
  fprintf(f, "%s, %s weights, %s KV, on %u x %s, %s; in %.0f / out %.0f tokens, batch %u\n", r->b.model->id,
          r->b.weights->id, r->b.kv->id, r->o.tp, r->b.gpu->id, r->b.engine->id, r->o.in_tokens, r->o.out_tokens,
          r->o.batch);
  print_fit(f, r);
  if (!r->fits) return;
  print_speed(f, r);
  print_cost(f, r);
}

void estimate_print_json(FILE *f, const estimate_report *r) {
  const perf_memory *m = &r->mem;
  fprintf(f, "{\"gpu\": \"%s\", \"model\": \"%s\", \"weights\": \"%s\", \"kv\": \"%s\", \"engine\": \"%s\", \"tp\": %u, "
             "\"fits\": %s, \"fp8_fallback\": %s, \"weights_gb_per_gpu\": %.6g, \"needed_gb_per_gpu\": %.6g, "
             "\"kv_tokens\": %llu, \"min_tp\": %u",
          r->b.gpu->id, r->b.model->id, r->b.weights->id, r->b.kv->id, r->b.engine->id, r->o.tp, r->fits ? "true" : "false",
          r->fp8_fallback ? "true" : "false", GB(m->weight_bytes), GB(m->weight_bytes + m->activation_bytes + m->reserve_bytes),
          (unsigned long long)m->kv_tokens, r->min_tp);
  if (r->fits)
    fprintf(f, ", \"bound_tok_s_b1\": %.6g, \"tok_s_b1\": %.6g, \"batch\": %.0f, \"decode_tok_s_batch\": %.6g, "
               "\"steady_tok_s\": %.6g, \"prefill_tok_s\": %.6g, \"ttft_s\": %.6g",
            r->bound_tok_s_b1, r->tok_s_b1, r->batch, r->decode_tok_s_batch, r->steady_tok_s, r->prefill_tok_s, r->ttft_s);
  if (r->priced) {
    fprintf(f, ", \"usd_per_hour\": %.6g, \"cost_tok_s\": %.6g, \"usd_per_1m_out\": [", r->usd_per_hour, r->cost_tok_s);
    for (int u = 0; u < ESTIMATE_NUTIL; u++) fprintf(f, "%s%.6g", u ? ", " : "", r->usd_per_1m[u]);
    fprintf(f, "]");
  }
  fprintf(f, "}\n");
}
