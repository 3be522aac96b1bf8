/* sensitivity.c: tornado table (rank-quantile regression, see sensitivity.h) and Spearman rank
 * correlations of each uncertain input against each analysed output, per sweep point.
 * Invariant: a cell uses exactly the replicates where input and output are finite (and, for
 * latency outputs, the replicate is not saturated); everything is serial and in replicate order. */
#include "study/sensitivity.h"

#include <hdf5_hl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5out.h"

static const struct {
  result_metric m;
  bool skip_saturated;
} OUTPUTS[] = {
#define X(m, skip) {RM_##m, skip},
    SENSITIVITY_OUTPUTS(X)
#undef X
};

result_metric sensitivity_output(size_t o) { return OUTPUTS[o].m; }
bool sensitivity_skips_saturated(size_t o) { return OUTPUTS[o].skip_saturated; }

typedef struct {
  double v;
  size_t i;
} keyed;

static int keyed_cmp(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

bool sensitivity_rank(const double *x, size_t n, double *rank) {
  keyed *k = malloc((n ? n : 1) * sizeof *k);
  if (!k) return false;
  for (size_t i = 0; i < n; i++) k[i] = (keyed){x[i], i};
  qsort(k, n, sizeof *k, keyed_cmp);
  for (size_t lo = 0, hi; lo < n; lo = hi) {
    for (hi = lo + 1; hi < n && k[hi].v == k[lo].v; hi++) {}
    double mean_rank = 0.5 * (double)(lo + 1 + hi); /* ranks lo+1 .. hi */
    for (size_t j = lo; j < hi; j++) rank[k[j].i] = mean_rank;
  }
  free(k);
  return true;
}

/* Pearson's correlation, or NAN when either side has no spread. */
static double pearson(const double *x, const double *y, size_t n) {
  double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < n; i++) mx += x[i], my += y[i];
  mx /= (double)n, my /= (double)n;
  for (size_t i = 0; i < n; i++) {
    double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx, syy += dy * dy, sxy += dx * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

double sensitivity_spearman(const double *x, const double *y, size_t n) {
  double *r = malloc((n ? 2 * n : 1) * sizeof *r), rho = NAN;
  if (n >= 2 && r && sensitivity_rank(x, n, r) && sensitivity_rank(y, n, r + n)) rho = pearson(r, r + n, n);
  free(r);
  return rho;
}

void sensitivity_tornado(const double *x, const double *y, size_t n, sensitivity_cell *c) {
  *c = (sensitivity_cell){NAN, NAN, NAN, NAN, NAN, n};
  double *u = n >= SENSITIVITY_MIN_N ? malloc(n * sizeof *u) : NULL;
  if (!u || !sensitivity_rank(x, n, u)) goto done;
  double mu = 0, my = 0, suu = 0, suy = 0;
  for (size_t i = 0; i < n; i++) u[i] = (u[i] - 0.5) / (double)n, mu += u[i], my += y[i];
  mu /= (double)n, my /= (double)n;
  for (size_t i = 0; i < n; i++) suu += (u[i] - mu) * (u[i] - mu), suy += (u[i] - mu) * (y[i] - my);
  double slope = suu > 0 ? suy / suu : 0; /* a constant input moves nothing */
  double lo = y[0], hi = y[0];
  for (size_t i = 1; i < n; i++) lo = fmin(lo, y[i]), hi = fmax(hi, y[i]);
  c->base = my;
  /* the line is read inside the data: with few replicates it could otherwise leave the observed
   * range (a negative latency, say) */
  c->low = fmin(fmax(my + slope * (SENSITIVITY_P_LOW - mu), lo), hi);
  c->high = fmin(fmax(my + slope * (SENSITIVITY_P_HIGH - mu), lo), hi);
  c->swing = fabs(c->high - c->low);
  c->spearman = sensitivity_spearman(x, y, n);
done:
  free(u);
}

void sensitivity_free(sensitivity *s) {
  free(s->cell);
  s->cell = NULL;
}

ss_status sensitivity_compute(const study *st, sensitivity *s, ss_err *err) {
  size_t P = st->n_points, R = st->n_reps, I = st->n_inputs;
  memset(s, 0, sizeof *s);
  if (st->task_lo != 0 || st->task_hi != study_tasks(st))
    return ss_errorf(err, SS_EDATA, "sensitivity needs a whole study, not a shard (join the parts with servesim merge)");
  s->n_points = P, s->n_inputs = I;
  for (size_t i = 0; i < I; i++) {
    snprintf(s->input_key[i], STUDY_KEY_LEN, "%s", st->inputs[i].key);
    snprintf(s->input_units[i], STUDY_UNITS_LEN, "%s", st->inputs[i].units);
  }
  size_t n_cells = (size_t)SENSITIVITY_N_OUTPUTS * P * I;
  s->cell = malloc((n_cells ? n_cells : 1) * sizeof *s->cell);
  double *x = malloc((R ? 2 * R : 1) * sizeof *x), *y = x ? x + R : NULL;
  if (!s->cell || !x) {
    free(x), sensitivity_free(s);
    return ss_errorf(err, SS_EINTERNAL, "sensitivity: out of memory for %zu points x %zu inputs", P, I);
  }
  for (size_t o = 0; o < SENSITIVITY_N_OUTPUTS; o++)
    for (size_t p = 0; p < P; p++)
      for (size_t i = 0; i < I; i++) {
        size_t n = 0;
        for (size_t r = 0; r < R; r++) {
          size_t t = p * R + r;
          double xv = st->inputs[i].value[t], yv = st->res[t].v[OUTPUTS[o].m];
          if (OUTPUTS[o].skip_saturated && st->res[t].v[RM_saturated] > 0.5) continue;
          if (isfinite(xv) && isfinite(yv)) x[n] = xv, y[n] = yv, n++;
        }
        sensitivity_tornado(x, y, n, sensitivity_at(s, o, p, i));
      }
  free(x);
  return SS_OK;
}

void sensitivity_order(const sensitivity *s, size_t o, size_t point, size_t *order) {
  keyed *k = malloc((s->n_inputs ? s->n_inputs : 1) * sizeof *k);
  for (size_t i = 0; i < s->n_inputs; i++) order[i] = i;
  if (!k) return; /* unsorted, still a permutation */
  for (size_t i = 0; i < s->n_inputs; i++) {
    double w = sensitivity_at(s, o, point, i)->swing;
    k[i] = (keyed){isnan(w) ? INFINITY : -w, i}; /* ascending -swing = largest first, NAN last */
  }
  qsort(k, s->n_inputs, sizeof *k, keyed_cmp);
  for (size_t i = 0; i < s->n_inputs; i++) order[i] = k[i].i;
  free(k);
}

/* ---- HDF5 ---- */

static bool attr_text(hid_t obj, const char *name, const char *text) {
  hid_t t = h5out_vstr_type();
  bool ok = t >= 0 && h5out_attr_text(obj, t, name, text);
  if (t >= 0) H5Tclose(t);
  return ok;
}

/* One (point, input) dataset of one field of the cells of output o. */
typedef struct {
  const char *name, *long_name;
  bool metric_units; /* else "1" */
} field;

static double field_value(const sensitivity_cell *c, size_t f) {
  const double v[] = {c->base, c->low, c->high, c->swing, c->spearman, (double)c->n};
  return v[f];
}

static const field FIELDS[] = {
    {"base", "mean over the replicates used", true},
    {"low", "fitted value with the input at its 10th percentile", true},
    {"high", "fitted value with the input at its 90th percentile", true},
    {"swing", "|high - low|: the tornado bar length", true},
    {"spearman", "Spearman rank correlation of input and output", false},
    {"n_used", "replicates used (saturated ones left out for latency outputs)", false},
};

static const char METHOD[] =
    "per sweep point, one input at a time: least-squares line of the output on the input's rank quantile "
    "u = (rank - 0.5)/n, evaluated at u = 0.1 (low, the input's p10) and u = 0.9 (high, its p90); "
    "Spearman rho = Pearson correlation of average ranks; latency outputs leave out saturated replicates";

static bool write_output(hid_t g, const sensitivity *s, size_t o, hid_t point_scale, hid_t input_scale, double *buf) {
  hsize_t dims[2] = {s->n_points, s->n_inputs};
  result_metric m = OUTPUTS[o].m;
  hid_t og = H5Gcreate2(g, result_name(m), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  bool ok = og >= 0 && attr_text(og, "long_name", result_long_name(m)) && attr_text(og, "method", METHOD);
  for (size_t f = 0; ok && f < sizeof FIELDS / sizeof FIELDS[0]; f++) {
    char long_name[256];
    for (size_t p = 0; p < s->n_points; p++)
      for (size_t i = 0; i < s->n_inputs; i++) buf[p * s->n_inputs + i] = field_value(sensitivity_at(s, o, p, i), f);
    snprintf(long_name, sizeof long_name, "%s: %s", result_name(m), FIELDS[f].long_name);
    hid_t sp = H5Screate_simple(2, dims, NULL), d = -1;
    ok = sp >= 0 &&
         (d = H5Dcreate2(og, FIELDS[f].name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
         H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0 &&
         attr_text(d, "units", FIELDS[f].metric_units ? result_units(m) : "1") &&
         attr_text(d, "long_name", long_name) && (point_scale < 0 || H5DSattach_scale(d, point_scale, 0) >= 0) &&
         H5DSattach_scale(d, input_scale, 1) >= 0;
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
  }
  if (og >= 0) H5Gclose(og);
  return ok;
}

ss_status sensitivity_write_h5(hid_t file, const sensitivity *s, ss_err *err) {
  hsize_t n_in = s->n_inputs;
  hid_t g = -1, vs = h5out_vstr_type(), sp = -1, input_scale = -1, point_scale = -1;
  const char *keys[SC_MAX_UNCERTAIN];
  size_t n_buf = s->n_points * s->n_inputs;
  double *buf = malloc((n_buf ? n_buf : 1) * sizeof *buf);
  for (size_t i = 0; i < s->n_inputs; i++) keys[i] = s->input_key[i];
  if (H5Lexists(file, "sensitivity", H5P_DEFAULT) > 0) H5Ldelete(file, "sensitivity", H5P_DEFAULT);
  if (H5Lexists(file, "point", H5P_DEFAULT) > 0) point_scale = H5Dopen2(file, "point", H5P_DEFAULT);
  bool ok = buf && vs >= 0 &&
            (g = H5Gcreate2(file, "sensitivity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
            attr_text(g, "method", METHOD) && (sp = H5Screate_simple(1, &n_in, NULL)) >= 0 &&
            (input_scale = H5Dcreate2(g, "input", vs, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
            (!n_in || H5Dwrite(input_scale, vs, H5S_ALL, H5S_ALL, H5P_DEFAULT, keys) >= 0) &&
            attr_text(input_scale, "units", "") &&
            attr_text(input_scale, "long_name", "uncertain input (scenario key; its samples are /input_<key>)") &&
            H5DSset_scale(input_scale, "input") >= 0;
  for (size_t o = 0; ok && o < SENSITIVITY_N_OUTPUTS; o++) ok = write_output(g, s, o, point_scale, input_scale, buf);
  if (input_scale >= 0) H5Dclose(input_scale);
  if (point_scale >= 0) H5Dclose(point_scale);
  if (sp >= 0) H5Sclose(sp);
  if (g >= 0) H5Gclose(g);
  if (vs >= 0) H5Tclose(vs);
  free(buf);
  return ok ? SS_OK : ss_errorf(err, SS_EIO, "writing /sensitivity failed (disk full, or a file opened read-only?)");
}

ss_status sensitivity_write_study(hid_t file, const study *st, ss_err *err) {
  sensitivity s;
  if (!st->n_inputs || st->task_lo != 0 || st->task_hi != study_tasks(st)) return SS_OK;
  ss_status rc = sensitivity_compute(st, &s, err);
  if (!rc) rc = sensitivity_write_h5(file, &s, err);
  sensitivity_free(&s);
  return rc;
}
