/* model.c: the model key table and parameter counting.
 * MoE layers hold (experts + shared) gated experts and a router; dense layers hold one MLP. */
#include "hwdb/model.h"

#include <math.h>
#include <stdio.h>

static const char *const MLP_NAMES[] = {"gated", "plain", NULL};
static const char *const LOCAL_NAMES[] = {"sliding", "chunked", NULL};

#define DIM(k, m, lo, hi, h) KT_ROW_F64(model_spec, k, m, 0, lo, hi, KT_REQUIRED, h)
static const kt_field FIELDS[] = {
    KT_ROW_STR(model_spec, "id", id, "", KT_REQUIRED, "hwdb id, equal to the file name"),
    KT_ROW_STR(model_spec, "name", name, "", KT_REQUIRED, "display name"),
    KT_ROW_STRLIST(model_spec, "aliases", aliases, n_aliases, 0, "names people type"),
    DIM("layers", layers, 1, 1024, "transformer layers"),
    DIM("hidden", hidden, 1, 1e6, "hidden size"),
    DIM("heads", heads, 1, 1024, "attention (query) heads"),
    DIM("kv_heads", kv_heads, 1, 1024, "key/value heads (GQA)"),
    DIM("head_dim", head_dim, 1, 4096, "dimension of one head"),
    DIM("ffn", ffn, 0, 1e6, "dense MLP intermediate size"),
    KT_ROW_ENUM(model_spec, "mlp", mlp, "gated", MLP_NAMES, 0, "gated (3 matrices) or plain (2)"),
    DIM("vocab", vocab, 1, 1e7, "vocabulary size"),
    KT_ROW_BOOL(model_spec, "tied_embeddings", tied_embeddings, 0, 0, "LM head shares the embedding"),
    DIM("max_context", max_context, 1, 1e8, "maximum context length, tokens"),
    KT_ROW_F64(model_spec, "experts", experts, 0, 0, 1024, 0, "routed experts per MoE layer, 0 = dense"),
    KT_ROW_F64(model_spec, "experts_per_token", experts_per_token, 0, 0, 1024, 0, "routed experts per token"),
    KT_ROW_F64(model_spec, "expert_ffn", expert_ffn, 0, 0, 1e6, 0, "intermediate size of one expert"),
    KT_ROW_F64(model_spec, "shared_experts", shared_experts, 0, 0, 64, 0, "always-active experts per MoE layer"),
    KT_ROW_F64(model_spec, "moe_every", moe_every, 0, 0, 64, 0, "1: every layer MoE, 2: every second, 0: dense"),
    KT_ROW_F64(model_spec, "local_layers", local_layers, 0, 0, 1024, 0,
               "layers with local attention (the rest attend to the whole context), 0 = none"),
    KT_ROW_F64(model_spec, "local_window", local_window, 0, 0, 1048576, 0,
               "tokens a local-attention layer sees (the simulator keeps a counter per token of it)"),
    KT_ROW_ENUM(model_spec, "local_attention", local_attention, "sliding", LOCAL_NAMES, 0,
                "sliding (the last local_window tokens) or chunked (within blocks of local_window tokens)"),
    KT_ROW_F64(model_spec, "published_params_b", published_params_b, 0, 0.01, 1e5, KT_REQUIRED,
               "published total parameters, billions"),
    KT_ROW_F64(model_spec, "published_active_params_b", published_active_params_b, 0, 0.01, 1e5, KT_REQUIRED,
               "published active parameters per token, billions"),
    KT_ROW_BOOL(model_spec, "published_active_without_embedding", published_active_without_embedding, 0, 0,
                "the published active count leaves out the input embedding table (a lookup, no weights read "
                "in full), as gpt-oss's model card does; servesim's derived count includes it"),
    KT_ROW_STR(model_spec, "source", source, "", KT_REQUIRED, "where the shape comes from"),
    KT_ROW_STR(model_spec, "date", date, "", KT_REQUIRED, "date of the source"),
    KT_ROW_STR(model_spec, "note", note, "", 0, "caveats"),
};

const kt_field *model_fields(size_t *n) {
  *n = sizeof FIELDS / sizeof FIELDS[0];
  return FIELDS;
}

ss_status model_finish(void *model, const char *file, const unsigned *lines, ss_err *err) {
  model_spec *m = model;
  size_t n = sizeof FIELDS / sizeof FIELDS[0];
  unsigned at_layers = lines[kt_index(FIELDS, n, "local_layers")],
           at_window = lines[kt_index(FIELDS, n, "local_window")];
  if (m->local_layers > m->layers || m->local_layers != floor(m->local_layers))
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'local_layers': value %g is not a whole number of the model's layers; allowed: "
                     "0 to %g",
                     file, at_layers, m->local_layers, m->layers);
  if (m->local_layers > 0 && !(m->local_window >= 1))
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'local_window': value %g with %g local-attention layers; allowed: at least 1 token",
                     file, at_window ? at_window : at_layers, m->local_window, m->local_layers);
  return SS_OK;
}

void model_local_describe(const model_spec *m, char *buf, size_t len) {
  snprintf(buf, len, "%.0f of %.0f layers attend %s %.0f tokens", m->local_layers, m->layers,
           m->local_attention == LOCAL_CHUNKED ? "within chunks of" : "to the last", m->local_window);
}

double model_local_ctx(int kind, double window, double ctx) {
  if (!(window > 0)) return ctx;
  return kind == LOCAL_CHUNKED ? fmod(ctx, window) : fmin(ctx, window);
}

/* The integral of model_local_ctx from 0 to x: keys attended by the first x tokens of a prompt. */
static double local_keys(int kind, double w, double x) {
  if (!(w > 0)) return x * x / 2;
  if (kind == LOCAL_CHUNKED) return floor(x / w) * w * w / 2 + fmod(x, w) * fmod(x, w) / 2;
  return x <= w ? x * x / 2 : w * w / 2 + (x - w) * w;
}

double model_local_chunk_attn(int kind, double window, double before, double chunk) {
  return local_keys(kind, window, before + chunk) - local_keys(kind, window, before);
}

bool model_is_moe(const model_spec *m) { return m->experts > 0 && m->moe_every > 0; }

double model_moe_layers(const model_spec *m) {
  if (!model_is_moe(m)) return 0;
  return (double)(long)(m->layers / m->moe_every);
}

double model_attn_params(const model_spec *m) { return m->hidden * m->head_dim * (2 * m->heads + 2 * m->kv_heads); }

double model_dense_mlp_params(const model_spec *m) { return (m->mlp == MLP_GATED ? 3 : 2) * m->hidden * m->ffn; }

double model_expert_params(const model_spec *m) { return 3 * m->hidden * m->expert_ffn; }

double model_routed_params(const model_spec *m) { return model_moe_layers(m) * m->experts * model_expert_params(m); }

double model_embed_params(const model_spec *m) { return m->vocab * m->hidden * (m->tied_embeddings ? 1 : 2); }

static double count(const model_spec *m, double experts_counted) {
  double moe = model_moe_layers(m), dense = m->layers - moe;
  double per_layer_common = model_attn_params(m) + 2 * m->hidden;
  double moe_layer = (experts_counted + m->shared_experts) * model_expert_params(m) + m->hidden * m->experts;
  return model_embed_params(m) + m->hidden + m->layers * per_layer_common + dense * model_dense_mlp_params(m) +
         moe * moe_layer;
}

double model_params_total(const model_spec *m) { return count(m, m->experts); }
double model_params_active(const model_spec *m) { return count(m, model_is_moe(m) ? m->experts_per_token : 0); }
