/* keytab.h: typed key tables. One row per configuration key (dotted path, type, default, bounds,
 * help) drives parsing from YAML, validation, `--set key=value`, help text and the echo of the
 * resolved values. Objects described by a table are plain structs (fixed-size strings and lists),
 * so copying one is a struct assignment.
 * Invariant: after kt_apply succeeds every field holds a value inside its bounds. */
#ifndef SERVESIM_KEYTAB_H
#define SERVESIM_KEYTAB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/yamlcfg.h"

typedef enum { KT_F64, KT_U32, KT_U64, KT_BOOL, KT_STR, KT_ENUM, KT_F64LIST, KT_STRLIST } kt_type;

enum {
  KT_REQUIRED = 1u << 0, /* must be given */
  KT_SWEEP = 1u << 1,    /* may appear under sweep: */
  KT_SAMPLE = 1u << 2,   /* may appear under uncertain: (numeric) */
  KT_UNSET_OK = 1u << 3, /* F64 default NAN means "not set: take it from elsewhere" */
};

typedef struct {
  const char *key; /* dotted path, e.g. "deployment.tp" */
  kt_type type;
  size_t off;               /* value offset in the object */
  size_t cap;               /* STR: buffer bytes; lists: max items */
  size_t item;              /* STRLIST: bytes per item */
  size_t count_off;         /* lists: offset of the size_t item count */
  double def, min, max;     /* numeric default and inclusive bounds */
  const char *def_str;      /* STR and ENUM default */
  const char *const *names; /* ENUM: allowed names, NULL-terminated; value stored as int */
  unsigned flags;
  const char *help;
  const char *units; /* numeric keys: CF units ("s", "1/s", "USD/h"); NULL: "1" */
} kt_field;

#define KT_MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define KT_ROW_F64(T, k, m, d, lo, hi, fl, h) \
  { k, KT_F64, offsetof(T, m), 0, 0, 0, d, lo, hi, NULL, NULL, fl, h, NULL }
#define KT_ROW_F64U(T, k, m, d, lo, hi, fl, u, h) \
  { k, KT_F64, offsetof(T, m), 0, 0, 0, d, lo, hi, NULL, NULL, fl, h, u }
#define KT_ROW_U32(T, k, m, d, lo, hi, fl, h) \
  { k, KT_U32, offsetof(T, m), 0, 0, 0, d, lo, hi, NULL, NULL, fl, h, NULL }
#define KT_ROW_U64(T, k, m, d, fl, h) \
  { k, KT_U64, offsetof(T, m), 0, 0, 0, d, 0, 18446744073709551615.0, NULL, NULL, fl, h, NULL }
#define KT_ROW_BOOL(T, k, m, d, fl, h) \
  { k, KT_BOOL, offsetof(T, m), 0, 0, 0, d, 0, 1, NULL, NULL, fl, h, NULL }
#define KT_ROW_STR(T, k, m, d, fl, h) \
  { k, KT_STR, offsetof(T, m), KT_MEMBER_SIZE(T, m), 0, 0, 0, 0, 0, d, NULL, fl, h, NULL }
#define KT_ROW_ENUM(T, k, m, d, names, fl, h) \
  { k, KT_ENUM, offsetof(T, m), 0, 0, 0, 0, 0, 0, d, names, fl, h, NULL }
#define KT_ROW_F64LIST(T, k, m, cnt, lo, hi, fl, h)                                                                   \
  {                                                                                                                   \
    k, KT_F64LIST, offsetof(T, m), KT_MEMBER_SIZE(T, m) / sizeof(double), 0, offsetof(T, cnt), 0, lo, hi, NULL, NULL, \
        fl, h, NULL                                                                                                   \
  }
#define KT_ROW_STRLIST(T, k, m, cnt, fl, h)                                                                 \
  {                                                                                                         \
    k, KT_STRLIST, offsetof(T, m), KT_MEMBER_SIZE(T, m) / KT_MEMBER_SIZE(T, m[0]), KT_MEMBER_SIZE(T, m[0]), \
        offsetof(T, cnt), 0, 0, 0, NULL, NULL, fl, h, NULL                                                  \
  }

void kt_defaults(const kt_field *tab, size_t n, void *obj);

/* Applies every key of the mapping `map` (whose path is `prefix`, "" at the top) to obj.
 * Keys listed in `skip` (top-level names, NULL-terminated, may be NULL) are left to the caller.
 * lines[i], when lines is not NULL, receives the line where tab[i] was set. */
ss_status kt_apply(const kt_field *tab, size_t n, const yc_node *map, const char *prefix, const char *file,
                   const char *const *skip, void *obj, unsigned *lines, ss_err *err);
/* Sets one field from a node; `where` is "file:line" for messages. */
ss_status kt_set(const kt_field *f, const yc_node *v, const char *where, void *obj, ss_err *err);
/* Checks that every KT_REQUIRED field was set (lines[i] != 0). */
ss_status kt_check_required(const kt_field *tab, size_t n, const unsigned *lines, const char *file, ss_err *err);

const kt_field *kt_find(const kt_field *tab, size_t n, const char *key);
/* Index of key in tab, or -1. */
long kt_index(const kt_field *tab, size_t n, const char *key);
bool kt_is_numeric(const kt_field *f);
/* CF units of a key's values: its units, "1" for other numbers, "" for text, booleans and names. */
const char *kt_units(const kt_field *f);
double kt_get_f64(const kt_field *f, const void *obj);   /* numeric, bool and enum fields */
void kt_set_f64(const kt_field *f, void *obj, double v); /* numeric fields, no bounds check */
/* Writes the value as YAML text (shortest form that reads back to the same value). */
void kt_format(const kt_field *f, const void *obj, char *buf, size_t len);
/* "an integer from 1 to 64", "one of: a, b, c", ... */
void kt_allowed(const kt_field *f, char *buf, size_t len);
/* Echo of obj as nested YAML, in table order. */
void kt_print_yaml(FILE *out, const kt_field *tab, size_t n, const void *obj);
void kt_print_help(FILE *out, const kt_field *tab, size_t n);

/* The name of names[0..n) closest to a mistyped word (a few letters off), or NULL. */
const char *kt_closest_name(const char *word, const char *const *names, size_t n);
/* The key of tab closest to a mistyped key (a few letters off), or NULL: for "did you mean". */
const char *kt_suggest(const kt_field *tab, size_t n, const char *key);

/* Strict numeric parsing: whole string, finite, in range. 0 ok, 1 not a number, 2 out of range. */
int kt_parse_f64(const char *s, double *out);
/* Case-insensitive comparison ignoring ' ', '-', '_' (for ids and aliases people type). */
bool kt_name_eq(const char *a, const char *b);

#endif
