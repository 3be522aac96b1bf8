/* jread.h: a strict JSON reader (RFC 8259) into a small tree, for the files servesim imports (Hugging
 * Face config.json, vLLM benchmark results, Mooncake JSONL lines).
 * Invariant: jread_parse either returns a tree of the whole text (one value, then only whitespace;
 * nesting at most 64 deep; strings unescaped to UTF-8) or an error naming the line and what was
 * expected; lookups on a missing key or a value of another type return NULL, never crash. */
#ifndef SERVESIM_JREAD_H
#define SERVESIM_JREAD_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

typedef enum { JREAD_NULL, JREAD_BOOL, JREAD_NUM, JREAD_STR, JREAD_ARR, JREAD_OBJ } jread_type;

typedef struct jread_val jread_val;
struct jread_val {
  jread_type type;
  unsigned line;   /* where the value starts */
  double num;      /* JREAD_NUM; JREAD_BOOL: 0 or 1 */
  char *str;       /* JREAD_STR */
  char *key;       /* the member name, when inside an object */
  jread_val *kids; /* JREAD_ARR, JREAD_OBJ: n values (members in file order) */
  size_t n;
};

/* Parses text (len bytes) into *out; name stands for the file in messages, line0 is the line number of
 * the text's first line (JSONL: the file's line). Free with jread_free. */
ss_status jread_parse(const char *name, const char *text, size_t len, unsigned line0, jread_val *out, ss_err *err);
void jread_free(jread_val *v);

/* The member of an object named key (NULL when v is not an object or has none). */
const jread_val *jread_get(const jread_val *v, const char *key);
/* The member as a number or a string, or NULL when absent or of another type. */
const jread_val *jread_num(const jread_val *v, const char *key);
const jread_val *jread_str(const jread_val *v, const char *key);
const char *jread_type_name(jread_type t);

#endif
