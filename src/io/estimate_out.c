/* estimate_out.c: `servesim estimate` as a readable report or as JSON. Every section that depends on
 * the request shape or the batch names them in its own line. */
#include "io/estimate_out.h"

#include <math.h>

#include "io/json.h"

#define GB(x) ((x) / 1e9)

static void print_fit(FILE *f, const estimate_report *r) {
  const perf_memory *m = &r->mem;
  fprintf(f, "\nmemory per GPU (%s accounting, GB = 1e9 bytes)\n", r->b.engine->name);
  char driver[64] = "";
  if (!isnan(r->b.gpu->memory_mib))
    snprintf(driver, sizeof driver, " (%.0f MiB as the driver reports it)", r->b.gpu->memory_mib);
  fprintf(f, "  GPU memory %.1f%s, budget %.1f (gpu_memory_utilization %.2f%s)\n", GB(m->total_bytes), driver,
          GB(m->budget_bytes), r->po.gpu_memory_utilization,
          r->b.engine->memory_fraction_of_free ? " of what is left" : "");
  fprintf(f, "  weights %.1f (%.1f total / %u GPUs), activations %.1f, runtime reserve %.1f\n", GB(m->weight_bytes),
          r->weights_total_gb, r->o.tp, GB(m->activation_bytes), GB(m->reserve_bytes));
  if (!r->fits && r->po.kv_tokens && m->room_bytes > 0) {
    fprintf(f,
            "\nDOES NOT FIT: deployment.scheduler.kv_cache_tokens = %u needs %.1f GB per GPU of KV cache, %.1f GB "
            "per GPU are left beside weights, activations and runtime\n",
            r->po.kv_tokens, GB(m->kv_bytes), GB(m->room_bytes));
    return;
  }
  if (!r->fits) {
    double need = GB(m->weight_bytes + m->activation_bytes + m->reserve_bytes);
    double avail = r->b.engine->memory_fraction_of_free ? GB(m->total_bytes) : GB(m->budget_bytes);
    fprintf(f, "\nDOES NOT FIT: needs %.1f GB per GPU before any KV cache, %.1f GB available per GPU\n", need, avail);
    if (r->min_tp)
      fprintf(f, "  smallest change, more GPUs: --tp %u (%s on %u x %s)\n", r->min_tp, r->b.weights->id, r->min_tp,
              r->b.gpu->id);
    else
      fprintf(f, "  no tensor-parallel degree up to 64 fits %s weights\n", r->b.weights->id);
    if (r->n_fitting_formats) {
      fprintf(f, "  smallest change, lower precision at --tp %u: --weights %s", r->o.tp, r->fitting_formats[0]);
      for (size_t i = 1; i < r->n_fitting_formats; i++)
        fprintf(f, "%s%s", i == 1 ? " (also " : ", ", r->fitting_formats[i]);
      fprintf(f, "%s\n", r->n_fitting_formats > 1 ? ")" : "");
    } else {
      fprintf(f, "  no weight format in hwdb fits at --tp %u\n", r->o.tp);
    }
    return;
  }
  fprintf(f, "  KV cache %.1f GB = %llu tokens (%.0f KB per token per GPU, %s%s)\n", GB(m->kv_bytes),
          (unsigned long long)m->kv_tokens, m->kv_bytes_per_token / 1e3, r->b.kv->id,
          r->po.kv_tokens ? "; as set by deployment.scheduler.kv_cache_tokens" : "");
  fprintf(f, "  concurrent sequences of %.0f + %.0f tokens: %.0f (batch cap %u)\n", r->o.in_tokens, r->o.out_tokens,
          r->max_seqs, r->po.max_num_seqs);
  const model_spec *md = r->b.model;
  if (md->local_layers > 0) {
    char local[128];
    model_local_describe(md, local, sizeof local);
    fprintf(f,
            "  local attention: %s; their KV is counted whole (an engine that frees what falls outside holds more "
            "sequences beyond %.0f tokens)\n",
            local, md->local_window);
  }
}

/* "512 in / 256 out tokens": the request shape every figure after the header assumes. */
static const char *shape(const estimate_report *r, char *buf, size_t len) {
  snprintf(buf, len, "%.0f in / %.0f out tokens", r->o.in_tokens, r->o.out_tokens);
  return buf;
}

/* " [lo-hi]" for a predicted value, or "" without model-error rows. */
static void band(char *buf, size_t len, const estimate_report *r, const modelerr_band *b, double v, const char *fmt) {
  char lo[24], hi[24];
  buf[0] = '\0';
  if (!r->has_band) return;
  snprintf(lo, sizeof lo, fmt, v * b->lo);
  snprintf(hi, sizeof hi, fmt, v * b->hi);
  snprintf(buf, len, " [%s-%s]", lo, hi);
}

static void print_band_note(FILE *f, const estimate_report *r) {
  if (!r->has_band) {
    fprintf(f, "  (no error band: hwdb has no model_error.yaml)\n");
    return;
  }
  const modelerr_band *b = &r->band_tput;
  fprintf(f, "  [..] = 80%% band of the model's error on public measurements it was not fitted to (cross-validated by "
             "source, hwdb/model_error.yaml)");
  const char *unseen[3];
  int n = 0;
  if (b->unseen_gpu) unseen[n++] = "a GPU";
  if (b->unseen_engine)
    unseen[n++] = r->b.engine_beyond ? "an engine release (newer than its profile)" : "an engine profile";
  if (b->unseen_weights) unseen[n++] = "a weight format";
  for (int i = 0; i < n; i++)
    fprintf(f, "%s%s", i == 0 ? "; widened: EXTRAPOLATION to " : i == n - 1 ? " and " : ", ", unseen[i]);
  if (n) fprintf(f, " never calibrated");
  fprintf(f, "\n");
}

/* A rate the engine's host loop sets, not the GPU, says so where it is printed (perf_host_bound). */
static const char *host_bound_label(const estimate_report *r, bool host_bound, char *s, size_t n) {
  if (!host_bound) return "";
  snprintf(s, n, " (HOST-BOUND: %s's host loop, %.0f us a sampled token, sets this rate, not the GPU)", r->b.engine->id,
           r->ctx.ovh_token_s * r->ctx.host_share * 1e6);
  return s;
}

static void print_speed(FILE *f, const estimate_report *r) {
  const perf_ctx *c = &r->ctx;
  char sh[64];
  shape(r, sh, sizeof sh);
  fprintf(f,
          "\nspeed per replica (step-time model: per-operator roofline, calibrated efficiencies%s, overheads of %s)\n",
          r->b.engine->calibrated ? "" : " (engine NOT calibrated: placeholder overheads)", r->b.engine->id);
  bool xo = r->b.weights->experts_only;
  fprintf(f, "  %s run in %s at %.0f%% of peak; weights stream at %.0f%% of %.0f GB/s", xo ? "routed experts" : "linears",
          hw_dtype_names[c->compute_dtype], 100 * c->eff_compute * c->kernel_efficiency,
          100 * c->eff_weights * c->kernel_efficiency, r->b.gpu->mem_bw_gb_s);
  fprintf(f, "%s\n", c->weight_only ? " (weight-only: dequantised on the fly)" : "");
  if (xo)
    fprintf(f, "  %s holds the routed experts only: attention, router, embeddings and LM head stay 16-bit\n",
            r->b.weights->id);
  if (r->fp8_fallback)
    fprintf(f,
            "  NOTE: %s has no %s tensor cores: %s weights (%.3g bits each, as streamed) are dequantised and the "
            "GEMMs run in %s (weight-only)\n",
            r->b.gpu->id, hw_dtype_names[r->b.weights->compute_dtype], r->b.weights->id, r->b.weights->bits_per_weight,
            hw_dtype_names[c->compute_dtype]);
  if (r->o.tp > 1 && c->nodes > 1)
    fprintf(f,
            "  tensor parallel %u across %.0f nodes of %.0f GPUs: %s within a node, the network (%.0f GB/s per GPU, "
            "%.0f us a hop) between\n",
            r->o.tp, c->nodes, r->b.gpu->gpus_per_node, c->nvlink ? "NVLink" : "PCIe", r->b.gpu->internode_gb_s,
            r->b.gpu->internode_latency_s * 1e6);
  else if (r->o.tp > 1)
    fprintf(f, "  tensor parallel %u over %s (%.0f GB/s per direction)\n", r->o.tp, c->nvlink ? "NVLink" : "PCIe",
            c->link_bytes_per_s / 1e9);
  char b1[64], dec[64], steady[64], pre[64], ttft[64], hb[160];
  band(b1, sizeof b1, r, &r->band_tput, r->tok_s_b1, "%.1f");
  band(dec, sizeof dec, r, &r->band_tput, r->decode_tok_s_batch, "%.0f");
  band(steady, sizeof steady, r, &r->band_tput, r->steady_tok_s, "%.0f");
  band(pre, sizeof pre, r, &r->band_tput, r->prefill_tok_s, "%.0f");
  band(ttft, sizeof ttft, r, &r->band_latency, r->ttft_s, "%.3f");
  fprintf(f,
          "  batch 1, %s: bandwidth bound %.1f tok/s (bandwidth / bytes read per token at a %.0f-token context), "
          "modelled %.1f tok/s%s\n",
          sh, r->bound_tok_s_b1, r->o.in_tokens, r->tok_s_b1, b1);
  const char *cap = r->max_seqs < r->po.max_num_seqs ? "KV-limited" : r->batch_source;
  fprintf(f,
          "  batch %.0f (%s), %s: decode %.0f tok/s%s; with prefill mixed in (continuous batching, steady state) "
          "%.0f tok/s%s%s\n",
          r->batch, cap, sh, r->decode_tok_s_batch, dec, r->steady_tok_s, steady,
          host_bound_label(r, r->host_bound, hb, sizeof hb));
  fprintf(f, "  prefill of %.0f tokens alone: %.0f tok/s%s, TTFT %.3f s%s (no queueing)\n", r->o.in_tokens,
          r->prefill_tok_s, pre, r->ttft_s, ttft);
  print_band_note(f, r);
}

static void print_capacity(FILE *f, const estimate_report *r) {
  const estimate_capacity *k = &r->cap;
  char sh[64], hb[160];
  fprintf(f,
          "\ncapacity at the SLO, closed form at %s (steady-state continuous batching: the largest batch whose "
          "mean step meets the TPOT objective, one mean prompt's prefill alone within the TTFT objective; means "
          "and no queueing, so optimistic: `servesim run` finds capacity_req_s by simulation, p99 objectives, "
          "queueing and the length distributions, and is the one to size with)\n",
          shape(r, sh, sizeof sh));
  if (k->batch <= 0) {
    fprintf(f, "  none: the SLO is out of reach at this request shape, limited by %s\n", k->limit);
    return;
  }
  fprintf(f,
          "  batch %.0f per replica at %s, limited by %s: step %.4g s, %.0f output tok/s, %.3g req/s per replica%s\n",
          k->batch, sh, k->limit, k->step_s, k->tok_s, k->req_s, host_bound_label(r, k->host_bound, hb, sizeof hb));
}

static void print_util_table(FILE *f, const estimate_report *r) {
  char sh[64], c[3][32];
  fprintf(f,
          "  utilisation = arrival rate / capacity at the SLO (as in servesim run); $/1M output = $/hour / "
          "(capacity output tok/s x utilisation x 3600) x 1e6, idle time billed, at %s:\n",
          shape(r, sh, sizeof sh));
  fprintf(f, "    %11s %12s %13s %12s\n", "utilisation", "req/s", "output tok/s", "$/1M output");
  for (size_t i = 0; i < r->n_util; i++) {
    const estimate_util *u = &r->util[i];
    if (u->scenario && (i == 0 || !r->util[i - 1].scenario)) fprintf(f, "    the scenario's arrival rates:\n");
    snprintf(c[0], sizeof c[0], isfinite(u->utilisation) ? "%.1f%%" : "-", 100 * u->utilisation);
    snprintf(c[1], sizeof c[1], isnan(u->output_tok_s) ? "-" : "%.0f", u->output_tok_s);
    snprintf(c[2], sizeof c[2], isnan(u->usd_per_1m) ? "-" : "%.3f", u->usd_per_1m);
    fprintf(f, "    %11s %12.4g %13s %12s%s\n", c[0], u->rate_req_s, c[1], c[2],
            u->utilisation > 1 ? "  beyond capacity: the SLO is not met (closed form)" : "");
  }
}

static void print_cost(FILE *f, const estimate_report *r) {
  char sh[64];
  if (!r->priced && r->scenario[0]) {
    fprintf(f, "\ncost: not priced: %s\n", r->price_source);
    print_util_table(f, r);
    return;
  }
  if (!r->priced) {
    fprintf(f, "\ncost: no on-demand price for %s in hwdb/prices; pass --price USD_PER_GPU_HOUR\n", r->b.gpu->id);
    return;
  }
  fprintf(f, "\ncost: $%.3f/h: %.0f GPU%s x $%.3f/GPU-hour (%s)%s\n", r->usd_per_hour, r->gpus, r->gpus == 1 ? "" : "s",
          r->usd_per_gpu_hour, r->price_source,
          r->tco ? ", as the scenario's TCO (its ops, N+1 and on-prem keys; board power modelled at the capacity step)"
                 : "");
  fprintf(f, "  output tok/s at utilisation 1: %.0f at %s, from %s (x %.0f replica%s)\n", r->cost_tok_s,
          shape(r, sh, sizeof sh), r->cost_basis, fmax(r->replicas, 1), r->replicas > 1 ? "s" : "");
  print_util_table(f, r);
  fprintf(f, "  break-even utilisation vs API (%s; the API's $/1M output includes its input price at %s):\n",
          r->api_source, shape(r, sh, sizeof sh));
  for (size_t i = 0; i < r->n_api; i++) {
    const estimate_api *a = &r->api[i];
    fprintf(f, "    %-28s $%8.3f  ", a->id, a->api_usd_per_1m_out);
    if (isnan(a->breakeven_utilisation))
      fprintf(f, "-\n");
    else if (a->breakeven_utilisation > 1)
      fprintf(f, "never (self-hosting costs %.1fx at 100%%)\n", a->breakeven_utilisation);
    else
      fprintf(f, "%.1f%%\n", 100 * a->breakeven_utilisation);
  }
}

void estimate_out_text(FILE *f, const estimate_report *r) {
  char sh[64];
  fprintf(f, "%s, %s weights, %s KV, on %u x %s, %s%s%s\n", r->b.model->id, r->b.weights->id, r->b.kv->id, r->o.tp,
          r->b.gpu->id, r->b.engine->id, r->scenario[0] ? "; scenario " : "", r->scenario);
  fprintf(f, "request shape: %s (%s); batch cap %u (%s); SLO: TTFT <= %g s, TPOT <= %g s%s\n", shape(r, sh, sizeof sh),
          r->shape_source, r->o.batch, r->batch_source, r->slo_ttft_s, r->slo_tpot_s,
          r->scenario[0] ? "" : " (--slo-ttft, --slo-tpot)");
  for (size_t i = 0; i < r->n_notes; i++) fprintf(f, "note: %s\n", r->notes[i]);
  print_fit(f, r);
  if (!r->fits) return;
  print_speed(f, r);
  print_capacity(f, r);
  print_cost(f, r);
}

static void json_text(FILE *f, const char *key, const char *v) {
  fprintf(f, ", ");
  json_key(f, key, 1);
  json_str(f, v ? v : "");
}

void estimate_out_json(FILE *f, const estimate_report *r) {
  const perf_memory *m = &r->mem;
  fprintf(f,
          "{\"gpu\": \"%s\", \"model\": \"%s\", \"weights\": \"%s\", \"kv\": \"%s\", \"engine\": \"%s\", \"tp\": %u, "
          "\"fits\": %s, \"fp8_fallback\": %s, \"weights_gb_per_gpu\": %.6g, \"needed_gb_per_gpu\": %.6g, "
          "\"kv_tokens\": %llu, \"min_tp\": %u, \"in_tokens\": %.6g, \"out_tokens\": %.6g, \"batch_cap\": %u",
          r->b.gpu->id, r->b.model->id, r->b.weights->id, r->b.kv->id, r->b.engine->id, r->o.tp,
          r->fits ? "true" : "false", r->fp8_fallback ? "true" : "false", GB(m->weight_bytes),
          GB(m->weight_bytes + m->activation_bytes + m->reserve_bytes), (unsigned long long)m->kv_tokens, r->min_tp,
          r->o.in_tokens, r->o.out_tokens, r->o.batch);
  json_text(f, "scenario", r->scenario);
  json_text(f, "shape_source", r->shape_source);
  json_text(f, "batch_source", r->batch_source);
  fprintf(f, ", \"slo_ttft_s\": %.6g, \"slo_tpot_s\": %.6g, \"notes\": [", r->slo_ttft_s, r->slo_tpot_s);
  for (size_t i = 0; i < r->n_notes; i++) fprintf(f, "%s", i ? ", " : ""), json_str(f, r->notes[i]);
  fprintf(f, "]");
  if (r->fits) {
    fprintf(f,
            ", \"bound_tok_s_b1\": %.6g, \"tok_s_b1\": %.6g, \"batch\": %.0f, \"decode_tok_s_batch\": %.6g, "
            "\"steady_tok_s\": %.6g, \"prefill_tok_s\": %.6g, \"ttft_s\": %.6g, \"capacity\": {\"method\": "
            "\"closed form\", \"batch\": %.6g, \"output_tok_s\": %.6g, \"req_s\": %.6g",
            r->bound_tok_s_b1, r->tok_s_b1, r->batch, r->decode_tok_s_batch, r->steady_tok_s, r->prefill_tok_s,
            r->ttft_s, r->cap.batch, r->cap.tok_s, r->cap.req_s);
    json_key(f, "step_s", 0), json_num(f, r->cap.step_s);
    json_text(f, "limit", r->cap.limit);
    fprintf(f, ", \"host_bound\": %s}, \"host_bound\": %s", r->cap.host_bound ? "true" : "false",
            r->host_bound ? "true" : "false");
  }
  if (r->fits && r->has_band) /* multipliers on the predictions: the 80% band of the model's own error */
    fprintf(f,
            ", \"band80_throughput\": [%.6g, %.6g], \"band80_latency\": [%.6g, %.6g], \"extrapolation\": {\"gpu\": %s, "
            "\"engine\": %s, \"weights\": %s}",
            r->band_tput.lo, r->band_tput.hi, r->band_latency.lo, r->band_latency.hi,
            r->band_tput.unseen_gpu ? "true" : "false", r->band_tput.unseen_engine ? "true" : "false",
            r->band_tput.unseen_weights ? "true" : "false");
  if (r->priced) {
    fprintf(f, ", \"usd_per_hour\": %.6g, \"gpus\": %.6g, \"cost_tok_s\": %.6g", r->usd_per_hour, r->gpus,
            r->cost_tok_s);
    json_text(f, "price_source", r->price_source);
    json_text(f, "cost_basis", r->cost_basis);
    fprintf(f, ", \"utilisation\": [");
    for (size_t i = 0; i < r->n_util; i++) {
      const estimate_util *u = &r->util[i];
      fprintf(f, "%s{", i ? ", " : "");
      json_key(f, "utilisation", 1), json_num(f, u->utilisation);
      json_key(f, "rate_req_s", 0), json_num(f, u->rate_req_s);
      json_key(f, "output_tok_s", 0), json_num(f, u->output_tok_s);
      json_key(f, "usd_per_1m_output", 0), json_num(f, u->usd_per_1m);
      fprintf(f, ", \"scenario\": %s}", u->scenario ? "true" : "false");
    }
    fprintf(f, "], \"api\": [");
    for (size_t i = 0; i < r->n_api; i++) {
      fprintf(f, "%s{", i ? ", " : "");
      json_key(f, "id", 1), json_str(f, r->api[i].id);
      json_key(f, "api_usd_per_1m_output", 0), json_num(f, r->api[i].api_usd_per_1m_out);
      json_key(f, "breakeven_utilisation", 0), json_num(f, r->api[i].breakeven_utilisation);
      fprintf(f, "}");
    }
    fprintf(f, "]");
  }
  fprintf(f, "}\n");
}
