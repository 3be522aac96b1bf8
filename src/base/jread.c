/* jread.c: recursive-descent JSON reader (RFC 8259): objects, arrays, strings with every escape
 * (\uXXXX and surrogate pairs to UTF-8), numbers through strtod after a grammar check, true, false,
 * null. Every allocation belongs to the tree; on failure everything built so far is freed. */
#include "base/jread.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JREAD_MAX_DEPTH = 64 };

typedef struct {
  const char *name, *p, *end;
  unsigned line;
  ss_err *err;
} parser;

static ss_status fail(parser *ps, const char *what) {
  char got[24];
  if (ps->p >= ps->end)
    snprintf(got, sizeof got, "the end of the text");
  else
    snprintf(got, sizeof got, "'%.8s'", ps->p);
  return ss_errorf(ps->err, SS_EDATA, "%s:%u: bad JSON: expected %s, found %s", ps->name, ps->line, what, got);
}

static void skip_ws(parser *ps) {
  for (; ps->p < ps->end && strchr(" \t\r\n", *ps->p) && *ps->p; ps->p++) ps->line += *ps->p == '\n';
}

static ss_status parse_value(parser *ps, jread_val *v, int depth);

static int hex4(const char *s) {
  int x = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    x = x * 16 + d;
  }
  return x;
}

static size_t put_utf8(char *out, unsigned long cp) {
  if (cp < 0x80) return out[0] = (char)cp, 1;
  if (cp < 0x800) return out[0] = (char)(0xC0 | (cp >> 6)), out[1] = (char)(0x80 | (cp & 0x3F)), 2;
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12)), out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18)), out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* A \uXXXX escape at ps->p (after the backslash and u), with its low surrogate when it is a high one. */
static ss_status unicode_escape(parser *ps, unsigned long *cp) {
  int hi = ps->end - ps->p >= 4 ? hex4(ps->p) : -1;
  if (hi < 0) return fail(ps, "four hex digits after \\u");
  ps->p += 4;
  *cp = (unsigned long)hi;
  if (hi >= 0xD800 && hi <= 0xDBFF) {
    int lo = ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' ? hex4(ps->p + 2) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF) return fail(ps, "a low surrogate \\uDC00-\\uDFFF after a high one");
    ps->p += 6;
    *cp = 0x10000 + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
  } else if (hi >= 0xDC00 && hi <= 0xDFFF) {
    return fail(ps, "a high surrogate before a low one");
  }
  return SS_OK;
}

static const char ESC_IN[] = "\"\\/bfnrt", ESC_OUT[] = "\"\\/\b\f\n\r\t";

/* A string at ps->p (the opening quote), unescaped into *out (malloc'd). */
static ss_status parse_string(parser *ps, char **out) {
  const char *q = ++ps->p;
  while (q < ps->end && *q != '"') q += *q == '\\' ? 2 : 1;
  if (q >= ps->end) return fail(ps, "a closing '\"'");
  char *s = malloc((size_t)(q - ps->p) + 1), *w = s;
  if (!s) return ss_errorf(ps->err, SS_ENOMEM, "%s: out of memory", ps->name);
  ss_status rc = SS_OK;
  while (!rc && *ps->p != '"') {
    char c = *ps->p++;
    if ((unsigned char)c < 0x20) {
      ps->p--, rc = fail(ps, "no control characters inside a string");
    } else if (c != '\\') {
      *w++ = c;
    } else if (*ps->p == 'u') {
      unsigned long cp;
      ps->p++;
      if (!(rc = unicode_escape(ps, &cp))) w += put_utf8(w, cp);
    } else {
      const char *e = *ps->p ? strchr(ESC_IN, *ps->p) : NULL;
      if (!e)
        rc = fail(ps, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      else
        *w++ = ESC_OUT[e - ESC_IN], ps->p++;
    }
  }
  if (rc) return free(s), rc;
  *w = '\0';
  ps->p++;
  *out = s;
  return SS_OK;
}

/* A number, checked against the JSON grammar (no leading '+', no leading zeros, no hex, no NaN). */
static ss_status parse_number(parser *ps, double *out) {
  const char *q = ps->p;
  if (*q == '-') q++;
  if (q < ps->end && *q == '0')
    q++;
  else if (q < ps->end && *q >= '1' && *q <= '9')
    q += strspn(q, "0123456789");
  else
    return fail(ps, "a value (number, string, object, array, true, false or null)");
  if (q < ps->end && *q == '.') {
    size_t d = strspn(++q, "0123456789");
    if (!d) return fail(ps, "digits after the decimal point");
    q += d;
  }
  if (q < ps->end && (*q == 'e' || *q == 'E')) {
    q++;
    if (*q == '+' || *q == '-') q++;
    size_t d = strspn(q, "0123456789");
    if (!d) return fail(ps, "digits in the exponent");
    q += d;
  }
  errno = 0;
  *out = strtod(ps->p, NULL);
  if (!isfinite(*out)) return fail(ps, "a number within the range of a double");
  ps->p = q;
  return SS_OK;
}

/* The members or elements of an object or array at ps->p (the opening bracket). */
static ss_status parse_list(parser *ps, jread_val *v, int depth) {
  bool obj = *ps->p == '{';
  char close = obj ? '}' : ']';
  size_t cap = 0;
  ps->p++;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) return ps->p++, SS_OK;
  for (;;) {
    if (v->n == cap) {
      jread_val *k = realloc(v->kids, (cap = cap ? 2 * cap : 4) * sizeof *k);
      if (!k) return ss_errorf(ps->err, SS_ENOMEM, "%s: out of memory", ps->name);
      v->kids = k;
    }
    jread_val *kid = &v->kids[v->n];
    memset(kid, 0, sizeof *kid);
    ss_status rc;
    skip_ws(ps);
    if (obj) {
      char *key = NULL;
      if (ps->p >= ps->end || *ps->p != '"') return fail(ps, "a member name in double quotes");
      if ((rc = parse_string(ps, &key))) return rc;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') return free(key), fail(ps, "':' after a member name");
      ps->p++;
      rc = parse_value(ps, kid, depth + 1);
      kid->key = key;
    } else {
      rc = parse_value(ps, kid, depth + 1);
    }
    v->n++; /* a half-built kid is freed with its parent */
    if (rc) return rc;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == close) return ps->p++, SS_OK;
    return fail(ps, obj ? "',' or '}'" : "',' or ']'");
  }
}

static const struct {
  const char *word;
  jread_type type;
  double num;
} WORDS[] = {{"true", JREAD_BOOL, 1}, {"false", JREAD_BOOL, 0}, {"null", JREAD_NULL, 0}};

static ss_status parse_value(parser *ps, jread_val *v, int depth) {
  skip_ws(ps);
  v->line = ps->line;
  if (depth > JREAD_MAX_DEPTH) return fail(ps, "nesting at most 64 deep");
  if (ps->p >= ps->end) return fail(ps, "a value");
  if (*ps->p == '{' || *ps->p == '[') return v->type = *ps->p == '{' ? JREAD_OBJ : JREAD_ARR, parse_list(ps, v, depth);
  if (*ps->p == '"') return v->type = JREAD_STR, parse_string(ps, &v->str);
  for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++) {
    size_t n = strlen(WORDS[i].word);
    if ((size_t)(ps->end - ps->p) >= n && !strncmp(ps->p, WORDS[i].word, n)) {
      ps->p += n, v->type = WORDS[i].type, v->num = WORDS[i].num;
      return SS_OK;
    }
  }
  v->type = JREAD_NUM;
  return parse_number(ps, &v->num);
}

ss_status jread_parse(const char *name, const char *text, size_t len, unsigned line0, jread_val *out, ss_err *err) {
  parser ps = {name, text, text + len, line0, err};
  memset(out, 0, sizeof *out);
  if (memchr(text, '\0', len)) return ss_errorf(err, SS_EDATA, "%s: NUL byte in JSON text", name);
  ss_status rc = parse_value(&ps, out, 0);
  if (!rc) {
    skip_ws(&ps);
    if (ps.p < ps.end) rc = fail(&ps, "nothing after the JSON value");
  }
  if (rc) jread_free(out);
  return rc;
}

void jread_free(jread_val *v) {
  for (size_t i = 0; i < v->n; i++) jread_free(&v->kids[i]);
  free(v->kids), free(v->str), free(v->key);
  memset(v, 0, sizeof *v);
}

const jread_val *jread_get(const jread_val *v, const char *key) {
  if (!v || v->type != JREAD_OBJ) return NULL;
  for (size_t i = 0; i < v->n; i++)
    if (!strcmp(v->kids[i].key, key)) return &v->kids[i];
  return NULL;
}

const jread_val *jread_num(const jread_val *v, const char *key) {
  const jread_val *m = jread_get(v, key);
  return m && m->type == JREAD_NUM ? m : NULL;
}

const jread_val *jread_str(const jread_val *v, const char *key) {
  const jread_val *m = jread_get(v, key);
  return m && m->type == JREAD_STR ? m : NULL;
}

const char *jread_type_name(jread_type t) {
  static const char *const NAMES[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
  return NAMES[t];
}
