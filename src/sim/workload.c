/* workload.c: arrival processes (one function per process, in a table) and length samplers.
 * Files are parsed once at init; the hot path is a few gsl_ran_* calls per request. */
#include "sim/workload.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"

typedef struct {
  int dist;               /* sc_len_dist */
  uint32_t value, min, max, cap;
  double log_median, sigma;
  double *cum;            /* empirical: cumulative weights, normalised to 1 */
  uint32_t *tokens;
  size_t n;
} wl_len;

typedef bool (*arrival_fn)(wl_gen *g, double *t);

struct wl_gen {
  gsl_rng *arr, *len_in, *len_out, *think;
  arrival_fn next_t;
  double t, rate, gamma_shape, gamma_scale, think_s, pmax;
  double profile[24];
  uint32_t remaining;     /* offline */
  double rho, rho_c;      /* correlation and sqrt(1 - rho^2) */
  wl_len in, out;
  double *tr_t;           /* trace rows */
  uint32_t *tr_in, *tr_out;
  size_t tr_n, tr_i;
  bool closed;
};

/* ---- CSV reading shared by traces and histograms ---- */

/* Parses up to ncol numbers from a CSV line; returns how many were read, -1 when a field is not a number. */
static int parse_row(char *line, double *v, int ncol) {
  int k = 0;
  char *p = line;
  while (k < ncol) {
    char *end;
    errno = 0;
    double x = strtod(p, &end);
    if (end == p || errno) return -1;
    v[k++] = x;
    while (*end == ' ' || *end == '\t') end++;
    if (*end == ',') p = end + 1;
    else if (*end == '\0' || *end == '\n' || *end == '\r') break;
    else return -1;
  }
  return k;
}

typedef ss_status (*row_fn)(void *ctx, const double *v, const char *file, unsigned line, ss_err *err);

/* Calls fn for every data row (ncol numbers). Blank lines and '#' comments are skipped; the first
 * non-blank line may be a header. */
static ss_status read_csv(const char *path, int ncol, const char *what, row_fn fn, void *ctx, ss_err *err) {
  FILE *f = fopen(path, "r");
  if (!f) return ss_errorf(err, SS_ENOINPUT, "%s: cannot open %s: %s", path, what, strerror(errno));
  char line[1024];
  unsigned ln = 0;
  bool first = true;
  ss_status rc = SS_OK;
  while (!rc && fgets(line, sizeof line, f)) {
    ln++;
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0') continue;
    double v[4];
    int k = parse_row(s, v, ncol);
    bool was_first = first;
    first = false;
    if (k < 0 && was_first) continue; /* header */
    if (k != ncol) {
      s[strcspn(s, "\r\n")] = 0;
      rc = ss_errorf(err, SS_EDATA, "%s:%u: expected %d numeric columns (%s), got '%s'", path, ln, ncol, what, s);
    } else {
      rc = fn(ctx, v, path, ln, err);
    }
  }
  if (!rc && ln == 0) rc = ss_errorf(err, SS_EDATA, "%s: the %s file is empty", path, what);
  fclose(f);
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

static ss_status hist_row(void *ctx, const double *v, const char *file, unsigned line, ss_err *err) {
  wl_len *l = ctx;
  if (!is_count(v[0]))
    return ss_errorf(err, SS_EDATA, "%s:%u: tokens %g must be a whole number >= 1", file, line, v[0]);
  if (!(v[1] >= 0) || !isfinite(v[1]))
    return ss_errorf(err, SS_EDATA, "%s:%u: weight %g must be finite and >= 0", file, line, v[1]);
  if (!grow(&l->cum, l->n, sizeof *l->cum) || !grow(&l->tokens, l->n, sizeof *l->tokens))
    return ss_errorf(err, SS_EINTERNAL, "%s:%u: out of memory", file, line);
  l->tokens[l->n] = (uint32_t)v[0];
  l->cum[l->n] = (l->n ? l->cum[l->n - 1] : 0) + v[1];
  l->n++;
  return SS_OK;
}

static ss_status len_init(wl_len *l, const sc_lengths *s, const char *what, ss_err *err) {
  *l = (wl_len){.dist = s->dist, .value = s->value, .min = s->min, .max = s->max,
                .cap = s->max ? s->max : UINT32_MAX, .sigma = s->sigma};
  l->log_median = log(s->median);
  if (l->dist == LEN_UNIFORM && (s->max == 0 || s->min > s->max))
    return ss_errorf(err, SS_EDATA, "%s: dist uniform needs 1 <= min <= max, got min %u max %u", what, s->min, s->max);
  if (l->dist != LEN_EMPIRICAL) return SS_OK;
  ss_status rc = read_csv(s->file, 2, "tokens,weight histogram", hist_row, l, err);
  if (rc) return rc;
  if (!l->n) return ss_errorf(err, SS_EDATA, "%s: the histogram has no rows (want tokens,weight)", s->file);
  double total = l->cum[l->n - 1];
  if (!(total > 0)) return ss_errorf(err, SS_EDATA, "%s: the histogram weights sum to 0", s->file);
  for (size_t i = 0; i < l->n; i++) l->cum[i] /= total;
  return SS_OK;
}

static uint32_t clamp_len(const wl_len *l, double x) {
  if (!(x >= 1)) return 1; /* also NAN */
  if (x >= l->cap) return l->cap;
  return (uint32_t)x;
}

/* One length. z is a standard normal when the draw is correlated (u = Phi(z)); otherwise NAN and
 * the sampler draws from r itself. */
static uint32_t len_sample(const wl_len *l, gsl_rng *r, double z) {
  bool corr = !isnan(z);
  switch (l->dist) {
  case LEN_FIXED: return clamp_len(l, l->value);
  case LEN_LOGNORMAL:
    if (!corr) z = gsl_ran_gaussian_ziggurat(r, 1.0);
    return clamp_len(l, floor(exp(l->log_median + l->sigma * z) + 0.5));
  case LEN_UNIFORM: {
    double u = corr ? gsl_cdf_ugaussian_P(z) : gsl_rng_uniform(r);
    double x = l->min + floor(u * (double)(l->max - l->min + 1));
    return clamp_len(l, fmin(x, l->max));
  }
  default: { /* LEN_EMPIRICAL: inverse CDF by bisection */
    double u = corr ? gsl_cdf_ugaussian_P(z) : gsl_rng_uniform(r);
    size_t lo = 0, hi = l->n - 1;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (l->cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return clamp_len(l, l->tokens[lo]);
  }
  }
}

void wl_lengths(wl_gen *g, uint32_t *in, uint32_t *out) {
  if (g->rho == 0) {
    *in = len_sample(&g->in, g->len_in, NAN);
    *out = len_sample(&g->out, g->len_out, NAN);
    return;
  }
  double z1 = gsl_ran_gaussian_ziggurat(g->len_in, 1.0), z2 = gsl_ran_gaussian_ziggurat(g->len_out, 1.0);
  *in = len_sample(&g->in, g->len_in, z1);
  *out = len_sample(&g->out, g->len_out, g->rho * z1 + g->rho_c * z2);
}

/* ---- arrival processes ---- */

static bool next_poisson(wl_gen *g, double *t) {
  *t = g->t += gsl_ran_exponential(g->arr, 1.0 / g->rate);
  return true;
}

static bool next_gamma(wl_gen *g, double *t) {
  *t = g->t += gsl_ran_gamma(g->arr, g->gamma_shape, g->gamma_scale);
  return true;
}

/* Non-homogeneous Poisson by thinning: candidates at the peak rate, kept with probability
 * rate(t) / peak, rate piecewise constant per hour of the day. */
static bool next_diurnal(wl_gen *g, double *t) {
  if (g->pmax <= 0) return false;
  for (;;) {
    g->t += gsl_ran_exponential(g->arr, 1.0 / (g->rate * g->pmax));
    double hour = fmod(floor(g->t / 3600.0), 24.0);
    if (gsl_rng_uniform(g->arr) * g->pmax < g->profile[(int)hour]) break;
  }
  *t = g->t;
  return true;
}

static bool next_offline(wl_gen *g, double *t) {
  if (!g->remaining) return false;
  g->remaining--;
  *t = 0;
  return true;
}

static bool next_none(wl_gen *g, double *t) {
  (void)g, (void)t;
  return false;
}

static const arrival_fn ARRIVAL_FNS[] = {
    [ARR_POISSON] = next_poisson, [ARR_GAMMA] = next_gamma, [ARR_DIURNAL] = next_diurnal,
    [ARR_CLOSED] = next_none,     [ARR_OFFLINE] = next_offline, [ARR_TRACE] = next_none,
};

bool wl_next(wl_gen *g, wl_req *r) {
  if (g->tr_t) {
    if (g->tr_i == g->tr_n) return false;
    *r = (wl_req){g->tr_t[g->tr_i], g->tr_in[g->tr_i], g->tr_out[g->tr_i]};
    g->tr_i++;
    return true;
  }
  if (!g->next_t(g, &r->t_s)) return false;
  wl_lengths(g, &r->input_tokens, &r->output_tokens);
  return true;
}

double wl_think_s(wl_gen *g) { return g->think_s > 0 ? gsl_ran_exponential(g->think, g->think_s) : 0; }
bool wl_is_closed(const wl_gen *g) { return g->closed; }

/* ---- trace files ---- */

static ss_status trace_row(void *ctx, const double *v, const char *file, unsigned line, ss_err *err) {
  wl_gen *g = ctx;
  if (!(v[0] >= 0) || !isfinite(v[0]))
    return ss_errorf(err, SS_EDATA, "%s:%u: arrival_s %g must be finite and >= 0", file, line, v[0]);
  if (g->tr_n && v[0] * g->t < g->tr_t[g->tr_n - 1])
    return ss_errorf(err, SS_EDATA, "%s:%u: arrival_s %g is before the previous row's; allowed: rows in time order",
                     file, line, v[0]);
  if (!is_count(v[1]) || !is_count(v[2]))
    return ss_errorf(err, SS_EDATA, "%s:%u: input_tokens %g and output_tokens %g must be whole numbers >= 1", file,
                     line, v[1], v[2]);
  if (!grow(&g->tr_t, g->tr_n, sizeof *g->tr_t) || !grow(&g->tr_in, g->tr_n, sizeof *g->tr_in) ||
      !grow(&g->tr_out, g->tr_n, sizeof *g->tr_out))
    return ss_errorf(err, SS_EINTERNAL, "%s:%u: out of memory", file, line);
  g->tr_t[g->tr_n] = v[0] * g->t; /* g->t holds the time scale while reading */
  g->tr_in[g->tr_n] = (uint32_t)v[1];
  g->tr_out[g->tr_n] = (uint32_t)v[2];
  g->tr_n++;
  return SS_OK;
}

ss_status wl_init(wl_gen **out, const scenario *sc, uint64_t key, ss_err *err) {
  ss_status rc = SS_EINTERNAL;
  wl_gen *g = calloc(1, sizeof *g);
  *out = NULL;
  if (!g) return ss_errorf(err, SS_EINTERNAL, "out of memory for the workload generator");
  g->arr = rng_stream(key, RNG_ARRIVALS);
  g->len_in = rng_stream(key, RNG_INPUT_LEN);
  g->len_out = rng_stream(key, RNG_OUTPUT_LEN);
  g->think = rng_stream(key, RNG_CLOSED_THINK);
  if (!g->arr || !g->len_in || !g->len_out || !g->think) {
    rc = ss_errorf(err, SS_EINTERNAL, "out of memory for random streams");
    goto fail;
  }
  const int proc = sc->arrival.process;
  g->next_t = ARRIVAL_FNS[proc];
  g->rate = sc->arrival.rate_per_s;
  double cv2 = sc->arrival.cv * sc->arrival.cv;
  g->gamma_shape = 1.0 / cv2;
  g->gamma_scale = cv2 / g->rate;
  g->think_s = sc->arrival.think_s;
  g->remaining = sc->arrival.n;
  g->closed = proc == ARR_CLOSED;
  for (size_t i = 0; i < 24 && i < sc->arrival.n_profile; i++) {
    g->profile[i] = sc->arrival.profile[i];
    g->pmax = fmax(g->pmax, g->profile[i]);
  }
  g->rho = sc->correlation;
  g->rho_c = sqrt(1 - g->rho * g->rho);
  if ((rc = len_init(&g->in, &sc->input, "workload.input_tokens", err)) ||
      (rc = len_init(&g->out, &sc->output, "workload.output_tokens", err)))
    goto fail;
  if (proc == ARR_TRACE) {
    g->t = sc->arrival.time_scale;
    rc = read_csv(sc->arrival.file, 3, "arrival_s,input_tokens,output_tokens trace", trace_row, g, err);
    g->t = 0;
    if (rc) goto fail;
    if (!g->tr_n) {
      rc = ss_errorf(err, SS_EDATA, "%s: the trace has no rows", sc->arrival.file);
      goto fail;
    }
  }
  *out = g;
  return SS_OK;
fail:
  wl_free(g);
  return rc;
}

void wl_free(wl_gen *g) {
  if (!g) return;
  gsl_rng *rs[] = {g->arr, g->len_in, g->len_out, g->think};
  for (size_t i = 0; i < 4; i++)
    if (rs[i]) gsl_rng_free(rs[i]);
  free(g->in.cum), free(g->in.tokens), free(g->out.cum), free(g->out.tokens);
  free(g->tr_t), free(g->tr_in), free(g->tr_out);
  free(g);
}
