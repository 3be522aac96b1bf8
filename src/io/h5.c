/* h5.c: HDF5 writing (datasets with units and scales, provenance, atomic files) and checked reading.
 * Every dataset goes through h5w_var, which creates it (chunked, shuffle + deflate when numeric),
 * labels it (units, long_name) and attaches its dimension scales, so no dataset can miss one. Every
 * read goes through a check of class, rank and extent first. */
#include "io/h5.h"

#include <errno.h>
#include <gsl/gsl_version.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/version.h"
#include "base/yamlcfg.h"

const char *const h5_kind_study = "study", *const h5_kind_study_part = "study_part", *const h5_kind_plan = "plan",
                  *const h5_kind_compare = "compare";

/* ---- writing ---- */

static hid_t vstr_type(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

ss_status h5w_create(h5w *w, const char *path, const char *const *inputs, size_t n_inputs, ss_err *err) {
  *w = (h5w){.file = H5I_INVALID_HID, .vstr = H5I_INVALID_HID};
  ss_status rc = fio_out_begin(&w->out, path, "output", inputs, n_inputs, err);
  if (rc) return rc;
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  errno = 0;
  w->file = H5Fcreate(w->out.tmp, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  if (w->file < 0) {
    rc = ss_errorf(err, SS_ECREATE, "cannot create output %s: %s", w->out.tmp,
                   errno ? strerror(errno) : "HDF5 could not create the file");
    fio_out_abort(&w->out);
    return rc;
  }
  w->vstr = vstr_type();
  return SS_OK;
}

static void close_ids(h5w *w) {
  if (w->vstr >= 0) H5Tclose(w->vstr);
  w->vstr = H5I_INVALID_HID;
  if (w->file >= 0) {
    /* close anything a failed writer left open, so that the library can shut down cleanly */
    ssize_t n = H5Fget_obj_count(w->file, H5F_OBJ_ALL & ~H5F_OBJ_FILE);
    if (n > 0) {
      hid_t *ids = malloc((size_t)n * sizeof *ids);
      ssize_t got = ids ? H5Fget_obj_ids(w->file, H5F_OBJ_ALL & ~H5F_OBJ_FILE, (size_t)n, ids) : 0;
      for (ssize_t i = 0; i < got; i++) {
        H5I_type_t t = H5Iget_type(ids[i]);
        if (t == H5I_DATASET)
          H5Dclose(ids[i]);
        else if (t == H5I_GROUP)
          H5Gclose(ids[i]);
        else if (t == H5I_DATATYPE)
          H5Tclose(ids[i]);
        else if (t == H5I_ATTR)
          H5Aclose(ids[i]);
      }
      free(ids);
    }
  }
}

ss_status h5w_commit(h5w *w, ss_err *err) {
  close_ids(w);
  herr_t closed = H5Fclose(w->file);
  w->file = H5I_INVALID_HID;
  if (closed < 0) {
    ss_status rc = ss_errorf(err, SS_EIO, "%s: closing the file failed (disk full?)", w->out.path);
    fio_out_abort(&w->out);
    return rc;
  }
  return fio_out_commit(&w->out, err);
}

void h5w_abort(h5w *w) {
  close_ids(w);
  if (w->file >= 0) H5Fclose(w->file);
  w->file = H5I_INVALID_HID;
  fio_out_abort(&w->out);
}

ss_status h5w_failure(const h5w *w, ss_err *err) {
  return ss_errorf(err, SS_EIO, "%s: writing '%s' failed (disk full?)", w->out.path, w->failed ? w->failed : "?");
}

static bool attr_put(hid_t obj, const char *name, hid_t mem_type, hid_t file_type, const void *value) {
  hid_t sp = H5Screate(H5S_SCALAR), a = H5Acreate2(obj, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT);
  bool ok = a >= 0 && H5Awrite(a, mem_type, value) >= 0;
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  return ok;
}

bool h5w_attr_text(h5w *w, hid_t obj, const char *name, const char *text) {
  bool ok = attr_put(obj, name, w->vstr, w->vstr, &text);
  if (!ok) w->failed = name;
  return ok;
}

bool h5w_attr_u64(h5w *w, hid_t obj, const char *name, uint64_t v) {
  bool ok = attr_put(obj, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, &v);
  if (!ok) w->failed = name;
  return ok;
}

bool h5w_attr_u32(h5w *w, hid_t obj, const char *name, uint32_t v) {
  bool ok = attr_put(obj, name, H5T_NATIVE_UINT32, H5T_STD_U32LE, &v);
  if (!ok) w->failed = name;
  return ok;
}

bool h5w_var(h5w *w, hid_t loc, const char *name, int rank, const hsize_t *dims, hid_t mem_type, hid_t file_type,
             const void *data, const char *units, const char *long_name, const hid_t *scales, hid_t *keep) {
  hsize_t maxdims[H5_MAX_RANK], chunk[H5_MAX_RANK], room = 65536;
  bool text = H5Tget_class(mem_type) == H5T_STRING;
  /* chunks of about 64 Ki values: the innermost dimension up to 4096, the outer ones filling the rest,
   * so that a (points x 1) dataset is one chunk rather than thousands of tiny ones */
  for (int i = rank - 1; i >= 0; i--) {
    maxdims[i] = dims[i] ? dims[i] : H5S_UNLIMITED;
    hsize_t cap = i == rank - 1 && rank > 1 && room > 4096 ? 4096 : room;
    chunk[i] = dims[i] == 0 ? 1024 : dims[i] < cap ? dims[i] : cap;
    room = room / chunk[i] ? room / chunk[i] : 1;
  }
  hid_t sp = rank ? H5Screate_simple(rank, dims, maxdims) : H5Screate(H5S_SCALAR);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = H5I_INVALID_HID;
  bool ok = sp >= 0 && dcpl >= 0;
  if (ok && rank && !text) {
    ok = H5Pset_chunk(dcpl, rank, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
         (!H5Zfilter_avail(H5Z_FILTER_DEFLATE) || H5Pset_deflate(dcpl, 4) >= 0);
  }
  if (ok) ok = (ds = H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0;
  if (ok && data && (!rank || dims[0])) ok = H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
  if (ok) ok = h5w_attr_text(w, ds, "units", units) && h5w_attr_text(w, ds, "long_name", long_name);
  for (int i = 0; ok && scales && i < rank; i++)
    if (scales[i] >= 0) ok = H5DSattach_scale(ds, scales[i], (unsigned)i) >= 0;
  if (!ok) w->failed = name;
  if (keep && ok)
    *keep = ds;
  else if (ds >= 0)
    H5Dclose(ds);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (sp >= 0) H5Sclose(sp);
  return ok;
}

bool h5w_rows(h5w *w, hid_t ds, hsize_t offset, hsize_t n, hid_t mem_type, const void *data, const char *name) {
  hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, &n, NULL);
  bool ok = fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &offset, NULL, &n, NULL) >= 0 &&
            H5Dwrite(ds, mem_type, ms, fs, H5P_DEFAULT, data) >= 0;
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  if (!ok) w->failed = name;
  return ok;
}

bool h5w_scale(h5w *w, hid_t loc, const char *name, hsize_t n, hid_t mem_type, hid_t file_type, const void *data,
               const char *units, const char *long_name, hid_t *out) {
  bool ok = h5w_var(w, loc, name, 1, &n, mem_type, file_type, data, units, long_name, NULL, out) &&
            H5DSset_scale(*out, name) >= 0;
  if (!ok) w->failed = name;
  return ok;
}

char *h5_join_command_line(int argc, char *const *argv) {
  size_t len = 1;
  for (int i = 0; i < argc; i++) len += 4 * strlen(argv[i]) + 3;
  char *s = malloc(len), *p = s;
  for (int i = 0; s && i < argc; i++) {
    bool quote = !*argv[i] || strpbrk(argv[i], " \t\n'\"$`\\*?[]{}()<>|&;#~") != NULL;
    if (i) *p++ = ' ';
    if (quote) *p++ = '\'';
    for (const char *c = argv[i]; *c; c++) {
      if (*c == '\'' && quote)
        p += sprintf(p, "'\\''");
      else
        *p++ = *c;
    }
    if (quote) *p++ = '\'';
  }
  if (s) *p = '\0';
  return s;
}

bool h5w_provenance(h5w *w, const h5_provenance *p) {
  char created[32], h5ver[32], omp[16], attr[64];
  char *cmd = h5_join_command_line(p->argc, p->argv);
  time_t now = time(NULL);
  struct tm tm;
  unsigned maj, min, rel;
  gmtime_r(&now, &tm);
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  H5get_libversion(&maj, &min, &rel);
  snprintf(h5ver, sizeof h5ver, "%u.%u.%u", maj, min, rel);
#ifdef _OPENMP
  snprintf(omp, sizeof omp, "%d", _OPENMP);
#else
  snprintf(omp, sizeof omp, "none");
#endif
  bool same_hwdb = p->hwdb_sha256 && !strcmp(p->hwdb_sha256, servesim_hwdb_build_sha256());
  w->failed = "root attributes";
  if (!cmd) return false;
  hid_t f = w->file;
  bool ok =
      h5w_attr_text(w, f, "title", p->title) && h5w_attr_text(w, f, "program", "servesim") &&
      h5w_attr_text(w, f, "program_version", SERVESIM_VERSION) &&
      h5w_attr_text(w, f, "git_commit", servesim_git_commit()) &&
      h5w_attr_u32(w, f, "dirty", servesim_git_dirty() || !same_hwdb) && h5w_attr_text(w, f, "created_utc", created) &&
      h5w_attr_text(w, f, "file_kind", p->kind) && h5w_attr_u32(w, f, "schema_version", H5_SCHEMA_VERSION) &&
      h5w_attr_u64(w, f, "master_seed", p->seed) && h5w_attr_text(w, f, "command_line", cmd) &&
      h5w_attr_text(w, f, "scenario_name", p->scenario_name) && h5w_attr_text(w, f, "compiler", servesim_compiler()) &&
      h5w_attr_text(w, f, "build_flags", servesim_build_flags()) && h5w_attr_text(w, f, "gsl_version", gsl_version) &&
      h5w_attr_text(w, f, "hdf5_version", h5ver) && h5w_attr_text(w, f, "libyaml_version", yc_library_version()) &&
      h5w_attr_text(w, f, "random123_version", servesim_random123_version()) &&
      h5w_attr_text(w, f, "openmp_version", omp) && h5w_attr_text(w, f, "hwdb_dir", p->hwdb_dir ? p->hwdb_dir : "") &&
      h5w_attr_text(w, f, "hwdb_sha256", p->hwdb_sha256 ? p->hwdb_sha256 : "") &&
      h5w_attr_u32(w, f, "hwdb_matches_build", same_hwdb);
  for (size_t i = 0; ok && i < p->n_inputs; i++) {
    snprintf(attr, sizeof attr, "input_%s_path", p->inputs[i].role);
    ok = h5w_attr_text(w, f, attr, p->inputs[i].path);
    snprintf(attr, sizeof attr, "input_%s_sha256", p->inputs[i].role);
    ok = ok && h5w_attr_text(w, f, attr, p->inputs[i].sha256);
  }
  free(cmd);
  return ok;
}

/* ---- reading ---- */

ss_status h5r_open(h5r *r, const char *path, ss_err *err) {
  snprintf(r->path, sizeof r->path, "%s", path);
  r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (r->file < 0)
    return ss_errorf(err, SS_ENOINPUT, "%s: cannot open as HDF5 (missing, unreadable or not an HDF5 file)", path);
  return SS_OK;
}

ss_status h5r_open_image(h5r *r, const char *name, const void *image, size_t len, ss_err *err) {
  snprintf(r->path, sizeof r->path, "%s", name);
  r->file = H5I_INVALID_HID;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  /* the core driver without a backing store: the image is copied, nothing touches the disk */
  if (fapl >= 0 && len > 0 && H5Pset_fapl_core(fapl, 1 << 16, 0) >= 0 &&
      H5Pset_file_image(fapl, (void *)(uintptr_t)image, len) >= 0)
    r->file = H5Fopen(name, H5F_ACC_RDONLY, fapl);
  if (fapl >= 0) H5Pclose(fapl);
  if (r->file < 0) return ss_errorf(err, SS_ENOINPUT, "%s: cannot open as HDF5 (not an HDF5 image)", name);
  return SS_OK;
}

void h5r_close(h5r *r) {
  if (r->file >= 0) H5Fclose(r->file);
  r->file = H5I_INVALID_HID;
}

bool h5r_exists(const h5r *r, hid_t loc, const char *name) {
  (void)r;
  return H5Lexists(loc, name, H5P_DEFAULT) > 0;
}

static const char *class_name(H5T_class_t c) {
  switch (c) {
  case H5T_INTEGER: return "integer";
  case H5T_FLOAT: return "float";
  case H5T_STRING: return "text";
  case H5T_COMPOUND: return "compound";
  case H5T_ARRAY: return "array type";
  default: return "another type";
  }
}

/* "scalar", "array of 64", "2-D array of 3 x 4" for messages. */
static void describe_space(hid_t sp, char *buf, size_t len) {
  int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  hsize_t d[H5S_MAX_RANK];
  if (rank == 0)
    snprintf(buf, len, "scalar");
  else if (rank == 1 && H5Sget_simple_extent_dims(sp, d, NULL) == 1)
    snprintf(buf, len, "array of %llu", (unsigned long long)d[0]);
  else if (rank > 1 && H5Sget_simple_extent_dims(sp, d, NULL) == rank) {
    int used = snprintf(buf, len, "%d-D array of %llu", rank, (unsigned long long)d[0]);
    for (int i = 1; i < rank && used > 0 && (size_t)used < len; i++)
      used += snprintf(buf + used, len - (size_t)used, " x %llu", (unsigned long long)d[i]);
  } else
    snprintf(buf, len, "an unreadable shape");
}

/* Checks an attribute: scalar, of class want (H5T_STRING: a variable-length string). */
static ss_status check_attr(const h5r *r, hid_t a, const char *name, H5T_class_t want, ss_err *err) {
  hid_t sp = H5Aget_space(a), t = H5Aget_type(a);
  char shape[96];
  H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  bool scalar = sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_SCALAR;
  bool vlen = c == H5T_STRING && H5Tis_variable_str(t) > 0;
  ss_status rc = SS_OK;
  if (!scalar || c != want || (want == H5T_STRING && !vlen) || (want == H5T_INTEGER && H5Tget_size(t) > 8)) {
    describe_space(sp, shape, sizeof shape);
    rc = ss_errorf(err, SS_EDATA, "%s: attribute %s: expected scalar %s, found %s %s", r->path, name,
                   want == H5T_STRING ? "variable-length text" : "unsigned integer", shape,
                   c == H5T_STRING && !vlen ? "fixed-length text" : class_name(c));
  }
  if (sp >= 0) H5Sclose(sp);
  if (t >= 0) H5Tclose(t);
  return rc;
}

/* A scalar text attribute, at most max bytes, into *out (malloc'd). */
static ss_status attr_text(const h5r *r, hid_t obj, const char *name, size_t max, char **out, ss_err *err) {
  hid_t a = H5Aexists(obj, name) > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : H5I_INVALID_HID;
  *out = NULL;
  if (a < 0) return ss_errorf(err, SS_EDATA, "%s: attribute %s is missing", r->path, name);
  ss_status rc = check_attr(r, a, name, H5T_STRING, err);
  hid_t t = vstr_type();
  char *s = NULL;
  if (!rc && (H5Aread(a, t, &s) < 0 || !s))
    rc = ss_errorf(err, SS_EDATA, "%s: attribute %s is unreadable", r->path, name);
  if (!rc && strlen(s) > max)
    rc = ss_errorf(err, SS_EDATA, "%s: attribute %s: expected text of at most %zu bytes, found %zu", r->path, name, max,
                   strlen(s));
  if (!rc && !(*out = strdup(s))) rc = ss_errorf(err, SS_ENOMEM, "out of memory reading attribute %s", name);
  if (s) H5free_memory(s);
  H5Tclose(t);
  H5Aclose(a);
  return rc;
}

ss_status h5r_attr_text(const h5r *r, hid_t obj, const char *name, char *buf, size_t len, ss_err *err) {
  char *s;
  ss_status rc = attr_text(r, obj, name, len - 1, &s, err);
  if (!rc) memcpy(buf, s, strlen(s) + 1);
  free(s);
  return rc;
}

ss_status h5r_attr_text_dup(const h5r *r, hid_t obj, const char *name, size_t max, char **out, ss_err *err) {
  return attr_text(r, obj, name, max, out, err);
}

ss_status h5r_attr_u64(const h5r *r, hid_t obj, const char *name, uint64_t *v, ss_err *err) {
  hid_t a = H5Aexists(obj, name) > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : H5I_INVALID_HID;
  if (a < 0) return ss_errorf(err, SS_EDATA, "%s: attribute %s is missing", r->path, name);
  ss_status rc = check_attr(r, a, name, H5T_INTEGER, err);
  if (!rc && H5Aread(a, H5T_NATIVE_UINT64, v) < 0)
    rc = ss_errorf(err, SS_EDATA, "%s: attribute %s is unreadable", r->path, name);
  H5Aclose(a);
  return rc;
}

ss_status h5r_check_kind(const h5r *r, char *kind, size_t len, ss_err *err) {
  char program[64];
  uint64_t schema = 0;
  ss_err ignored;
  if (h5r_attr_text(r, r->file, "program", program, sizeof program, &ignored) || strcmp(program, "servesim"))
    return ss_errorf(err, SS_EDATA, "%s: not a servesim file (no program attribute 'servesim')", r->path);
  ss_status rc = h5r_attr_u64(r, r->file, "schema_version", &schema, err);
  if (rc) return rc;
  if (schema != H5_SCHEMA_VERSION)
    return ss_errorf(err, SS_EDATA,
                     "%s: schema version %llu; allowed: %d (files of this servesim version; rerun the "
                     "study with it)",
                     r->path, (unsigned long long)schema, H5_SCHEMA_VERSION);
  return h5r_attr_text(r, r->file, "file_kind", kind, len, err);
}

void h5r_dataset_attr(const h5r *r, hid_t loc, const char *dataset, const char *name, char *buf, size_t len) {
  ss_err ignored;
  buf[0] = '\0';
  hid_t d = h5r_exists(r, loc, dataset) ? H5Dopen2(loc, dataset, H5P_DEFAULT) : H5I_INVALID_HID;
  if (d >= 0 && H5Aexists(d, name) > 0 && h5r_attr_text(r, d, name, buf, len, &ignored)) buf[0] = '\0';
  if (d >= 0) H5Dclose(d);
}

/* A dataset's values must be in the file: a chunked dataset can claim 2^40 values in a few bytes (no
 * chunk written), which a reader would allocate. Beyond H5R_SMALL_BYTES, the stored bytes times
 * H5R_MAX_RATIO (above deflate's best ratio, about 1032:1) must cover what the dataset claims, and no
 * dataset may claim more than H5R_MAX_BYTES. On failure the dataset and space are closed. */
#define H5R_SMALL_BYTES ((hsize_t)1 << 20)
#define H5R_MAX_RATIO   4096.0
#define H5R_MAX_BYTES   ((hsize_t)1 << 36)
static ss_status check_stored(const h5r *r, const char *name, hid_t d, hid_t sp, bool text, ss_err *err) {
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  double claimed = (double)(n > 0 ? n : 0) * (text ? 16.0 : 8.0), stored = (double)H5Dget_storage_size(d);
  if (n >= 0 &&
      (claimed <= (double)H5R_SMALL_BYTES || (claimed <= (double)H5R_MAX_BYTES && stored * H5R_MAX_RATIO >= claimed)))
    return SS_OK;
  ss_status rc = ss_errorf(err, SS_EDATA,
                           "%s: /%s: claims %.0f values but stores %.0f bytes; allowed: values the file holds (a "
                           "damaged, sparse or foreign dataset), at most %.0f bytes of them",
                           r->path, name, (double)(n > 0 ? n : 0), stored, (double)H5R_MAX_BYTES);
  H5Sclose(sp), H5Dclose(d);
  return rc;
}

/* Opens dataset name and checks its class (numeric: integer or float), rank and stored size; *sp
 * receives its space. */
static ss_status open_checked(const h5r *r, hid_t loc, const char *name, bool text, int rank, hid_t *d, hid_t *sp,
                              ss_err *err) {
  char shape[96];
  bool exists = h5r_exists(r, loc, name);
  *d = exists ? H5Dopen2(loc, name, H5P_DEFAULT) : H5I_INVALID_HID;
  *sp = H5I_INVALID_HID;
  if (*d < 0 && exists) return ss_errorf(err, SS_EDATA, "%s: /%s is not a dataset", r->path, name);
  if (*d < 0) return ss_errorf(err, SS_EDATA, "%s: dataset /%s is missing", r->path, name);
  hid_t t = H5Dget_type(*d);
  H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  bool vlen = c == H5T_STRING && H5Tis_variable_str(t) > 0;
  bool type_ok = text ? vlen : (c == H5T_FLOAT || c == H5T_INTEGER) && H5Tget_size(t) <= 8;
  if (t >= 0) H5Tclose(t);
  *sp = H5Dget_space(*d);
  int got = *sp >= 0 ? H5Sget_simple_extent_ndims(*sp) : -1;
  if (type_ok && got == rank) {
    ss_status rc = check_stored(r, name, *d, *sp, text, err); /* closes both on failure */
    if (rc) *sp = *d = H5I_INVALID_HID;
    return rc;
  }
  describe_space(*sp, shape, sizeof shape);
  char want[48];
  if (rank == 0)
    snprintf(want, sizeof want, "scalar");
  else
    snprintf(want, sizeof want, "%d-D array", rank);
  ss_status rc = ss_errorf(err, SS_EDATA, "%s: /%s: expected %s of %s, found %s %s", r->path, name, want,
                           text ? "variable-length text" : "numbers", shape,
                           c == H5T_STRING && !vlen ? "fixed-length text" : class_name(c));
  if (*sp >= 0) H5Sclose(*sp);
  H5Dclose(*d);
  *sp = *d = H5I_INVALID_HID;
  return rc;
}

static ss_status check_dims(const h5r *r, const char *name, hid_t sp, int rank, const hsize_t *want, ss_err *err) {
  hsize_t d[H5_MAX_RANK] = {0};
  if (rank == 0) return SS_OK;
  H5Sget_simple_extent_dims(sp, d, NULL);
  for (int i = 0; i < rank; i++)
    if (d[i] != want[i]) {
      char shape[96], expect[96];
      describe_space(sp, shape, sizeof shape);
      int used = snprintf(expect, sizeof expect, "%s%llu", rank > 1 ? "" : "array of ", (unsigned long long)want[0]);
      if (rank > 1) used = snprintf(expect, sizeof expect, "%d-D array of %llu", rank, (unsigned long long)want[0]);
      for (int k = 1; k < rank && used > 0 && (size_t)used < sizeof expect; k++)
        used += snprintf(expect + used, sizeof expect - (size_t)used, " x %llu", (unsigned long long)want[k]);
      return ss_errorf(err, SS_EDATA, "%s: /%s: expected %s, found %s", r->path, name, expect, shape);
    }
  return SS_OK;
}

ss_status h5r_extent(const h5r *r, hid_t loc, const char *name, hsize_t max, hsize_t *n, ss_err *err) {
  hid_t d, sp;
  ss_status rc = open_checked(r, loc, name, h5r_is_text(r, loc, name), 1, &d, &sp, err);
  if (rc) return rc;
  H5Sget_simple_extent_dims(sp, n, NULL);
  if (*n > max)
    rc = ss_errorf(err, SS_EDATA, "%s: /%s: expected at most %llu values, found %llu", r->path, name,
                   (unsigned long long)max, (unsigned long long)*n);
  H5Sclose(sp), H5Dclose(d);
  return rc;
}

ss_status h5r_shape(const h5r *r, hid_t loc, const char *name, bool text, int rank, const hsize_t *dims, ss_err *err) {
  hid_t d, sp;
  ss_status rc = open_checked(r, loc, name, text, rank, &d, &sp, err);
  if (!rc) rc = check_dims(r, name, sp, rank, dims, err);
  if (d >= 0) H5Sclose(sp), H5Dclose(d);
  return rc;
}

ss_status h5r_f64(const h5r *r, hid_t loc, const char *name, int rank, const hsize_t *dims, double *out, ss_err *err) {
  hid_t d, sp;
  ss_status rc = open_checked(r, loc, name, false, rank, &d, &sp, err);
  if (!rc) rc = check_dims(r, name, sp, rank, dims, err);
  bool empty = false;
  for (int i = 0; i < rank; i++) empty |= dims[i] == 0;
  if (!rc && !empty && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    rc = ss_errorf(err, SS_EDATA, "%s: /%s is unreadable", r->path, name);
  if (d >= 0) H5Sclose(sp), H5Dclose(d);
  return rc;
}

ss_status h5r_text_1d(const h5r *r, hid_t loc, const char *name, hsize_t n, char *out, size_t width, ss_err *err) {
  hid_t d, sp, t = vstr_type();
  char **s = NULL;
  ss_status rc = open_checked(r, loc, name, true, 1, &d, &sp, err);
  if (!rc) rc = check_dims(r, name, sp, 1, &n, err);
  if (!rc && !(s = calloc(n ? n : 1, sizeof *s))) rc = ss_errorf(err, SS_ENOMEM, "out of memory reading /%s", name);
  if (!rc && n && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) < 0)
    rc = ss_errorf(err, SS_EDATA, "%s: /%s is unreadable", r->path, name);
  for (hsize_t i = 0; !rc && i < n; i++) {
    size_t len = s[i] ? strlen(s[i]) : 0;
    if (len >= width)
      rc = ss_errorf(err, SS_EDATA, "%s: /%s[%llu]: expected text of at most %zu bytes, found %zu", r->path, name,
                     (unsigned long long)i, width - 1, len);
    else
      memcpy(out + i * width, s[i] ? s[i] : "", len + 1);
  }
  for (hsize_t i = 0; s && i < n; i++) H5free_memory(s[i]);
  free(s);
  if (d >= 0) H5Sclose(sp), H5Dclose(d);
  H5Tclose(t);
  return rc;
}

ss_status h5r_text_scalar(const h5r *r, hid_t loc, const char *name, char **out, ss_err *err) {
  hid_t d, sp, t = vstr_type();
  char *s = NULL;
  *out = NULL;
  ss_status rc = open_checked(r, loc, name, true, 0, &d, &sp, err);
  if (!rc && (H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) < 0 || !s))
    rc = ss_errorf(err, SS_EDATA, "%s: /%s is unreadable", r->path, name);
  if (!rc && strlen(s) > H5R_MAX_TEXT)
    rc = ss_errorf(err, SS_EDATA, "%s: /%s: expected text of at most %d bytes, found %zu", r->path, name, H5R_MAX_TEXT,
                   strlen(s));
  if (!rc && !(*out = strdup(s))) rc = ss_errorf(err, SS_ENOMEM, "out of memory reading /%s", name);
  if (s) H5free_memory(s);
  if (d >= 0) H5Sclose(sp), H5Dclose(d);
  H5Tclose(t);
  return rc;
}

bool h5r_is_text(const h5r *r, hid_t loc, const char *name) {
  hid_t d = h5r_exists(r, loc, name) ? H5Dopen2(loc, name, H5P_DEFAULT) : H5I_INVALID_HID;
  hid_t t = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
  bool text = t >= 0 && H5Tget_class(t) == H5T_STRING;
  if (t >= 0) H5Tclose(t);
  if (d >= 0) H5Dclose(d);
  return text;
}
