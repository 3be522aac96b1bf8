/* comparefile.c: a comparison of two scenarios as HDF5 and back. One group per metric of the result
 * table, holding the fields of COMPARE_FIELDS (point) and replicate_a, replicate_b (point, replicate).
 * Invariant: writer and reader iterate the same tables (RESULT_METRICS, COMPARE_FIELDS). */
#include "io/comparefile.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5.h"

typedef struct {
  h5w *w;
  hid_t point, replicate;
} scales;

static bool write_metric(scales *s, const compare *c, result_metric m, double *buf) {
  h5w *w = s->w;
  size_t P = c->n_points, R = c->n_reps;
  hsize_t np = P, pr[2] = {P, R};
  hid_t both[2] = {s->point, s->replicate};
  char ln[400];
  hid_t g = H5Gcreate2(w->file, result_name(m), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  bool ok = g >= 0 && h5w_attr_text(w, g, "long_name", result_long_name(m)) &&
            h5w_attr_text(w, g, "metric_units", result_units(m));
  for (int f = 0; ok && f < CMP_COUNT; f++) {
    for (size_t p = 0; p < P; p++) buf[p] = compare_at(c, m, p)[f];
    snprintf(ln, sizeof ln, "%s: %s", result_name(m), compare_field_long_name((compare_field)f));
    ok = h5w_var(w, g, compare_field_name((compare_field)f), 1, &np, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 compare_field_in_metric_units((compare_field)f) ? result_units(m) : "1", ln, &s->point, NULL);
  }
  const double *reps[2] = {&c->rep_a[(size_t)m * P * R], &c->rep_b[(size_t)m * P * R]};
  for (int k = 0; ok && k < 2; k++) {
    snprintf(ln, sizeof ln, "%s of %s at each replicate, as paired (NaN: left out of the comparison)", result_name(m),
             k ? "B" : "A");
    ok = h5w_var(w, g, k ? "replicate_b" : "replicate_a", 2, pr, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, reps[k],
                 result_units(m), ln, both, NULL);
  }
  if (g >= 0) H5Gclose(g);
  return ok;
}

static bool write_all(scales *s, const compare *c, int argc, char *const *argv) {
  h5w *w = s->w;
  size_t P = c->n_points, R = c->n_reps, big = P > R ? P : R;
  hsize_t np = P;
  char title[256], name[200];
  snprintf(title, sizeof title, "servesim compare: %s vs %s", c->name_a, c->name_b);
  snprintf(name, sizeof name, "%s vs %s", c->name_a, c->name_b);
  h5_provenance prov = {h5_kind_compare, title,          name,      c->seed,    argc, argv,
                        c->hwdb_dir,     c->hwdb_sha256, c->inputs, c->n_inputs};
  int64_t *idx = malloc((big + 1) * sizeof *idx);
  double *buf = malloc((P + 1) * sizeof *buf);
  const char **la = malloc((P + 1) * sizeof *la), **lb = malloc((P + 1) * sizeof *lb);
  const char *ya = c->config_a, *yb = c->config_b;
  bool ok = idx && buf && la && lb && h5w_provenance(w, &prov) && h5w_attr_text(w, w->file, "name_a", c->name_a) &&
            h5w_attr_text(w, w->file, "name_b", c->name_b);
  for (size_t i = 0; ok && i < big; i++) idx[i] = (int64_t)i;
  for (size_t p = 0; ok && p < P; p++) la[p] = c->label_a[p], lb[p] = c->label_b[p];
  ok = ok &&
       h5w_scale(w, w->file, "point", P, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                 "sweep point index: point p of A is compared with point p of B", &s->point) &&
       h5w_scale(w, w->file, "replicate", R, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                 "replicate index: the same traffic and uncertain-input quantiles in A and B", &s->replicate) &&
       h5w_var(w, w->file, "config_yaml_a", 0, NULL, w->vstr, w->vstr, &ya, "", "scenario A, resolved (YAML)", NULL,
               NULL) &&
       h5w_var(w, w->file, "config_yaml_b", 0, NULL, w->vstr, w->vstr, &yb, "", "scenario B, resolved (YAML)", NULL,
               NULL) &&
       h5w_var(w, w->file, "label_a", 1, &np, w->vstr, w->vstr, la, "", "swept values of A at each point", &s->point,
               NULL) &&
       h5w_var(w, w->file, "label_b", 1, &np, w->vstr, w->vstr, lb, "", "swept values of B at each point", &s->point,
               NULL);
  for (int m = 0; ok && m < RM_COUNT; m++) ok = write_metric(s, c, (result_metric)m, buf);
  free(idx), free(buf), free(la), free(lb);
  return ok;
}

ss_status comparefile_write(const compare *c, const char *path, int argc, char *const *argv, const char *const *inputs,
                            size_t n_inputs, ss_err *err) {
  h5w w;
  ss_status rc = h5w_create(&w, path, inputs, n_inputs, err);
  if (rc) return rc;
  scales s = {&w, H5I_INVALID_HID, H5I_INVALID_HID};
  bool ok = write_all(&s, c, argc, argv);
  if (s.point >= 0) H5Dclose(s.point);
  if (s.replicate >= 0) H5Dclose(s.replicate);
  if (!ok) return rc = h5w_failure(&w, err), h5w_abort(&w), rc;
  return h5w_commit(&w, err);
}

/* ---- reading ---- */

static ss_status read_metrics(const h5r *r, compare *c, double *buf, ss_err *err) {
  size_t P = c->n_points, R = c->n_reps;
  hsize_t np = P, pr[2] = {P, R};
  char name[200];
  ss_status rc = SS_OK;
  for (int m = 0; !rc && m < RM_COUNT; m++) {
    for (int f = 0; !rc && f < CMP_COUNT; f++) {
      snprintf(name, sizeof name, "%s/%s", result_name((result_metric)m), compare_field_name((compare_field)f));
      if ((rc = h5r_f64(r, r->file, name, 1, &np, buf, err))) break;
      for (size_t p = 0; p < P; p++) compare_at(c, (result_metric)m, p)[f] = buf[p];
    }
    snprintf(name, sizeof name, "%s/replicate_a", result_name((result_metric)m));
    if (!rc) rc = h5r_f64(r, r->file, name, 2, pr, &c->rep_a[(size_t)m * P * R], err);
    snprintf(name, sizeof name, "%s/replicate_b", result_name((result_metric)m));
    if (!rc) rc = h5r_f64(r, r->file, name, 2, pr, &c->rep_b[(size_t)m * P * R], err);
  }
  return rc;
}

ss_status comparefile_read(const char *path, compare *c, ss_err *err) {
  h5r r;
  char kind[32];
  hsize_t P = 0, R = 0;
  double *buf = NULL;
  memset(c, 0, sizeof *c);
  ss_status rc = h5r_open(&r, path, err);
  if (rc) return rc;
  if ((rc = h5r_check_kind(&r, kind, sizeof kind, err))) goto fail;
  if (strcmp(kind, h5_kind_compare)) {
    rc = ss_errorf(err, SS_EDATA, "%s: a %s file, not a comparison", path, kind);
    goto fail;
  }
  if ((rc = h5r_attr_u64(&r, r.file, "master_seed", &c->seed, err)) ||
      (rc = h5r_attr_text(&r, r.file, "name_a", c->name_a, sizeof c->name_a, err)) ||
      (rc = h5r_attr_text(&r, r.file, "name_b", c->name_b, sizeof c->name_b, err)) ||
      (rc = h5r_extent(&r, r.file, "point", SC_MAX_POINTS, &P, err)) ||
      (rc = h5r_extent(&r, r.file, "replicate", 1000000, &R, err)))
    goto fail;
  size_t cells = (size_t)RM_COUNT * P;
  c->n_points = P, c->n_reps = R;
  c->label_a = calloc(P + 1, sizeof *c->label_a), c->label_b = calloc(P + 1, sizeof *c->label_b);
  c->v = malloc((cells * CMP_COUNT + 1) * sizeof *c->v);
  c->rep_a = malloc((cells * R + 1) * sizeof *c->rep_a), c->rep_b = malloc((cells * R + 1) * sizeof *c->rep_b);
  buf = malloc((P + 1) * sizeof *buf);
  if (!c->label_a || !c->label_b || !c->v || !c->rep_a || !c->rep_b || !buf) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory reading %s", path);
    goto fail;
  }
  if ((rc = h5r_text_scalar(&r, r.file, "config_yaml_a", &c->config_a, err)) ||
      (rc = h5r_text_scalar(&r, r.file, "config_yaml_b", &c->config_b, err)) ||
      (rc = h5r_text_1d(&r, r.file, "label_a", P, (char *)c->label_a, COMPARE_LABEL_LEN, err)) ||
      (rc = h5r_text_1d(&r, r.file, "label_b", P, (char *)c->label_b, COMPARE_LABEL_LEN, err)))
    goto fail;
  for (int k = 0; !rc && k < 2; k++) { /* the two scenario files (other inputs stay in the attributes) */
    hash_ref *h = &c->inputs[c->n_inputs];
    char attr[64];
    snprintf(h->role, sizeof h->role, "scenario_%c", k ? 'b' : 'a');
    snprintf(attr, sizeof attr, "input_%s_path", h->role);
    if (H5Aexists(r.file, attr) <= 0) continue;
    if (!(rc = h5r_attr_text(&r, r.file, attr, h->path, sizeof h->path, err))) c->n_inputs++;
  }
  if (!rc) rc = read_metrics(&r, c, buf, err);
fail:
  free(buf);
  h5r_close(&r);
  if (rc) compare_free(c);
  return rc;
}
