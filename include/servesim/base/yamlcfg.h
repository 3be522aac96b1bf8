/* yamlcfg.h: YAML files (libyaml) loaded into a small immutable tree that remembers source lines.
 * Invariant: every node carries the 1-based line it starts on, mapping keys are unique scalars, and
 * scalar text is valid UTF-8 without NUL bytes; anything else is refused at load with file:line. */
#ifndef SERVESIM_YAMLCFG_H
#define SERVESIM_YAMLCFG_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/hash.h"

typedef enum { YC_SCALAR, YC_SEQ, YC_MAP } yc_kind;

typedef struct yc_node yc_node;
struct yc_node {
  yc_kind kind;
  unsigned line;  /* 1-based */
  char *text;     /* scalars: the text; NULL otherwise */
  bool plain;     /* scalar written without quotes */
  size_t n;       /* items (sequence) or pairs (mapping) */
  yc_node *items; /* sequence items or mapping values */
  char **keys;    /* mapping keys (n of them) */
  unsigned *key_lines;
};

typedef struct {
  char *file;                /* name used in messages */
  char sha256[HASH_HEX_LEN]; /* content hash of a file (empty for a string) */
  yc_node *root;             /* NULL only for an empty document, which loading refuses */
} yc_doc;

ss_status yc_load_file(const char *path, yc_doc *doc, ss_err *err);
/* name is what messages call the text (e.g. "--set deployment.tp"). */
ss_status yc_load_string(const char *name, const char *text, yc_doc *doc, ss_err *err);
/* len bytes of text, checked exactly as the bytes of a file (size cap, encoding, NUL bytes). */
ss_status yc_load_bytes(const char *name, const void *text, size_t len, yc_doc *doc, ss_err *err);
void yc_free(yc_doc *doc);

/* Value of key in a mapping, or NULL. */
const yc_node *yc_get(const yc_node *map, const char *key);
const char *yc_kind_name(yc_kind k);
/* libyaml's version, for provenance. */
const char *yc_library_version(void);

#endif
