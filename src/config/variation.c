/* variation.c: sweep axes and uncertain inputs: parsing (a key table of their own for the
 * distributions), the checks against the scenario key they vary, replacement and removal. */
#include "config/variation.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const UNC_DISTS[] = {"uniform", "normal", "lognormal", "triangular", NULL};

static const kt_field UNC_FIELDS[] = {
    KT_ROW_ENUM(sc_uncertain, "dist", dist, "uniform", UNC_DISTS, KT_REQUIRED, "distribution"),
    KT_ROW_F64(sc_uncertain, "min", min, NAN, -1e12, 1e12, 0, "lower bound (uniform, triangular)"),
    KT_ROW_F64(sc_uncertain, "max", max, NAN, -1e12, 1e12, 0, "upper bound (uniform, triangular)"),
    KT_ROW_F64(sc_uncertain, "mode", mode, NAN, -1e12, 1e12, 0, "mode (triangular)"),
    KT_ROW_F64(sc_uncertain, "mean", mean, NAN, -1e12, 1e12, 0, "mean (normal)"),
    KT_ROW_F64(sc_uncertain, "sd", sd, NAN, 0, 1e12, 0, "standard deviation (normal)"),
    KT_ROW_F64(sc_uncertain, "median", median, NAN, 1e-12, 1e12, 0, "median (lognormal)"),
    KT_ROW_F64(sc_uncertain, "sigma", sigma, NAN, 0, 10, 0, "log-space sd (lognormal)"),
};
#define NUNC (sizeof UNC_FIELDS / sizeof UNC_FIELDS[0])

/* The parameters each distribution needs. */
static const char *const NEED[][4] = {{"min", "max"}, {"mean", "sd"}, {"median", "sigma"}, {"min", "mode", "max"}};

/* The key's index when it may be varied this way (flag KT_SWEEP or KT_SAMPLE), else an error. */
static ss_status find_key(const char *key, unsigned flag, const char *where, long *k, ss_err *err) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  char why[200];
  bool sweep = flag == KT_SWEEP;
  *k = kt_index(f, nf, key);
  if (*k >= 0 && (f[*k].flags & flag)) return SS_OK;
  if (*k < 0) {
    const char *near = kt_suggest(f, nf, key);
    if (near)
      snprintf(why, sizeof why, "not a scenario key (did you mean '%s'?)", near);
    else
      snprintf(why, sizeof why, "not a scenario key");
  } else {
    snprintf(why, sizeof why, "%s", sweep ? "not sweepable" : "not a numeric key that can be sampled");
  }
  return ss_errorf(err, SS_EDATA, "%s: %s key '%s' is %s; allowed: %s in `servesim run --help-scenario`", where,
                   sweep ? "sweep" : "uncertain", key, why,
                   sweep ? "keys marked 'sweepable'" : "numeric scenario keys marked 'may be uncertain'");
}

static bool needs(const sc_uncertain *u, const char *param) {
  for (int j = 0; j < 4 && NEED[u->dist][j]; j++)
    if (!strcmp(NEED[u->dist][j], param)) return true;
  return false;
}

/* Every parameter the distribution needs is given, and none it does not use (a normal's min and max
 * would be silently ignored: its samples are clamped to the key's bounds instead). */
static ss_status check_distribution(const sc_uncertain *u, const unsigned *lines, const kt_field *f, const char *where,
                                    const char *prefix, ss_err *err) {
  char form[96];
  int used = snprintf(form, sizeof form, "{dist: %s", UNC_DISTS[u->dist]);
  for (int m = 0; m < 4 && NEED[u->dist][m]; m++)
    used += snprintf(form + used, sizeof form - (size_t)used, ", %s: ...", NEED[u->dist][m]);
  for (int j = 0; j < 4 && NEED[u->dist][j]; j++)
    if (isnan(kt_get_f64(kt_find(UNC_FIELDS, NUNC, NEED[u->dist][j]), u)))
      return ss_errorf(err, SS_EDATA, "%s: key '%s': dist %s needs '%s'; allowed: %s}", where, prefix,
                       UNC_DISTS[u->dist], NEED[u->dist][j], form);
  for (size_t j = 1; j < NUNC; j++)
    if (lines[j] && !needs(u, UNC_FIELDS[j].key))
      return ss_errorf(err, SS_EDATA,
                       "%s: key '%s': dist %s does not use '%s'; allowed: %s} (samples outside %g to %g, the "
                       "bounds of '%s', are clamped to them)",
                       where, prefix, UNC_DISTS[u->dist], UNC_FIELDS[j].key, form, f->min, f->max, f->key);
  bool bounded = u->dist == UNC_UNIFORM || u->dist == UNC_TRIANGULAR;
  if (bounded && (u->min > u->max || (u->dist == UNC_TRIANGULAR && (u->mode < u->min || u->mode > u->max)))) {
    char got[96];
    if (u->dist == UNC_TRIANGULAR)
      snprintf(got, sizeof got, "min %g, mode %g, max %g", u->min, u->mode, u->max);
    else
      snprintf(got, sizeof got, "min %g, max %g", u->min, u->max);
    return ss_errorf(err, SS_EDATA, "%s: key '%s': %s are out of order; allowed: min <= %smax", where, prefix, got,
                     u->dist == UNC_TRIANGULAR ? "mode <= " : "");
  }
  if (bounded && (u->min < f->min || u->max > f->max))
    return ss_errorf(err, SS_EDATA, "%s: key '%s': [%g, %g] leaves the bounds of '%s'; allowed: %g to %g", where,
                     prefix, u->min, u->max, f->key, f->min, f->max);
  /* an unbounded distribution is truncated to the key's bounds: its centre must lie inside them */
  double centre = u->dist == UNC_NORMAL ? u->mean : u->dist == UNC_LOGNORMAL ? u->median : u->min;
  if (!bounded && (centre < f->min || centre > f->max))
    return ss_errorf(err, SS_EDATA, "%s: key '%s': %s %g lies outside the bounds of '%s'; allowed: %g to %g", where,
                     prefix, u->dist == UNC_NORMAL ? "mean" : "median", centre, f->key, f->min, f->max);
  return SS_OK;
}

static void describe_axis(const sc_axis *ax, char *buf, size_t len) {
  size_t used = (size_t)snprintf(buf, len, "[");
  for (size_t j = 0; j < ax->n && used < len; j++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", j ? ", " : "", ax->values[j]);
  if (used < len) snprintf(buf + used, len - used, "]");
}

void variation_format_uncertain(const sc_uncertain *u, char *buf, size_t len) {
  size_t used = (size_t)snprintf(buf, len, "{dist: %s", UNC_DISTS[u->dist]);
  for (size_t j = 1; j < NUNC && used < len; j++) {
    char val[64];
    kt_format(&UNC_FIELDS[j], u, val, sizeof val);
    if (strcmp(val, "~")) used += (size_t)snprintf(buf + used, len - used, ", %s: %s", UNC_FIELDS[j].key, val);
  }
  if (used < len) snprintf(buf + used, len - used, "}");
}

bool variation_remove_axis(study_spec *spec, long k, char *was, size_t len) {
  for (size_t i = 0; i < spec->n_axes; i++)
    if (spec->axes[i].key == k) {
      describe_axis(&spec->axes[i], was, len);
      memmove(&spec->axes[i], &spec->axes[i + 1], (spec->n_axes - i - 1) * sizeof spec->axes[0]);
      spec->n_axes--;
      return true;
    }
  return false;
}

bool variation_remove_uncertain(study_spec *spec, long k, char *was, size_t len) {
  for (size_t i = 0; i < spec->n_unc; i++)
    if (spec->unc[i].key == k) {
      variation_format_uncertain(&spec->unc[i], was, len);
      memmove(&spec->unc[i], &spec->unc[i + 1], (spec->n_unc - i - 1) * sizeof spec->unc[0]);
      spec->n_unc--;
      return true;
    }
  return false;
}

ss_status variation_add_axis(study_spec *spec, const char *key, const yc_node *v, const char *where, unsigned line,
                             ss_err *err) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  char was[512];
  long k;
  ss_status rc = find_key(key, KT_SWEEP, where, &k, err);
  if (rc) return rc;
  if (v->kind != YC_SEQ || v->n == 0 || v->n > SC_MAX_AXIS_VALUES)
    return ss_errorf(err, SS_EDATA, "%s: sweep key '%s': expected a list of 1 to %d values", where, key,
                     SC_MAX_AXIS_VALUES);
  sc_axis ax = {.key = k, .n = v->n, .line = line};
  for (size_t j = 0; j < v->n; j++) {
    sc_point scratch = spec->base;
    if ((rc = kt_set(&f[k], &v->items[j], where, &scratch, err))) return rc;
    if (v->items[j].kind != YC_SCALAR || strlen(v->items[j].text) >= sizeof ax.values[j])
      return ss_errorf(err, SS_EDATA, "%s: sweep key '%s': values must be short single values", where, key);
    strcpy(ax.values[j], v->items[j].text);
  }
  bool replaced = variation_remove_axis(spec, k, was, sizeof was);
  if (replaced && !line) scenario_note(spec, "--set sweep.%s replaces the file's sweep of %s", key, was);
  if (variation_remove_uncertain(spec, k, was, sizeof was)) {
    if (line)
      return ss_errorf(err, SS_EDATA, "%s: key '%s' is both swept and uncertain; allowed: one of the two", where, key);
    scenario_note(spec, "--set sweep.%s: the key is swept, no longer sampled (was %s)", key, was);
  }
  if (spec->n_axes == SC_MAX_AXES) return ss_errorf(err, SS_EDATA, "%s: more than %d sweep keys", where, SC_MAX_AXES);
  spec->axes[spec->n_axes++] = ax;
  return SS_OK;
}

ss_status variation_add_uncertain(study_spec *spec, const char *key, const yc_node *dist, const char *where,
                                  unsigned line, ss_err *err) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  char prefix[160], was[512];
  long k;
  ss_status rc = find_key(key, KT_SAMPLE, where, &k, err);
  if (rc) return rc;
  sc_uncertain u;
  unsigned lines[NUNC] = {0};
  snprintf(prefix, sizeof prefix, "uncertain.%s", key);
  kt_defaults(UNC_FIELDS, NUNC, &u);
  if ((rc = kt_apply(UNC_FIELDS, NUNC, dist, "", where, NULL, &u, lines, err)) ||
      (rc = kt_check_required(UNC_FIELDS, NUNC, lines, where, err)) ||
      (rc = check_distribution(&u, lines, &f[k], where, prefix, err)))
    return rc;
  u.key = k, u.line = line;
  if (variation_remove_uncertain(spec, k, was, sizeof was) && !line)
    scenario_note(spec, "--set uncertain.%s replaces the file's distribution %s", key, was);
  if (variation_remove_axis(spec, k, was, sizeof was)) {
    if (line)
      return ss_errorf(err, SS_EDATA, "%s: key '%s' is both swept and uncertain; allowed: one of the two", where, key);
    scenario_note(spec, "--set uncertain.%s: the key is sampled, no longer swept (was %s)", key, was);
  }
  if (spec->n_unc == SC_MAX_UNCERTAIN)
    return ss_errorf(err, SS_EDATA, "%s: more than %d uncertain inputs", where, SC_MAX_UNCERTAIN);
  spec->unc[spec->n_unc++] = u;
  return SS_OK;
}

/* model_error: cross_validated: efficiency.step_time_scale becomes an uncertain input whose 80% band is
 * the model's cross-validated throughput band (a real step takes predicted / exp(e) when the measured
 * throughput is exp(e) x the predicted one), the widest over the study's points (widened where a point
 * is extrapolation). */
ss_status variation_add_model_error(study_spec *spec, const hwdb *db, ss_err *err) {
  long k = scenario_key_index("efficiency.step_time_scale"), km = scenario_key_index("model_error");
  char where[600];
  if (spec->line[km])
    snprintf(where, sizeof where, "%s:%u", spec->file, spec->line[km]);
  else
    snprintf(where, sizeof where, "%s (--set)", spec->file);
  for (size_t i = 0; i < spec->n_axes; i++)
    if (spec->axes[i].key == k)
      return ss_errorf(err, SS_EDATA,
                       "%s: key 'model_error': cross_validated samples efficiency.step_time_scale, "
                       "which is swept; allowed: one of the two",
                       where);
  char was[512];
  if (variation_remove_uncertain(spec, k, was, sizeof was))
    return ss_errorf(err, SS_EDATA,
                     "%s: key 'model_error': cross_validated samples efficiency.step_time_scale, "
                     "which is already uncertain (%s); allowed: one of the two",
                     where, was);
  const model_error *me = hwdb_model_error(db, "throughput");
  if (!me)
    return ss_errorf(err, SS_EDATA,
                     "%s: key 'model_error': value 'cross_validated' needs %s/model_error.yaml (tools/calibrate.py "
                     "--cv writes it); allowed without it: none",
                     where, db->dir);
  double half = 0, centre = 0;
  bool widened = false;
  for (size_t p = 0; p < scenario_points(spec); p++) {
    sc_point pt;
    ss_status rc = scenario_point(spec, p, db, &pt, err);
    if (rc) return rc;
    const hwdb_bound *b = &pt.sim.dep.hw;
    modelerr_band band;
    modelerr_band_of(me, b->gpu->id, b->engine->id, b->weights->id, &band);
    double h = 0.5 * log(band.hi / band.lo);
    if (h > half) half = h, centre = 0.5 * log(band.hi * band.lo);
    widened |= band.unseen_gpu || band.unseen_engine || band.unseen_weights;
  }
  if (spec->n_unc == SC_MAX_UNCERTAIN)
    return ss_errorf(err, SS_EDATA, "%s: key 'model_error': more than %d uncertain inputs", where, SC_MAX_UNCERTAIN);
  sc_uncertain u = {.key = k,
                    .dist = UNC_LOGNORMAL,
                    .median = exp(-centre),
                    .sigma = half / 1.2815515655446004,
                    .line = spec->line[km]};
  spec->unc[spec->n_unc++] = u;
  scenario_note(spec,
                "model_error: cross_validated: every step's time is scaled by a lognormal draw per replicate (median "
                "%.3f, sigma %.3f: the 80%% band of the throughput error on rows the fit never saw, %s)%s",
                u.median, u.sigma, me->date, widened ? "; widened: some points are extrapolation" : "");
  return SS_OK;
}
