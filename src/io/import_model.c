/* import_model.c: Hugging Face config.json -> hwdb model entry. One table maps each hwdb shape field
 * to the config keys that carry it (first found wins; Llama 4's text_config is read when present),
 * one table gives each architecture family its MLP kind and the transformers defaults it relies on.
 * The parameter count is hwdb/model's, so an imported entry counts exactly as a hand-written one. */
#include "io/import_model.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/jread.h"

#define CONFIG_MAX_BYTES ((size_t)16 << 20)

/* Which layers a config's sliding_window applies to, by family (transformers' modelling code). */
typedef enum {
  SW_ALL,            /* Mistral, Mixtral */
  SW_EVERY_OTHER,    /* Gemma 2: the even layers */
  SW_PATTERN,        /* Gemma 3: all but every sliding_window_pattern-th (default 6) */
  SW_FROM_MAX_LAYERS /* Qwen 2/3, when use_sliding_window: the layers from max_window_layers on */
} sliding_rule;

/* transformers' architecture families whose shape the step-time model represents. Defaults are the
 * config classes' own (LlamaConfig ties no embeddings, GemmaConfig and GPT2Config do). */
static const struct {
  const char *model_type;
  model_mlp mlp;
  bool tied;             /* tie_word_embeddings when the config does not say */
  double shared_experts; /* always-active experts per MoE layer when the config does not say */
  sliding_rule sliding;
} FAMILIES[] = {
    {"llama", MLP_GATED, false, 0, SW_ALL},
    {"mistral", MLP_GATED, false, 0, SW_ALL},
    {"mixtral", MLP_GATED, false, 0, SW_ALL},
    {"qwen2", MLP_GATED, false, 0, SW_FROM_MAX_LAYERS},
    {"qwen2_moe", MLP_GATED, false, 0, SW_FROM_MAX_LAYERS},
    {"qwen3", MLP_GATED, false, 0, SW_FROM_MAX_LAYERS},
    {"qwen3_moe", MLP_GATED, false, 0, SW_FROM_MAX_LAYERS},
    {"llama4", MLP_GATED, false, 1, SW_ALL},
    {"llama4_text", MLP_GATED, false, 1, SW_ALL},
    {"gemma", MLP_GATED, true, 0, SW_ALL},
    {"gemma2", MLP_GATED, true, 0, SW_EVERY_OTHER},
    {"gemma3", MLP_GATED, true, 0, SW_PATTERN},
    {"gemma3_text", MLP_GATED, true, 0, SW_PATTERN},
    {"gptj", MLP_PLAIN, false, 0, SW_ALL},
    {"gpt_neox", MLP_PLAIN, false, 0, SW_ALL},
    {"gpt2", MLP_PLAIN, true, 0, SW_ALL},
};
#define NFAM (sizeof FAMILIES / sizeof FAMILIES[0])

/* Shape fields and the config keys that carry them, in order of preference. */
typedef struct {
  const char *field;
  size_t off;
  const char *keys[4];
  bool required;
} hf_key;
#define F(f) offsetof(model_spec, f)
static const hf_key KEYS[] = {
    {"layers", F(layers), {"num_hidden_layers", "n_layer", "num_layers"}, true},
    {"hidden", F(hidden), {"hidden_size", "n_embd", "d_model"}, true},
    {"heads", F(heads), {"num_attention_heads", "n_head"}, true},
    {"vocab", F(vocab), {"vocab_size"}, true},
    {"max_context", F(max_context), {"max_position_embeddings", "n_positions", "seq_length"}, true},
    {"kv_heads", F(kv_heads), {"num_key_value_heads"}, false}, /* default: heads */
    {"head_dim", F(head_dim), {"head_dim"}, false},            /* default: hidden / heads */
    {"ffn", F(ffn), {"intermediate_size_mlp", "intermediate_size", "n_inner", "ffn_dim"}, false}, /* 4 hidden */
    {"experts", F(experts), {"num_local_experts", "num_experts", "n_routed_experts"}, false},
    {"experts_per_token", F(experts_per_token), {"num_experts_per_tok", "moe_topk"}, false},
    {"expert_ffn", F(expert_ffn), {"moe_intermediate_size", "intermediate_size"}, false},
    {"shared_experts", F(shared_experts), {"n_shared_experts"}, false},
    {"moe_every", F(moe_every), {"interleave_moe_layer_step", "decoder_sparse_step"}, false},
};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

/* Config keys of architectures the step-time model does not represent, and why. */
static const struct {
  const char *key, *why;
} REFUSED[] = {
    {"kv_lora_rank", "multi-head latent attention (DeepSeek-V2/V3 style) is not modelled"},
    {"first_k_dense_replace", "leading dense layers before the MoE layers are not modelled"},
    {"num_nextn_predict_layers", "multi-token prediction layers are not modelled"},
};

static double *field_at(model_spec *m, size_t off) { return (double *)((char *)m + off); }

/* The value of the first of keys in cfg: a whole number >= 1 (NAN when none is there or it is null). */
static ss_status read_key(const char *path, const jread_val *cfg, const hf_key *k, double *out, ss_err *err) {
  *out = NAN;
  for (size_t i = 0; i < 4 && k->keys[i]; i++) {
    const jread_val *v = jread_get(cfg, k->keys[i]);
    if (!v || v->type == JREAD_NULL) continue;
    if (v->type != JREAD_NUM || v->num < 1 || v->num != floor(v->num) || v->num > 1e9)
      return ss_errorf(err, SS_EDATA, "%s:%u: key '%s' (hwdb %s): value is %s%s; allowed: a whole number >= 1", path,
                       v->line, k->keys[i], k->field, jread_type_name(v->type),
                       v->type == JREAD_NUM ? " not whole or < 1" : "");
    *out = v->num;
    return SS_OK;
  }
  if (k->required)
    return ss_errorf(err, SS_EDATA, "%s: no key for the hwdb field '%s'; looked for: %s%s%s%s%s", path, k->field,
                     k->keys[0], k->keys[1] ? ", " : "", k->keys[1] ? k->keys[1] : "", k->keys[2] ? ", " : "",
                     k->keys[2] ? k->keys[2] : "");
  return SS_OK;
}

/* Which family, from model_type (of the config, or of its text_config). */
static ss_status family_of(const char *path, const jread_val *root, const jread_val *cfg, size_t *fam, ss_err *err) {
  const jread_val *t = jread_str(cfg, "model_type");
  if (!t) t = jread_str(root, "model_type");
  char allowed[512] = "";
  for (size_t i = 0; i < NFAM; i++) {
    if (t && !strcmp(t->str, FAMILIES[i].model_type)) return *fam = i, SS_OK;
    snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s", i ? ", " : "",
             FAMILIES[i].model_type);
  }
  if (!t) return ss_errorf(err, SS_EDATA, "%s: no \"model_type\" string; allowed: %s", path, allowed);
  return ss_errorf(err, SS_EDATA, "%s:%u: model_type '%s' is not a family servesim models; allowed: %s", path, t->line,
                   t->str, allowed);
}

/* A whole number >= 1 under key in cfg, or fallback when absent. */
static double whole_or(const jread_val *cfg, const char *key, double fallback) {
  const jread_val *v = jread_num(cfg, key);
  return v && v->num >= 1 && v->num == floor(v->num) ? v->num : fallback;
}

/* Local attention (model_local): transformers' layer_types where the config lists them; else Llama 4's
 * attention_chunk_size over its RoPE layers (no_rope_layers, or all but every no_rope_layer_interval-th);
 * else sliding_window, unless use_sliding_window is false, over the family's sliding layers. */
static ss_status read_local(const char *path, const jread_val *cfg, size_t fam, model_spec *m, ss_err *err) {
  const jread_val *types = jread_get(cfg, "layer_types"), *rope = jread_get(cfg, "no_rope_layers");
  const jread_val *use = jread_get(cfg, "use_sliding_window");
  double chunk = whole_or(cfg, "attention_chunk_size", 0), window = whole_or(cfg, "sliding_window", 0);
  m->local_layers = m->local_window = 0, m->local_attention = LOCAL_SLIDING;
  if (use && use->type == JREAD_BOOL && use->num == 0) window = 0; /* Qwen: a window in the config, switched off */
  if (types && types->type == JREAD_ARR) {
    double sliding = 0, chunked = 0;
    for (size_t i = 0; i < types->n; i++) {
      const char *t = types->kids[i].type == JREAD_STR ? types->kids[i].str : "";
      bool is_sliding = !strcmp(t, "sliding_attention"), is_chunked = !strcmp(t, "chunked_attention");
      if (!is_sliding && !is_chunked && strcmp(t, "full_attention"))
        return ss_errorf(err, SS_EDATA,
                         "%s:%u: key 'layer_types': entry %zu is not an attention servesim models; allowed: "
                         "full_attention, sliding_attention, chunked_attention",
                         path, types->kids[i].line, i);
      sliding += is_sliding, chunked += is_chunked;
    }
    if (sliding > 0 && chunked > 0)
      return ss_errorf(err, SS_EDATA,
                       "%s:%u: key 'layer_types': both sliding and chunked layers; allowed: one kind "
                       "of local attention",
                       path, types->line);
    m->local_layers = sliding + chunked;
    m->local_attention = chunked > 0 ? LOCAL_CHUNKED : LOCAL_SLIDING;
    m->local_window = chunked > 0 ? chunk : window;
  } else if (chunk > 0) {
    m->local_attention = LOCAL_CHUNKED, m->local_window = chunk;
    double nope = floor(m->layers / whole_or(cfg, "no_rope_layer_interval", 4));
    if (rope && rope->type == JREAD_ARR && rope->n) { /* 1: a RoPE layer, chunked; 0: a NoPE layer, global */
      nope = 0;
      for (size_t i = 0; i < rope->n; i++) nope += rope->kids[i].type == JREAD_NUM && rope->kids[i].num == 0;
    }
    m->local_layers = m->layers - nope;
  } else if (window > 0) {
    m->local_window = window;
    switch (FAMILIES[fam].sliding) {
    case SW_ALL: m->local_layers = m->layers; break;
    case SW_EVERY_OTHER: m->local_layers = ceil(m->layers / 2); break;
    case SW_PATTERN: m->local_layers = m->layers - floor(m->layers / whole_or(cfg, "sliding_window_pattern", 6)); break;
    case SW_FROM_MAX_LAYERS: {
      const jread_val *from = jread_num(cfg, "max_window_layers");
      m->local_layers = fmax(0, m->layers - (from ? from->num : m->layers));
      break;
    }
    }
  }
  if (m->local_layers > 0 && !(m->local_window >= 1))
    return ss_errorf(err, SS_EDATA,
                     "%s: %g local-attention layers without a window (attention_chunk_size or "
                     "sliding_window); allowed: a whole number of tokens >= 1",
                     path, m->local_layers);
  /* a window no context reaches is global attention (Qwen 2.5's 131072-token window over a 32768-token context) */
  if (!(m->local_layers > 0) || m->local_window >= m->max_context) m->local_layers = m->local_window = 0;
  return SS_OK;
}

/* Fills the shape of m from cfg; the defaults the config classes use where a key is absent. */
static ss_status read_shape(const char *path, const jread_val *root, const jread_val *cfg, model_spec *m, ss_err *err) {
  size_t fam;
  ss_status rc = family_of(path, root, cfg, &fam, err);
  for (size_t i = 0; !rc && i < sizeof REFUSED / sizeof REFUSED[0]; i++) {
    const jread_val *v = jread_get(cfg, REFUSED[i].key);
    if (v && v->type != JREAD_NULL)
      rc = ss_errorf(err, SS_EDATA, "%s:%u: key '%s': %s", path, v->line, REFUSED[i].key, REFUSED[i].why);
  }
  for (size_t i = 0; !rc && i < NKEYS; i++) rc = read_key(path, cfg, &KEYS[i], field_at(m, KEYS[i].off), err);
  if (rc) return rc;
  const jread_val *tie = jread_get(cfg, "tie_word_embeddings");
  if (!tie) tie = jread_get(root, "tie_word_embeddings");
  m->tied_embeddings = tie && tie->type == JREAD_BOOL ? tie->num != 0 : FAMILIES[fam].tied;
  m->mlp = (int)FAMILIES[fam].mlp;
  if (isnan(m->kv_heads)) m->kv_heads = m->heads;
  if (isnan(m->head_dim)) m->head_dim = floor(m->hidden / m->heads);
  if (isnan(m->ffn)) m->ffn = 4 * m->hidden; /* GPT-2 and GPT-J: n_inner null means 4 x hidden */
  if ((rc = read_local(path, cfg, fam, m, err))) return rc;
  bool moe = !isnan(m->experts) && m->experts > 1;
  if (!moe) {
    m->experts = m->experts_per_token = m->expert_ffn = m->shared_experts = m->moe_every = 0;
    return SS_OK;
  }
  if (isnan(m->experts_per_token))
    return ss_errorf(err, SS_EDATA, "%s: a mixture of experts (%g experts) without num_experts_per_tok", path,
                     m->experts);
  const jread_val *shared = jread_num(cfg, "shared_expert_intermediate_size");
  if (isnan(m->shared_experts)) m->shared_experts = shared ? shared->num / m->expert_ffn : FAMILIES[fam].shared_experts;
  if (isnan(m->moe_every)) m->moe_every = 1;
  return SS_OK;
}

static bool valid_id(const char *id) {
  if (!id || !*id || strlen(id) >= sizeof((model_spec *)0)->id) return false;
  for (const char *p = id; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr(".-_", *p)) return false;
  return true;
}

static ss_status check_opts(const import_model_opts *o, ss_err *err) {
  if (!valid_id(o->id))
    return ss_errorf(err, SS_EUSAGE, "model id '%s': allowed: 1 to 47 letters, digits, '.', '-' or '_'",
                     o->id ? o->id : "");
  if (!o->source || !*o->source)
    return ss_errorf(err, SS_EUSAGE, "model %s: a source is required (where the config.json came from)", o->id);
  int y, mo, d;
  char tail;
  if (!o->date || sscanf(o->date, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
    return ss_errorf(err, SS_EUSAGE, "model %s: date '%s': allowed: the source's date as YYYY-MM-DD", o->id,
                     o->date ? o->date : "");
  if (!(o->params_b > 0 && o->params_b < 1e5))
    return ss_errorf(err, SS_EUSAGE, "model %s: published total %g B: allowed: a number of billions above 0", o->id,
                     o->params_b);
  return SS_OK;
}

ss_status import_model_read(const char *config_path, const import_model_opts *o, model_spec *m, ss_err *err) {
  char *text = NULL;
  size_t len;
  jread_val root;
  memset(m, 0, sizeof *m);
  ss_status rc = check_opts(o, err);
  if (rc || (rc = fio_read(config_path, CONFIG_MAX_BYTES, "config.json", &text, &len, NULL, err))) return rc;
  rc = jread_parse(config_path, text, len, 1, &root, err);
  free(text);
  if (rc) return rc;
  const jread_val *cfg = jread_get(&root, "text_config");
  if (root.type != JREAD_OBJ)
    rc = ss_errorf(err, SS_EDATA, "%s: the config is %s; allowed: a JSON object", config_path,
                   jread_type_name(root.type));
  else
    rc = read_shape(config_path, &root, cfg && cfg->type == JREAD_OBJ ? cfg : &root, m, err);
  jread_free(&root);
  if (rc) return rc;
  snprintf(m->id, sizeof m->id, "%s", o->id);
  snprintf(m->name, sizeof m->name, "%s", o->name && *o->name ? o->name : o->id);
  snprintf(m->source, sizeof m->source, "%s", o->source);
  snprintf(m->date, sizeof m->date, "%s", o->date);
  double tol = o->tolerance > 0 ? o->tolerance : 0.03;
  double total = model_params_total(m) / 1e9, active = model_params_active(m) / 1e9;
  if (fabs(total / o->params_b - 1) > tol)
    return ss_errorf(err, SS_EDATA,
                     "%s: the derived parameter count %.3f B differs from the published %.3f B by %+.1f%%; allowed: "
                     "within %.1f%% (check the config, the published figure, or an architecture servesim does not "
                     "model)",
                     config_path, total, o->params_b, 100 * (total / o->params_b - 1), 100 * tol);
  if (model_is_moe(m) && isnan(o->active_params_b))
    return ss_errorf(err, SS_EUSAGE,
                     "%s: a mixture of experts needs its published active parameter count (derived: %.3f B)",
                     config_path, active);
  m->published_params_b = o->params_b;
  m->published_active_params_b = isnan(o->active_params_b) ? o->params_b : o->active_params_b;
  snprintf(m->note, sizeof m->note, "Imported by servesim import-model. Derived %.2fB total, %.2fB active.", total,
           active);
  return SS_OK;
}

/* A double-quoted YAML scalar. */
static void put_quoted(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static ss_status write_entry(FILE *f, void *ctx, ss_err *err) {
  const model_spec *m = ctx;
  (void)err;
  static const char *const MLP[] = {"gated", "plain"};
  fprintf(f, "# %s: imported from a Hugging Face config.json by servesim import-model.\nid: ", m->name);
  put_quoted(f, m->id);
  fputs("\nname: ", f), put_quoted(f, m->name);
  fputs("\naliases: []\n", f);
  for (size_t i = 0; i < NKEYS; i++) fprintf(f, "%s: %.17g\n", KEYS[i].field, *field_at((model_spec *)m, KEYS[i].off));
  if (m->local_layers > 0)
    fprintf(f, "local_layers: %.17g\nlocal_window: %.17g\nlocal_attention: %s\n", m->local_layers, m->local_window,
            m->local_attention == LOCAL_CHUNKED ? "chunked" : "sliding");
  fprintf(f, "mlp: %s\ntied_embeddings: %s\npublished_params_b: %.17g\npublished_active_params_b: %.17g\nsource: ",
          MLP[m->mlp], m->tied_embeddings ? "true" : "false", m->published_params_b, m->published_active_params_b);
  put_quoted(f, m->source);
  fputs("\ndate: ", f), put_quoted(f, m->date);
  fputs("\nnote: ", f), put_quoted(f, m->note);
  fputc('\n', f);
  return SS_OK;
}

ss_status import_model(const char *config_path, const import_model_opts *o, const char *out_yaml, model_spec *m,
                       ss_err *err) {
  ss_status rc = import_model_read(config_path, o, m, err);
  return rc ? rc : fio_write_text(out_yaml, "model entry", &config_path, 1, write_entry, m, err);
}
