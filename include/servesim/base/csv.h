/* csv.h: a strict RFC 4180 record reader over text in memory: comma-separated fields, optionally in
 * double quotes (a quote inside written as two; commas and line breaks allowed inside), records ended
 * by LF, CRLF or a lone CR (files saved by old Mac tools), a UTF-8 byte-order mark skipped, blank lines
 * and comment lines (a chosen first character) skipped.
 * Invariant: a record is returned only when every field was well formed; anything else (a NUL byte, a
 * quote inside an unquoted field, text after a closing quote, an unterminated quote, too many
 * fields) is SS_EDATA naming the file and line. */
#ifndef SERVESIM_CSV_H
#define SERVESIM_CSV_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

enum { CSV_MAX_FIELDS = 64 };

typedef struct {
  const char *name;            /* the file, for messages */
  char *buf;                   /* a private copy of the text, decoded in place */
  size_t len, pos;             /* its length and the reading position */
  char comment;                /* a line starting with it is skipped ('\0': none) */
  unsigned line;               /* the line the record just read starts on (1-based) */
  unsigned next_line;          /* the line at pos */
  char *field[CSV_MAX_FIELDS]; /* the record's fields, unquoted, NUL-terminated */
  size_t n;                    /* how many */
} csv_reader;

/* Starts reading len bytes of text (copied). comment: lines starting with it are skipped ('\0': none). */
ss_status csv_begin(csv_reader *r, const char *name, const void *text, size_t len, char comment, ss_err *err);
/* Reads the next record into r->field[0..r->n); *more is false (and n 0) at the end of the text. */
ss_status csv_next(csv_reader *r, bool *more, ss_err *err);
void csv_end(csv_reader *r);

#endif
