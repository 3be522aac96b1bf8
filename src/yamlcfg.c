/* yamlcfg.c: libyaml's document API turned into yc_node trees.
 * Errors carry file:line; duplicate keys, non-scalar keys, aliases that nest too deep, empty
 * documents and invalid UTF-8 are refused here so that later stages can trust the tree. */
#include "servesim/yamlcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum { YC_MAX_DEPTH = 64 };

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

static ss_status convert(yaml_document_t *d, yaml_node_t *src, yc_node *dst, const char *file,
                         int depth, ss_err *err) {
  memset(dst, 0, sizeof *dst);
  dst->line = (unsigned)src->start_mark.line + 1;
  if (depth > YC_MAX_DEPTH)
    return ss_errorf(err, SS_EDATA, "%s:%u: nesting deeper than %d levels", file, dst->line,
                     YC_MAX_DEPTH);
  switch (src->type) {
  case YAML_SCALAR_NODE: {
    size_t len = src->data.scalar.length;
    dst->kind = YC_SCALAR;
    if (memchr(src->data.scalar.value, '\0', len))
      return ss_errorf(err, SS_EDATA, "%s:%u: NUL byte in a value", file, dst->line);
    if (!(dst->text = dup_bytes(src->data.scalar.value, len)))
      return ss_errorf(err, SS_EINTERNAL, "out of memory");
    dst->plain = src->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return SS_OK;
  }
  case YAML_SEQUENCE_NODE: {
    yaml_node_item_t *it = src->data.sequence.items.start, *top = src->data.sequence.items.top;
    dst->kind = YC_SEQ;
    size_t n = (size_t)(top - it);
    if (n && !(dst->items = calloc(n, sizeof *dst->items)))
      return ss_errorf(err, SS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++) {
      dst->n = i + 1;
      ss_status rc = convert(d, yaml_document_get_node(d, it[i]), &dst->items[i], file, depth + 1, err);
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
      return ss_errorf(err, SS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++) {
      yaml_node_t *k = yaml_document_get_node(d, p[i].key);
      unsigned kline = (unsigned)k->start_mark.line + 1;
      if (k->type != YAML_SCALAR_NODE)
        return ss_errorf(err, SS_EDATA, "%s:%u: a mapping key must be a plain name", file, kline);
      char *key = dup_bytes(k->data.scalar.value, k->data.scalar.length);
      if (!key) return ss_errorf(err, SS_EINTERNAL, "out of memory");
      for (size_t j = 0; j < i; j++)
        if (strcmp(dst->keys[j], key) == 0) {
          ss_status rc = ss_errorf(err, SS_EDATA, "%s:%u: key '%s' appears twice (first on line %u)",
                                   file, kline, key, dst->key_lines[j]);
          free(key);
          return rc;
        }
      dst->keys[i] = key;
      dst->key_lines[i] = kline;
      dst->n = i + 1;
      ss_status rc = convert(d, yaml_document_get_node(d, p[i].value), &dst->items[i], file, depth + 1, err);
      if (rc) return rc;
    }
    return SS_OK;
  }
  default:
    return ss_errorf(err, SS_EDATA, "%s:%u: empty node", file, dst->line);
  }
}

static ss_status load(yaml_parser_t *parser, const char *name, yc_doc *doc, ss_err *err) {
  yaml_document_t d;
  ss_status rc = SS_OK;
  memset(doc, 0, sizeof *doc);
  if (!(doc->file = strdup(name))) return ss_errorf(err, SS_EINTERNAL, "out of memory");
  if (!yaml_parser_load(parser, &d)) {
    const char *what = parser->problem ? parser->problem : "unreadable YAML";
    unsigned line = (unsigned)parser->problem_mark.line + 1;
    if (parser->error == YAML_READER_ERROR)
      return ss_errorf(err, SS_EDATA, "%s:%u: %s (the file must be UTF-8 text)", name, line, what);
    if (parser->context)
      return ss_errorf(err, SS_EDATA, "%s:%u: YAML syntax error: %s %s", name, line, what,
                       parser->context);
    return ss_errorf(err, SS_EDATA, "%s:%u: YAML syntax error: %s", name, line, what);
  }
  yaml_node_t *root = yaml_document_get_root_node(&d);
  if (!root) {
    rc = ss_errorf(err, SS_EDATA, "%s: the file is empty (expected a YAML mapping)", name);
  } else if (!(doc->root = calloc(1, sizeof *doc->root))) {
    rc = ss_errorf(err, SS_EINTERNAL, "out of memory");
  } else {
    rc = convert(&d, root, doc->root, name, 0, err);
  }
  yaml_document_delete(&d);
  return rc;
}

ss_status yc_load_file(const char *path, yc_doc *doc, ss_err *err) {
  memset(doc, 0, sizeof *doc);
  FILE *f = fopen(path, "rb");
  if (!f) return ss_errorf(err, SS_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  ss_status rc = load(&parser, path, doc, err);
  yaml_parser_delete(&parser);
  fclose(f);
  if (rc) yc_free(doc);
  return rc;
}

ss_status yc_load_string(const char *name, const char *text, yc_doc *doc, ss_err *err) {
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
  ss_status rc = load(&parser, name, doc, err);
  yaml_parser_delete(&parser);
  if (rc) yc_free(doc);
  return rc;
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

const char *yc_kind_name(yc_kind k) {
  return k == YC_SCALAR ? "a single value" : k == YC_SEQ ? "a list" : "a mapping";
}
