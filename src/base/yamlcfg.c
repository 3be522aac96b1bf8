/* yamlcfg.c: libyaml's document API turned into yc_node trees.
 * Errors carry file:line; duplicate keys, non-scalar keys, nesting too deep, alias bombs, empty
 * files, second documents and invalid UTF-8 are refused here so that later stages can trust the tree.
 * Work is bounded before libyaml builds a document: an event pass stops at the nesting limit (libyaml's
 * scanner is quadratic in flow depth) and at the alias budget (count, expanded values and bytes). */
#include "base/yamlcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/fileio.h"

enum {
  YC_MAX_DEPTH = 64,
  YC_MAX_NODES = 1 << 20,           /* values after alias expansion */
  YC_MAX_EXPANDED_BYTES = 16 << 20, /* scalar bytes after alias expansion */
  YC_MAX_ALIASES = 10000,           /* uses of an anchor (*name) */
  YC_MAX_ANCHORS = 1000,            /* anchors defined (&name) */
  YC_MAX_FILE_BYTES = 4 << 20
};

static void node_free(yc_node *n) {
  if (!n) return;
  free(n->text);
  for (size_t i = 0; i < n->n; i++) {
    node_free(&n->items[i]);
    if (n->keys) free(n->keys[i]);
  }
  free(n->items);
  free(n->keys);
  free(n->key_lines);
}

static char *dup_bytes(const unsigned char *s, size_t len) {
  char *p = malloc(len + 1);
  if (!p) return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

/* State of one conversion: the libyaml document, the name used in messages, and a node budget that
 * stops alias bombs (a few lines of anchors that expand to billions of nodes). */
typedef struct {
  yaml_document_t *d;
  const char *file;
  size_t nodes;
  ss_err *err;
} yc_conv;

static ss_status convert(yc_conv *cv, yaml_node_t *src, yc_node *dst, const char *path, int depth) {
  const char *file = cv->file;
  ss_err *err = cv->err;
  memset(dst, 0, sizeof *dst);
  dst->line = (unsigned)src->start_mark.line + 1;
  if (depth > YC_MAX_DEPTH)
    return ss_errorf(err, SS_EDATA, "%s:%u: nesting deeper than %d levels", file, dst->line, YC_MAX_DEPTH);
  if (++cv->nodes > YC_MAX_NODES)
    return ss_errorf(err, SS_EDATA, "%s:%u: more than %d values (aliases expanding too far?)", file, dst->line,
                     YC_MAX_NODES);
  switch (src->type) {
  case YAML_SCALAR_NODE: {
    size_t len = src->data.scalar.length;
    dst->kind = YC_SCALAR;
    if (memchr(src->data.scalar.value, '\0', len))
      return ss_errorf(err, SS_EDATA, "%s:%u: NUL byte in a value", file, dst->line);
    if (!(dst->text = dup_bytes(src->data.scalar.value, len))) return ss_errorf(err, SS_ENOMEM, "out of memory");
    dst->plain = src->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return SS_OK;
  }
  case YAML_SEQUENCE_NODE: {
    yaml_node_item_t *it = src->data.sequence.items.start, *top = src->data.sequence.items.top;
    dst->kind = YC_SEQ;
    size_t n = (size_t)(top - it);
    if (n && !(dst->items = calloc(n, sizeof *dst->items))) return ss_errorf(err, SS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
      dst->n = i + 1;
      ss_status rc = convert(cv, yaml_document_get_node(cv->d, it[i]), &dst->items[i], path, depth + 1);
      if (rc) return rc;
    }
    return SS_OK;
  }
  case YAML_MAPPING_NODE: {
    yaml_node_pair_t *p = src->data.mapping.pairs.start, *top = src->data.mapping.pairs.top;
    dst->kind = YC_MAP;
    size_t n = (size_t)(top - p);
    if (n && (!(dst->items = calloc(n, sizeof *dst->items)) || !(dst->keys = calloc(n, sizeof(char *))) ||
              !(dst->key_lines = calloc(n, sizeof(unsigned)))))
      return ss_errorf(err, SS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
      yaml_node_t *k = yaml_document_get_node(cv->d, p[i].key);
      unsigned kline = (unsigned)k->start_mark.line + 1;
      if (k->type != YAML_SCALAR_NODE)
        return ss_errorf(err, SS_EDATA, "%s:%u: a mapping key must be a plain name", file, kline);
      char *key = dup_bytes(k->data.scalar.value, k->data.scalar.length);
      if (!key) return ss_errorf(err, SS_ENOMEM, "out of memory");
      char sub[512];
      snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
      for (size_t j = 0; j < i; j++)
        if (strcmp(dst->keys[j], key) == 0) {
          ss_status rc = ss_errorf(err, SS_EDATA,
                                   "%s:%u: key '%s' appears twice (first on line %u); "
                                   "allowed: each key once",
                                   file, kline, sub, dst->key_lines[j]);
          free(key);
          return rc;
        }
      dst->keys[i] = key;
      dst->key_lines[i] = kline;
      dst->n = i + 1;
      ss_status rc = convert(cv, yaml_document_get_node(cv->d, p[i].value), &dst->items[i], sub, depth + 1);
      if (rc) return rc;
    }
    return SS_OK;
  }
  default: return ss_errorf(err, SS_EDATA, "%s:%u: empty node", file, dst->line);
  }
}

/* libyaml reports reader (encoding) errors by byte offset only: turn that into a line. */
static unsigned line_at(const unsigned char *text, size_t len, size_t offset) {
  unsigned line = 1;
  for (size_t i = 0; i < offset && i < len; i++) line += text[i] == '\n';
  return line;
}

/* True when the indentation of the line holding byte `index` contains a tab. */
static bool tab_indented(const unsigned char *text, size_t len, size_t index) {
  size_t b = index < len ? index : len;
  while (b > 0 && text[b - 1] != '\n') b--;
  for (; b < len && (text[b] == ' ' || text[b] == '\t'); b++)
    if (text[b] == '\t') return true;
  return false;
}

static ss_status syntax_error(const yaml_parser_t *p, const char *name, const unsigned char *text, size_t len,
                              ss_err *err) {
  const char *what = p->problem ? p->problem : "unreadable YAML";
  if (p->error == YAML_READER_ERROR) {
    size_t at = p->problem_offset;
    /* libyaml points at the bad continuation byte; name the byte that started the character */
    bool trailing = strstr(what, "trailing") != NULL;
    for (int back = 0; trailing && back < 3 && at > 0 && at < len && text[at] < 0xC0 && text[at - 1] >= 0x80; back++)
      at--;
    unsigned line = line_at(text, len, at);
    if (at < len)
      return ss_errorf(err, SS_EDATA,
                       "%s:%u: byte 0x%02X cannot be read as text (%s); allowed: UTF-8 "
                       "text without control characters (save the file as UTF-8)",
                       name, line, text[at], what);
    return ss_errorf(err, SS_EDATA, "%s:%u: %s; allowed: UTF-8 text (save the file as UTF-8)", name, line, what);
  }
  unsigned line = (unsigned)p->problem_mark.line + 1, cline = (unsigned)p->context_mark.line + 1;
  char ctx[160] = "", hint[96] = "";
  if (p->context && cline != line)
    snprintf(ctx, sizeof ctx, " %s that starts on line %u", p->context, cline);
  else if (p->context)
    snprintf(ctx, sizeof ctx, " %s", p->context);
  if (tab_indented(text, len, p->problem_mark.index))
    snprintf(hint, sizeof hint, "; YAML does not allow tabs for indentation: indent with spaces");
  return ss_errorf(err, SS_EDATA, "%s:%u: YAML syntax error: %s%s%s", name, line, what, ctx, hint);
}

/* ---- the budget pass: libyaml's event stream, before any document is built ---- */

typedef struct {
  char *name;
  size_t nodes, bytes; /* of the anchored value, aliases inside it expanded */
} yc_anchor;

typedef struct {
  const char *file;
  size_t nodes, bytes, aliases, n_anchors;
  yc_anchor anchors[YC_MAX_ANCHORS];
  struct {
    size_t nodes, bytes;
    char *anchor;
  } open[YC_MAX_DEPTH + 2]; /* collections being read: the counts when they started, their anchor */
  int depth;
  ss_err *err;
} yc_budget;

static ss_status over_budget(yc_budget *b, unsigned line) {
  if (b->nodes > YC_MAX_NODES)
    return ss_errorf(b->err, SS_EDATA,
                     "%s:%u: the document expands to more than %d values (aliases expanding too far?); allowed: at "
                     "most %d",
                     b->file, line, YC_MAX_NODES, YC_MAX_NODES);
  if (b->bytes > YC_MAX_EXPANDED_BYTES)
    return ss_errorf(b->err, SS_EDATA,
                     "%s:%u: the document expands to more than %d bytes of text (aliases expanding too far?); "
                     "allowed: at most %d",
                     b->file, line, YC_MAX_EXPANDED_BYTES, YC_MAX_EXPANDED_BYTES);
  return SS_OK;
}

/* Records the anchor of a finished value (the counts since it started); a name defined again
 * replaces the earlier definition, as in YAML. */
static ss_status define_anchor(yc_budget *b, char *anchor, size_t nodes0, size_t bytes0, unsigned line) {
  if (!anchor) return SS_OK;
  for (size_t i = 0; i < b->n_anchors; i++)
    if (!strcmp(b->anchors[i].name, anchor)) {
      b->anchors[i].nodes = b->nodes - nodes0, b->anchors[i].bytes = b->bytes - bytes0;
      return SS_OK;
    }
  if (b->n_anchors == YC_MAX_ANCHORS)
    return ss_errorf(b->err, SS_EDATA, "%s:%u: more than %d anchors (&name); allowed: at most %d", b->file, line,
                     YC_MAX_ANCHORS, YC_MAX_ANCHORS);
  yc_anchor *a = &b->anchors[b->n_anchors];
  if (!(a->name = strdup(anchor))) return ss_errorf(b->err, SS_ENOMEM, "out of memory");
  a->nodes = b->nodes - nodes0, a->bytes = b->bytes - bytes0;
  b->n_anchors++;
  return SS_OK;
}

static ss_status budget_event(yc_budget *b, const yaml_event_t *e) {
  unsigned line = (unsigned)e->start_mark.line + 1;
  switch (e->type) {
  case YAML_SCALAR_EVENT: {
    size_t n0 = b->nodes, b0 = b->bytes;
    b->nodes++, b->bytes += e->data.scalar.length;
    ss_status rc = define_anchor(b, (char *)e->data.scalar.anchor, n0, b0, line);
    return rc ? rc : over_budget(b, line);
  }
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    if (b->depth > YC_MAX_DEPTH)
      return ss_errorf(b->err, SS_EDATA, "%s:%u: nesting deeper than %d levels; allowed: at most %d", b->file, line,
                       YC_MAX_DEPTH, YC_MAX_DEPTH);
    yaml_char_t *anchor =
        e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.anchor : e->data.mapping_start.anchor;
    b->open[b->depth].nodes = b->nodes, b->open[b->depth].bytes = b->bytes;
    b->open[b->depth].anchor = anchor ? strdup((char *)anchor) : NULL;
    if (anchor && !b->open[b->depth].anchor) return ss_errorf(b->err, SS_ENOMEM, "out of memory");
    b->depth++, b->nodes++;
    return over_budget(b, line);
  }
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT: {
    if (b->depth == 0) return SS_OK;
    b->depth--;
    ss_status rc = define_anchor(b, b->open[b->depth].anchor, b->open[b->depth].nodes, b->open[b->depth].bytes, line);
    free(b->open[b->depth].anchor);
    b->open[b->depth].anchor = NULL;
    return rc;
  }
  case YAML_ALIAS_EVENT:
    if (++b->aliases > YC_MAX_ALIASES)
      return ss_errorf(b->err, SS_EDATA, "%s:%u: more than %d aliases (*name); allowed: at most %d", b->file, line,
                       YC_MAX_ALIASES, YC_MAX_ALIASES);
    for (size_t i = b->n_anchors; i-- > 0;) /* an undefined alias is left to the loader's message */
      if (!strcmp(b->anchors[i].name, (const char *)e->data.alias.anchor)) {
        b->nodes += b->anchors[i].nodes, b->bytes += b->anchors[i].bytes;
        break;
      }
    return over_budget(b, line);
  default: return SS_OK;
  }
}

/* Streams the events of the first document through the budget; a syntax error is left to the loader,
 * which reports it with context. */
static ss_status check_budget(const char *name, const unsigned char *text, size_t len, ss_err *err) {
  yaml_parser_t parser;
  yc_budget *b = calloc(1, sizeof *b);
  ss_status rc = SS_OK;
  if (!b) return ss_errorf(err, SS_ENOMEM, "out of memory");
  b->file = name, b->err = err;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, text, len);
  for (bool done = false; !done && !rc;) {
    yaml_event_t e;
    if (!yaml_parser_parse(&parser, &e)) break;
    done = e.type == YAML_DOCUMENT_END_EVENT || e.type == YAML_STREAM_END_EVENT;
    rc = budget_event(b, &e);
    yaml_event_delete(&e);
  }
  yaml_parser_delete(&parser);
  for (int i = 0; i < b->depth; i++) free(b->open[i].anchor);
  for (size_t i = 0; i < b->n_anchors; i++) free(b->anchors[i].name);
  free(b);
  return rc;
}

static ss_status load(const char *name, const unsigned char *text, size_t len, yc_doc *doc, ss_err *err) {
  yaml_parser_t parser;
  yaml_document_t d;
  ss_status rc = SS_OK;
  memset(doc, 0, sizeof *doc);
  if (!(doc->file = strdup(name))) return ss_errorf(err, SS_ENOMEM, "out of memory");
  if ((rc = check_budget(name, text, len, err))) {
    yc_free(doc);
    return rc;
  }
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, text, len);
  if (!yaml_parser_load(&parser, &d)) {
    rc = syntax_error(&parser, name, text, len, err);
    yaml_parser_delete(&parser);
    yc_free(doc);
    return rc;
  }
  yaml_node_t *root = yaml_document_get_root_node(&d);
  yc_conv cv = {&d, name, 0, err};
  if (!root)
    rc = ss_errorf(err, SS_EDATA, "%s: the file is empty (expected a YAML mapping of keys)", name);
  else if (!(doc->root = calloc(1, sizeof *doc->root)))
    rc = ss_errorf(err, SS_ENOMEM, "out of memory");
  else
    rc = convert(&cv, root, doc->root, "", 0);
  yaml_document_delete(&d);
  if (!rc) { /* a second document (after ---) would otherwise be ignored without a word */
    if (!yaml_parser_load(&parser, &d)) {
      rc = syntax_error(&parser, name, text, len, err);
    } else {
      yaml_node_t *more = yaml_document_get_root_node(&d);
      if (more && !(more->type == YAML_SCALAR_NODE && more->data.scalar.length == 0))
        rc = ss_errorf(err, SS_EDATA, "%s:%u: a second YAML document; allowed: one document per file", name,
                       (unsigned)d.start_mark.line + 1);
      yaml_document_delete(&d);
    }
  }
  yaml_parser_delete(&parser);
  if (rc) yc_free(doc);
  return rc;
}

ss_status yc_load_file(const char *path, yc_doc *doc, ss_err *err) {
  char *text = NULL, sha[HASH_HEX_LEN];
  size_t len = 0;
  memset(doc, 0, sizeof *doc);
  ss_status rc = fio_read(path, YC_MAX_FILE_BYTES, "YAML file", &text, &len, sha, err);
  if (!rc) rc = load(path, (const unsigned char *)text, len, doc, err);
  if (!rc) memcpy(doc->sha256, sha, sizeof sha);
  free(text);
  return rc;
}

ss_status yc_load_string(const char *name, const char *text, yc_doc *doc, ss_err *err) {
  return load(name, (const unsigned char *)text, strlen(text), doc, err);
}

ss_status yc_load_bytes(const char *name, const void *text, size_t len, yc_doc *doc, ss_err *err) {
  memset(doc, 0, sizeof *doc);
  if (len > YC_MAX_FILE_BYTES)
    return ss_errorf(err, SS_EDATA, "%s: the YAML text is %zu bytes; allowed: at most %d bytes", name, len,
                     YC_MAX_FILE_BYTES);
  return load(name, text, len, doc, err);
}

void yc_free(yc_doc *doc) {
  if (!doc) return;
  if (doc->root) node_free(doc->root);
  free(doc->root);
  free(doc->file);
  memset(doc, 0, sizeof *doc);
}

const yc_node *yc_get(const yc_node *map, const char *key) {
  if (!map || map->kind != YC_MAP) return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0) return &map->items[i];
  return NULL;
}

const char *yc_kind_name(yc_kind k) { return k == YC_SCALAR ? "a single value" : k == YC_SEQ ? "a list" : "a mapping"; }

const char *yc_library_version(void) { return yaml_get_version_string(); }
