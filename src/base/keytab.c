/* keytab.c: the table-driven reader and printer behind every configuration key.
 * All type knowledge lives in the switch statements of kt_set_text, kt_format and kt_allowed, so
 * parsing, --set, help and echo cannot disagree about what a key accepts. */
#include "base/keytab.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AT(obj, off, T)  ((T *)((char *)(obj) + (off)))
#define CAT(obj, off, T) ((const T *)((const char *)(obj) + (off)))

int kt_parse_f64(const char *s, double *out) {
  char *end;
  while (isspace((unsigned char)*s)) s++;
  if (!*s) return 1;
  /* strtod also reads "nan", "inf" and hex floats; a configuration number is decimal. */
  for (const char *p = s; *p; p++)
    if (!strchr("0123456789+-.eE", *p) && !isspace((unsigned char)*p)) return 1;
  errno = 0;
  double v = strtod(s, &end);
  while (isspace((unsigned char)*end)) end++;
  if (end == s || *end) return 1;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)) return 2;
  if (!isfinite(v)) return 2;
  *out = v;
  return 0;
}

bool kt_name_eq(const char *a, const char *b) {
  for (;;) {
    while (*a == ' ' || *a == '-' || *a == '_') a++;
    while (*b == ' ' || *b == '-' || *b == '_') b++;
    if (!*a || !*b) return !*a && !*b;
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
    a++, b++;
  }
}

void kt_allowed(const kt_field *f, char *buf, size_t len) {
  switch (f->type) {
  case KT_F64:
  case KT_F64LIST:
    snprintf(buf, len, "%s a number from %g to %g", f->type == KT_F64LIST ? "a list, each" : "", f->min, f->max);
    break;
  case KT_U32: snprintf(buf, len, "a whole number from %.0f to %.0f", f->min, f->max); break;
  case KT_U64: /* the top bound as a double is 2^64; print the largest value that fits */
    if (f->max >= 18446744073709551615.0)
      snprintf(buf, len, "a whole number from %.0f to 18446744073709551615", f->min);
    else
      snprintf(buf, len, "a whole number from %.0f to %.0f", f->min, f->max);
    break;
  case KT_BOOL: snprintf(buf, len, "true or false"); break;
  case KT_STR: snprintf(buf, len, "text of at most %zu bytes", f->cap - 1); break;
  case KT_STRLIST: snprintf(buf, len, "a list of at most %zu names of at most %zu bytes", f->cap, f->item - 1); break;
  case KT_ENUM: {
    size_t used = (size_t)snprintf(buf, len, "one of");
    for (const char *const *p = f->names; *p && used < len; p++)
      used += (size_t)snprintf(buf + used, len - used, "%s %s", p == f->names ? "" : ",", *p);
    break;
  }
  }
  if (buf[0] == ' ') memmove(buf, buf + 1, strlen(buf));
}

static ss_status bad(const kt_field *f, const char *where, const char *text, const char *why, ss_err *err) {
  char allowed[512];
  kt_allowed(f, allowed, sizeof allowed);
  return ss_errorf(err, SS_EDATA, "%s: key '%s': value '%s' %s; allowed: %s", where, f->key, text, why, allowed);
}

static ss_status parse_number(const kt_field *f, const char *text, const char *where, double *v, ss_err *err) {
  int r = kt_parse_f64(text, v);
  if (r == 1) return bad(f, where, text, "is not a number", err);
  if (r == 2) return bad(f, where, text, "is out of range (too large to represent)", err);
  if ((f->type == KT_U32 || f->type == KT_U64) && *v != floor(*v))
    return bad(f, where, text, "is not a whole number", err);
  if (*v < f->min || *v > f->max) return bad(f, where, text, "is out of bounds", err);
  return SS_OK;
}

static ss_status set_u64(const kt_field *f, const char *text, const char *where, void *obj, ss_err *err) {
  const char *p = text;
  while (*p >= '0' && *p <= '9') p++;
  if (p != text && !*p) { /* all digits: exact, whatever the size */
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno == ERANGE) return bad(f, where, text, "is out of range (more than 64 bits)", err);
    if ((double)v < f->min || (f->max < 18446744073709551615.0 && (double)v > f->max))
      return bad(f, where, text, "is out of bounds", err);
    *AT(obj, f->off, uint64_t) = (uint64_t)v;
    return SS_OK;
  }
  double v;
  ss_status rc = parse_number(f, text, where, &v, err);
  if (rc) return rc;
  if (v >= 9007199254740992.0) return bad(f, where, text, "is not exact as a float: write the digits", err);
  *AT(obj, f->off, uint64_t) = (uint64_t)v;
  return SS_OK;
}

static ss_status set_text(const kt_field *f, const char *text, const char *where, void *obj, ss_err *err) {
  double v = 0;
  ss_status rc;
  switch (f->type) {
  case KT_F64:
    if ((rc = parse_number(f, text, where, &v, err))) return rc;
    *AT(obj, f->off, double) = v;
    return SS_OK;
  case KT_U32:
    if ((rc = parse_number(f, text, where, &v, err))) return rc;
    *AT(obj, f->off, uint32_t) = (uint32_t)v;
    return SS_OK;
  case KT_U64: return set_u64(f, text, where, obj, err);
  case KT_BOOL: { /* the words exactly, in any case: "TRUE " or "t-r-u-e" is not a boolean */
    static const char *const yes[] = {"true", "yes", "on", NULL}, *const no[] = {"false", "no", "off", NULL};
    for (int i = 0; yes[i]; i++)
      if (!strcasecmp(text, yes[i])) return *AT(obj, f->off, bool) = true, SS_OK;
    for (int i = 0; no[i]; i++)
      if (!strcasecmp(text, no[i])) return *AT(obj, f->off, bool) = false, SS_OK;
    return bad(f, where, text, "is not a boolean", err);
  }
  case KT_STR:
    if (strlen(text) >= f->cap) return bad(f, where, text, "is too long", err);
    strcpy(AT(obj, f->off, char), text);
    return SS_OK;
  case KT_ENUM:
    for (int i = 0; f->names[i]; i++)
      if (kt_name_eq(text, f->names[i])) return *AT(obj, f->off, int) = i, SS_OK;
    return bad(f, where, text, "is not recognised", err);
  default: return ss_errorf(err, SS_EINTERNAL, "%s: key '%s' takes a list", where, f->key);
  }
}

ss_status kt_set(const kt_field *f, const yc_node *v, const char *where, void *obj, ss_err *err) {
  char allowed[512];
  if (f->type == KT_F64LIST || f->type == KT_STRLIST) {
    const yc_node *items = v;
    size_t n = 1;
    if (v->kind == YC_SEQ)
      items = v->items, n = v->n;
    else if (v->kind != YC_SCALAR)
      goto wrong_kind;
    if (n > f->cap) {
      kt_allowed(f, allowed, sizeof allowed);
      return ss_errorf(err, SS_EDATA, "%s: key '%s': %zu items is too many; allowed: %s", where, f->key, n, allowed);
    }
    for (size_t i = 0; i < n; i++) {
      if (items[i].kind != YC_SCALAR) goto wrong_kind;
      kt_field one = *f;
      ss_status rc;
      if (f->type == KT_F64LIST) {
        one.type = KT_F64;
        one.off = f->off + i * sizeof(double);
      } else {
        one.type = KT_STR;
        one.cap = f->item;
        one.off = f->off + i * f->item;
      }
      if ((rc = set_text(&one, items[i].text, where, obj, err))) return rc;
    }
    *AT(obj, f->count_off, size_t) = n;
    return SS_OK;
  }
  if (v->kind == YC_SCALAR) {
    bool null = v->plain && (!strcmp(v->text, "~") || !strcmp(v->text, "null") || !*v->text);
    if (null && f->type == KT_F64 && (f->flags & KT_UNSET_OK)) /* "not set", as the echo writes it */
      return *AT(obj, f->off, double) = NAN, SS_OK;
    if (null && f->type != KT_STR) return bad(f, where, v->text, "is empty", err);
    return set_text(f, v->text, where, obj, err);
  }
wrong_kind:
  kt_allowed(f, allowed, sizeof allowed);
  return ss_errorf(
      err, SS_EDATA, "%s: key '%s': expected %s, found %s; allowed: %s, as %s%s", where, f->key,
      f->type == KT_F64LIST || f->type == KT_STRLIST ? "a list" : "a single value", yc_kind_name(v->kind), f->help,
      allowed, v->kind == YC_SEQ && (f->flags & KT_SWEEP) ? " (to try several values, list them under sweep:)" : "");
}

void kt_defaults(const kt_field *tab, size_t n, void *obj) {
  for (size_t i = 0; i < n; i++) {
    const kt_field *f = &tab[i];
    switch (f->type) {
    case KT_F64: *AT(obj, f->off, double) = f->def; break;
    case KT_U32: *AT(obj, f->off, uint32_t) = (uint32_t)f->def; break;
    case KT_U64: *AT(obj, f->off, uint64_t) = (uint64_t)f->def; break;
    case KT_BOOL: *AT(obj, f->off, bool) = f->def != 0; break;
    case KT_STR: snprintf(AT(obj, f->off, char), f->cap, "%s", f->def_str ? f->def_str : ""); break;
    case KT_ENUM: {
      int idx = 0;
      for (int j = 0; f->def_str && f->names[j]; j++)
        if (!strcmp(f->names[j], f->def_str)) idx = j;
      *AT(obj, f->off, int) = idx;
      break;
    }
    case KT_F64LIST:
    case KT_STRLIST: *AT(obj, f->count_off, size_t) = 0; break;
    }
  }
}

static bool has_prefix_key(const kt_field *tab, size_t n, const char *path) {
  size_t len = strlen(path);
  for (size_t i = 0; i < n; i++)
    if (!strncmp(tab[i].key, path, len) && tab[i].key[len] == '.') return true;
  return false;
}

/* The names allowed directly under `prefix`, for "unknown key" messages. */
static void list_children(const kt_field *tab, size_t n, const char *prefix, const char *const *skip, char *buf,
                          size_t len) {
  size_t plen = strlen(prefix), used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && used < len; i++) {
    const char *k = tab[i].key;
    if (plen && (strncmp(k, prefix, plen) || k[plen] != '.')) continue;
    const char *child = plen ? k + plen + 1 : k;
    size_t clen = strcspn(child, ".");
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++) {
      const char *o = tab[j].key;
      if (plen && (strncmp(o, prefix, plen) || o[plen] != '.')) continue;
      const char *oc = plen ? o + plen + 1 : o;
      seen = strcspn(oc, ".") == clen && !strncmp(oc, child, clen);
    }
    if (!seen) used += (size_t)snprintf(buf + used, len - used, "%s%.*s", used ? ", " : "", (int)clen, child);
  }
  for (const char *const *s = skip; !plen && s && *s && used < len; s++)
    used += (size_t)snprintf(buf + used, len - used, ", %s", *s);
}

/* Edit distance of two short names, a swap of neighbours counting as one edit (optimal string
 * alignment); longer names count as far apart. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb) {
  enum { MAXLEN = 96 };
  size_t prev2[MAXLEN + 1], prev[MAXLEN + 1], row[MAXLEN + 1];
  if (la > MAXLEN || lb > MAXLEN) return (size_t)-1;
  for (size_t j = 0; j <= lb; j++) prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
      if (prev[j] + 1 < best) best = prev[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
        best = prev2[j - 2] + 1;
      row[j] = best;
    }
    memcpy(prev2, prev, sizeof prev);
    memcpy(prev, row, sizeof row);
  }
  return prev[lb];
}

/* Whether cand is the best match so far for a mistyped word: at most a quarter of the letters of
 * word's last segment wrong (so "deployment.kv" is not taken for "deployment.tp"), or word is cand
 * without its unit suffix ("horizon.duration" for "horizon.duration_s"). */
static bool closer(const char *word, const char *cand, size_t clen, size_t *best) {
  const char *dot = strrchr(word, '.');
  size_t wlen = strlen(word), seg = strlen(dot ? dot + 1 : word), limit = seg / 4 ? seg / 4 : 1;
  size_t d = edit_distance(word, wlen, cand, clen);
  if (d > limit && clen > wlen && !strncmp(cand, word, wlen) && cand[wlen] == '_') d = limit;
  if (d == 0 || d > limit || d >= *best) return false;
  *best = d;
  return true;
}

const char *kt_closest_name(const char *word, const char *const *names, size_t n) {
  const char *found = NULL;
  size_t best = (size_t)-1;
  for (size_t i = 0; i < n; i++)
    if (names[i] && closer(word, names[i], strlen(names[i]), &best)) found = names[i];
  return found;
}

const char *kt_suggest(const kt_field *tab, size_t n, const char *key) {
  const char *found = NULL;
  size_t best = (size_t)-1;
  for (size_t i = 0; i < n; i++)
    if (closer(key, tab[i].key, strlen(tab[i].key), &best)) found = tab[i].key;
  return found;
}

/* " (did you mean 'x'?)" for the name of `list` ("a, b, c") closest to word, or "". */
static void suggest_in_list(const char *word, const char *list, char *buf, size_t len) {
  size_t best = (size_t)-1;
  buf[0] = '\0';
  for (const char *p = list; *p; p += strspn(p, ", ")) {
    size_t l = strcspn(p, ",");
    if (closer(word, p, l, &best)) snprintf(buf, len, " (did you mean '%.*s'?)", (int)l, p);
    p += l;
  }
}

ss_status kt_apply(const kt_field *tab, size_t n, const yc_node *map, const char *prefix, const char *file,
                   const char *const *skip, void *obj, unsigned *lines, ss_err *err) {
  char path[256], where[512], allowed[1024];
  if (map->kind != YC_MAP) {
    list_children(tab, n, prefix, skip, allowed, sizeof allowed);
    return ss_errorf(err, SS_EDATA, "%s:%u: %s%s%s must be a mapping of keys, found %s%s%s%s; allowed keys: %s", file,
                     map->line, *prefix ? "key '" : "the document", prefix, *prefix ? "'" : "", yc_kind_name(map->kind),
                     map->kind == YC_SCALAR ? " '" : "", map->kind == YC_SCALAR ? map->text : "",
                     map->kind == YC_SCALAR ? "'" : "", allowed);
  }
  for (size_t i = 0; i < map->n; i++) {
    const char *key = map->keys[i];
    const yc_node *v = &map->items[i];
    bool skipped = false;
    for (const char *const *s = skip; !*prefix && s && *s; s++) skipped |= !strcmp(*s, key);
    if (skipped) continue;
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
    snprintf(where, sizeof where, "%s:%u", file, map->key_lines[i]);
    long idx = kt_index(tab, n, path);
    ss_status rc;
    if (idx >= 0) {
      if (lines && lines[idx]) /* e.g. deployment: {tp: 1} and deployment.tp: 2 */
        return ss_errorf(err, SS_EDATA, "%s: key '%s' is set twice (first on line %u); allowed: each key once", where,
                         path, lines[idx]);
      if ((rc = kt_set(&tab[idx], v, where, obj, err))) return rc;
      if (lines) lines[idx] = map->key_lines[i];
    } else if (has_prefix_key(tab, n, path)) {
      if ((rc = kt_apply(tab, n, v, path, file, skip, obj, lines, err))) return rc;
    } else {
      char hint[160];
      list_children(tab, n, prefix, skip, allowed, sizeof allowed);
      suggest_in_list(key, allowed, hint, sizeof hint);
      return ss_errorf(err, SS_EDATA, "%s: unknown key '%s'%s; allowed%s%s: %s", where, path, hint,
                       *prefix ? " under " : "", prefix, allowed);
    }
  }
  return SS_OK;
}

ss_status kt_check_required(const kt_field *tab, size_t n, const unsigned *lines, const char *file, ss_err *err) {
  for (size_t i = 0; i < n; i++)
    if ((tab[i].flags & KT_REQUIRED) && !lines[i])
      return ss_errorf(err, SS_EDATA, "%s: missing required key '%s': %s", file, tab[i].key, tab[i].help);
  return SS_OK;
}

long kt_index(const kt_field *tab, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(tab[i].key, key)) return (long)i;
  return -1;
}

const kt_field *kt_find(const kt_field *tab, size_t n, const char *key) {
  long i = kt_index(tab, n, key);
  return i < 0 ? NULL : &tab[i];
}

bool kt_is_numeric(const kt_field *f) { return f->type == KT_F64 || f->type == KT_U32 || f->type == KT_U64; }

const char *kt_units(const kt_field *f) {
  if (!kt_is_numeric(f)) return "";
  return f->units ? f->units : "1";
}

double kt_get_f64(const kt_field *f, const void *obj) {
  switch (f->type) {
  case KT_F64: return *CAT(obj, f->off, double);
  case KT_U32: return *CAT(obj, f->off, uint32_t);
  case KT_U64: return (double)*CAT(obj, f->off, uint64_t);
  case KT_BOOL: return *CAT(obj, f->off, bool);
  case KT_ENUM: return *CAT(obj, f->off, int);
  default: return NAN;
  }
}

void kt_set_f64(const kt_field *f, void *obj, double v) {
  switch (f->type) {
  case KT_F64: *AT(obj, f->off, double) = v; break;
  case KT_U32: *AT(obj, f->off, uint32_t) = (uint32_t)llround(v); break;
  case KT_U64: *AT(obj, f->off, uint64_t) = (uint64_t)llround(v); break;
  default: break;
  }
}

static void format_double(double v, char *buf, size_t len) {
  if (isnan(v)) {
    snprintf(buf, len, "~");
    return;
  }
  if (v == floor(v) && fabs(v) < 1e15) {
    snprintf(buf, len, "%.0f", v);
    return;
  }
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) return;
  }
}

/* Plain when YAML reads it back as this same string; otherwise double-quoted with escapes. */
static void format_str(const char *s, char *buf, size_t len) {
  static const char *const WORDS[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n", NULL};
  size_t n = strlen(s);
  bool plain = n && !strpbrk(s, ":#{}[],&*!|>'\"%@`\\") && !strchr("-?", s[0]) && !isspace((unsigned char)s[0]) &&
               !isspace((unsigned char)s[n - 1]);
  for (const unsigned char *p = (const unsigned char *)s; plain && *p; p++) plain = *p >= 0x20 && *p != 0x7f;
  for (int i = 0; plain && WORDS[i]; i++) plain = strcasecmp(s, WORDS[i]) != 0;
  double ignored;
  if (plain && kt_parse_f64(s, &ignored) != 0) {
    snprintf(buf, len, "%s", s);
    return;
  }
  size_t used = 0;
  if (len < 3) {
    if (len) buf[0] = '\0';
    return;
  }
  buf[used++] = '"';
  for (const unsigned char *p = (const unsigned char *)s; *p && used + 6 < len; p++) {
    if (*p == '"' || *p == '\\')
      buf[used++] = '\\', buf[used++] = (char)*p;
    else if (*p < 0x20 || *p == 0x7f)
      used += (size_t)snprintf(buf + used, len - used, "\\x%02x", *p);
    else
      buf[used++] = (char)*p;
  }
  buf[used++] = '"';
  buf[used] = '\0';
}

void kt_format(const kt_field *f, const void *obj, char *buf, size_t len) {
  switch (f->type) {
  case KT_F64: format_double(*CAT(obj, f->off, double), buf, len); break;
  case KT_U32: snprintf(buf, len, "%u", (unsigned)*CAT(obj, f->off, uint32_t)); break;
  case KT_U64: snprintf(buf, len, "%llu", (unsigned long long)*CAT(obj, f->off, uint64_t)); break;
  case KT_BOOL: snprintf(buf, len, "%s", *CAT(obj, f->off, bool) ? "true" : "false"); break;
  case KT_STR: format_str(CAT(obj, f->off, char), buf, len); break;
  case KT_ENUM: snprintf(buf, len, "%s", f->names[*CAT(obj, f->off, int)]); break;
  case KT_F64LIST:
  case KT_STRLIST: {
    size_t cnt = *CAT(obj, f->count_off, size_t), used = (size_t)snprintf(buf, len, "[");
    for (size_t i = 0; i < cnt && used < len; i++) {
      char one[256];
      if (f->type == KT_F64LIST)
        format_double(CAT(obj, f->off, double)[i], one, sizeof one);
      else
        format_str(CAT(obj, f->off + i * f->item, char), one, sizeof one);
      used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", one);
    }
    if (used < len) snprintf(buf + used, len - used, "]");
    break;
  }
  }
}

void kt_print_yaml(FILE *out, const kt_field *tab, size_t n, const void *obj) {
  const char *prev = "";
  for (size_t i = 0; i < n; i++) {
    const char *k = tab[i].key;
    /* open the mapping levels that differ from the previous key's */
    size_t common = 0, depth = 0;
    for (size_t j = 0; k[j] && prev[j] == k[j]; j++)
      if (k[j] == '.') common = j + 1;
    for (size_t j = 0; j < common; j++) depth += k[j] == '.';
    const char *seg = k + common;
    for (const char *dot; (dot = strchr(seg, '.')); seg = dot + 1, depth++)
      fprintf(out, "%*s%.*s:\n", (int)(2 * depth), "", (int)(dot - seg), seg);
    char val[2048];
    kt_format(&tab[i], obj, val, sizeof val);
    fprintf(out, "%*s%s: %s\n", (int)(2 * depth), "", seg, val);
    prev = k;
  }
}

void kt_print_help(FILE *out, const kt_field *tab, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char allowed[512], def[256];
    kt_allowed(&tab[i], allowed, sizeof allowed);
    if (tab[i].flags & KT_REQUIRED)
      snprintf(def, sizeof def, "required");
    else if (tab[i].type == KT_STR || tab[i].type == KT_ENUM)
      snprintf(def, sizeof def, "default %s", tab[i].def_str && *tab[i].def_str ? tab[i].def_str : "none");
    else if (tab[i].type == KT_F64LIST || tab[i].type == KT_STRLIST)
      snprintf(def, sizeof def, "default []");
    else if (tab[i].type == KT_BOOL)
      snprintf(def, sizeof def, "default %s", tab[i].def != 0 ? "true" : "false");
    else if (isnan(tab[i].def))
      snprintf(def, sizeof def, "default: from the engine/hwdb");
    else
      snprintf(def, sizeof def, "default %g", tab[i].def);
    fprintf(out, "  %-36s %s\n  %-36s   %s; %s%s%s\n", tab[i].key, tab[i].help, "", allowed, def,
            tab[i].flags & KT_SWEEP ? "; sweepable" : "", tab[i].flags & KT_SAMPLE ? "; may be uncertain" : "");
  }
}
