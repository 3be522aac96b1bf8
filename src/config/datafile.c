/* datafile.c: strict CSV readers for traces and histograms. The whole file is read (regular files
 * only, size capped, hashed), then parsed line by line: blank lines and '#' comments are skipped, an
 * optional header must name exactly the expected columns, and every data row must hold exactly that
 * many numbers. */
#include "config/datafile.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

/* Parses exactly ncol comma-separated numbers from line (spaces around fields allowed); -1 when a
 * field is not a number, else how many fields the line has. */
static int parse_row(const char *line, double *v, int ncol) {
  int k = 0;
  const char *p = line;
  for (;;) {
    char *end;
    errno = 0;
    double x = strtod(p, &end);
    if (end == p || errno || !isfinite(x)) return -1;
    if (k < ncol) v[k] = x;
    k++;
    while (*end == ' ' || *end == '\t') end++;
    if (*end == ',')
      p = end + 1;
    else if (*end == '\0')
      return k;
    else
      return -1;
  }
}

/* A header line with its spaces removed equals the expected column names. */
static bool is_header(const char *line, const char *want) {
  for (;; line++) {
    while (*line == ' ' || *line == '\t') line++;
    if (*line != *want) return false;
    if (!*line) return true;
    want++;
  }
}

static ss_status read_csv(const char *path, const csv_kind *k, datafile *f, ss_err *err) {
  char *text = NULL;
  size_t len;
  ss_status rc = fio_read(path, k->max_bytes, k->what, &text, &len, f->sha256, err);
  if (rc) return rc;
  if ((size_t)snprintf(f->path, sizeof f->path, "%s", path) >= sizeof f->path) {
    free(text);
    return ss_errorf(err, SS_EDATA, "%s: path longer than %d bytes", path, DATAFILE_PATH_LEN - 1);
  }
  if (memchr(text, '\0', len)) {
    unsigned ln = 1;
    for (const char *p = text; *p; p++) ln += *p == '\n';
    free(text);
    return ss_errorf(err, SS_EDATA, "%s:%u: NUL byte in the %s; allowed: CSV text", path, ln, k->what);
  }
  unsigned ln = 0;
  size_t rows = 0;
  bool first = true;
  for (char *line = text, *next; !rc && line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    ln++;
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r') line[--n] = '\0';
    char *s = line + strspn(line, " \t");
    if (*s == '#' || *s == '\0') continue;
    double v[MAX_COLS];
    int got = parse_row(s, v, k->ncol);
    bool was_first = first;
    first = false;
    if (got < 0 && was_first && is_header(s, k->header)) continue;
    if (got < 0 && was_first)
      rc = ss_errorf(err, SS_EDATA, "%s:%u: header '%s' is not '%s'; allowed: that header, or none", path, ln, s,
                     k->header);
    else if (got != k->ncol)
      rc = ss_errorf(err, SS_EDATA, "%s:%u: expected %d numeric columns (%s), got '%s'", path, ln, k->ncol, k->header,
                     s);
    else
      rc = k->row(f, v, ln, err), rows++;
  }
  if (!rc && rows == 0)
    rc = ss_errorf(err, SS_EDATA, "%s: the %s has no data rows (want %s)", path, k->what, k->header);
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

ss_status datafile_load_trace(const char *path, datafile *f, ss_err *err) {
  memset(f, 0, sizeof *f);
  ss_status rc = read_csv(path, &TRACE, f, err);
  if (rc) datafile_free(f);
  return rc;
}

ss_status datafile_load_hist(const char *path, datafile *f, ss_err *err) {
  memset(f, 0, sizeof *f);
  ss_status rc = read_csv(path, &HIST, f, err);
  sim_hist *h = &f->hist;
  if (!rc && !(h->cum[h->n - 1] > 0)) rc = ss_errorf(err, SS_EDATA, "%s: the histogram weights sum to 0", path);
  if (!rc) {
    double total = h->cum[h->n - 1];
    for (size_t i = 0; i < h->n; i++) h->cum[i] /= total;
  }
  if (rc) datafile_free(f);
  return rc;
}

void datafile_free(datafile *f) {
  free(f->trace.t_s), free(f->trace.in), free(f->trace.out);
  free(f->hist.tokens), free(f->hist.cum);
  memset(&f->trace, 0, sizeof f->trace);
  memset(&f->hist, 0, sizeof f->hist);
}
