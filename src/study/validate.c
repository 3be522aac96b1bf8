/* validate.c: reads measurement cases, predicts each through the mode-handler table and scores the
 * error. single and static are closed-form sums of perf_step_time; offline, closed and poisson go
 * to the event simulator (validate_opts.sim), or offline to the stated steady-state approximation.
 * Invariant: a row is predicted or carries the reason it was skipped. */
#include "study/validate.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/fileio.h"
#include "config/resolve.h"

/* ---- reading ---- */

typedef enum { COL_STR, COL_U32, COL_F64 } col_type;
typedef struct {
  const char *name;
  col_type type;
  size_t off, cap;
  bool required;
  double min, max; /* numbers: the bounds (a measured value must be positive: errors are relative to it) */
} column;

#define CS(n, m, req) \
  { n, COL_STR, offsetof(validate_case, m), sizeof(((validate_case *)0)->m), req, 0, 0 }
#define CN(n, m, t, req, lo, hi) \
  { n, t, offsetof(validate_case, m), 0, req, lo, hi }
static const column COLS[] = {
    CS("id", id, true),
    CS("gpu", gpu, true),
    CN("gpus", gpus, COL_U32, true, 1, 65536),
    CN("tp", tp, COL_U32, true, 1, 65536),
    CS("model", model, true),
    CS("weights", weights, true),
    CS("kv", kv, true),
    CS("engine", engine, true),
    CS("mode", mode, true),
    CN("load", load, COL_F64, true, 0, 1e9),
    CN("input_len", input_len, COL_F64, true, 0, VALIDATE_MAX_LEN),
    CN("output_len", output_len, COL_F64, true, 0, VALIDATE_MAX_LEN),
    CS("metric", metric, true),
    CN("value", value, COL_F64, true, 1e-300, 1e15),
    CS("group", group, false),
    CS("trust", trust, false),
    CN("input_sigma", input_sigma, COL_F64, false, 0, 5),
    CN("output_sigma", output_sigma, COL_F64, false, 0, 5),
    CN("requests", requests, COL_F64, false, 0, 1e9),
    CS("set", set, false),
};
#define NCOLS               (sizeof COLS / sizeof COLS[0])
#define CASE_FILE_MAX_BYTES ((size_t)64 << 20)

static ss_status set_field(const column *c, const char *v, validate_case *k, const char *path, unsigned line,
                           ss_err *err) {
  char *base = (char *)k;
  double d;
  if (c->type == COL_STR) {
    if (strlen(v) >= c->cap)
      return ss_errorf(err, SS_EDATA, "%s:%u: column '%s': '%.64s' is too long; allowed: at most %zu bytes", path, line,
                       c->name, v, c->cap - 1);
    strcpy(base + c->off, v);
    return SS_OK;
  }
  if (kt_parse_f64(v, &d) || d < c->min || d > c->max || (c->type == COL_U32 && d != floor(d))) {
    char range[64];
    if (c->min > 0 && c->min < 1e-100)
      snprintf(range, sizeof range, "above 0 and at most %g", c->max);
    else
      snprintf(range, sizeof range, "from %g to %g", c->min, c->max);
    return ss_errorf(err, SS_EDATA, "%s:%u: column '%s': '%.64s' is not %s %s%s", path, line, c->name, v,
                     c->type == COL_U32 ? "a whole number" : "a number", range,
                     strchr(v, ',') ? " (write numbers without thousands separators)" : "");
  }
  if (c->type == COL_U32)
    *(uint32_t *)(base + c->off) = (uint32_t)d;
  else
    *(double *)(base + c->off) = d;
  return SS_OK;
}

/* The header: every name a known column, each once, every required one there; where[c] is the field of
 * column c (-1: absent). */
static ss_status read_header(const csv_reader *r, long *where, ss_err *err) {
  char names[512] = "";
  for (size_t c = 0, used = 0; c < NCOLS; c++)
    used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", c ? "," : "", COLS[c].name);
  for (size_t c = 0; c < NCOLS; c++) where[c] = -1;
  for (size_t i = 0; i < r->n; i++) {
    size_t c = 0;
    while (c < NCOLS && strcmp(r->field[i], COLS[c].name)) c++;
    if (c == NCOLS)
      return ss_errorf(err, SS_EDATA, "%s:%u: header field %zu '%.64s' is not a column; allowed: %s", r->name, r->line,
                       i + 1, r->field[i], names);
    if (where[c] >= 0)
      return ss_errorf(err, SS_EDATA, "%s:%u: column '%s' appears twice (fields %ld and %zu); allowed: each once",
                       r->name, r->line, COLS[c].name, where[c] + 1, i + 1);
    where[c] = (long)i;
  }
  for (size_t c = 0; c < NCOLS; c++)
    if (where[c] < 0 && COLS[c].required)
      return ss_errorf(err, SS_EDATA,
                       "%s:%u: header lacks column '%s'; required: id,gpu,gpus,tp,model,weights,kv,engine,mode,"
                       "load,input_len,output_len,metric,value (optional: group,trust,input_sigma,output_sigma)",
                       r->name, r->line, COLS[c].name);
  return SS_OK;
}

/* One data record into k, its field count checked against the header's. */
static ss_status read_case(const csv_reader *r, const long *where, size_t n_header, validate_case *k, ss_err *err) {
  memset(k, 0, sizeof *k);
  k->line = r->line;
  if (r->n != n_header)
    return ss_errorf(err, SS_EDATA, "%s:%u: %zu fields, the header has %zu%s", r->name, r->line, r->n, n_header,
                     r->n > n_header ? " (a number written with a thousands separator, like 1,000, splits in two: "
                                       "write 1000)"
                                     : "");
  for (size_t c = 0; c < NCOLS; c++) {
    if (where[c] < 0) continue;
    ss_status rc = set_field(&COLS[c], r->field[where[c]], k, r->name, r->line, err);
    if (rc) return rc;
  }
  return SS_OK;
}

static bool blank_record(const csv_reader *r) { return r->n == 1 && !r->field[0][strspn(r->field[0], " \t")]; }

ss_status validate_parse(const char *name, const char *text, size_t len, validate_case **cases, size_t *n,
                         ss_err *err) {
  csv_reader r;
  long where[NCOLS];
  size_t cap = 0, n_header = 0;
  bool more = true, header = false;
  *cases = NULL, *n = 0;
  ss_status rc = csv_begin(&r, name, text, len, '#', err);
  while (!rc && !(rc = csv_next(&r, &more, err)) && more) {
    if (blank_record(&r)) continue;
    if (!header) {
      header = true, n_header = r.n;
      rc = read_header(&r, where, err);
      continue;
    }
    if (*n == cap) {
      validate_case *g = realloc(*cases, (cap = cap ? 2 * cap : 64) * sizeof *g);
      if (!g) {
        rc = ss_errorf(err, SS_ENOMEM, "%s: out of memory for %zu cases", name, cap);
        break;
      }
      *cases = g;
    }
    if (!(rc = read_case(&r, where, n_header, &(*cases)[*n], err))) (*n)++;
  }
  if (!rc && !header) rc = ss_errorf(err, SS_EDATA, "%s: empty file; expected a header line and case rows", name);
  if (!rc && !*n) rc = ss_errorf(err, SS_EDATA, "%s: a header but no case rows", name);
  csv_end(&r);
  if (rc) free(*cases), *cases = NULL, *n = 0;
  return rc;
}

ss_status validate_load(const char *path, validate_case **cases, size_t *n, ss_err *err) {
  char *text = NULL;
  size_t len = 0;
  *cases = NULL, *n = 0;
  ss_status rc = fio_read(path, CASE_FILE_MAX_BYTES, "case file", &text, &len, NULL, err);
  if (!rc) rc = validate_parse(path, text, len, cases, n, err);
  free(text);
  return rc;
}

/* ---- mode handlers ---- */

static const char *const METRIC_NAMES[VM_COUNT] = {
#define X(name, kind) #name,
    VALIDATE_METRICS(X)
#undef X
};
static const int METRIC_KIND[VM_COUNT] = {
#define X(name, kind) kind,
    VALIDATE_METRICS(X)
#undef X
};

const char *validate_kind_name(int kind) {
  static const char *const NAMES[VALIDATE_NKINDS] = {"throughput", "latency", "cost", "tail latency"};
  return kind >= 0 && kind < VALIDATE_NKINDS ? NAMES[kind] : "?";
}

int validate_metric_kind(const char *metric) {
  for (int m = 0; m < VM_COUNT; m++)
    if (!strcmp(METRIC_NAMES[m], metric)) return METRIC_KIND[m];
  return -1;
}

/* Deterministic per-request timings: every quantile equals the mean. */
static void set_latency(double p[VM_COUNT], double ttft, double tpot, double e2e) {
  p[VM_ttft_s_mean] = p[VM_ttft_s_p50] = p[VM_ttft_s_p99] = ttft;
  p[VM_tpot_s_mean] = p[VM_tpot_s_p50] = p[VM_tpot_s_p99] = p[VM_itl_s_mean] = tpot;
  p[VM_e2e_s_mean] = e2e;
}

/* Batch 1 (llama.cpp eval / prompt-eval): prefill the input, then `output_len` decode steps from it. */
static bool mode_single(const validate_env *env, double p[VM_COUNT], char *reason, size_t len) {
  const validate_case *c = env->c;
  (void)reason, (void)len;
  double t_pre = c->input_len > 0 ? perf_prefill_time(env->perf, c->input_len) : 0;
  double t_dec = perf_decode_time(env->perf, 1, c->input_len, c->output_len);
  double tpot = c->output_len > 0 ? t_dec / c->output_len : NAN;
  double e2e = t_pre + (c->output_len > 1 ? (c->output_len - 1) * tpot : 0);
  if (c->input_len > 0) p[VM_prefill_tok_s] = c->input_len / t_pre;
  if (c->output_len > 0) p[VM_decode_tok_s_b1] = 1 / tpot;
  /* a source's straight line through batch-1 ITL against context: intercept at 0, slope per token */
  double lo = 256, hi = fmax(lo + 1, fmin(125000, env->b->model->max_context - c->output_len));
  p[VM_itl_fit_intercept_s] = perf_decode_time(env->perf, 1, 0, 1);
  p[VM_itl_fit_slope_s] = (perf_decode_time(env->perf, 1, hi, 1) - perf_decode_time(env->perf, 1, lo, 1)) / (hi - lo);
  set_latency(p, t_pre > 0 ? t_pre : tpot, tpot, e2e);
  p[VM_output_tok_s] = c->output_len > 0 ? c->output_len / e2e : NAN;
  p[VM_output_tok_s_per_gpu] = p[VM_output_tok_s] / c->gpus;
  p[VM_req_s] = 1 / e2e;
  return true;
}

/* Static batching: one prefill of the whole batch, then output_len - 1 decode steps of all of it. */
static bool mode_static(const validate_env *env, double p[VM_COUNT], char *reason, size_t len) {
  const validate_case *c = env->c;
  double B = c->load, fit = perf_max_batch(env->perf, c->input_len, c->output_len);
  if (B > fit) { /* the source ran it: refuse only what the memory itself cannot hold */
    const perf_memory *m = &env->perf->mem;
    double kv_all = m->total_bytes - m->weight_bytes - m->activation_bytes - m->reserve_bytes;
    double need = B * (c->input_len + c->output_len) * m->kv_bytes_per_token;
    if (need > kv_all) {
      snprintf(reason, len,
               "batch %.0f needs %.1f GB of KV per GPU, more than the %.1f GB the GPU has beside weights and "
               "activations",
               B, need / 1e9, kv_all / 1e9);
      return false;
    }
    snprintf(env->note, env->note_len,
             "batch %.0f beyond the profile's KV budget (%.0f sequences): memory fraction "
             "raised, as the source ran it",
             B, fit);
  }
  batch_shape pre = {.n_prefill = (uint32_t)B,
                     .prefill_tokens = B * c->input_len,
                     .prefill_attn = B * c->input_len * c->input_len / 2,
                     .prefill_attn_local = B * perf_local_chunk_attn(env->perf, 0, c->input_len),
                     .n_sampled = (uint32_t)B};
  double t_pre = perf_step_time(env->perf, &pre);
  double steps = c->output_len > 1 ? c->output_len - 1 : 0;
  double t_dec = perf_decode_time(env->perf, B, c->input_len + 1, steps);
  double tpot = steps > 0 ? t_dec / steps : NAN, e2e = t_pre + t_dec;
  set_latency(p, t_pre, tpot, e2e);
  if (B == 1) p[VM_decode_tok_s_b1] = 1 / tpot;
  p[VM_output_tok_s] = B * c->output_len / e2e;
  p[VM_output_tok_s_per_gpu] = p[VM_output_tok_s] / c->gpus;
  p[VM_req_s] = B / e2e;
  return true;
}

/* APPROXIMATION: continuous batching in steady state. offline: all requests at t=0, the batch is what
 * fits; closed (zero think time): the batch is the number of users. Each request's prefill is spread
 * over the decode steps, so the step time is also the per-token pace including prefill stalls. */
static bool mode_steady_analytic(const validate_env *env, double p[VM_COUNT], char *reason, size_t len) {
  const validate_case *c = env->c;
  double replicas = (double)c->gpus / (c->tp * env->perf->pp), step;
  double B = fmin(!strcmp(c->mode, "closed") ? c->load / replicas : c->load,
                  perf_max_batch(env->perf, c->input_len, c->output_len));
  if (B < 1) {
    snprintf(reason, len, "one request of %.0f tokens does not fit the KV cache", c->input_len + c->output_len);
    return false;
  }
  double tok_s = perf_steady_tok_s(env->perf, B, c->input_len, c->output_len, &step);
  p[VM_output_tok_s] = tok_s * replicas;
  p[VM_output_tok_s_per_gpu] = p[VM_output_tok_s] / c->gpus;
  p[VM_req_s] = p[VM_output_tok_s] / fmax(c->output_len, 1);
  p[VM_tpot_s_mean] = p[VM_tpot_s_p50] = p[VM_itl_s_mean] = step;
  return true;
}

typedef struct {
  const char *mode;
  validate_mode_fn fn; /* NULL: needs the event simulator */
  bool analytic_ok;    /* offline, closed: the steady-state approximation may stand in */
  int process;         /* sim_arrival the case's own settings are checked against (its keys apply to it) */
} mode_row;

static const mode_row MODES[] = {
    {"single", mode_single, false, ARR_POISSON}, {"static", mode_static, false, ARR_POISSON},
    {"offline", NULL, true, ARR_OFFLINE},        {"closed", NULL, true, ARR_CLOSED},
    {"poisson", NULL, false, ARR_POISSON},
};

static const mode_row *mode_of(const char *mode) {
  for (size_t i = 0; i < sizeof MODES / sizeof MODES[0]; i++)
    if (!strcmp(MODES[i].mode, mode)) return &MODES[i];
  return NULL;
}

int validate_mode_process(const char *mode) {
  const mode_row *m = mode_of(mode);
  return m && !m->fn ? m->process : -1;
}

/* ---- running ---- */

static bool bind_case(const hwdb *db, const validate_case *c, hwdb_bound *b, char *reason, size_t len) {
  static const struct {
    const char *what;
    hwdb_cat cat;
    size_t off;
  } REFS[] = {
      {"gpu", HWDB_GPUS, offsetof(validate_case, gpu)},          {"model", HWDB_MODELS, offsetof(validate_case, model)},
      {"weights", HWDB_QUANT, offsetof(validate_case, weights)}, {"kv", HWDB_QUANT, offsetof(validate_case, kv)},
      {"engine", HWDB_ENGINES, offsetof(validate_case, engine)},
  };
  const void *found[5];
  for (size_t i = 0; i < 5; i++) {
    const char *name = (const char *)c + REFS[i].off;
    if (!(found[i] = hwdb_find(db, REFS[i].cat, name))) {
      snprintf(reason, len, "%s '%s' is not in hwdb", REFS[i].what, name);
      return false;
    }
  }
  *b = (hwdb_bound){found[0], found[1], found[2], found[3], found[4], hwdb_engine_beyond(db, c->engine)};
  return true;
}

static bool copy_name(char *dst, size_t cap, const char *src) { return (size_t)snprintf(dst, cap, "%s", src) < cap; }

ss_status validate_case_set(const validate_case *c, sc_point *pt, ss_err *err) {
  char where[96], set[sizeof c->set];
  ss_status rc;
  snprintf(where, sizeof where, "validation case %s (line %u)", c->id, c->line);
  snprintf(set, sizeof set, "%s", c->set);          /* the source's own settings: key=value;key=value */
  for (char *item = set, *end; *item; item = end) { /* not strtok: rows are predicted on several threads */
    end = item + strcspn(item, ";");
    if (*end) *end++ = '\0';
    if (*item && (rc = scenario_point_set(pt, item, where, err))) return rc;
  }
  return SS_OK;
}

ss_status validate_case_point(const validate_case *c, const hwdb *db, sc_point *pt, ss_err *err) {
  char where[96];
  ss_status rc;
  scenario_defaults(pt);
  snprintf(where, sizeof where, "validation case %s (line %u)", c->id, c->line);
  if (c->tp == 0 || c->gpus % c->tp)
    return ss_errorf(err, SS_EDATA, "%s: gpus %u is not a multiple of tp %u", where, c->gpus, c->tp);
  if (!copy_name(pt->gpu, sizeof pt->gpu, c->gpu) || !copy_name(pt->model, sizeof pt->model, c->model) ||
      !copy_name(pt->weights, sizeof pt->weights, c->weights) || !copy_name(pt->kv_cache, sizeof pt->kv_cache, c->kv) ||
      !copy_name(pt->engine, sizeof pt->engine, c->engine))
    return ss_errorf(err, SS_EDATA, "%s: an hwdb name is too long", where);
  pt->sim.dep.tp = c->tp;
  const mode_row *m = mode_of(c->mode);
  if (m) pt->sim.wl.process = m->process;
  if ((rc = validate_case_set(c, pt, err))) return rc;
  /* gpus counts the whole system: a replica is tp x pp GPUs (pp from the row's `set`, else 1), unless `set`
   * gives the replicas itself */
  uint32_t per = c->tp * pt->sim.dep.pp;
  if (c->gpus % per)
    return ss_errorf(err, SS_EDATA, "%s: gpus %u is not a multiple of tp %u x pp %u", where, c->gpus, c->tp,
                     pt->sim.dep.pp);
  if (!scenario_given(pt, scenario_key_index("deployment.replicas"))) pt->sim.dep.replicas = c->gpus / per;
  if ((rc = resolve_point(NULL, pt, db, err))) return ss_err_prefix(err, "%s: ", where), rc;
  return SS_OK;
}

/* Binds the case, builds the step-time model and dispatches to its mode; false with a reason if skipped. */
static bool predict(const hwdb *db, const validate_case *c, const validate_opts *o, validate_row *r) {
  const mode_row *m = mode_of(c->mode);
  hwdb_bound b;
  sc_point pt;
  perf_opts po;
  perf_ctx ctx;
  ss_err e = {{0}};
  double pred[VM_COUNT];
  int metric = -1;
  char *why = r->reason;
  size_t len = sizeof r->reason;
  for (int k = 0; k < VM_COUNT; k++)
    if (!strcmp(METRIC_NAMES[k], c->metric)) metric = k;
  if (!m) return snprintf(why, len, "unknown mode '%s'", c->mode), false;
  if (metric < 0) return snprintf(why, len, "unknown metric '%s'", c->metric), false;
  if (!bind_case(db, c, &b, why, len)) return false;
  snprintf(r->profile, sizeof r->profile, "%s", b.engine->id);
  if (c->gpus % c->tp) return snprintf(why, len, "gpus %u is not a multiple of tp %u", c->gpus, c->tp), false;
  if (c->input_len + c->output_len > b.model->max_context) /* also bounds every step loop below */
    return snprintf(why, len, "input %.0f + output %.0f tokens exceed the context of %s (%.0f)", c->input_len,
                    c->output_len, b.model->id, b.model->max_context),
           false;
  if (validate_case_point(c, db, &pt, &e)) return snprintf(why, len, "%.*s", (int)len - 1, e.msg), false;
  b = pt.sim.dep.hw;
  sim_config_perf_opts(&pt.sim, &po);
  /* gpus/tp > 1 in a batch-1 row is a layer split (pipeline stages); elsewhere replicas of the
   * point's deployment.pp stages (validate_case_point) */
  if (!strcmp(c->mode, "single")) po.pp = c->gpus / c->tp;
  if (perf_init(&ctx, &b, &po, &e)) return snprintf(why, len, "%.*s", (int)len - 1, e.msg), false;
  validate_mode_fn fn = m->fn ? m->fn : o->sim ? o->sim : m->analytic_ok && o->analytic ? mode_steady_analytic : NULL;
  if (!fn) return snprintf(why, len, "mode '%s' needs the event simulator", c->mode), false;
  r->approximate = !m->fn && !o->sim;
  for (int k = 0; k < VM_COUNT; k++) pred[k] = NAN;
  validate_env env = {c, &b, &ctx, db, r->note, sizeof r->note};
  if (!fn(&env, pred, why, len)) return false;
  if (isnan(pred[metric]))
    return snprintf(why, len, "mode '%s' does not predict %s%s", c->mode, c->metric,
                    METRIC_KIND[metric] == VALIDATE_COST ? " (the source priced whole instances; hwdb prices GPUs)"
                                                         : ""),
           false;
  if (!isfinite(pred[metric]))
    return snprintf(why, len, "the prediction of %s is not finite (%g)", c->metric, pred[metric]), false;
  r->predicted = pred[metric];
  r->error_pct = (r->predicted - c->value) / c->value * 100;
  static const char *const BAND_OF[VALIDATE_NKINDS] = {
      [VALIDATE_THROUGHPUT] = "throughput", [VALIDATE_LATENCY] = "latency", [VALIDATE_TAIL] = "tail latency"};
  const char *cls = BAND_OF[METRIC_KIND[metric]];
  const model_error *me = cls ? hwdb_model_error(db, cls) : NULL;
  if ((r->banded = me != NULL)) {
    modelerr_band_of(me, b.gpu->id, b.engine->id, b.engine_beyond, b.weights->id, &r->band);
    r->inside = c->value >= r->predicted * r->band.lo && c->value <= r->predicted * r->band.hi;
  }
  return true;
}

void validate_coverage(const validate_report *r, int kind, size_t *banded, size_t *inside) {
  *banded = *inside = 0;
  for (size_t i = 0; i < r->n; i++) {
    const validate_row *w = &r->rows[i];
    if (w->skipped || !w->banded || (kind >= 0 && validate_metric_kind(w->c.metric) != kind)) continue;
    ++*banded;
    *inside += w->inside;
  }
}

ss_status validate_run(const hwdb *db, const validate_case *cases, size_t n, const validate_opts *o, validate_report *r,
                       ss_err *err) {
  validate_opts none = {0};
  r->n = 0;
  if (!(r->rows = calloc(n ? n : 1, sizeof *r->rows))) return ss_errorf(err, SS_ENOMEM, "out of memory");
  const validate_opts *use = o ? o : &none;
  int nthreads = use->threads > 0 ? use->threads : omp_get_max_threads();
  /* rows are independent and each prediction is a function of (case, hwdb): any thread count gives the
   * same report */
#pragma omp parallel for schedule(dynamic) num_threads(nthreads)
  for (size_t i = 0; i < n; i++) {
    r->rows[i].c = cases[i];
    r->rows[i].skipped = !predict(db, &cases[i], use, &r->rows[i]);
  }
  r->n = n;
  return SS_OK;
}

void validate_free(validate_report *r) {
  free(r->rows);
  r->rows = NULL, r->n = 0;
}

/* ---- scoring ---- */

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double quantile(const double *sorted, size_t n, double q) {
  double h = (double)(n - 1) * q;
  size_t lo = (size_t)h;
  return lo + 1 < n ? sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

validate_stat validate_summary(const validate_report *r, const char *group, const char *metric, const char *mode,
                               int kind) {
  validate_stat s = {0, NAN, NAN};
  double *e = malloc((r->n ? r->n : 1) * sizeof *e);
  if (!e) return s;
  for (size_t i = 0; i < r->n; i++) {
    const validate_row *w = &r->rows[i];
    if (w->skipped || (group && strcmp(w->c.group, group)) || (metric && strcmp(w->c.metric, metric)) ||
        (mode && strcmp(w->c.mode, mode)) || (kind >= 0 && validate_metric_kind(w->c.metric) != kind))
      continue;
    e[s.n++] = fabs(w->error_pct);
  }
  if (s.n) {
    qsort(e, s.n, sizeof *e, cmp_dbl);
    s.median_abs_pct = quantile(e, s.n, 0.5);
    s.p90_abs_pct = quantile(e, s.n, 0.9);
  }
  free(e);
  return s;
}
