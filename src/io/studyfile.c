/* studyfile.c: the study file, written and read through io/h5. Log columns come from one table per
 * log (REQ_COLS, TS_COLS), so writer and reader agree by construction; every read names the shape it
 * expects (points x replicates, or the row count of /requests/task), so the file cannot size a buffer.
 * Invariant: the file appears under its final name only when written completely. */
#include "io/studyfile.h"

#include <hdf5_hl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5.h"
#include "io/uqfile.h"

/* ---- the log tables ---- */

enum { COL_F64, COL_U32 };
typedef struct {
  const char *name;
  size_t off;
  int type; /* COL_F64 or COL_U32 in the row; stored as float64 */
  const char *units, *long_name;
} log_col;

#define RQ(m, t, u, l) \
  { #m, offsetof(sim_request_row, m), t, u, l }
static const log_col REQ_COLS[] = {
    RQ(arrival_s, COL_F64, "s", "arrival time since the start of the replicate"),
    RQ(first_token_s, COL_F64, "s", "time of the first output token (NaN: not reached)"),
    RQ(finish_s, COL_F64, "s", "time the request finished (NaN: not reached)"),
    RQ(sched_s, COL_F64, "s", "time its first prompt chunk was scheduled (NaN: never)"),
    RQ(input_tokens, COL_U32, "1", "prompt tokens"),
    RQ(output_tokens, COL_U32, "1", "output tokens"),
    RQ(replica, COL_U32, "1", "replica that served the request"),
    RQ(preemptions, COL_U32, "1", "times the request was preempted"),
};
#define TS(m, u, l) \
  { #m, offsetof(sim_ts_row, m), COL_F64, u, l }
static const log_col TS_COLS[] = {
    TS(t_s, "s", "sample time since the start of the replicate"),
    TS(queue_len, "1", "waiting requests, all replicas"),
    TS(running, "1", "running sequences, all replicas"),
    TS(kv_occupancy, "1", "KV-cache blocks in use over capacity"),
};
static const log_col WIN_COLS[] = {
#define X(name, units, long_name) {#name, offsetof(sim_window_row, name), COL_F64, units, long_name},
    WINDOW_COLUMNS(X)
#undef X
};
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* What differs between the logs, so that one writer and one reader serve all of them. */
typedef struct {
  const char *group, *dim;
  const log_col *cols;
  size_t ncols, rowsz;
  bool is_ts;                          /* the first column is the dimension scale itself */
  size_t rows_off, count_off, cap_off; /* of the rows, their count and capacity in sim_log */
} log_kind;
#define LOG_MEMBERS(rows, n, cap) offsetof(sim_log, rows), offsetof(sim_log, n), offsetof(sim_log, cap)
static const log_kind LOGS[3] = {
    {"requests", "request", REQ_COLS, NCOLS(REQ_COLS), sizeof(sim_request_row), false,
     LOG_MEMBERS(req, n_req, cap_req)},
    {"timeseries", "time", TS_COLS, NCOLS(TS_COLS), sizeof(sim_ts_row), true, LOG_MEMBERS(ts, n_ts, cap_ts)},
    {"windows", "window", WIN_COLS, NCOLS(WIN_COLS), sizeof(sim_window_row), false, LOG_MEMBERS(win, n_win, cap_win)},
};

static size_t *log_count(const log_kind *k, sim_log *l) { return (size_t *)((char *)l + k->count_off); }
static char *log_rows(const log_kind *k, const sim_log *l) { return *(char *const *)((const char *)l + k->rows_off); }
/* Whether the study holds log k. */
static bool *log_flag(const log_kind *k, study *st) {
  return k == &LOGS[0] ? &st->log_requests : k == &LOGS[1] ? &st->log_timeseries : &st->log_windows;
}

/* ---- writing ---- */

typedef struct {
  h5w *w;
  hid_t point, replicate, quantile, stat, api; /* dimension scales (api: when there are APIs) */
  hid_t pool;                                  /* deployments of a multi-model fleet, when there are several */
} scales;

static bool write_scales(scales *s, const study *st) {
  size_t n = st->n_points > st->n_reps ? st->n_points : st->n_reps;
  int64_t *idx = malloc(n * sizeof *idx);
  const char *stats[ST_COUNT];
  double q[ST_COUNT];
  size_t nq = 0;
  for (int k = 0; k < ST_COUNT; k++) {
    stats[k] = stats_name((stats_stat)k);
    if (stats_quantile_prob((stats_stat)k) >= 0) q[nq++] = stats_quantile_prob((stats_stat)k);
  }
  for (size_t i = 0; idx && i < n; i++) idx[i] = (int64_t)i;
  h5w *w = s->w;
  bool ok = idx &&
            h5w_scale(w, w->file, "point", st->n_points, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                      "sweep point index (the first sweep key varies slowest)", &s->point) &&
            h5w_scale(w, w->file, "replicate", st->n_reps, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                      "Monte Carlo replicate index", &s->replicate) &&
            h5w_scale(w, w->file, "quantile", nq, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, q, "1",
                      "probability of the quantile statistics p05, p50, p95", &s->quantile) &&
            h5w_scale(w, w->file, "stat", ST_COUNT, w->vstr, w->vstr, stats, "",
                      "statistic across replicates: mean, sd, ci95_lo, ci95_hi, p05, p50, p95", &s->stat);
  const char *apis[SC_MAX_API];
  for (size_t a = 0; a < st->n_apis; a++) apis[a] = st->api_ids[a];
  ok = ok &&
       (!st->n_apis || h5w_scale(w, w->file, "api", st->n_apis, w->vstr, w->vstr, apis, "",
                                 "API compared with (hwdb/prices/api.yaml row id; scenario key compare_api)", &s->api));
  const char *pools[SIM_MAX_POOLS];
  for (size_t i = 0; i < st->n_pools; i++) pools[i] = st->pool_names[i];
  ok = ok &&
       (!st->n_pools || h5w_scale(w, w->file, "pool", st->n_pools, w->vstr, w->vstr, pools, "",
                                  "deployment of a multi-model fleet (deployment.name, then deployments:)", &s->pool));
  free(idx);
  return ok;
}

/* The per-deployment rows (point, replicate, pool) as /pool_<row>, and their summaries (point, pool, stat). */
static bool write_pools(scales *s, hid_t g, const study *st, bool summary) {
  h5w *w = s->w;
  size_t n = study_tasks(st), N = st->n_pools, cells = (summary ? st->n_points * ST_COUNT : n) * N;
  hsize_t dims[3] = {st->n_points, summary ? N : st->n_reps, summary ? ST_COUNT : N};
  hid_t sc[3] = {s->point, summary ? s->pool : s->replicate, summary ? s->stat : s->pool};
  double *buf = malloc((cells ? cells : 1) * sizeof *buf);
  char name[96], long_name[300];
  bool ok = buf != NULL;
  for (int m = 0; ok && N && m < PM_COUNT; m++) {
    for (size_t p = 0; summary && p < st->n_points; p++)
      for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < ST_COUNT; k++) buf[(p * N + i) * ST_COUNT + k] = study_pool_summary(st, p, i)[m].v[k];
    for (size_t t = 0; !summary && t < n; t++)
      for (size_t i = 0; i < N; i++) buf[t * N + i] = st->res[t].pool[i][m];
    snprintf(name, sizeof name, "pool_%s", result_pool_name((pool_metric)m));
    snprintf(long_name, sizeof long_name, "%s%s", result_pool_long_name((pool_metric)m),
             summary ? ": statistics across replicates" : "");
    ok = h5w_var(w, g, name, 3, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf, result_pool_units((pool_metric)m),
                 long_name, sc, NULL);
  }
  free(buf);
  return ok;
}

/* The per-API rows (point, replicate, api), one dataset per costing_api metric. */
static bool write_api_tasks(scales *s, const study *st) {
  h5w *w = s->w;
  size_t n = study_tasks(st), A = st->n_apis;
  hsize_t dims[3] = {st->n_points, st->n_reps, A};
  hid_t pra[3] = {s->point, s->replicate, s->api};
  size_t cells = n * A;
  double *buf = malloc((cells ? cells : 1) * sizeof *buf);
  bool ok = buf != NULL;
  for (int m = 0; ok && A && m < CA_COUNT; m++) {
    for (size_t t = 0; t < n; t++)
      for (size_t a = 0; a < A; a++) buf[t * A + a] = study_api(st, t, a)[m];
    ok = h5w_var(w, w->file, costing_api_name((costing_api_metric)m), 3, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 costing_api_units((costing_api_metric)m), costing_api_long_name((costing_api_metric)m), pra, NULL);
  }
  free(buf);
  return ok;
}

static bool write_api_summary(scales *s, hid_t g, const study *st) {
  h5w *w = s->w;
  size_t P = st->n_points, A = st->n_apis;
  hsize_t dims[3] = {P, A, ST_COUNT};
  hid_t pas[3] = {s->point, s->api, s->stat};
  size_t cells = P * A * ST_COUNT;
  double *buf = malloc((cells ? cells : 1) * sizeof *buf);
  char long_name[300];
  bool ok = buf != NULL;
  for (int m = 0; ok && A && m < CA_COUNT; m++) {
    for (size_t p = 0; p < P; p++)
      for (size_t a = 0; a < A; a++)
        for (size_t k = 0; k < ST_COUNT; k++) buf[(p * A + a) * ST_COUNT + k] = study_api_summary(st, p, a)[m].v[k];
    snprintf(long_name, sizeof long_name, "%s: statistics across replicates",
             costing_api_long_name((costing_api_metric)m));
    ok = h5w_var(w, g, costing_api_name((costing_api_metric)m), 3, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 costing_api_units((costing_api_metric)m), long_name, pas, NULL);
  }
  free(buf);
  return ok;
}

static bool write_tasks(scales *s, const study *st) {
  h5w *w = s->w;
  size_t n = study_tasks(st);
  hsize_t dims[2] = {st->n_points, st->n_reps};
  hid_t pr[2] = {s->point, s->replicate};
  char name[160], long_name[200];
  double *buf = malloc((n ? n : 1) * sizeof *buf);
  bool ok = buf != NULL;
  for (size_t i = 0; ok && i < st->n_axes; i++) {
    const study_axis *a = &st->axes[i];
    const char **txt = a->is_text ? malloc(st->n_points * sizeof *txt) : NULL;
    for (size_t p = 0; txt && p < st->n_points; p++) txt[p] = a->text[p];
    snprintf(name, sizeof name, "point_%s", a->key);
    snprintf(long_name, sizeof long_name, "value of the swept scenario key %s at each point", a->key);
    ok = (!a->is_text || txt) && h5w_var(w, w->file, name, 1, dims, a->is_text ? w->vstr : H5T_NATIVE_DOUBLE,
                                         a->is_text ? w->vstr : H5T_IEEE_F64LE, a->is_text ? (void *)txt : a->num,
                                         a->units, long_name, pr, NULL);
    free(txt);
  }
  for (size_t i = 0; ok && i < st->n_inputs; i++) {
    snprintf(name, sizeof name, "input_%s", st->inputs[i].key);
    snprintf(long_name, sizeof long_name, "sampled value of the uncertain scenario key %s", st->inputs[i].key);
    ok = h5w_var(w, w->file, name, 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->inputs[i].value, st->inputs[i].units,
                 long_name, pr, NULL);
  }
  for (int m = 0; ok && m < RM_COUNT; m++) {
    for (size_t t = 0; t < n; t++) buf[t] = st->res[t].v[m];
    ok = h5w_var(w, w->file, result_name((result_metric)m), 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 result_units((result_metric)m), result_long_name((result_metric)m), pr, NULL);
  }
  for (int m = 0; ok && m < FM_COUNT; m++) {
    for (size_t t = 0; t < n; t++) buf[t] = st->res[t].f[m];
    ok = h5w_var(w, w->file, result_fleet_name((fleet_metric)m), 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 result_fleet_units((fleet_metric)m), result_fleet_long_name((fleet_metric)m), pr, NULL);
  }
  ok = ok && h5w_var(w, w->file, "slo_met", 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->slo_met, "1",
                     "1 when the replicate was not saturated and met both p99 SLOs (TTFT, TPOT)", pr, NULL);
  free(buf);
  return ok && write_api_tasks(s, st) && write_pools(s, w->file, st, false);
}

/* /resolved: what each point resolved to (study/provenance's table), along /point. */
static bool write_resolved(scales *s, const study *st) {
  h5w *w = s->w;
  size_t nf, P = st->n_points;
  const provenance_field *f = provenance_fields(&nf);
  hsize_t n = P;
  hid_t g = H5Gcreate2(w->file, "resolved", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  void *buf = malloc((P ? P : 1) * (sizeof(double) > sizeof(char *) ? sizeof(double) : sizeof(char *)));
  bool ok = g >= 0 && buf &&
            h5w_attr_text(w, g, "long_name",
                          "what each sweep point resolved to: hwdb ids (aliases resolved), the GPU price and its row, "
                          "the efficiencies and overheads applied (nominal point)");
  for (size_t k = 0; ok && k < nf; k++) {
    for (size_t p = 0; p < P; p++) {
      const char *field = (const char *)&st->resolved[p] + f[k].off;
      if (f[k].text)
        ((const char **)buf)[p] = field;
      else
        memcpy((double *)buf + p, field, sizeof(double));
    }
    ok = h5w_var(w, g, f[k].name, 1, &n, f[k].text ? w->vstr : H5T_NATIVE_DOUBLE, f[k].text ? w->vstr : H5T_IEEE_F64LE,
                 buf, f[k].units, f[k].long_name, &s->point, NULL);
  }
  if (!ok && !w->failed) w->failed = "resolved";
  free(buf);
  if (g >= 0) H5Gclose(g);
  return ok;
}

/* The verdict readers use instead of recomputing it: 1 where most replicates saturated (the point
 * reports no latency). */
static bool write_point_saturated(h5w *w, hid_t g, const study *st, const hid_t *ps) {
  hsize_t n = st->n_points;
  double *v = malloc((n ? n : 1) * sizeof *v);
  for (size_t p = 0; v && p < n; p++) v[p] = study_point_saturated(st, p);
  bool ok =
      v && h5w_var(w, g, "point_saturated", 1, &n, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, v, "1",
                   "1 when most replicates saturated: the point is beyond capacity and reports no latency", ps, NULL);
  free(v);
  return ok;
}

/* /windows_summary/<column> (point, window, stat): each window column across replicates, NaN where a
 * point has fewer windows; the "window" scale numbers them. */
static bool write_window_summary(scales *s, const study *st) {
  h5w *w = s->w;
  size_t W = st->win_max, cells = st->n_points * W * ST_COUNT;
  if (!W || !st->win_summary) return true;
  hid_t g = H5Gcreate2(w->file, "windows_summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), win = H5I_INVALID_HID;
  int64_t *idx = malloc(W * sizeof *idx);
  double *buf = malloc(cells * sizeof *buf);
  char long_name[300];
  for (size_t k = 0; idx && k < W; k++) idx[k] = (int64_t)k;
  bool ok = g >= 0 && idx && buf &&
            h5w_scale(w, g, "window", W, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                      "window index: window k spans [k, k + 1) x output.window_s", &win);
  hsize_t dims[3] = {st->n_points, W, ST_COUNT};
  hid_t pws[3] = {s->point, win, s->stat};
  for (int c = 0; ok && c < WC_COUNT; c++) {
    for (size_t p = 0; p < st->n_points; p++)
      for (size_t k = 0; k < W; k++)
        for (size_t q = 0; q < ST_COUNT; q++) buf[(p * W + k) * ST_COUNT + q] = study_win_summary(st, p, k)[c].v[q];
    snprintf(long_name, sizeof long_name, "%s: statistics across replicates", win_column_long_name((win_column)c));
    ok = h5w_var(w, g, win_column_name((win_column)c), 3, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 win_column_units((win_column)c), long_name, pws, NULL);
  }
  if (!ok && !w->failed) w->failed = "windows_summary";
  if (win >= 0) H5Dclose(win);
  if (g >= 0) H5Gclose(g);
  free(idx), free(buf);
  return ok;
}

static bool write_summary(scales *s, const study *st) {
  h5w *w = s->w;
  hid_t g = H5Gcreate2(w->file, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t dims[2] = {st->n_points, ST_COUNT};
  hid_t ps[2] = {s->point, s->stat};
  double *buf = malloc(st->n_points * ST_COUNT * sizeof *buf);
  char long_name[256];
  bool ok = g >= 0 && buf;
  for (int m = 0; ok && m < RM_COUNT; m++) {
    for (size_t p = 0; p < st->n_points; p++)
      for (size_t k = 0; k < ST_COUNT; k++) buf[p * ST_COUNT + k] = st->summary[p][m].v[k];
    snprintf(long_name, sizeof long_name, "%s: statistics across replicates%s", result_long_name((result_metric)m),
             result_is_latency((result_metric)m) ? " (saturated replicates left out)" : "");
    ok = h5w_var(w, g, result_name((result_metric)m), 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 result_units((result_metric)m), long_name, ps, NULL);
  }
  for (int m = 0; ok && m < FM_COUNT; m++) {
    for (size_t p = 0; p < st->n_points; p++)
      for (size_t k = 0; k < ST_COUNT; k++) buf[p * ST_COUNT + k] = st->fleet_summary[p][m].v[k];
    snprintf(long_name, sizeof long_name, "%s: statistics across replicates", result_fleet_long_name((fleet_metric)m));
    ok = h5w_var(w, g, result_fleet_name((fleet_metric)m), 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 result_fleet_units((fleet_metric)m), long_name, ps, NULL);
  }
  ok = ok &&
       h5w_var(w, g, "saturated_count", 1, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->saturated_count, "1",
               "replicates flagged saturated", ps, NULL) &&
       h5w_var(w, g, "replicates_used", 1, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->replicates_used, "1",
               "replicates in the latency statistics (not saturated; 0 where most saturated)", ps, NULL) &&
       h5w_var(w, g, "slo_met_frac", 1, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->slo_met_frac, "1",
               "fraction of replicates meeting both p99 SLOs", ps, NULL) &&
       write_point_saturated(w, g, st, ps) && write_api_summary(s, g, st) && uqfile_write_precision(w, g, st, s->point) &&
       write_window_summary(s, st) && write_pools(s, g, st, true);
  if (!ok && !w->failed) w->failed = "summary";
  free(buf);
  if (g >= 0) H5Gclose(g);
  return ok;
}

/* Log tables are written LOG_CHUNK rows at a time: memory for the write is one slice, whatever the
 * log's size (the logs themselves are bounded by limits.max_log_rows). */
enum { LOG_CHUNK = 65536 };
/* Columns besides k->cols: the row number (the request dimension scale) and the row's task indices. */
enum { LOG_ROW = -1, LOG_TASK = -2, LOG_POINT = -3, LOG_REPLICATE = -4 };

/* Column c of row i of task t (the log's row-th row overall). */
static double log_value(const study *st, const log_kind *k, size_t t, size_t i, size_t row, int c) {
  switch (c) {
  case LOG_ROW: return (double)row;
  case LOG_TASK: return (double)t;
  case LOG_POINT: return (double)(t / st->n_reps);
  case LOG_REPLICATE: return (double)(t % st->n_reps);
  default: break;
  }
  const char *v = log_rows(k, &st->logs[t]) + i * k->rowsz + k->cols[c].off;
  if (k->cols[c].type == COL_F64) {
    double d;
    memcpy(&d, v, sizeof d);
    return d;
  }
  uint32_t u;
  memcpy(&u, v, sizeof u);
  return u;
}

/* One column of a log table, created at its full length and filled slice by slice; a scale column is
 * left open in *scale, any other has *scale attached. */
static bool write_log_column(h5w *w, hid_t g, const study *st, const log_kind *k, int c, hsize_t rows,
                             const log_col *meta, hid_t file_type, bool is_scale, hid_t *scale, double *buf) {
  hid_t ds = H5I_INVALID_HID;
  bool ok = is_scale ? h5w_scale(w, g, meta->name, rows, H5T_NATIVE_DOUBLE, file_type, NULL, meta->units,
                                 meta->long_name, &ds)
                     : h5w_var(w, g, meta->name, 1, &rows, H5T_NATIVE_DOUBLE, file_type, NULL, meta->units,
                               meta->long_name, scale, &ds);
  size_t n = 0, row = 0;
  for (size_t t = st->task_lo; ok && t < st->task_hi; t++)
    for (size_t i = 0, nr = *log_count(k, &st->logs[t]); ok && i < nr; i++, row++) {
      buf[n++] = log_value(st, k, t, i, row, c);
      if (n == LOG_CHUNK) ok = h5w_rows(w, ds, row + 1 - n, n, H5T_NATIVE_DOUBLE, buf, meta->name), n = 0;
    }
  if (ok && n) ok = h5w_rows(w, ds, row - n, n, H5T_NATIVE_DOUBLE, buf, meta->name);
  if (ok && is_scale)
    *scale = ds;
  else if (ds >= 0)
    H5Dclose(ds);
  return ok;
}

/* One log table: the dimension scale (row numbers, or the time series' own time column), k->cols,
 * and each row's task, point and replicate. */
static bool write_log(scales *s, const study *st, const log_kind *k) {
  static const log_col INDEX[] = {
      {"task", 0, 0, "1", "task index (point x replicates + replicate)"},
      {"point_index", 0, 0, "1", "sweep point index"},
      {"replicate_index", 0, 0, "1", "replicate index"},
  };
  static const log_col ROW = {"request", 0, 0, "1", "request row number"};
  h5w *w = s->w;
  size_t rows = 0;
  for (size_t t = st->task_lo; t < st->task_hi; t++) rows += *log_count(k, &st->logs[t]);
  hid_t g = H5Gcreate2(w->file, k->group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), scale = H5I_INVALID_HID;
  double *buf = malloc(LOG_CHUNK * sizeof *buf);
  bool ok = g >= 0 && buf;
  /* the scale: the time series' first column is the "time" coordinate itself; requests are numbered */
  if (ok && k->is_ts) {
    log_col time = k->cols[0];
    time.name = k->dim;
    ok = write_log_column(w, g, st, k, 0, rows, &time, H5T_IEEE_F64LE, true, &scale, buf);
  } else if (ok) {
    ok = write_log_column(w, g, st, k, LOG_ROW, rows, &ROW, H5T_STD_I64LE, true, &scale, buf);
  }
  for (size_t c = k->is_ts ? 1 : 0; ok && c < k->ncols; c++)
    ok = write_log_column(w, g, st, k, (int)c, rows, &k->cols[c], H5T_IEEE_F64LE, false, &scale, buf);
  for (int c = 0; ok && c < 3; c++)
    ok = write_log_column(w, g, st, k, LOG_TASK - c, rows, &INDEX[c], H5T_STD_I64LE, false, &scale, buf);
  if (!ok && !w->failed) w->failed = k->group;
  if (scale >= 0) H5Dclose(scale);
  if (g >= 0) H5Gclose(g);
  free(buf);
  return ok;
}

ss_status studyfile_write(const study *st, const char *path, int argc, char *const *argv, const char *const *inputs,
                          size_t n_inputs, ss_err *err) {
  h5w w;
  ss_status rc = h5w_create(&w, path, inputs, n_inputs, err);
  if (rc) return rc;
  scales s = {&w, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
  bool whole = st->shard_count == 1 && st->task_lo == 0 && st->task_hi == study_tasks(st);
  char title[160];
  snprintf(title, sizeof title, "servesim study: %s", st->name);
  h5_provenance p = {whole ? h5_kind_study : h5_kind_study_part,
                     title,
                     st->name,
                     st->seed,
                     argc,
                     argv,
                     st->hwdb_dir,
                     st->hwdb_sha256,
                     st->input_files,
                     st->n_input_files};
  const char *yaml = st->config_yaml ? st->config_yaml : "";
  bool ok = h5w_provenance(&w, &p) && h5w_attr_text(&w, w.file, "notes", st->notes ? st->notes : "") &&
            h5w_attr_u32(&w, w.file, "shard_index", st->shard_index) &&
            h5w_attr_u32(&w, w.file, "shard_count", st->shard_count) &&
            h5w_attr_u64(&w, w.file, "task_lo", st->task_lo) && h5w_attr_u64(&w, w.file, "task_hi", st->task_hi) &&
            h5w_var(&w, w.file, "config_yaml", 0, NULL, w.vstr, w.vstr, &yaml, "",
                    "the resolved scenario (every key, defaults filled in), YAML", NULL, NULL) &&
            write_scales(&s, st) && write_tasks(&s, st) && (!st->resolved_known || write_resolved(&s, st)) &&
            uqfile_write_design(&w, st, s.replicate) && (!whole || write_summary(&s, st)) &&
            (!st->log_requests || write_log(&s, st, &LOGS[0])) && (!st->log_timeseries || write_log(&s, st, &LOGS[1])) &&
            (!st->log_windows || write_log(&s, st, &LOGS[2]));
  rc = ok ? SS_OK : h5w_failure(&w, err);
  /* sensitivity needs every replicate of a point: whole studies only, not shards */
  if (!rc && whole) rc = uqfile_write_sensitivity(&w, st, s.point, err);
  hid_t *ids[] = {&s.point, &s.replicate, &s.quantile, &s.stat, &s.api, &s.pool};
  for (size_t i = 0; i < NCOLS(ids); i++)
    if (*ids[i] >= 0) H5Dclose(*ids[i]);
  if (rc) return h5w_abort(&w), rc;
  return h5w_commit(&w, err);
}

/* ---- reading ---- */

/* Collects point_* and input_* datasets of the root group, in creation (= writing) order. */
typedef struct {
  study *st;
  bool too_many;
} collector;

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  collector *c = data;
  study *st = c->st;
  (void)g, (void)info;
  if (!strncmp(name, "point_", 6)) {
    if (st->n_axes == SC_MAX_AXES || strlen(name + 6) >= STUDY_KEY_LEN) return c->too_many = true, 1;
    snprintf(st->axes[st->n_axes++].key, STUDY_KEY_LEN, "%s", name + 6);
  } else if (!strncmp(name, "input_", 6)) {
    if (st->n_inputs == SC_MAX_UNCERTAIN || strlen(name + 6) >= STUDY_KEY_LEN) return c->too_many = true, 1;
    snprintf(st->inputs[st->n_inputs++].key, STUDY_KEY_LEN, "%s", name + 6);
  }
  return 0;
}

/* Reads one log table back into per-task sim_logs (rows are grouped by their task column, which must
 * name tasks of the file's range). */
static ss_status read_log(const h5r *r, study *st, const log_kind *k, ss_err *err) {
  if (!h5r_exists(r, r->file, k->group)) return SS_OK;
  hid_t g = H5Gopen2(r->file, k->group, H5P_DEFAULT);
  if (g < 0) return ss_errorf(err, SS_EDATA, "%s: /%s is not a group", r->path, k->group);
  hsize_t rows = 0;
  size_t T = study_tasks(st);
  double *task = NULL, *col = NULL;
  size_t *fill = NULL;
  char name[160];
  ss_status rc;
  snprintf(name, sizeof name, "%s/task", k->group);
  if ((rc = h5r_extent(r, r->file, name, (hsize_t)1 << 40, &rows, err))) goto done;
  task = malloc((rows ? rows : 1) * sizeof *task), col = malloc((rows ? rows : 1) * sizeof *col);
  fill = calloc(T ? T : 1, sizeof *fill);
  if (!task || !col || !fill) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory for %llu log rows", (unsigned long long)rows);
    goto done;
  }
  if ((rc = h5r_f64(r, r->file, name, 1, &rows, task, err))) goto done;
  for (hsize_t i = 0; i < rows; i++) {
    double t = task[i];
    if (!(t >= (double)st->task_lo && t < (double)st->task_hi && t == floor(t))) {
      rc = ss_errorf(err, SS_EDATA, "%s: /%s row %llu: task %g is outside the file's tasks [%zu, %zu)", r->path, name,
                     (unsigned long long)i, t, st->task_lo, st->task_hi);
      goto done;
    }
    fill[(size_t)t]++;
  }
  for (size_t t = 0; t < T; t++) { /* room per task, then filled column by column */
    sim_log *l = &st->logs[t];
    void *rowsp = fill[t] ? calloc(fill[t], k->rowsz) : NULL;
    if (fill[t] && !rowsp) {
      rc = ss_errorf(err, SS_ENOMEM, "out of memory for the log of task %zu", t);
      goto done;
    }
    memcpy((char *)l + k->rows_off, &rowsp, sizeof rowsp);
    *(size_t *)((char *)l + k->cap_off) = fill[t];
    *log_count(k, l) = fill[t];
  }
  for (size_t c = 0; c < k->ncols; c++) {
    snprintf(name, sizeof name, "%s/%s", k->group, c == 0 && k->is_ts ? k->dim : k->cols[c].name);
    if ((rc = h5r_f64(r, r->file, name, 1, &rows, col, err))) goto done;
    memset(fill, 0, T * sizeof *fill);
    for (hsize_t i = 0; i < rows; i++) {
      size_t t = (size_t)task[i];
      char *row = log_rows(k, &st->logs[t]) + fill[t]++ * k->rowsz + k->cols[c].off;
      if (k->cols[c].type == COL_F64) {
        memcpy(row, &col[i], sizeof(double));
      } else {
        uint32_t u = col[i] >= 0 && col[i] <= UINT32_MAX ? (uint32_t)col[i] : 0;
        memcpy(row, &u, sizeof u);
      }
    }
  }
  *log_flag(k, st) = true;
done:
  free(task), free(col), free(fill);
  H5Gclose(g);
  return rc;
}

static ss_status read_attrs(const h5r *r, study *st, uint64_t *shard, uint64_t *tasks, ss_err *err) {
  static const char *const ROLES[] = {"scenario", "trace", "input_hist", "output_hist"};
  ss_status rc;
  if ((rc = h5r_attr_u64(r, r->file, "master_seed", &st->seed, err)) ||
      (rc = h5r_attr_u64(r, r->file, "shard_index", &shard[0], err)) ||
      (rc = h5r_attr_u64(r, r->file, "shard_count", &shard[1], err)) ||
      (rc = h5r_attr_u64(r, r->file, "task_lo", &tasks[0], err)) ||
      (rc = h5r_attr_u64(r, r->file, "task_hi", &tasks[1], err)) ||
      (rc = h5r_attr_text(r, r->file, "scenario_name", st->name, sizeof st->name, err)) ||
      (rc = h5r_attr_text(r, r->file, "hwdb_dir", st->hwdb_dir, sizeof st->hwdb_dir, err)) ||
      (rc = h5r_attr_text(r, r->file, "hwdb_sha256", st->hwdb_sha256, sizeof st->hwdb_sha256, err)))
    return rc;
  if (H5Aexists(r->file, "notes") > 0 &&
      (rc = h5r_attr_text_dup(r, r->file, "notes", SC_MAX_NOTES * sizeof((study_spec *)0)->notes[0], &st->notes, err)))
    return rc;
  for (size_t i = 0; i < NCOLS(ROLES); i++) {
    char attr[64];
    hash_ref *h = &st->input_files[st->n_input_files];
    snprintf(attr, sizeof attr, "input_%s_sha256", ROLES[i]);
    if (H5Aexists(r->file, attr) <= 0) continue;
    if ((rc = h5r_attr_text(r, r->file, attr, h->sha256, sizeof h->sha256, err))) return rc;
    snprintf(attr, sizeof attr, "input_%s_path", ROLES[i]);
    if ((rc = h5r_attr_text(r, r->file, attr, h->path, sizeof h->path, err))) return rc;
    snprintf(h->role, sizeof h->role, "%s", ROLES[i]);
    st->n_input_files++;
  }
  return SS_OK;
}

/* Point and replicate counts and the task range, checked against each other. */
static ss_status read_shape(const h5r *r, const char *kind, const uint64_t *shard, const uint64_t *tasks, hsize_t *P,
                            hsize_t *R, ss_err *err) {
  ss_status rc;
  if ((rc = h5r_extent(r, r->file, "point", SC_MAX_POINTS, P, err)) ||
      (rc = h5r_extent(r, r->file, "replicate", 1000000, R, err)))
    return rc;
  if (!*P || !*R) return ss_errorf(err, SS_EDATA, "%s: /point and /replicate must not be empty", r->path);
  uint64_t total = (uint64_t)*P * *R;
  bool whole = !strcmp(kind, h5_kind_study);
  if (tasks[0] > tasks[1] || tasks[1] > total || shard[1] < 1 || shard[0] < 1 || shard[0] > shard[1] ||
      (whole && (tasks[0] || tasks[1] != total || shard[1] != 1)))
    return ss_errorf(err, SS_EDATA,
                     "%s: task range [%llu, %llu) of part %llu/%llu does not fit %llu points x %llu "
                     "replicates (a %s file)",
                     r->path, (unsigned long long)tasks[0], (unsigned long long)tasks[1], (unsigned long long)shard[0],
                     (unsigned long long)shard[1], (unsigned long long)*P, (unsigned long long)*R, kind);
  return SS_OK;
}

static ss_status read_api(const h5r *r, study *st, ss_err *err) {
  size_t n = study_tasks(st), A = st->n_apis;
  hsize_t pra[3] = {st->n_points, st->n_reps, A}, na = A;
  ss_status rc = h5r_text_1d(r, r->file, "api", na, (char *)st->api_ids, sizeof st->api_ids[0], err);
  double *buf = rc ? NULL : malloc(n * A * sizeof *buf);
  if (!rc && !buf) rc = ss_errorf(err, SS_ENOMEM, "out of memory for the API rows");
  for (int m = 0; !rc && m < CA_COUNT; m++) {
    if ((rc = h5r_f64(r, r->file, costing_api_name((costing_api_metric)m), 3, pra, buf, err))) break;
    for (size_t t = 0; t < n; t++)
      for (size_t a = 0; a < A; a++) study_api(st, t, a)[m] = buf[t * A + a];
  }
  free(buf);
  return rc;
}

/* /resolved, when the file has it (files written before it existed do not). */
static ss_status read_resolved(const h5r *r, study *st, ss_err *err) {
  size_t nf, P = st->n_points;
  const provenance_field *f = provenance_fields(&nf);
  hsize_t n = P;
  char name[160];
  ss_status rc = SS_OK;
  if (!h5r_exists(r, r->file, "resolved")) return SS_OK;
  char *buf = malloc((P ? P : 1) * sizeof st->resolved[0].price_source);
  if (!buf) return ss_errorf(err, SS_ENOMEM, "out of memory for /resolved");
  for (size_t k = 0; !rc && k < nf; k++) {
    snprintf(name, sizeof name, "resolved/%s", f[k].name);
    rc = f[k].text ? h5r_text_1d(r, r->file, name, n, buf, f[k].size, err)
                   : h5r_f64(r, r->file, name, 1, &n, (double *)(void *)buf, err);
    for (size_t p = 0; !rc && p < P; p++)
      memcpy((char *)&st->resolved[p] + f[k].off, buf + p * (f[k].text ? f[k].size : sizeof(double)),
             f[k].text ? f[k].size : sizeof(double));
  }
  free(buf);
  st->resolved_known = !rc;
  return rc;
}

static ss_status read_pools(const h5r *r, study *st, ss_err *err) {
  size_t n = study_tasks(st), N = st->n_pools;
  hsize_t dims[3] = {st->n_points, st->n_reps, N};
  char name[96];
  ss_status rc = h5r_text_1d(r, r->file, "pool", N, (char *)st->pool_names, sizeof st->pool_names[0], err);
  double *buf = rc ? NULL : malloc(n * N * sizeof *buf);
  if (!rc && !buf) rc = ss_errorf(err, SS_ENOMEM, "out of memory for the deployment rows");
  for (int m = 0; !rc && m < PM_COUNT; m++) {
    snprintf(name, sizeof name, "pool_%s", result_pool_name((pool_metric)m));
    if ((rc = h5r_f64(r, r->file, name, 3, dims, buf, err))) break;
    for (size_t t = 0; t < n; t++)
      for (size_t i = 0; i < N; i++) st->res[t].pool[i][m] = buf[t * N + i];
  }
  free(buf);
  return rc;
}

static ss_status read_data(const h5r *r, study *st, ss_err *err) {
  size_t P = st->n_points, R = st->n_reps;
  hsize_t pr[2] = {P, R}, p1 = P;
  char name[160];
  ss_status rc = SS_OK;
  double *buf = malloc(P * R * sizeof *buf);
  if (!buf) return ss_errorf(err, SS_ENOMEM, "out of memory for %zu x %zu values", P, R);
  for (size_t i = 0; !rc && i < st->n_axes; i++) {
    study_axis *a = &st->axes[i];
    snprintf(name, sizeof name, "point_%s", a->key);
    h5r_dataset_attr(r, r->file, name, "units", a->units, sizeof a->units);
    rc = a->is_text ? h5r_text_1d(r, r->file, name, p1, (char *)a->text, STUDY_TEXT_LEN, err)
                    : h5r_f64(r, r->file, name, 1, &p1, a->num, err);
  }
  for (size_t i = 0; !rc && i < st->n_inputs; i++) {
    snprintf(name, sizeof name, "input_%s", st->inputs[i].key);
    h5r_dataset_attr(r, r->file, name, "units", st->inputs[i].units, sizeof st->inputs[i].units);
    rc = h5r_f64(r, r->file, name, 2, pr, st->inputs[i].value, err);
  }
  for (int m = 0; !rc && m < RM_COUNT; m++) {
    if ((rc = h5r_f64(r, r->file, result_name((result_metric)m), 2, pr, buf, err))) break;
    for (size_t t = 0; t < P * R; t++) st->res[t].v[m] = buf[t];
  }
  for (int m = 0; !rc && m < FM_COUNT; m++) { /* files before the fleet rows have none: NaN */
    if (!h5r_exists(r, r->file, result_fleet_name((fleet_metric)m))) continue;
    if ((rc = h5r_f64(r, r->file, result_fleet_name((fleet_metric)m), 2, pr, buf, err))) break;
    for (size_t t = 0; t < P * R; t++) st->res[t].f[m] = buf[t];
  }
  if (!rc) rc = h5r_f64(r, r->file, "slo_met", 2, pr, st->slo_met, err);
  if (!rc && st->n_pools) rc = read_pools(r, st, err);
  if (!rc && st->n_apis) rc = read_api(r, st, err);
  if (!rc) rc = read_resolved(r, st, err);
  for (size_t k = 0; !rc && k < NCOLS(LOGS); k++) rc = read_log(r, st, &LOGS[k], err);
  free(buf);
  return rc;
}

/* The file's kind, attributes, scenario echo and shape into st (no data arrays). */
static ss_status read_head(const h5r *r, study *st, char *kind, size_t kind_len, hsize_t *P, hsize_t *R, ss_err *err) {
  uint64_t shard[2] = {0, 0}, tasks[2] = {0, 0};
  ss_status rc;
  if ((rc = h5r_check_kind(r, kind, kind_len, err))) return rc;
  if (strcmp(kind, h5_kind_study) && strcmp(kind, h5_kind_study_part))
    return ss_errorf(err, SS_EDATA, "%s: a %s file, not a study%s", r->path, kind,
                     !strcmp(kind, h5_kind_plan) ? " (servesim report and tools/plot.py read plan files)" : "");
  if ((rc = read_attrs(r, st, shard, tasks, err)) ||
      (rc = h5r_text_scalar(r, r->file, "config_yaml", &st->config_yaml, err)) ||
      (rc = read_shape(r, kind, shard, tasks, P, R, err)))
    return rc;
  st->n_points = *P, st->n_reps = *R;
  st->shard_index = (unsigned)shard[0], st->shard_count = (unsigned)shard[1];
  st->task_lo = tasks[0], st->task_hi = tasks[1];
  return SS_OK;
}

/* Opens path, or len bytes of an HDF5 image in memory when image is not NULL (path names it). */
static ss_status open_file(const char *path, const void *image, size_t len, h5r *r, ss_err *err) {
  return image ? h5r_open_image(r, path, image, len, err) : h5r_open(r, path, err);
}

/* Reads r's head into st (zeroed first); on failure r is closed and nothing is left allocated. */
static ss_status open_head(h5r *r, study *st, hsize_t *P, hsize_t *R, ss_err *err) {
  char kind[32];
  ss_status rc = read_head(r, st, kind, sizeof kind, P, R, err);
  if (rc) h5r_close(r), study_free(st);
  return rc;
}

ss_status studyfile_read_head(const char *path, study *st, ss_err *err) {
  h5r r;
  hsize_t P = 0, R = 0;
  memset(st, 0, sizeof *st);
  ss_status rc = h5r_open(&r, path, err);
  if (!rc && !(rc = open_head(&r, st, &P, &R, err))) h5r_close(&r);
  return rc;
}

/* Every dataset of points x replicates (and the axes, inputs and API rows) has its shape and its
 * values in the file, before anything is allocated for it. */
static ss_status check_shapes(const h5r *r, const study *st, hsize_t P, hsize_t R, ss_err *err) {
  hsize_t pr[2] = {P, R}, pra[3] = {P, R, st->n_apis};
  char name[160];
  ss_status rc = SS_OK;
  for (int m = 0; !rc && m < RM_COUNT; m++)
    rc = h5r_shape(r, r->file, result_name((result_metric)m), false, 2, pr, err);
  if (!rc) rc = h5r_shape(r, r->file, "slo_met", false, 2, pr, err);
  for (size_t i = 0; !rc && i < st->n_axes; i++) {
    snprintf(name, sizeof name, "point_%s", st->axes[i].key);
    rc = h5r_shape(r, r->file, name, st->axes[i].is_text, 1, &P, err);
  }
  for (size_t i = 0; !rc && i < st->n_inputs; i++) {
    snprintf(name, sizeof name, "input_%s", st->inputs[i].key);
    rc = h5r_shape(r, r->file, name, false, 2, pr, err);
  }
  for (int m = 0; !rc && st->n_apis && m < CA_COUNT; m++)
    rc = h5r_shape(r, r->file, costing_api_name((costing_api_metric)m), false, 3, pra, err);
  return rc;
}

/* The whole study from a file or an image (open_file). */
static ss_status read_study(const char *path, const void *image, size_t len, study *st, ss_err *err) {
  h5r r;
  hsize_t P = 0, R = 0;
  memset(st, 0, sizeof *st);
  ss_status rc = open_file(path, image, len, &r, err);
  if (rc || (rc = open_head(&r, st, &P, &R, err))) return rc;
  collector c = {st, false};
  hsize_t idx = 0;
  H5Literate(r.file, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect, &c);
  if (c.too_many) {
    rc = ss_errorf(err, SS_EDATA, "%s: more than %d sweep axes or %d uncertain inputs, or a key longer than %d bytes",
                   path, SC_MAX_AXES, SC_MAX_UNCERTAIN, STUDY_KEY_LEN - 1);
    goto fail;
  }
  for (size_t i = 0; i < st->n_axes; i++) {
    char name[160];
    snprintf(name, sizeof name, "point_%s", st->axes[i].key);
    st->axes[i].is_text = h5r_is_text(&r, r.file, name);
  }
  bool logs = false;
  for (size_t k = 0; k < NCOLS(LOGS); k++) logs |= h5r_exists(&r, r.file, LOGS[k].group);
  if (h5r_exists(&r, r.file, "api")) {
    hsize_t na;
    if ((rc = h5r_extent(&r, r.file, "api", SC_MAX_API, &na, err))) goto fail;
    st->n_apis = (size_t)na;
  }
  if (h5r_exists(&r, r.file, "pool")) {
    hsize_t np;
    if ((rc = h5r_extent(&r, r.file, "pool", SIM_MAX_POOLS, &np, err))) goto fail;
    st->n_pools = (size_t)np;
  }
  if ((rc = check_shapes(&r, st, P, R, err))) goto fail;
  if (!(rc = study_init(st, P, R, logs, err)) && !(rc = read_data(&r, st, err)) && /* it keeps the head's fields */
      !(rc = uqfile_read_design(&r, st, err)))
    rc = uqfile_read_precision(&r, st, err);
fail:
  h5r_close(&r);
  if (rc) study_free(st);
  return rc;
}

ss_status studyfile_read(const char *path, study *st, ss_err *err) { return read_study(path, NULL, 0, st, err); }

ss_status studyfile_read_image(const char *name, const void *image, size_t len, study *st, ss_err *err) {
  return read_study(name, image ? image : "", len, st, err);
}
