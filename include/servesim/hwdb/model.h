/* model.h: transformer specifications from hwdb/models and the parameter counts derived from them.
 * Invariant: counts are derived from the shape alone (embeddings, attention, MLP or experts, norms);
 * the published count is kept only to check the derivation. */
#ifndef SERVESIM_MODEL_H
#define SERVESIM_MODEL_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/keytab.h"

typedef enum { MLP_GATED, MLP_PLAIN } model_mlp;
/* Local attention: a sliding window over the last `local_window` tokens (Mistral 7B v0.1, Gemma 2/3) or
 * chunks of `local_window` tokens that attend only within themselves (Llama 4). */
typedef enum { LOCAL_SLIDING, LOCAL_CHUNKED } model_local;

typedef struct {
  char id[48], name[96];
  char aliases[12][64];
  size_t n_aliases;
  double layers, hidden, heads, kv_heads, head_dim, ffn, vocab, max_context;
  int mlp; /* model_mlp */
  bool tied_embeddings;
  double experts, experts_per_token, expert_ffn, shared_experts, moe_every;
  double local_layers, local_window; /* layers with local attention (0: none) and their window, tokens */
  int local_attention;               /* model_local */
  double published_params_b, published_active_params_b;
  bool published_active_without_embedding; /* the published active count leaves out the input embedding table */
  char source[1536], date[16], note[1536];
} model_spec;

const kt_field *model_fields(size_t *n);
/* Cross-key checks of a parsed entry (hwdb's finish hook). */
ss_status model_finish(void *model, const char *file, const unsigned *lines, ss_err *err);
/* Cached tokens a local-attention layer (model_local `kind`, `window` tokens) reads for the token after
 * `ctx` cached ones; the attention work of a prompt chunk of `chunk` tokens after `before` ones on such a
 * layer, in the units chunk x (before + chunk / 2) counts it on a global layer (keys attended, summed
 * over the chunk's tokens). A window of 0 is global attention. */
double model_local_ctx(int kind, double window, double ctx);
/* "36 of 48 layers attend within chunks of 8192 tokens": a model's local attention, for notes and reports. */
void model_local_describe(const model_spec *m, char *buf, size_t len);
double model_local_chunk_attn(int kind, double window, double before, double chunk);
bool model_is_moe(const model_spec *m);
/* Number of MoE layers (0 for dense models). */
double model_moe_layers(const model_spec *m);
/* Parameters of one layer's attention (q, k, v, o). */
double model_attn_params(const model_spec *m);
/* Dense MLP parameters of one dense layer; one expert's parameters. */
double model_dense_mlp_params(const model_spec *m);
double model_expert_params(const model_spec *m);
/* Parameters of all routed experts of all MoE layers (0 for dense models). */
double model_routed_params(const model_spec *m);
double model_embed_params(const model_spec *m); /* embeddings + untied LM head */
double model_params_total(const model_spec *m);
double model_params_active(const model_spec *m);

#endif
