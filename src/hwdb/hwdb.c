/* hwdb.c: loads every category of hwdb/ through its key table (one descriptor per category),
 * cross-checks ids, aliases and references, and prints the `servesim list` tables. */
#include "hwdb/hwdb.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/yamlcfg.h"

typedef struct {
  const char *name;     /* as in `servesim list NAME` */
  const char *path;     /* subdirectory (one entry per file) or file (a list under list_key) */
  const char *list_key; /* NULL: one entry per file, id == file name */
  const kt_field *(*fields)(size_t *n);
  size_t size;
  bool optional; /* a missing file means no entries (and is not hashed) */
  /* derived values and cross-key checks of one parsed entry (lines: each key's line, 0 = absent) */
  ss_status (*finish)(void *entry, const char *file, const unsigned *lines, ss_err *err);
} category;

enum { HWDB_MAX_FIELDS = 64 };

static const category CATS[HWDB_NCAT] = {
    [HWDB_GPUS] = {"gpus", "gpus", NULL, hw_gpu_fields, sizeof(hw_gpu), false, hw_gpu_finish},
    [HWDB_MODELS] = {"models", "models", NULL, model_fields, sizeof(model_spec), false, model_finish},
    [HWDB_QUANT] = {"quant", "quant/formats.yaml", "formats", quant_fields, sizeof(quant_format), false, NULL},
    [HWDB_ENGINES] = {"engines", "engines", NULL, engine_fields, sizeof(engine_profile), false, NULL},
    [HWDB_GPU_PRICES] = {"gpu prices", "prices/gpu.yaml", "gpu_prices", gpu_price_fields, sizeof(gpu_price), false,
                         NULL},
    [HWDB_API_PRICES] = {"api prices", "prices/api.yaml", "api_prices", api_price_fields, sizeof(api_price), false,
                         NULL},
    [HWDB_MODEL_ERROR] = {"model error", "model_error.yaml", "model_error", model_error_fields, sizeof(model_error),
                          true, NULL},
};

static bool is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *hwdb_default_dir(char *buf, size_t len) {
  static const char *const NEXT_TO_EXE[] = {"../share/servesim/hwdb", "../hwdb"};
  const char *env = getenv("SERVESIM_HWDB");
  char exe[4096];
  if (env && *env) return snprintf(buf, len, "%s", env), buf;
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    for (size_t i = 0; i < sizeof NEXT_TO_EXE / sizeof NEXT_TO_EXE[0]; i++) {
      snprintf(buf, len, "%s/%s", exe, NEXT_TO_EXE[i]);
      if (is_dir(buf)) return buf;
    }
  }
  snprintf(buf, len, "%s", SERVESIM_HWDB_DIR);
  return buf;
}

const char *hwdb_cat_name(hwdb_cat c) { return CATS[c].name; }
const char *hwdb_cat_path(hwdb_cat c) { return CATS[c].path; }
const kt_field *hwdb_cat_fields(hwdb_cat c, size_t *n) { return CATS[c].fields(n); }

const void *hwdb_at(const hwdb *db, hwdb_cat c, size_t i) { return (const char *)db->items[c] + i * CATS[c].size; }

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

/* The family of an engine name (what precedes any '@'): a family id, or any profile's id or alias. */
static const char *engine_family(const hwdb *db, const char *name) {
  char fam[64];
  snprintf(fam, sizeof fam, "%.*s", (int)strcspn(name, "@"), name);
  for (size_t i = 0; i < db->n[HWDB_ENGINES]; i++) {
    const engine_profile *e = hwdb_at(db, HWDB_ENGINES, i);
    if (e->family[0] && (kt_name_eq(e->family, fam) || entry_matches(HWDB_ENGINES, e, fam))) return e->family;
  }
  return NULL;
}

/* FAMILY@RELEASE: the profile of that family holding the release, or its newest profile when the release
 * is newer than every profile describes (*beyond set: an extrapolation); FAMILY alone: its newest
 * profile. The family is named by its id, or by any profile's id or alias (TensorRT-LLM@0.13). */
static const engine_profile *engine_resolve(const hwdb *db, const char *name, bool *beyond) {
  const char *at = strchr(name, '@'), *family = engine_family(db, name);
  const engine_profile *best = NULL, *newest = NULL;
  for (size_t i = 0; family && i < db->n[HWDB_ENGINES]; i++) {
    const engine_profile *e = hwdb_at(db, HWDB_ENGINES, i);
    if (strcmp(e->family, family)) continue;
    if (!newest || engine_newer(e, newest)) newest = e;
    if (at && !best && engine_holds_release(e, at + 1)) best = e;
  }
  *beyond = at && !best && newest && engine_after_release(newest, at + 1);
  return at && !*beyond ? best : newest;
}

bool hwdb_engine_releases(const hwdb *db, const char *name, char *buf, size_t len) {
  const char *family = engine_family(db, name);
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; family && i < db->n[HWDB_ENGINES] && used < len; i++) {
    const engine_profile *e = hwdb_at(db, HWDB_ENGINES, i);
    if (!strcmp(e->family, family))
      used += (size_t)snprintf(buf + used, len - used, "%s%s (releases %s to %s)", used ? ", " : "", e->id,
                               e->releases_from, e->releases_to);
  }
  return family != NULL;
}

/* An entry by id or alias; an engine also by FAMILY@RELEASE or FAMILY (*beyond: an extrapolated release). */
static const void *find(const hwdb *db, hwdb_cat c, const char *name, bool *beyond) {
  *beyond = false;
  for (size_t i = 0; i < db->n[c]; i++)
    if (entry_matches(c, hwdb_at(db, c, i), name)) return hwdb_at(db, c, i);
  return c == HWDB_ENGINES ? engine_resolve(db, name, beyond) : NULL;
}

const void *hwdb_find(const hwdb *db, hwdb_cat c, const char *name) {
  bool beyond;
  return find(db, c, name, &beyond);
}

bool hwdb_engine_beyond(const hwdb *db, const char *name) {
  bool beyond;
  find(db, HWDB_ENGINES, name, &beyond);
  return beyond;
}

const model_error *hwdb_model_error(const hwdb *db, const char *kind) {
  for (size_t i = 0; i < db->n[HWDB_MODEL_ERROR]; i++) {
    const model_error *e = hwdb_at(db, HWDB_MODEL_ERROR, i);
    if (!strcmp(e->kind, kind)) return e;
  }
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
static void free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

static ss_status list_yaml(const char *dir, char ***out, size_t *out_n, ss_err *err) {
  DIR *d = opendir(dir);
  if (!d) return ss_errorf(err, SS_ENOINPUT, "%s: cannot open the hwdb directory", dir);
  char **names = NULL;
  size_t n = 0, cap = 0;
  for (struct dirent *de; (de = readdir(d));) {
    size_t len = strlen(de->d_name);
    if (len < 6 || strcmp(de->d_name + len - 5, ".yaml")) continue;
    if (n == cap) {
      char **grown = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *grown);
      if (!grown) goto oom;
      names = grown;
    }
    char *name = strdup(de->d_name);
    if (!name) goto oom;
    names[n++] = name;
  }
  closedir(d);
  if (n > 1) qsort(names, n, sizeof *names, cmp_str);
  *out = names, *out_n = n;
  return SS_OK;
oom: /* a partial list would silently drop entries */
  closedir(d);
  free_names(names, n);
  return ss_errorf(err, SS_ENOMEM, "out of memory listing %s", dir);
}

static ss_status grow(hwdb *db, hwdb_cat c, size_t *cap, void **out, ss_err *err) {
  if (db->n[c] == *cap) {
    size_t ncap = *cap ? 2 * *cap : 16;
    void *p = realloc(db->items[c], ncap * CATS[c].size);
    if (!p) return ss_errorf(err, SS_ENOMEM, "out of memory");
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
  if (CATS[c].finish && (rc = CATS[c].finish(e, file, lines, err))) return rc;
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

/* The content hash is the digest of sha256sum's listing of the files in load order: one line
 * "<sha256>  <path under hwdb/>\n" per file (the build computes the same, cmake/version.cmake). */
static void hash_file(hash_sha256 *h, const char *rel, const yc_doc *doc) {
  hash_update(h, doc->sha256, strlen(doc->sha256));
  hash_update(h, "  ", 2);
  hash_update(h, rel, strlen(rel));
  hash_update(h, "\n", 1);
}

static ss_status load_cat(hwdb *db, hwdb_cat c, hash_sha256 *h, ss_err *err) {
  char path[1024];
  size_t cap = 0;
  ss_status rc = SS_OK;
  yc_doc doc = {0};
  snprintf(path, sizeof path, "%s/%s", db->dir, CATS[c].path);
  if (CATS[c].list_key) {
    if (CATS[c].optional && access(path, F_OK) != 0) return SS_OK;
    if ((rc = yc_load_file(path, &doc, err))) return rc;
    hash_file(h, CATS[c].path, &doc);
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
  for (size_t i = 0; i < n && !rc; i++) {
    char file[1536], id[256], rel[1024];
    snprintf(file, sizeof file, "%s/%s", path, names[i]);
    snprintf(rel, sizeof rel, "%s/%s", CATS[c].path, names[i]);
    snprintf(id, sizeof id, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
    if (!(rc = yc_load_file(file, &doc, err))) {
      hash_file(h, rel, &doc);
      rc = load_entry(db, c, &cap, doc.root, file, id, err);
    }
    yc_free(&doc);
  }
  free_names(names, n);
  return rc;
}

/* Versioned engine profiles: both release bounds parse and no two profiles of a family hold one release. */
static ss_status check_engine_releases(const hwdb *db, ss_err *err) {
  for (size_t i = 0; i < db->n[HWDB_ENGINES]; i++) {
    const engine_profile *e = hwdb_at(db, HWDB_ENGINES, i);
    if (!e->family[0]) continue;
    if (!engine_holds_release(e, e->releases_from) || !engine_holds_release(e, e->releases_to))
      return ss_errorf(err, SS_EDATA,
                       "%s/engines/%s.yaml: releases_from '%s' and releases_to '%s' must be release numbers "
                       "(0.13, 1.0.2), the first not after the second",
                       db->dir, e->id, e->releases_from, e->releases_to);
    for (size_t j = 0; j < i; j++) {
      const engine_profile *o = hwdb_at(db, HWDB_ENGINES, j);
      if (!strcmp(o->family, e->family) &&
          (engine_holds_release(o, e->releases_from) || engine_holds_release(e, o->releases_from)))
        return ss_errorf(err, SS_EDATA, "%s/engines/%s.yaml: releases %s-%s overlap those of %s (%s-%s)", db->dir,
                         e->id, e->releases_from, e->releases_to, o->id, o->releases_from, o->releases_to);
    }
  }
  return SS_OK;
}

ss_status hwdb_load(const char *dir, hwdb *db, ss_err *err) {
  memset(db, 0, sizeof *db);
  snprintf(db->dir, sizeof db->dir, "%s", dir);
  ss_status rc = SS_OK;
  hash_sha256 h;
  hash_init(&h);
  for (int c = 0; c < HWDB_NCAT && !rc; c++) rc = load_cat(db, (hwdb_cat)c, &h, err);
  hash_final(&h, db->sha256);
  if (!rc) rc = check_engine_releases(db, err);
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
