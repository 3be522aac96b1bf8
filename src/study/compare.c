/* compare.c: the alignment checks of two scenarios, their two studies, and the paired statistics of
 * every metric at every sweep point.
 * Invariant: a difference is only ever taken between replicate r of A and replicate r of B, over the
 * replicates where both are finite (and, for latency metrics, neither saturated). */
#include "study/compare.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name, *long_name;
  bool metric_units;
} FIELDS[] = {
#define X(f, l, u) {#f, l, u},
    COMPARE_FIELDS(X)
#undef X
};

const char *compare_field_name(compare_field f) { return FIELDS[f].name; }
const char *compare_field_long_name(compare_field f) { return FIELDS[f].long_name; }
bool compare_field_in_metric_units(compare_field f) { return FIELDS[f].metric_units; }

/* ---- alignment ---- */

static ss_status refuse(const study_spec *a, const study_spec *b, ss_err *err, const char *what, const char *va,
                        const char *vb, const char *allowed) {
  return ss_errorf(err, SS_EDATA,
                   "compare: %s differ: %s has %s, %s has %s; allowed: %s (replicate r of both must see the same "
                   "random numbers)",
                   what, a->file, va, b->file, vb, allowed);
}

static void key_list(const study_spec *s, char *buf, size_t len) {
  size_t nf, used = 0;
  const kt_field *f = scenario_fields(&nf);
  buf[0] = '\0';
  for (size_t i = 0; i < s->n_unc && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", f[s->unc[i].key].key);
  if (!s->n_unc) snprintf(buf, len, "none");
}

ss_status compare_check(const study_spec *a, const study_spec *b, ss_err *err) {
  char va[512], vb[512];
  const sc_point *x = &a->base, *y = &b->base;
  if (x->seed != y->seed) {
    snprintf(va, sizeof va, "seed %llu", (unsigned long long)x->seed);
    snprintf(vb, sizeof vb, "seed %llu", (unsigned long long)y->seed);
    return refuse(a, b, err, "the seeds", va, vb, "the same seed (--seed S sets both)");
  }
  if (x->replicates != y->replicates) {
    snprintf(va, sizeof va, "%u replicates", x->replicates), snprintf(vb, sizeof vb, "%u", y->replicates);
    return refuse(a, b, err, "the replicate counts", va, vb, "the same count (--replicates N sets both)");
  }
  if (scenario_points(a) != scenario_points(b)) {
    snprintf(va, sizeof va, "%zu sweep points", scenario_points(a)), snprintf(vb, sizeof vb, "%zu", scenario_points(b));
    return refuse(a, b, err, "the sweeps", va, vb,
                  "as many points in both (point p of A is compared with point p of B)");
  }
  key_list(a, va, sizeof va), key_list(b, vb, sizeof vb);
  bool same_keys = a->n_unc == b->n_unc;
  for (size_t i = 0; same_keys && i < a->n_unc; i++) same_keys = a->unc[i].key == b->unc[i].key;
  if (!same_keys)
    return refuse(a, b, err, "the uncertain inputs", va, vb,
                  "the same uncertain keys in the same order (their distributions may differ)");
  if (x->uq.design != y->uq.design)
    return refuse(a, b, err, "the designs", sc_design_names[x->uq.design], sc_design_names[y->uq.design],
                  "the same study.design");
  if (x->uq.method != SC_SENS_PRCC || y->uq.method != SC_SENS_PRCC)
    return refuse(a, b, err, "the replicate structures", sc_sens_method_names[x->uq.method],
                  sc_sens_method_names[y->uq.method],
                  "sensitivity.method: prcc in both (Sobol and Morris designs "
                  "structure their replicates for one study)");
  if (a->corr.n != b->corr.n || memcmp(a->corr.key, b->corr.key, sizeof a->corr.key) ||
      memcmp(a->corr.rho, b->corr.rho, sizeof a->corr.rho))
    return refuse(a, b, err, "the rank correlations of the inputs", a->corr.n ? "uncertain_correlation" : "none",
                  b->corr.n ? "uncertain_correlation" : "none", "the same uncertain_correlation block");
  return SS_OK;
}

/* ---- paired statistics ---- */

/* The value of metric m at replicate r of point p, NAN where the summary leaves it out. */
static double paired_value(const study *st, result_metric m, size_t p, size_t r) {
  const sim_result *res = &st->res[p * st->n_reps + r];
  if (!design_independent(&st->design, r)) return NAN;
  if (result_is_latency(m) && (study_point_saturated(st, p) || res->v[RM_saturated] > 0.5)) return NAN;
  return res->v[m];
}

static void pair_stats(const double *a, const double *b, size_t R, double *out) {
  double sa = 0, sb = 0, n = 0, va = 0, vb = 0, vd = 0;
  for (size_t r = 0; r < R; r++)
    if (isfinite(a[r]) && isfinite(b[r])) sa += a[r], sb += b[r], n++;
  for (int f = 0; f < CMP_COUNT; f++) out[f] = NAN;
  out[CMP_n_used] = n;
  if (n < 1) return;
  double ma = sa / n, mb = sb / n, md = mb - ma;
  out[CMP_mean_a] = ma, out[CMP_mean_b] = mb, out[CMP_diff] = md;
  if (n < 2) return;
  for (size_t r = 0; r < R; r++)
    if (isfinite(a[r]) && isfinite(b[r])) {
      double d = b[r] - a[r] - md;
      va += (a[r] - ma) * (a[r] - ma), vb += (b[r] - mb) * (b[r] - mb), vd += d * d;
    }
  va /= n - 1, vb /= n - 1, vd /= n - 1;
  double half = gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(vd / n);
  out[CMP_ci95_lo] = md - half, out[CMP_ci95_hi] = md + half, out[CMP_halfwidth_paired] = half;
  double welch_df = va + vb > 0 ? (va + vb) * (va + vb) * (n - 1) / (va * va + vb * vb) : n - 1;
  out[CMP_halfwidth_independent] = gsl_cdf_tdist_Pinv(0.975, welch_df) * sqrt((va + vb) / n);
  out[CMP_variance_ratio] = vd > 0 ? (va + vb) / vd : va + vb > 0 ? INFINITY : NAN;
}

void compare_free(compare *c) {
  free(c->config_a), free(c->config_b), free(c->label_a), free(c->label_b);
  free(c->v), free(c->rep_a), free(c->rep_b);
  memset(c, 0, sizeof *c);
}

static void describe(const study *a, const study *b, compare *c) {
  const study *s[2] = {a, b};
  snprintf(c->name_a, sizeof c->name_a, "%s", a->name), snprintf(c->name_b, sizeof c->name_b, "%s", b->name);
  snprintf(c->hwdb_dir, sizeof c->hwdb_dir, "%s", a->hwdb_dir);
  snprintf(c->hwdb_sha256, sizeof c->hwdb_sha256, "%s", a->hwdb_sha256);
  c->seed = a->seed, c->n_inputs = 0;
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < s[k]->n_input_files && c->n_inputs < sizeof c->inputs / sizeof c->inputs[0]; i++) {
      hash_ref *h = &c->inputs[c->n_inputs++];
      *h = s[k]->input_files[i];
      snprintf(h->role, sizeof h->role, "%.20s_%c", s[k]->input_files[i].role, k ? 'b' : 'a');
    }
  for (size_t p = 0; p < c->n_points; p++) {
    study_point_label(a, p, c->label_a[p], COMPARE_LABEL_LEN);
    study_point_label(b, p, c->label_b[p], COMPARE_LABEL_LEN);
  }
}

ss_status compare_studies(const study *a, const study *b, compare *c, ss_err *err) {
  size_t P = a->n_points, R = a->n_reps, cells = (size_t)RM_COUNT * P;
  memset(c, 0, sizeof *c);
  if (b->n_points != P || b->n_reps != R)
    return ss_errorf(err, SS_EDATA, "compare: %zu x %zu and %zu x %zu (points x replicates) do not pair", P, R,
                     b->n_points, b->n_reps);
  c->n_points = P, c->n_reps = R;
  c->config_a = strdup(a->config_yaml ? a->config_yaml : ""),
  c->config_b = strdup(b->config_yaml ? b->config_yaml : "");
  c->label_a = calloc(P, sizeof *c->label_a), c->label_b = calloc(P, sizeof *c->label_b);
  c->v = malloc(cells * CMP_COUNT * sizeof *c->v);
  c->rep_a = malloc(cells * R * sizeof *c->rep_a), c->rep_b = malloc(cells * R * sizeof *c->rep_b);
  if (!c->config_a || !c->config_b || !c->label_a || !c->label_b || !c->v || !c->rep_a || !c->rep_b) {
    compare_free(c);
    return ss_errorf(err, SS_ENOMEM, "out of memory comparing %zu points x %zu replicates", P, R);
  }
  describe(a, b, c);
  for (int m = 0; m < RM_COUNT; m++)
    for (size_t p = 0; p < P; p++) {
      double *ra = &c->rep_a[((size_t)m * P + p) * R], *rb = &c->rep_b[((size_t)m * P + p) * R];
      for (size_t r = 0; r < R; r++) {
        ra[r] = paired_value(a, (result_metric)m, p, r), rb[r] = paired_value(b, (result_metric)m, p, r);
        if (!isfinite(ra[r]) || !isfinite(rb[r])) ra[r] = rb[r] = NAN; /* a pair, or neither */
      }
      pair_stats(ra, rb, R, compare_at(c, (result_metric)m, p));
    }
  return SS_OK;
}

ss_status compare_run(const study_spec *a, const study_spec *b, const hwdb *db, const study_opts *o, compare *out,
                      ss_err *err) {
  study sa, sb;
  ss_status rc = compare_check(a, b, err);
  if (rc || (rc = study_run(a, db, o, &sa, err))) return rc;
  if ((rc = study_run(b, db, o, &sb, err))) return study_free(&sa), rc;
  rc = compare_studies(&sa, &sb, out, err);
  study_free(&sa), study_free(&sb);
  return rc;
}
