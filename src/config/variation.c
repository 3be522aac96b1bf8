/* variation.c: sweep axes and uncertain inputs: parsing (a key table of their own for the
 * distributions), the checks against the scenario key they vary, replacement and removal; the
 * rank-correlation matrix of the inputs and the replicate structure a sensitivity method needs.
 * Invariant: a spec that passed variation_finish has a valid correlation matrix over uncertain keys
 * only, and the replicate count its sensitivity method needs. */
#include "config/variation.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
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
    modelerr_band_of(me, b->gpu->id, b->engine->id, b->engine_beyond, b->weights->id, &band);
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

/* ---- study design and sensitivity method ---- */

const char *const sc_design_names[] = {"random", "lhs", "sobol", "halton", NULL};
const char *const sc_sens_method_names[] = {"prcc", "sobol", "morris", NULL};

/* ---- uncertain_correlation ---- */

static ss_status corr_number(const yc_node *v, const char *file, size_t i, size_t j, double *out, ss_err *err) {
  if (v->kind != YC_SCALAR || kt_parse_f64(v->text, out) != 0 || *out < -1 || *out > 1)
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'uncertain_correlation.matrix': row %zu, column %zu: '%s' is not a "
                     "rank correlation; allowed: a number from -1 to 1",
                     file, v->line, i + 1, j + 1, v->kind == YC_SCALAR ? v->text : yc_kind_name(v->kind));
  return SS_OK;
}

ss_status variation_parse_correlation(study_spec *spec, const yc_node *node, const char *file, ss_err *err) {
  static const char FORM[] = "{keys: [KEY, ...], matrix: [[1, r], [r, 1]]} (a row per key)";
  sc_correlation *c = &spec->corr;
  const yc_node *keys = node->kind == YC_MAP ? yc_get(node, "keys") : NULL;
  const yc_node *m = node->kind == YC_MAP ? yc_get(node, "matrix") : NULL;
  if (!keys || !m || node->n != 2)
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'uncertain_correlation' must be a mapping of exactly keys and matrix; "
                     "allowed: %s",
                     file, node->line, FORM);
  if (keys->kind != YC_SEQ || keys->n < 2 || keys->n > SC_MAX_UNCERTAIN)
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'uncertain_correlation.keys': expected a list of 2 to %d uncertain "
                     "keys; allowed: %s",
                     file, keys->line, SC_MAX_UNCERTAIN, FORM);
  memset(c, 0, sizeof *c);
  c->n = keys->n, c->line = node->line;
  for (size_t i = 0; i < keys->n; i++) {
    const yc_node *k = &keys->items[i];
    c->key[i] = k->kind == YC_SCALAR ? scenario_key_index(k->text) : -1;
    if (c->key[i] < 0)
      return ss_errorf(err, SS_EDATA,
                       "%s:%u: key 'uncertain_correlation.keys': item %zu is not a scenario key; "
                       "allowed: keys of the uncertain: block",
                       file, k->line, i + 1);
    for (size_t j = 0; j < i; j++)
      if (c->key[j] == c->key[i])
        return ss_errorf(err, SS_EDATA,
                         "%s:%u: key 'uncertain_correlation.keys': '%s' is listed twice; allowed: "
                         "each uncertain key once",
                         file, k->line, k->text);
  }
  if (m->kind != YC_SEQ || m->n != c->n)
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'uncertain_correlation.matrix': expected %zu rows (one per key); "
                     "allowed: %s",
                     file, m->line, c->n, FORM);
  for (size_t i = 0; i < c->n; i++) {
    const yc_node *row = &m->items[i];
    if (row->kind != YC_SEQ || row->n != c->n)
      return ss_errorf(err, SS_EDATA,
                       "%s:%u: key 'uncertain_correlation.matrix': row %zu must hold %zu numbers; "
                       "allowed: %s",
                       file, row->line, i + 1, c->n, FORM);
    for (size_t j = 0; j < c->n; j++) {
      ss_status rc = corr_number(&row->items[j], file, i, j, &c->rho[i][j], err);
      if (rc) return rc;
    }
  }
  return SS_OK;
}

/* Symmetric, unit diagonal, positive definite (the smallest eigenvalue is named when it is not). */
static ss_status check_matrix(const study_spec *spec, ss_err *err) {
  const sc_correlation *c = &spec->corr;
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  for (size_t i = 0; i < c->n; i++) {
    if (c->rho[i][i] != 1)
      return ss_errorf(err, SS_EDATA,
                       "%s:%u: key 'uncertain_correlation.matrix': diagonal entry %zu (%s) is %g; "
                       "allowed: 1",
                       spec->file, c->line, i + 1, f[c->key[i]].key, c->rho[i][i]);
    for (size_t j = 0; j < i; j++)
      if (c->rho[i][j] != c->rho[j][i])
        return ss_errorf(err, SS_EDATA,
                         "%s:%u: key 'uncertain_correlation.matrix': not symmetric: row %zu column "
                         "%zu is %g, row %zu column %zu is %g; allowed: a symmetric matrix",
                         spec->file, c->line, i + 1, j + 1, c->rho[i][j], j + 1, i + 1, c->rho[j][i]);
  }
  gsl_matrix *a = gsl_matrix_alloc(c->n, c->n), *b = gsl_matrix_alloc(c->n, c->n);
  gsl_vector *ev = gsl_vector_alloc(c->n);
  gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(c->n);
  ss_status rc = a && b && ev && w ? SS_OK : ss_errorf(err, SS_ENOMEM, "out of memory for the correlation matrix");
  for (size_t i = 0; !rc && i < c->n; i++)
    for (size_t j = 0; j < c->n; j++) gsl_matrix_set(a, i, j, c->rho[i][j]);
  if (!rc && gsl_matrix_memcpy(b, a) == 0 && gsl_linalg_cholesky_decomp1(a) != 0) {
    gsl_eigen_symm(b, ev, w);
    rc = ss_errorf(err, SS_EDATA,
                   "%s:%u: key 'uncertain_correlation.matrix' is not positive definite (smallest "
                   "eigenvalue %.3g): these correlations cannot hold together; allowed: a positive definite "
                   "matrix (weaken the largest correlations)",
                   spec->file, c->line, gsl_vector_min(ev));
  }
  gsl_matrix_free(a), gsl_matrix_free(b), gsl_vector_free(ev);
  if (w) gsl_eigen_symm_free(w);
  return rc;
}

static ss_status check_correlation(const study_spec *spec, ss_err *err) {
  const sc_correlation *c = &spec->corr;
  if (!c->n) return SS_OK;
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  for (size_t i = 0; i < c->n; i++) {
    bool found = false;
    for (size_t u = 0; u < spec->n_unc; u++) found |= spec->unc[u].key == c->key[i];
    if (!found)
      return ss_errorf(err, SS_EDATA,
                       "%s:%u: key 'uncertain_correlation.keys': '%s' is not an uncertain input "
                       "(pinned by --set, or not in the uncertain: block); allowed: keys of the uncertain: block",
                       spec->file, c->line, f[c->key[i]].key);
  }
  return check_matrix(spec, err);
}

/* "line 12" or "--set" for a key of the base point. */
static void given_where(const study_spec *spec, long k, char *buf, size_t len) {
  if (spec->line[k])
    snprintf(buf, len, "%s:%u", spec->file, spec->line[k]);
  else
    snprintf(buf, len, "%s (--set)", spec->file);
}

/* Sobol indices need N(k+2) replicates in their A, B, AB_i blocks, Morris r(k+1) in trajectories: the
 * replicate count follows from sensitivity.samples, and a different one the user gave is refused. */
static ss_status check_method(study_spec *spec, ss_err *err) {
  sc_point *b = &spec->base;
  long k_rep = scenario_key_index("replicates"), k_design = scenario_key_index("study.design");
  long k_samples = scenario_key_index("sensitivity.samples");
  const char *name = sc_sens_method_names[b->uq.method];
  char where[600];
  size_t k = spec->n_unc;
  if (b->uq.method == SC_SENS_PRCC) {
    if (!b->uq.samples) return SS_OK;
    given_where(spec, k_samples, where, sizeof where);
    return ss_errorf(err, SS_EDATA,
                     "%s: key 'sensitivity.samples': value %u applies to sensitivity.method sobol or "
                     "morris; allowed: leave it unset for prcc (the replicates are its samples)",
                     where, b->uq.samples);
  }
  given_where(spec, scenario_key_index("sensitivity.method"), where, sizeof where);
  if (!k)
    return ss_errorf(err, SS_EDATA,
                     "%s: key 'sensitivity.method': value '%s' needs uncertain inputs; allowed: an "
                     "uncertain: block, or prcc",
                     where, name);
  if (b->uq.samples < 2)
    return ss_errorf(err, SS_EDATA,
                     "%s: key 'sensitivity.method': value '%s' needs sensitivity.samples (%s); "
                     "allowed: 2 or more (e.g. 256 for Sobol indices, 20 Morris trajectories)",
                     where, name, b->uq.method == SC_SENS_SOBOL ? "base samples N: N(k+2) runs" : "trajectories r");
  if (spec->corr.n)
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'uncertain_correlation': sensitivity.method %s assumes independent "
                     "inputs; allowed: sensitivity.method: prcc with correlated inputs",
                     spec->file, spec->corr.line, name);
  if (b->uq.method == SC_SENS_MORRIS && scenario_given(b, k_design)) {
    given_where(spec, k_design, where, sizeof where);
    return ss_errorf(err, SS_EDATA,
                     "%s: key 'study.design': sensitivity.method morris draws its own grid "
                     "trajectories; allowed: leave study.design unset",
                     where);
  }
  if (b->uq.method == SC_SENS_SOBOL && !scenario_given(b, k_design)) b->uq.design = SC_DESIGN_SOBOL;
  double need = (double)b->uq.samples * (double)(b->uq.method == SC_SENS_SOBOL ? k + 2 : k + 1);
  if (need > 1e6)
    return ss_errorf(err, SS_EDATA,
                     "%s: sensitivity.samples %u with %zu inputs needs %.0f replicates; allowed: at "
                     "most 1000000",
                     where, b->uq.samples, k, need);
  if (scenario_given(b, k_rep) && b->replicates != (uint32_t)need) {
    given_where(spec, k_rep, where, sizeof where);
    return ss_errorf(err, SS_EDATA,
                     "%s: key 'replicates': value %u, but sensitivity.method %s with %u samples and "
                     "%zu inputs runs %.0f (%s); allowed: %.0f, or leave replicates unset",
                     where, b->replicates, name, b->uq.samples, k, need,
                     b->uq.method == SC_SENS_SOBOL ? "N(k+2)" : "r(k+1)", need);
  }
  b->replicates = (uint32_t)need;
  return SS_OK;
}

ss_status variation_finish(study_spec *spec, ss_err *err) {
  ss_status rc = check_correlation(spec, err);
  return rc ? rc : check_method(spec, err);
}

void variation_echo_correlation(FILE *out, const study_spec *spec) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  const sc_correlation *c = &spec->corr;
  if (!c->n) return;
  fprintf(out, "uncertain_correlation:\n  keys: [");
  for (size_t i = 0; i < c->n; i++) fprintf(out, "%s%s", i ? ", " : "", f[c->key[i]].key);
  fprintf(out, "]\n  matrix:\n");
  for (size_t i = 0; i < c->n; i++) {
    fprintf(out, "    - [");
    for (size_t j = 0; j < c->n; j++) fprintf(out, "%s%.17g", j ? ", " : "", c->rho[i][j]);
    fprintf(out, "]\n");
  }
}
