/* csv.c: RFC 4180 records, decoded in place in a private copy of the text (a field never grows when its
 * quotes are removed, so the write position never passes the read position).
 * Invariant: line numbers count LF, CRLF and lone CR as one line break each, inside quotes too. */
#include "base/csv.h"

#include <stdlib.h>
#include <string.h>

ss_status csv_begin(csv_reader *r, const char *name, const void *text, size_t len, char comment, ss_err *err) {
  memset(r, 0, sizeof *r);
  r->name = name, r->comment = comment, r->line = r->next_line = 1;
  const char *nul = memchr(text, '\0', len);
  if (nul) {
    unsigned line = 1;
    for (const char *p = text; p < nul; p++) line += *p == '\n' || (*p == '\r' && p[1] != '\n');
    return ss_errorf(err, SS_EDATA, "%s:%u: NUL byte; allowed: CSV text", name, line);
  }
  if (!(r->buf = malloc(len + 1))) return ss_errorf(err, SS_ENOMEM, "%s: out of memory for %zu bytes", name, len);
  memcpy(r->buf, text, len);
  r->buf[len] = '\0';
  r->len = len;
  if (len >= 3 && !memcmp(r->buf, "\xef\xbb\xbf", 3)) r->pos = 3; /* the UTF-8 byte-order mark */
  return SS_OK;
}

void csv_end(csv_reader *r) {
  free(r->buf);
  r->buf = NULL;
}

/* Consumes a line break at pos (LF, CRLF or CR); false when there is none. */
static bool line_break(csv_reader *r) {
  char c = r->pos < r->len ? r->buf[r->pos] : '\0';
  if (c != '\n' && c != '\r') return false;
  r->pos += c == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n' ? 2 : 1;
  r->next_line++;
  return true;
}

/* Skips blank lines and comment lines. */
static void skip_blank(csv_reader *r) {
  for (;;) {
    if (line_break(r)) continue;
    if (!r->comment || r->pos >= r->len || r->buf[r->pos] != r->comment) return;
    while (r->pos < r->len && r->buf[r->pos] != '\n' && r->buf[r->pos] != '\r') r->pos++;
  }
}

/* One field at pos, decoded to *out (<= pos); stops at its terminator, which it leaves unread. */
static ss_status field(csv_reader *r, char **out, ss_err *err) {
  char *w = *out;
  if (r->buf[r->pos] != '"') {
    for (char c; r->pos < r->len && (c = r->buf[r->pos]) != ',' && c != '\n' && c != '\r'; r->pos++) {
      if (c == '"')
        return ss_errorf(err, SS_EDATA,
                         "%s:%u: field %zu: a quote inside an unquoted field; allowed: the whole field in quotes, a "
                         "quote in it written as two (\"\")",
                         r->name, r->next_line, r->n + 1);
      *w++ = c;
    }
    *out = w;
    return SS_OK;
  }
  unsigned opened = r->next_line;
  r->pos++;
  for (;;) {
    if (r->pos >= r->len)
      return ss_errorf(err, SS_EDATA, "%s:%u: field %zu: the quote opened here is never closed", r->name, opened,
                       r->n + 1);
    char c = r->buf[r->pos];
    if (c == '"' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '"') {
      *w++ = '"', r->pos += 2;
    } else if (c == '"') {
      r->pos++;
      break;
    } else if (c == '\n' || c == '\r') {
      size_t at = r->pos;
      line_break(r);
      while (at < r->pos) *w++ = r->buf[at++];
    } else {
      *w++ = c, r->pos++;
    }
  }
  char next = r->pos < r->len ? r->buf[r->pos] : ',';
  if (next != ',' && next != '\n' && next != '\r')
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: field %zu: text after the closing quote; allowed: a comma or the line's end", r->name,
                     r->next_line, r->n + 1);
  *out = w;
  return SS_OK;
}

ss_status csv_next(csv_reader *r, bool *more, ss_err *err) {
  r->n = 0;
  skip_blank(r);
  *more = r->pos < r->len;
  if (!*more) return SS_OK;
  r->line = r->next_line;
  for (;;) {
    if (r->n == CSV_MAX_FIELDS)
      return ss_errorf(err, SS_EDATA, "%s:%u: more than %d fields; allowed: at most %d", r->name, r->line,
                       CSV_MAX_FIELDS, CSV_MAX_FIELDS);
    char *start = r->buf + r->pos, *end = start;
    ss_status rc = field(r, &end, err);
    if (rc) return rc;
    char term = r->pos < r->len ? r->buf[r->pos] : '\0';
    if (term == ',') /* past the terminator before the field's end (which may be it) is written */
      r->pos++;
    else
      line_break(r);
    *end = '\0';
    r->field[r->n++] = start;
    if (term != ',') return SS_OK;
  }
}
