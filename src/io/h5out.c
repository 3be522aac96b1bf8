/* h5out.c: writes a study as the DESIGN section 8 schema, and reads it back for merge.
 * Every dataset goes through put_var, which creates it (chunked, shuffle + deflate when numeric),
 * labels it (units, long_name) and attaches its dimension scales, so no dataset can miss one.
 * Log columns come from tables (REQ_COLS, TS_COLS), so writer and reader agree by construction. */
#include "io/h5out.h"
#include "study/sensitivity.h"
#include "base/version.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef h5out_col log_col;

#define RQ(m, t, u, l) {#m, offsetof(sim_request_row, m), t, u, l}
static const log_col REQ_COLS[] = {
    RQ(arrival_s, H5OUT_F64, "s", "arrival time since the start of the replicate"),
    RQ(first_token_s, H5OUT_F64, "s", "time of the first output token (NaN: not reached)"),
    RQ(finish_s, H5OUT_F64, "s", "time the request finished (NaN: not reached)"),
    RQ(sched_s, H5OUT_F64, "s", "time its first prompt chunk was scheduled (NaN: never)"),
    RQ(input_tokens, H5OUT_U32, "1", "prompt tokens"),
    RQ(output_tokens, H5OUT_U32, "1", "output tokens"),
    RQ(replica, H5OUT_U32, "1", "replica that served the request"),
    RQ(preemptions, H5OUT_U32, "1", "times the request was preempted"),
};
#define TS(m, u, l) {#m, offsetof(sim_ts_row, m), H5OUT_F64, u, l}
static const log_col TS_COLS[] = {
    TS(t_s, "s", "sample time since the start of the replicate"),
    TS(queue_len, "1", "waiting requests, all replicas"),
    TS(running, "1", "running sequences, all replicas"),
    TS(kv_occupancy, "1", "KV-cache blocks in use over capacity"),
};
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

const h5out_col *h5out_log_cols(bool timeseries, size_t *n) {
  *n = timeseries ? NCOLS(TS_COLS) : NCOLS(REQ_COLS);
  return timeseries ? TS_COLS : REQ_COLS;
}

typedef struct {
  hid_t file, vstr;
  hid_t point, replicate, quantile, stat; /* dimension scales */
  const char *failed;                      /* name of the object that failed */
} writer;

hid_t h5out_vstr_type(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

static bool attr_put(hid_t obj, const char *name, hid_t type, const void *value) {
  hid_t sp = H5Screate(H5S_SCALAR), a = H5Acreate2(obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
  bool ok = a >= 0 && H5Awrite(a, type, value) >= 0;
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  return ok;
}

bool h5out_attr_text(hid_t obj, hid_t vstr, const char *name, const char *text) {
  return attr_put(obj, name, vstr, &text);
}

bool h5out_read_attr_text(hid_t obj, const char *name, char *buf, size_t len) {
  hid_t t = h5out_vstr_type(), a = H5Aopen(obj, name, H5P_DEFAULT);
  char *s = NULL;
  bool ok = a >= 0 && H5Aread(a, t, &s) >= 0 && s;
  if (ok) snprintf(buf, len, "%s", s);
  if (s) H5free_memory(s);
  if (a >= 0) H5Aclose(a);
  H5Tclose(t);
  return ok;
}

/* Creates, fills, labels and closes one dataset; scales[i] (may be < 0) is attached to dim i.
 * Numeric data are chunked with shuffle + deflate; text (vstr) is stored contiguous. */
static bool put_var(writer *w, hid_t loc, const char *name, int rank, const hsize_t *dims, hid_t mem_type,
                    hid_t file_type, const void *data, const char *units, const char *long_name,
                    const hid_t *scales, hid_t *keep) {
  hsize_t maxdims[2], chunk[2];
  bool text = H5Tget_class(mem_type) == H5T_STRING;
  for (int i = 0; i < rank; i++) {
    maxdims[i] = dims[i] ? dims[i] : H5S_UNLIMITED;
    hsize_t cap = rank == 1 ? 65536 : (i == 0 ? 64 : 4096);
    chunk[i] = dims[i] == 0 ? 1024 : dims[i] < cap ? dims[i] : cap;
  }
  hid_t sp = rank ? H5Screate_simple(rank, dims, maxdims) : H5Screate(H5S_SCALAR);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
  bool ok = sp >= 0 && dcpl >= 0;
  if (ok && rank && !text) {
    ok = H5Pset_chunk(dcpl, rank, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
         (!H5Zfilter_avail(H5Z_FILTER_DEFLATE) || H5Pset_deflate(dcpl, 4) >= 0);
  }
  if (ok) ok = (ds = H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0;
  if (ok && data && (!rank || dims[0])) ok = H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
  if (ok) ok = h5out_attr_text(ds, w->vstr, "units", units) && h5out_attr_text(ds, w->vstr, "long_name", long_name);
  for (int i = 0; ok && scales && i < rank; i++)
    if (scales[i] >= 0) ok = H5DSattach_scale(ds, scales[i], (unsigned)i) >= 0;
  if (!ok) w->failed = name;
  if (keep && ok) *keep = ds;
  else if (ds >= 0) H5Dclose(ds);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (sp >= 0) H5Sclose(sp);
  return ok;
}

static bool put_scale(writer *w, const char *name, hsize_t n, hid_t type, hid_t ftype, const void *data,
                      const char *units, const char *long_name, hid_t *out) {
  return put_var(w, w->file, name, 1, &n, type, ftype, data, units, long_name, NULL, out) &&
         H5DSset_scale(*out, name) >= 0;
}

/* The words of argv joined by spaces, single-quoted where a shell would need it. */
char *h5out_join_command_line(int argc, char *const *argv) {
  size_t len = 1;
  for (int i = 0; i < argc; i++) len += 4 * strlen(argv[i]) + 3;
  char *s = malloc(len), *p = s;
  for (int i = 0; s && i < argc; i++) {
    bool quote = !*argv[i] || strpbrk(argv[i], " \t\n'\"$`\\*?[]{}()<>|&;#~") != NULL;
    if (i) *p++ = ' ';
    if (quote) *p++ = '\'';
    for (const char *c = argv[i]; *c; c++) {
      if (*c == '\'' && quote) p += sprintf(p, "'\\''");
      else *p++ = *c;
    }
    if (quote) *p++ = '\'';
  }
  if (s) *p = '\0';
  return s;
}

static bool write_root_attrs(writer *w, const study *st, int argc, char *const *argv) {
  char title[160], created[32], *command_line = h5out_join_command_line(argc, argv);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(title, sizeof title, "servesim study: %s", st->name);
  uint32_t schema = H5OUT_SCHEMA_VERSION, shard[2] = {st->shard_index, st->shard_count};
  uint64_t tasks[2] = {st->task_lo, st->task_hi};
  w->failed = "root attributes";
  if (!command_line) return false;
  bool ok = h5out_attr_text(w->file, w->vstr, "title", title) && h5out_attr_text(w->file, w->vstr, "program", "servesim") &&
         h5out_attr_text(w->file, w->vstr, "program_version", SERVESIM_VERSION) &&
         h5out_attr_text(w->file, w->vstr, "git_commit", servesim_git_commit()) && h5out_attr_text(w->file, w->vstr, "created_utc", created) &&
         attr_put(w->file, "master_seed", H5T_NATIVE_UINT64, &st->seed) &&
         attr_put(w->file, "schema_version", H5T_NATIVE_UINT32, &schema) &&
         h5out_attr_text(w->file, w->vstr, "command_line", command_line) &&
         h5out_attr_text(w->file, w->vstr, "scenario_name", st->name) &&
         attr_put(w->file, "shard_index", H5T_NATIVE_UINT32, &shard[0]) &&
         attr_put(w->file, "shard_count", H5T_NATIVE_UINT32, &shard[1]) &&
         attr_put(w->file, "task_lo", H5T_NATIVE_UINT64, &tasks[0]) &&
         attr_put(w->file, "task_hi", H5T_NATIVE_UINT64, &tasks[1]);
  free(command_line);
  return ok;
}

static bool write_scales(writer *w, const study *st) {
  size_t n = st->n_points > st->n_reps ? st->n_points : st->n_reps;
  int64_t *idx = malloc(n * sizeof *idx);
  const char *stats[ST_COUNT];
  double q[ST_COUNT];
  size_t nq = 0;
  for (int s = 0; s < ST_COUNT; s++) {
    stats[s] = stats_name((stats_stat)s);
    if (stats_quantile_prob((stats_stat)s) >= 0) q[nq++] = stats_quantile_prob((stats_stat)s);
  }
  for (size_t i = 0; idx && i < n; i++) idx[i] = (int64_t)i;
  bool ok = idx && put_scale(w, "point", st->n_points, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                             "sweep point index (the first sweep key varies slowest)", &w->point) &&
            put_scale(w, "replicate", st->n_reps, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                      "Monte Carlo replicate index", &w->replicate) &&
            put_scale(w, "quantile", nq, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, q, "1",
                      "probability of the quantile statistics p05, p50, p95", &w->quantile) &&
            put_scale(w, "stat", ST_COUNT, w->vstr, w->vstr, stats, "",
                      "statistic across replicates: mean, sd, ci95_lo, ci95_hi, p05, p50, p95", &w->stat);
  free(idx);
  return ok;
}

static bool write_tasks(writer *w, const study *st) {
  size_t n = study_tasks(st);
  hsize_t dims[2] = {st->n_points, st->n_reps};
  hid_t pr[2] = {w->point, w->replicate};
  char name[160], long_name[200];
  double *buf = malloc((n ? n : 1) * sizeof *buf);
  bool ok = buf != NULL;
  for (size_t i = 0; ok && i < st->n_axes; i++) {
    const study_axis *a = &st->axes[i];
    const char **txt = a->is_text ? malloc(st->n_points * sizeof *txt) : NULL;
    for (size_t p = 0; txt && p < st->n_points; p++) txt[p] = a->text[p];
    snprintf(name, sizeof name, "point_%s", a->key);
    snprintf(long_name, sizeof long_name, "value of the swept scenario key %s at each point", a->key);
    ok = (!a->is_text || txt) && put_var(w, w->file, name, 1, dims, a->is_text ? w->vstr : H5T_NATIVE_DOUBLE,
                                         a->is_text ? w->vstr : H5T_IEEE_F64LE, a->is_text ? (void *)txt : a->num,
                                         a->units, long_name, pr, NULL);
    free(txt);
  }
  for (size_t i = 0; ok && i < st->n_inputs; i++) {
    snprintf(name, sizeof name, "input_%s", st->inputs[i].key);
    snprintf(long_name, sizeof long_name, "sampled value of the uncertain scenario key %s", st->inputs[i].key);
    ok = put_var(w, w->file, name, 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->inputs[i].value,
                 st->inputs[i].units, long_name, pr, NULL);
  }
  for (int m = 0; ok && m < RM_COUNT; m++) {
    for (size_t t = 0; t < n; t++) buf[t] = st->res[t].v[m];
    ok = put_var(w, w->file, result_name((result_metric)m), 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 result_units((result_metric)m), result_long_name((result_metric)m), pr, NULL);
  }
  ok = ok && put_var(w, w->file, "slo_met", 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->slo_met, "1",
                     "1 when the replicate was not saturated and met both p99 SLOs (TTFT, TPOT)", pr, NULL);
  free(buf);
  return ok;
}

static bool write_summary(writer *w, const study *st) {
  hid_t g = H5Gcreate2(w->file, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t dims[2] = {st->n_points, ST_COUNT};
  hid_t ps[2] = {w->point, w->stat};
  double *buf = malloc(st->n_points * ST_COUNT * sizeof *buf);
  char long_name[256];
  bool ok = g >= 0 && buf;
  for (int m = 0; ok && m < RM_COUNT; m++) {
    for (size_t p = 0; p < st->n_points; p++)
      for (size_t s = 0; s < ST_COUNT; s++) buf[p * ST_COUNT + s] = st->summary[p][m].v[s];
    snprintf(long_name, sizeof long_name, "%s: statistics across replicates%s", result_long_name((result_metric)m),
             stats_is_latency((result_metric)m) ? " (saturated replicates left out)" : "");
    ok = put_var(w, g, result_name((result_metric)m), 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 result_units((result_metric)m), long_name, ps, NULL);
  }
  ok = ok && put_var(w, g, "saturated_count", 1, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->saturated_count, "1",
                     "replicates flagged saturated", ps, NULL) &&
       put_var(w, g, "replicates_used", 1, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->replicates_used, "1",
               "replicates in the latency statistics (not saturated)", ps, NULL) &&
       put_var(w, g, "slo_met_frac", 1, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->slo_met_frac, "1",
               "fraction of replicates meeting both p99 SLOs", ps, NULL);
  if (!ok && !w->failed) w->failed = "summary";
  free(buf);
  if (g >= 0) H5Gclose(g);
  return ok;
}

/* One log table (requests or time series): columns from `cols` plus task/point/replicate. */
static bool write_log(writer *w, const study *st, bool is_ts) {
  const log_col *cols = is_ts ? TS_COLS : REQ_COLS;
  size_t ncols = is_ts ? NCOLS(TS_COLS) : NCOLS(REQ_COLS), rowsz = is_ts ? sizeof(sim_ts_row) : sizeof(sim_request_row);
  const char *group = is_ts ? "timeseries" : "requests", *dim = is_ts ? "time" : "request";
  size_t rows = 0;
  for (size_t t = st->task_lo; t < st->task_hi; t++) rows += is_ts ? st->logs[t].n_ts : st->logs[t].n_req;
  hid_t g = H5Gcreate2(w->file, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), scale = -1;
  int64_t *idx = malloc((rows ? rows : 1) * 3 * sizeof *idx);
  double *buf = malloc((rows ? rows : 1) * sizeof *buf);
  hsize_t n = rows;
  bool ok = g >= 0 && idx && buf;
  for (size_t c = 0; ok && c < ncols; c++) {
    size_t k = 0;
    for (size_t t = st->task_lo; t < st->task_hi; t++) {
      const char *base = is_ts ? (const char *)st->logs[t].ts : (const char *)st->logs[t].req;
      size_t nr = is_ts ? st->logs[t].n_ts : st->logs[t].n_req;
      for (size_t i = 0; i < nr; i++, k++) {
        const char *v = base + i * rowsz + cols[c].off;
        if (cols[c].type == H5OUT_F64) memcpy(&buf[k], v, sizeof(double));
        else {
          uint32_t u;
          memcpy(&u, v, sizeof u);
          buf[k] = u;
        }
        if (c == 0) idx[k] = (int64_t)t, idx[rows + k] = (int64_t)(t / st->n_reps), idx[2 * rows + k] = (int64_t)(t % st->n_reps);
      }
    }
    /* the first column of the time series is the "time" coordinate itself */
    if (c == 0 && is_ts) {
      ok = put_var(w, g, dim, 1, &n, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf, cols[c].units, cols[c].long_name, NULL,
                   &scale) && H5DSset_scale(scale, dim) >= 0;
      continue;
    }
    if (c == 0) { /* the request dimension scale: row numbers */
      int64_t *row = malloc((rows ? rows : 1) * sizeof *row);
      for (size_t i = 0; row && i < rows; i++) row[i] = (int64_t)i;
      ok = row && put_var(w, g, dim, 1, &n, H5T_NATIVE_INT64, H5T_STD_I64LE, row, "1", "request row number", NULL,
                          &scale) && H5DSset_scale(scale, dim) >= 0;
      free(row);
      if (!ok) break;
    }
    ok = put_var(w, g, cols[c].name, 1, &n, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf, cols[c].units, cols[c].long_name,
                 &scale, NULL);
  }
  ok = ok && put_var(w, g, "task", 1, &n, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1", "task index (point x replicates + replicate)", &scale, NULL) &&
       put_var(w, g, "point_index", 1, &n, H5T_NATIVE_INT64, H5T_STD_I64LE, idx + rows, "1", "sweep point index", &scale, NULL) &&
       put_var(w, g, "replicate_index", 1, &n, H5T_NATIVE_INT64, H5T_STD_I64LE, idx + 2 * rows, "1", "replicate index", &scale, NULL);
  if (!ok && !w->failed) w->failed = group;
  if (scale >= 0) H5Dclose(scale);
  if (g >= 0) H5Gclose(g);
  free(idx), free(buf);
  return ok;
}

static ss_status tmp_name(const char *path, char *tmp, size_t len, ss_err *err) {
  if ((size_t)snprintf(tmp, len, "%s.tmp", path) >= len) return ss_errorf(err, SS_ECREATE, "%s: path too long", path);
  return SS_OK;
}

static ss_status create_error(const char *tmp, int errnum, ss_err *err) {
  return ss_errorf(err, SS_ECREATE, "cannot create output %s: %s (check that the directory exists and is writable)",
                   tmp, errnum ? strerror(errnum) : "HDF5 could not create the file");
}

ss_status h5out_probe(const char *path, ss_err *err) {
  char tmp[4096];
  ss_status rc = tmp_name(path, tmp, sizeof tmp, err);
  if (rc) return rc;
  FILE *f = fopen(tmp, "wb");
  if (!f) return create_error(tmp, errno, err);
  fclose(f);
  remove(tmp);
  return SS_OK;
}

ss_status h5out_commit(hid_t *file, const char *tmp, const char *path, ss_err *err) {
  herr_t closed = H5Fclose(*file);
  *file = -1;
  if (closed < 0) return ss_errorf(err, SS_EIO, "%s: closing the file failed (disk full?)", tmp);
  if (rename(tmp, path) != 0)
    return ss_errorf(err, SS_ECREATE, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
  return SS_OK;
}

ss_status h5out_write(const study *st, const char *path, int argc, char *const *argv, ss_err *err) {
  char tmp[4096];
  ss_status rc = tmp_name(path, tmp, sizeof tmp, err);
  writer w = {.file = -1, .vstr = -1, .point = -1, .replicate = -1, .quantile = -1, .stat = -1};
  hid_t fcpl = -1;
  bool created = false;
  if (rc) return rc;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  errno = 0;
  if ((w.file = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT)) < 0) {
    rc = create_error(tmp, errno, err);
    goto fail;
  }
  created = true;
  w.vstr = h5out_vstr_type();
  bool whole = st->shard_count == 1 && st->task_lo == 0 && st->task_hi == study_tasks(st);
  const char *yaml = st->config_yaml ? st->config_yaml : "";
  bool ok = write_root_attrs(&w, st, argc, argv) &&
            put_var(&w, w.file, "config_yaml", 0, NULL, w.vstr, w.vstr, &yaml, "",
                    "the resolved scenario (every key, defaults filled in), YAML", NULL, NULL) &&
            write_scales(&w, st) && write_tasks(&w, st) && (!whole || write_summary(&w, st)) &&
            (!st->log_requests || write_log(&w, st, false)) && (!st->log_timeseries || write_log(&w, st, true));
  hid_t *scales[] = {&w.point, &w.replicate, &w.quantile, &w.stat};
  for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++)
    if (*scales[i] >= 0) H5Dclose(*scales[i]);
  if (!ok) {
    rc = ss_errorf(err, SS_EIO, "%s: writing '%s' failed (disk full?)", tmp, w.failed ? w.failed : "?");
    goto fail;
  }
  /* sensitivity needs every replicate of a point: whole studies only, not shards */
  if (whole && (rc = sensitivity_write_study(w.file, st, err))) goto fail;
  rc = h5out_commit(&w.file, tmp, path, err);
fail:
  if (w.vstr >= 0) H5Tclose(w.vstr);
  if (fcpl >= 0) H5Pclose(fcpl);
  if (w.file >= 0) H5Fclose(w.file);
  if (rc && created) remove(tmp);
  return rc;
}
