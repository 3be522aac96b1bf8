/* datafile.c: strict CSV readers for traces and histograms. The whole file is read (regular files
 * only, size capped, hashed), then parsed record by record (base/csv: any line ends, a byte-order mark,
 * quotes): blank lines and '#' comments are skipped, an optional header must name exactly the expected
 * columns, and every data row must hold exactly that many numbers. */
#include "config/datafile.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/fileio.h"

enum { MAX_COLS = 3 };
#define TRACE_MAX_BYTES ((size_t)1 << 30)
#define HIST_MAX_BYTES  ((size_t)64 << 20)

typedef ss_status (*row_fn)(datafile *f, const double *v, unsigned line, ss_err *err);

typedef struct {
  const char *what, *header; /* "trace", "arrival_s,input_tokens,output_tokens" */
  int ncol;
  size_t max_bytes;
  row_fn row;
} csv_kind;

/* A field as a number (spaces around it allowed); false when it is not one or is not finite. */
static bool parse_number(const char *field, double *v) {
  char *end;
  errno = 0;
  *v = strtod(field, &end);
  while (*end == ' ' || *end == '\t') end++;
  return end != field && !*end && !errno && isfinite(*v);
}

/* A header record: its fields, spaces removed, are the expected column names in order. */
static bool is_header(const csv_reader *r, const char *want) {
  for (size_t i = 0; i < r->n; i++) {
    for (const char *p = r->field[i]; *p; p++) {
      if (*p == ' ' || *p == '\t') continue;
      if (*p != *want++) return false;
    }
    if (*want++ != (i + 1 < r->n ? ',' : '\0')) return false;
  }
  return r->n > 0;
}

/* The record as text (fields joined by commas, at most len - 1 bytes), for messages. */
static const char *record_text(const csv_reader *r, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < r->n && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%.40s", i ? "," : "", r->field[i]);
  return buf;
}

/* Parses len bytes of text (the file's content, its hash already taken) as a CSV of kind k. */
static ss_status parse_csv(const char *path, const char *text, size_t len, const csv_kind *k, datafile *f,
                           ss_err *err) {
  char shown[200];
  size_t rows = 0;
  csv_reader r = {0};
  bool more = true, first = true;
  ss_status rc = SS_OK;
  if ((size_t)snprintf(f->path, sizeof f->path, "%s", path) >= sizeof f->path)
    rc = ss_errorf(err, SS_EDATA, "%s: path longer than %d bytes", path, DATAFILE_PATH_LEN - 1);
  if (!rc && len > k->max_bytes)
    rc = ss_errorf(err, SS_EDATA, "%s: the %s is %zu bytes; allowed: at most %zu bytes", path, k->what, len,
                   k->max_bytes);
  if (!rc) rc = csv_begin(&r, path, text, len, '#', err);
  while (!rc && !(rc = csv_next(&r, &more, err)) && more) {
    if (r.n == 1 && !r.field[0][strspn(r.field[0], " \t")]) continue; /* a line of spaces */
    bool was_first = first, numbers = (int)r.n == k->ncol;
    double v[MAX_COLS];
    first = false;
    for (int c = 0; numbers && c < k->ncol; c++) numbers = parse_number(r.field[c], &v[c]);
    if (numbers)
      rc = k->row(f, v, r.line, err), rows++;
    else if (was_first && !is_header(&r, k->header))
      rc = ss_errorf(err, SS_EDATA, "%s:%u: header '%s' is not '%s'; allowed: that header, or none", path, r.line,
                     record_text(&r, shown, sizeof shown), k->header);
    else if (!was_first)
      rc = ss_errorf(err, SS_EDATA, "%s:%u: expected %d numeric columns (%s), got '%s'", path, r.line, k->ncol,
                     k->header, record_text(&r, shown, sizeof shown));
  }
  if (!rc && rows == 0)
    rc = ss_errorf(err, SS_EDATA, "%s: the %s has no data rows (want %s)", path, k->what, k->header);
  csv_end(&r);
  return rc;
}

static ss_status read_csv(const char *path, const csv_kind *k, datafile *f, ss_err *err) {
  char *text = NULL;
  size_t len;
  ss_status rc = fio_read(path, k->max_bytes, k->what, &text, &len, f->sha256, err);
  if (!rc) rc = parse_csv(path, text, len, k, f, err);
  free(text);
  return rc;
}

static bool is_count(double x) { return x >= 1 && x <= 1e9 && x == floor(x); }

/* Makes room for row n of an array (arr points to the array pointer) that doubles when n + 2 is a
 * power of two: capacity 2, 6, 14, 30, ... (object pointers share void *'s representation). */
static bool grow(void *arr, size_t n, size_t elem) {
  if (((n + 2) & (n + 1)) != 0) return true;
  void *old, *q;
  memcpy(&old, arr, sizeof old);
  if (!(q = realloc(old, (2 * n + 2) * elem))) return false;
  memcpy(arr, &q, sizeof q);
  return true;
}

static ss_status hist_row(datafile *f, const double *v, unsigned line, ss_err *err) {
  sim_hist *h = &f->hist;
  if (!is_count(v[0]))
    return ss_errorf(err, SS_EDATA, "%s:%u: tokens %g must be a whole number from 1 to 1e9", f->path, line, v[0]);
  if (!(v[1] >= 0)) return ss_errorf(err, SS_EDATA, "%s:%u: weight %g must be finite and >= 0", f->path, line, v[1]);
  if (!grow(&h->cum, h->n, sizeof *h->cum) || !grow(&h->tokens, h->n, sizeof *h->tokens))
    return ss_errorf(err, SS_ENOMEM, "%s:%u: out of memory", f->path, line);
  h->tokens[h->n] = (uint32_t)v[0];
  h->cum[h->n] = (h->n ? h->cum[h->n - 1] : 0) + v[1];
  h->n++;
  return SS_OK;
}

static ss_status trace_row(datafile *f, const double *v, unsigned line, ss_err *err) {
  sim_trace *t = &f->trace;
  if (!(v[0] >= 0)) return ss_errorf(err, SS_EDATA, "%s:%u: arrival_s %g must be finite and >= 0", f->path, line, v[0]);
  if (t->n && v[0] < t->t_s[t->n - 1])
    return ss_errorf(err, SS_EDATA, "%s:%u: arrival_s %g is before the previous row's; allowed: rows in time order",
                     f->path, line, v[0]);
  if (!is_count(v[1]) || !is_count(v[2]))
    return ss_errorf(err, SS_EDATA, "%s:%u: input_tokens %g and output_tokens %g must be whole numbers from 1 to 1e9",
                     f->path, line, v[1], v[2]);
  if (!grow(&t->t_s, t->n, sizeof *t->t_s) || !grow(&t->in, t->n, sizeof *t->in) ||
      !grow(&t->out, t->n, sizeof *t->out))
    return ss_errorf(err, SS_ENOMEM, "%s:%u: out of memory", f->path, line);
  t->t_s[t->n] = v[0];
  t->in[t->n] = (uint32_t)v[1];
  t->out[t->n] = (uint32_t)v[2];
  if (t->in[t->n] + t->out[t->n] > t->max_total) t->max_total = t->in[t->n] + t->out[t->n];
  t->n++;
  return SS_OK;
}

static const csv_kind TRACE = {"trace", "arrival_s,input_tokens,output_tokens", 3, TRACE_MAX_BYTES, trace_row};
static const csv_kind HIST = {"length histogram", "tokens,weight", 2, HIST_MAX_BYTES, hist_row};

/* A trace from a file (text NULL) or from text. */
static ss_status load_trace(const char *path, const void *text, size_t len, datafile *f, ss_err *err) {
  memset(f, 0, sizeof *f);
  ss_status rc = text ? parse_csv(path, text, len, &TRACE, f, err) : read_csv(path, &TRACE, f, err);
  if (rc) datafile_free(f);
  return rc;
}

ss_status datafile_load_trace(const char *path, datafile *f, ss_err *err) { return load_trace(path, NULL, 0, f, err); }

ss_status datafile_parse_trace(const char *name, const void *text, size_t len, datafile *f, ss_err *err) {
  return load_trace(name, text ? text : "", len, f, err);
}

/* A histogram from a file (text NULL) or from text: weights normalised to a cumulative 1. */
static ss_status load_hist(const char *path, const void *text, size_t len, datafile *f, ss_err *err) {
  memset(f, 0, sizeof *f);
  ss_status rc = text ? parse_csv(path, text, len, &HIST, f, err) : read_csv(path, &HIST, f, err);
  sim_hist *h = &f->hist;
  if (!rc && !(h->cum[h->n - 1] > 0 && isfinite(h->cum[h->n - 1])))
    rc = ss_errorf(err, SS_EDATA, "%s: the histogram weights sum to %g; allowed: a positive, finite sum", path,
                   h->cum[h->n - 1]);
  if (!rc) {
    double total = h->cum[h->n - 1];
    for (size_t i = 0; i < h->n; i++) h->cum[i] /= total;
  }
  if (rc) datafile_free(f);
  return rc;
}

ss_status datafile_load_hist(const char *path, datafile *f, ss_err *err) { return load_hist(path, NULL, 0, f, err); }

ss_status datafile_parse_hist(const char *name, const void *text, size_t len, datafile *f, ss_err *err) {
  return load_hist(name, text ? text : "", len, f, err);
}

void datafile_free(datafile *f) {
  free(f->trace.t_s), free(f->trace.in), free(f->trace.out);
  free(f->hist.tokens), free(f->hist.cum);
  memset(&f->trace, 0, sizeof f->trace);
  memset(&f->hist, 0, sizeof f->hist);
}
