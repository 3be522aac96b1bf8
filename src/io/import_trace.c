/* import_trace.c: one table of trace formats: CSV formats name their three columns (found by header
 * name, in any position, among any others) and how their time column reads; JSON formats have a reader
 * each. Rows are gathered, stably sorted by arrival, shifted to start at 0, windowed, scaled and capped.
 * Sources of the formats (checked 2025): Azure/AzurePublicDataset AzureLLMInferenceDataset2023.md and
 * 2024 (TIMESTAMP, ContextTokens, GeneratedTokens); HPMLL/BurstGPT README (Timestamp in seconds,
 * Model, Request tokens, Response tokens, Total tokens, Log Type; failures have 0 response tokens);
 * kvcache-ai/Mooncake FAST25 traces (JSONL: timestamp in ms, input_length, output_length, hash_ids);
 * vLLM benchmarks/benchmark_serving.py --save-result (input_lens, output_lens, errors, request_rate). */
#include "io/import_trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/jread.h"

#define TRACE_IN_MAX_BYTES ((size_t)2 << 30)
enum { MAX_FIELDS = 64 };

typedef struct {
  double t;
  double in, out;
  size_t seq; /* file order: the sort is stable */
} row;

typedef struct {
  row *r;
  size_t n, cap, skipped;
} rows;

typedef enum { TIME_SECONDS, TIME_MILLISECONDS, TIME_DATETIME } time_kind;
typedef ss_status (*json_reader)(const char *path, char *text, size_t len, rows *out, ss_err *err);

static ss_status read_mooncake(const char *path, char *text, size_t len, rows *out, ss_err *err);
static ss_status read_vllm(const char *path, char *text, size_t len, rows *out, ss_err *err);

static const struct {
  const char *name;
  const char *cols[3]; /* CSV: time, input tokens, output tokens (NULL for JSON formats) */
  time_kind time;
  json_reader json;
} FORMATS[] = {
    {"servesim", {"arrival_s", "input_tokens", "output_tokens"}, TIME_SECONDS, NULL},
    {"azure", {"TIMESTAMP", "ContextTokens", "GeneratedTokens"}, TIME_DATETIME, NULL},
    {"burstgpt", {"Timestamp", "Request tokens", "Response tokens"}, TIME_SECONDS, NULL},
    {"mooncake", {NULL}, TIME_MILLISECONDS, read_mooncake},
    {"vllm", {NULL}, TIME_SECONDS, read_vllm},
};
#define NFORMATS (sizeof FORMATS / sizeof FORMATS[0])

const char *import_trace_format(size_t i) { return i < NFORMATS ? FORMATS[i].name : NULL; }

static ss_status add_row(rows *rs, double t, double in, double out, const char *path, unsigned line, ss_err *err) {
  if (!(in >= 1) || !(out >= 1)) return rs->skipped++, SS_OK; /* a failed or empty request */
  if (rs->n == rs->cap) {
    row *r = realloc(rs->r, (rs->cap = rs->cap ? 2 * rs->cap : 1024) * sizeof *r);
    if (!r) return ss_errorf(err, SS_ENOMEM, "%s:%u: out of memory", path, line);
    rs->r = r;
  }
  rs->r[rs->n] = (row){t, in, out, rs->n};
  rs->n++;
  return SS_OK;
}

/* ---- CSV ---- */

/* Splits line into fields at commas (double-quoted fields may hold commas; "" is a quote); trims
 * spaces. Returns the number of fields, or -1 for an unterminated quote. Writes into line. */
static int split_csv(char *line, char **f, int max) {
  int n = 0;
  char *p = line;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    char *w = p, *start = p;
    if (*p == '"') {
      for (p++;; p++) {
        if (!*p) return -1;
        if (*p == '"' && p[1] == '"')
          *w++ = '"', p++;
        else if (*p == '"')
          break;
        else
          *w++ = *p;
      }
      p++;
      while (*p == ' ' || *p == '\t') p++;
    } else {
      while (*p && *p != ',') *w++ = *p++;
      while (w > start && (w[-1] == ' ' || w[-1] == '\t')) w--;
    }
    char sep = *p;
    *w = '\0';
    if (n < max) f[n] = start;
    n++;
    if (sep != ',') return n;
    p++;
  }
}

static long days_from_civil(long y, long m, long d) { /* days since 1970-01-01, proleptic Gregorian */
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS[.fraction]" ('T' allowed for the space; a trailing Z or +00:00 ignored), as
 * seconds since 1970 (UTC as written: only differences matter). */
static bool parse_datetime(const char *s, double *out) {
  int y, mo, d, h, mi, used = 0;
  char sep;
  double sec;
  if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%lf%n", &y, &mo, &d, &sep, &h, &mi, &sec, &used) != 7 ||
      (sep != ' ' && sep != 'T') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || !(sec >= 0) ||
      sec >= 61)
    return false;
  const char *tail = s + used;
  if (*tail && strcmp(tail, "Z") && strcmp(tail, "+00:00")) return false;
  *out = (double)days_from_civil(y, mo, d) * 86400 + h * 3600.0 + mi * 60.0 + sec;
  return true;
}

static bool parse_number(const char *s, double *out) {
  char *end;
  if (!*s) return false;
  *out = strtod(s, &end);
  return *end == '\0' && isfinite(*out);
}

static ss_status csv_cell(const char *path, unsigned line, const char *col, const char *s, time_kind tk, bool is_time,
                          double *out, ss_err *err) {
  bool ok = is_time && tk == TIME_DATETIME ? parse_datetime(s, out) : parse_number(s, out);
  if (ok && !is_time && (*out < 0 || *out != floor(*out) || *out > 1e9)) ok = false;
  if (ok && is_time && *out < 0 && tk != TIME_DATETIME) ok = false;
  if (ok) return SS_OK;
  return ss_errorf(err, SS_EDATA, "%s:%u: column '%s': value '%s' is not %s", path, line, col, s,
                   !is_time              ? "a whole number of tokens from 0 to 1e9"
                   : tk == TIME_DATETIME ? "a date and time YYYY-MM-DD HH:MM:SS[.fraction]"
                                         : "a time in seconds >= 0");
}

/* Finds the format's three columns in the header fields (their positions into col[]). */
static ss_status csv_header(const char *path, size_t fmt, char **f, int n, int col[3], ss_err *err) {
  for (int c = 0; c < 3; c++) {
    col[c] = -1;
    for (int i = 0; i < n && i < MAX_FIELDS && col[c] < 0; i++)
      if (!strcmp(f[i], FORMATS[fmt].cols[c])) col[c] = i;
    if (col[c] >= 0) continue;
    char have[512] = "";
    for (int i = 0; i < n && i < MAX_FIELDS; i++)
      snprintf(have + strlen(have), sizeof have - strlen(have), "%s'%s'", i ? ", " : "", f[i]);
    return ss_errorf(err, SS_EDATA, "%s:1: no column '%s' in the header (%s); the %s format needs columns %s, %s, %s",
                     path, FORMATS[fmt].cols[c], have, FORMATS[fmt].name, FORMATS[fmt].cols[0], FORMATS[fmt].cols[1],
                     FORMATS[fmt].cols[2]);
  }
  return SS_OK;
}

static ss_status read_csv(const char *path, size_t fmt, char *text, rows *out, ss_err *err) {
  unsigned ln = 0;
  int col[3] = {-1, -1, -1}, nhead = 0;
  ss_status rc = SS_OK;
  for (char *line = text, *next; !rc && line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    ln++;
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r') line[--len] = '\0';
    if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#') continue;
    char *f[MAX_FIELDS];
    int n = split_csv(line, f, MAX_FIELDS);
    if (n < 0) return ss_errorf(err, SS_EDATA, "%s:%u: a double-quoted field has no closing quote", path, ln);
    if (col[0] < 0) {
      if ((rc = csv_header(path, fmt, f, n, col, err))) return rc;
      nhead = n;
      continue;
    }
    if (n != nhead) return ss_errorf(err, SS_EDATA, "%s:%u: %d fields, but the header has %d", path, ln, n, nhead);
    double v[3];
    for (int c = 0; !rc && c < 3; c++)
      rc = csv_cell(path, ln, FORMATS[fmt].cols[c], f[col[c]], FORMATS[fmt].time, c == 0, &v[c], err);
    if (!rc) rc = add_row(out, v[0], v[1], v[2], path, ln, err);
  }
  if (!rc && col[0] < 0)
    rc = ss_errorf(err, SS_EDATA, "%s: no header line; the %s format needs columns %s, %s, %s", path, FORMATS[fmt].name,
                   FORMATS[fmt].cols[0], FORMATS[fmt].cols[1], FORMATS[fmt].cols[2]);
  return rc;
}

/* ---- JSON ---- */

/* A member that must be a number (whole when whole is set). */
static ss_status json_number(const char *path, const jread_val *obj, const char *key, bool whole, double *out,
                             ss_err *err) {
  const jread_val *v = jread_get(obj, key);
  if (!v) return ss_errorf(err, SS_EDATA, "%s:%u: no key '%s'", path, obj->line, key);
  if (v->type != JREAD_NUM || v->num < 0 || (whole && v->num != floor(v->num)))
    return ss_errorf(err, SS_EDATA, "%s:%u: key '%s': value is %s%s; allowed: a %s >= 0", path, v->line, key,
                     jread_type_name(v->type), v->type == JREAD_NUM ? " out of range" : "",
                     whole ? "whole number" : "number");
  *out = v->num;
  return SS_OK;
}

static ss_status read_mooncake(const char *path, char *text, size_t len, rows *out, ss_err *err) {
  static const char *const KEYS[3] = {"timestamp", "input_length", "output_length"};
  unsigned ln = 0;
  ss_status rc = SS_OK;
  (void)len;
  for (char *line = text, *next; !rc && line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    ln++;
    if (line[strspn(line, " \t\r")] == '\0') continue;
    jread_val v;
    double x[3];
    if ((rc = jread_parse(path, line, strlen(line), ln, &v, err))) return rc;
    if (v.type != JREAD_OBJ)
      rc = ss_errorf(err, SS_EDATA, "%s:%u: the line holds %s; allowed: one JSON object a line", path, ln,
                     jread_type_name(v.type));
    for (int k = 0; !rc && k < 3; k++) rc = json_number(path, &v, KEYS[k], k > 0, &x[k], err);
    jread_free(&v);
    if (!rc) rc = add_row(out, x[0] / 1000, x[1], x[2], path, ln, err);
  }
  return rc;
}

/* An array member of the vLLM result, of n_want entries when n_want > 0. */
static ss_status vllm_array(const char *path, const jread_val *root, const char *key, size_t n_want,
                            const jread_val **out, ss_err *err) {
  const jread_val *a = jread_get(root, key);
  if (!a) return ss_errorf(err, SS_EDATA, "%s: no key '%s' (benchmark_serving.py --save-result writes it)", path, key);
  if (a->type != JREAD_ARR)
    return ss_errorf(err, SS_EDATA, "%s:%u: key '%s' is %s; allowed: an array", path, a->line, key,
                     jread_type_name(a->type));
  if (n_want && a->n != n_want)
    return ss_errorf(err, SS_EDATA, "%s:%u: key '%s' has %zu entries but input_lens has %zu", path, a->line, key, a->n,
                     n_want);
  *out = a;
  return SS_OK;
}

static ss_status vllm_rows(const char *path, const jread_val *root, rows *out, ss_err *err) {
  const jread_val *in, *outl, *errs = NULL, *starts = NULL;
  ss_status rc = vllm_array(path, root, "input_lens", 0, &in, err);
  if (!rc) rc = vllm_array(path, root, "output_lens", in->n, &outl, err);
  if (!rc && jread_get(root, "errors")) rc = vllm_array(path, root, "errors", in->n, &errs, err);
  if (!rc && jread_get(root, "start_times")) rc = vllm_array(path, root, "start_times", in->n, &starts, err);
  if (rc) return rc;
  const jread_val *rate = jread_get(root, "request_rate");
  bool burst = !rate || (rate->type == JREAD_STR && !strcmp(rate->str, "inf"));
  if (!starts && !burst)
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'request_rate': the benchmark drew its arrivals at a finite rate but saved no "
                     "'start_times', so the arrival times are unknown; allowed: a result with start_times, or "
                     "request_rate \"inf\" (every request at time 0); for the lengths alone use them as histograms",
                     path, rate->line);
  for (size_t i = 0; !rc && i < in->n; i++) {
    const jread_val *e = errs ? &errs->kids[i] : NULL,
                    *vals[3] = {starts ? &starts->kids[i] : NULL, &in->kids[i], &outl->kids[i]};
    double x[3] = {0, 0, 0};
    for (int k = 0; !rc && k < 3; k++) {
      if (!vals[k]) continue;
      if (vals[k]->type != JREAD_NUM || vals[k]->num < 0)
        rc = ss_errorf(err, SS_EDATA, "%s:%u: entry %zu of '%s' is %s; allowed: a number >= 0", path, vals[k]->line, i,
                       k == 0   ? "start_times"
                       : k == 1 ? "input_lens"
                                : "output_lens",
                       jread_type_name(vals[k]->type));
      else
        x[k] = vals[k]->num;
    }
    bool failed = e && e->type == JREAD_STR && e->str[0];
    if (!rc && failed)
      out->skipped++;
    else if (!rc)
      rc = add_row(out, x[0], x[1], x[2], path, vals[1]->line, err);
  }
  return rc;
}

static ss_status read_vllm(const char *path, char *text, size_t len, rows *out, ss_err *err) {
  jread_val root;
  ss_status rc = jread_parse(path, text, len, 1, &root, err);
  if (rc) return rc;
  if (root.type != JREAD_OBJ)
    rc = ss_errorf(err, SS_EDATA, "%s: the file holds %s; allowed: the JSON object of a vLLM benchmark result", path,
                   jread_type_name(root.type));
  else
    rc = vllm_rows(path, &root, out, err);
  jread_free(&root);
  return rc;
}

/* ---- detection, window, output ---- */

/* The format named, or detected: .jsonl is Mooncake, .json vLLM, a CSV by its header's columns. */
static ss_status pick_format(const char *path, const char *name, const char *text, size_t *fmt, ss_err *err) {
  char allowed[128] = "";
  for (size_t i = 0; i < NFORMATS; i++) {
    if (name && !strcmp(name, FORMATS[i].name)) return *fmt = i, SS_OK;
    snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s", i ? ", " : "", FORMATS[i].name);
  }
  if (name) return ss_errorf(err, SS_EUSAGE, "trace format '%s' is unknown; allowed: %s", name, allowed);
  const char *dot = strrchr(path, '.');
  for (size_t i = 0; dot && i < NFORMATS; i++)
    if ((!strcmp(dot, ".jsonl") && FORMATS[i].json == read_mooncake) ||
        (!strcmp(dot, ".json") && FORMATS[i].json == read_vllm))
      return *fmt = i, SS_OK;
  size_t hl = strcspn(text, "\n");
  for (size_t i = 0; i < NFORMATS; i++) {
    bool all = FORMATS[i].cols[0] != NULL;
    for (int c = 0; all && c < 3; c++) {
      const char *hit = strstr(text, FORMATS[i].cols[c]);
      all = hit && (size_t)(hit - text) < hl;
    }
    if (all) return *fmt = i, SS_OK;
  }
  return ss_errorf(err, SS_EDATA, "%s: cannot tell the trace format from its name or first line; give one of: %s", path,
                   allowed);
}

static int by_time(const void *a, const void *b) {
  const row *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts, shifts to 0, keeps [start, start + duration), scales, caps, into tr. */
static ss_status finish(const char *path, const import_trace_opts *o, rows *rs, sim_trace *tr,
                        import_trace_summary *sum, ss_err *err) {
  double scale = o->time_scale > 0 ? o->time_scale : 1;
  if (rs->n == 0) return ss_errorf(err, SS_EDATA, "%s: no request with input and output tokens", path);
  qsort(rs->r, rs->n, sizeof *rs->r, by_time);
  double t0 = rs->r[0].t + o->start_s, t1 = o->duration_s > 0 ? t0 + o->duration_s : INFINITY;
  size_t lo = 0, hi;
  while (lo < rs->n && rs->r[lo].t < t0) lo++;
  for (hi = lo; hi < rs->n && rs->r[hi].t < t1 && (!o->limit || hi - lo < o->limit);) hi++;
  if (hi == lo)
    return ss_errorf(err, SS_EDATA, "%s: no request arrives in the window from %g s for %g s (the trace spans %g s)",
                     path, o->start_s, o->duration_s, rs->r[rs->n - 1].t - rs->r[0].t);
  size_t n = hi - lo;
  tr->t_s = malloc(n * sizeof *tr->t_s), tr->in = malloc(n * sizeof *tr->in), tr->out = malloc(n * sizeof *tr->out);
  if (!tr->t_s || !tr->in || !tr->out) return ss_errorf(err, SS_ENOMEM, "%s: out of memory", path);
  for (size_t i = 0; i < n; i++) {
    const row *r = &rs->r[lo + i];
    tr->t_s[i] = (r->t - rs->r[lo].t) * scale;
    tr->in[i] = (uint32_t)r->in, tr->out[i] = (uint32_t)r->out;
    if (tr->in[i] + tr->out[i] > tr->max_total) tr->max_total = tr->in[i] + tr->out[i];
  }
  tr->n = n;
  sum->rows_written = n;
  sum->span_s = tr->t_s[n - 1];
  return SS_OK;
}

ss_status import_trace_read(const char *path, const import_trace_opts *o, sim_trace *tr, import_trace_summary *sum,
                            ss_err *err) {
  char *text = NULL;
  size_t len, fmt = 0;
  rows rs = {0};
  memset(tr, 0, sizeof *tr);
  memset(sum, 0, sizeof *sum);
  if (!(o->time_scale >= 0) || !(o->start_s >= 0) || !(o->duration_s >= 0))
    return ss_errorf(err, SS_EUSAGE, "trace import: time scale %g, start %g s, duration %g s; allowed: numbers >= 0",
                     o->time_scale, o->start_s, o->duration_s);
  ss_status rc = fio_read(path, TRACE_IN_MAX_BYTES, "trace", &text, &len, NULL, err);
  if (!rc && memchr(text, '\0', len)) rc = ss_errorf(err, SS_EDATA, "%s: NUL byte in the trace; allowed: text", path);
  if (!rc) rc = pick_format(path, o->format, text, &fmt, err);
  if (!rc) {
    snprintf(sum->format, sizeof sum->format, "%s", FORMATS[fmt].name);
    rc = FORMATS[fmt].json ? FORMATS[fmt].json(path, text, len, &rs, err) : read_csv(path, fmt, text, &rs, err);
  }
  sum->rows_read = rs.n + rs.skipped, sum->rows_skipped = rs.skipped;
  if (!rc) rc = finish(path, o, &rs, tr, sum, err);
  if (rc) import_trace_free(tr);
  free(rs.r);
  free(text);
  return rc;
}

static ss_status write_csv(FILE *f, void *ctx, ss_err *err) {
  const sim_trace *tr = ctx;
  (void)err;
  fputs("arrival_s,input_tokens,output_tokens\n", f);
  for (size_t i = 0; i < tr->n; i++) fprintf(f, "%.6f,%u,%u\n", tr->t_s[i], tr->in[i], tr->out[i]);
  return SS_OK;
}

ss_status import_trace(const char *path, const import_trace_opts *o, const char *out_csv, import_trace_summary *sum,
                       ss_err *err) {
  sim_trace tr;
  ss_status rc = import_trace_read(path, o, &tr, sum, err);
  if (!rc) rc = fio_write_text(out_csv, "trace", &path, 1, write_csv, &tr, err);
  import_trace_free(&tr);
  return rc;
}

void import_trace_free(sim_trace *tr) {
  free(tr->t_s), free(tr->in), free(tr->out);
  memset(tr, 0, sizeof *tr);
}
