/* hwdb_out.c: the aligned tables of `servesim list`, one column table per category (a field of the
 * entry, or a derived value). */
#include "io/hwdb_out.h"

#include <string.h>

#include "io/json.h"

typedef void (*cell_fn)(const void *e, char *buf, size_t len);
typedef struct {
  const char *head, *key; /* key of a field, or NULL with fn */
  cell_fn fn;
} column;

static void c_params(const void *e, char *b, size_t l) { snprintf(b, l, "%.1f", model_params_total(e) / 1e9); }
static void c_active(const void *e, char *b, size_t l) { snprintf(b, l, "%.1f", model_params_active(e) / 1e9); }
static void c_bytes(const void *e, char *b, size_t l) { snprintf(b, l, "%.4g", quant_bytes_per_weight(e)); }
static void c_gpu_h(const void *e, char *b, size_t l) { snprintf(b, l, "%.3f", price_usd_per_gpu_hour(e)); }
static void c_local(const void *e, char *b, size_t l) { /* "36 x chunk 8192", "21 x window 4096" */
  const model_spec *m = e;
  if (m->local_layers > 0)
    snprintf(b, l, "%.0f x %s %.0f", m->local_layers, m->local_attention == LOCAL_CHUNKED ? "chunk" : "window",
             m->local_window);
  else
    snprintf(b, l, "-");
}
static void c_link(const void *e, char *b, size_t l) {
  const hw_gpu *g = e;
  if (g->nvlink_gb_s > 0)
    snprintf(b, l, "%s %g", strcmp(g->vendor, "amd") ? "NVLink" : "xGMI", g->nvlink_gb_s);
  else
    snprintf(b, l, "PCIe %g", g->pcie_gb_s);
}

#define MAXCOL 12
static const column COLS[HWDB_NCAT][MAXCOL] = {
    [HWDB_GPUS] = {{"id", "id", 0},
                   {"name", "name", 0},
                   {"mem GB", "memory_gb", 0},
                   {"BW GB/s", "mem_bw_gb_s", 0},
                   {"fp16 TF", "peak_tflops.fp16", 0},
                   {"bf16", "peak_tflops.bf16", 0},
                   {"fp8", "peak_tflops.fp8", 0},
                   {"int8", "peak_tflops.int8", 0},
                   {"int4", "peak_tflops.int4", 0},
                   {"GEMM TF", "gemm_tflops", 0},
                   {"TP link GB/s", NULL, c_link},
                   {"TDP W", "tdp_w", 0}},
    [HWDB_MODELS] = {{"id", "id", 0},
                     {"layers", "layers", 0},
                     {"hidden", "hidden", 0},
                     {"heads", "heads", 0},
                     {"kv", "kv_heads", 0},
                     {"ffn", "ffn", 0},
                     {"experts", "experts", 0},
                     {"params B", NULL, c_params},
                     {"active B", NULL, c_active},
                     {"published B", "published_params_b", 0},
                     {"max ctx", "max_context", 0},
                     {"local attn", NULL, c_local}},
    [HWDB_QUANT] = {{"id", "id", 0},
                    {"name", "name", 0},
                    {"bits/w", "bits_per_weight", 0},
                    {"bytes/w", NULL, c_bytes},
                    {"compute", "compute_dtype", 0},
                    {"fallback", "fallback_dtype", 0},
                    {"weight-only", "weight_only", 0},
                    {"KV ok", "kv_ok", 0}},
    [HWDB_ENGINES] = {{"id", "id", 0},
                      {"name", "name", 0},
                      {"policy", "policy", 0},
                      {"max seqs", "max_num_seqs", 0},
                      {"token budget", "max_batched_tokens", 0},
                      {"block", "block_size", 0},
                      {"mem util", "gpu_memory_utilization", 0},
                      {"chunked", "chunked_prefill", 0},
                      {"calibrated", "calibrated", 0}},
    [HWDB_GPU_PRICES] = {{"id", "id", 0},
                         {"gpu", "gpu", 0},
                         {"provider", "provider", 0},
                         {"tier", "tier", 0},
                         {"gpus", "gpus", 0},
                         {"USD/h", "usd_per_hour", 0},
                         {"USD/GPU-h", NULL, c_gpu_h},
                         {"purchase USD", "usd_purchase", 0},
                         {"date", "date", 0}},
    [HWDB_MODEL_ERROR] = {{"id", "id", 0},
                          {"kind", "kind", 0},
                          {"q10", "q10", 0},
                          {"q90", "q90", 0},
                          {"rows", "rows", 0},
                          {"x unseen gpu", "widen_gpu", 0},
                          {"x unseen engine", "widen_engine", 0},
                          {"x unseen weights", "widen_weights", 0},
                          {"date", "date", 0}},
    [HWDB_API_PRICES] = {{"id", "id", 0},
                         {"model", "model", 0},
                         {"provider", "provider", 0},
                         {"USD/1M in", "usd_per_1m_input", 0},
                         {"USD/1M out", "usd_per_1m_output", 0},
                         {"date", "date", 0}},
};

static void cell(hwdb_cat c, const column *col, const void *e, char *buf, size_t len) {
  if (col->fn) {
    col->fn(e, buf, len);
    return;
  }
  size_t nf;
  const kt_field *tab = hwdb_cat_fields(c, &nf);
  const kt_field *f = kt_find(tab, nf, col->key);
  if (f->type == KT_STR)
    snprintf(buf, len, "%s", (const char *)e + f->off);
  else
    kt_format(f, e, buf, len);
  if (!strcmp(buf, "~")) snprintf(buf, len, "-");
}

static void print_table(FILE *out, const hwdb *db, hwdb_cat c) {
  const column *cols = COLS[c];
  size_t ncol = 0, width[MAXCOL] = {0};
  char buf[256];
  while (ncol < MAXCOL && cols[ncol].head) ncol++;
  for (size_t j = 0; j < ncol; j++) width[j] = strlen(cols[j].head);
  for (size_t i = 0; i < db->n[c]; i++)
    for (size_t j = 0; j < ncol; j++) {
      cell(c, &cols[j], hwdb_at(db, c, i), buf, sizeof buf);
      if (strlen(buf) > width[j]) width[j] = strlen(buf);
    }
  for (size_t j = 0; j < ncol; j++)
    fprintf(out, "%-*s%s", j + 1 < ncol ? (int)width[j] : 0, cols[j].head, j + 1 < ncol ? "  " : "\n");
  for (size_t i = 0; i < db->n[c]; i++)
    for (size_t j = 0; j < ncol; j++) {
      cell(c, &cols[j], hwdb_at(db, c, i), buf, sizeof buf);
      /* names left-aligned, numbers right-aligned */
      double ignored;
      bool num = kt_parse_f64(buf, &ignored) == 0 || !strcmp(buf, "-");
      if (j + 1 == ncol && !num)
        fprintf(out, "%s\n", buf);
      else
        fprintf(out, num ? "%*s%s" : "%-*s%s", (int)width[j], buf, j + 1 == ncol ? "\n" : "  ");
    }
}

ss_status hwdb_out_list(FILE *out, const hwdb *db, const char *what, ss_err *err) {
  static const struct {
    const char *name;
    hwdb_cat cats[2];
    int n;
  } WHAT[] = {
      {"gpus", {HWDB_GPUS}, 1},
      {"models", {HWDB_MODELS}, 1},
      {"quant", {HWDB_QUANT}, 1},
      {"engines", {HWDB_ENGINES}, 1},
      {"prices", {HWDB_GPU_PRICES, HWDB_API_PRICES}, 2},
      {"model_error", {HWDB_MODEL_ERROR}, 1},
  };
  for (size_t w = 0; w < sizeof WHAT / sizeof WHAT[0]; w++) {
    if (strcmp(WHAT[w].name, what)) continue;
    for (int k = 0; k < WHAT[w].n; k++) {
      if (WHAT[w].n > 1)
        fprintf(out, "%s%s (hwdb/%s)\n", k ? "\n" : "", hwdb_cat_name(WHAT[w].cats[k]), hwdb_cat_path(WHAT[w].cats[k]));
      print_table(out, db, WHAT[w].cats[k]);
    }
    fprintf(out, "\nsources and dates: %s/%s (every entry has source: and date:)\n", db->dir,
            WHAT[w].n > 1 ? "prices" : hwdb_cat_path(WHAT[w].cats[0]));
    return SS_OK;
  }
  return ss_errorf(err, SS_EUSAGE,
                   "list: unknown table '%s'; allowed: gpus, models, quant, engines, prices, model_error", what);
}

/* ---- JSON: every field of every entry, plus the quantities derived from them ---- */

static void json_field(FILE *out, const kt_field *f, const void *e) {
  const char *base = e;
  switch (f->type) {
  case KT_STR: json_str(out, base + f->off); break;
  case KT_ENUM: json_str(out, f->names[*(const int *)(const void *)(base + f->off)]); break;
  case KT_BOOL: fputs(*(const bool *)(const void *)(base + f->off) ? "true" : "false", out); break;
  case KT_F64LIST:
  case KT_STRLIST: {
    size_t n = *(const size_t *)(const void *)(base + f->count_off);
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
      if (i) fputs(", ", out);
      if (f->type == KT_F64LIST)
        json_num(out, ((const double *)(const void *)(base + f->off))[i]);
      else
        json_str(out, base + f->off + i * f->item);
    }
    fputc(']', out);
    break;
  }
  default: json_num(out, kt_get_f64(f, e)); break;
  }
}

/* Derived quantities that tools check against the fields (parameter counts, per-GPU prices). */
static void json_derived(FILE *out, hwdb_cat c, const void *e) {
  if (c == HWDB_MODELS) {
    json_key(out, "derived_params_total", 0), json_num(out, model_params_total(e));
    json_key(out, "derived_params_active", 0), json_num(out, model_params_active(e));
  } else if (c == HWDB_QUANT) {
    json_key(out, "derived_bytes_per_weight", 0), json_num(out, quant_bytes_per_weight(e));
  } else if (c == HWDB_GPU_PRICES) {
    json_key(out, "derived_usd_per_gpu_hour", 0), json_num(out, price_usd_per_gpu_hour(e));
  }
}

/* One table's "table", "fields" and "entries" members (without the braces around them). */
static void json_table(FILE *out, const hwdb *db, hwdb_cat c, const char *name) {
  size_t nf;
  const kt_field *tab = hwdb_cat_fields(c, &nf);
  fprintf(out, "\"table\": ");
  json_str(out, name);
  fprintf(out, ", \"fields\": [");
  for (size_t i = 0; i < nf; i++) {
    fprintf(out, "%s{\"key\": ", i ? ", " : "");
    json_str(out, tab[i].key);
    fprintf(out, ", \"required\": %s, \"help\": ", tab[i].flags & KT_REQUIRED ? "true" : "false");
    json_str(out, tab[i].help);
    fprintf(out, "}");
  }
  fprintf(out, "],\n \"entries\": [\n");
  for (size_t i = 0; i < db->n[c]; i++) {
    const void *e = hwdb_at(db, c, i);
    fprintf(out, "  {");
    for (size_t j = 0; j < nf; j++) json_key(out, tab[j].key, j == 0), json_field(out, &tab[j], e);
    json_derived(out, c, e);
    fprintf(out, "}%s\n", i + 1 < db->n[c] ? "," : "");
  }
  fprintf(out, "]");
}

ss_status hwdb_out_json(FILE *out, const hwdb *db, const char *what, ss_err *err) {
  static const struct {
    const char *name;
    hwdb_cat cat;
  } WHAT[] = {{"gpus", HWDB_GPUS},
              {"models", HWDB_MODELS},
              {"quant", HWDB_QUANT},
              {"engines", HWDB_ENGINES},
              {"gpu_prices", HWDB_GPU_PRICES},
              {"api_prices", HWDB_API_PRICES},
              {"model_error", HWDB_MODEL_ERROR}};
  enum { N = sizeof WHAT / sizeof WHAT[0] };
  size_t k = 0;
  bool prices = !strcmp(what, "prices"); /* both price tables, each as `list gpu_prices|api_prices --json` */
  while (k < N && strcmp(WHAT[k].name, what)) k++;
  if (k == N && !prices)
    return ss_errorf(err, SS_EUSAGE,
                     "list --json: unknown table '%s'; allowed: gpus, models, quant, engines, prices, "
                     "gpu_prices, api_prices, model_error",
                     what);
  fprintf(out, "{\"hwdb_dir\": ");
  json_str(out, db->dir);
  fprintf(out, ", \"hwdb_sha256\": ");
  json_str(out, db->sha256);
  if (!prices) {
    fprintf(out, ", ");
    json_table(out, db, WHAT[k].cat, what);
  } else {
    fprintf(out, ", \"table\": \"prices\", \"tables\": [\n{");
    json_table(out, db, HWDB_GPU_PRICES, "gpu_prices");
    fprintf(out, "},\n{");
    json_table(out, db, HWDB_API_PRICES, "api_prices");
    fprintf(out, "}]");
  }
  fprintf(out, "}\n");
  return SS_OK;
}
