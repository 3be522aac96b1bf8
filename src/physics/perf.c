/* perf.c: the step-time model (docs/perf.md) and the vLLM-style memory fit.
 * A step is a sum over operators (dense linears, routed experts, LM head, KV write, decode and prefill
 * attention) of max(math time, memory time), plus tensor-parallel all-reduces, pipeline hops and the
 * engine's overheads. perf_init folds every constant into per-unit coefficients; perf_step_time is a
 * few multiply-adds. Invariant: no efficiency exceeds 1, so a step never beats the bandwidth bound. */
#include "physics/perf.h"

#include <math.h>
#include <stdio.h>

void perf_opts_from_engine(const engine_profile *e, uint32_t tp, uint32_t pp, perf_opts *o) {
  *o = (perf_opts){.tp = tp ? tp : 1,
                   .pp = pp ? pp : 1,
                   .gpu_memory_utilization = e->gpu_memory_utilization,
                   .block_size = (uint32_t)e->block_size,
                   .max_num_seqs = (uint32_t)e->max_num_seqs,
                   .max_batched_tokens = (uint32_t)e->max_batched_tokens,
                   .eff_hbm = NAN,
                   .eff_compute = NAN,
                   .overhead_step_s = NAN,
                   .overhead_token_s = NAN,
                   .num_scheduler_steps = (uint32_t)e->num_scheduler_steps,
                   .cuda_graph_max_batch = (uint32_t)e->cuda_graph_max_batch};
}

static double kv_heads_per_gpu(const model_spec *m, double tp) {
  double h = m->kv_heads / tp;
  return h < 1 ? 1 : h; /* KV heads are replicated when tp exceeds them */
}

/* Attention data parallel: every tp rank holds the attention weights whole (its own requests' attention runs
 * on it alone), not 1/tp of them: the parameters each GPU holds beyond tensor parallelism's share. */
static double adp_extra_params(const model_spec *md, const perf_opts *o, double tp) {
  return o->attention_dp && tp > 1 ? model_attn_params(md) * md->layers * (1 - 1 / tp) : 0;
}

double perf_model_weight_bytes(const model_spec *m, const quant_format *q) {
  double routed = model_routed_params(m);
  return (model_params_total(m) - routed) * quant_dense_bytes_per_weight(q) + routed * quant_bytes_per_weight(q);
}

void perf_memory_fit(const hwdb_bound *b, const perf_opts *o, perf_memory *m) {
  const model_spec *md = b->model;
  double tp = o->tp, pp = o->pp ? o->pp : 1;
  m->total_bytes = hw_mem_bytes(b->gpu);
  m->budget_bytes = o->gpu_memory_utilization * m->total_bytes;
  m->weight_bytes = (perf_model_weight_bytes(md, b->weights) / tp +
                     adp_extra_params(md, o, tp) * quant_dense_bytes_per_weight(b->weights)) / pp;
  /* activation peak of a profiling forward pass at the token budget, plus the sampler's logits */
  m->activation_bytes =
      o->max_batched_tokens * (4 * md->hidden + 2 * md->ffn / tp) * 2.0 + (double)o->max_num_seqs * md->vocab * 4.0;
  m->reserve_bytes = b->engine->runtime_reserve_gb * 1e9;
  m->room_bytes = m->total_bytes - m->weight_bytes - m->activation_bytes - m->reserve_bytes;
  m->kv_bytes = m->budget_bytes - m->weight_bytes - m->activation_bytes - m->reserve_bytes;
  if (b->engine->memory_fraction_of_free) { /* TRT-LLM, TGI: the fraction applies to what is left */
    m->budget_bytes = m->total_bytes;
    m->kv_bytes = o->gpu_memory_utilization * m->room_bytes;
  }
  m->kv_bytes_per_token = 2 * md->layers / pp * kv_heads_per_gpu(md, tp) * md->head_dim * quant_bytes_per_weight(b->kv);
  double block_bytes = m->kv_bytes_per_token * o->block_size;
  if (o->kv_tokens) { /* the capacity the engine was told, in whole blocks, if the memory beside the rest holds it */
    uint64_t blocks = o->kv_tokens / o->block_size ? o->kv_tokens / o->block_size : 1;
    m->kv_bytes = (double)blocks * block_bytes;
    m->fits = m->room_bytes > 0 && m->kv_bytes <= m->room_bytes;
    m->kv_blocks = m->fits ? blocks : 0;
  } else {
    m->fits = m->kv_bytes > block_bytes;
    m->kv_blocks = m->fits ? (uint64_t)floor(m->kv_bytes / block_bytes) : 0;
  }
  m->kv_tokens = m->kv_blocks * o->block_size;
}

uint32_t perf_min_tp(const hwdb_bound *b, const perf_opts *o) {
  for (uint32_t tp = 1; tp <= 64; tp *= 2) {
    perf_opts t = *o;
    perf_memory m;
    t.tp = tp;
    perf_memory_fit(b, &t, &m);
    if (m.fits) return tp;
  }
  return 0;
}

static bool is_16bit(hw_dtype d) { return d == DT_FP16 || d == DT_BF16; }

/* Efficiencies as used: the engine profile's, or the scenario's overrides (efficiency.hbm scales the
 * KV-read efficiency by the same factor; efficiency.compute replaces that of the linears' dtype). */
static void efficiencies(perf_ctx *c, const engine_profile *e, const hw_gpu *g, const perf_opts *o) {
  double eff_c_dtype = is_16bit((hw_dtype)c->compute_dtype) ? e->eff_compute_16 : e->eff_compute_8;
  c->eff_weights = isnan(o->eff_hbm) ? fmin(1.0, e->eff_weights * g->eff_scale_bw) : o->eff_hbm;
  c->eff_kv = fmin(1.0, e->eff_kv * c->eff_weights / e->eff_weights);
  c->eff_compute = isnan(o->eff_compute) ? fmin(1.0, eff_c_dtype * g->eff_scale_compute) : o->eff_compute;
  c->eff_attn = fmin(1.0, e->eff_compute_16 * g->eff_scale_compute);
}

/* Weight streaming at the reached bandwidth through kernels of this efficiency, or the engine's ceiling. */
static double stream_rate(const perf_ctx *c, const engine_profile *e, double kernel_efficiency) {
  double bw = c->bw * c->eff_weights * kernel_efficiency, cap = e->weight_stream_cap_gb_s * 1e9;
  return cap > 0 && cap < bw ? cap : bw; /* the engine's kernels, not the memory, set the rate */
}

static void fill_compute(perf_ctx *c, const hwdb_bound *b, const perf_opts *o, double tp) {
  const model_spec *md = b->model;
  const hw_gpu *g = b->gpu;
  double wb = quant_bytes_per_weight(b->weights), wd = quant_dense_bytes_per_weight(b->weights);
  double expert = model_expert_params(md), embed = model_embed_params(md);
  double bw_w = stream_rate(c, b->engine, c->kernel_efficiency);                /* the format's weights */
  double flops_lin = c->peak_flops * c->eff_compute * c->kernel_efficiency;      /* its linears at large T */
  double flops_16 = hw_peak_flops(g, DT_FP16) * c->eff_attn;                     /* attention math */
  /* an experts-only format leaves the other linears 16-bit: plain reads, the 16-bit peak (or the override) */
  bool xo = b->weights->experts_only;
  double bw_d = xo ? stream_rate(c, b->engine, 1) : bw_w;
  double flops_d = xo ? hw_peak_flops(g, DT_FP16) * (isnan(o->eff_compute) ? c->eff_attn : o->eff_compute) : flops_lin;
  c->moe_layers = model_moe_layers(md);
  c->experts = md->experts;
  c->experts_per_token = md->experts_per_token;
  c->log_miss = c->moe_layers > 0 ? log1p(-md->experts_per_token / md->experts) : 0;
  c->w_dense_bytes =
      ((model_params_total(md) - embed - model_routed_params(md)) / tp + adp_extra_params(md, o, tp)) * wd;
  c->w_expert_bytes = c->moe_layers * expert * wb / tp;
  c->w_head_bytes = md->vocab * md->hidden * wd / tp;
  c->lin_mem_s = c->w_dense_bytes / bw_d;
  c->lin_flop_s =
      2 * (model_params_active(md) - embed - c->moe_layers * md->experts_per_token * expert) / tp / flops_d;
  c->expert_mem_s = c->w_expert_bytes / bw_w;
  c->expert_flop_s = 2 * expert * c->moe_layers / tp / flops_lin;
  /* a routed token's 16-bit activations through the expert kernels: the up GEMM reads its hidden vector (one
   * copy per expert it goes to), the down GEMM writes one, the weighted sum reads it back (3 x hidden); the
   * intermediate is written by the up GEMM, read and written by the activation, read by the down GEMM (5 x the
   * expert width, split over tp unless experts are whole on their GPUs, which take 1/tp of the routed tokens) */
  double act_bytes = o->expert_parallel ? 2 * (3 * md->hidden + 5 * md->expert_ffn) / tp
                                        : 2 * (3 * md->hidden + 5 * md->expert_ffn / tp);
  c->moe_act_s = act_bytes * c->moe_layers / (c->bw * c->eff_weights);
  c->moe_block_m = b->engine->moe_block_m;
  c->head_mem_s = c->w_head_bytes / bw_d;
  c->head_flop_s = 2 * md->vocab * md->hidden / tp / flops_d;
  /* attention covers all layers (pipeline stages run one after another); local-attention layers read
   * and compute over their window only (their KV is still held whole: perf_memory_fit) */
  double global = md->layers - md->local_layers, local = md->local_layers;
  double kvh = kv_heads_per_gpu(md, tp), kvb = quant_bytes_per_weight(b->kv);
  c->kv_bytes_per_token = 2 * md->layers * kvh * md->head_dim * kvb;
  c->kv_read_bytes = 2 * global * kvh * md->head_dim * kvb;
  c->kv_read_local_bytes = 2 * local * kvh * md->head_dim * kvb;
  /* attention FLOP per cached token read (decode) and per unit of prefill_attn: the same count */
  c->flop_attn_ctx = c->flop_attn_prefill = 4 * md->heads / tp * md->head_dim * global;
  c->flop_attn_local = 4 * md->heads / tp * md->head_dim * local;
  c->kv_write_s = c->kv_bytes_per_token / (c->bw * c->eff_weights);
  c->decode_attn_s = fmax(c->kv_read_bytes / (c->bw * c->eff_kv), c->flop_attn_ctx / flops_16);
  c->prefill_attn_s = c->flop_attn_prefill / flops_16;
  c->decode_attn_local_s = fmax(c->kv_read_local_bytes / (c->bw * c->eff_kv), c->flop_attn_local / flops_16);
  c->prefill_attn_local_s = c->flop_attn_local / flops_16;
  c->local_kind = md->local_attention;
  c->local_window = local > 0 ? md->local_window : 0;
}

/* FLOP coefficients at the datasheet peaks (attention's are fill_compute's), and the GPU's power coefficients. */
static void fill_power(perf_ctx *c, const hwdb_bound *b, const perf_opts *o, double tp) {
  const model_spec *md = b->model;
  double expert = model_expert_params(md), embed = model_embed_params(md);
  double scale = o->power_scale > 0 ? o->power_scale : 1.0;
  c->flop_lin_tok = 2 * (model_params_active(md) - embed - c->moe_layers * md->experts_per_token * expert) / tp;
  c->flop_expert_tok = 2 * expert * c->moe_layers / tp * md->experts_per_token;
  c->flop_head_tok = 2 * md->vocab * md->hidden / tp;
  c->peak_16 = hw_peak_flops(b->gpu, DT_FP16);
  hw_power_model(b->gpu, &c->power);
  c->power.idle_w *= scale, c->power.memory_w *= scale, c->power.compute_w *= scale, c->power.max_w *= scale;
}

static void fill_comm(perf_ctx *c, const hwdb_bound *b, const perf_opts *o, double tp, double pp) {
  const engine_profile *e = b->engine;
  const model_spec *md = b->model;
  double act = md->hidden * 2.0; /* bytes per token of one fp16 activation vector */
  /* NVLink figures are per-GPU totals of both directions; PCIe figures are per direction */
  c->link_bytes_per_s = hw_link_bytes_per_s(b->gpu, &c->nvlink) / (c->nvlink ? 2 : 1);
  double link = c->link_bytes_per_s * (c->nvlink ? e->link_efficiency : e->pcie_efficiency);
  double latency_s = e->allreduce_latency_s * b->gpu->layer_cost_scale; /* a small kernel and a flag handshake */
  /* beyond one node the all-reduce is a ring whose slowest hop is the network between nodes: its
   * bandwidth per GPU, and NCCL's ring latency (custom one-shot kernels stop at the node) */
  c->nodes = ceil(tp * pp / b->gpu->gpus_per_node);
  bool multinode = tp > b->gpu->gpus_per_node;
  if (multinode) link = fmin(link, b->gpu->internode_gb_s * 1e9 * e->link_efficiency);
  if (tp > 1) { /* two all-reduces per layer (after attention and after the MLP) */
    /* expert parallel: the MoE layers' all-reduce becomes an all-to-all dispatch and combine; attention
     * data parallel: each rank's attention is its own requests' whole, with nothing to reduce */
    double ep_layers = o->expert_parallel ? c->moe_layers : 0;
    double calls = 2 * md->layers - ep_layers - (o->attention_dp ? md->layers : 0);
    /* a ring takes 2(tp-1) latency-bound hops; custom one-shot kernels take one; across nodes the
     * intra-node part is followed by 2(nodes-1) network hops */
    double hops = e->allreduce_ring ? 2 * (fmin(tp, b->gpu->gpus_per_node) - 1) : 1;
    double net_s = multinode ? 2 * (c->nodes - 1) * b->gpu->internode_latency_s : 0;
    c->comm_step_s += calls * (latency_s * hops + net_s);
    c->comm_token_s += calls * 2 * (tp - 1) / tp * act / link;
    /* each GPU sends its 1/tp share of the tokens to the k experts' GPUs, (tp-1)/tp of them elsewhere,
     * and takes the results back: per GPU T k (tp-1)/tp^2 activation vectors per call, one latency
     * (plus one network hop across nodes) per call */
    c->comm_step_s += 2 * ep_layers * (latency_s + (multinode ? b->gpu->internode_latency_s : 0));
    /* quantized, the tokens travel in the experts' own block format (NVFP4: 4 bits and a scale per 16) */
    bool quantized = e->ep_quantized_dispatch && c->compute_dtype == DT_FP4;
    double dispatch = quantized ? md->hidden * quant_bytes_per_weight(b->weights) : act;
    c->comm_token_s += ep_layers * md->experts_per_token * (tp - 1) / (tp * tp) * (dispatch + act) / link;
  }
  if (pp > 1) { /* layer split: one activation hop between consecutive stages (a node boundary: the network) */
    if (c->nodes > 1) link = fmin(link, b->gpu->internode_gb_s * 1e9 * e->link_efficiency);
    if (c->nodes > 1) latency_s += b->gpu->internode_latency_s;
    c->comm_step_s += (pp - 1) * latency_s;
    c->comm_token_s += (pp - 1) * act / link;
  }
}

ss_status perf_init(perf_ctx *c, const hwdb_bound *b, const perf_opts *o, ss_err *err) {
  const model_spec *md = b->model;
  const hw_gpu *g = b->gpu;
  const engine_profile *e = b->engine;
  double tp = o->tp ? o->tp : 1, pp = o->pp ? o->pp : 1;
  *c = (perf_ctx){0};
  if (b->weights->experts_only && !model_is_moe(md))
    return ss_errorf(err, SS_EDATA,
                     "weights '%s' quantize a MoE model's routed experts only, and %s has none; allowed: a MoE "
                     "model, or another weight format",
                     b->weights->id, md->id);
  perf_memory_fit(b, o, &c->mem);
  if (!c->mem.fits && o->kv_tokens && c->mem.room_bytes > 0)
    return ss_errorf(err, SS_EDATA,
                     "deployment.scheduler.kv_cache_tokens = %u does not fit on %u x %s: its KV cache needs %.1f GB "
                     "per GPU, %.1f GB per GPU are left beside weights (%.1f), activations and runtime (%.0f GB); "
                     "allowed: at most %.0f tokens",
                     o->kv_tokens, o->tp * (o->pp ? o->pp : 1), g->id, c->mem.kv_bytes / 1e9, c->mem.room_bytes / 1e9,
                     c->mem.weight_bytes / 1e9, c->mem.total_bytes / 1e9,
                     floor(c->mem.room_bytes / (c->mem.kv_bytes_per_token * o->block_size)) * o->block_size);
  if (!c->mem.fits) {
    double need = (c->mem.weight_bytes + c->mem.activation_bytes + c->mem.reserve_bytes) / 1e9;
    uint32_t min_tp = perf_min_tp(b, o);
    char hint[96] = "no tensor-parallel degree up to 64 fits: use a smaller weight format", util[32];
    snprintf(util, sizeof util, "%.2f x ", o->gpu_memory_utilization);
    if (min_tp) snprintf(hint, sizeof hint, "tp %u fits; or use a smaller weight format", min_tp);
    return ss_errorf(err, SS_EDATA,
                     "%s (%s weights) does not fit on %u x %s: needs %.1f GB per GPU for weights (%.1f), "
                     "activations and runtime before any KV cache, %.1f GB available (%s%.0f GB); %s",
                     md->id, b->weights->id, o->tp * (o->pp ? o->pp : 1), g->id, need, c->mem.weight_bytes / 1e9,
                     c->mem.budget_bytes / 1e9, b->engine->memory_fraction_of_free ? "" : util,
                     c->mem.total_bytes / 1e9, hint);
  }
  bool fb;
  c->compute_dtype = (int)quant_compute_dtype(b->weights, g, &fb);
  /* an engine whose kernels compute weight-only formats in another dtype (llama.cpp's int8 MMQ) */
  if (b->weights->weight_only && e->weight_only_dtype > 0 && hw_supports(g, (hw_dtype)(e->weight_only_dtype - 1)))
    c->compute_dtype = e->weight_only_dtype - 1;
  c->fp8_fallback = fb;
  c->weight_only = b->weights->weight_only || fb;
  c->kernel_efficiency = c->weight_only ? b->weights->kernel_efficiency * e->weight_only_kernel_scale : 1.0;
  c->peak_flops = hw_peak_flops(g, (hw_dtype)c->compute_dtype);
  c->bw = hw_bw_bytes_per_s(g);
  c->tp = tp, c->pp = pp;
  c->overlap = e->overlap_loss;
  c->max_num_seqs = o->max_num_seqs, c->max_batched_tokens = o->max_batched_tokens;
  efficiencies(c, e, g, o);
  fill_compute(c, b, o, tp);
  c->ep_imbalance = o->expert_parallel && o->ep_imbalance > 1 ? o->ep_imbalance : 1;
  fill_comm(c, b, o, tp, pp);
  /* the CPU work of a scheduling call, fixed and per sequence, is shared by the steps of a multi-step window */
  double window = o->num_scheduler_steps > 1 ? o->num_scheduler_steps : 1;
  double sched_s = e->overhead_schedule_s / window;
  double step_s = isnan(o->overhead_step_s) ? e->overhead_step_s : o->overhead_step_s;
  c->ovh_layers_s = e->overhead_layer_s * md->layers * g->layer_cost_scale;
  c->ovh_step_s = step_s + c->ovh_layers_s + sched_s;
  c->ovh_host_s = step_s + sched_s;
  c->host_overlap = e->host_overlap;
  c->eager_s = e->eager_layer_s * md->layers;
  c->graph_max_tokens = o->cuda_graph_max_batch;
  c->graph_prefill = e->cuda_graph_prefill;
  c->host_share = o->attention_dp ? 1.0 / tp : 1.0;
  c->ovh_request_s = e->overhead_request_s + e->overhead_schedule_seq_s / window;
  c->time_scale = o->time_scale > 0 ? o->time_scale : 1.0;
  c->ovh_token_s = isnan(o->overhead_token_s) ? e->overhead_token_s : o->overhead_token_s;
  fill_power(c, b, o, tp);
  return SS_OK;
}

/* Expected distinct experts hit per MoE layer by `tokens` tokens under uniform routing. */
static inline double experts_hit(const perf_ctx *c, double tokens) { return c->experts * -expm1(tokens * c->log_miss); }

/* Rows the grouped expert GEMMs compute for T tokens hitting `hit` experts (experts_hit): every hit expert's
 * routed tokens rounded up to whole tiles (the kernels' default tile: 16 rows while T <= E, moe_block_m above).
 * The expected padding per hit expert goes from nearly a whole tile (one or two tokens each) to half a tile
 * (many tokens each). */
static inline double expert_rows(const perf_ctx *c, double T, double hit) {
  double rows = T * c->experts_per_token, bm = T <= c->experts ? fmin(16, c->moe_block_m) : c->moe_block_m;
  if (bm <= 1) return rows;
  return rows + hit * (bm - 1) * 0.5 * (1 + exp(-rows / c->experts / bm));
}

double perf_bandwidth_bound(const perf_ctx *c, const batch_shape *bs) {
  double tokens = bs->n_decode + bs->prefill_tokens;
  double w = c->w_dense_bytes + (bs->n_sampled ? c->w_head_bytes : 0);
  if (c->moe_layers > 0 && tokens > 0) w += experts_hit(c, tokens) * c->w_expert_bytes;
  return (w + bs->decode_ctx * c->kv_read_bytes + bs->decode_ctx_local * c->kv_read_local_bytes) / c->bw;
}

double perf_compute_bound(const perf_ctx *c, const batch_shape *bs) {
  double T = bs->n_decode + bs->prefill_tokens;
  double lin = (c->flop_lin_tok + c->flop_expert_tok) * T + c->flop_head_tok * bs->n_sampled;
  double attn = c->flop_attn_ctx * bs->decode_ctx + c->flop_attn_prefill * bs->prefill_attn +
                c->flop_attn_local * (bs->decode_ctx_local + bs->prefill_attn_local);
  return lin / c->peak_flops + attn / c->peak_16;
}

double perf_step_power_w(const perf_ctx *c, const batch_shape *bs, double step_s) {
  if (!(step_s > 0)) return c->power.idle_w;
  double f_mem = fmin(1, perf_bandwidth_bound(c, bs) / step_s), f_comp = fmin(1, perf_compute_bound(c, bs) / step_s);
  return fmin(c->power.max_w, c->power.idle_w + c->power.memory_w * f_mem + c->power.compute_w * f_comp);
}

/* A GEMM's time: the roofline max of math and memory, plus the part of the smaller one that the
 * kernel fails to overlap. This is what makes the reached fraction of peak depend on tokens per step. */
static inline double roof(double mem_s, double flop_s, double overlap) {
  return mem_s > flop_s ? mem_s + overlap * flop_s : flop_s + overlap * mem_s;
}

/* The host loop's work in a step: per step (scheduling included), per request, per sampled token; under
 * attention data parallel each tp rank's loop takes its share of the requests, all at once. */
static inline double host_s(const perf_ctx *c, const batch_shape *bs) {
  double per_req = (bs->n_decode + bs->n_prefill) * c->ovh_request_s + bs->n_sampled * c->ovh_token_s;
  return c->ovh_host_s + per_req * c->host_share;
}

/* The host's kernel launches in a step no CUDA graph replays (prefill steps unless graphs cover them, decode
 * batches above the largest graph): the GPU cannot finish before the last launch. */
static inline double launch_s(const perf_ctx *c, const batch_shape *bs) {
  double T = bs->n_decode + bs->prefill_tokens;
  bool graphed = (bs->n_prefill == 0 || c->graph_prefill) && T <= c->graph_max_tokens;
  return graphed ? 0 : c->eager_s;
}

double perf_step_time(const perf_ctx *c, const batch_shape *bs) {
  double T = bs->n_decode + bs->prefill_tokens, S = bs->n_sampled;
  if (T <= 0) return 0;
  double t = roof(c->lin_mem_s, c->lin_flop_s * T, c->overlap);
  if (c->moe_layers > 0) { /* expert parallel: the busiest GPU's experts and tokens (ep_imbalance x the mean) */
    double hit = experts_hit(c, T);
    t += roof(c->expert_mem_s * fmin(c->experts, c->ep_imbalance * hit),
              c->expert_flop_s * expert_rows(c, T, hit) * c->ep_imbalance, c->overlap) +
         c->moe_act_s * T * c->experts_per_token * c->ep_imbalance;
  }
  if (S > 0) t += roof(c->head_mem_s, c->head_flop_s * S, c->overlap);
  t += T * (c->kv_write_s + c->comm_token_s) + bs->decode_ctx * c->decode_attn_s +
       bs->prefill_attn * c->prefill_attn_s + bs->decode_ctx_local * c->decode_attn_local_s +
       bs->prefill_attn_local * c->prefill_attn_local_s;
  t += c->comm_step_s + c->ovh_layers_s; /* the GPU's part ends with the per-layer launch gaps */
  double host = host_s(c, bs);           /* the host loop's, hidden behind the GPU's under host_overlap */
  double launch = launch_s(c, bs);       /* under host_overlap, by the thread that does the host work */
  return (c->host_overlap ? fmax(t, host + launch) : host + fmax(t, launch)) * c->time_scale;
}

double perf_host_time(const perf_ctx *c, const batch_shape *bs) {
  return bs->n_decode + bs->prefill_tokens > 0 ? host_s(c, bs) * c->time_scale : 0;
}

bool perf_host_bound(const perf_ctx *c, const batch_shape *bs) {
  double host = perf_host_time(c, bs);
  if (host > 0) host += launch_s(c, bs) * c->time_scale; /* the host thread's whole work in the step */
  return c->host_overlap && host > 0 && host >= perf_step_time(c, bs);
}

double perf_max_batch(const perf_ctx *c, double in_tokens, double out_tokens) {
  double bs = c->mem.kv_blocks && c->mem.kv_tokens ? (double)c->mem.kv_tokens / (double)c->mem.kv_blocks : 1;
  double blocks_per_seq = ceil((in_tokens + out_tokens) / bs);
  double fit = blocks_per_seq > 0 ? floor((double)c->mem.kv_blocks / blocks_per_seq) : c->max_num_seqs;
  return fmin(c->max_num_seqs, fit);
}

double perf_prefill_time(const perf_ctx *c, double tokens) {
  double t = 0, done = 0, chunk = c->max_batched_tokens > 0 ? c->max_batched_tokens : tokens;
  while (done < tokens) {
    double n = fmin(chunk, tokens - done);
    batch_shape bs = {.n_prefill = 1,
                      .prefill_tokens = n,
                      .prefill_attn = n * (done + n / 2),
                      .prefill_attn_local = perf_local_chunk_attn(c, done, n),
                      .n_sampled = done + n >= tokens};
    t += perf_step_time(c, &bs);
    done += n;
  }
  return t;
}

double perf_decode_time(const perf_ctx *c, double batch, double ctx0, double steps) {
  double t = 0;
  uint32_t nb = (uint32_t)batch;
  for (double k = 0; k < steps; k++) {
    batch_shape bs = {.n_decode = nb,
                      .decode_ctx = batch * (ctx0 + k),
                      .decode_ctx_local = batch * perf_local_ctx(c, ctx0 + k),
                      .n_sampled = nb};
    t += perf_step_time(c, &bs);
  }
  return t;
}

void perf_steady_shape(const perf_ctx *c, double batch, double in_tokens, double out_tokens, batch_shape *bs) {
  double out = out_tokens >= 1 ? out_tokens : 1;
  /* the token budget caps decodes plus the prefill tokens that keep the batch full */
  if (c->max_batched_tokens > 0) batch = fmin(batch, c->max_batched_tokens / (1 + in_tokens / out));
  if (batch < 1) batch = 1;
  double pre = batch * in_tokens / out;
  *bs =
      (batch_shape){.n_decode = (uint32_t)lround(batch),
                    .decode_ctx = batch * (in_tokens + out / 2),
                    /* the mean over the generation of what a local layer reads, and over the prompt */
                    .decode_ctx_local = batch * perf_local_chunk_attn(c, in_tokens, out) / out,
                    .n_prefill = (uint32_t)lround(batch / out),
                    .prefill_tokens = pre,
                    .prefill_attn = pre * in_tokens / 2,
                    .prefill_attn_local = in_tokens > 0 ? pre * perf_local_chunk_attn(c, 0, in_tokens) / in_tokens : 0,
                    .n_sampled = (uint32_t)lround(batch)};
}

double perf_steady_tok_s(const perf_ctx *c, double batch, double in_tokens, double out_tokens, double *step_s) {
  batch_shape bs;
  perf_steady_shape(c, batch, in_tokens, out_tokens, &bs);
  double t = perf_step_time(c, &bs);
  if (step_s) *step_s = t;
  return bs.n_decode / t;
}
