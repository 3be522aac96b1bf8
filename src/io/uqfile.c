/* uqfile.c: /design and /sensitivity of a study file. The design's per-replicate structure is stored
 * as integers, its quantiles as doubles; the indices are computed one metric at a time
 * (study/sensitivity) and written at once, so memory holds one metric's indices, not all of them.
 * Invariant: every dataset carries units and long_name and its dimension scales. */
#include "io/uqfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "study/indices.h"
#include "study/precision.h"
#include "study/sensitivity.h"

/* ---- /design ---- */

static const char *design_name(const study_design *d) {
  return d->method == SC_SENS_MORRIS ? "morris_grid" : sc_design_names[d->kind];
}

static bool write_input_scale(h5w *w, hid_t g, const study *st, hid_t *scale) {
  const char *keys[SC_MAX_UNCERTAIN];
  for (size_t i = 0; i < st->n_inputs; i++) keys[i] = st->inputs[i].key;
  return h5w_scale(w, g, "input", st->n_inputs, w->vstr, w->vstr, keys, "",
                   "uncertain input (scenario key; its sampled values are /input_<key>)", scale);
}

bool uqfile_write_design(h5w *w, const study *st, hid_t replicate) {
  const study_design *d = &st->design;
  hsize_t R = st->n_reps, ir[2] = {st->n_inputs, st->n_reps};
  hid_t g = H5Gcreate2(w->file, "design", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), input = H5I_INVALID_HID;
  hid_t scales[2] = {H5I_INVALID_HID, replicate};
  bool ok = g >= 0 && d->role && h5w_attr_text(w, g, "design", design_name(d)) &&
            h5w_attr_text(w, g, "sensitivity_method", sc_sens_method_names[d->method]) &&
            h5w_attr_u64(w, g, "samples", d->samples) && h5w_attr_u64(w, g, "block", d->block) &&
            h5w_attr_u32(w, g, "bootstrap", d->bootstrap) && h5w_attr_u32(w, g, "paired", d->paired) &&
            h5w_var(w, g, "role", 1, &R, H5T_NATIVE_INT32, H5T_STD_I32LE, d->role, "1",
                    "role of the replicate: 0 for prcc; Saltelli block for sobol (0 A, 1 B, 2 + i AB_i); step of "
                    "its Morris trajectory (0: start)",
                    &replicate, NULL) &&
            h5w_var(w, g, "group", 1, &R, H5T_NATIVE_INT32, H5T_STD_I32LE, d->group, "1",
                    "Sobol row or Morris trajectory of the replicate (prcc: the replicate itself)", &replicate, NULL) &&
            h5w_var(w, g, "traffic", 1, &R, H5T_NATIVE_INT64, H5T_STD_I64LE, d->traffic, "1",
                    "replicate index the simulator's random streams are keyed by (shared inside a Sobol row or a "
                    "Morris trajectory: common random numbers)",
                    &replicate, NULL);
  if (ok && st->n_inputs) {
    ok = write_input_scale(w, g, st, &input);
    scales[0] = input;
    ok = ok &&
         h5w_var(w, g, "unit", 2, ir, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, d->unit, "1",
                 "quantile of the input's distribution at the replicate: the design's point in (0, 1)", scales, NULL);
  }
  if (!ok && !w->failed) w->failed = "design";
  if (input >= 0) H5Dclose(input);
  if (g >= 0) H5Gclose(g);
  return ok;
}

static int name_index(const char *const *names, const char *name) {
  for (int i = 0; names[i]; i++)
    if (!strcmp(names[i], name)) return i;
  return -1;
}

static ss_status read_ints(const h5r *r, const char *name, hsize_t n, double *buf, ss_err *err) {
  ss_status rc = h5r_f64(r, r->file, name, 1, &n, buf, err);
  for (hsize_t i = 0; !rc && i < n; i++)
    if (!(buf[i] == floor(buf[i]) && fabs(buf[i]) < 9e15))
      rc = ss_errorf(err, SS_EDATA, "%s: /%s[%llu] is %g; expected a whole number", r->path, name,
                     (unsigned long long)i, buf[i]);
  return rc;
}

static ss_status read_design_attrs(const h5r *r, study_design *d, ss_err *err) {
  hid_t g = H5Gopen2(r->file, "design", H5P_DEFAULT);
  char design[32], method[32];
  uint64_t samples, block, boot, paired;
  if (g < 0) return ss_errorf(err, SS_EDATA, "%s: /design is missing or not a group", r->path);
  ss_status rc;
  if (!(rc = h5r_attr_text(r, g, "design", design, sizeof design, err)) &&
      !(rc = h5r_attr_text(r, g, "sensitivity_method", method, sizeof method, err)) &&
      !(rc = h5r_attr_u64(r, g, "samples", &samples, err)) && !(rc = h5r_attr_u64(r, g, "block", &block, err)) &&
      !(rc = h5r_attr_u64(r, g, "bootstrap", &boot, err)) && !(rc = h5r_attr_u64(r, g, "paired", &paired, err))) {
    int m = name_index(sc_sens_method_names, method);
    int k = m == SC_SENS_MORRIS ? SC_DESIGN_RANDOM : name_index(sc_design_names, design);
    size_t per = m == SC_SENS_SOBOL ? d->n_inputs + 2 : m == SC_SENS_MORRIS ? d->n_inputs + 1 : 1;
    if (m < 0 || k < 0 || samples * per != d->n_reps || boot > 100000)
      rc = ss_errorf(err, SS_EDATA,
                     "%s: /design: design '%s', method '%s', %llu samples do not describe %zu "
                     "replicates of %zu inputs",
                     r->path, design, method, (unsigned long long)samples, d->n_reps, d->n_inputs);
    d->kind = k, d->method = m, d->samples = samples, d->block = block, d->bootstrap = (unsigned)boot;
    d->paired = paired != 0;
  }
  H5Gclose(g);
  return rc;
}

ss_status uqfile_read_design(const h5r *r, study *st, ss_err *err) {
  study_design *d = &st->design;
  size_t R = st->n_reps, I = st->n_inputs;
  hsize_t ir[2] = {I, R};
  design_free(d);
  ss_status rc = design_alloc(d, I, R, err);
  double *buf = rc ? NULL : malloc((R + 1) * sizeof *buf);
  if (!rc && !buf) rc = ss_errorf(err, SS_ENOMEM, "out of memory reading /design");
  if (!rc) rc = read_design_attrs(r, d, err);
  if (!rc && !(rc = read_ints(r, "design/role", R, buf, err)))
    for (size_t i = 0; i < R; i++) d->role[i] = (int32_t)buf[i];
  if (!rc && !(rc = read_ints(r, "design/group", R, buf, err)))
    for (size_t i = 0; i < R; i++) d->group[i] = (int32_t)buf[i];
  if (!rc && !(rc = read_ints(r, "design/traffic", R, buf, err)))
    for (size_t i = 0; i < R; i++) d->traffic[i] = (int64_t)buf[i];
  if (!rc && I) rc = h5r_f64(r, r->file, "design/unit", 2, ir, d->unit, err);
  for (size_t i = 0; !rc && i < I; i++) memcpy(&d->value[i * R], st->inputs[i].value, R * sizeof *d->value);
  free(buf);
  return rc;
}

/* ---- /sensitivity ---- */

/* 1, 0 or NAN per cell (sensitivity_detected's -1 is NAN). */
static void detected(const sensitivity *s, double *out) {
  for (size_t p = 0; p < s->n_points; p++)
    for (size_t i = 0; i < s->n_inputs; i++)
      for (size_t x = 0; x < s->n_index; x++) {
        int v = sensitivity_detected(s, p, i, x);
        out[sensitivity_at(s, p, i, x)] = v < 0 ? NAN : (double)v;
      }
}

typedef struct {
  h5w *w;
  hid_t g, pix[3]; /* the group and the (point, input, index) scales */
  double *buf;
} sens_writer;

static bool write_metric(sens_writer *sw, const sensitivity *s) {
  h5w *w = sw->w;
  result_metric m = s->metric;
  hsize_t dims[3] = {s->n_points, s->n_inputs, s->n_index}, np = s->n_points;
  const char *units = sensitivity_in_metric_units(s->method) ? result_units(m) : "1";
  char ln[4][300];
  snprintf(ln[0], sizeof ln[0], "%s: sensitivity index of each input (index dimension: /sensitivity/index)",
           result_name(m));
  snprintf(ln[1], sizeof ln[1], "%s: lower end of the bootstrap 95%% CI of the index", result_name(m));
  snprintf(ln[2], sizeof ln[2], "%s: upper end of the bootstrap 95%% CI of the index", result_name(m));
  snprintf(ln[3], sizeof ln[3],
           "%s: 1 when the 95%% CI excludes zero, 0 when it includes zero (no detectable "
           "effect), NaN without a CI",
           result_name(m));
  hid_t og = H5Gcreate2(sw->g, result_name(m), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  detected(s, sw->buf);
  bool ok =
      og >= 0 && h5w_attr_text(w, og, "long_name", result_long_name(m)) &&
      h5w_attr_text(w, og, "metric_units", result_units(m)) &&
      h5w_var(w, og, "estimate", 3, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, s->est, units, ln[0], sw->pix, NULL) &&
      h5w_var(w, og, "ci95_lo", 3, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, s->lo, units, ln[1], sw->pix, NULL) &&
      h5w_var(w, og, "ci95_hi", 3, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, s->hi, units, ln[2], sw->pix, NULL) &&
      h5w_var(w, og, "detected", 3, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, sw->buf, "1", ln[3], sw->pix, NULL) &&
      h5w_var(w, og, "n_used", 1, &np, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, s->n_used, "1",
              s->method == SC_SENS_MORRIS ? "trajectories with every elementary effect finite"
              : s->method == SC_SENS_SOBOL
                  ? "Saltelli rows with the metric finite in every block (saturated replicates left out of "
                    "latency metrics)"
                  : "replicates used (saturated ones left out of latency metrics)",
              sw->pix, NULL);
  if (og >= 0) H5Gclose(og);
  return ok;
}

static bool write_header(sens_writer *sw, const study *st, int method) {
  h5w *w = sw->w;
  const char *names[SENSITIVITY_MAX_INDEX];
  size_t nx = sensitivity_n_index(method);
  char text[1200];
  double level = INDICES_CI_LEVEL;
  for (size_t x = 0; x < nx; x++) names[x] = sensitivity_index_name(method, x);
  snprintf(text, sizeof text,
           "%s; 95%% CIs by the percentile bootstrap over %u resamples; an index whose CI "
           "includes zero is no detectable effect",
           sensitivity_method_text(method), st->design.bootstrap);
  return h5w_attr_text(w, sw->g, "method", sc_sens_method_names[method]) &&
         h5w_attr_text(w, sw->g, "verdict_index", sensitivity_index_name(method, sensitivity_primary(method))) &&
         h5w_attr_text(w, sw->g, "method_text", text) && h5w_attr_u32(w, sw->g, "bootstrap", st->design.bootstrap) &&
         h5w_var(w, sw->g, "confidence_level", 0, NULL, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &level, "1",
                 "level of the confidence intervals of the indices", NULL, NULL) &&
         write_input_scale(w, sw->g, st, &sw->pix[1]) &&
         h5w_scale(w, sw->g, "index", nx, w->vstr, w->vstr, names, "",
                   "sensitivity index: prcc; first_order, total (sobol); mu_star, mu, sigma (morris)", &sw->pix[2]);
}

ss_status uqfile_write_sensitivity(h5w *w, const study *st, hid_t point, ss_err *err) {
  if (!st->n_inputs) return SS_OK;
  int method = st->design.method;
  sens_writer sw = {w,
                    H5Gcreate2(w->file, "sensitivity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    {point, H5I_INVALID_HID, H5I_INVALID_HID},
                    NULL};
  sw.buf = malloc((st->n_points * st->n_inputs * SENSITIVITY_MAX_INDEX + 1) * sizeof *sw.buf);
  ss_status rc = SS_OK;
  bool ok = sw.g >= 0 && sw.buf && write_header(&sw, st, method);
  for (int m = 0; ok && !rc && m < RM_COUNT; m++) {
    sensitivity s;
    if ((rc = sensitivity_compute(st, (result_metric)m, &s, err))) break;
    ok = write_metric(&sw, &s);
    sensitivity_free(&s);
  }
  if (!ok && !w->failed) w->failed = "sensitivity";
  for (int i = 1; i < 3; i++)
    if (sw.pix[i] >= 0) H5Dclose(sw.pix[i]);
  if (sw.g >= 0) H5Gclose(sw.g);
  free(sw.buf);
  if (rc) return rc;
  return ok ? SS_OK : h5w_failure(w, err);
}

/* ---- sequential precision ---- */

bool uqfile_write_precision(h5w *w, hid_t summary, const study *st, hid_t point) {
  const study_precision *pr = &st->precision;
  char text[256], name[160], ln[400];
  hsize_t np = st->n_points;
  if (!pr->n_targets) return true;
  precision_describe(pr, text, sizeof text);
  bool ok = h5w_attr_text(w, w->file, "precision", text) && h5w_attr_u32(w, w->file, "precision_met", pr->met) &&
            h5w_attr_u32(w, w->file, "precision_rounds", (uint32_t)pr->rounds) &&
            h5w_attr_u64(w, w->file, "precision_batch", pr->batch) &&
            h5w_attr_u64(w, w->file, "max_replicates", pr->max_replicates);
  for (size_t k = 0; ok && k < pr->n_targets; k++) {
    const char *m = result_name(pr->targets[k].metric);
    snprintf(name, sizeof name, "precision_%s", m);
    snprintf(ln, sizeof ln,
             "half-width of the 95%% CI of the mean of %s over |mean| when the sequential run stopped "
             "(target %g; NaN: no mean to be relative to, not counted)",
             m, pr->targets[k].rel);
    ok = h5w_var(w, summary, name, 1, &np, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &pr->rel[k * st->n_points], "1", ln,
                 &point, NULL);
  }
  return ok;
}

ss_status uqfile_read_precision(const h5r *r, study *st, ss_err *err) {
  study_precision *pr = &st->precision;
  char text[256], name[160];
  uint64_t met, rounds, batch, cap;
  if (H5Aexists(r->file, "precision") <= 0) return SS_OK;
  ss_status rc;
  if ((rc = h5r_attr_text(r, r->file, "precision", text, sizeof text, err)) ||
      (rc = h5r_attr_u64(r, r->file, "precision_met", &met, err)) ||
      (rc = h5r_attr_u64(r, r->file, "precision_rounds", &rounds, err)) ||
      (rc = h5r_attr_u64(r, r->file, "precision_batch", &batch, err)) ||
      (rc = h5r_attr_u64(r, r->file, "max_replicates", &cap, err)))
    return rc;
  pr->met = met != 0, pr->rounds = (size_t)rounds, pr->batch = (size_t)batch, pr->max_replicates = (size_t)cap;
  pr->n_targets = 0;
  for (char *tok = strtok(text, " "); tok && !rc && pr->n_targets < STUDY_MAX_TARGETS; tok = strtok(NULL, " "))
    if ((rc = precision_parse(tok, &pr->targets[pr->n_targets++], err))) ss_err_prefix(err, "%s: ", r->path);
  free(pr->rel);
  pr->rel = rc ? NULL : malloc((pr->n_targets * st->n_points + 1) * sizeof *pr->rel);
  if (!rc && !pr->rel) rc = ss_errorf(err, SS_ENOMEM, "out of memory reading %s", r->path);
  hsize_t np = st->n_points;
  for (size_t k = 0; !rc && k < pr->n_targets; k++) {
    snprintf(name, sizeof name, "summary/precision_%s", result_name(pr->targets[k].metric));
    if (h5r_exists(r, r->file, "summary")) rc = h5r_f64(r, r->file, name, 1, &np, &pr->rel[k * st->n_points], err);
  }
  return rc;
}
