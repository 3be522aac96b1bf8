/* merge.c: the HDF5 reader of study files and the join of shards. Files are read dataset by
 * dataset into a study (the writer's own structure), so that merge_parts + h5out_write give the
 * same bytes of data as one run; the summary is recomputed from the joined replicates. */
#include "io/merge.h"

#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5out.h"

static bool read_attr(hid_t obj, const char *name, hid_t mem_type, void *out) {
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  bool ok = a >= 0 && H5Aread(a, mem_type, out) >= 0;
  if (a >= 0) H5Aclose(a);
  return ok;
}


static bool read_doubles(hid_t loc, const char *name, double *out) {
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  bool ok = d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
  if (d >= 0) H5Dclose(d);
  return ok;
}

static hsize_t dim_length(hid_t loc, const char *name) {
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT), sp = d >= 0 ? H5Dget_space(d) : -1;
  hsize_t n = 0;
  if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, &n, NULL) < 0) n = 0;
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  return n;
}

/* Collects point_* and input_* datasets of the root group, in creation (= writing) order. */
static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  study *st = data;
  (void)info;
  if (!strncmp(name, "point_", 6) && st->n_axes < SC_MAX_AXES) {
    study_axis *a = &st->axes[st->n_axes++];
    snprintf(a->key, sizeof a->key, "%s", name + 6);
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT), t = d >= 0 ? H5Dget_type(d) : -1;
    a->is_text = t >= 0 && H5Tget_class(t) == H5T_STRING;
    if (d >= 0) h5out_read_attr_text(d, "units", a->units, sizeof a->units);
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
  } else if (!strncmp(name, "input_", 6) && st->n_inputs < SC_MAX_UNCERTAIN) {
    study_input *in = &st->inputs[st->n_inputs++];
    snprintf(in->key, sizeof in->key, "%s", name + 6);
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d >= 0) h5out_read_attr_text(d, "units", in->units, sizeof in->units), H5Dclose(d);
  }
  return 0;
}

static bool read_text_axis(hid_t file, const char *name, study_axis *a, size_t n) {
  hid_t t = h5out_vstr_type(), d = H5Dopen2(file, name, H5P_DEFAULT);
  char **s = calloc(n, sizeof *s);
  bool ok = d >= 0 && s && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) >= 0;
  for (size_t p = 0; ok && p < n; p++) snprintf(a->text[p], STUDY_TEXT_LEN, "%s", s[p] ? s[p] : "");
  for (size_t p = 0; s && p < n; p++) H5free_memory(s[p]);
  free(s);
  if (d >= 0) H5Dclose(d);
  H5Tclose(t);
  return ok;
}

/* Reads one log table back into per-task sim_logs (rows are grouped by their task column). */
static bool read_log(hid_t file, study *st, bool is_ts) {
  const char *group = is_ts ? "timeseries" : "requests";
  if (H5Lexists(file, group, H5P_DEFAULT) <= 0) return true;
  hid_t g = H5Gopen2(file, group, H5P_DEFAULT);
  size_t ncols, rows = g >= 0 ? dim_length(g, "task") : 0;
  const h5out_col *cols = h5out_log_cols(is_ts, &ncols);
  double *task = malloc((rows ? rows : 1) * sizeof *task), *col = malloc((rows ? rows : 1) * sizeof *col);
  bool ok = g >= 0 && task && col && (!rows || read_doubles(g, "task", task));
  *(is_ts ? &st->log_timeseries : &st->log_requests) = true;
  for (size_t i = 0; ok && i < rows; i++) {
    size_t t = (size_t)task[i];
    ok = t < study_tasks(st);
    if (ok) *(is_ts ? &st->logs[t].n_ts : &st->logs[t].n_req) += 1;
  }
  size_t rowsz = is_ts ? sizeof(sim_ts_row) : sizeof(sim_request_row);
  for (size_t t = 0; ok && t < study_tasks(st); t++) {
    sim_log *l = &st->logs[t];
    size_t nr = is_ts ? l->n_ts : l->n_req;
    void *rowsp = nr ? calloc(nr, rowsz) : NULL;
    ok = !nr || rowsp;
    if (is_ts) l->ts = rowsp, l->cap_ts = nr, l->n_ts = 0;
    else l->req = rowsp, l->cap_req = nr, l->n_req = 0;
  }
  for (size_t c = 0; ok && c < ncols; c++) {
    ok = !rows || read_doubles(g, c == 0 && is_ts ? "time" : cols[c].name, col);
    size_t *fill = calloc(study_tasks(st), sizeof *fill);
    ok = ok && fill;
    for (size_t i = 0; ok && i < rows; i++) {
      size_t t = (size_t)task[i];
      char *row = (is_ts ? (char *)st->logs[t].ts : (char *)st->logs[t].req) + fill[t]++ * rowsz + cols[c].off;
      if (cols[c].type == H5OUT_F64) memcpy(row, &col[i], sizeof(double));
      else {
        uint32_t u = (uint32_t)col[i];
        memcpy(row, &u, sizeof u);
      }
    }
    for (size_t t = 0; ok && c + 1 == ncols && t < study_tasks(st); t++)
      *(is_ts ? &st->logs[t].n_ts : &st->logs[t].n_req) = fill[t];
    free(fill);
  }
  free(task), free(col);
  if (g >= 0) H5Gclose(g);
  return ok;
}

ss_status merge_read(const char *path, study *st, ss_err *err) {
  ss_status rc = SS_EDATA;
  char program[64] = "", name[160];
  uint32_t schema = 0, shard[2] = {0, 0};
  uint64_t tasks[2] = {0, 0};
  double *buf = NULL;
  memset(st, 0, sizeof *st);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), vs = h5out_vstr_type(), d = -1;
  if (file < 0) {
    rc = ss_errorf(err, SS_ENOINPUT, "%s: cannot open as HDF5 (missing, unreadable or not an HDF5 file)", path);
    goto fail;
  }
  if (!h5out_read_attr_text(file, "program", program, sizeof program) || strcmp(program, "servesim") ||
      !read_attr(file, "schema_version", H5T_NATIVE_UINT32, &schema) || schema != H5OUT_SCHEMA_VERSION) {
    rc = ss_errorf(err, SS_EDATA, "%s: not a servesim study file of schema version %d", path, H5OUT_SCHEMA_VERSION);
    goto fail;
  }
  char *yaml = NULL;
  if (!read_attr(file, "master_seed", H5T_NATIVE_UINT64, &st->seed) ||
      !read_attr(file, "shard_index", H5T_NATIVE_UINT32, &shard[0]) ||
      !read_attr(file, "shard_count", H5T_NATIVE_UINT32, &shard[1]) ||
      !read_attr(file, "task_lo", H5T_NATIVE_UINT64, &tasks[0]) ||
      !read_attr(file, "task_hi", H5T_NATIVE_UINT64, &tasks[1]) ||
      !h5out_read_attr_text(file, "scenario_name", st->name, sizeof st->name) ||
      (d = H5Dopen2(file, "config_yaml", H5P_DEFAULT)) < 0 ||
      H5Dread(d, vs, H5S_ALL, H5S_ALL, H5P_DEFAULT, &yaml) < 0 || !yaml) {
    rc = ss_errorf(err, SS_EDATA, "%s: missing root attributes or /config_yaml", path);
    goto fail;
  }
  st->config_yaml = strdup(yaml);
  H5free_memory(yaml);
  st->shard_index = shard[0], st->shard_count = shard[1];
  size_t P = dim_length(file, "point"), R = dim_length(file, "replicate");
  hsize_t idx = 0;
  H5Literate(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect, st);
  bool logs = H5Lexists(file, "requests", H5P_DEFAULT) > 0 || H5Lexists(file, "timeseries", H5P_DEFAULT) > 0;
  if (!P || !R || tasks[0] > tasks[1] || tasks[1] > P * R) {
    rc = ss_errorf(err, SS_EDATA, "%s: bad /point or /replicate dimension, or task range", path);
    goto fail;
  }
  if ((rc = study_alloc(st, P, R, logs, err))) goto fail;
  st->task_lo = tasks[0], st->task_hi = tasks[1];
  rc = SS_EDATA;
  if (!(buf = malloc(P * R * sizeof *buf))) goto fail;
  for (size_t i = 0; i < st->n_axes; i++) {
    snprintf(name, sizeof name, "point_%s", st->axes[i].key);
    if (!(st->axes[i].is_text ? read_text_axis(file, name, &st->axes[i], P) : read_doubles(file, name, st->axes[i].num)))
      goto bad_dataset;
  }
  for (size_t i = 0; i < st->n_inputs; i++) {
    snprintf(name, sizeof name, "input_%s", st->inputs[i].key);
    if (!read_doubles(file, name, st->inputs[i].value)) goto bad_dataset;
  }
  for (int m = 0; m < RM_COUNT; m++) {
    snprintf(name, sizeof name, "%s", result_name((result_metric)m));
    if (!read_doubles(file, name, buf)) goto bad_dataset;
    for (size_t t = 0; t < P * R; t++) st->res[t].v[m] = buf[t];
  }
  snprintf(name, sizeof name, "slo_met");
  if (!read_doubles(file, name, st->slo_met)) goto bad_dataset;
  snprintf(name, sizeof name, "requests or timeseries");
  if (logs && (!read_log(file, st, false) || !read_log(file, st, true))) goto bad_dataset;
  rc = SS_OK;
  goto fail;
bad_dataset:
  rc = ss_errorf(err, SS_EDATA, "%s: dataset /%s is missing or unreadable", path, name);
fail:
  free(buf);
  if (d >= 0) H5Dclose(d);
  H5Tclose(vs);
  if (file >= 0) H5Fclose(file);
  if (rc) study_free(st);
  return rc;
}

/* The first line where two scenario echoes differ, for the error message. */
static void first_difference(const char *a, const char *b, char *buf, size_t len) {
  unsigned line = 1;
  while (*a && *a == *b) line += *a == '\n', a++, b++;
  while (line > 1 && a[-1] != '\n') a--, b--;
  snprintf(buf, len, "line %u: '%.*s' vs '%.*s'", line, (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
}

static ss_status check_same_study(const study *a, const char *pa, const study *b, const char *pb, ss_err *err) {
  char diff[512];
  if (a->seed != b->seed)
    return ss_errorf(err, SS_EDATA, "cannot merge parts with different seeds: %s has master_seed %llu, %s has %llu",
                     pa, (unsigned long long)a->seed, pb, (unsigned long long)b->seed);
  if (strcmp(a->config_yaml, b->config_yaml)) {
    first_difference(a->config_yaml, b->config_yaml, diff, sizeof diff);
    return ss_errorf(err, SS_EDATA, "cannot merge parts of different scenarios: %s and %s differ in /config_yaml at %s",
                     pa, pb, diff);
  }
  if (a->shard_count != b->shard_count)
    return ss_errorf(err, SS_EDATA, "cannot merge parts of different splits: %s is a part of %u, %s of %u", pa,
                     a->shard_count, pb, b->shard_count);
  return SS_OK;
}

/* Moves the tasks [lo, hi) of part into out. */
static void take_tasks(study *out, study *part) {
  for (size_t t = part->task_lo; t < part->task_hi; t++) {
    out->res[t] = part->res[t];
    out->slo_met[t] = part->slo_met[t];
    for (size_t i = 0; i < out->n_inputs; i++) out->inputs[i].value[t] = part->inputs[i].value[t];
    if (out->logs && part->logs) {
      sim_log_free(&out->logs[t]);
      out->logs[t] = part->logs[t];
      memset(&part->logs[t], 0, sizeof part->logs[t]);
    }
  }
}

ss_status merge_parts(const char *const *paths, size_t n, study *out, ss_err *err) {
  ss_status rc;
  study part;
  size_t *owner = NULL;
  if (n == 0) return ss_errorf(err, SS_EUSAGE, "merge: no part files given");
  if ((rc = merge_read(paths[0], out, err))) return rc;
  size_t T = study_tasks(out);
  if (!(owner = malloc(T * sizeof *owner))) {
    rc = ss_errorf(err, SS_EINTERNAL, "out of memory");
    goto fail;
  }
  for (size_t t = 0; t < T; t++) owner[t] = t >= out->task_lo && t < out->task_hi ? 0 : SIZE_MAX;
  for (size_t i = 1; i < n; i++) {
    if ((rc = merge_read(paths[i], &part, err))) goto fail;
    rc = check_same_study(out, paths[0], &part, paths[i], err);
    for (size_t t = part.task_lo; !rc && t < part.task_hi; t++)
      if (owner[t] != SIZE_MAX)
        rc = ss_errorf(err, SS_EDATA, "cannot merge: %s and %s both hold task %zu (the same shard twice?)",
                       paths[owner[t]], paths[i], t);
    for (size_t t = part.task_lo; !rc && t < part.task_hi; t++) owner[t] = i;
    if (!rc) take_tasks(out, &part);
    study_free(&part);
    if (rc) goto fail;
  }
  for (size_t t = 0; t < T; t++)
    if (owner[t] == SIZE_MAX) {
      size_t hi = t;
      while (hi < T && owner[hi] == SIZE_MAX) hi++;
      rc = ss_errorf(err, SS_EDATA, "cannot merge: tasks %zu to %zu of %zu are in none of the %zu parts (a shard of %u "
                     "is missing)", t, hi - 1, T, n, out->shard_count);
      goto fail;
    }
  out->task_lo = 0, out->task_hi = T, out->shard_index = 1, out->shard_count = 1;
  study_summarise(out);
  rc = SS_OK;
fail:
  free(owner);
  if (rc) study_free(out);
  return rc;
}
