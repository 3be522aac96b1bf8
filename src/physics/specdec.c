/* specdec.c: speculative decoding's step cost (the target's verification pass as a batch shape with k
 * extra positions per decoding sequence, plus k draft passes) and the memory the draft takes from the
 * KV budget. Draft passes run inside the engine's iteration, so the draft pays per-layer launch costs
 * but not the engine's per-iteration, per-request or per-token bookkeeping (the target's step does). */
#include "physics/specdec.h"

#include <math.h>

ss_status specdec_init(specdec_ctx *s, const perf_ctx *target, const hwdb_bound *b, const perf_opts *o,
                       const model_spec *draft_model, uint32_t head_layers, uint32_t k, ss_err *err) {
  *s = (specdec_ctx){.target = target, .k = k};
  hwdb_bound db = *b;
  bool heads = !draft_model;
  if (heads) { /* dense decoder layers of the target's shape, sharing its embeddings and LM head */
    s->head = *b->model;
    s->head.layers = head_layers;
    s->head.experts = 0, s->head.experts_per_token = 0, s->head.moe_every = 0;
    draft_model = &s->head;
  }
  db.model = draft_model;
  perf_opts od = *o;
  od.pp = 1, od.expert_parallel = false;
  od.overhead_step_s = 0; /* the target's step pays the engine's iteration overhead once */
  ss_status rc = perf_init(&s->draft, &db, &od, err);
  if (rc) {
    ss_err_prefix(err, "speculative decoding's draft: ");
    return rc;
  }
  s->draft.ovh_request_s = 0, s->draft.ovh_token_s = 0;
  double tp = o->tp ? o->tp : 1, embed = heads ? model_embed_params(draft_model) : 0;
  s->draft_weight_bytes =
      (perf_model_weight_bytes(draft_model, b->weights) - embed * quant_dense_bytes_per_weight(b->weights)) / tp;
  s->draft_kv_bytes_per_token = s->draft.mem.kv_bytes_per_token;
  if (!specdec_kv_blocks(s, o->block_size))
    return ss_errorf(err, SS_EDATA,
                     "speculative decoding's draft (%s, %.1f GB per GPU of weights) leaves no room for the KV cache "
                     "of %s on %s: %.1f GB per GPU were left for it",
                     heads ? "drafting heads" : draft_model->id, s->draft_weight_bytes / 1e9, b->model->id, b->gpu->id,
                     target->mem.kv_bytes / 1e9);
  return SS_OK;
}

uint64_t specdec_kv_blocks(const specdec_ctx *s, uint32_t block_size) {
  double left = s->target->mem.kv_bytes - s->draft_weight_bytes;
  double per_block = (s->target->mem.kv_bytes_per_token + s->draft_kv_bytes_per_token) * block_size;
  return left > per_block ? (uint64_t)floor(left / per_block) : 0;
}

/* What the draft's local-attention layers take of a step's attention work: the target's figure when both
 * models have the same windows; else the global figure (an upper bound: the shape keeps no per-sequence
 * contexts to window again). */
static double draft_local(const specdec_ctx *s, double target_local, double global) {
  bool same = s->draft.local_window == s->target->local_window && s->draft.local_kind == s->target->local_kind;
  return same ? target_local : global;
}

double specdec_step_time(const specdec_ctx *s, const batch_shape *bs) {
  double t;
  if (bs->spec_tokens && bs->n_decode) {
    /* verification: each decoding sequence's k extra positions are query tokens on top of its cache */
    double k = bs->spec_tokens, n = bs->n_decode;
    batch_shape v = *bs;
    v.prefill_tokens += n * k;
    v.prefill_attn += k * bs->decode_ctx + n * k * (k + 1) / 2;
    v.prefill_attn_local += k * bs->decode_ctx_local + n * k * (k + 1) / 2; /* a window's edge within k: ignored */
    v.n_sampled += bs->n_decode * bs->spec_tokens;
    t = perf_step_time(s->target, &v);
    for (uint32_t j = 0; j < bs->spec_tokens; j++) { /* the draft proposes one token at a time */
      batch_shape d = {.n_decode = bs->n_decode,
                       .decode_ctx = bs->decode_ctx + j * n,
                       .decode_ctx_local = draft_local(s, bs->decode_ctx_local, bs->decode_ctx) + j * n,
                       .n_sampled = bs->n_decode};
      t += perf_step_time(&s->draft, &d);
    }
  } else {
    t = perf_step_time(s->target, bs);
  }
  if (bs->prefill_tokens > 0) { /* the draft keeps its own cache of every prompt */
    batch_shape p = {.n_prefill = bs->n_prefill,
                     .prefill_tokens = bs->prefill_tokens,
                     .prefill_attn = bs->prefill_attn,
                     .prefill_attn_local = draft_local(s, bs->prefill_attn_local, bs->prefill_attn)};
    t += perf_step_time(&s->draft, &p);
  }
  return t;
}

uint32_t specdec_accepted(double u, double accept, uint32_t k) {
  if (!(accept > 0)) return 0;
  if (accept >= 1 || u <= 0) return k;
  double a = floor(log(u) / log(accept));
  return a >= k ? k : (uint32_t)a;
}

double specdec_tokens_per_step(double accept, uint32_t k) {
  double sum = 0, p = 1;
  for (uint32_t j = 0; j <= k; j++, p *= accept) sum += p;
  return sum;
}
