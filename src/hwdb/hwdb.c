/* hwdb.c: loads every category of hwdb/ through its key table (one descriptor per category),
 * cross-checks ids, aliases and references, and prints the `servesim list` tables. */
#include "hwdb/hwdb.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "base/yamlcfg.h"

typedef struct {
  const char *name;      /* as in `servesim list NAME` */
  const char *path;      /* subdirectory (one entry per file) or file (a list under list_key) */
  const char *list_key;  /* NULL: one entry per file, id == file name */
  const kt_field *(*fields)(size_t *n);
  size_t size;
} category;

enum { HWDB_MAX_FIELDS = 64 };

static const category CATS[HWDB_NCAT] = {
    [HWDB_GPUS] = {"gpus", "gpus", NULL, hw_gpu_fields, sizeof(hw_gpu)},
    [HWDB_MODELS] = {"models", "models", NULL, model_fields, sizeof(model_spec)},
    [HWDB_QUANT] = {"quant", "quant/formats.yaml", "formats", quant_fields, sizeof(quant_format)},
    [HWDB_ENGINES] = {"engines", "engines", NULL, engine_fields, sizeof(engine_profile)},
    [HWDB_GPU_PRICES] = {"gpu prices", "prices/gpu.yaml", "gpu_prices", gpu_price_fields, sizeof(gpu_price)},
    [HWDB_API_PRICES] = {"api prices", "prices/api.yaml", "api_prices", api_price_fields, sizeof(api_price)},
};

const char *hwdb_default_dir(void) {
  const char *env = getenv("SERVESIM_HWDB");
  return env && *env ? env : SERVESIM_HWDB_DIR;
}

const char *hwdb_cat_name(hwdb_cat c) { return CATS[c].name; }

const void *hwdb_at(const hwdb *db, hwdb_cat c, size_t i) {
  return (const char *)db->items[c] + i * CATS[c].size;
}

static const char *entry_id(hwdb_cat c, const void *e) {
  size_t n;
  const kt_field *tab = CATS[c].fields(&n);
  return (const char *)e + kt_find(tab, n, "id")->off;
}

static bool entry_matches(hwdb_cat c, const void *e, const char *name) {
  size_t n;
  const kt_field *tab = CATS[c].fields(&n);
  const kt_field *al = kt_find(tab, n, "aliases");
  if (kt_name_eq(entry_id(c, e), name)) return true;
  if (!al) return false;
  size_t cnt = *(const size_t *)((const char *)e + al->count_off);
  for (size_t i = 0; i < cnt; i++)
    if (kt_name_eq((const char *)e + al->off + i * al->item, name)) return true;
  return false;
}

const void *hwdb_find(const hwdb *db, hwdb_cat c, const char *name) {
  for (size_t i = 0; i < db->n[c]; i++)
    if (entry_matches(c, hwdb_at(db, c, i), name)) return hwdb_at(db, c, i);
  return NULL;
}

const api_price *hwdb_api(const hwdb *db, const char *name) {
  for (size_t i = 0; i < db->n[HWDB_API_PRICES]; i++) {
    const api_price *p = hwdb_at(db, HWDB_API_PRICES, i);
    if (kt_name_eq(p->model, name) || kt_name_eq(p->id, name)) return p;
  }
  return NULL;
}

void hwdb_ids(const hwdb *db, hwdb_cat c, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < db->n[c] && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", entry_id(c, hwdb_at(db, c, i)));
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted *.yaml names of a directory (sorted so that load order, and so ties, are deterministic). */
static ss_status list_yaml(const char *dir, char ***names, size_t *n, ss_err *err) {
  DIR *d = opendir(dir);
  if (!d) return ss_errorf(err, SS_ENOINPUT, "%s: cannot open the hwdb directory", dir);
  size_t cap = 0;
  bool oom = false;
  *names = NULL, *n = 0;
  for (struct dirent *de; !oom && (de = readdir(d));) {
    size_t len = strlen(de->d_name);
    if (len < 6 || strcmp(de->d_name + len - 5, ".yaml")) continue;
    if (*n == cap) {
      cap = cap ? 2 * cap : 16;
      char **grown = realloc(*names, cap * sizeof *grown);
      if (!(oom = !grown)) *names = grown;
    }
    if (!oom && !(oom = !((*names)[*n] = strdup(de->d_name)))) (*n)++;
  }
  closedir(d);
  if (oom) { /* a partial list would silently drop entries */
    while (*n) free((*names)[--*n]);
    free(*names);
    *names = NULL;
    return ss_errorf(err, SS_EINTERNAL, "out of memory");
  }
  if (*n > 1) qsort(*names, *n, sizeof **names, cmp_str);
  return SS_OK;
}

static ss_status grow(hwdb *db, hwdb_cat c, size_t *cap, void **out, ss_err *err) {
  if (db->n[c] == *cap) {
    size_t ncap = *cap ? 2 * *cap : 16;
    void *p = realloc(db->items[c], ncap * CATS[c].size);
    if (!p) return ss_errorf(err, SS_EINTERNAL, "out of memory");
    db->items[c] = p, *cap = ncap;
  }
  *out = (char *)db->items[c] + db->n[c] * CATS[c].size;
  memset(*out, 0, CATS[c].size);
  return SS_OK;
}

static ss_status load_entry(hwdb *db, hwdb_cat c, size_t *cap, const yc_node *map, const char *file,
                            const char *want_id, ss_err *err) {
  size_t nf;
  const kt_field *tab = CATS[c].fields(&nf);
  unsigned lines[HWDB_MAX_FIELDS] = {0};
  void *e = NULL;
  ss_status rc;
  if (nf > HWDB_MAX_FIELDS)
    return ss_errorf(err, SS_EINTERNAL, "hwdb %s: more than %d keys", CATS[c].name, HWDB_MAX_FIELDS);
  if ((rc = grow(db, c, cap, &e, err))) return rc;
  kt_defaults(tab, nf, e);
  if ((rc = kt_apply(tab, nf, map, "", file, NULL, e, lines, err))) return rc;
  if ((rc = kt_check_required(tab, nf, lines, file, err))) return rc;
  const char *id = entry_id(c, e);
  if (want_id && strcmp(id, want_id))
    return ss_errorf(err, SS_EDATA, "%s:%u: key 'id': value '%s' must equal the file name '%s'", file,
                     lines[kt_index(tab, nf, "id")], id, want_id);
  for (size_t i = 0; i < db->n[c]; i++) {
    const void *o = hwdb_at(db, c, i);
    const kt_field *al = kt_find(tab, nf, "aliases");
    bool clash = entry_matches(c, o, id);
    size_t cnt = al ? *(const size_t *)((const char *)e + al->count_off) : 0;
    for (size_t k = 0; k < cnt && !clash; k++) clash = entry_matches(c, o, (const char *)e + al->off + k * al->item);
    if (clash)
      return ss_errorf(err, SS_EDATA, "%s: '%s' or one of its aliases is already used by '%s'", file, id,
                       entry_id(c, o));
  }
  db->n[c]++;
  return SS_OK;
}

static ss_status load_cat(hwdb *db, hwdb_cat c, ss_err *err) {
  char path[1024];
  size_t cap = 0;
  ss_status rc = SS_OK;
  yc_doc doc = {0};
  snprintf(path, sizeof path, "%s/%s", db->dir, CATS[c].path);
  if (CATS[c].list_key) {
    if ((rc = yc_load_file(path, &doc, err))) return rc;
    const yc_node *list = yc_get(doc.root, CATS[c].list_key);
    if (doc.root->kind != YC_MAP || doc.root->n != 1 || !list || list->kind != YC_SEQ) {
      rc = ss_errorf(err, SS_EDATA, "%s: expected one key '%s' holding a list of entries", path, CATS[c].list_key);
    } else {
      for (size_t i = 0; i < list->n && !rc; i++) rc = load_entry(db, c, &cap, &list->items[i], path, NULL, err);
    }
    yc_free(&doc);
    return rc;
  }
  char **names = NULL;
  size_t n = 0;
  if ((rc = list_yaml(path, &names, &n, err))) return rc;
  for (size_t i = 0; i < n; i++) {
    if (!rc) {
      char file[1536], id[256];
      snprintf(file, sizeof file, "%s/%s", path, names[i]);
      snprintf(id, sizeof id, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
      if (!(rc = yc_load_file(file, &doc, err))) rc = load_entry(db, c, &cap, doc.root, file, id, err);
      yc_free(&doc);
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

ss_status hwdb_load(const char *dir, hwdb *db, ss_err *err) {
  memset(db, 0, sizeof *db);
  snprintf(db->dir, sizeof db->dir, "%s", dir);
  ss_status rc = SS_OK;
  for (int c = 0; c < HWDB_NCAT && !rc; c++) rc = load_cat(db, (hwdb_cat)c, err);
  for (size_t i = 0; i < db->n[HWDB_GPU_PRICES] && !rc; i++) {
    const gpu_price *p = hwdb_at(db, HWDB_GPU_PRICES, i);
    if (!hwdb_gpu(db, p->gpu))
      rc = ss_errorf(err, SS_EDATA, "%s/prices/gpu.yaml: row '%s': gpu '%s' is not in hwdb/gpus", dir, p->id, p->gpu);
  }
  if (rc) {
    ss_err_prefix(err, "hwdb: ");
    hwdb_free(db);
  }
  return rc;
}

void hwdb_free(hwdb *db) {
  for (int c = 0; c < HWDB_NCAT; c++) free(db->items[c]);
  memset(db, 0, sizeof *db);
}

/* ---- `servesim list` ---- */

typedef void (*cell_fn)(const void *e, char *buf, size_t len);
typedef struct {
  const char *head, *key; /* key of a field, or NULL with fn */
  cell_fn fn;
} column;

static void c_params(const void *e, char *b, size_t l) { snprintf(b, l, "%.1f", model_params_total(e) / 1e9); }
static void c_active(const void *e, char *b, size_t l) { snprintf(b, l, "%.1f", model_params_active(e) / 1e9); }
static void c_bytes(const void *e, char *b, size_t l) { snprintf(b, l, "%.4g", quant_bytes_per_weight(e)); }
static void c_gpu_h(const void *e, char *b, size_t l) { snprintf(b, l, "%.3f", price_usd_per_gpu_hour(e)); }
static void c_link(const void *e, char *b, size_t l) {
  const hw_gpu *g = e;
  if (g->nvlink_gb_s > 0) snprintf(b, l, "%s %g", strcmp(g->vendor, "amd") ? "NVLink" : "xGMI", g->nvlink_gb_s);
  else snprintf(b, l, "PCIe %g", g->pcie_gb_s);
}

#define MAXCOL 12
static const column COLS[HWDB_NCAT][MAXCOL] = {
    [HWDB_GPUS] = {{"id", "id", 0}, {"name", "name", 0}, {"mem GB", "memory_gb", 0}, {"BW GB/s", "mem_bw_gb_s", 0},
                   {"fp16 TF", "peak_tflops.fp16", 0}, {"bf16", "peak_tflops.bf16", 0}, {"fp8", "peak_tflops.fp8", 0},
                   {"int8", "peak_tflops.int8", 0}, {"int4", "peak_tflops.int4", 0}, {"TP link GB/s", NULL, c_link},
                   {"TDP W", "tdp_w", 0}},
    [HWDB_MODELS] = {{"id", "id", 0}, {"layers", "layers", 0}, {"hidden", "hidden", 0}, {"heads", "heads", 0},
                     {"kv", "kv_heads", 0}, {"ffn", "ffn", 0}, {"experts", "experts", 0},
                     {"params B", NULL, c_params}, {"active B", NULL, c_active},
                     {"published B", "published_params_b", 0}, {"max ctx", "max_context", 0}},
    [HWDB_QUANT] = {{"id", "id", 0}, {"name", "name", 0}, {"bits/w", "bits_per_weight", 0},
                    {"bytes/w", NULL, c_bytes}, {"compute", "compute_dtype", 0}, {"fallback", "fallback_dtype", 0},
                    {"weight-only", "weight_only", 0}, {"KV ok", "kv_ok", 0}},
    [HWDB_ENGINES] = {{"id", "id", 0}, {"name", "name", 0}, {"policy", "policy", 0}, {"max seqs", "max_num_seqs", 0},
                      {"token budget", "max_batched_tokens", 0}, {"block", "block_size", 0},
                      {"mem util", "gpu_memory_utilization", 0}, {"chunked", "chunked_prefill", 0},
                      {"calibrated", "calibrated", 0}},
    [HWDB_GPU_PRICES] = {{"id", "id", 0}, {"gpu", "gpu", 0}, {"provider", "provider", 0}, {"tier", "tier", 0},
                         {"gpus", "gpus", 0}, {"USD/h", "usd_per_hour", 0}, {"USD/GPU-h", NULL, c_gpu_h},
                         {"purchase USD", "usd_purchase", 0}, {"date", "date", 0}},
    [HWDB_API_PRICES] = {{"id", "id", 0}, {"model", "model", 0}, {"provider", "provider", 0},
                         {"USD/1M in", "usd_per_1m_input", 0}, {"USD/1M out", "usd_per_1m_output", 0},
                         {"date", "date", 0}},
};

static void cell(hwdb_cat c, const column *col, const void *e, char *buf, size_t len) {
  if (col->fn) {
    col->fn(e, buf, len);
    return;
  }
  size_t nf;
  const kt_field *tab = CATS[c].fields(&nf);
  const kt_field *f = kt_find(tab, nf, col->key);
  if (f->type == KT_STR) snprintf(buf, len, "%s", (const char *)e + f->off);
  else kt_format(f, e, buf, len);
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
      if (j + 1 == ncol && !num) fprintf(out, "%s\n", buf);
      else fprintf(out, num ? "%*s%s" : "%-*s%s", (int)width[j], buf, j + 1 == ncol ? "\n" : "  ");
    }
}

ss_status hwdb_print_list(FILE *out, const hwdb *db, const char *what, ss_err *err) {
  static const struct { const char *name; hwdb_cat cats[2]; int n; } WHAT[] = {
      {"gpus", {HWDB_GPUS}, 1}, {"models", {HWDB_MODELS}, 1}, {"quant", {HWDB_QUANT}, 1},
      {"engines", {HWDB_ENGINES}, 1}, {"prices", {HWDB_GPU_PRICES, HWDB_API_PRICES}, 2},
  };
  for (size_t w = 0; w < sizeof WHAT / sizeof WHAT[0]; w++) {
    if (strcmp(WHAT[w].name, what)) continue;
    for (int k = 0; k < WHAT[w].n; k++) {
      if (WHAT[w].n > 1) fprintf(out, "%s%s (hwdb/%s)\n", k ? "\n" : "", CATS[WHAT[w].cats[k]].name,
                                 CATS[WHAT[w].cats[k]].path);
      print_table(out, db, WHAT[w].cats[k]);
    }
    fprintf(out, "\nsources and dates: %s/%s (every entry has source: and date:)\n", db->dir,
            WHAT[w].n > 1 ? "prices" : CATS[WHAT[w].cats[0]].path);
    return SS_OK;
  }
  return ss_errorf(err, SS_EUSAGE, "list: unknown table '%s'; allowed: gpus, models, quant, engines, prices", what);
}
