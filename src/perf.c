/* perf.c: roofline per step with efficiencies and engine overheads, and the memory fit.
 * Time = max(FLOPs / (peak x eff_compute(T)), bytes / (bandwidth x eff_mem)) + all-reduce + overheads. */
#include "servesim/perf.h"

#include <math.h>
#include <stdio.h>

/* Defaults until calibration (issue 4) fits them; physical, not per-row. */
#define DEFAULT_EFF_MEM 0.80
#define DEFAULT_EFF_COMPUTE 0.60
#define DEFAULT_T_HALF 64.0        /* tokens at which GEMM efficiency reaches half its maximum */
#define ALLREDUCE_LATENCY_S 10e-6

void perf_opts_from_scenario(const scenario *sc, perf_opts *o) {
  o->tp = sc->dep.tp;
  o->pp = 1;
  o->gpu_memory_utilization = sc->dep.gpu_memory_utilization;
  o->block_size = sc->dep.block_size;
  o->max_num_seqs = sc->dep.max_num_seqs;
  o->max_batched_tokens = sc->dep.max_batched_tokens;
  o->eff_hbm = sc->eff_hbm;
  o->eff_compute = sc->eff_compute;
  o->overhead_step_s = sc->overhead_step_s;
}

static double kv_heads_per_gpu(const model_spec *m, double tp) {
  double h = m->kv_heads / tp;
  return h < 1 ? 1 : h; /* KV heads are replicated when tp exceeds them */
}

void perf_memory_fit(const sc_bound *b, const perf_opts *o, perf_memory *m) {
  const model_spec *md = b->model;
  double tp = o->tp, shards = o->tp * (o->pp ? o->pp : 1);
  m->total_bytes = hw_mem_bytes(b->gpu);
  m->budget_bytes = o->gpu_memory_utilization * m->total_bytes;
  m->weight_bytes = model_params_total(md) * quant_bytes_per_weight(b->weights) / shards;
  /* activation peak of a profiling forward pass at the token budget, plus the sampler's logits */
  m->activation_bytes = o->max_batched_tokens * (4 * md->hidden + 2 * md->ffn / tp) * 2.0 +
                        (double)o->max_num_seqs * md->vocab * 4.0;
  m->reserve_bytes = b->engine->runtime_reserve_gb * 1e9;
  m->kv_bytes = m->budget_bytes - m->weight_bytes - m->activation_bytes - m->reserve_bytes;
  m->kv_bytes_per_token = 2 * md->layers / (o->pp ? o->pp : 1) * kv_heads_per_gpu(md, tp) * md->head_dim *
                          quant_bytes_per_weight(b->kv);
  m->fits = m->kv_bytes > m->kv_bytes_per_token * o->block_size;
  m->kv_blocks = m->fits ? (uint64_t)floor(m->kv_bytes / (m->kv_bytes_per_token * o->block_size)) : 0;
  m->kv_tokens = m->kv_blocks * o->block_size;
}

ss_status perf_init(perf_ctx *c, const sc_bound *b, const perf_opts *o, ss_err *err) {
  const model_spec *md = b->model;
  const hw_gpu *g = b->gpu;
  double tp = o->tp, wb = quant_bytes_per_weight(b->weights);
  *c = (perf_ctx){0};
  perf_memory_fit(b, o, &c->mem);
  if (!c->mem.fits) {
    double need = (c->mem.weight_bytes + c->mem.activation_bytes + c->mem.reserve_bytes) / 1e9;
    return ss_errorf(err, SS_EDATA,
                     "%s (%s weights) does not fit on %u x %s: needs %.1f GB per GPU for weights, activations "
                     "and runtime before any KV cache, %.1f GB available (%.2f x %.0f GB); use more GPUs (tp) or "
                     "a smaller weight format",
                     md->id, b->weights->id, o->tp, g->id, need, c->mem.budget_bytes / 1e9,
                     o->gpu_memory_utilization, g->memory_gb);
  }
  double expert = model_expert_params(md);
  c->moe_layers = model_moe_layers(md);
  c->experts = md->experts;
  c->experts_per_token = md->experts_per_token;
  c->w_bytes_expert = expert * wb / tp;
  c->w_bytes_dense = (model_params_total(md) - md->vocab * md->hidden - c->moe_layers * md->experts * expert) * wb / tp;
  c->flops_per_token = 2 * (model_params_active(md) - md->vocab * md->hidden) / tp;
  c->attn_flops_coef = 4 * md->heads / tp * md->head_dim * md->layers;
  c->kv_bytes_per_token = c->mem.kv_bytes_per_token;
  c->act_bytes_per_token = 2 * md->hidden * 2.0 * md->layers;
  bool fb;
  c->compute_dtype = quant_compute_dtype(b->weights, g, &fb);
  c->fp8_fallback = fb;
  c->bw = hw_bw_bytes_per_s(g);
  c->eff_mem = isnan(o->eff_hbm) ? DEFAULT_EFF_MEM : o->eff_hbm;
  c->peak_flops = hw_peak_flops(g, (hw_dtype)c->compute_dtype);
  c->eff_compute = isnan(o->eff_compute) ? DEFAULT_EFF_COMPUTE : o->eff_compute;
  c->t_half = DEFAULT_T_HALF;
  c->link_bw = hw_link_bytes_per_s(g, &c->nvlink);
  c->comm_calls = o->tp > 1 ? 2 * md->layers : 0;
  c->comm_bytes_per_token = o->tp > 1 ? md->hidden * 2.0 * 2 * (tp - 1) / tp : 0;
  c->comm_latency_s = ALLREDUCE_LATENCY_S;
  const engine_profile *e = b->engine;
  c->ovh_step = isnan(o->overhead_step_s) ? e->overhead_step_s : o->overhead_step_s;
  c->ovh_layer_total = e->overhead_layer_s * md->layers;
  c->ovh_request = e->overhead_request_s;
  c->ovh_token = e->overhead_token_s;
  c->pp = o->pp ? o->pp : 1;
  return SS_OK;
}

static double weight_bytes(const perf_ctx *c, double tokens) {
  double w = c->w_bytes_dense;
  if (c->moe_layers > 0 && tokens > 0) {
    /* expected distinct experts hit by `tokens` tokens under uniform routing */
    double hit = c->experts * (1 - pow(1 - c->experts_per_token / c->experts, tokens));
    w += c->moe_layers * hit * c->w_bytes_expert;
  }
  return w;
}

double perf_bandwidth_bound(const perf_ctx *c, const batch_shape *bs) {
  double tokens = bs->n_decode + bs->prefill_tokens;
  return (weight_bytes(c, tokens) + bs->decode_ctx * c->kv_bytes_per_token) / c->bw;
}

double perf_step_time(const perf_ctx *c, const batch_shape *bs) {
  double T = bs->n_decode + bs->prefill_tokens;
  if (T <= 0) return 0;
  double flops = T * c->flops_per_token + c->attn_flops_coef * (bs->decode_ctx + bs->prefill_attn);
  double bytes = weight_bytes(c, T) + (bs->decode_ctx + bs->prefill_tokens) * c->kv_bytes_per_token +
                 T * c->act_bytes_per_token;
  double eff_c = c->eff_compute * T / (T + c->t_half);
  double t = fmax(flops / (c->peak_flops * eff_c), bytes / (c->bw * c->eff_mem));
  t += c->comm_calls * (c->comm_latency_s + T * c->comm_bytes_per_token / c->link_bw);
  t += c->ovh_step + c->ovh_layer_total + (bs->n_decode + bs->n_prefill) * c->ovh_request + bs->n_sampled * c->ovh_token;
  return t;
}
